"""Deliveries against real parts — the Mongo-speaking server, an HTTP receiver checking signatures,
an SMTP server — without the rest of the suite: sent once, retried through outages, refused ones
given up, shared by several workers without doubles, taken over when a worker vanishes."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import pytest
from cryptography.fernet import Fernet

from devtools.pytest_plugin import eventually
from egov_kit.bus import PermanentFailure, new_event
from egov_kit.config import load_settings
from notifier_service import handlers as notifier_handlers
from notifier_service import runtime
from notifier_service.config import load_notifier_config
from notifier_service.webhooks import SETTLES_AFTER

BANK_VOEN = "9900072351"
KEY = Fernet.generate_key().decode()


@pytest.fixture
def make_runtime(fresh_db, mailbox):
    """Notifiers sharing one database, each with its own delivery worker (like separate processes)."""
    made = []

    def make(name: str = "w1", start: bool = True, **overrides) -> runtime.Runtime:
        settings = load_settings("notifier")
        options = {"webhook_secret_key": KEY, "webhook_allow_private": True, "retry_base": 0.05,
                   "retry_max": 0.4, "poll_interval": 0.05, "sender_threads": 4, **overrides}
        config = load_notifier_config("127.0.0.1", mailbox.port, **options)
        made.append(runtime.build(settings, config, db=fresh_db, worker_name=name))
        if start:
            made[-1].worker.start()
        return made[-1]
    yield make
    for rt in made:
        rt.worker.stop()


def register_webhook(rt: runtime.Runtime, receiver, voen: str = BANK_VOEN) -> str:
    secret = f"secret-{uuid.uuid4().hex}"
    receiver.secret = secret
    webhook_id = uuid.uuid4().hex
    assert rt.repo.add_webhook({"_id": webhook_id, "voen": voen, "url": receiver.url,
                                "secret_encrypted": rt.worker.secrets.encrypt(secret),
                                "created_at": datetime.now(timezone.utc)})
    rt.repo.bump_webhooks_version()
    time.sleep(SETTLES_AFTER)  # as the API does before it answers
    return webhook_id


def revocation(voen: str = BANK_VOEN, **data) -> dict:
    return new_event("certificates.certificate.revoked", {
        "number": f"ARY-{uuid.uuid4().hex[:6]}", "holder_name": "Məmmədov İlqar", "reason": "holder",
        "destination": "addressed", "addressee_voen": voen, "addressee_name": "Dan Ulduzu Bank",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00", **data}, source="certificates")


def handle(rt: runtime.Runtime, event: dict) -> None:
    notifier_handlers.bound_to(rt.notifier)[event["type"]](event)


def delivery_of(rt, event, channel="webhook"):
    return rt.repo.db.deliveries.find_one({"event_id": event["id"], "channel": channel})


def test_webhook_gets_a_signed_notification_once_and_the_inbox_keeps_it(make_runtime, receivers):
    rt = make_runtime()
    receiver = receivers()
    register_webhook(rt, receiver)
    event = revocation()
    handle(rt, event)
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="webhook delivery")
    handle(rt, event)  # the same event again (redelivered by the broker, replayed by staff…)
    time.sleep(0.5)
    assert receiver.event_ids() == [event["id"]]
    (got,) = receiver.received
    assert got["event"] == event and got["event"]["data"]["reason"] == "holder"
    assert got["headers"]["X-Egov-Event-Id"] == event["id"]
    assert got["headers"]["Content-Type"] == "application/json"
    assert abs(int(got["headers"]["X-Egov-Timestamp"]) - time.time()) < 30
    (entry,) = rt.repo.inbox_page(BANK_VOEN, 10, 0)
    assert entry["event_id"] == event["id"] and "qüvvədən düşüb" in entry["title"]
    attempts = rt.repo.attempts_of(delivery_of(rt, event)["_id"])
    assert [(a["outcome"], a["status"]) for a in attempts] == [("sent", 204)]


def test_receiver_outage_then_recovery_delivers_exactly_once(make_runtime, receivers):
    rt = make_runtime()
    receiver = receivers()
    register_webhook(rt, receiver)
    receiver.answer = 503
    event = revocation()
    handle(rt, event)
    eventually(lambda: receiver.refused_outage >= 2, 5, message="503 answers")
    receiver.stop()  # now the port is closed altogether
    eventually(lambda: any(a["status"] is None and a["outcome"] == "retry"
                           for a in rt.repo.attempts_of(delivery_of(rt, event)["_id"])),
               5, message="a refused connection")
    receiver.answer = 200
    receiver.start()
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="delivery after the outage")
    time.sleep(0.6)
    assert receiver.event_ids() == [event["id"]]
    delivery = delivery_of(rt, event)
    assert delivery["state"] == "sent" and delivery["attempts"] >= 4
    outcomes = [a["outcome"] for a in rt.repo.attempts_of(delivery["_id"])]
    assert outcomes[-1] == "sent" and set(outcomes[:-1]) == {"retry"}


def test_a_refusal_is_final(make_runtime, receivers):
    rt = make_runtime()
    receiver = receivers()
    register_webhook(rt, receiver)
    receiver.answer = 410
    event = revocation()
    handle(rt, event)
    eventually(lambda: (delivery_of(rt, event) or {}).get("state") == "failed", 5, message="final failure")
    time.sleep(0.5)
    assert delivery_of(rt, event)["attempts"] == 1 and receiver.refused_outage == 1


def test_gives_up_at_the_deadline(make_runtime, receivers):
    rt = make_runtime(webhook_give_up_after=0.5)
    receiver = receivers()
    register_webhook(rt, receiver)
    receiver.answer = 500
    event = revocation()
    handle(rt, event)
    eventually(lambda: (delivery_of(rt, event) or {}).get("state") == "failed", 5, message="giving up")
    assert delivery_of(rt, event)["last_error"] == "HTTP 500"


def test_wrongly_signed_notifications_are_refused_by_the_receiver(make_runtime, receivers):
    rt = make_runtime()
    receiver = receivers()
    register_webhook(rt, receiver)
    receiver.secret = "not-the-secret-we-were-given"
    event = revocation()
    handle(rt, event)
    eventually(lambda: (delivery_of(rt, event) or {}).get("state") == "failed", 5, message="refusal")
    assert receiver.received == [] and receiver.refused_signature == 1


def test_smtp_down_then_up_sends_exactly_one_email(make_runtime, mailbox):
    rt = make_runtime()
    event = new_event("insurers.application.registered", {
        "application_id": "a1", "voen": "1701100451", "name": "\"Xəzər Logistika\" MMC",
        "applicant_fin": "3HB8RXT", "applicant_name": "Həsənov Orxan", "applicant_email": "orxan@example.az",
        "submitted_at": "2026-11-20T08:00:00+00:00", "account_number": "SE-000042",
        "registered_at": "2026-11-23T08:00:00+00:00"}, source="insurers")
    handle(rt, event)
    eventually(lambda: len(rt.repo.attempts_of(delivery_of(rt, event, "email")["_id"])) >= 2, 5,
               message="attempts while SMTP is down")
    assert delivery_of(rt, event, "email")["state"] in ("pending", "sending")
    mailbox.start()
    eventually(lambda: len(mailbox.messages) == 1, 5, message="the e-mail")
    handle(rt, event)
    time.sleep(0.6)
    assert len(mailbox.messages) == 1
    (rcpts, _), (message,) = mailbox.messages[0], mailbox.parsed()
    assert rcpts == ["orxan@example.az"]
    assert message["Subject"] == ("Sığortaedən uçota alındı, uçot nömrəsi SE-000042 / "
                                  "Insurer registered, account number SE-000042")
    assert message["Message-ID"] == f"<{event['id']}.email.applicant@notifier.egov>"
    assert "Uçot nömrəsi: SE-000042" in message.get_body(("plain",)).get_content()
    delivery = delivery_of(rt, event, "email")
    assert delivery["state"] == "sent" and "message" not in delivery  # the copy is not kept once sent


def test_several_workers_share_the_work_without_doubles(make_runtime, receivers):
    first, second = make_runtime("w1"), make_runtime("w2")
    receiver = receivers()
    register_webhook(first, receiver)
    events = [revocation() for _ in range(40)]
    for i, event in enumerate(events):  # both see every event, as after a redelivery to another replica
        for rt in ((first, second) if i % 2 else (second, first)):
            handle(rt, event)
    eventually(lambda: len(receiver.received) >= 40, 10, message="all deliveries")
    time.sleep(0.5)
    assert sorted(receiver.event_ids()) == sorted(e["id"] for e in events)
    workers = {a["worker"] for a in first.repo.attempts_for_events([e["id"] for e in events])}
    assert workers == {"w1", "w2"}


def test_a_delivery_left_mid_send_is_taken_over_after_its_lease(make_runtime, receivers):
    rt = make_runtime(lease=0.3, start=False)  # it plans, then "vanishes" mid-send
    receiver = receivers()
    register_webhook(rt, receiver)
    event = revocation()
    handle(rt, event)
    vanished = rt.repo.claim(delivery_of(rt, event)["_id"], datetime.now(timezone.utc), 0.3, "gone")
    assert vanished is not None
    other = make_runtime("w2", lease=0.3)
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="takeover")
    time.sleep(0.5)
    assert receiver.event_ids() == [event["id"]]
    assert delivery_of(other, event)["attempts"] == 2


def test_deleting_a_webhook_cancels_what_waits_for_it(make_runtime, receivers):
    rt = make_runtime(retry_base=0.3, retry_max=0.3)
    receiver = receivers()
    webhook_id = register_webhook(rt, receiver)
    receiver.answer = 503
    event = revocation()
    handle(rt, event)
    eventually(lambda: receiver.refused_outage >= 1, 5, message="first attempt")
    assert rt.repo.delete_webhook(BANK_VOEN, webhook_id)
    rt.repo.bump_webhooks_version()
    rt.repo.cancel_deliveries_to(webhook_id, datetime.now(timezone.utc))
    eventually(lambda: delivery_of(rt, event)["state"] == "cancelled", 5, message="cancelled")
    receiver.answer = 200
    time.sleep(0.8)
    assert receiver.received == []
    assert [e["event_id"] for e in rt.repo.inbox_page(BANK_VOEN, 10, 0)] == [event["id"]]


def test_no_webhook_still_fills_the_inbox_and_nobody_else_is_told(make_runtime):
    rt = make_runtime()
    event = revocation(voen="1701100561")
    handle(rt, event)
    assert [e["event_id"] for e in rt.repo.inbox_page("1701100561", 10, 0)] == [event["id"]]
    assert rt.repo.inbox_page(BANK_VOEN, 10, 0) == []
    assert rt.repo.db.deliveries.count_documents({"event_id": event["id"], "channel": "webhook"}) == 0
    quiet = revocation(notify_addressee=False)
    handle(rt, quiet)
    assert rt.repo.db.deliveries.count_documents({"event_id": quiet["id"]}) == 0


def test_bad_address_and_malformed_events(make_runtime):
    rt = make_runtime()
    event = new_event("insurers.application.submitted", {
        "application_id": "a2", "applicant_email": "not an address"}, source="insurers")
    handle(rt, event)
    delivery = delivery_of(rt, event, "email")
    assert delivery["state"] == "failed" and delivery["last_error"] == "invalid e-mail address"
    assert rt.repo.attempts_of(delivery["_id"]) == []
    with pytest.raises(PermanentFailure):
        handle(rt, new_event("certificates.certificate.revoked", {"notify_addressee": True}, source="certificates"))


def test_a_stopping_process_gives_back_what_it_had_not_sent(make_runtime, receivers):
    stopping = make_runtime("w1", sender_threads=0)  # holds what it plans, sends nothing
    receiver = receivers()
    register_webhook(stopping, receiver)
    event = revocation()
    handle(stopping, event)
    assert delivery_of(stopping, event)["state"] == "sending"
    stopping.worker.close()
    assert delivery_of(stopping, event)["state"] == "pending"
    make_runtime("w2")  # long before the lease (120 s) would have run out
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="delivery by the other process")
