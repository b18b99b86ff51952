"""Domain events: envelope, outbox, relay (publisher confirms) and reliable consumers.

Outbox: an event is stored inside the very document whose change caused it, in the same single
write (`_outbox.<event id>`, a `_outbox_pending` counter and the `_outbox_seq` of events ever
recorded) — no multi-document transaction. The relay publishes pending events with confirms and
only then clears them (one bulk write a drain); if it dies in between, the event is published
again and consumers drop the duplicate by event id. It polls — less often the longer it finds
nothing — and is also woken by the writer on the same host the moment events are written
(wake_relay).

Consumers: one durable (quorum) queue per consuming service, explicit prefetch, manual ack after
the handler's work is durable, retries through TTL queues with growing delays, a dead-letter
queue after the last attempt, and reconnection with back-off when the broker goes away. A
claim per event (`processed_events`) drops repeats, unless the handlers declare that their own
writes are keyed by the event id (EventHandlers(self_deduplicating=True))."""
from __future__ import annotations

import contextvars
import json
import logging
import random
import select
import socket
import threading
import time
import uuid
from datetime import timedelta
from typing import Callable, Iterable

import pika
from pika.exceptions import AMQPError
from pymongo import UpdateMany, UpdateOne
from pymongo.errors import DuplicateKeyError, PyMongoError

from .clock import epoch_ms, from_epoch_ms, parse_instant, utcnow
from .logs import request_id_var

log = logging.getLogger("egov.bus")


def _claim_ms(doc: dict) -> int | None:
    if isinstance(doc.get("claimed_ms"), (int, float)):
        return int(doc["claimed_ms"])
    claimed_at = parse_instant(doc.get("claimed_at"))  # claims written before `claimed_ms` existed
    return None if claimed_at is None else epoch_ms(claimed_at)


# --- envelope -----------------------------------------------------------------------------

def new_event(event_type: str, data: dict, *, source: str, correlation_id: str | None = None,
              version: int = 1) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "type": event_type,
        "occurred_at": utcnow().isoformat(timespec="microseconds"),
        "source": source,
        "version": version,
        "correlation_id": correlation_id or request_id_var.get() or uuid.uuid4().hex,
        "data": data,
    }


# --- outbox -------------------------------------------------------------------------------

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
# How many events were ever recorded in the document: it only grows, so a relay that finds it
# unchanged knows no event was added since it read the outbox (see Relay.run_once).
SEQUENCE = "_outbox_seq"
INTERNAL_FIELDS = (OUTBOX, PENDING, SEQUENCE)


# --- waking the relay ---------------------------------------------------------------------
# The relay polls; it is also woken the moment events are written, so an event does not wait
# for the next poll. Writers on this host send a datagram to the relay of their database (a
# Linux abstract-namespace socket named after it, so there is nothing to configure or clean up);
# best effort: with no relay on this host, or on another system, polling alone carries on.

_events_recorded: contextvars.ContextVar[bool] = contextvars.ContextVar("egov_events_recorded", default=False)
_wake_sender: socket.socket | None = None


def _wake_address(db_name: str) -> str:
    return f"\0egov-relay:{db_name}"


def wake_relay(db_name: str) -> None:
    """Tells this host's relay for `db_name` that events wait to be published."""
    global _wake_sender
    try:
        if _wake_sender is None:
            sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sender.setblocking(False)
            _wake_sender = sender
        _wake_sender.sendto(b"!", _wake_address(db_name))
    except (OSError, AttributeError):
        pass  # no relay listening here (or no such sockets on this system): it polls anyway


def wake_relay_if_events(db_name: str) -> None:
    """After a write (a request, a handled event): wakes the relay if events were recorded."""
    if _events_recorded.get():
        _events_recorded.set(False)
        wake_relay(db_name)


def _wake_listener(db_name: str) -> socket.socket | None:
    try:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(_wake_address(db_name))
        listener.setblocking(False)
        return listener
    except (OSError, AttributeError):
        return None  # another relay of this database on this host has it, or not supported


