"""Storage of the contracts service (MongoDB through pymongo).

Collections: `authorities` and `notices` (both carry outbox events, written in the same
single-document update as the change), `signings` (one per signing attempt: the exact bytes
that were sent for signature and, once confirmed, the CMS signatures and the signed PDF — kept
apart so notice listings never drag files along)."""
from __future__ import annotations

import re
from bson.binary import Binary
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from egov_kit.bus import document_with_events, strip_internal, update_with_events

AUTHORITIES, NOTICES, SIGNINGS = "authorities", "notices", "signings"
OUTBOX_COLLECTIONS = [AUTHORITIES, NOTICES]
# Large fields a listing never needs.
_LIST_PROJECTION = {"_outbox": 0}


class ContractNumberTaken(Exception):
    pass


def ensure_indexes(db) -> None:
    db[AUTHORITIES].create_index([("voen", ASCENDING), ("granted_at", DESCENDING)])
    db[AUTHORITIES].create_index([("fin", ASCENDING), ("voen", ASCENDING)])
    # Both keys are on every notice, so the unique index holds on any MongoDB-speaking server.
    db[NOTICES].create_index([("employer_voen", ASCENDING), ("contract_number", ASCENDING)], unique=True,
                             name="contract_number_per_employer")
    db[NOTICES].create_index([("employer_voen", ASCENDING), ("created_at", DESCENDING)])
    db[NOTICES].create_index([("employee_fin", ASCENDING), ("status", ASCENDING)])
    db[SIGNINGS].create_index([("notice_id", ASCENDING)])


def _binary(value):
    return Binary(value) if isinstance(value, (bytes, bytearray)) else value


def _bytes(value):
    return bytes(value) if isinstance(value, (bytes, bytearray, Binary)) else value


# --- authorities --------------------------------------------------------------------------

def insert_authority(db, authority: dict, event: dict) -> None:
    db[AUTHORITIES].insert_one(document_with_events(authority, event))


def authorities_of(db, voen: str) -> list[dict]:
    cursor = db[AUTHORITIES].find({"voen": voen}, _LIST_PROJECTION).sort([("granted_at", DESCENDING), ("_id", ASCENDING)])
    return [strip_internal(doc) for doc in cursor]


def authorities_of_person(db, voen: str, fin: str) -> list[dict]:
    return [strip_internal(doc) for doc in db[AUTHORITIES].find({"voen": voen, "fin": fin}, _LIST_PROJECTION)]


def get_authority(db, authority_id: str, voen: str) -> dict | None:
    return strip_internal(db[AUTHORITIES].find_one({"_id": authority_id, "voen": voen}, _LIST_PROJECTION))


def withdraw_authority(db, authority_id: str, voen: str, changes: dict, event: dict) -> dict | None:
    """Withdraw once: None when it was already withdrawn (or is not this company's)."""
    doc = db[AUTHORITIES].find_one_and_update(
        {"_id": authority_id, "voen": voen, "status": "active"},
        update_with_events({"$set": changes}, event), projection=_LIST_PROJECTION,
        return_document=ReturnDocument.AFTER)
    return strip_internal(doc)


# --- notices ------------------------------------------------------------------------------

def insert_notice(db, notice: dict) -> None:
    try:
        db[NOTICES].insert_one(notice)
    except DuplicateKeyError:
        raise ContractNumberTaken() from None


def get_notice(db, notice_id: str) -> dict | None:
    return strip_internal(db[NOTICES].find_one({"_id": notice_id}, _LIST_PROJECTION))


def update_unsigned_notice(db, notice_id: str, changes: dict, unset: dict | None = None) -> dict | None:
    """Apply an edit only while the notice is still unsigned (None otherwise)."""
    update = {"$set": changes}
    if unset:
        update["$unset"] = unset
    try:
        doc = db[NOTICES].find_one_and_update({"_id": notice_id, "status": "unsigned"}, update,
                                              projection=_LIST_PROJECTION, return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:
        raise ContractNumberTaken() from None
    return strip_internal(doc)


def delete_unsigned_notice(db, notice_id: str) -> bool:
    return db[NOTICES].delete_one({"_id": notice_id, "status": "unsigned"}).deleted_count == 1


def list_notices(db, query: dict, *, search: str | None, limit: int, offset: int, sort: list) -> tuple[list[dict], int]:
    if search:
        query = {**query, "search": {"$regex": re.escape(search)}}
    total = db[NOTICES].count_documents(query)
    cursor = db[NOTICES].find(query, _LIST_PROJECTION).sort(sort).skip(offset).limit(limit)
    return [strip_internal(doc) for doc in cursor], total


def set_notice_fields(db, notice_id: str, conditions: dict, changes: dict, *events: dict) -> dict | None:
    """A conditional single-document update of a notice, recording `events` in the same write."""
    update = {"$set": changes}
    if events:
        update = update_with_events(update, *events)
    doc = db[NOTICES].find_one_and_update({"_id": notice_id, **conditions}, update,
                                          projection=_LIST_PROJECTION, return_document=ReturnDocument.AFTER)
    return strip_internal(doc)


def notices_pending_under(db, voen: str, authority_id: str) -> list[dict]:
    """The company's notices with a signature (of the notice or of its termination) pending under
    this authority."""
    query = {"employer_voen": voen, "$or": [
        {"signing.authority_id": authority_id, "signing.state": "pending"},
        {"termination.signing.authority_id": authority_id, "termination.signing.state": "pending"},
    ]}
    return [strip_internal(doc) for doc in db[NOTICES].find(query, _LIST_PROJECTION)]


# --- signings -----------------------------------------------------------------------------

_BINARY_FIELDS = ("content", "pdf_prepared", "cms", "pdf_cms", "signed_pdf")


def insert_signing(db, signing: dict) -> None:
    db[SIGNINGS].insert_one({k: _binary(v) for k, v in signing.items()})


def get_signing(db, signing_id: str) -> dict | None:
    doc = db[SIGNINGS].find_one({"_id": signing_id})
    if doc is None:
        return None
    return {k: (_bytes(v) if k in _BINARY_FIELDS else v) for k, v in doc.items()}


def record_signing_result(db, signing_id: str, changes: dict) -> None:
    """The confirmed signatures and the signed PDF (the prepared copy stays: should the notice's
    own update not happen, the next poll finishes again from it)."""
    db[SIGNINGS].update_one({"_id": signing_id}, {"$set": {k: _binary(v) for k, v in changes.items()}})


def forget_signing_files(db, signing_id: str, state: str, at: str) -> None:
    """A signing that will never complete keeps its outcome but not the prepared files."""
    db[SIGNINGS].update_one({"_id": signing_id}, {"$set": {"state": state, "finished_at": at},
                                                  "$unset": {"pdf_prepared": ""}})
