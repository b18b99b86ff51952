"""The notifier in the running suite: institutions register webhooks and read their inbox through
the gateway, events come over the real broker, webhooks reach a real receiver that checks the
signature, e-mails reach an SMTP server; failures, outages, a second consumer process, dead
letters and staff replays behave as institutions and staff would expect."""
from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from email import policy

import pika
import pytest
import requests
from cryptography.fernet import Fernet

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from devtools.suite import ROOT, free_port
from egov_kit.access import undeclared_views
from egov_kit.bus import Consumer, Publisher, new_event
from egov_kit.config import load_settings
from egov_kit.mongo import database
from notifier_service import build_consumer, create_app
from notifier_service.repository import NotifierRepository
from notifier_service.settings import load

BANK = "9900072351"            # Dan Ulduzu Bank, headed by the "head of a bank"
CAFE = "1701100561"
INSPECTORATE = "1400245611"
PROSECUTOR = "1500012341"


# --- who is calling ---------------------------------------------------------------------------

def logged_in(suite, label: str, voen: str | None = None) -> ApiSession:
    session = ApiSession(suite.gateway_url).login(sim_identity(label=label))
    return session.act_for(voen) if voen else session


@pytest.fixture(scope="module")
def bank(suite):
    return logged_in(suite, "head of a bank", BANK)


@pytest.fixture(scope="module")
def cafe(suite):
    return logged_in(suite, "head of 1 company (cafe)", CAFE)


@pytest.fixture(scope="module")
def staff(suite):
    return logged_in(suite, "operations staff")


@pytest.fixture(scope="module")
def publish(amqp_url, bus_names):
    publisher = Publisher(amqp_url, bus_names["exchange"], name="notifier-tests")
    yield publisher.publish
    publisher.close()


@pytest.fixture(scope="module")
def notifier_db(mongo_client, bus_names):
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_notifier"]


@pytest.fixture
def hook(bank, receivers):
    """A receiver registered as the bank's webhook (removed after the test)."""
    receiver = receivers()
    created = bank.post("/api/notifier/webhooks", json={"url": receiver.url})
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    receiver.webhook_id = created.json()["id"]
    yield receiver
    bank.delete(f"/api/notifier/webhooks/{receiver.webhook_id}")