def document_with_events(document: dict, *events: dict) -> dict:
    """A new document carrying its events, for insert_one."""
    _events_recorded.set(True)
    document = dict(document)
    document[OUTBOX] = {event["id"]: event for event in events}
    document[PENDING] = len(events)
    document[SEQUENCE] = len(events)
    return document


def update_with_events(update: dict, *events: dict) -> dict:
    """An update document that also records the events, for update_one/find_one_and_update."""
    _events_recorded.set(True)
    update = {op: dict(fields) for op, fields in update.items()}
    sets = update.setdefault("$set", {})
    for event in events:
        sets[f"{OUTBOX}.{event['id']}"] = event
    incs = update.setdefault("$inc", {})
    incs[PENDING] = incs.get(PENDING, 0) + len(events)
    incs[SEQUENCE] = incs.get(SEQUENCE, 0) + len(events)
    return update


def strip_internal(document: dict | None) -> dict | None:
    if document is None:
        return None
    return {k: v for k, v in document.items() if k not in INTERNAL_FIELDS}


# --- topology -----------------------------------------------------------------------------

def connection_parameters(amqp_url: str, name: str) -> pika.URLParameters:
    params = pika.URLParameters(amqp_url)
    params.heartbeat = 30
    params.blocked_connection_timeout = 30
    params.socket_timeout = 5
    params.connection_attempts = 1
    params.client_properties = {"connection_name": f"{name}@{socket.gethostname()}"}
    return params


def declare_exchange(channel, exchange: str) -> None:
    # Events nobody is bound for yet go to a holding queue instead of being dropped.
    unrouted = f"{exchange}.unrouted"
    channel.exchange_declare(unrouted, "fanout", durable=True)
    channel.queue_declare(unrouted, durable=True, arguments={"x-max-length": 100_000})
    channel.queue_bind(unrouted, unrouted)
    channel.exchange_declare(exchange, "topic", durable=True,
                             arguments={"alternate-exchange": unrouted})


class Publisher:
    """Publishes with publisher confirms and `mandatory`; raises if the broker did not take it."""

    def __init__(self, amqp_url: str, exchange: str, name: str = "publisher"):
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.name = name
        self._connection = None
        self._channel = None

    def _ensure(self):
        if self._channel is None or self._channel.is_closed or self._connection.is_closed:
            self.close()
            self._connection = pika.BlockingConnection(connection_parameters(self.amqp_url, self.name))
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            declare_exchange(self._channel, self.exchange)
        return self._channel

    def publish(self, event: dict, routing_key: str | None = None, exchange: str | None = None,
                headers: dict | None = None) -> None:
        channel = self._ensure()
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=2, message_id=event["id"],
            type=event.get("type"), correlation_id=event.get("correlation_id"),
            timestamp=int(time.time()), headers=headers or {})
        channel.basic_publish(self.exchange if exchange is None else exchange,
                              routing_key or event["type"],
                              json.dumps(event, ensure_ascii=False).encode(), properties, mandatory=True)

    def close(self):
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except AMQPError:
            pass
        self._connection = self._channel = None


def _event_marks(doc_id, event_ids: list[str]) -> list[UpdateOne]:
    """Marks published events of one document one by one, each guarded by the event's key so a
    repeat changes nothing."""
    marks = []
    for event_id in event_ids:
        key = f"{OUTBOX}.{event_id}"
        marks.append(UpdateOne({"_id": doc_id, key: {"$exists": True}}, {"$unset": {key: ""}, "$inc": {PENDING: -1}}))
    return marks


