"""Storage-side guarantees against the real Mongo-speaking server: secrets unreadable at rest,
key rotation, planning that costs one write per event (the webhook cache checked in that same
write) yet sees every confirmed change at once, and repeated planning that inserts nothing twice."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet
from pymongo import MongoClient, monitoring
from pymongo.errors import BulkWriteError

from egov_kit.bus import new_event
from notifier_service import domain
from notifier_service.repository import WEBHOOKS_VERSION_ID, NotifierRepository
from notifier_service.secretbox import SecretBox, new_dev_key, new_webhook_secret
from notifier_service.service import NotifierService
from notifier_service.settings import NotifierSettings
from notifier_service.webhooks import WebhookDirectory

BANK = "9900072351"


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def started(self, event):
        target = event.command.get(event.command_name)
        self.seen.append((event.command_name, target if isinstance(target, str) else ""))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


@pytest.fixture
def counted(mongo_uri, fresh_db):
    """The test's database through a client that counts the commands sent."""
    commands = Commands()
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    yield client[fresh_db.name], commands
    client.close()


def add_hook(repo: NotifierRepository, url: str) -> str:
    hook_id = uuid.uuid4().hex
    repo.add_webhook({"_id": hook_id, "voen": BANK, "url": url, "secret_encrypted": "x",
                      "created_at": datetime.now(timezone.utc)})
    repo.bump_webhooks_version()
    return hook_id


def test_secrets_are_unreadable_at_rest_and_keys_can_be_rotated():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secret = new_webhook_secret()
    stored = SecretBox(old).encrypt(secret)
    assert secret not in stored
    assert SecretBox(f"{new},{old}").decrypt(stored) == secret  # rotated: the old key still reads
    with pytest.raises(RuntimeError):
        SecretBox(new).decrypt(stored)
    assert SecretBox("a long passphrase").decrypt(SecretBox("a long passphrase").encrypt(secret)) == secret


def test_development_key_is_made_once_and_shared(fresh_db):
    repo = NotifierRepository(lambda: fresh_db)
    api_side, consumer_side = (SecretBox(None, lambda: repo.dev_key(new_dev_key)) for _ in range(2))
    assert consumer_side.decrypt(api_side.encrypt("s3cret")) == "s3cret"
    assert fresh_db.keys.count_documents({}) == 1


def planner(db) -> NotifierService:
    """The consumer's planning on `db` (no delivery worker: what it plans stays pending)."""
    repo = NotifierRepository(lambda: db)
    return NotifierService(repository=repo, secrets=SecretBox(Fernet.generate_key().decode()),
                           settings=NotifierSettings(), resolve=lambda host: [], publisher=lambda: None,
                           webhooks=WebhookDirectory(repo), registry=None, documents=None)


