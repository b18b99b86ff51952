"""The event bus against the real broker and the real Mongo-speaking server: nothing lost, each
event handled exactly once in effect — through relay crashes, broker disconnects, handler failures,
dead letters and replays, and competing consumers."""
from __future__ import annotations

import subprocess
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pika
import pytest
from pymongo.errors import DuplicateKeyError

from devtools.pytest_plugin import eventually
from egov_kit.bus import (Consumer, EventHandlers, PermanentFailure, Publisher, Relay,
                          dead_letter_times, document_with_events, new_event, replay_dead_letter,
                          update_with_events, wake_relay, wake_relay_if_events)

FAST_RETRIES = (100, 200, 400)


class Recorder:
    """A handler whose effect (a counter per event) would show any double handling."""

    def __init__(self, db, fail_times: int = 0, always_fail_ids=()):
        self.db = db
        self.fail_times = fail_times
        self.failures: dict[str, int] = {}
        self.always_fail_ids = set(always_fail_ids)
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            seen = self.failures.get(event["id"], 0)
            if event["id"] in self.always_fail_ids or seen < self.fail_times:
                self.failures[event["id"]] = seen + 1
                raise RuntimeError("downstream unavailable")
        self.db.effects.update_one({"_id": event["id"]}, {"$inc": {"count": 1}}, upsert=True)

    def counts(self) -> dict:
        return {doc["_id"]: doc["count"] for doc in self.db.effects.find()}


@pytest.fixture
def names(amqp_url):
    tag = uuid.uuid4().hex[:8]
    exchange, queue = f"test.bus.{tag}", f"test.bus.{tag}.q"
    yield exchange, queue
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    for name in [queue, f"{queue}.dead", f"{exchange}.unrouted"] + [f"{queue}.retry.{d}" for d in FAST_RETRIES]:
        channel.queue_delete(name)
    channel.exchange_delete(exchange)
    channel.exchange_delete(f"{exchange}.unrouted")
    connection.close()


def start_consumer(amqp_url, names, db, handler, **kwargs):
    handlers = EventHandlers()
    handlers.on("demo.thing.happened")(handler)
    consumer = Consumer(amqp_url=amqp_url, exchange=names[0], queue=names[1], handlers=handlers, db=db,
                        retry_delays_ms=FAST_RETRIES, prefetch=8, **kwargs)
    thread = threading.Thread(target=consumer.run_forever, daemon=True)
    thread.start()
    assert consumer.connected.wait(10)
    return consumer, thread


def write_things(db, count: int) -> list[str]:
    ids = []
    for i in range(count):
        event = new_event("demo.thing.happened", {"n": i}, source="demo")
        db.things.insert_one(document_with_events({"_id": f"thing-{i}", "n": i}, event))
        ids.append(event["id"])
    return ids


def test_outbox_event_is_written_with_its_data_and_relayed(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db)
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    try:
        created = new_event("demo.thing.happened", {"step": 1}, source="demo")
        fresh_db.things.insert_one(document_with_events({"_id": "t1", "v": 1}, created))
        changed = new_event("demo.thing.happened", {"step": 2}, source="demo")
        fresh_db.things.update_one({"_id": "t1"}, update_with_events({"$set": {"v": 2}}, changed))
        stored = fresh_db.things.find_one({"_id": "t1"})
        assert stored["v"] == 2 and set(stored["_outbox"]) == {created["id"], changed["id"]}

        relay = Relay(fresh_db, ["things"], Publisher(amqp_url, names[0]))
        assert relay.run_once() == 2
        assert relay.run_once() == 0
        relayed = fresh_db.things.find_one({"_id": "t1"})
        assert not relayed.get("_outbox_pending") and not relayed.get("_outbox") and relayed["v"] == 2
        eventually(lambda: recorder.counts() == {created["id"]: 1, changed["id"]: 1})
    finally:
        consumer.stop()


