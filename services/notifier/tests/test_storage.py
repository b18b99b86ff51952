"""Storage-side guarantees against the real Mongo-speaking server: secrets unreadable at rest,
key rotation, the webhook cache that costs one read by _id per event yet sees every confirmed
change at once, and repeated planning that inserts nothing twice."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet
from pymongo import MongoClient, monitoring

from notifier_service.repository import NotifierRepository
from notifier_service.secretbox import SecretBox, new_dev_key, new_webhook_secret
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


def planned_hooks(directory: WebhookDirectory, voen: str = BANK) -> set[str]:
    """What planning one event does: check the version, then read the organisation's webhooks."""
    directory.check()
    return {h["_id"] for h in directory.for_voen(voen)}


def test_webhook_cache_costs_one_read_by_id_per_event_and_sees_confirmed_changes_at_once(counted):
    db, commands = counted
    repo = NotifierRepository(lambda: db)
    first = add_hook(repo, "https://a.example/hook")
    directory = WebhookDirectory(repo)
    assert planned_hooks(directory) == {first}
    commands.seen.clear()
    for _ in range(50):
        planned_hooks(directory)
    assert commands.seen == [("find", "meta")] * 50  # the version document, never the webhooks

    # Right after the change is stored (as the API answers), the next event sees it.
    second = add_hook(repo, "https://b.example/hook")
    assert planned_hooks(directory) == {first, second}
    repo.delete_webhook(BANK, first)
    repo.bump_webhooks_version()
    assert planned_hooks(directory) == {second}
    assert not directory.has(BANK, first) and directory.has(BANK, second)
    assert planned_hooks(directory, "1701100561") == set()


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
