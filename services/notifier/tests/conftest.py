"""Helpers for the notifier's tests: a real HTTP receiver that checks signatures the way an
institution would, and a real SMTP server that can be down and come back."""
from __future__ import annotations

import email
import json
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.suite import free_port

SERVICE_DIR = Path(__file__).resolve().parents[1]
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))  # the tests import notifier_service's parts directly

from notifier_service.domain import verify_webhook_signature  # noqa: E402


class Receiver:
    """An institution's webhook endpoint: accepts only correctly signed notifications.

    `answer` is the status it gives (200 normally; 503 to play an outage), after `delay` seconds (a
    slow receiver); `calls` counts the requests that arrived; `stop()` closes the port."""

    def __init__(self, secret: str | None = None):
        self.port = free_port()
        self.secret = secret
        self.answer = 200
        self.delay = 0.0
        self.calls = 0
        self.received: list[dict] = []      # accepted: {"event": ..., "headers": ...}
        self.refused_signature = 0
        self.refused_outage = 0
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/egov"

    def event_ids(self) -> list[str]:
        with self._lock:
            return [r["event"]["id"] for r in self.received]

    def _app(self, environ, start_response):
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        request = Request(environ)
        body = request.get_data()
        timestamp = request.headers.get("X-Egov-Timestamp", "")
        signature = request.headers.get("X-Egov-Signature", "")
        with self._lock:
            if self.secret is None or not timestamp.isdigit() or \
                    not verify_webhook_signature(self.secret, timestamp, body, signature):
                self.refused_signature += 1
                return Response("bad signature", status=401)(environ, start_response)
            if self.answer != 200:
                self.refused_outage += 1
                return Response("unavailable", status=self.answer)(environ, start_response)
            self.received.append({"event": json.loads(body), "headers": dict(request.headers)})
        return Response(status=204)(environ, start_response)

    def start(self) -> "Receiver":
        self._server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def receivers():
    """Makes started receivers; all are stopped after the test."""
    made: list[Receiver] = []

    def make(secret: str | None = None) -> Receiver:
        made.append(Receiver(secret).start())
        return made[-1]
    yield make
    for running in made:
        running.stop()


class Mailbox:
    """An SMTP server keeping what it receives in memory; can start later than the sender."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[tuple[list[str], bytes]] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> "Mailbox":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for _, raw in self.messages]


@pytest.fixture
def mailbox():
    """An SMTP server on its own port, not started yet: the test decides when it is up."""
    box = Mailbox()
    yield box
    box.stop()
