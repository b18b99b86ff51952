"""The notifier's use cases called directly on NotifierService, against a database of the test's
own, with real collaborators: the suite's registry and services (with the notifier's service
token), the real broker for a replay, name resolution for webhook URLs."""
from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pika
import pytest
from cryptography.fernet import Fernet

from devtools.client import sim_identity
from egov_kit.auth import Principal
from egov_kit.authority import Standing
from egov_kit.bus import Publisher, new_event
from egov_kit.clock import baku_today, utcnow
from egov_kit.errors import ServiceError
from notifier_service import domain
from notifier_service.repository import NotifierRepository
from notifier_service.secretbox import SecretBox
from notifier_service.senders import resolve_host
from notifier_service.service import NotifierService
from notifier_service.settings import NotifierSettings
from notifier_service.webhooks import WebhookDirectory

BANK = "9900072351"
CAFE = "1701100561"
INSPECTORATE = "1400245611"
PUBLIC_URL = "https://93.184.215.14/egov-hook"  # an address literal: public, and no DNS needed


def head_of(voen: str) -> Principal:
    return Principal(kind="person", subject=f"head-{voen}", fin="5TH3WQG", surname="Əliyev", name="Rəşad",
                     acting_for=voen, company_role="head")


def as_head(voen: str) -> Standing:
    """Where the head stands (what the route's check hands over): the head, no authority needed."""
    return Standing(voen=voen, fin="5TH3WQG", head=True)


@pytest.fixture
def make_service(fresh_db, amqp_url, bus_names, registry_client, service_client):
    def make(clock=utcnow, **settings) -> NotifierService:
        repository = NotifierRepository(fresh_db)
        repository.ensure_indexes()
        return NotifierService(
            repository=repository, secrets=SecretBox(Fernet.generate_key().decode()),
            settings=NotifierSettings(**settings), resolve=resolve_host,
            publisher=lambda: Publisher(amqp_url, bus_names["exchange"], name="notifier-service-tests"),
            webhooks=WebhookDirectory(repository), registry=registry_client("notifier"),
            documents=service_client("notifier"), clock=clock)
    return make


@contextmanager
def refused(status: int, code: str | None = None):
    """Expects a ServiceError with this status (and code)."""
    with pytest.raises(ServiceError) as caught:
        yield caught
    assert caught.value.status == status and (code is None or caught.value.code == code), repr(caught.value)


