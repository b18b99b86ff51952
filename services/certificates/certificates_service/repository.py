"""Storage of the certificates service (its own MongoDB database).

Collections: `contracts` (projection of contract notices, by notice id), `certificates` (by
number, with their outbox), `pdfs` (the sealed PDF by number), `contacts` (remembered mobiles and
e-mails, one document per value), `verifications` (every check), `rate_limits`
(fixed-window counters shared by every process, taken in shares: quota.py), `seal` (the seal's
keys when not given by env).
Every write is a single-document write; events ride in the same write (egov_kit.bus outbox)."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from bson.binary import Binary
from pymongo import DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from egov_kit.bus import document_with_events, strip_internal, update_with_events
from egov_kit.repository import MongoRepository

OUTBOX_COLLECTIONS = ["certificates"]


def _key(*parts: str) -> str:
    # Keys built from a FİN or an e-mail are hashed: ids end up in error messages and logs.
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


class CertificatesRepository(MongoRepository):
    # Single-field indexes: nx-27017 plans with single-field indexes only (a compound one is
    # never used there), and on MongoDB each query below is an equality on one of them.
    # Number look-ups need none: the number is the certificate's _id.
    INDEXES = {
        "contracts": [IndexModel("employee_fin")],
        "certificates": [IndexModel("holder_fin"), IndexModel("contract_id")],
        "verifications": [IndexModel("verifier_fin"), IndexModel("holder_fin"), IndexModel("valid_check")],
        "contacts": [IndexModel("fin")],
        "rate_limits": [IndexModel("expires_at", expireAfterSeconds=0)],
    }

    # --- contract projection --------------------------------------------------------------

    def _upsert(self, notice_id: str, update: dict) -> None:
        try:
            self.db.contracts.update_one({"_id": notice_id}, update, upsert=True)
        except DuplicateKeyError:
            # Two events for a new notice at once: the other insert won, update what it made.
            self.db.contracts.update_one({"_id": notice_id}, update)

    def project_signed(self, notice_id: str, fields: dict) -> None:
        """The notice's data; its status is set only when the notice is new, so a termination
        that arrived first stays (a late signing event never brings a contract back)."""
        self._upsert(notice_id, {"$set": fields, "$setOnInsert": {"status": "signed"}})

    def project_terminated(self, notice_id: str, fields: dict) -> None:
        self._upsert(notice_id, {"$set": fields})

    def contract(self, notice_id: str) -> dict | None:
        return self.db.contracts.find_one({"_id": notice_id})

    def contracts_of(self, fin: str) -> list[dict]:
        return list(self.db.contracts.find({"employee_fin": fin, "status": "signed"}).sort("start_date", DESCENDING))

    # --- certificates ---------------------------------------------------------------------

    def insert_pdf(self, number: str, pdf: bytes) -> bool:
        """False when the number is already taken (the caller draws another)."""
        try:
            self.db.pdfs.insert_one({"_id": number, "pdf": Binary(pdf), "size": len(pdf)})
            return True
        except DuplicateKeyError:
            return False

    def pdf(self, number: str) -> bytes | None:
        doc = self.db.pdfs.find_one({"_id": number})
        return bytes(doc["pdf"]) if doc else None

    def insert_certificate(self, certificate: dict, event: dict) -> None:
        self.db.certificates.insert_one(document_with_events(certificate, event))

    def certificate(self, number: str) -> dict | None:
        return strip_internal(self.db.certificates.find_one({"_id": number}))

    def history(self, fin: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the holder's certificates, newest first, and how many there are."""
        return self._page(self.db.certificates, {"holder_fin": fin}, "issued_at", limit, offset)

    @staticmethod
    def _page(collection, query: dict, newest: str, limit: int, offset: int) -> tuple[list[dict], int]:
        cursor = collection.find(query).sort([(newest, DESCENDING), ("_id", DESCENDING)]).skip(offset).limit(limit)
        return [strip_internal(d) for d in cursor], collection.count_documents(query)

    def revoke(self, number: str, *, reason: str, revoked_at: datetime, event: dict,
               holder_fin: str | None = None) -> dict | None:
        """Active → revoked with its event, once, in one conditional write: the certificate as it
        is now, or None when it was not active (or not this holder's)."""
        query = {"_id": number, "status": "active"}
        if holder_fin is not None:
            query["holder_fin"] = holder_fin
        # The instant sits in a sub-document: nx-27017 turns a top-level date $set on an existing
        # document into a string (nested dates survive), MongoDB keeps either.
        update = update_with_events(
            {"$set": {"status": "revoked", "revocation": {"at": revoked_at, "reason": reason}}}, event)
        return strip_internal(self.db.certificates.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER))

    def active_on_contract(self, contract_id: str) -> list[dict]:
        """Certificates on a contract not revoked yet (expired ones included: the caller decides)."""
        return [strip_internal(d) for d in self.db.certificates.find({"contract_id": contract_id, "status": "active"})]

    # --- contacts -------------------------------------------------------------------------

    def remember_contact(self, fin: str, kind: str, value: str, at: datetime) -> None:
        # Integer microseconds: sortable, and immune to nx-27017's date-$set deviation.
        update = {"$set": {"fin": fin, "kind": kind, "value": value, "last_used": int(at.timestamp() * 1_000_000)}}
        key = _key(fin, kind, value.lower())
        try:
            self.db.contacts.update_one({"_id": key}, update, upsert=True)
        except DuplicateKeyError:
            self.db.contacts.update_one({"_id": key}, update)  # the same value saved at the same moment

    def contacts(self, fin: str) -> list[dict]:
        return list(self.db.contacts.find({"fin": fin}).sort("last_used", DESCENDING).limit(100))

    # --- verifications --------------------------------------------------------------------

    def insert_verification(self, record: dict) -> None:
        record = {"_id": uuid.uuid4().hex, **record}
        if record.get("result") == "valid":
            # What lets this verifier download the PDF later: one indexed key per (verifier, number).
            record["valid_check"] = _key(record["verifier_fin"], record["number"])
        self.db.verifications.insert_one(record)

    def verifications(self, field: str, fin: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the checks by a verifier (`verifier_fin`) or of a holder's certificates
        (`holder_fin`), newest first, and how many there are."""
        return self._page(self.db.verifications, {field: fin}, "at", limit, offset)

    def has_valid_check(self, verifier_fin: str, number: str) -> bool:
        return self.db.verifications.find_one({"valid_check": _key(verifier_fin, number)}, {"_id": 1}) is not None

    # --- rate limits ----------------------------------------------------------------------

    def take_hits(self, key: str, hits: int, limit: int, expires_at: datetime) -> tuple[bool, int]:
        """Adds `hits` to the counter of a fixed window (shared by every process) only if it stays
        within `limit`, in one atomic conditional increment; (taken, the count after taking — or
        as found when not taken). See quota.LeasedQuota.

        Increment-or-insert rather than an upserting find_one_and_update: nx-27017 drops
        $setOnInsert there (and would store the expiry date as a string)."""
        counters = self.db.rate_limits
        key = _key(key)
        for _ in range(4):
            doc = counters.find_one_and_update({"_id": key, "count": {"$lte": limit - hits}},
                                               {"$inc": {"count": hits}}, projection={"count": 1},
                                               return_document=ReturnDocument.AFTER)
            if doc is not None:
                return True, int(doc["count"])
            try:
                counters.insert_one({"_id": key, "count": hits, "expires_at": expires_at})
                return True, hits
            except DuplicateKeyError:
                pass
            doc = counters.find_one({"_id": key}, {"count": 1})
            if doc is not None and int(doc["count"]) > limit - hits:
                return False, int(doc["count"])  # a count only grows: it stays too full for `hits`
            # Opened by another process since the increment missed (or expired meanwhile): again.
        return False, limit

    # --- seal -----------------------------------------------------------------------------

    def seal_material(self) -> dict | None:
        return self.db.seal.find_one({"_id": "seal"})

    def insert_seal_material(self, material: dict) -> dict:
        """The first writer wins; everyone uses the winner's keys."""
        try:
            self.db.seal.insert_one(material)
            return material
        except DuplicateKeyError:
            return self.db.seal.find_one({"_id": material["_id"]})