def test_an_event_added_while_the_relay_publishes_is_not_cleared_with_the_others(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db)
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    try:
        first = new_event("demo.thing.happened", {"step": 1}, source="demo")
        fresh_db.things.insert_one(document_with_events({"_id": "t1", "v": 1}, first))
        # A document stored before the sequence existed: its events are marked one by one.
        legacy = new_event("demo.thing.happened", {"step": 0}, source="demo")
        fresh_db.things.insert_one({"_id": "t0", "_outbox": {legacy["id"]: legacy}, "_outbox_pending": 1})
        later = new_event("demo.thing.happened", {"step": 2}, source="demo")

        def change_meanwhile(event, done=[]):
            if event["id"] == first["id"] and not done:  # between the relay's read and its mark
                done.append(True)
                fresh_db.things.update_one({"_id": "t1"}, update_with_events({"$set": {"v": 2}}, later))

        relay = Relay(fresh_db, ["things"], Publisher(amqp_url, names[0]), after_publish=change_meanwhile)
        assert relay.run_once() == 2
        stored = fresh_db.things.find_one({"_id": "t1"})
        assert stored["v"] == 2 and set(stored["_outbox"]) == {first["id"], later["id"]}
        assert not fresh_db.things.find_one({"_id": "t0"}).get("_outbox_pending")
        assert relay.run_once() == 2  # the first again (a repeat the consumer drops) and the later one
        assert relay.run_once() == 0
        eventually(lambda: recorder.counts() == {legacy["id"]: 1, first["id"]: 1, later["id"]: 1})
        assert not fresh_db.things.find_one({"_id": "t1"}).get("_outbox")
    finally:
        consumer.stop()


def test_relay_killed_between_publish_and_mark_republishes_and_consumer_drops_duplicate(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db)
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    try:
        ids = write_things(fresh_db, 5)

        class Killed(BaseException):
            pass

        def die_after_third(event, seen=[]):
            seen.append(event["id"])
            if len(seen) == 3:
                raise Killed()

        dying = Relay(fresh_db, ["things"], Publisher(amqp_url, names[0]), after_publish=die_after_third)
        with pytest.raises(Killed):
            dying.run_once()
        # The third event reached the broker but was never marked: a new relay sends it again.
        assert fresh_db.things.count_documents({"_outbox_pending": {"$gt": 0}}) == 3
        assert Relay(fresh_db, ["things"], Publisher(amqp_url, names[0])).run_once() == 3
        eventually(lambda: len(recorder.counts()) == 5)
        eventually(lambda: fresh_db.processed_events.count_documents({"state": "done"}) == 5)
        assert recorder.counts() == {i: 1 for i in ids}
    finally:
        consumer.stop()


def test_handler_failing_n_times_is_retried_with_delay_then_handled_once(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db, fail_times=2)
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    try:
        ids = write_things(fresh_db, 3)
        Relay(fresh_db, ["things"], Publisher(amqp_url, names[0])).run_once()
        eventually(lambda: len(recorder.counts()) == 3, timeout=15)
        assert recorder.counts() == {i: 1 for i in ids}
        assert all(recorder.failures[i] == 2 for i in ids)
        assert fresh_db.dead_letters.count_documents({}) == 0
    finally:
        consumer.stop()


def test_poison_message_is_dead_lettered_then_replayed_once(fresh_db, amqp_url, names):
    poison = {"fail": True}

    def handler(event):
        if poison["fail"]:
            raise RuntimeError("cannot handle")
        fresh_db.effects.update_one({"_id": event["id"]}, {"$inc": {"count": 1}}, upsert=True)

    consumer, _ = start_consumer(amqp_url, names, fresh_db, handler)
    try:
        [event_id] = write_things(fresh_db, 1)
        Relay(fresh_db, ["things"], Publisher(amqp_url, names[0])).run_once()
        dead = eventually(lambda: fresh_db.dead_letters.find_one({"event_id": event_id}), timeout=15)
        assert dead["attempts"] == len(FAST_RETRIES) + 1 and "cannot handle" in dead["reason"]
        assert fresh_db.effects.count_documents({}) == 0

        poison["fail"] = False
        publisher = Publisher(amqp_url, names[0])
        assert replay_dead_letter(fresh_db, publisher, dead["_id"]) is True
        assert replay_dead_letter(fresh_db, publisher, dead["_id"]) is False  # a second replay is refused
        eventually(lambda: fresh_db.effects.find_one({"_id": event_id}))
        eventually(lambda: fresh_db.processed_events.find_one({"_id": f"{names[1]}:{event_id}", "state": "done"}))
        assert fresh_db.effects.find_one({"_id": event_id})["count"] == 1
        shown = dead_letter_times(fresh_db.dead_letters.find_one({"_id": dead["_id"]}))
        assert shown["state"] == "replayed"
        assert isinstance(shown["dead_at"], datetime) and isinstance(shown["replayed_at"], datetime)
        assert shown["dead_at"] <= shown["replayed_at"] <= datetime.now(timezone.utc)
    finally:
        consumer.stop()