def planned_hooks(service: NotifierService, stored, voen: str = BANK) -> set[str]:
    """Plans one revocation addressed to `voen`; the webhooks it planned deliveries to, as stored."""
    event = new_event("certificates.certificate.revoked", {
        "number": f"ARY-{uuid.uuid4().hex[:6]}", "holder_name": "Məmmədov İlqar", "reason": "holder",
        "destination": "addressed", "addressee_voen": voen, "addressee_name": "Dan Ulduzu Bank",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00"}, source="certificates")
    service.notify(event, domain.plan_certificate_revoked(event))
    assert stored.deliveries.count_documents({"event_id": event["id"], "channel": "inbox"}) == 1
    return {d["webhook_id"] for d in stored.deliveries.find({"event_id": event["id"], "channel": "webhook"})}


WRITE = ("update", "deliveries")      # the event's plan, with the check of the webhooks' version
REFRESH = [("find", "deliveries"),    # the version, by _id
           ("find", "webhooks")]      # the organisation's webhooks


def test_planning_costs_one_write_per_event_and_sees_confirmed_changes_at_once(counted, fresh_db):
    db, commands = counted
    service = planner(db)
    first = add_hook(service.repository, "https://a.example/hook")
    commands.seen.clear()
    assert planned_hooks(service, fresh_db) == {first}
    assert commands.seen == REFRESH + [WRITE]  # the first event reads the version and the webhooks
    commands.seen.clear()
    for _ in range(50):
        assert planned_hooks(service, fresh_db) == {first}
    assert commands.seen == [WRITE] * 50  # nothing read: neither the version nor the webhooks

    # Right after the change is stored (as the API answers), the next event sees it: its write
    # finds the version moved, the cache is read again, and the delivery still missing is added.
    second = add_hook(service.repository, "https://b.example/hook")
    commands.seen.clear()
    assert planned_hooks(service, fresh_db) == {first, second}
    assert commands.seen == [WRITE] + REFRESH + [WRITE]
    commands.seen.clear()
    assert planned_hooks(service, fresh_db) == {first, second}
    assert commands.seen == [WRITE]

    # A delivery planned from the stale cache to a deleted webhook is taken back before it is sent.
    service.repository.delete_webhook(BANK, first)
    service.repository.bump_webhooks_version()
    commands.seen.clear()
    assert planned_hooks(service, fresh_db) == {second}
    assert commands.seen == [WRITE] + REFRESH + [("delete", "deliveries")]
    assert not service.webhooks.has(BANK, first) and service.webhooks.has(BANK, second)
    assert planned_hooks(service, fresh_db, "1701100561") == set()
    assert service.deliveries(None, 100, 0)[1] == fresh_db.deliveries.count_documents({"channel": "webhook"})


def test_the_plan_write_tells_whether_webhooks_changed(fresh_db):
    repo = NotifierRepository(lambda: fresh_db)
    version = repo.webhooks_version()
    assert (version, fresh_db.deliveries.find_one({"_id": WEBHOOKS_VERSION_ID})) == \
        (0, {"_id": WEBHOOKS_VERSION_ID, "version": 0})  # made, so the check can match it
    docs = [{"_id": "e1:inbox", "n": 1}, {"_id": "e1:webhook:w1", "n": 2}]
    assert repo.add_plan(docs, version) == (["e1:inbox", "e1:webhook:w1"], True)
    assert repo.add_plan(docs, version) == ([], True)  # a repeat: matched, nothing inserted
    repo.bump_webhooks_version()
    assert repo.add_plan(docs + [{"_id": "e1:webhook:w2"}], version) == (["e1:webhook:w2"], False)
    assert repo.add_plan(docs, version + 1) == ([], True)
    assert fresh_db.deliveries.find_one({"_id": WEBHOOKS_VERSION_ID}) == {"_id": WEBHOOKS_VERSION_ID, "version": 1}


class RacedCollection:
    """Answers a bulk write as MongoDB does when another process inserted one of the ids between
    an upsert's look-up and its insert (and did not retry it)."""

    def __init__(self, details: dict):
        self.details = details

    def bulk_write(self, writes, ordered):
        raise BulkWriteError(self.details)


def test_an_upsert_that_lost_a_race_counts_as_planned_before():
    def add_plan(n_matched: int, upserted: list[int], errors: list[dict] | None = None):
        details = {"writeErrors": errors or [{"index": 0, "code": 11000, "errmsg": "E11000"}],
                   "nMatched": n_matched, "upserted": [{"index": i, "_id": f"d{i}"} for i in upserted],
                   "nUpserted": len(upserted)}
        repo = NotifierRepository(lambda: type("Db", (), {"deliveries": RacedCollection(details)})())
        return repo.add_plan([{"_id": "d0"}, {"_id": "d1"}, {"_id": "d2"}], 4)

    assert add_plan(1, [1, 2]) == (["d1", "d2"], True)    # only the guard matched
    assert add_plan(0, [1, 2]) == (["d1", "d2"], False)
    assert add_plan(2, [1]) == (["d1"], True)             # d2 was there already, and the guard matched
    assert add_plan(1, [1]) == (["d1"], False)
    with pytest.raises(BulkWriteError):                   # anything else is not for the planner to hide
        add_plan(1, [0, 1, 2], errors=[{"index": 3, "code": 11000}])
    with pytest.raises(BulkWriteError):
        add_plan(1, [1, 2], errors=[{"index": 0, "code": 2}])


def test_planning_twice_inserts_nothing_twice(fresh_db):
    repo = NotifierRepository(lambda: fresh_db)
    repo.ensure_indexes()
    event = {"id": uuid.uuid4().hex, "type": "certificates.certificate.revoked", "data": {"number": "1"}}
    now = datetime.now(timezone.utc)
    docs = [repo.inbox_entry(entry_id=f"{event['id']}:{BANK}", event=event, voen=BANK, now=now, title="t",
                             title_en="t"),
            repo.new_delivery(delivery_id=f"{event['id']}:webhook:w1", event=event, channel="webhook",
                              recipient="w1", now=now, give_up_at=now + timedelta(hours=24))]
    assert repo.add_notifications(docs) == [d["_id"] for d in docs]
    assert repo.add_notifications(docs) == []
    assert fresh_db.deliveries.count_documents({"event_id": event["id"]}) == 2
    (entry,), total = repo.inbox_page(BANK, 10, 0)
    assert total == 1 and entry["type"] == "certificates.certificate.revoked" and entry["event_id"] == event["id"]


def test_a_delivery_is_held_by_one_worker_at_a_time(fresh_db):
    repo = NotifierRepository(lambda: fresh_db)
    event = {"id": uuid.uuid4().hex, "type": "t"}
    now = datetime.now(timezone.utc)
    repo.add_notifications([repo.new_delivery(delivery_id="d1", event=event, channel="webhook", recipient="w1",
                                              now=now, give_up_at=now + timedelta(hours=1))])
    first = repo.claim("d1", now, 60, "w1")
    assert first is not None and first["attempts"] == 1
    assert repo.claim("d1", now, 60, "w2") is None
    assert repo.reclaim("d1", now, 60, "w2") is None  # its lease still runs
    taken_over = repo.reclaim("d1", now + timedelta(seconds=61), 60, "w2")
    assert taken_over is not None and taken_over["attempts"] == 2
    # The first worker's late outcome no longer counts, though its attempt is logged; the holder's does.
    def attempt(n, worker, outcome):
        return repo.attempt_entry(attempt=n, at=now, outcome=outcome, state="pending" if outcome == "retry" else "sent",
                                  status=503 if outcome == "retry" else 204, error=None, seconds=0.01, worker=worker)
    late = {"_id": "d1", "claim": first["claim"], "state": "pending", "at": now, "attempt": attempt(1, "w1", "retry")}
    assert repo.finish_many([late]) == 0
    assert fresh_db.deliveries.find_one({"_id": "d1"})["state"] == "sending"
    held = {"_id": "d1", "claim": taken_over["claim"], "state": "sent", "at": now, "attempt": attempt(2, "w2", "sent")}
    assert repo.finish_many([held]) == 1
    assert repo.finish_many([held]) == 0  # written once: the claim is gone with it
    assert fresh_db.deliveries.find_one({"_id": "d1"})["state"] == "sent"
    log = repo.attempts_of("d1")
    assert [(a["attempt"], a["worker"], a["outcome"], a["status"]) for a in log] == \
        [(1, "w1", "retry", 503), (2, "w2", "sent", 204)]
    assert abs(log[0]["at"] - now) < timedelta(milliseconds=2)
