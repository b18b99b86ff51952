"""The delivery worker: sends planned deliveries, retries them with back-off, gives up in the end.

It lives beside the event consumer. Deliveries the consumer plans in this process are written
already held by this worker (state `sending`, a lease and a claim token) and handed straight to
its sender threads, so a notification leaves within milliseconds and without another database
round trip. A poller (every ≤100 ms) claims retries that fell due and deliveries whose worker
vanished mid-send (lease ran out) with a conditional update, so several notifier processes
never send the same delivery twice. Outcomes are written in group commits, each with its attempt
added to the delivery's own log (`log.<n>`: codes and timings only), so an attempt costs no
write of its own. A webhook deleted after a delivery was planned gets nothing, nor one suspended
(the authority it was registered under ended): see `_not_to_send`."""
from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from datetime import datetime
from typing import Callable

from pymongo.errors import PyMongoError

from egov_kit.clock import baku_date, epoch_ms, from_epoch_ms, utcnow

from .domain import ACTIVE, FAILED, SENT, SUSPENDED, after_failure, authority_expired, webhook_suspension
from .repository import WEBHOOK_DELETED, WEBHOOK_SUSPENDED, NotifierRepository
from .secretbox import SecretBox
from .senders import Outcome, SmtpSender, WebhookSender
from .webhooks import WebhookDirectory

log = logging.getLogger("notifier.delivery")
STALE_CHECK_EVERY = 1.0
POLL_BATCH = 100


class OutcomeWriter:
    """Writes outcomes as a group commit: the deliveries' new states, each with the attempt that
    led to it for the delivery's log, gathered over GATHER seconds (and whatever piled up while
    the previous write was on its way) go in one round trip. A process that stops writes what it
    holds (DeliveryWorker.close)."""

    GATHER = 0.02
    IDLE_WAIT = 0.1

    def __init__(self, repo: NotifierRepository):
        self.repo = repo
        self._outcomes: list[dict] = []
        self._lock = threading.Lock()
        self._has_work = threading.Event()

    def add(self, outcome: dict) -> None:
        with self._lock:
            self._outcomes.append(outcome)
        self._has_work.set()

    def flush_outcomes(self) -> bool:
        with self._lock:
            outcomes, self._outcomes = self._outcomes, []
            self._has_work.clear()
        if not outcomes:
            return True
        try:
            self.repo.finish_many(outcomes)
            return True
        except PyMongoError as exc:
            # Put back: losing these would let the leases run out and the deliveries go out again.
            log.warning("delivery outcomes not stored yet: %s", type(exc).__name__, extra={"count": len(outcomes)})
            with self._lock:
                self._outcomes[:0] = outcomes
                self._has_work.set()
            return False

    def run(self, stopping: threading.Event) -> None:
        pause = 0.2
        while not stopping.is_set():
            if self._has_work.wait(self.IDLE_WAIT):
                stopping.wait(self.GATHER)
            if self.flush_outcomes():
                pause = 0.2
            else:
                stopping.wait(pause)
                pause = min(pause * 2, 5.0)
        self.flush_outcomes()


