"""Keeps a process's list of logged-out sessions current, so a logout works everywhere at once."""
from __future__ import annotations

import logging
import threading

import pika
import requests
from pika.exceptions import AMQPError

from .auth import RevokedSessions
from .bus import connection_parameters, declare_exchange

log = logging.getLogger("egov.revocations")
EVENT = "auth.session.revoked"


class RevocationListener(threading.Thread):
    """`tokens` (the service's ServiceTokens) sign the look-up of the sessions ended before the
    listener started: that list is for the suite's services only."""

    def __init__(self, revoked: RevokedSessions, amqp_url: str, exchange: str, auth_url: str, service: str,
                 tokens=None):
        super().__init__(name="revocations", daemon=True)
        self.tokens = tokens
        self.revoked = revoked
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.auth_url = auth_url
        self.service = service
        self.ready = threading.Event()

    def _load_existing(self) -> None:
        headers = {"Authorization": f"Bearer {self.tokens.token_for('auth')}"} if self.tokens else {}
        response = requests.get(f"{self.auth_url}/api/auth/revoked-sessions", headers=headers, timeout=3)
        response.raise_for_status()
        for item in response.json().get("sessions", []):
            self.revoked.add(item["session_id"], float(item["until"]))

    def run(self) -> None:
        backoff = 0.5
        while True:
            try:
                connection = pika.BlockingConnection(connection_parameters(self.amqp_url, f"{self.service}-revocations"))
                channel = connection.channel()
                declare_exchange(channel, self.exchange)
                queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
                channel.queue_bind(queue, self.exchange, routing_key=EVENT)
                # Bound first, then loaded: no revocation can fall between the two.
                try:
                    self._load_existing()
                except requests.RequestException:
                    log.warning("could not load revoked sessions")
                self.ready.set()
                backoff = 0.5
                for _method, _props, body in channel.consume(queue, auto_ack=True, inactivity_timeout=None):
                    try:
                        import json
                        data = json.loads(body)["data"]
                        self.revoked.add(data["session_id"], float(data["until"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("malformed revocation event")
            except (AMQPError, OSError) as exc:
                log.warning("revocation listener reconnecting: %s", type(exc).__name__)
                threading.Event().wait(backoff)
                backoff = min(backoff * 2, 30)