class Relay:
    """Drains the outbox of the given collections to the exchange."""

    def __init__(self, db, collections: Iterable[str], publisher: Publisher, *,
                 poll_interval: float = 0.05, max_poll_interval: float | None = None, batch: int = 200,
                 gather: float = 0.05, after_publish: Callable[[dict], None] | None = None):
        """`poll_interval`: the wait after a drain that found events (or after being woken);
        each drain that finds nothing doubles it, up to `max_poll_interval` (default: the same,
        no growing): an idle relay asks the database a few times a second instead of twenty,
        while a writer on this host still wakes it at once (wake_relay). `gather`: while events
        keep coming (a drain found more than one), the least time between the starts of two
        drains, so that under load one drain (one find and one bulk write a collection) carries
        many events rather than a few; a lone event, as outside load, leaves at once."""
        self.db = db
        self.collections = list(collections)
        self.publisher = publisher
        self.poll_interval = poll_interval
        self.max_poll_interval = max(poll_interval, max_poll_interval or poll_interval)
        self.batch = batch
        self.gather = gather
        self._more = False  # the last drain stopped at `batch` documents: more wait
        self.after_publish = after_publish
        self.stopping = threading.Event()
        for name in self.collections:
            self.db[name].create_index(PENDING, sparse=True)

    def run_once(self) -> int:
        published = 0
        self._more = False
        for name in self.collections:
            collection = self.db[name]
            # Each event is published (and confirmed by the broker) before it is marked. A document
            # whose events all went out is cleared with one guard, its sequence as read: had an
            # event been added meanwhile, the sequence would have grown, nothing is cleared, and the
            # next drain sends the document's events again (consumers drop repeats by event id).
            # Such documents are cleared a batch at a time, one update per sequence value
            # (documents written once with their event all share 1). Documents from before the
            # sequence existed, and one cut short, have each published event marked on its own,
            # guarded by the event's key. All marks of a drain go in one unordered bulk write, also
            # when a publish fails or a hook raises; a relay killed before it marks publishes again.
            marks: list = []  # the bulk write: events marked one by one, then the cleared batches
            whole: dict[int, list] = {}  # sequence as read → documents all of whose events went out
            doc_id, sent = None, []  # the document being published, and its events confirmed so far
            docs = 0
            try:
                for doc in collection.find({PENDING: {"$gt": 0}}, {OUTBOX: 1, SEQUENCE: 1}).limit(self.batch):
                    docs += 1
                    doc_id, sent = doc["_id"], []
                    for event in sorted((doc.get(OUTBOX) or {}).values(), key=lambda e: e["occurred_at"]):
                        self.publisher.publish(event)
                        if self.after_publish:
                            self.after_publish(event)
                        sent.append(event["id"])
                    sequence = doc.get(SEQUENCE)
                    if isinstance(sequence, int) and not isinstance(sequence, bool) and sequence > 0:
                        whole.setdefault(sequence, []).append(doc_id)
                        published += len(sent)
                    else:
                        marks += _event_marks(doc_id, sent)
                    doc_id, sent = None, []
            finally:
                marks += _event_marks(doc_id, sent)  # a document cut short
                published += len(marks)
                marks += [UpdateMany({"_id": {"$in": ids}, SEQUENCE: sequence}, {"$unset": {OUTBOX: "", PENDING: ""}})
                          for sequence, ids in whole.items()]
                if marks:
                    collection.bulk_write(marks, ordered=False)
            self._more = self._more or docs >= self.batch
        return published

    def _idle(self, wake: socket.socket | None, seconds: float) -> bool:
        """Until the next poll, or until a writer wakes us (see wake_relay): whether one did."""
        if wake is None:
            self.stopping.wait(seconds)
            return False
        woken = False
        try:
            ready, _, _ = select.select([wake], [], [], seconds)
            while ready:
                wake.recv(64)  # several wake-ups make one poll
                woken = True
        except BlockingIOError:
            pass
        except OSError:
            self.stopping.wait(seconds)
        return woken

    def run_forever(self) -> None:
        backoff = 0.5
        wait = self.poll_interval
        wake = _wake_listener(self.db.name)
        while not self.stopping.is_set():
            try:
                started = time.monotonic()
                published = self.run_once()
                backoff = 0.5
                if published:
                    wait = self.poll_interval
                if not self._more:
                    woken = self._idle(wake, wait)
                    # Nothing found and nobody woke us: the next poll may wait longer.
                    wait = self.poll_interval if woken else min(wait * 2, self.max_poll_interval)
                    if published > 1:
                        # Events come faster than one a drain: let the next ones gather for a
                        # moment. A lone event (the usual case outside load) never waits.
                        rest = self.gather - (time.monotonic() - started)
                        if rest > 0:
                            self.stopping.wait(rest)
            except (AMQPError, PyMongoError, OSError) as exc:
                log.warning("relay paused: %s", type(exc).__name__)
                self.publisher.close()
                self.stopping.wait(backoff + random.random() * backoff / 2)
                backoff = min(backoff * 2, 30)
        self.publisher.close()
        if wake is not None:
            wake.close()

    def stop(self):
        self.stopping.set()