class DeliveryWorker:
    def __init__(self, repo: NotifierRepository, secrets: SecretBox, smtp: SmtpSender, webhooks: WebhookSender,
                 directory: WebhookDirectory, *, threads: int = 8, poll_interval: float = 0.1, lease: float = 120.0,
                 retry_base: float = 1.0, retry_max: float = 600.0, name: str | None = None,
                 clock: Callable[[], datetime] = utcnow):
        """`directory`: the webhook directory the planner of this process reads."""
        self.repo = repo
        self.secrets = secrets
        self.smtp = smtp
        self.webhooks = webhooks
        self.directory = directory
        self.threads = threads
        self.poll_interval = min(poll_interval, 0.1)
        self.lease = lease
        # Not sent once this close to the end of the lease: another worker may be taking it over.
        self.lease_margin_ms = int(min(lease / 4, 10.0) * 1000)
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.outcomes = OutcomeWriter(repo)
        self._queue: queue.Queue = queue.Queue()
        self._queued: set[str] = set()
        self._in_flight = 0
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._started_pid: int | None = None

    # --- running ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._started_pid == os.getpid() and not self.stopping.is_set()

    def start(self) -> "DeliveryWorker":
        with self._lock:
            if self._started_pid == os.getpid():
                return self
            self._started_pid = os.getpid()
        self.stopping.clear()
        for i in range(self.threads):
            threading.Thread(target=self._send_loop, name=f"notifier-sender-{i}", daemon=True).start()
        threading.Thread(target=self._poll_loop, name="notifier-poller", daemon=True).start()
        threading.Thread(target=self.outcomes.run, args=(self.stopping,), name="notifier-outcomes",
                         daemon=True).start()
        return self

    def run_forever(self) -> None:
        """How the consumer role runs it (beside the consumer): sends until stop(), then puts
        away what it holds (see close)."""
        self.start()
        self.stopping.wait()
        self.close()

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            self._started_pid = None

    def close(self, wait: float = 6.0) -> None:
        """At process exit: stop taking work, give back what was not started (another process
        sends it at once instead of after the lease), let sends under way finish, and write
        every outcome still held."""
        self.stop()
        released = []
        while True:
            try:
                delivery_id, how, doc, _planned_under = self._queue.get_nowait()
            except queue.Empty:
                break
            if how == "held":
                released.append({"_id": delivery_id, "claim": doc["claim"], "state": "pending",
                                 "at": self.clock(), "next_attempt_at": self.clock()})
        deadline = time.monotonic() + wait
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            if released:
                self.repo.finish_many(released)
        except PyMongoError as exc:
            log.warning("deliveries not given back: %s", type(exc).__name__)
        self.outcomes.flush_outcomes()

    def reserve(self, docs: list[dict]) -> list[dict]:
        """New deliveries, held by this worker from the moment they are written."""
        if not self.running:
            return docs  # left pending for whichever worker polls first
        now = self.clock()
        return [self.repo.claimed_at_birth(d, now, self.lease, self.name) for d in docs]

    def hand_over(self, docs: list[dict], planned_under: int | None = None) -> None:
        """Deliveries written held by this worker (see reserve): send them now. `planned_under`:
        the webhook directory's generation they were planned under (webhooks.WebhookDirectory)."""
        for doc in docs:
            if doc.get("state") == "sending":
                self._enqueue(doc["_id"], "held", doc, planned_under)
            else:
                self._enqueue(doc["_id"], "pending")

    def _enqueue(self, delivery_id: str, how: str, doc: dict | None = None, planned_under: int | None = None) -> None:
        with self._lock:
            if delivery_id in self._queued:
                return
            self._queued.add(delivery_id)
        self._queue.put((delivery_id, how, doc, planned_under))

    def _poll_loop(self) -> None:
        last_stale_check = 0.0
        while not self.stopping.is_set():
            try:
                now = self.clock()
                for delivery_id in self.repo.due_pending(now, POLL_BATCH):
                    self._enqueue(delivery_id, "pending")
                if time.monotonic() - last_stale_check >= STALE_CHECK_EVERY:
                    last_stale_check = time.monotonic()
                    for delivery_id in self.repo.stale_sending(now, POLL_BATCH):
                        self._enqueue(delivery_id, "stale")
            except PyMongoError as exc:
                log.warning("delivery poll failed: %s", type(exc).__name__)
                self.stopping.wait(1.0)
            self.stopping.wait(self.poll_interval)

    def _send_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                delivery_id, how, doc, planned_under = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            with self._lock:
                self._in_flight += 1
            try:
                if how == "held":
                    self.send_held(doc, planned_under)
                else:
                    self.process(delivery_id, reclaim=(how == "stale"))
            except Exception as exc:  # noqa: BLE001 - the lease brings it back; keep the thread alive
                log.warning("delivery failed to run: %s", type(exc).__name__, extra={"delivery_id": delivery_id})
            finally:
                with self._lock:
                    self._queued.discard(delivery_id)
                    self._in_flight -= 1

    # --- one delivery -------------------------------------------------------------------------

    def process(self, delivery_id: str, reclaim: bool = False) -> str | None:
        """Claims, sends and records one delivery; returns its new state, None if not ours to send."""
        claimed = (self.repo.reclaim if reclaim else self.repo.claim)(delivery_id, self.clock(), self.lease, self.name)
        if claimed is None:
            return None
        return self.send_held(claimed)

    def send_held(self, delivery: dict, planned_under: int | None = None) -> str | None:
        """Sends a delivery this worker holds, unless its lease is (nearly) over or its webhook was
        deleted or suspended. `planned_under`: the webhook directory's generation when this process planned it
        (None: claimed from the database, planned at any time before)."""
        if epoch_ms(self.clock()) >= delivery["lease_until_ms"] - self.lease_margin_ms:
            return None  # the lease runs out: the stale check hands it to a worker again
        dropped, current_secret = self._not_to_send(delivery, planned_under)
        if current_secret is not None:
            # The webhook's secret of now: one replaced since this was planned signs its retries.
            delivery = {**delivery, "secret_encrypted": current_secret}
        if dropped is not None:
            state, why = dropped
            self.outcomes.add({"_id": delivery["_id"], "claim": delivery["claim"], "state": state,
                               "at": self.clock(), "error": why, "unattempted": True})
            log.info("delivery not sent", extra={"delivery_id": delivery["_id"], "state": state, "reason": why})
            return state
        started = time.perf_counter()
        outcome = self._send(delivery)
        finished = self.clock()
        if outcome.result == SENT:
            state, next_at = "sent", None
        else:
            step = after_failure(outcome.result, delivery["attempts"], finished, from_epoch_ms(delivery["give_up_ms"]),
                                 self.retry_base, self.retry_max)
            state, next_at = step.state, step.next_attempt_at
        self._record(delivery, outcome, state, finished, next_at, time.perf_counter() - started)
        return state

    def _not_to_send(self, delivery: dict, planned_under: int | None) -> tuple[tuple[str, str] | None, str | None]:
        """((state, reason) when the delivery's webhook was deleted (cancelled) or suspended (skipped:
        the authority it was registered under ended) since it was planned, else None; and the
        webhook's secret (encrypted) when it was looked up). What this process just planned needs
        no look-up unless the directory was refreshed since (it saw a change); what was claimed
        from the database (a retry, a takeover) is looked up. The end of a fixed-term authority is
        read from the delivery itself (copied from its webhook)."""
        if delivery["channel"] != "webhook":
            return None, None
        today = baku_date(self.clock())
        secret = None
        if planned_under is None:
            hook = self.repo.webhook_for_sending(delivery["webhook_id"])
            status = None if hook is None else SUSPENDED if webhook_suspension(hook, today) else ACTIVE
            secret = (hook or {}).get("secret_encrypted")
        elif authority_expired(delivery.get("authority_valid_until"), today):
            status = SUSPENDED
        elif self.directory.generation == planned_under:
            status = ACTIVE
        else:
            status = self.directory.status(delivery["voen"], delivery["webhook_id"], today)
        if status is None:
            return ("cancelled", WEBHOOK_DELETED), None
        if status == SUSPENDED:
            return ("skipped", WEBHOOK_SUSPENDED), None
        return None, secret

    def _send(self, delivery: dict) -> Outcome:
        try:
            if delivery["channel"] == "webhook":
                secret = self.secrets.decrypt(delivery["secret_encrypted"])
                return self.webhooks.send(delivery["url"], secret, delivery["event_id"], delivery["body"].encode())
            if delivery["channel"] == "email":
                return self.smtp.send(delivery["to"], bytes(delivery["message"]))
            return Outcome(FAILED, None, "unknown channel")
        except (KeyError, TypeError, RuntimeError) as exc:
            return Outcome(FAILED, None, f"cannot send: {type(exc).__name__}")

    def _record(self, delivery: dict, outcome: Outcome, state: str, at: datetime, next_at, seconds: float) -> None:
        self.outcomes.add(
            {"_id": delivery["_id"], "claim": delivery["claim"], "state": state, "at": at,
             "next_attempt_at": next_at, "error": outcome.error,
             "attempt": self.repo.attempt_entry(attempt=delivery["attempts"], at=at, outcome=outcome.result,
                                                state=state, status=outcome.status, error=outcome.error,
                                                seconds=seconds, worker=self.name)})
        if outcome.result != SENT:
            log.warning("delivery attempt failed", extra={
                "delivery_id": delivery["_id"], "channel": delivery["channel"], "attempt": delivery["attempts"],
                "status": outcome.status, "error": outcome.error, "state": state})
