"""Storage of the notifier: webhooks, notifications (inbox entries and deliveries), attempts,
dead letters.

One `deliveries` document per (event, channel, recipient): channel `inbox` (an institution's
inbox entry, delivered when written), `webhook` or `email` (sent by the delivery worker). The id
is made from those three, so planning the same event twice inserts nothing new, and an event's
inbox entries and webhook deliveries are written in one round trip (`add_plan`), which also tells
whether the webhooks changed since the planner last read them. The number of webhook changes is
kept in this collection too (`WEBHOOKS_VERSION_ID`, no channel or state: no query of deliveries
finds it), so that check can share that round trip.

Deliveries are claimed with single-document conditional updates (pending → sending, with a lease
and a claim token), so any number of notifier processes share the work and none sends what
another one holds. nx-27017 serves equality look-ups from single-field indexes only (no ranges,
no compound prefixes), so the hot queries are equalities with the time condition applied to a
small sorted batch (the same indexes serve MongoDB well: what is pending or in one inbox is
small next to what was sent). Times that change are epoch milliseconds: nx-27017 turns a date
written by `$set` into a string."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Callable

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from egov_kit.bus import Publisher, dead_letter_times, replay_dead_letter
from egov_kit.clock import epoch_ms, from_epoch_ms
from egov_kit.repository import MongoRepository

DUPLICATE_KEY = 11000
DEV_KEY_ID = "webhook-secret-key"
# What staff may see of a delivery: never the message, the body, the URL's secret or the address.
DELIVERY_FIELDS = {"event_id": 1, "event_type": 1, "channel": 1, "recipient": 1, "voen": 1, "webhook_id": 1,
                   "state": 1, "attempts": 1, "last_error": 1, "created_ms": 1, "updated_ms": 1,
                   "next_attempt_ms": 1, "sent_ms": 1, "to_masked": 1}
DELIVERY_TIMES = {"created_ms": "created_at", "updated_ms": "updated_at", "next_attempt_ms": "next_attempt_at",
                  "sent_ms": "sent_at"}
# What an institution sees of each attempt to call its webhook (not which notifier process made it).
INSTITUTION_ATTEMPT_FIELDS = ("attempt", "at", "outcome", "state", "status", "error", "ms")
INBOX_FIELDS = {"event_id": 1, "event_type": 1, "received_at": 1, "title": 1, "title_en": 1, "data": 1}
WEBHOOK_FIELDS = {"url": 1, "created_at": 1, "registered_by": 1, "authority_id": 1, "authority_valid_until": 1,
                  "suspended": 1, "suspension_reason": 1, "suspended_ms": 1}
# What planning and sending need of a webhook (the secret still encrypted).
WEBHOOK_SENDING_FIELDS = {"url": 1, "secret_encrypted": 1, "authority_id": 1, "authority_valid_until": 1,
                          "suspended": 1, "suspension_reason": 1}
WEBHOOK_DELETED = "webhook deleted"
WEBHOOK_SUSPENDED = "webhook suspended"
CHANNELS = ("webhook", "email")  # what the delivery worker sends (inbox entries are delivered when written)
WEBHOOKS_VERSION_ID = "webhooks-version"  # in `deliveries`: see add_plan


def _with_id(doc: dict) -> dict:
    doc["id"] = doc.pop("_id")
    return doc


def new_claim(worker: str) -> str:
    return f"{worker}:{uuid.uuid4().hex}"


class NotifierRepository(MongoRepository):
    INDEXES = {
        "webhooks": [IndexModel("voen"), IndexModel([("voen", ASCENDING), ("url", ASCENDING)], unique=True),
                     IndexModel("authority_id")],
        # Few indexes: every one is paid for on each write of the hot path.
        "deliveries": [IndexModel("state"), IndexModel("voen")],
        "dead_letters": [IndexModel("state")],
    }

    # --- keys ---------------------------------------------------------------------------------

    def dev_key(self, make: Callable[[], str]) -> str:
        try:
            self.db.keys.insert_one({"_id": DEV_KEY_ID, "key": make()})
        except DuplicateKeyError:
            pass  # another process made it first; everyone uses that one
        return self.db.keys.find_one({"_id": DEV_KEY_ID})["key"]

    # --- webhooks -----------------------------------------------------------------------------

    def count_webhooks(self, voen: str) -> int:
        return self.db.webhooks.count_documents({"voen": voen})

    def add_webhook(self, doc: dict) -> bool:
        """False when the organisation already has this URL."""
        try:
            self.db.webhooks.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def webhooks_page(self, voen: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """An organisation's webhooks, oldest first ({id, url, created_at}: never the secret), and their number."""
        cursor = self.db.webhooks.find({"voen": voen}, WEBHOOK_FIELDS).sort([("created_at", ASCENDING),
                                                                             ("_id", ASCENDING)])
        return [_with_id(d) for d in cursor.skip(offset).limit(limit)], self.count_webhooks(voen)

    def webhooks_for(self, voen: str) -> list[dict]:
        """What sending to an organisation's webhooks needs (the secret still encrypted), suspended
        ones too (see domain.webhook_suspension)."""
        return list(self.db.webhooks.find({"voen": voen}, WEBHOOK_SENDING_FIELDS))

    def webhook_for_sending(self, webhook_id: str) -> dict | None:
        """A webhook as planning sees it (None: deleted)."""
        return self.db.webhooks.find_one({"_id": webhook_id}, WEBHOOK_SENDING_FIELDS)

    def get_webhook(self, voen: str, webhook_id: str) -> dict | None:
        """One of the organisation's webhooks as listed (never the secret)."""
        doc = self.db.webhooks.find_one({"_id": webhook_id, "voen": voen}, WEBHOOK_FIELDS)
        return None if doc is None else _with_id(doc)

    # --- authorities ending -------------------------------------------------------------------

    def record_withdrawn_authority(self, authority_id: str, voen: str, now: datetime) -> None:
        """Remembered, so a webhook whose registration raced the withdrawal is suspended too."""
        try:
            self.db.withdrawn_authorities.insert_one({"_id": authority_id, "voen": voen, "withdrawn_ms": epoch_ms(now)})
        except DuplicateKeyError:
            pass  # the event again

    def authority_was_withdrawn(self, authority_id: str) -> bool:
        return self.db.withdrawn_authorities.find_one({"_id": authority_id}, {"_id": 1}) is not None

    def suspend_webhooks_under(self, authority_id: str, now: datetime, reason: str) -> list[str]:
        """Suspends the webhooks registered under that authority (not confirmed by the head since);
        returns those suspended now."""
        found = [d["_id"] for d in self.db.webhooks.find({"authority_id": authority_id}, {"_id": 1})]
        suspended = []
        for webhook_id in found:
            # Conditional, one document each: one confirmed by the head meanwhile is left alone.
            done = self.db.webhooks.update_one(
                {"_id": webhook_id, "authority_id": authority_id, "suspended": False},
                {"$set": {"suspended": True, "suspension_reason": reason, "suspended_ms": epoch_ms(now)}})
            if done.modified_count:
                suspended.append(webhook_id)
        return suspended

    def confirm_webhook(self, voen: str, webhook_id: str, registered_by: dict, now: datetime) -> dict | None:
        """The head takes the webhook over: it is held under the head's own right from now on, and
        resumed if it was suspended. None: no such webhook of the organisation."""
        doc = self.db.webhooks.find_one_and_update(
            {"_id": webhook_id, "voen": voen},
            {"$set": {"registered_by": registered_by, "authority_id": None, "authority_valid_until": None,
                      "suspended": False, "suspension_reason": None, "suspended_ms": None,
                      "confirmed_ms": epoch_ms(now)}},
            projection=WEBHOOK_FIELDS, return_document=ReturnDocument.AFTER)
        return None if doc is None else _with_id(doc)

    def skip_deliveries_to(self, webhook_id: str, now: datetime) -> None:
        """What waits for a suspended webhook is not sent: the inbox has it."""
        self.db.deliveries.update_many(
            {"state": "pending", "webhook_id": webhook_id},
            {"$set": {"state": "skipped", "updated_ms": epoch_ms(now), "last_error": WEBHOOK_SUSPENDED},
             "$unset": {"next_attempt_ms": ""}})

    def replace_webhook_secret(self, voen: str, webhook_id: str, secret_encrypted: str, now: datetime) -> dict | None:
        """A new secret for one of the organisation's webhooks; the webhook as listed, or None."""
        doc = self.db.webhooks.find_one_and_update(
            {"_id": webhook_id, "voen": voen},
            {"$set": {"secret_encrypted": secret_encrypted, "secret_replaced_ms": epoch_ms(now)}},
            projection=WEBHOOK_FIELDS, return_document=ReturnDocument.AFTER)
        return None if doc is None else _with_id(doc)

    def delete_webhook(self, voen: str, webhook_id: str) -> bool:
        return self.db.webhooks.delete_one({"_id": webhook_id, "voen": voen}).deleted_count == 1

    def cancel_deliveries_to(self, webhook_id: str, now: datetime) -> None:
        """What still waits for a deleted webhook has nowhere to go now."""
        self.db.deliveries.update_many(
            {"state": "pending", "webhook_id": webhook_id},
            {"$set": {"state": "cancelled", "updated_ms": epoch_ms(now), "last_error": WEBHOOK_DELETED},
             "$unset": {"next_attempt_ms": ""}})

    def webhooks_version(self) -> int:
        """How many times webhooks changed (one read by _id). The document is made at 0 when it is
        missing, so that add_plan's check has something to match."""
        doc = self.db.deliveries.find_one({"_id": WEBHOOKS_VERSION_ID})
        if doc is None:
            try:
                self.db.deliveries.insert_one({"_id": WEBHOOKS_VERSION_ID, "version": 0})
            except DuplicateKeyError:
                pass  # made (or bumped) meanwhile
            doc = self.db.deliveries.find_one({"_id": WEBHOOKS_VERSION_ID})
        return int(doc.get("version", 0))

    def bump_webhooks_version(self) -> None:
        """Called after each change of webhooks, before it is confirmed to the institution."""
        self.db.deliveries.update_one({"_id": WEBHOOKS_VERSION_ID}, {"$inc": {"version": 1}}, upsert=True)

    # --- planning -----------------------------------------------------------------------------

    @staticmethod
    def inbox_entry(*, entry_id: str, event: dict, voen: str, now: datetime, title: str, title_en: str) -> dict:
        return {"_id": entry_id, "event_id": event["id"], "event_type": event["type"], "channel": "inbox",
                "recipient": voen, "voen": voen, "state": "delivered", "received_at": now,
                "created_ms": epoch_ms(now), "title": title, "title_en": title_en, "data": event.get("data") or {}}

    @staticmethod
    def new_delivery(*, delivery_id: str, event: dict, channel: str, recipient: str, now: datetime,
                     give_up_at: datetime, state: str = "pending", **fields) -> dict:
        doc = {"_id": delivery_id, "event_id": event["id"], "event_type": event["type"], "channel": channel,
               "recipient": recipient, "state": state, "attempts": 0, "created_ms": epoch_ms(now),
               "updated_ms": epoch_ms(now), "give_up_ms": epoch_ms(give_up_at), **fields}
        if state == "pending":
            doc["next_attempt_ms"] = epoch_ms(now)
        return doc

    @staticmethod
    def claimed_at_birth(doc: dict, now: datetime, lease: float, worker: str) -> dict:
        """A new delivery already held by the worker of the process that plans it (saves a claim)."""
        doc = dict(doc)
        doc.pop("next_attempt_ms", None)
        doc.update(state="sending", claim=new_claim(worker), lease_until_ms=epoch_ms(now) + int(lease * 1000),
                   attempts=1)
        return doc

    def add_plan(self, docs: list[dict], webhooks_version: int | None = None) -> tuple[list[str], bool]:
        """An event's inbox entries and webhook deliveries: inserts those not there yet and, in the
        same round trip, checks that webhooks did not change since `webhooks_version` was read
        (None: no check). Returns the ids inserted now and whether the version is still that one.

        One `update` command: each document an upsert that only inserts (`$setOnInsert`: one
        already there is matched and left alone), and a guard matching the version document only
        at that version, which changes nothing. (A bulk_write mixing InsertOne and UpdateOne goes
        out as two commands, an insert and an update: the round trip this saves.) The guard's
        match is what remains of `nMatched` after the upserts that found their document."""
        writes = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": {k: v for k, v in d.items() if k != "_id"}},
                            upsert=True) for d in docs]
        if webhooks_version is not None:
            writes.append(UpdateOne({"_id": WEBHOOKS_VERSION_ID, "version": webhooks_version},
                                    {"$set": {"version": webhooks_version}}))
        try:
            result = self.db.deliveries.bulk_write(writes, ordered=False).bulk_api_result
        except BulkWriteError as exc:
            # Only an upsert racing another process's insert of the same id (MongoDB mostly retries
            # those itself): that document is there, not inserted by us, and matched nothing.
            result = exc.details
            if any(e.get("code") != DUPLICATE_KEY or e.get("index", len(docs)) >= len(docs)
                   for e in result.get("writeErrors", [])):
                raise
        inserted = sorted(u["index"] for u in result.get("upserted", []))
        found = len(docs) - len(inserted) - len(result.get("writeErrors", []))
        unchanged = webhooks_version is None or result["nMatched"] - found == 1
        return [docs[i]["_id"] for i in inserted], unchanged

    def forget_planned(self, delivery_ids: list[str]) -> None:
        """Deliveries just inserted from a plan that turned out stale (their webhook is gone)."""
        if delivery_ids:
            self.db.deliveries.delete_many({"_id": {"$in": delivery_ids}})

    def add_notifications(self, docs: list[dict]) -> list[str]:
        """Inserts what is not there yet; returns the ids inserted now (the rest were planned before)."""
        return self._insert_new(self.db.deliveries, docs)

    @staticmethod
    def _insert_new(collection, docs: list[dict]) -> list[str]:
        if not docs:
            return []
        try:
            collection.insert_many(docs, ordered=False)
            return [d["_id"] for d in docs]
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            taken = {e["index"] for e in errors}
            return [d["_id"] for i, d in enumerate(docs) if i not in taken]

    def delivery_exists(self, delivery_id: str) -> bool:
        return self.db.deliveries.find_one({"_id": delivery_id}, {"_id": 1}) is not None

    # --- inbox --------------------------------------------------------------------------------

    def inbox_page(self, voen: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """An organisation's inbox entries, newest first ({id, event_id, type, received_at, title,
        title_en, data}), and their number."""
        query = {"voen": voen, "channel": "inbox"}
        cursor = self.db.deliveries.find(query, INBOX_FIELDS).sort([("received_at", DESCENDING), ("_id", DESCENDING)])
        entries = []
        for doc in cursor.skip(offset).limit(limit):
            doc["type"] = doc.pop("event_type", None)
            entries.append(_with_id(doc))
        return entries, self.db.deliveries.count_documents(query)

    def inbox_entry_of(self, voen: str, entry_id: str) -> dict | None:
        """One entry of the organisation's inbox (None: not there, or another organisation's)."""
        doc = self.db.deliveries.find_one({"_id": entry_id, "voen": voen, "channel": "inbox"}, INBOX_FIELDS)
        if doc is None:
            return None
        doc["type"] = doc.pop("event_type", None)
        return _with_id(doc)

    # --- delivering ---------------------------------------------------------------------------

    def claim(self, delivery_id: str, now: datetime, lease: float, worker: str) -> dict | None:
        """Takes a due pending delivery for this worker; None if it is not due or someone has it."""
        return self.db.deliveries.find_one_and_update(
            {"_id": delivery_id, "state": "pending", "next_attempt_ms": {"$lte": epoch_ms(now)}},
            self._claim_update(now, lease, worker), return_document=ReturnDocument.AFTER)

    def reclaim(self, delivery_id: str, now: datetime, lease: float, worker: str) -> dict | None:
        """Takes over a delivery whose worker vanished (its lease ran out) mid-send."""
        return self.db.deliveries.find_one_and_update(
            {"_id": delivery_id, "state": "sending", "lease_until_ms": {"$lt": epoch_ms(now)}},
            self._claim_update(now, lease, worker), return_document=ReturnDocument.AFTER)

    @staticmethod
    def _claim_update(now: datetime, lease: float, worker: str) -> dict:
        return {"$set": {"state": "sending", "lease_until_ms": epoch_ms(now) + int(lease * 1000),
                         "claim": new_claim(worker), "updated_ms": epoch_ms(now)},
                "$unset": {"next_attempt_ms": ""}, "$inc": {"attempts": 1}}

    def due_pending(self, now: datetime, limit: int) -> list[str]:
        batch = self.db.deliveries.find({"state": "pending"}, {"next_attempt_ms": 1}) \
            .sort("next_attempt_ms", ASCENDING).limit(limit)
        now_ms = epoch_ms(now)
        return [d["_id"] for d in batch if d.get("next_attempt_ms") is not None and d["next_attempt_ms"] <= now_ms]

    def stale_sending(self, now: datetime, limit: int) -> list[str]:
        batch = self.db.deliveries.find({"state": "sending"}, {"lease_until_ms": 1}) \
            .sort("lease_until_ms", ASCENDING).limit(limit)
        now_ms = epoch_ms(now)
        return [d["_id"] for d in batch if d.get("lease_until_ms") is not None and d["lease_until_ms"] < now_ms]

    def finish_many(self, outcomes: list[dict]) -> int:
        """Records outcomes ({_id, claim, state, at, next_attempt_at, error, attempt, unattempted})
        in one round trip, each only if its delivery is still held by that claim; the attempt (see
        `attempt_entry`) joins the delivery's log in the same write, and a delivery dropped before
        it was tried (`unattempted`) gives back the attempt its claim counted. Returns how many
        were recorded."""
        writes = []
        for o in outcomes:
            sets: dict = {"state": o["state"], "updated_ms": epoch_ms(o["at"])}
            unset = {"claim": "", "lease_until_ms": ""}
            if o["state"] == "sent":
                sets["sent_ms"] = epoch_ms(o["at"])
                unset["message"] = ""  # the copy (with its PDF) is not kept once it went out
            if o.get("next_attempt_at") is not None:
                sets["next_attempt_ms"] = epoch_ms(o["next_attempt_at"])
            if o.get("error") is not None:
                sets["last_error"] = o["error"]
            if o.get("attempt") is not None:
                sets[f"log.{o['attempt']['attempt']}"] = o["attempt"]
            update = {"$set": sets, "$unset": unset}
            if o.get("unattempted"):
                update["$inc"] = {"attempts": -1}
            writes.append(UpdateOne({"_id": o["_id"], "claim": o["claim"]}, update))
        if not writes:
            return 0
        deliveries = self.db.deliveries
        recorded = deliveries.bulk_write(writes, ordered=False).modified_count
        if recorded < len(writes):
            # Some delivery changed hands meanwhile (its lease ran out): its state is the new
            # holder's to write, but the attempt made here is still logged. Keyed by the attempt's
            # number, writing an entry again changes nothing.
            logs = [UpdateOne({"_id": o["_id"]}, {"$set": {f"log.{o['attempt']['attempt']}": o["attempt"]}})
                    for o in outcomes if o.get("attempt") is not None]
            if logs:
                deliveries.bulk_write(logs, ordered=False)
        return recorded

    @staticmethod
    def attempt_entry(*, attempt: int, at: datetime, outcome: str, state: str, status: int | None,
                      error: str | None, seconds: float, worker: str) -> dict:
        """One line of a delivery's attempt log: codes and timings only, no addresses, URLs or contents."""
        return {"attempt": attempt, "at_ms": epoch_ms(at), "outcome": outcome, "state": state, "status": status,
                "error": error, "ms": round(seconds * 1000, 1), "worker": worker}

    def attempts_of(self, delivery_id: str) -> list[dict]:
        doc = self.db.deliveries.find_one({"_id": delivery_id}, {"log": 1})
        return self._attempts(doc)

    def attempts_for_events(self, event_ids: list[str]) -> list[dict]:
        """Every attempt logged for the deliveries of these events, each with its delivery's ids."""
        found = []
        for doc in self.db.deliveries.find({"event_id": {"$in": list(event_ids)}, "channel": {"$ne": "inbox"}},
                                           {"log": 1, "event_id": 1, "channel": 1}):
            for entry in self._attempts(doc):
                found.append(dict(entry, delivery_id=doc["_id"], event_id=doc["event_id"], channel=doc["channel"]))
        return found

    @staticmethod
    def _attempts(doc: dict | None) -> list[dict]:
        entries = sorted(((doc or {}).get("log") or {}).values(), key=lambda e: e["attempt"])
        return [dict({k: v for k, v in e.items() if k != "at_ms"}, at=from_epoch_ms(e["at_ms"])) for e in entries]

    def deliveries_page(self, state: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        """Deliveries (not inbox entries) in `state`, or all, latest change first, and their number."""
        query = {"state": state} if state else {"channel": {"$in": list(CHANNELS)}}
        cursor = self.db.deliveries.find(query, DELIVERY_FIELDS).sort("updated_ms", DESCENDING)
        out = []
        for doc in cursor.skip(offset).limit(limit):
            for stored, shown in DELIVERY_TIMES.items():
                doc[shown] = from_epoch_ms(doc.pop(stored, None))
            out.append(_with_id(doc))
        return out, self.db.deliveries.count_documents(query)

    def webhook_deliveries_page(self, voen: str, webhook_id: str, limit: int,
                                offset: int) -> tuple[list[dict], int]:
        """What was sent (or tried) to one of the organisation's webhooks, newest first, each with
        its attempts (codes and times: no body, URL or secret), and their number."""
        query = {"voen": voen, "webhook_id": webhook_id, "channel": "webhook"}
        cursor = self.db.deliveries.find(query, {**DELIVERY_FIELDS, "log": 1}) \
            .sort([("created_ms", DESCENDING), ("_id", DESCENDING)])
        out = []
        for doc in cursor.skip(offset).limit(limit):
            doc["attempt_log"] = [{k: v for k, v in entry.items() if k in INSTITUTION_ATTEMPT_FIELDS}
                                  for entry in self._attempts(doc)]
            doc.pop("log", None)
            for stored, shown in DELIVERY_TIMES.items():
                doc[shown] = from_epoch_ms(doc.pop(stored, None))
            out.append(_with_id(doc))
        return out, self.db.deliveries.count_documents(query)

    def retry_failed_delivery(self, delivery_id: str, now: datetime, give_up_at: datetime) -> dict | None:
        """A delivery given up on goes back to the worker at once, with a new window of retries;
        None when it is no longer failed (retried meanwhile)."""
        doc = self.db.deliveries.find_one_and_update(
            {"_id": delivery_id, "state": "failed"},
            {"$set": {"state": "pending", "next_attempt_ms": epoch_ms(now), "updated_ms": epoch_ms(now),
                      "give_up_ms": epoch_ms(give_up_at), "retried_ms": epoch_ms(now)}},
            projection=DELIVERY_FIELDS, return_document=ReturnDocument.AFTER)
        if doc is None:
            return None
        for stored, shown in DELIVERY_TIMES.items():
            doc[shown] = from_epoch_ms(doc.pop(stored, None))
        return _with_id(doc)

    def delivery_summary(self, delivery_id: str) -> dict | None:
        """{state, channel, webhook_id, sendable} of a delivery (not an inbox entry), or None.
        `sendable`: it holds something to send (an e-mail nobody could be found for holds nothing)."""
        doc = self.db.deliveries.find_one({"_id": delivery_id}, {"state": 1, "channel": 1, "webhook_id": 1,
                                                                 "url": 1, "to": 1})
        if doc is None or doc.get("channel") not in CHANNELS:
            return None
        sendable = bool(doc.get("url")) if doc["channel"] == "webhook" else bool(doc.get("to"))
        return {"state": doc.get("state"), "channel": doc["channel"], "webhook_id": doc.get("webhook_id"),
                "sendable": sendable}

    # --- dead letters (written by the kit's consumer) -----------------------------------------

    def dead_letters_page(self, state: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        """Dead letters in `state`, or all, newest first (without the event itself), and their number."""
        query = {"state": state} if state else {}
        docs = [self._dead_letter_view(d) for d in self.db.dead_letters.find(query, {"body": 0})]
        # Sorted here: letters stored before `dead_ms` existed carry their time differently.
        docs.sort(key=lambda d: d.get("dead_at") or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        return docs[offset:offset + limit], len(docs)

    def dead_letter(self, dead_letter_id: str) -> dict | None:
        doc = self.db.dead_letters.find_one({"_id": dead_letter_id}, {"body": 0})
        return None if doc is None else self._dead_letter_view(doc)

    def replay_dead_letter(self, dead_letter_id: str, publisher: Publisher) -> bool:
        """Sends a dead letter back to its queue; False when it is not dead (any more)."""
        return replay_dead_letter(self.db, publisher, dead_letter_id)

    @staticmethod
    def _dead_letter_view(doc: dict) -> dict:
        return _with_id(dead_letter_times(doc))
