"""Helpers shared by the gateway tests: echoing upstreams and a handle on a running gateway."""
from __future__ import annotations

import importlib.util
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Loaded by path under a distinct name: gateway/ is not a package and "render"
# is too generic a module name to put on sys.path.
_spec = importlib.util.spec_from_file_location(
    "gateway_render", Path(__file__).resolve().parents[1] / "render.py")
gw_render = importlib.util.module_from_spec(_spec)
sys.modules["gateway_render"] = gw_render
_spec.loader.exec_module(gw_render)

SECRET = "SECRET-db-password=hunter2"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/views.py", line 42, in create\n'
    "    cursor.execute(sql)\n"
    f"psycopg.OperationalError: connection to postgres://app:{SECRET}@db failed\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _EchoHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the gateway's upstream keep-alive can be observed.
    protocol_version = "HTTP/1.1"
    upstream: "Upstream"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.upstream.count_hit()
        if self.headers.get("X-Test-Sleep"):
            time.sleep(float(self.headers["X-Test-Sleep"]))
        status = int(self.headers.get("X-Test-Status", "200"))
        headers = {"X-Request-ID": "from-upstream", "X-Powered-By": "Flask"}
        if self.headers.get("X-Test-Retry-After"):
            headers["Retry-After"] = self.headers["X-Test-Retry-After"]
        if status >= 500:
            ctype, payload = "text/plain", TRACEBACK.encode()
        elif status >= 400:
            doc = {
                "type": "about:blank",
                "title": "Yoxlama xətası",
                "status": status,
                "detail": f"{self.upstream.name} rejected the request",
                "errors": {"fin": ["FİN 7 simvoldan ibarət olmalıdır"]},
            }
            ctype, payload = "application/problem+json", json.dumps(doc, ensure_ascii=False).encode()
        else:
            path, _, query = self.path.partition("?")
            echo = {
                "instance": self.upstream.name,
                "method": self.command,
                "path": path,
                "raw_uri": self.path,
                "query": query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "remote_port": self.client_address[1],
                "body_length": len(body),
            }
            ctype, payload = "application/json", json.dumps(echo).encode()
            if self.headers.get("X-Test-Size"):
                ctype, payload = "application/pdf", b"%PDF" * (int(self.headers["X-Test-Size"]) // 4)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The gateway hanging up on a deliberately slow answer is expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Upstream:
    """An HTTP server that echoes what reached it; X-Test-* request headers script its answer:
    X-Test-Status (e.g. 500 with a secret traceback, 422 problem+json), X-Test-Sleep,
    X-Test-Retry-After, X-Test-Size (answer that many bytes)."""

    name: str
    server: _QuietServer = None
    hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def count_hit(self) -> None:
        with self.lock:
            self.hits += 1

    def start(self) -> "Upstream":
        handler = type(f"Echo_{self.name}", (_EchoHandler,), {"upstream": self})
        self.server = _QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Gateway:
    url: str
    runtime_dir: Path
    proc: subprocess.Popen

    @property
    def access_log(self) -> Path:
        return self.runtime_dir / "logs" / "access.log"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()




class FlaskUpstream:
    """A real Flask app behind the gateway, redirecting as Flask does (merged slashes, a missing
    trailing slash) with an absolute URL built from the Host it was sent."""

    def __init__(self):
        from flask import Flask, jsonify, request
        from werkzeug.serving import make_server

        app = Flask("gateway-test-upstream")
        self.hits = 0

        @app.before_request
        def _count():
            self.hits += 1

        @app.get("/api/auth/me")
        def me():
            return jsonify(host=request.host, url=request.url)

        @app.get("/api/auth/folder/")
        def folder():
            return jsonify(ok=True)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
