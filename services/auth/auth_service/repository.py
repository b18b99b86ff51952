"""Storage of the auth service (its own MongoDB database).

Collections:
  jwt_keys        token signing keys, one document per generation (_id = generation number)
  pki             the test certification authority (_id "test-ca")
  sim_cards       certificate + key of each simulator identity's SIM / e-signature card (_id = FİN)
  asan_requests   Asan İmza requests on a phone: log-ins and signings (_id = session / signing id)
  asan_starts     which log-in request a phone started last (_id = phone), for idempotent starts
  card_nonces     e-signature card challenges (_id = nonce), single use
  sessions        server-side log-in sessions; carries the auth.session.revoked events (outbox)
  authorities     company authorities learnt from the contracts service (_id = authority id)

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

from .domain import CONFIRMED, EXPIRED, PENDING, REJECTED, SIGN
from .keys import SigningKey

# Finished requests, nonces and sessions are kept this long after they stop mattering.
KEEP_AFTER_END = timedelta(days=2)
_PURGED_WHEN_DUE = IndexModel([("purge_at", ASCENDING)], expireAfterSeconds=0)


def storable(moment: datetime) -> datetime:
    """`moment` to the millisecond, as the database keeps it: an instant answered when something
    is made reads back the same when it is looked at again."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class AuthRepository(MongoRepository):
    INDEXES = {
        "asan_requests": [IndexModel([("phone", ASCENDING), ("state", ASCENDING)]),
                          IndexModel([("request_id", ASCENDING)]), _PURGED_WHEN_DUE],
        "sessions": [IndexModel([("revoked_until", ASCENDING)], sparse=True), _PURGED_WHEN_DUE],
        "authorities": [IndexModel([("fin", ASCENDING)])],
        "card_nonces": [_PURGED_WHEN_DUE],
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

    # --- test CA and simulator cards ----------------------------------------------------------
    def get_ca(self) -> dict | None:
        return self.db.pki.find_one({"_id": "test-ca"})

    def add_ca_once(self, cert_pem: str, key_pem: str, now: datetime) -> dict:
        try:
            self.db.pki.insert_one({"_id": "test-ca", "cert_pem": cert_pem, "key_pem": key_pem, "created_at": now})
        except DuplicateKeyError:
            pass
        return self.get_ca()

    def get_card(self, fin: str) -> dict | None:
        return self.db.sim_cards.find_one({"_id": fin})

    def add_card_once(self, fin: str, cert_pem: str, key_pem: str, now: datetime) -> dict:
        try:
            self.db.sim_cards.insert_one({"_id": fin, "cert_pem": cert_pem, "key_pem": key_pem, "created_at": now})
        except DuplicateKeyError:
            pass
        return self.get_card(fin)

    def replace_card(self, fin: str, old_cert_pem: str, cert_pem: str, key_pem: str, now: datetime) -> dict:
        """Renew a card that ran out; if another process renewed it first, theirs stays."""
        self.db.sim_cards.update_one({"_id": fin, "cert_pem": old_cert_pem},
                                     {"$set": {"cert_pem": cert_pem, "key_pem": key_pem, "created_at": stamp(now)}})
        return self.get_card(fin)

    # --- Asan İmza requests -----------------------------------------------------------------
    def insert_request(self, request: dict) -> None:
        self.db.asan_requests.insert_one({**request, "purge_at": request["expires_at"] + KEEP_AFTER_END})

    def delete_request(self, request_id: str) -> None:
        self.db.asan_requests.delete_one({"_id": request_id, "state": PENDING})

    def get_request(self, request_id: str) -> dict | None:
        return self.db.asan_requests.find_one({"_id": request_id})

    def get_request_on_phone(self, phone: str, phone_request_id: str) -> dict | None:
        return self.db.asan_requests.find_one({"request_id": phone_request_id, "phone": phone})

    def pending_on_phone(self, phone: str, now: datetime) -> list[dict]:
        docs = self.db.asan_requests.find({"phone": phone, "state": PENDING}).sort("created_at", ASCENDING)
        return [d for d in docs if as_utc(d["expires_at"]) > now]

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

    def count_wrong_pin(self, request_id: str, now: datetime) -> dict | None:
        """One more wrong PIN on a pending request; the new count comes back (atomic across processes)."""
        return self.db.asan_requests.find_one_and_update(
            {"_id": request_id, "state": PENDING, "expires_at": {"$gt": now}},
            {"$inc": {"pin_failures": 1}, "$set": {"last_wrong_pin_at": stamp(now)}},
            return_document=ReturnDocument.AFTER)

    def reject(self, request_id: str, now: datetime) -> None:
        self.db.asan_requests.update_one({"_id": request_id, "state": PENDING},
                                         {"$set": {"state": REJECTED, "rejected_at": stamp(now)}})

    def confirm(self, request_id: str, now: datetime, attempts: int, extra: dict | None = None) -> dict | None:
        """pending → confirmed, only while unexpired and not locked by wrong PINs."""
        return self.db.asan_requests.find_one_and_update(
            {"_id": request_id, "state": PENDING, "expires_at": {"$gt": now}, "pin_failures": {"$lt": attempts}},
            {"$set": {"state": CONFIRMED, "confirmed_at": stamp(now), **(extra or {})}},
            return_document=ReturnDocument.AFTER)

    def redeem(self, request_id: str, now: datetime, session_id: str) -> bool:
        """A confirmed log-in gives one session, however many polls race for it."""
        result = self.db.asan_requests.update_one(
            {"_id": request_id, "state": CONFIRMED, "redeemed_at": None},
            {"$set": {"redeemed_at": stamp(now), "session_id": session_id}})
        return result.modified_count == 1

    def signing_for(self, signing_id: str, caller: str) -> dict | None:
        doc = self.db.asan_requests.find_one({"_id": signing_id, "kind": SIGN, "caller": caller})
        if doc is not None and doc.get("signed_at") is not None:
            doc["signed_at"] = parse_instant(doc["signed_at"])
        return doc

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