def revocation(voen: str = BANK, **data) -> dict:
    return new_event("certificates.certificate.revoked", {
        "number": f"ARY-{uuid.uuid4().hex[:8].upper()}", "holder_name": "Məmmədov İlqar Rəşid oğlu",
        "reason": "holder", "destination": "addressed", "addressee_voen": voen, "addressee_name": "Dan Ulduzu Bank",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00", **data}, source="certificates")


def inbox_ids(session: ApiSession, limit: int = 100) -> list[str]:
    response = session.get("/api/notifier/inbox", params={"limit": limit})
    assert response.status_code == 200, response.text
    return [item["event_id"] for item in response.json()["items"]]


def mails_for(suite, event_id: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(suite.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if event_id in (message["Message-ID"] or ""):
            found.append(message)
    return found


# --- webhooks: registering, receiving once, signed ----------------------------------------------

def test_webhook_secret_is_shown_once_and_never_again(bank, receivers, suite):
    receiver = receivers()
    created = bank.post("/api/notifier/webhooks", json={"url": receiver.url})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"] == receiver.url and len(body["secret"]) >= 32 and body["id"]
    listed = bank.get("/api/notifier/webhooks").json()["items"]
    mine = [w for w in listed if w["id"] == body["id"]]
    assert mine and set(mine[0]) <= {"id", "url", "created_at", "state", "suspension_reason", "suspended_at",
                                     "registered_by", "authority_valid_until"}
    assert mine[0]["state"] == "active" and mine[0]["registered_by"]["role"] == "head"
    assert body["secret"] not in bank.get("/api/notifier/webhooks").text
    again = bank.post("/api/notifier/webhooks", json={"url": receiver.url})
    assert again.status_code == 409 and again.json()["errors"]["url"]
    assert bank.delete(f"/api/notifier/webhooks/{body['id']}").status_code == 204
    assert all(w["id"] != body["id"] for w in bank.get("/api/notifier/webhooks").json()["items"])
    assert bank.delete(f"/api/notifier/webhooks/{body['id']}").status_code == 404


def test_only_someone_acting_for_an_organisation_manages_its_webhooks(suite, bank, cafe, receivers):
    receiver = receivers()
    created = bank.post("/api/notifier/webhooks", json={"url": receiver.url}).json()
    try:
        assert cafe.delete(f"/api/notifier/webhooks/{created['id']}").status_code == 404
        assert all(w["id"] != created["id"] for w in cafe.get("/api/notifier/webhooks").json()["items"])
        as_himself = logged_in(suite, "employee 4")
        assert as_himself.post("/api/notifier/webhooks", json={"url": receiver.url}).status_code == 403
        assert as_himself.get("/api/notifier/inbox").status_code == 403
        assert requests.get(f"{suite.gateway_url}/api/notifier/inbox", timeout=10).status_code == 401
    finally:
        bank.delete(f"/api/notifier/webhooks/{created['id']}")


def test_only_the_head_confirms_a_webhook(bank, cafe, hook):
    confirmed = bank.post(f"/api/notifier/webhooks/{hook.webhook_id}/confirmation")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "active" and confirmed.json()["registered_by"]["role"] == "head"
    assert cafe.post(f"/api/notifier/webhooks/{hook.webhook_id}/confirmation").status_code == 404
    assert bank.post(f"/api/notifier/webhooks/{uuid.uuid4().hex}/confirmation").status_code == 404


def test_from_the_answer_on_events_go_to_a_new_webhook_and_none_to_a_deleted_one(bank, receivers, publish):
    receiver = receivers()
    created = bank.post("/api/notifier/webhooks", json={"url": receiver.url})
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    after_registering = revocation()
    publish(after_registering)  # at once: the answer came after every consumer could see the webhook
    eventually(lambda: receiver.event_ids() == [after_registering["id"]], 15, message="the new webhook")
    assert bank.delete(f"/api/notifier/webhooks/{created.json()['id']}").status_code == 204
    after_deleting = revocation()
    publish(after_deleting)
    eventually(lambda: after_deleting["id"] in inbox_ids(bank), 15, message="the inbox entry")
    time.sleep(1.0)
    assert receiver.event_ids() == [after_registering["id"]] and receiver.calls == 1


def test_every_route_declares_who_may_call_it(mongo_uri, fresh_db):
    assert undeclared_views(create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name})) == []


def test_every_list_answers_one_shape(bank, staff, hook):
    for session, path in [(bank, "/api/notifier/webhooks"), (bank, "/api/notifier/inbox"),
                          (staff, "/api/notifier/dead-letters"), (staff, "/api/notifier/deliveries")]:
        answer = session.get(path, params={"limit": 1})
        assert answer.status_code == 200, (path, answer.text)
        body = answer.json()
        assert set(body) == {"items", "total", "limit", "offset"} and body["limit"] == 1, path
        assert len(body["items"]) <= 1 and body["total"] >= len(body["items"]), path
    webhooks = bank.get("/api/notifier/webhooks").json()
    assert hook.webhook_id in [w["id"] for w in webhooks["items"]] and webhooks["total"] == len(webhooks["items"])


@pytest.mark.parametrize("body, field", [({"url": "not a url"}, "url"), ({"url": "ftp://bank.az/in"}, "url"),
                                         ({}, "url"), ({"url": "https://bank.az/in", "x": 1}, "x")])
def test_bad_webhook_requests_are_named(bank, body, field):
    response = bank.post("/api/notifier/webhooks", json=body)
    assert response.status_code == 422 and field in response.json()["errors"]
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_revocation_reaches_the_bank_once_signed_and_only_its_inbox(hook, bank, cafe, publish):
    event = revocation(reason="contract_terminated")
    publish(event)
    eventually(lambda: hook.event_ids() == [event["id"]], 15, message="the webhook call")
    (got,) = hook.received
    assert got["event"] == event and got["headers"]["X-Egov-Event-Id"] == event["id"]
    assert got["headers"]["X-Egov-Signature"].startswith("sha256=")
    # The receiver's own check refuses what the secret did not sign.
    forged = requests.post(hook.url, data=b'{"id": "forged"}', timeout=5, headers={
        "X-Egov-Timestamp": got["headers"]["X-Egov-Timestamp"], "X-Egov-Signature": got["headers"]["X-Egov-Signature"]})
    assert forged.status_code == 401 and hook.event_ids() == [event["id"]]
    entry = next(i for i in bank.get("/api/notifier/inbox").json()["items"] if i["event_id"] == event["id"])
    assert entry["type"] == "certificates.certificate.revoked" and entry["received_at"]
    assert entry["title"] == (f"№ {event['data']['number']} iş yerinə dair arayış qüvvədən düşüb "
                              "(əmək müqaviləsinə xitam verilib)")
    assert entry["data"]["reason"] == "contract_terminated"
    assert event["id"] not in inbox_ids(cafe)
    time.sleep(1.0)
    assert hook.event_ids() == [event["id"]]


def test_inbox_without_webhook_newest_first_in_pages(cafe, publish):
    events = []
    for _ in range(3):
        events.append(revocation(voen=CAFE))
        publish(events[-1])
        eventually(lambda: events[-1]["id"] in inbox_ids(cafe), 15, message="inbox entry")
    first = cafe.get("/api/notifier/inbox", params={"limit": 2}).json()
    assert [i["event_id"] for i in first["items"]] == [events[2]["id"], events[1]["id"]]
    assert first["total"] >= 3 and first["limit"] == 2 and first["offset"] == 0
    second = cafe.get("/api/notifier/inbox", params={"limit": 2, "offset": 2}).json()
    assert second["items"][0]["event_id"] == events[0]["id"] and second["total"] == first["total"]
    assert cafe.get("/api/notifier/inbox").json()["limit"] == 20
    assert cafe.get("/api/notifier/inbox", params={"limit": 200}).status_code == 200
    assert cafe.get("/api/notifier/inbox", params={"limit": 0}).status_code == 422
    assert cafe.get("/api/notifier/inbox", params={"limit": 201}).status_code == 422


def test_a_revocation_the_holder_kept_quiet_tells_nobody(hook, bank, publish):
    quiet, loud = revocation(notify_addressee=False), revocation()
    publish(quiet)
    publish(loud)
    eventually(lambda: loud["id"] in hook.event_ids(), 15, message="the notified one")
    assert quiet["id"] not in hook.event_ids() and quiet["id"] not in inbox_ids(bank)


def test_receiver_down_for_a_while_then_up_gets_it_exactly_once(hook, publish):
    hook.answer = 503
    event = revocation()
    publish(event)
    eventually(lambda: hook.refused_outage >= 1, 15, message="a refused call")
    hook.stop()  # then the port is closed altogether
    time.sleep(2.0)
    hook.answer = 200
    hook.start()
    eventually(lambda: hook.event_ids() == [event["id"]], 60, message="delivery after the outage")
    time.sleep(1.5)
    assert hook.event_ids() == [event["id"]]


def test_a_replaced_secret_signs_every_call_from_then_on_retries_too(hook, bank, cafe, publish):
    old_secret = hook.secret
    hook.answer = 503
    event = revocation()
    publish(event)
    eventually(lambda: hook.refused_outage >= 1, 15, message="a refused call")
    # Replaced while the notification waits for its retry: the retry is signed with the new one.
    replaced = bank.post(f"/api/notifier/webhooks/{hook.webhook_id}/secret")
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body["id"] == hook.webhook_id and body["state"] == "active"
    assert len(body["secret"]) >= 32 and body["secret"] != old_secret
    assert body["secret"] not in bank.get("/api/notifier/webhooks").text
    hook.secret, hook.answer = body["secret"], 200
    eventually(lambda: hook.event_ids() == [event["id"]], 60, message="the retry signed with the new secret")
    # The next event's first call too (the consumer's cached secret is not the one used).
    following = revocation()
    publish(following)
    eventually(lambda: following["id"] in hook.event_ids(), 15, message="the next event, signed anew")
    assert hook.refused_signature == 0
    # Another organisation's webhook is not there for it; nobody else may replace it.
    assert cafe.post(f"/api/notifier/webhooks/{hook.webhook_id}/secret").status_code == 404
    assert bank.post(f"/api/notifier/webhooks/{uuid.uuid4().hex}/secret").status_code == 404

    # The webhook's delivery log: the refused call, then the one that went through.
    log = bank.get(f"/api/notifier/webhooks/{hook.webhook_id}/deliveries").json()
    assert set(log) == {"items", "total", "limit", "offset"}
    (delivery,) = [d for d in log["items"] if d["event_id"] == event["id"]]
    assert delivery["state"] == "sent" and delivery["sent_at"] and delivery["event_type"] == event["type"]
    calls = delivery["attempt_log"]
    assert [c["status"] for c in calls][0] == 503 and calls[-1]["status"] == 204
    assert [c["outcome"] for c in calls][-1] == "sent" and calls[0]["outcome"] == "retry"
    assert not {"url", "secret_encrypted", "body", "worker"} & (set(delivery) | set(calls[0]))
    assert cafe.get(f"/api/notifier/webhooks/{hook.webhook_id}/deliveries").status_code == 404


def test_one_notification_of_the_inbox_opens_for_its_organisation_only(bank, cafe, publish, staff):
    event = revocation()
    publish(event)
    listed = eventually(lambda: next((i for i in bank.get("/api/notifier/inbox").json()["items"]
                                      if i["event_id"] == event["id"]), None), 15, message="the inbox entry")
    opened = bank.get(f"/api/notifier/inbox/{listed['id']}")
    assert opened.status_code == 200, opened.text
    assert opened.json() == listed
    assert cafe.get(f"/api/notifier/inbox/{listed['id']}").status_code == 404
    assert staff.get(f"/api/notifier/inbox/{listed['id']}").status_code == 403
    assert bank.get(f"/api/notifier/inbox/{uuid.uuid4().hex}").status_code == 404


def test_institutions_told_of_accidents_prosecutor_only_when_someone_died(suite, publish):
    inspectorate = logged_in(suite, "head of the labour inspectorate", INSPECTORATE)
    prosecutor = logged_in(suite, "head of the prosecutor's office", PROSECUTOR)

    def accident(died: bool) -> dict:
        return new_event("accidents.report.submitted", {
            "report_id": uuid.uuid4().hex, "registration_number": f"BH-{uuid.uuid4().hex[:6]}",
            "employer_voen": "1701100451", "employer_name": "\"Xəzər Logistika\" MMC",
            "occurred_at": "2026-11-20T06:30:00+00:00", "address": "Bakı, Xətai rayonu",
            "victims": [{"fin": "4RD6YFC", "name": "Quliyev Elçin", "outcome": "died" if died else "injured"}],
            "any_died": died, "informant": {"fin": "3HB8RXT", "name": "Həsənova Gülnarə",
                                            "email": "gulnare@example.az", "mobile": "+994501234567"},
            "submitted_at": "2026-11-20T08:00:00+00:00"}, source="accidents")
    fatal, injury = accident(True), accident(False)
    publish(fatal)
    publish(injury)
    eventually(lambda: {fatal["id"], injury["id"]} <= set(inbox_ids(inspectorate)), 15, message="inspectorate")
    eventually(lambda: fatal["id"] in inbox_ids(prosecutor), 15, message="prosecutor")
    assert injury["id"] not in inbox_ids(prosecutor)
    entry = next(i for i in inspectorate.get("/api/notifier/inbox").json()["items"] if i["event_id"] == fatal["id"])
    assert entry["title"].endswith("(ölümlə nəticələnib)") and entry["data"]["victims"][0]["outcome"] == "died"


# --- e-mail through the suite's SMTP sink -------------------------------------------------------

def test_insurer_decision_and_contract_notice_are_mailed(suite, publish):
    applicant = f"orxan.{uuid.uuid4().hex[:6]}@example.az"
    rejected = new_event("insurers.application.rejected", {
        "application_id": uuid.uuid4().hex, "voen": "1701100451", "name": "\"Xəzər Logistika\" MMC",
        "applicant_fin": "3HB8RXT", "applicant_name": "Həsənov Orxan", "applicant_email": applicant,
        "submitted_at": "2026-11-20T08:00:00+00:00", "reason": "Nizamnamənin surəti əlavə edilməyib",
        "rejected_at": "2026-11-23T09:00:00+00:00"}, source="insurers")
    publish(rejected)
    (mail,) = eventually(lambda: mails_for(suite, rejected["id"]), 15, message="the rejection e-mail")
    assert mail["To"] == applicant
    assert mail["Subject"].startswith("Sığortaedənin uçota alınması üçün müraciətiniz rədd edildi")
    assert "Səbəb: Nizamnamənin surəti əlavə edilməyib" in mail.get_body(("plain",)).get_content()

    employee = sim_identity(label="employee 3")
    signed = new_event("contracts.notice.signed", {
        "notice_id": uuid.uuid4().hex, "employer_voen": "1701100121", "employer_name": "\"Şəki İpək\" ASC",
        "employee_fin": employee["fin"], "employee_name": f"{employee['surname']} {employee['name']}",
        "position": "Mühasib", "occupation_code": "2411", "workplace": "Şəki", "contract_number": "ƏM-17",
        "contract_date": "2026-11-20", "start_date": "2026-12-01", "contract_type": "indefinite", "end_date": None,
        "salary": "1250.00", "working_time": "full", "signed_at": "2026-11-23T09:00:00+00:00"}, source="contracts")
    publish(signed)
    (mail,) = eventually(lambda: mails_for(suite, signed["id"]), 15, message="the contract e-mail")
    as_employee = logged_in(suite, "employee 3")
    assert mail["To"] == as_employee.get(f"/api/registry/persons/{employee['fin']}").json()["email"]
    assert mail["Subject"].startswith("Adınıza əmək müqaviləsi bildirişi qeydiyyata alınıb")
    assert "1250" not in mail.get_body(("plain",)).get_content()
    # The employee can see that the notifier looked their address up, and why.
    looked_up = as_employee.get("/api/registry/my-data-access").json()["items"]
    assert any(item.get("service") == "notifier" for item in looked_up)
    time.sleep(1.0)
    assert len(mails_for(suite, rejected["id"])) == 1 and len(mails_for(suite, signed["id"])) == 1


# --- staff --------------------------------------------------------------------------------------

def test_staff_see_deliveries_given_up_on_and_nobody_else_does(staff, bank, hook, publish):
    hook.answer = 410  # "gone": the institution refuses it, no point retrying
    event = revocation()
    publish(event)
    wanted = f"{event['id']}:webhook:{hook.webhook_id}"

    def failed():
        items = staff.get("/api/notifier/deliveries", params={"state": "failed", "limit": 100}).json()["items"]
        return next((i for i in items if i["id"] == wanted), None)
    item = eventually(failed, 15, message="the failed delivery")
    assert item["attempts"] == 1 and item["last_error"] == "HTTP 410" and item["channel"] == "webhook"
    assert not {"url", "secret_encrypted", "body", "message", "to"} & set(item)
    assert bank.get("/api/notifier/deliveries").status_code == 403
    assert bank.get("/api/notifier/dead-letters").status_code == 403
    # Who is calling is checked before the query is read: a wrong one learns nothing of the fields.
    assert bank.get("/api/notifier/deliveries", params={"state": "lost"}).status_code == 403
    assert bank.get("/api/notifier/dead-letters", params={"state": "lost"}).status_code == 403
    assert bank.post("/api/notifier/dead-letters/no-such-letter/replay").status_code == 403
    assert staff.get("/api/notifier/deliveries", params={"state": "lost"}).status_code == 422

    # The institution has fixed its receiver: staff try the delivery again, once.
    hook.answer = 200
    assert bank.post(f"/api/notifier/deliveries/{wanted}/retry").status_code == 403
    retried = staff.post(f"/api/notifier/deliveries/{wanted}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json()["id"] == wanted and retried.json()["state"] in ("pending", "sending", "sent")
    eventually(lambda: hook.event_ids() == [event["id"]], 15, message="the retried delivery")
    again = staff.post(f"/api/notifier/deliveries/{wanted}/retry")
    assert again.status_code == 409 and again.json()["code"] == "delivery_not_failed"
    assert staff.post(f"/api/notifier/deliveries/{uuid.uuid4().hex}/retry").status_code == 404


# --- a second consumer process on the same queue ------------------------------------------------

def consumers_on(amqp_url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    finally:
        connection.close()


def test_two_consumer_processes_deliver_each_notification_once(suite, hook, publish, amqp_url, bus_names,
                                                               notifier_db, tmp_path):
    queue = f"{bus_names['queue_prefix']}.notifier"
    log = open(tmp_path / "second-consumer.log", "wb")
    second = subprocess.Popen([sys.executable, "-m", "egov_kit.run", "notifier_service", "consumer"],
                              env=suite.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        eventually(lambda: consumers_on(amqp_url, queue) >= 2, 30, message="the second consumer")
        events = [revocation() for _ in range(40)]
        for event in events:
            publish(event)
        eventually(lambda: len(hook.received) >= 40, 30, message="all 40 webhook calls")
        time.sleep(1.5)
        assert sorted(hook.event_ids()) == sorted(e["id"] for e in events)
        senders = {a["worker"] for a in NotifierRepository(lambda: notifier_db).attempts_for_events(
            [e["id"] for e in events])}
        assert f"{socket.gethostname()}:{second.pid}" in senders and len(senders) == 2
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(15)
        log.close()


# --- dead letters and staff replays ---------------------------------------------------------------

@pytest.fixture
def own_consumer(suite, amqp_url, bus_names, monkeypatch):
    """A notifier consumer of its own (own exchange and queue, fast retries) working in the suite's
    notifier database, so its dead letters are the ones staff see through the API."""
    for key, value in suite.env().items():
        if key.isupper() and not key.startswith("PYTHON"):
            monkeypatch.setenv(key, value)
    tag = uuid.uuid4().hex[:8]
    names = {"exchange": f"{bus_names['queue_prefix']}.own-{tag}.events",
             "queue": f"{bus_names['queue_prefix']}.own-{tag}.notifier"}
    started = []

    def start(**env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = load_settings("notifier")
        consumption = build_consumer(settings)
        (delivery,) = consumption.workers
        threading.Thread(target=delivery.run_forever, daemon=True).start()
        consumer = Consumer(amqp_url=amqp_url, exchange=names["exchange"], queue=names["queue"],
                            handlers=consumption.handlers, db=database(settings.mongo_uri, settings.mongo_db),
                            retry_delays_ms=(100, 200))
        threading.Thread(target=consumer.run_forever, daemon=True).start()
        assert consumer.connected.wait(15)
        started.append((delivery, consumer))
        names["publisher"] = Publisher(amqp_url, names["exchange"], name="notifier-tests-own")
        return names
    yield start
    for delivery, consumer in started:
        consumer.stop()
        delivery.stop()
    if "publisher" in names:
        names["publisher"].close()


def test_event_that_keeps_failing_is_dead_lettered_and_replayed_once_by_staff(suite, own_consumer, staff, bank,
                                                                               monkeypatch):
    nobody = free_port()
    own = own_consumer(REGISTRY_URL=f"http://127.0.0.1:{nobody}")  # the registry is "down"
    employee = sim_identity(label="employee 4")
    event = new_event("contracts.notice.signed", {
        "notice_id": uuid.uuid4().hex, "employer_voen": "1701100231", "employer_name": "\"Gəncə Şərab\" MMC",
        "employee_fin": employee["fin"], "employee_name": f"{employee['surname']} {employee['name']}",
        "position": "Sürücü", "occupation_code": "8322", "workplace": "Gəncə", "contract_number": "17/Ş",
        "contract_date": "2026-11-20", "start_date": "2026-12-01", "contract_type": "fixed_term",
        "end_date": "2027-11-30", "salary": "900.00", "working_time": "full",
        "signed_at": "2026-11-23T09:00:00+00:00"}, source="contracts")
    own["publisher"].publish(event)
    dead_id = f"{own['queue']}:{event['id']}"

    def dead_letter():
        items = staff.get("/api/notifier/dead-letters", params={"state": "dead", "limit": 100}).json()["items"]
        return next((i for i in items if i["id"] == dead_id), None)
    letter = eventually(dead_letter, 20, message="the dead letter")
    assert letter["event_type"] == "contracts.notice.signed" and letter["attempts"] == 3
    assert "registry" in letter["reason"] and employee["fin"] not in str(letter)
    assert mails_for(suite, event["id"]) == []

    monkeypatch.setenv("REGISTRY_URL", suite.url("registry"))  # the registry is back
    assert bank.post(f"/api/notifier/dead-letters/{dead_id}/replay").status_code == 403
    replayed = staff.post(f"/api/notifier/dead-letters/{dead_id}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["state"] == "replayed"
    (mail,) = eventually(lambda: mails_for(suite, event["id"]), 20, message="the e-mail after the replay")
    assert mail["Subject"].startswith("Adınıza əmək müqaviləsi bildirişi qeydiyyata alınıb")
    again = staff.post(f"/api/notifier/dead-letters/{dead_id}/replay")
    assert again.status_code == 409
    assert staff.post("/api/notifier/dead-letters/no-such-letter/replay").status_code == 404
    time.sleep(1.0)
    assert len(mails_for(suite, event["id"])) == 1


def test_certificate_copy_waits_while_the_certificates_service_is_unreachable(suite, own_consumer, staff):
    own = own_consumer(CERTIFICATES_URL=f"http://127.0.0.1:{free_port()}")
    event = new_event("certificates.certificate.issued", {
        "number": f"ARY-{uuid.uuid4().hex[:8].upper()}", "holder_fin": "5ZK2M7P", "holder_name": "Məmmədov İlqar",
        "type": "employment", "valid_until": "2026-12-31", "email": "ilqar@example.az", "email_copy": True,
        "employer_name": "\"Şəki İpək\" ASC", "purpose": "bank", "issued_at": "2026-11-23T09:00:00+00:00"},
        source="certificates")
    own["publisher"].publish(event)
    dead_id = f"{own['queue']}:{event['id']}"
    letter = eventually(lambda: next((i for i in staff.get("/api/notifier/dead-letters", params={"limit": 100})
                                      .json()["items"] if i["id"] == dead_id), None), 20, message="dead letter")
    assert "certificates unreachable" in letter["reason"] and letter["attempts"] == 3
    assert mails_for(suite, event["id"]) == []


# --- SMTP down, then up, through the broker ---------------------------------------------------------

def test_smtp_down_then_up_sends_one_email(amqp_url, bus_names, mongo_uri, fresh_db, mailbox):
    tag = uuid.uuid4().hex[:8]
    exchange, queue = f"{bus_names['queue_prefix']}.smtp-{tag}.events", f"{bus_names['queue_prefix']}.smtp-{tag}.q"
    settings, own = load({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name, "smtp_host": "127.0.0.1",
                          "smtp_port": mailbox.port, "webhook_secret_key": Fernet.generate_key().decode(),
                          "retry_base": 0.1, "retry_max": 0.5})
    consumption = build_consumer(settings, own)
    (delivery,) = consumption.workers
    threading.Thread(target=delivery.run_forever, daemon=True).start()
    consumer = Consumer(amqp_url=amqp_url, exchange=exchange, queue=queue, handlers=consumption.handlers,
                        db=fresh_db, retry_delays_ms=(100, 200))
    threading.Thread(target=consumer.run_forever, daemon=True).start()
    publisher = Publisher(amqp_url, exchange, name="notifier-tests-smtp")
    try:
        assert consumer.connected.wait(15)
        event = new_event("insurers.application.submitted", {
            "application_id": uuid.uuid4().hex, "voen": "1701100451", "name": "\"Xəzər Logistika\" MMC",
            "applicant_fin": "3HB8RXT", "applicant_name": "Həsənova Gülnarə",
            "applicant_email": "gulnare@example.az", "submitted_at": "2026-11-23T08:00:00+00:00"}, source="insurers")
        publisher.publish(event)
        eventually(lambda: len(NotifierRepository(lambda: fresh_db).attempts_for_events([event["id"]])) >= 2, 10,
                   message="attempts while the mail server is down")
        mailbox.start()
        eventually(lambda: len(mailbox.messages) == 1, 10, message="the e-mail")
        time.sleep(1.0)
        assert len(mailbox.messages) == 1
        (message,) = mailbox.parsed()
        assert message["Subject"] == ("Sığortaedənin uçota alınması üçün müraciətiniz qəbul edildi / "
                                      "Your application to register an insurer has been received")
        assert "Hörmətli Həsənova Gülnarə," in message.get_body(("plain",)).get_content()
    finally:
        consumer.stop()
        delivery.stop()
        publisher.close()


# --- SSRF -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.5/hook",
                                 "http://192.168.1.10/", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]:8000/", "http://0.0.0.0/"])
def test_webhooks_to_internal_addresses_are_refused(suite, bank, fresh_db, monkeypatch, url):
    for key, value in suite.env().items():  # the suite's services (contracts checks the authority)
        if key.isupper() and not key.startswith("PYTHON"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    monkeypatch.delenv("WEBHOOK_ALLOW_PRIVATE", raising=False)
    app = create_app({"mongo_uri": suite.mongo_uri, "mongo_db": fresh_db.name,
                      "jwks_url": f"{suite.url('auth')}/api/auth/jwks.json"})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {bank.token}"}
    refused = client.post("/api/notifier/webhooks", json={"url": url}, headers=headers)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["url"]
    english = client.post("/api/notifier/webhooks", json={"url": url}, headers={**headers, "Accept-Language": "en"})
    assert "private" in english.get_json()["errors"]["url"][0] or "resolve" in english.get_json()["errors"]["url"][0]
    public = client.post("/api/notifier/webhooks", json={"url": "https://93.184.215.14/egov-hook"}, headers=headers)
    assert public.status_code == 201
