"""Deliveries against real parts — the Mongo-speaking server, an HTTP receiver checking signatures,
an SMTP server — without the rest of the suite: sent once, retried through outages, refused ones
given up, shared by several workers without doubles, taken over when a worker vanishes, and
nothing sent to a webhook once its deletion was answered."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet

from devtools.pytest_plugin import eventually
from egov_kit.app import Kit
from egov_kit.auth import Principal
from egov_kit.authority import Standing
from egov_kit.bus import PermanentFailure, new_event
from notifier_service import build_service
from notifier_service.handlers import make_handlers
from notifier_service.service import NotifierService
from notifier_service.settings import load

BANK_VOEN = "9900072351"
KEY = Fernet.generate_key().decode()


@pytest.fixture
def make_notifier(mongo_uri, fresh_db, mailbox):
    """Notifiers sharing one database, each with its own delivery worker (like separate processes)."""
    made = []

    def make(name: str = "w1", start: bool = True, **overrides) -> NotifierService:
        kit_settings, own = load({
            "mongo_uri": mongo_uri, "mongo_db": fresh_db.name, "smtp_host": "127.0.0.1", "smtp_port": mailbox.port,
            "webhook_secret_key": KEY, "webhook_allow_private": True, "retry_base": 0.05, "retry_max": 0.4,
            "poll_interval": 0.05, "sender_threads": 4, **overrides})
        made.append(build_service(Kit(kit_settings), own, delivering=True, worker_name=name))
        if start:
            made[-1].delivery.start()
        return made[-1]
    yield make
    for notifier in made:
        notifier.delivery.stop()


def head_of(voen: str) -> Principal:
    return Principal(kind="person", subject="head", surname="Əliyev", name="Rəşad", acting_for=voen,
                     company_role="head")


def register_webhook(notifier: NotifierService, receiver, voen: str = BANK_VOEN) -> str:
    """As the API does (no waiting afterwards): the receiver learns the secret from the answer."""
    created = notifier.register_webhook(head_of(voen), receiver.url, Standing(voen=voen, fin="5TH3WQG", head=True))
    receiver.secret = created["secret"]
    return created["id"]


def revocation(voen: str = BANK_VOEN, **data) -> dict:
    return new_event("certificates.certificate.revoked", {
        "number": f"ARY-{uuid.uuid4().hex[:6]}", "holder_name": "Məmmədov İlqar", "reason": "holder",
        "destination": "addressed", "addressee_voen": voen, "addressee_name": "Dan Ulduzu Bank",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00", **data}, source="certificates")


def handle(notifier: NotifierService, event: dict) -> None:
    make_handlers(notifier).by_type[event["type"]](event)


def delivery_of(notifier: NotifierService, event: dict, channel: str = "webhook") -> dict | None:
    return notifier.repository.db.deliveries.find_one({"event_id": event["id"], "channel": channel})


def inbox_event_ids(notifier: NotifierService, voen: str = BANK_VOEN) -> list[str]:
    entries, _total = notifier.repository.inbox_page(voen, 10, 0)
    return [e["event_id"] for e in entries]


def test_webhook_gets_a_signed_notification_once_and_the_inbox_keeps_it(make_notifier, receivers):
    notifier = make_notifier()
    receiver = receivers()
    register_webhook(notifier, receiver)
    event = revocation()
    handle(notifier, event)
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="webhook delivery")
    handle(notifier, event)  # the same event again (redelivered by the broker, replayed by staff…)
    time.sleep(0.5)
    assert receiver.event_ids() == [event["id"]]
    (got,) = receiver.received
    assert got["event"] == event and got["event"]["data"]["reason"] == "holder"
    assert got["headers"]["X-Egov-Event-Id"] == event["id"]
    assert got["headers"]["Content-Type"] == "application/json"
    assert abs(int(got["headers"]["X-Egov-Timestamp"]) - time.time()) < 30
    (entry,), _total = notifier.repository.inbox_page(BANK_VOEN, 10, 0)
    assert entry["event_id"] == event["id"] and "qüvvədən düşüb" in entry["title"]
    attempts = notifier.repository.attempts_of(delivery_of(notifier, event)["_id"])
    assert [(a["outcome"], a["status"]) for a in attempts] == [("sent", 204)]


def test_receiver_outage_then_recovery_delivers_exactly_once(make_notifier, receivers):
    notifier = make_notifier()
    receiver = receivers()
    register_webhook(notifier, receiver)
    receiver.answer = 503
    event = revocation()
    handle(notifier, event)
    eventually(lambda: receiver.refused_outage >= 2, 5, message="503 answers")
    receiver.stop()  # now the port is closed altogether
    eventually(lambda: any(a["status"] is None and a["outcome"] == "retry"
                           for a in notifier.repository.attempts_of(delivery_of(notifier, event)["_id"])),
               5, message="a refused connection")
    receiver.answer = 200
    receiver.start()
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="delivery after the outage")
    time.sleep(0.6)
    assert receiver.event_ids() == [event["id"]]
    delivery = delivery_of(notifier, event)
    assert delivery["state"] == "sent" and delivery["attempts"] >= 4
    outcomes = [a["outcome"] for a in notifier.repository.attempts_of(delivery["_id"])]
    assert outcomes[-1] == "sent" and set(outcomes[:-1]) == {"retry"}


def test_a_refusal_is_final(make_notifier, receivers):
    notifier = make_notifier()
    receiver = receivers()
    register_webhook(notifier, receiver)
    receiver.answer = 410
    event = revocation()
    handle(notifier, event)
    eventually(lambda: (delivery_of(notifier, event) or {}).get("state") == "failed", 5, message="final failure")
    time.sleep(0.5)
    assert delivery_of(notifier, event)["attempts"] == 1 and receiver.refused_outage == 1


def test_gives_up_at_the_deadline(make_notifier, receivers):
    notifier = make_notifier(webhook_give_up_after=0.5)
    receiver = receivers()
    register_webhook(notifier, receiver)
    receiver.answer = 500
    event = revocation()
    handle(notifier, event)
    eventually(lambda: (delivery_of(notifier, event) or {}).get("state") == "failed", 5, message="giving up")
    assert delivery_of(notifier, event)["last_error"] == "HTTP 500"


def test_wrongly_signed_notifications_are_refused_by_the_receiver(make_notifier, receivers):
    notifier = make_notifier()
    receiver = receivers()
    register_webhook(notifier, receiver)
    receiver.secret = "not-the-secret-we-were-given"
    event = revocation()
    handle(notifier, event)
    eventually(lambda: (delivery_of(notifier, event) or {}).get("state") == "failed", 5, message="refusal")
    assert receiver.received == [] and receiver.refused_signature == 1


def test_smtp_down_then_up_sends_exactly_one_email(make_notifier, mailbox):
    notifier = make_notifier()
    event = new_event("insurers.application.registered", {
        "application_id": "a1", "voen": "1701100451", "name": "\"Xəzər Logistika\" MMC",
        "applicant_fin": "3HB8RXT", "applicant_name": "Həsənov Orxan", "applicant_email": "orxan@example.az",
        "submitted_at": "2026-11-20T08:00:00+00:00", "account_number": "SE-000042",
        "registered_at": "2026-11-23T08:00:00+00:00"}, source="insurers")
    handle(notifier, event)
    eventually(lambda: len(notifier.repository.attempts_of(delivery_of(notifier, event, "email")["_id"])) >= 2, 5,
               message="attempts while SMTP is down")
    assert delivery_of(notifier, event, "email")["state"] in ("pending", "sending")
    mailbox.start()
    eventually(lambda: len(mailbox.messages) == 1, 5, message="the e-mail")
    handle(notifier, event)
    time.sleep(0.6)
    assert len(mailbox.messages) == 1
    (rcpts, _), (message,) = mailbox.messages[0], mailbox.parsed()
    assert rcpts == ["orxan@example.az"]
    assert message["Subject"] == ("Sığortaedən uçota alındı, uçot nömrəsi SE-000042 / "
                                  "Insurer registered, account number SE-000042")
    assert message["Message-ID"] == f"<{event['id']}.email.applicant@notifier.egov>"
    assert "Uçot nömrəsi: SE-000042" in message.get_body(("plain",)).get_content()
    delivery = delivery_of(notifier, event, "email")
    assert delivery["state"] == "sent" and "message" not in delivery  # the copy is not kept once sent


def test_several_workers_share_the_work_without_doubles(make_notifier, receivers):
    first, second = make_notifier("w1"), make_notifier("w2")
    receiver = receivers()
    register_webhook(first, receiver)
    events = [revocation() for _ in range(40)]
    for i, event in enumerate(events):  # both see every event, as after a redelivery to another replica
        for notifier in ((first, second) if i % 2 else (second, first)):
            handle(notifier, event)
    eventually(lambda: len(receiver.received) >= 40, 10, message="all deliveries")
    time.sleep(0.5)
    assert sorted(receiver.event_ids()) == sorted(e["id"] for e in events)
    workers = {a["worker"] for a in first.repository.attempts_for_events([e["id"] for e in events])}
    assert workers == {"w1", "w2"}


def test_a_delivery_left_mid_send_is_taken_over_after_its_lease(make_notifier, receivers):
    notifier = make_notifier(lease=0.3, start=False)  # it plans, then "vanishes" mid-send
    receiver = receivers()
    register_webhook(notifier, receiver)
    event = revocation()
    handle(notifier, event)
    vanished = notifier.repository.claim(delivery_of(notifier, event)["_id"], datetime.now(timezone.utc), 0.3, "gone")
    assert vanished is not None
    other = make_notifier("w2", lease=0.3)
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="takeover")
    time.sleep(0.5)
    assert receiver.event_ids() == [event["id"]]
    assert delivery_of(other, event)["attempts"] == 2


def test_deleting_a_webhook_cancels_what_waits_for_it(make_notifier, receivers):
    notifier = make_notifier(retry_base=0.3, retry_max=0.3)
    receiver = receivers()
    webhook_id = register_webhook(notifier, receiver)
    receiver.answer = 503
    event = revocation()
    handle(notifier, event)
    eventually(lambda: receiver.refused_outage >= 1, 5, message="first attempt")
    notifier.delete_webhook(head_of(BANK_VOEN), webhook_id)
    eventually(lambda: delivery_of(notifier, event)["state"] == "cancelled", 5, message="cancelled")
    receiver.answer = 200
    time.sleep(0.8)
    assert receiver.received == []
    assert inbox_event_ids(notifier) == [event["id"]]


def test_from_the_answer_on_events_go_to_a_new_webhook_and_none_to_a_deleted_one(make_notifier, receivers):
    api, consumer = make_notifier("api", start=False), make_notifier("consumer")
    handle(consumer, revocation())  # the consumer has read the bank's webhooks: none yet
    receiver = receivers()
    webhook_id = register_webhook(api, receiver)
    after_registering = revocation()
    handle(consumer, after_registering)  # at once: nobody waited for caches to expire
    eventually(lambda: receiver.event_ids() == [after_registering["id"]], 5, message="the new webhook")
    api.delete_webhook(head_of(BANK_VOEN), webhook_id)
    after_deleting = revocation()
    handle(consumer, after_deleting)
    time.sleep(0.5)
    assert receiver.event_ids() == [after_registering["id"]] and receiver.calls == 1
    assert delivery_of(consumer, after_deleting) is None
    assert inbox_event_ids(consumer)[0] == after_deleting["id"]  # the inbox still has it


def test_a_notification_queued_when_its_webhook_is_deleted_is_not_sent(make_notifier, receivers):
    api, consumer = make_notifier("api", start=False), make_notifier("consumer", sender_threads=1)
    receiver = receivers()
    webhook_id = register_webhook(api, receiver)
    receiver.delay = 0.6  # the one sender is busy with the first while the second waits behind it
    first, second = revocation(), revocation()
    handle(consumer, first)
    handle(consumer, second)
    eventually(lambda: receiver.calls == 1, 5, message="the first call under way")
    api.delete_webhook(head_of(BANK_VOEN), webhook_id)
    handle(consumer, revocation(voen="1701100561"))  # the consumer's next event sees the change
    eventually(lambda: (delivery_of(consumer, second) or {}).get("state") == "cancelled", 5, message="cancelled")
    time.sleep(0.3)
    assert receiver.event_ids() == [first["id"]] and receiver.calls == 1
    assert delivery_of(consumer, second)["attempts"] == 0 and delivery_of(consumer, second)["last_error"] == \
        "webhook deleted"


def test_a_retry_due_after_its_webhook_was_deleted_is_not_sent(make_notifier, receivers):
    notifier = make_notifier(retry_base=0.05, retry_max=0.05)
    receiver = receivers()
    webhook_id = register_webhook(notifier, receiver)
    receiver.answer, receiver.delay = 503, 0.4
    event = revocation()
    handle(notifier, event)
    eventually(lambda: receiver.calls == 1, 5, message="the first attempt under way")
    notifier.delete_webhook(head_of(BANK_VOEN), webhook_id)  # the attempt under way is not stopped
    eventually(lambda: delivery_of(notifier, event)["state"] == "cancelled", 5, message="cancelled")
    time.sleep(0.3)
    assert receiver.calls == 1 and receiver.refused_outage == 1
    assert [a["status"] for a in notifier.repository.attempts_of(delivery_of(notifier, event)["_id"])] == [503]


def test_no_webhook_still_fills_the_inbox_and_nobody_else_is_told(make_notifier):
    notifier = make_notifier()
    event = revocation(voen="1701100561")
    handle(notifier, event)
    assert inbox_event_ids(notifier, "1701100561") == [event["id"]]
    assert inbox_event_ids(notifier) == []
    assert notifier.repository.db.deliveries.count_documents({"event_id": event["id"], "channel": "webhook"}) == 0
    quiet = revocation(notify_addressee=False)
    handle(notifier, quiet)
    assert notifier.repository.db.deliveries.count_documents({"event_id": quiet["id"]}) == 0


def test_bad_address_and_malformed_events(make_notifier):
    notifier = make_notifier()
    event = new_event("insurers.application.submitted", {
        "application_id": "a2", "applicant_email": "not an address"}, source="insurers")
    handle(notifier, event)
    delivery = delivery_of(notifier, event, "email")
    assert delivery["state"] == "failed" and delivery["last_error"] == "invalid e-mail address"
    assert notifier.repository.attempts_of(delivery["_id"]) == []
    with pytest.raises(PermanentFailure):
        handle(notifier, new_event("certificates.certificate.revoked", {"notify_addressee": True}, source="certificates"))


def test_a_stopping_process_gives_back_what_it_had_not_sent(make_notifier, receivers):
    stopping = make_notifier("w1", sender_threads=0)  # holds what it plans, sends nothing
    receiver = receivers()
    register_webhook(stopping, receiver)
    event = revocation()
    handle(stopping, event)
    assert delivery_of(stopping, event)["state"] == "sending"
    stopping.delivery.close()
    assert delivery_of(stopping, event)["state"] == "pending"
    make_notifier("w2")  # long before the lease (120 s) would have run out
    eventually(lambda: receiver.event_ids() == [event["id"]], 5, message="delivery by the other process")


def representative_hook(notifier: NotifierService, receiver, authority_id: str, valid_until: str | None = None) -> str:
    """A webhook registered by a representative under an authority (not by the head)."""
    rep = Principal(kind="person", subject="rep", fin="8JN2QAE", surname="İsmayılova", name="Ülviyyə",
                    acting_for=BANK_VOEN, company_role="authorised")
    created = notifier.register_webhook(rep, receiver.url, Standing(
        voen=BANK_VOEN, fin="8JN2QAE", head=False, scopes=("notifications",), authority_id=authority_id,
        valid_until=valid_until))
    receiver.secret = created["secret"]
    return created["id"]


def test_a_retry_waiting_when_the_authority_is_withdrawn_is_skipped_until_the_head_confirms(make_notifier,
                                                                                              receivers):
    notifier = make_notifier(retry_base=0.3, retry_max=0.3)
    receiver = receivers()
    authority_id = uuid.uuid4().hex
    webhook_id = representative_hook(notifier, receiver, authority_id)
    receiver.answer = 503
    waiting = revocation()
    handle(notifier, waiting)
    eventually(lambda: receiver.refused_outage >= 1, 5, message="first attempt")
    handle(notifier, new_event("contracts.authority.withdrawn", {"authority_id": authority_id, "voen": BANK_VOEN,
                                                                 "fin": "8JN2QAE"}, source="contracts"))
    eventually(lambda: delivery_of(notifier, waiting)["state"] == "skipped", 5, message="skipped")
    receiver.answer = 200
    meanwhile = revocation()
    handle(notifier, meanwhile)
    time.sleep(0.8)
    assert receiver.received == [] and delivery_of(notifier, meanwhile) is None
    assert inbox_event_ids(notifier)[:2] == [meanwhile["id"], waiting["id"]]

    notifier.confirm_webhook(head_of(BANK_VOEN), webhook_id)
    after = revocation()
    handle(notifier, after)
    eventually(lambda: receiver.event_ids() == [after["id"]], 5, message="the first event after the confirmation")


def test_what_was_planned_on_the_authoritys_last_day_is_not_sent_after_it(make_notifier, receivers):
    notifier = make_notifier(start=False)
    receiver = receivers()
    yesterday = (datetime.now(timezone.utc) - timedelta(days=2)).date().isoformat()
    representative_hook(notifier, receiver, uuid.uuid4().hex, valid_until=yesterday)
    # Planned from a webhook read before midnight (a retry due now, as stored then).
    event = revocation()
    notifier.repository.add_notifications([notifier.repository.new_delivery(
        delivery_id=f"{event['id']}:webhook:x", event=event, channel="webhook", recipient="x",
        now=datetime.now(timezone.utc), give_up_at=datetime.now(timezone.utc) + timedelta(hours=1), voen=BANK_VOEN,
        webhook_id=notifier.repository.webhooks_for(BANK_VOEN)[0]["_id"], url=receiver.url,
        secret_encrypted=notifier.repository.webhooks_for(BANK_VOEN)[0]["secret_encrypted"],
        authority_valid_until=yesterday, body="{}")])
    notifier.delivery.start()
    eventually(lambda: delivery_of(notifier, event)["state"] == "skipped", 5, message="skipped")
    assert receiver.calls == 0 and delivery_of(notifier, event)["last_error"] == "webhook suspended"
