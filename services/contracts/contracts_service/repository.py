"""Storage of the contracts service (MongoDB through pymongo).

Collections: `authorities` and `notices` (both carry outbox events, written in the same
single-document update as the change), `signings` (one per signing attempt: the exact bytes
that were sent for signature and, once confirmed, the CMS signatures and the signed PDF — kept
apart so notice listings never drag files along)."""
from __future__ import annotations

import re

from bson.binary import Binary
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from egov_kit.bus import document_with_events, strip_internal, update_with_events
from egov_kit.errors import conflict
from egov_kit.repository import MongoRepository

AUTHORITIES, NOTICES, SIGNINGS = "authorities", "notices", "signings"
OUTBOX_COLLECTIONS = [AUTHORITIES, NOTICES]
# The outbox is the relay's business, never a reader's.
_WITHOUT_OUTBOX = {"_outbox": 0}
# Stored as BSON binary, handed out as bytes.
_BINARY_FIELDS = ("content", "pdf_prepared", "cms", "pdf_cms", "signed_pdf")


def _binary(value):
    return Binary(value) if isinstance(value, (bytes, bytearray)) else value


def _bytes(value):
    return bytes(value) if isinstance(value, (bytes, bytearray, Binary)) else value


def _contract_number_taken():
    return conflict("contract_number_taken", "contract_number")


class ContractsRepository(MongoRepository):
    INDEXES = {
        AUTHORITIES: [IndexModel([("voen", ASCENDING), ("granted_at", DESCENDING)]),
                      IndexModel([("fin", ASCENDING), ("voen", ASCENDING)])],
        # Both keys are on every notice, so the unique index holds on any MongoDB-speaking server.
        NOTICES: [IndexModel([("employer_voen", ASCENDING), ("contract_number", ASCENDING)], unique=True,
                             name="contract_number_per_employer"),
                  IndexModel([("employer_voen", ASCENDING), ("created_at", DESCENDING)]),
                  IndexModel([("employee_fin", ASCENDING), ("status", ASCENDING)])],
        SIGNINGS: [IndexModel([("notice_id", ASCENDING)])],
    }

    # --- authorities ----------------------------------------------------------------------

    def insert_authority(self, authority: dict, event: dict) -> None:
        self.db[AUTHORITIES].insert_one(document_with_events(authority, event))

    def authorities_of(self, voen: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the company's authorities, the latest granted first, and how many there are."""
        query = {"voen": voen}
        total = self.db[AUTHORITIES].count_documents(query)
        cursor = self.db[AUTHORITIES].find(query, _WITHOUT_OUTBOX) \
            .sort([("granted_at", DESCENDING), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return [strip_internal(doc) for doc in cursor], total

    def authorities_of_person(self, voen: str, fin: str) -> list[dict]:
        return [strip_internal(doc) for doc in self.db[AUTHORITIES].find({"voen": voen, "fin": fin}, _WITHOUT_OUTBOX)]

    def get_authority(self, authority_id: str, voen: str) -> dict | None:
        return strip_internal(self.db[AUTHORITIES].find_one({"_id": authority_id, "voen": voen}, _WITHOUT_OUTBOX))

    def withdraw_authority(self, authority_id: str, voen: str, changes: dict, event: dict) -> dict | None:
        """Withdraw once: None when it was already withdrawn (or is not this company's)."""
        doc = self.db[AUTHORITIES].find_one_and_update(
            {"_id": authority_id, "voen": voen, "status": "active"},
            update_with_events({"$set": changes}, event), projection=_WITHOUT_OUTBOX,
            return_document=ReturnDocument.AFTER)
        return strip_internal(doc)

    # --- notices --------------------------------------------------------------------------

    def insert_notice(self, notice: dict) -> None:
        """Raises ServiceError(409, contract_number_taken) for a number the employer already used."""
        try:
            self.db[NOTICES].insert_one(notice)
        except DuplicateKeyError:
            raise _contract_number_taken() from None

    def get_notice(self, notice_id: str) -> dict | None:
        return strip_internal(self.db[NOTICES].find_one({"_id": notice_id}, _WITHOUT_OUTBOX))

    def update_unsigned_notice(self, notice_id: str, changes: dict) -> dict | None:
        """Apply an edit only while the notice is still unsigned (None otherwise)."""
        try:
            doc = self.db[NOTICES].find_one_and_update({"_id": notice_id, "status": "unsigned"}, {"$set": changes},
                                                       projection=_WITHOUT_OUTBOX,
                                                       return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            raise _contract_number_taken() from None
        return strip_internal(doc)

    def delete_unsigned_notice(self, notice_id: str) -> bool:
        return self.db[NOTICES].delete_one({"_id": notice_id, "status": "unsigned"}).deleted_count == 1

    def list_notices(self, query: dict, *, search: str | None, limit: int, offset: int,
                     sort: list) -> tuple[list[dict], int]:
        if search:
            query = {**query, "search": {"$regex": re.escape(search)}}
        total = self.db[NOTICES].count_documents(query)
        cursor = self.db[NOTICES].find(query, _WITHOUT_OUTBOX).sort(sort).skip(offset).limit(limit)
        return [strip_internal(doc) for doc in cursor], total

    def set_notice_fields(self, notice_id: str, conditions: dict, changes: dict, *events: dict) -> dict | None:
        """A conditional single-document update of a notice, recording `events` in the same write."""
        update = {"$set": changes}
        if events:
            update = update_with_events(update, *events)
        doc = self.db[NOTICES].find_one_and_update({"_id": notice_id, **conditions}, update,
                                                   projection=_WITHOUT_OUTBOX, return_document=ReturnDocument.AFTER)
        return strip_internal(doc)

    def notices_pending_under(self, voen: str, authority_id: str) -> list[dict]:
        """The company's notices with a signature (of the notice or of its termination) pending under
        this authority."""
        query = {"employer_voen": voen, "$or": [
            {"signing.authority_id": authority_id, "signing.state": "pending"},
            {"termination.signing.authority_id": authority_id, "termination.signing.state": "pending"},
        ]}
        return [strip_internal(doc) for doc in self.db[NOTICES].find(query, _WITHOUT_OUTBOX)]

    # --- signings -------------------------------------------------------------------------

    def insert_signing(self, signing: dict) -> None:
        self.db[SIGNINGS].insert_one({k: _binary(v) for k, v in signing.items()})

    def get_signing(self, signing_id: str) -> dict | None:
        doc = self.db[SIGNINGS].find_one({"_id": signing_id})
        if doc is None:
            return None
        return {k: (_bytes(v) if k in _BINARY_FIELDS else v) for k, v in doc.items()}

    def record_signing_result(self, signing_id: str, changes: dict) -> None:
        """The confirmed signatures and the signed PDF (the prepared copy stays: should the notice's
        own update not happen, the next poll finishes again from it)."""
        self.db[SIGNINGS].update_one({"_id": signing_id}, {"$set": {k: _binary(v) for k, v in changes.items()}})

    def forget_signing_files(self, signing_id: str, state: str, at: str) -> None:
        """A signing that will never complete keeps its outcome but not the prepared files."""
        self.db[SIGNINGS].update_one({"_id": signing_id}, {"$set": {"state": state, "finished_at": at},
                                                           "$unset": {"pdf_prepared": ""}})
