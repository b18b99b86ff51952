"""The issue's scenario, through the gateway with the real services: an authority is checked live
and by scope in every service, and a webhook registered under an authority is suspended once it
ends, until the head confirms it.

The prosecutor's office's head grants a person an authority for contract notices only: the
notifier refuses that person its inbox and webhooks (403 scope_missing) while contracts lets them
in. Granted anew with notifications too, the same token works in the notifier: the person
registers a webhook, and an event for the office reaches it. The head withdraws the authority: the
very next request of that same token is refused in the notifier and in contracts, and the webhook
is suspended — the next event reaches the office's inbox but not the receiver — until the head
confirms it, after which the next event reaches the receiver again."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from devtools.suite import free_port
from egov_kit.bus import Publisher, new_event

PROSECUTOR = "1500012341"  # the prosecutor's office; no other test grants authorities in it
CONTRACTS = "/api/contracts"
NOTIFIER = "/api/notifier"


class Receiver:
    """The office's webhook endpoint: keeps the notifications whose signature checks out."""

    def __init__(self):
        self.port = free_port()
        self.secret: str | None = None
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/egov/notifications"

    def _app(self, environ, start_response):
        request = Request(environ)
        body, timestamp = request.get_data(), request.headers.get("X-Egov-Timestamp", "")
        expected = "sha256=" + hmac.new((self.secret or "").encode(), f"{timestamp}.".encode() + body,
                                        hashlib.sha256).hexdigest()
        if not self.secret or not hmac.compare_digest(expected, request.headers.get("X-Egov-Signature", "")):
            return Response("bad signature", status=401)(environ, start_response)
        with self._lock:
            self.received.append(json.loads(body))
        return Response(status=204)(environ, start_response)

    def event_ids(self) -> list[str]:
        with self._lock:
            return [event["id"] for event in self.received]

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def publish(amqp_url, suite):
    publisher = Publisher(amqp_url, suite.exchange, name="authority-scope-tests")
    yield publisher.publish
    publisher.close()


@pytest.fixture(scope="module")
def notifier_db(mongo_client, bus_names):
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_notifier"]


def revocation() -> dict:
    """An event the notifier tells the office about (a certificate addressed to it was revoked)."""
    return new_event("certificates.certificate.revoked", {
        "number": f"AR-{uuid.uuid4().hex[:8].upper()}", "holder_name": "Həsənova Nərmin", "reason": "holder",
        "destination": "addressed", "addressee_voen": PROSECUTOR, "addressee_name": "Baş Prokurorluq",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00"}, source="certificates")


def inbox_ids(session: ApiSession) -> list[str]:
    answer = session.get(f"{NOTIFIER}/inbox", params={"limit": 200})
    assert answer.status_code == 200, answer.text
    return [item["event_id"] for item in answer.json()["items"]]


def grant(head: ApiSession, fin: str, scopes: list[str]) -> dict:
    granted = head.post(f"{CONTRACTS}/authorities", json={"fin": fin, "valid_until": None, "scopes": scopes})
    assert granted.status_code == 201, granted.text
    return granted.json()


def refused_with(response, code: str) -> bool:
    return response.status_code == 403 and response.headers["Content-Type"] == "application/problem+json" \
        and response.json()["code"] == code


def test_authority_is_checked_live_and_by_scope_and_its_webhook_waits_for_the_head(
        suite, receiver, publish, notifier_db):
    head = ApiSession(suite.gateway_url).login(sim_identity(label="head of the prosecutor's office")) \
        .act_for(PROSECUTOR)
    person = sim_identity(label="no job 2")
    for_notices = grant(head, person["fin"], ["contracts"])
    rep = ApiSession(suite.gateway_url).login(person)

    def role():  # auth offers the company role once it learnt of the grant from the bus
        answer = rep.post("/api/auth/role", json={"voen": PROSECUTOR})
        return answer.json()["access_token"] if answer.status_code == 200 else None
    rep.token = eventually(role, timeout=15, message="the company role after the grant")

    # An authority for contract notices: contracts lets the person in, the notifier does not.
    assert rep.get(f"{CONTRACTS}/notices").status_code == 200
    for response in (rep.get(f"{NOTIFIER}/inbox"), rep.get(f"{NOTIFIER}/webhooks"),
                     rep.post(f"{NOTIFIER}/webhooks", json={"url": receiver.url})):
        assert refused_with(response, "scope_missing"), response.text
        assert '"notifications"' in response.json()["detail"]
    assert head.get(f"{NOTIFIER}/inbox").status_code == 200  # the head, under any scope

    # Granted anew with notifications too: the same token now works in the notifier.
    assert head.delete(f"{CONTRACTS}/authorities/{for_notices['id']}").status_code == 200
    authority = grant(head, person["fin"], ["contracts", "notifications"])
    assert rep.get(f"{NOTIFIER}/inbox").status_code == 200
    registered = rep.post(f"{NOTIFIER}/webhooks", json={"url": receiver.url})
    assert registered.status_code == 201, registered.text
    hook = registered.json()
    receiver.secret = hook["secret"]
    assert hook["state"] == "active" and hook["registered_by"]["role"] == "authorised"
    before = revocation()
    publish(before)
    eventually(lambda: before["id"] in receiver.event_ids(), 15, message="the event at the receiver")
    assert rep.post(f"{NOTIFIER}/webhooks/{hook['id']}/confirmation").status_code == 403  # the head's alone

    # Withdrawn: the very next request of the same token is refused everywhere.
    assert head.delete(f"{CONTRACTS}/authorities/{authority['id']}").status_code == 200
    assert refused_with(rep.get(f"{NOTIFIER}/inbox"), "no_authority")
    assert refused_with(rep.get(f"{CONTRACTS}/notices"), "no_authority")
    assert refused_with(rep.delete(f"{NOTIFIER}/webhooks/{hook['id']}"), "no_authority")

    # The webhook it registered is suspended (once the notifier has the withdrawal from the bus).
    def shown():
        items = head.get(f"{NOTIFIER}/webhooks", params={"limit": 200}).json()["items"]
        return next(w for w in items if w["id"] == hook["id"])
    suspended = eventually(lambda: (lambda w: w if w["state"] == "suspended" else None)(shown()), 15,
                           message="the webhook suspended")
    assert suspended["suspension_reason"] == "authority_withdrawn" and suspended["suspended_at"]
    meanwhile = revocation()
    publish(meanwhile)
    eventually(lambda: meanwhile["id"] in inbox_ids(head), 15, message="the event in the inbox")
    # Its inbox entry and its webhook deliveries are planned in one write: none went to this webhook.
    assert notifier_db.deliveries.find_one({"event_id": meanwhile["id"], "channel": "webhook",
                                            "webhook_id": hook["id"]}) is None

    confirmed = head.post(f"{NOTIFIER}/webhooks/{hook['id']}/confirmation")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "active" and confirmed.json()["registered_by"]["role"] == "head"
    after = revocation()
    publish(after)
    eventually(lambda: after["id"] in receiver.event_ids(), 15, message="the next event at the receiver")
    assert meanwhile["id"] not in receiver.event_ids()  # what came while suspended is in the inbox only
    assert head.delete(f"{NOTIFIER}/webhooks/{hook['id']}").status_code == 204