def revocation(voen: str) -> dict:
    return new_event("certificates.certificate.revoked", {
        "number": f"ARY-{uuid.uuid4().hex[:8].upper()}", "holder_name": "Məmmədov İlqar", "reason": "holder",
        "destination": "addressed", "addressee_voen": voen, "addressee_name": "Dan Ulduzu Bank",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00"}, source="certificates")


def notify(service: NotifierService, event: dict, plan) -> None:
    service.notify(event, plan(event))


# --- webhooks -----------------------------------------------------------------------------------

def test_a_webhook_secret_is_returned_once_and_stored_encrypted(make_service, fresh_db):
    service = make_service()
    created = service.register_webhook(head_of(BANK), f"  {PUBLIC_URL}  ", as_head(BANK))
    assert created["url"] == PUBLIC_URL and len(created["secret"]) >= 32
    stored = fresh_db.webhooks.find_one({"_id": created["id"]})
    assert created["secret"] not in json.dumps(stored, default=str)
    assert service.secrets.decrypt(stored["secret_encrypted"]) == created["secret"]
    items, total = service.webhooks_of(head_of(BANK), 20, 0)
    assert total == 1 and items == [{
        "id": created["id"], "url": PUBLIC_URL, "created_at": items[0]["created_at"], "state": "active",
        "suspension_reason": None, "suspended_at": None, "registered_by": {"name": "Əliyev Rəşad", "role": "head"},
        "authority_valid_until": None}]
    with refused(409, "webhook_exists") as caught:
        service.register_webhook(head_of(BANK), PUBLIC_URL, as_head(BANK))
    assert caught.value.errors == {"url": ["webhook_exists"]}


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://10.0.0.5/hook",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]:8000/"])
def test_a_private_address_is_refused_unless_allowed(make_service, url):
    with refused(422, domain.URL_PRIVATE) as caught:
        make_service().register_webhook(head_of(BANK), url, as_head(BANK))
    assert caught.value.errors == {"url": [domain.URL_PRIVATE]}
    allowed = make_service(webhook_allow_private=True)
    assert allowed.register_webhook(head_of(BANK), url, as_head(BANK))["url"] == url


def test_an_organisation_has_at_most_its_number_of_webhooks(make_service):
    service = make_service(webhooks_per_organisation=2)
    for n in range(2):
        service.register_webhook(head_of(BANK), f"{PUBLIC_URL}/{n}", as_head(BANK))
    with refused(409, "webhook_limit"):
        service.register_webhook(head_of(BANK), f"{PUBLIC_URL}/2", as_head(BANK))
    assert service.register_webhook(head_of(CAFE), f"{PUBLIC_URL}/2", as_head(CAFE))  # another organisation's own limit


def test_webhooks_are_listed_and_deleted_only_by_their_organisation(make_service):
    service = make_service()
    first = service.register_webhook(head_of(BANK), f"{PUBLIC_URL}/a", as_head(BANK))
    second = service.register_webhook(head_of(BANK), f"{PUBLIC_URL}/b", as_head(BANK))
    items, total = service.webhooks_of(head_of(BANK), 1, 1)
    assert total == 2 and [w["id"] for w in items] == [second["id"]]
    assert service.webhooks_of(head_of(CAFE), 20, 0) == ([], 0)
    with refused(404):
        service.delete_webhook(head_of(CAFE), first["id"])
    service.delete_webhook(head_of(BANK), first["id"])
    assert [w["id"] for w in service.webhooks_of(head_of(BANK), 20, 0)[0]] == [second["id"]]
    with refused(404):
        service.delete_webhook(head_of(BANK), first["id"])


# --- webhooks registered under an authority ------------------------------------------------------

REP_FIN = "8JN2QAE"


def representative_of(voen: str) -> Principal:
    return Principal(kind="person", subject="rep", fin=REP_FIN, surname="İsmayılova", name="Ülviyyə",
                     acting_for=voen, company_role="authorised")


def under_authority(voen: str, authority_id: str, valid_until: str | None = None) -> Standing:
    return Standing(voen=voen, fin=REP_FIN, head=False, scopes=("notifications",), authority_id=authority_id,
                    valid_until=valid_until)


def withdrawal(authority_id: str, voen: str = BANK) -> dict:
    return new_event("contracts.authority.withdrawn", {"authority_id": authority_id, "voen": voen, "fin": REP_FIN},
                     source="contracts")


def planned_to(service: NotifierService, event: dict) -> set[str]:
    return {d["recipient"] for d in service.repository.db.deliveries.find({"event_id": event["id"],
                                                                           "channel": "webhook"})}


def test_a_webhook_under_a_withdrawn_authority_is_suspended_until_the_head_confirms_it(make_service):
    api, consumer = make_service(), make_service()
    authority_id = uuid.uuid4().hex
    theirs = api.register_webhook(representative_of(BANK), f"{PUBLIC_URL}/rep", under_authority(BANK, authority_id))
    assert theirs["state"] == "active" and theirs["registered_by"] == {"name": "İsmayılova Ülviyyə",
                                                                         "role": "authorised"}
    heads = api.register_webhook(head_of(BANK), f"{PUBLIC_URL}/head", as_head(BANK))
    before = revocation(BANK)
    notify(consumer, before, domain.plan_certificate_revoked)
    assert planned_to(consumer, before) == {theirs["id"], heads["id"]}

    consumer.authority_withdrawn(withdrawal(authority_id))
    listed = {w["id"]: w for w in api.webhooks_of(head_of(BANK), 20, 0)[0]}
    assert listed[theirs["id"]]["state"] == "suspended" and listed[theirs["id"]]["suspended_at"]
    assert listed[theirs["id"]]["suspension_reason"] == "authority_withdrawn"
    assert listed[heads["id"]]["state"] == "active"  # the head's own is never suspended this way
    # What waited for it is skipped; the inbox has the event.
    waiting = consumer.repository.db.deliveries.find_one({"_id": f"{before['id']}:webhook:{theirs['id']}"})
    assert waiting["state"] == "skipped" and waiting["last_error"] == "webhook suspended"
    meanwhile = revocation(BANK)
    notify(consumer, meanwhile, domain.plan_certificate_revoked)
    assert planned_to(consumer, meanwhile) == {heads["id"]}
    assert meanwhile["id"] in [e["event_id"] for e in consumer.inbox_of(head_of(BANK), 20, 0)[0]]
    consumer.authority_withdrawn(withdrawal(authority_id))  # the event again changes nothing
    assert api.webhooks_of(head_of(BANK), 20, 0)[1] == 2

    with refused(404):
        api.confirm_webhook(head_of(CAFE), theirs["id"])  # another organisation's head
    confirmed = api.confirm_webhook(head_of(BANK), theirs["id"])
    assert confirmed["state"] == "active" and confirmed["registered_by"] == {"name": "Əliyev Rəşad", "role": "head"}
    after = revocation(BANK)
    notify(consumer, after, domain.plan_certificate_revoked)
    assert planned_to(consumer, after) == {theirs["id"], heads["id"]}
    assert planned_to(consumer, meanwhile) == {heads["id"]}  # what came while suspended is not sent later
    consumer.authority_withdrawn(withdrawal(authority_id))  # held by the head now
    assert api.webhooks_of(head_of(BANK), 20, 0)[0][0]["state"] == "active"


def test_a_webhook_under_a_fixed_term_authority_is_suspended_after_its_last_day(make_service):
    service = make_service()
    hook = service.register_webhook(representative_of(BANK), PUBLIC_URL,
                                    under_authority(BANK, uuid.uuid4().hex, baku_today().isoformat()))
    assert hook["state"] == "active" and hook["authority_valid_until"] == baku_today().isoformat()
    on_its_last_day = revocation(BANK)
    notify(service, on_its_last_day, domain.plan_certificate_revoked)
    assert planned_to(service, on_its_last_day) == {hook["id"]}

    later = make_service(clock=lambda: utcnow() + timedelta(days=2))  # midnight has passed
    (shown,), _ = later.webhooks_of(head_of(BANK), 20, 0)
    assert shown["state"] == "suspended" and shown["suspension_reason"] == "authority_expired"
    expired = revocation(BANK)
    notify(later, expired, domain.plan_certificate_revoked)
    assert planned_to(later, expired) == set()
    assert expired["id"] in [e["event_id"] for e in later.inbox_of(head_of(BANK), 20, 0)[0]]
    assert later.confirm_webhook(head_of(BANK), hook["id"])["state"] == "active"
    confirmed = revocation(BANK)
    notify(later, confirmed, domain.plan_certificate_revoked)
    assert planned_to(later, confirmed) == {hook["id"]}


def test_a_webhook_registered_as_its_authority_is_withdrawn_is_suspended_too(make_service):
    """The registration was let in by a check made just before the withdrawal, whose event the
    notifier handled before the registration was written: the webhook is suspended all the same."""
    api, consumer = make_service(), make_service()
    authority_id = uuid.uuid4().hex
    consumer.authority_withdrawn(withdrawal(authority_id))
    late = api.register_webhook(representative_of(BANK), PUBLIC_URL, under_authority(BANK, authority_id))
    assert late["state"] == "suspended" and late["suspension_reason"] == "authority_withdrawn"
    event = revocation(BANK)
    notify(consumer, event, domain.plan_certificate_revoked)
    assert planned_to(consumer, event) == set()


def test_a_withdrawal_that_is_not_one_is_refused_as_malformed(make_service):
    service = make_service()
    for data in ({"voen": BANK}, {"authority_id": "a/../b", "voen": BANK}, {"authority_id": "a1", "voen": "x"}):
        with refused(422, domain.MALFORMED_EVENT):
            service.authority_withdrawn(new_event("contracts.authority.withdrawn", data, source="contracts"))


# --- events into inbox entries and deliveries ---------------------------------------------------------

def test_an_event_goes_to_the_inbox_and_webhooks_of_its_organisation_only(make_service):
    service = make_service()
    hook = service.register_webhook(head_of(BANK), PUBLIC_URL, as_head(BANK))
    to_bank, to_cafe = revocation(BANK), revocation(CAFE)
    notify(service, to_bank, domain.plan_certificate_revoked)
    notify(service, to_cafe, domain.plan_certificate_revoked)
    notify(service, to_bank, domain.plan_certificate_revoked)  # a repeat adds nothing
    entries, total = service.inbox_of(head_of(BANK), 20, 0)
    assert total == 1 and [e["event_id"] for e in entries] == [to_bank["id"]]
    assert entries[0]["type"] == "certificates.certificate.revoked" and "qüvvədən düşüb" in entries[0]["title"]
    assert [e["event_id"] for e in service.inbox_of(head_of(CAFE), 20, 0)[0]] == [to_cafe["id"]]
    deliveries, total = service.deliveries("pending", 20, 0)
    assert total == 1 and deliveries[0]["id"] == f"{to_bank['id']}:webhook:{hook['id']}"
    assert deliveries[0]["voen"] == BANK and deliveries[0]["channel"] == "webhook"
    assert not {"url", "secret_encrypted", "body"} & set(deliveries[0])


def test_a_webhook_registered_or_deleted_is_seen_by_the_next_event(make_service):
    consumer, api = make_service(), make_service()  # e.g. the consumer process and the API process
    notify(consumer, revocation(BANK), domain.plan_certificate_revoked)  # the bank had no webhook yet
    hook = api.register_webhook(head_of(BANK), PUBLIC_URL, as_head(BANK))
    after_registering = revocation(BANK)
    notify(consumer, after_registering, domain.plan_certificate_revoked)
    api.delete_webhook(head_of(BANK), hook["id"])
    notify(consumer, revocation(BANK), domain.plan_certificate_revoked)
    planned = [d["event_id"] for d in consumer.deliveries(None, 20, 0)[0]]
    assert planned == [after_registering["id"]]


def test_a_signed_contract_is_mailed_to_the_employee_at_the_registry_address(make_service, registry_client):
    service = make_service()
    employee = sim_identity(label="employee 3")
    event = new_event("contracts.notice.signed", {
        "notice_id": uuid.uuid4().hex, "employer_voen": "1701100121", "employer_name": "\"Şəki İpək\" ASC",
        "employee_fin": employee["fin"], "employee_name": f"{employee['surname']} {employee['name']}",
        "position": "Mühasib", "occupation_code": "2411", "workplace": "Şəki", "contract_number": "ƏM-17",
        "contract_date": "2026-11-20", "start_date": "2026-12-01", "contract_type": "indefinite", "end_date": None,
        "salary": "1250.00", "working_time": "full", "signed_at": "2026-11-23T09:00:00+00:00"}, source="contracts")
    notify(service, event, domain.plan_notice_signed)
    address = registry_client("notifier").person(employee["fin"], "notice-signed-notification")["email"]
    (delivery,), total = service.deliveries("pending", 20, 0)
    assert total == 1 and delivery["id"] == f"{event['id']}:email:employee"
    assert delivery["to_masked"] == domain.mask_email(address)
    stored = service.repository.db.deliveries.find_one({"_id": delivery["id"]})
    assert stored["to"] == address and stored["message"]


def test_the_inspectorate_is_alerted_even_while_the_report_pdf_cannot_be_had(make_service):
    service = make_service()
    event = new_event("accidents.report.submitted", {
        "report_id": uuid.uuid4().hex, "registration_number": "BH-000001", "employer_voen": "1701100451",
        "employer_name": "\"Xəzər Logistika\" MMC", "occurred_at": "2026-11-20T06:30:00+00:00",
        "address": "Bakı", "victims": [], "any_died": False,
        "informant": {"fin": "3HB8RXT", "name": "Həsənova Gülnarə", "email": "gulnare@example.az"},
        "submitted_at": "2026-11-20T08:00:00+00:00"}, source="accidents")
    with refused(503):  # the accidents service has no such report: the event is to be retried
        notify(service, event, lambda e: domain.plan_accident_submitted(e, service.addressees))
    assert [e["event_id"] for e in service.inbox_of(head_of(INSPECTORATE), 20, 0)[0]] == [event["id"]]
    assert service.deliveries(None, 20, 0) == ([], 0)


# --- dead letters -------------------------------------------------------------------------------

@pytest.fixture
def queue(amqp_url, bus_names):
    """A queue of the test's own, as the notifier's queue is for a replay."""
    name = f"{bus_names['queue_prefix']}.service-{uuid.uuid4().hex[:8]}"
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.queue_declare(name, durable=True)
    yield channel, name
    channel.queue_delete(name)
    connection.close()


def test_a_dead_letter_is_replayed_once(make_service, fresh_db, queue):
    channel, name = queue
    service = make_service()
    event = revocation(BANK)
    letter_id = f"{name}:{event['id']}"
    fresh_db.dead_letters.insert_one({  # as the kit's consumer keeps it
        "_id": letter_id, "queue": name, "event_id": event["id"], "event_type": event["type"],
        "body": json.dumps(event), "reason": "ServiceError: registry_unavailable", "attempts": 6, "state": "dead",
        "dead_ms": 1_795_000_000_000})
    (listed,), total = service.dead_letters("dead", 20, 0)
    assert total == 1 and listed["id"] == letter_id and "body" not in listed
    replayed = service.replay_dead_letter(letter_id)
    assert replayed["state"] == "replayed" and replayed["replayed_at"] is not None
    _method, properties, body = channel.basic_get(name, auto_ack=True)
    assert json.loads(body) == event and properties.headers["x-egov-replayed"] == 1
    with refused(409, "dead_letter_not_dead"):
        service.replay_dead_letter(letter_id)
    assert channel.basic_get(name, auto_ack=True) == (None, None, None)  # sent back once only
    with refused(404):
        service.replay_dead_letter(f"{name}:no-such-event")
    assert service.dead_letters("dead", 20, 0) == ([], 0)