# --- consumers ----------------------------------------------------------------------------

class PermanentFailure(Exception):
    """The message can never succeed (malformed, contradicts the schema): dead-letter it now."""


class EventHandlers:
    """Registry of handlers, declared where they are handled:

        handlers = EventHandlers()
        @handlers.on("contracts.notice.signed")
        def project_contract(event): ...
    """

    def __init__(self, *, self_deduplicating: bool = False):
        """`self_deduplicating=True` declares that every handler's effects are keyed by the event
        id (e.g. inserts whose ids are made from it, so handling a repeat, even at the same time
        in another replica, adds nothing): the consumer then keeps no claim per event in
        `processed_events`, which saves two database round trips per event."""
        self.by_type: dict[str, Callable[[dict], None]] = {}
        self.self_deduplicating = self_deduplicating

    def on(self, event_type: str):
        def register(func):
            self.by_type[event_type] = func
            return func
        return register


ATTEMPTS_HEADER = "x-egov-attempts"
CLAIM_STALE_AFTER = timedelta(minutes=5)


class Consumer:
    def __init__(self, *, amqp_url: str, exchange: str, queue: str, handlers: EventHandlers | dict,
                 db, prefetch: int = 16, retry_delays_ms: Iterable[int] = (1000, 5000, 30000, 120000, 600000),
                 quorum: bool = True, name: str | None = None, claims: bool | None = None):
        """`claims`: keep a claim per event (`processed_events`, _id `<queue>:<event id>`) so a
        repeat is dropped and replicas do not handle one event at the same time; by default
        unless the handlers are declared self-deduplicating (see EventHandlers)."""
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.queue = queue
        self.handlers = handlers.by_type if isinstance(handlers, EventHandlers) else dict(handlers)
        if claims is None:
            claims = not (isinstance(handlers, EventHandlers) and handlers.self_deduplicating)
        self.use_claims = claims
        self.db = db
        self.prefetch = prefetch
        self.retry_delays_ms = list(retry_delays_ms)
        self.max_attempts = len(self.retry_delays_ms) + 1
        self.quorum = quorum
        self.name = name or queue
        self.claims = db["processed_events"]
        self.dead_letters = db["dead_letters"]
        self.stopping = threading.Event()
        self._connection = None
        self.connected = threading.Event()
        self._ack_upto: int | None = None  # finished messages not acked yet: up to this tag
        self._unacked = 0
        self._ack_every = max(1, prefetch // 4)

    # topology
    @property
    def dead_queue(self) -> str:
        return f"{self.queue}.dead"

    def retry_queue(self, delay_ms: int) -> str:
        return f"{self.queue}.retry.{delay_ms}"

    def declare(self, channel) -> None:
        declare_exchange(channel, self.exchange)
        arguments = {"x-queue-type": "quorum"} if self.quorum else {}
        channel.queue_declare(self.queue, durable=True, arguments=arguments)
        for event_type in self.handlers:
            channel.queue_bind(self.queue, self.exchange, routing_key=event_type)
        for delay in self.retry_delays_ms:
            # Expired messages go back to the main queue through the default exchange.
            channel.queue_declare(self.retry_queue(delay), durable=True, arguments={
                "x-message-ttl": delay, "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.queue})
        channel.queue_declare(self.dead_queue, durable=True, arguments=arguments)

    # processing
    def _claim(self, key: str) -> str:
        """Claims are timed in epoch milliseconds (`claimed_ms`): a date written by `$set` does not
        read back as a date on every Mongo-speaking server, a number does. `claimed_at` (a date,
        written only on insert) is for people reading the collection."""
        now = utcnow()
        now_ms = epoch_ms(now)
        try:
            self.claims.insert_one({"_id": key, "state": "processing", "claimed_at": now, "claimed_ms": now_ms})
            return "claimed"
        except DuplicateKeyError:
            doc = self.claims.find_one({"_id": key})
            if doc is None:
                return "busy"
            if doc.get("state") == "done":
                return "done"
            claimed_ms = _claim_ms(doc)
            if claimed_ms is None or now_ms - claimed_ms > CLAIM_STALE_AFTER.total_seconds() * 1000:
                # Taken over only if nobody else did meanwhile (the claim still bears the time we read).
                if "claimed_ms" in doc:
                    query = {"_id": key, "state": "processing", "claimed_ms": doc["claimed_ms"]}
                else:
                    query = {"_id": key, "state": "processing", "claimed_at": doc.get("claimed_at")}
                taken = self.claims.update_one(query, {"$set": {"claimed_ms": now_ms}})
                return "claimed" if taken.modified_count else "busy"
            return "busy"

    def _release(self, key: str) -> None:
        if self.use_claims:
            self.claims.delete_one({"_id": key, "state": "processing"})

    def _republish(self, channel, body: bytes, properties, routing_key: str, headers: dict) -> None:
        props = pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                     message_id=properties.message_id, type=properties.type,
                                     correlation_id=properties.correlation_id, headers=headers)
        channel.basic_publish("", routing_key, body, props, mandatory=True)

    def _on_message(self, channel, method, properties, body: bytes) -> None:
        headers = dict(properties.headers or {})
        attempts = int(headers.get(ATTEMPTS_HEADER, 0))
        try:
            event = json.loads(body)
            event_id, event_type = str(event["id"]), str(event["type"])
        except (ValueError, KeyError, TypeError):
            self._dead_letter(channel, body, properties, headers, "malformed message")
            self._done(channel, method.delivery_tag)
            return
        handler = self.handlers.get(event_type)
        if handler is None:
            self._done(channel, method.delivery_tag)
            return
        key = f"{self.queue}:{event_id}"
        state = self._claim(key) if self.use_claims else "claimed"
        if state == "done":
            self._done(channel, method.delivery_tag)
            return
        if state == "busy":
            # Another replica is on it right now; look again shortly, without using up an attempt.
            self._republish(channel, body, properties, self.retry_queue(self.retry_delays_ms[0]), headers)
            self._done(channel, method.delivery_tag)
            return
        token = request_id_var.set(event.get("correlation_id"))
        try:
            handler(event)
        except PermanentFailure as exc:
            self._release(key)
            self._dead_letter(channel, body, properties, headers, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
            self._release(key)
            attempts += 1
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("handler failed", extra={"event_type": event_type, "event_id": event_id,
                                                 "attempt": attempts, "error": reason[:300]})
            if attempts >= self.max_attempts:
                self._dead_letter(channel, body, properties, {**headers, ATTEMPTS_HEADER: attempts}, reason)
            else:
                headers[ATTEMPTS_HEADER] = attempts
                headers["x-egov-last-error"] = reason[:500]
                self._republish(channel, body, properties, self.retry_queue(self.retry_delays_ms[attempts - 1]), headers)
        else:
            if self.use_claims:
                self.claims.update_one({"_id": key}, {"$set": {"state": "done", "done_ms": epoch_ms(utcnow())}})
            wake_relay_if_events(self.db.name)
        finally:
            request_id_var.reset(token)
        self._done(channel, method.delivery_tag)

    def _done(self, channel, delivery_tag: int) -> None:
        """A message is finished (its work durable, or passed on to a retry or dead-letter queue).
        Acks go out in groups: one ack with `multiple` covers every message up to this one, as
        this channel's messages are handled one after another. A group is sent once a quarter
        of the prefetch is finished and whenever the broker has nothing more for us at once, so
        the broker always has room to send more; a message not acked yet when the process dies is
        delivered again, which the handlers' idempotence absorbs."""
        self._ack_upto = delivery_tag
        self._unacked += 1
        if self._unacked >= self._ack_every:
            self._flush_acks(channel)

    def _flush_acks(self, channel) -> None:
        if self._ack_upto is not None and channel.is_open:
            channel.basic_ack(self._ack_upto, multiple=True)
        self._ack_upto, self._unacked = None, 0

    def _dead_letter(self, channel, body, properties, headers, reason: str) -> None:
        headers = {**headers, "x-egov-dead-reason": reason[:500]}
        self._republish(channel, body, properties, self.dead_queue, headers)
        log.error("dead-lettered", extra={"queue": self.queue, "event_id": properties.message_id,
                                          "error": reason[:300]})

    def _on_dead(self, channel, method, properties, body: bytes) -> None:
        """Keep dead letters where staff can list and replay them."""
        headers = dict(properties.headers or {})
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        event_id = str((event or {}).get("id") or properties.message_id or uuid.uuid4().hex)
        self.dead_letters.update_one({"_id": f"{self.queue}:{event_id}"}, {"$set": {
            "queue": self.queue, "event_id": event_id,
            "event_type": (event or {}).get("type") if isinstance(event, dict) else None,
            "body": body.decode("utf-8", "replace"), "reason": headers.get("x-egov-dead-reason"),
            "attempts": int(headers.get(ATTEMPTS_HEADER, 0)), "state": "dead", "dead_ms": epoch_ms(utcnow()),
        }}, upsert=True)
        self._done(channel, method.delivery_tag)

    def run_forever(self) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            try:
                self._connection = pika.BlockingConnection(connection_parameters(self.amqp_url, self.name))
                channel = self._connection.channel()
                channel.confirm_delivery()
                self.declare(channel)
                channel.basic_qos(prefetch_count=self.prefetch)
                channel.basic_consume(self.queue, self._on_message)
                channel.basic_consume(self.dead_queue, self._on_dead)
                self._ack_upto, self._unacked = None, 0  # tags are per channel
                self.connected.set()
                backoff = 0.5
                while not self.stopping.is_set():
                    self._connection.process_data_events(time_limit=0.2)
                    self._flush_acks(channel)
            except (AMQPError, PyMongoError, OSError) as exc:
                self.connected.clear()
                log.warning("consumer reconnecting: %s", type(exc).__name__)
                self.stopping.wait(backoff + random.random() * backoff / 2)
                backoff = min(backoff * 2, 30)
            finally:
                try:
                    if self._connection is not None and self._connection.is_open:
                        self._connection.close()
                except AMQPError:
                    pass
        self.connected.clear()

    def stop(self):
        self.stopping.set()


def replay_dead_letter(db, publisher: Publisher, dead_letter_id: str) -> bool:
    """Send a dead letter back to its queue once; True if this call replayed it.

    Dead letters carry their times as epoch milliseconds (`dead_ms`, `replayed_ms`), see epoch_ms;
    dead_letter_times() turns them into dates for display."""
    taken = db["dead_letters"].find_one_and_update(
        {"_id": dead_letter_id, "state": "dead"}, {"$set": {"state": "replaying", "replayed_ms": epoch_ms(utcnow())}})
    if taken is None:
        return False
    try:
        event = json.loads(taken["body"])
        publisher.publish(event, routing_key=taken["queue"], exchange="", headers={"x-egov-replayed": 1})
    except Exception:
        db["dead_letters"].update_one({"_id": dead_letter_id}, {"$set": {"state": "dead"}})
        raise
    db["dead_letters"].update_one({"_id": dead_letter_id}, {"$set": {"state": "replayed"}})
    return True


def dead_letter_times(doc: dict) -> dict:
    """`dead_at` and `replayed_at` of a stored dead letter as dates (from `dead_ms`/`replayed_ms`,
    or from the date fields letters stored before those existed)."""
    doc = dict(doc)
    for name in ("dead", "replayed"):
        at = from_epoch_ms(doc.pop(f"{name}_ms", None))
        doc[f"{name}_at"] = at or parse_instant(doc.get(f"{name}_at"))
    return doc