def test_a_stale_claim_is_taken_over_once_and_its_time_reads_back_as_a_number(fresh_db):
    consumer = Consumer(amqp_url="amqp://unused", exchange="x", queue="q", handlers={}, db=fresh_db)
    assert consumer._claim("q:1") == "claimed"
    assert consumer._claim("q:1") == "busy"  # fresh: someone is on it
    stored = fresh_db.processed_events.find_one({"_id": "q:1"})
    assert isinstance(stored["claimed_ms"], int) and isinstance(stored["claimed_at"], datetime)
    # The claimer vanished long ago: the claim is taken over, and its new time is still a number.
    long_ago = int((datetime.now(timezone.utc) - timedelta(hours=1)).timestamp() * 1000)
    fresh_db.processed_events.update_one({"_id": "q:1"}, {"$set": {"claimed_ms": long_ago}})
    assert consumer._claim("q:1") == "claimed"
    taken = fresh_db.processed_events.find_one({"_id": "q:1"})
    assert isinstance(taken["claimed_ms"], int) and taken["claimed_ms"] > long_ago
    assert consumer._claim("q:1") == "busy"  # and now it is fresh again
    # A claim written before `claimed_ms` existed (only a date) is judged by that date.
    fresh_db.processed_events.insert_one({"_id": "q:2", "state": "processing",
                                          "claimed_at": datetime.now(timezone.utc) - timedelta(hours=1)})
    assert consumer._claim("q:2") == "claimed"
    assert consumer._claim("q:2") == "busy"


def test_malformed_message_goes_straight_to_dead_letters(fresh_db, amqp_url, names):
    def handler(event):
        raise PermanentFailure("schema")

    consumer, _ = start_consumer(amqp_url, names, fresh_db, handler)
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        channel.basic_publish(names[0], "demo.thing.happened", b"not json at all")
        event = new_event("demo.thing.happened", {}, source="demo")
        Publisher(amqp_url, names[0]).publish(event)
        connection.close()
        eventually(lambda: fresh_db.dead_letters.count_documents({}) == 2)
        assert fresh_db.dead_letters.find_one({"event_id": event["id"]})["attempts"] == 0
    finally:
        consumer.stop()


def _close_broker_connections(prefix: str):
    listing = subprocess.run(["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
                             capture_output=True, text=True, timeout=30).stdout
    for line in listing.splitlines():
        if prefix in line:
            pid = line.split("\t")[0]
            subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, "test: broker connection cut"],
                           capture_output=True, timeout=30)


def test_broker_connection_cut_mid_stream_loses_nothing_and_doubles_nothing(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db)
    tag = f"chaos-{uuid.uuid4().hex[:6]}"
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder, name=f"{tag}-consumer")
    relay = Relay(fresh_db, ["things"], Publisher(amqp_url, names[0], name=f"{tag}-relay"), poll_interval=0.01)
    relay_thread = threading.Thread(target=relay.run_forever, daemon=True)
    relay_thread.start()
    try:
        ids = write_things(fresh_db, 150)
        eventually(lambda: len(recorder.counts()) >= 30, timeout=20)
        _close_broker_connections(tag)  # both the relay's and the consumer's connections drop
        more = []
        for i in range(150, 200):
            event = new_event("demo.thing.happened", {"n": i}, source="demo")
            fresh_db.things.insert_one(document_with_events({"_id": f"thing-{i}"}, event))
            more.append(event["id"])
        eventually(lambda: len(recorder.counts()) == 200, timeout=60, message="all 200 events handled")
        assert recorder.counts() == {i: 1 for i in ids + more}
    finally:
        relay.stop()
        consumer.stop()


def test_two_consumers_on_one_queue_handle_each_event_once(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db)
    first, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    second, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    try:
        ids = write_things(fresh_db, 60)
        publisher = Publisher(amqp_url, names[0])
        # Every event published twice (as after a relay crash), spread over both consumers.
        for doc in fresh_db.things.find():
            for event in doc["_outbox"].values():
                publisher.publish(event)
                publisher.publish(event)
        eventually(lambda: len(recorder.counts()) == 60, timeout=30)
        eventually(lambda: fresh_db.processed_events.count_documents({"state": "done"}) == 60)
        assert recorder.counts() == {i: 1 for i in ids}
    finally:
        first.stop()
        second.stop()


def test_a_writer_wakes_the_relay_instead_of_waiting_for_its_next_poll(fresh_db, amqp_url, names):
    recorder = Recorder(fresh_db)
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    relay = Relay(fresh_db, ["things"], Publisher(amqp_url, names[0]), poll_interval=3600)
    thread = threading.Thread(target=relay.run_forever, daemon=True)
    thread.start()
    try:
        eventually(lambda: relay.run_once() == 0)  # started and idle: it would poll again in an hour
        event = new_event("demo.thing.happened", {"n": 1}, source="demo")
        fresh_db.things.insert_one(document_with_events({"_id": "woken", "n": 1}, event))
        wake_relay_if_events(fresh_db.name)
        eventually(lambda: recorder.counts() == {event["id"]: 1}, timeout=20)
    finally:
        relay.stop()
        wake_relay(fresh_db.name)
        thread.join(10)
        consumer.stop()


