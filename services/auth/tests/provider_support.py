"""Providers of the auth tests' own: where a relying party sends its calls (a simulator process,
or a relay in front of one that changes its answers on the way: a provider that lies)."""
from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class Provider:
    """A simulator process (or a relay in front of one): where a relying party sends its calls,
    with which credentials, and which CA it must trust for it."""

    def __init__(self, url: str, rp_uuid: str, ca_file: Path, phone_base: str):
        self.url, self.rp_uuid, self.ca_file, self.phone_base = url, rp_uuid, ca_file, phone_base

    def settings(self) -> dict:
        """Overrides that point an auth app at this provider, trusting this provider's CA."""
        return {"asan_provider_url": self.url, "asan_rp_uuid": self.rp_uuid, "trusted_ca_file": str(self.ca_file)}


class TamperingProvider:
    """A relay in front of a real provider that changes its successful session answers on the
    way (`tamper(body) -> body`): a provider, or a network, that lies."""

    def __init__(self, upstream: Provider, tamper):
        self.upstream, self.tamper = upstream, tamper
        self.http = requests.Session()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.provider = Provider(f"http://127.0.0.1:{self.server.server_port}/asan-api", upstream.rp_uuid,
                                 upstream.ca_file, upstream.phone_base)

    def _app(self, environ, start_response):
        request = Request(environ)
        path = request.path.removeprefix("/asan-api")
        answer = self.http.request(request.method, f"{self.upstream.url}{path}", params=request.args,
                                   data=request.get_data(),
                                   headers={k: v for k, v in request.headers.items()
                                            if k.lower() in ("content-type", "x-relying-party-uuid")},
                                   timeout=30)
        body = answer.content
        if path.startswith("/session/") and answer.status_code == 200 and answer.json().get("result") == "OK":
            body = json.dumps(self.tamper(answer.json())).encode()
        return Response(body, status=answer.status_code, content_type=answer.headers.get("Content-Type"))(
            environ, start_response)

    def stop(self):
        self.server.shutdown()


def flip_last_byte(value_b64: str) -> str:
    raw = bytearray(base64.b64decode(value_b64))
    raw[-1] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()
