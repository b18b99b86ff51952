"""Storage of the auth service (its own MongoDB database).

Collections:
  jwt_keys        token signing keys, one document per generation (_id = generation number)
  asan_requests   Asan İmza log-ins and signings, each tied to the provider's session of the moment
                  (_id = our session / signing id, which the provider never sees)
  asan_starts     which log-in request a phone started last (_id = phone), for idempotent starts
  asan_signers    the number and user ID each person last logged in with (_id = FİN): where their
                  signatures are asked for
  card_nonces     e-signature card challenges (_id = nonce), single use
  sessions        server-side log-in sessions; carries the auth.session.revoked events (outbox)
  authorities     company authorities learnt from the contracts service (_id = authority id)
  login_attempts  log-in attempts of one subject (a phone, a user ID, a card holder, a client) in
                  one fixed window, shared by every auth process (_id = a hash of the three)

Every write that must happen once across processes is a conditional single-document write.
Instants written by updates are kept as ISO 8601 text: the Mongo-speaking server of the local run
keeps a date only when a document is inserted, so text is what reads back the same everywhere."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from egov_kit.bus import strip_internal, update_with_events
from egov_kit.clock import as_utc, parse_instant, stamp
from egov_kit.repository import MongoRepository

from .domain import CONFIRMED, EXPIRED, PENDING, SIGN
from .keys import SigningKey

# Finished requests, nonces and sessions are kept this long after they stop mattering.
KEEP_AFTER_END = timedelta(days=2)
_PURGED_WHEN_DUE = IndexModel([("purge_at", ASCENDING)], expireAfterSeconds=0)


def _as_read(request: dict | None) -> dict | None:
    """A request as the service reads it, also when an update hands it back: the signing time an
    instant, not the text it is stored as."""
    if request is not None and request.get("signed_at") is not None:
        request["signed_at"] = parse_instant(request["signed_at"])
    return request


def storable(moment: datetime) -> datetime:
    """`moment` to the millisecond, as the database keeps it: an instant answered when something
    is made reads back the same when it is looked at again."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class AuthRepository(MongoRepository):
    INDEXES = {
        "asan_requests": [_PURGED_WHEN_DUE],
        "sessions": [IndexModel([("revoked_until", ASCENDING)], sparse=True), _PURGED_WHEN_DUE],
        "authorities": [IndexModel([("fin", ASCENDING)])],
        "card_nonces": [_PURGED_WHEN_DUE],
        "login_attempts": [_PURGED_WHEN_DUE],
    }

    # --- signing keys ---------------------------------------------------------------------
    def recent_keys(self, count: int) -> list[SigningKey]:
        docs = self.db.jwt_keys.find().sort("_id", DESCENDING).limit(count)
        return [SigningKey(generation=d["_id"], kid=d["kid"], created_at=as_utc(d["created_at"]),
                           public_pem=d["public_pem"], private_pem=d["private_pem"]) for d in docs]

    def add_key_once(self, key: SigningKey) -> bool:
        try:
            self.db.jwt_keys.insert_one({"_id": key.generation, "kid": key.kid, "created_at": key.created_at,
                                         "public_pem": key.public_pem, "private_pem": key.private_pem})
            return True
        except DuplicateKeyError:
            return False  # another process made this generation first; its key is the one

    # --- Asan İmza requests -----------------------------------------------------------------
    def insert_request(self, request: dict) -> None:
        self.db.asan_requests.insert_one({**request, "purge_at": request["expires_at"] + KEEP_AFTER_END})

    def delete_request(self, request_id: str) -> None:
        self.db.asan_requests.delete_one({"_id": request_id, "state": PENDING})

    def get_request(self, request_id: str) -> dict | None:
        return self.db.asan_requests.find_one({"_id": request_id})

    def get_start(self, phone: str) -> dict | None:
        return self.db.asan_starts.find_one({"_id": phone})

    def claim_start(self, phone: str, expected_session: str | None, session_id: str, now: datetime) -> bool:
        """Point the phone's last start at `session_id`, if nobody else moved it since we looked."""
        if expected_session is None:
            try:
                self.db.asan_starts.insert_one({"_id": phone, "session_id": session_id, "at": now})
                return True
            except DuplicateKeyError:
                return False
        result = self.db.asan_starts.update_one({"_id": phone, "session_id": expected_session},
                                                {"$set": {"session_id": session_id, "at": stamp(now)}})
        return result.matched_count == 1

    def mark_expired(self, request_id: str, now: datetime) -> None:
        self.db.asan_requests.update_one({"_id": request_id, "state": PENDING, "expires_at": {"$lte": now}},
                                         {"$set": {"state": EXPIRED}})

    def set_provider_session(self, request_id: str, provider_session: str) -> None:
        self.db.asan_requests.update_one({"_id": request_id, "provider_session": None},
                                         {"$set": {"provider_session": provider_session}})

    def finish(self, request_id: str, state: str, now: datetime, changes: dict | None = None,
               step: int | None = None) -> dict | None:
        """pending → `state` (with `changes`), once: the poll that gets the document back did it.
        For a signing, only while it is still at `step`."""
        query = {"_id": request_id, "state": PENDING}
        if step is not None:
            query["step"] = step
        return _as_read(self.db.asan_requests.find_one_and_update(
            query, {"$set": {"state": state, "finished_at": stamp(now), **(changes or {})}},
            return_document=ReturnDocument.AFTER))

    # --- signings, one provider session per digest ------------------------------------------
    def next_signing_step(self, signing_id: str, step: int, signatures: list[dict], code: str,
                          now: datetime) -> dict | None:
        """Step `step` is signed: keep the signatures so far and move on, the next session not
        started yet and claimed for starting by this poll (the one that gets the document back).
        The whole list is set, not pushed to (the local Mongo-speaking server would keep a pushed
        document holding bytes as text); the condition on `step` makes that safe."""
        return _as_read(self.db.asan_requests.find_one_and_update(
            {"_id": signing_id, "state": PENDING, "step": step},
            {"$set": {"step": step + 1, "provider_session": None, "starting_at": stamp(now),
                      "verification_code": code, "signatures": signatures}},
            return_document=ReturnDocument.AFTER))

    def claim_session_start(self, signing_id: str, step: int, claimed_at, now: datetime) -> bool:
        """Take over starting a session whose starter has not finished in time."""
        result = self.db.asan_requests.update_one(
            {"_id": signing_id, "state": PENDING, "step": step, "provider_session": None, "starting_at": claimed_at},
            {"$set": {"starting_at": stamp(now)}})
        return result.modified_count == 1

    def set_signing_session(self, signing_id: str, step: int, provider_session: str) -> dict | None:
        return self.db.asan_requests.find_one_and_update(
            {"_id": signing_id, "state": PENDING, "step": step, "provider_session": None},
            {"$set": {"provider_session": provider_session}}, return_document=ReturnDocument.AFTER)

    def redeem(self, request_id: str, now: datetime, session_id: str) -> bool:
        """A confirmed log-in gives one session, however many polls race for it."""
        result = self.db.asan_requests.update_one(
            {"_id": request_id, "state": CONFIRMED, "redeemed_at": None},
            {"$set": {"redeemed_at": stamp(now), "session_id": session_id}})
        return result.modified_count == 1

    def signing_for(self, signing_id: str, caller: str) -> dict | None:
        return _as_read(self.db.asan_requests.find_one({"_id": signing_id, "kind": SIGN, "caller": caller}))

    # --- who signs where ------------------------------------------------------------------
    def remember_signer(self, fin: str, phone: str, user_id: str, now: datetime) -> None:
        self.db.asan_signers.update_one({"_id": fin}, {"$set": {"phone": phone, "user_id": user_id,
                                                                 "logged_in_at": stamp(now)}}, upsert=True)

    def signer(self, fin: str) -> dict | None:
        return self.db.asan_signers.find_one({"_id": fin})

    # --- card challenges --------------------------------------------------------------------
    def add_nonce(self, nonce: str, now: datetime, ttl: int) -> datetime:
        expires = now + timedelta(seconds=ttl)
        self.db.card_nonces.insert_one({"_id": nonce, "created_at": now, "expires_at": expires,
                                        "used_at": None, "purge_at": expires + KEEP_AFTER_END})
        return expires

    def use_nonce(self, nonce: str, now: datetime) -> bool:
        taken = self.db.card_nonces.find_one_and_update(
            {"_id": nonce, "used_at": None, "expires_at": {"$gt": now}}, {"$set": {"used_at": stamp(now)}})
        return taken is not None

    # --- log-in limits ----------------------------------------------------------------------
    def count_attempt(self, key: str, limit: int, purge_at: datetime) -> bool:
        """One more attempt on the counter `key` (a subject in a window) if it stays within `limit`:
        one conditional increment, or the window's first attempt inserting the counter. False,
        and nothing changed, when the counter is full.

        Increment-or-insert rather than an upsert: nx-27017 drops $setOnInsert from an upserting
        find_one_and_update (tests/conformance: the conditional increment and the upsert)."""
        counters = self.db.login_attempts
        for _ in range(3):
            if counters.find_one_and_update({"_id": key, "count": {"$lte": limit - 1}}, {"$inc": {"count": 1}},
                                            projection={"count": 1}) is not None:
                return True
            try:
                counters.insert_one({"_id": key, "count": 1, "purge_at": purge_at})
                return True
            except DuplicateKeyError:
                pass
            found = counters.find_one({"_id": key}, {"count": 1})
            if found is not None and int(found["count"]) >= limit:
                return False  # a count only grows within its window: full it stays
            # Inserted by another process since the increment missed (or purged meanwhile): again.
        return False

    # --- sessions ---------------------------------------------------------------------------
    def insert_session(self, session: dict) -> None:
        self.db.sessions.insert_one({**session, "purge_at": session["expires_at"] + KEEP_AFTER_END})

    def delete_session(self, session_id: str) -> None:
        self.db.sessions.delete_one({"_id": session_id})

    def get_session(self, session_id: str) -> dict | None:
        return strip_internal(self.db.sessions.find_one({"_id": session_id}))

    def set_acting_for(self, session_id: str, voen: str | None, role: str | None) -> dict | None:
        return strip_internal(self.db.sessions.find_one_and_update(
            {"_id": session_id, "revoked_at": None},
            {"$set": {"acting_for": voen, "company_role": role}}, return_document=ReturnDocument.AFTER))

    def rotate_refresh(self, session_id: str, old_hash: str, new_hash: str, now: datetime) -> dict | None:
        return strip_internal(self.db.sessions.find_one_and_update(
            {"_id": session_id, "refresh_hash": old_hash, "revoked_at": None, "expires_at": {"$gt": now}},
            {"$set": {"refresh_hash": new_hash, "refreshed_at": stamp(now)}}, return_document=ReturnDocument.AFTER))

    def revoke_session(self, session_id: str, now: datetime, until: int, event: dict) -> bool:
        """Revoked and its event recorded in the same single write (the relay publishes it)."""
        result = self.db.sessions.update_one(
            {"_id": session_id, "revoked_at": None},
            update_with_events({"$set": {"revoked_at": stamp(now), "revoked_until": until, "refresh_hash": None}}, event))
        return result.modified_count == 1

    def revoked_sessions(self, now_epoch: int) -> list[dict]:
        docs = self.db.sessions.find({"revoked_until": {"$gt": now_epoch}}, {"_id": 1, "revoked_until": 1})
        return [{"session_id": d["_id"], "until": d["revoked_until"]} for d in docs]

    # --- authorities ------------------------------------------------------------------------
    def record_grant(self, authority_id: str, voen: str, fin: str, valid_until: str | None, now: datetime) -> None:
        # Never touches `withdrawn`: a withdrawal that overtook its grant stays in force.
        self.db.authorities.update_one(
            {"_id": authority_id},
            {"$set": {"voen": voen, "fin": fin, "valid_until": valid_until, "granted": True, "granted_at": stamp(now)},
             "$setOnInsert": {"withdrawn": False}},
            upsert=True)

    def record_withdrawal(self, authority_id: str, voen: str, fin: str, now: datetime) -> None:
        self.db.authorities.update_one(
            {"_id": authority_id},
            {"$set": {"voen": voen, "fin": fin, "withdrawn": True, "withdrawn_at": stamp(now)},
             "$setOnInsert": {"granted": False, "valid_until": None}},
            upsert=True)

    def authorities_of(self, fin: str) -> list[dict]:
        return list(self.db.authorities.find({"fin": fin}))