class CountingRelay(Relay):
    polls = 0

    def run_once(self) -> int:
        self.polls += 1
        return super().run_once()


def test_an_idle_relay_asks_less_and_less_often_yet_publishes_what_comes(fresh_db, amqp_url, names):
    """Twenty polls a second per relay kept the database busy for nothing: idle, the relay waits
    twice as long after each empty poll (up to the longest wait); a writer still wakes it at once,
    and an event written by one that cannot (another host) is found by the next poll."""
    recorder = Recorder(fresh_db)
    consumer, _ = start_consumer(amqp_url, names, fresh_db, recorder)
    relay = CountingRelay(fresh_db, ["things"], Publisher(amqp_url, names[0]), poll_interval=0.01,
                          max_poll_interval=0.2)
    thread = threading.Thread(target=relay.run_forever, daemon=True)
    thread.start()
    try:
        time.sleep(2)
        assert relay.polls < 30  # every 10 ms, it would have been about 200

        woken = new_event("demo.thing.happened", {"n": 1}, source="demo")
        fresh_db.things.insert_one(document_with_events({"_id": "woken", "n": 1}, woken))
        wake_relay_if_events(fresh_db.name)
        eventually(lambda: recorder.counts() == {woken["id"]: 1}, timeout=20)

        unannounced = new_event("demo.thing.happened", {"n": 2}, source="demo")
        fresh_db.things.insert_one(document_with_events({"_id": "unannounced", "n": 2}, unannounced))
        eventually(lambda: recorder.counts() == {woken["id"]: 1, unannounced["id"]: 1}, timeout=20)
    finally:
        relay.stop()
        wake_relay(fresh_db.name)
        thread.join(10)
        consumer.stop()


def test_self_deduplicating_handlers_run_without_claims_and_repeats_stay_harmless(fresh_db, amqp_url, names):
    handlers = EventHandlers(self_deduplicating=True)

    @handlers.on("demo.thing.happened")
    def record(event):  # keyed by the event id: a repeat inserts nothing
        try:
            fresh_db.effects.insert_one({"_id": event["id"]})
        except DuplicateKeyError:
            pass

    consumer = Consumer(amqp_url=amqp_url, exchange=names[0], queue=names[1], handlers=handlers, db=fresh_db,
                        retry_delays_ms=FAST_RETRIES)
    assert consumer.use_claims is False
    threading.Thread(target=consumer.run_forever, daemon=True).start()
    try:
        assert consumer.connected.wait(10)
        event = new_event("demo.thing.happened", {}, source="demo")
        publisher = Publisher(amqp_url, names[0])
        publisher.publish(event)
        publisher.publish(event)  # the same event again (a redelivery, a replay)
        eventually(lambda: fresh_db.effects.count_documents({}) == 1)
        publisher.close()
        assert fresh_db.processed_events.count_documents({}) == 0
    finally:
        consumer.stop()


def test_grouped_acks_leave_nothing_unacked_after_a_trickle_or_a_burst(fresh_db, amqp_url, names):
    """Acks go out in groups; none may be left hanging: without claims, a message still unacked
    when its consumer stops would be handled again by the next one."""
    recorder = Recorder(fresh_db)
    consumer, thread = start_consumer(amqp_url, names, fresh_db, recorder, claims=False)
    publisher = Publisher(amqp_url, names[0], name="test-acks")
    trickle = [new_event("demo.thing.happened", {"n": i}, source="demo") for i in range(3)]
    for event in trickle:  # one at a time: fewer than a group each time
        publisher.publish(event)
        eventually(lambda: recorder.counts().get(event["id"]) == 1, 10, message="the trickled event")
    burst = [new_event("demo.thing.happened", {"n": i}, source="demo") for i in range(50)]
    for event in burst:
        publisher.publish(event)
    eventually(lambda: len(recorder.counts()) == 53, 20, message="the burst")
    consumer.stop()
    thread.join(10)
    publisher.close()
    successor, successor_thread = start_consumer(amqp_url, names, fresh_db, recorder, claims=False)
    try:
        successor_thread.join(1.5)  # anything left unacked would be delivered to it now
        assert set(recorder.counts().values()) == {1}
    finally:
        successor.stop()
        successor_thread.join(10)
