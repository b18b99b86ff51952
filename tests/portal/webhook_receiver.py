"""An institution's webhook endpoint for the browser tests: keeps every request exactly as it came
(headers and raw body), and answers with `status` (204 unless a test plays a refusal)."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.suite import free_port


class Receiver:
    def __init__(self):
        self.port = free_port()
        self.status = 204
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/egov/notifications"

    def _app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.requests.append({"headers": dict(request.headers), "body": request.get_data()})
            status = self.status
        return Response(status=status)(environ, start_response)

    def for_event(self, event_id: str) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["headers"].get("X-Egov-Event-Id") == event_id]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
