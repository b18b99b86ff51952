"""Storage of the insurers service (its own MongoDB database).

Collections: `applications` (one document per application, with its outbox; the scanned
documents' descriptions sit in it as `documents.<id>`), `counters` (the account-number sequence),
and the GridFS bucket `scans` (`scans.files`, `scans.chunks`): each scanned document stored under
the id it has in its application.

Every change of an application is one conditional single-document write, its event in the same
write (egov_kit.bus outbox). A scan is written to GridFS before its application refers to it, and
the reference is removed before the file: the application never names a file that is not there
(a crash in between leaves at most a file nobody refers to). nx-27017 notes (tests/conformance):
instants are stored as ISO text (clock.stamp) because a later `$set` of a date comes back as
text there; a `find_one_and_update` that would break a unique index answers None instead of
raising, so the VÖEN's uniqueness is asked again after a write that found nothing."""
from __future__ import annotations

from typing import BinaryIO

import gridfs
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from egov_kit.bus import strip_internal, update_with_events
from egov_kit.repository import MongoRepository

from .domain import DRAFT, SUBMITTED

OUTBOX_COLLECTIONS = ["applications"]
BUCKET = "scans"
ACCOUNT_COUNTER = "account_number"
SUMMARY = {"status": 1, "voen": 1, "full_name": 1, "documents_count": 1, "account_number": 1, "created_at": 1,
           "submitted_at": 1, "decided_at": 1}


class VoenTaken(Exception):
    """Another application of this VÖEN is under review or registered."""


class InsurersRepository(MongoRepository):
    # `active_voen` is set while an application is submitted or registered and removed when it is
    # rejected: unique, so a VÖEN is under review or registered once at most (sparse: drafts and
    # rejected applications lack it). Single-field indexes: nx-27017 plans with nothing else.
    INDEXES = {
        "applications": [IndexModel("active_voen", unique=True, sparse=True),
                         IndexModel("account_number", unique=True, sparse=True),
                         IndexModel("voen"), IndexModel("status")],
    }

    # --- applications -------------------------------------------------------------------------

    def insert(self, application: dict) -> None:
        self.db.applications.insert_one(application)

    def get(self, app_id: str) -> dict | None:
        return strip_internal(self.db.applications.find_one({"_id": app_id}))

    def active_for(self, voen: str) -> dict | None:
        """The application of `voen` under review or registered, if any (status only)."""
        return self.db.applications.find_one({"active_voen": voen}, {"status": 1})

    def registered(self, voen: str) -> dict | None:
        """The public look-up: one indexed find_one, only what the answer needs."""
        return self.db.applications.find_one({"active_voen": voen},
                                             {"_id": 0, "status": 1, "full_name": 1, "account_number": 1})

    def update_draft(self, app_id: str, voen: str, sets: dict, unsets: dict) -> dict | None:
        """The draft changed, or None when it is not (or no longer) a draft of this VÖEN."""
        update: dict = {"$set": sets}
        if unsets:
            update["$unset"] = unsets
        return strip_internal(self.db.applications.find_one_and_update(
            {"_id": app_id, "voen": voen, "status": DRAFT}, update, return_document=ReturnDocument.AFTER))

    def attach_document(self, app_id: str, voen: str, doc_id: str, entry: dict, *, max_total: int,
                        max_count: int, at: str) -> dict | None:
        """The document named in its draft, if the draft stays within both limits (one guarded
        write, so concurrent uploads cannot pass them together); None otherwise."""
        size = entry["size"]
        return strip_internal(self.db.applications.find_one_and_update(
            {"_id": app_id, "voen": voen, "status": DRAFT, "documents_size": {"$lte": max_total - size},
             "documents_count": {"$lte": max_count - 1}},
            {"$set": {f"documents.{doc_id}": entry, "updated_at": at},
             "$inc": {"documents_size": size, "documents_count": 1}},
            return_document=ReturnDocument.AFTER))

    def detach_document(self, app_id: str, voen: str, doc_id: str, size: int, at: str) -> dict | None:
        return strip_internal(self.db.applications.find_one_and_update(
            {"_id": app_id, "voen": voen, "status": DRAFT, f"documents.{doc_id}": {"$exists": True}},
            {"$unset": {f"documents.{doc_id}": ""}, "$set": {"updated_at": at},
             "$inc": {"documents_size": -size, "documents_count": -1}},
            return_document=ReturnDocument.AFTER))

    def submit(self, app_id: str, voen: str, sets: dict, event: dict) -> dict | None:
        """Draft → submitted with its event, the VÖEN taken (`active_voen`) in the same write.
        None when it was no longer a draft; VoenTaken when the VÖEN is under review or
        registered already."""
        update = update_with_events({"$set": {**sets, "status": SUBMITTED, "active_voen": voen}}, event)
        try:
            found = self.db.applications.find_one_and_update(
                {"_id": app_id, "voen": voen, "status": DRAFT}, update, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            raise VoenTaken() from None
        if found is None and self.active_for(voen) is not None:
            still = self.db.applications.find_one({"_id": app_id}, {"status": 1})
            if still is not None and still.get("status") == DRAFT:
                raise VoenTaken()  # nx-27017: the unique index refused it without saying so
        return strip_internal(found)

    def decide(self, app_id: str, sets: dict, unsets: dict, event: dict) -> dict | None:
        """Submitted → registered or rejected with its event, once: None when it was not submitted."""
        update = update_with_events({"$set": sets, **({"$unset": unsets} if unsets else {})}, event)
        return strip_internal(self.db.applications.find_one_and_update(
            {"_id": app_id, "status": SUBMITTED}, update, return_document=ReturnDocument.AFTER))

    def page(self, query: dict, limit: int, offset: int, *, oldest_submitted_first: bool) -> tuple[list[dict], int]:
        order = [("submitted_at", ASCENDING), ("_id", ASCENDING)] if oldest_submitted_first \
            else [("created_at", DESCENDING), ("_id", DESCENDING)]
        cursor = self.db.applications.find(query, SUMMARY).sort(order).skip(offset).limit(limit)
        return list(cursor), self.db.applications.count_documents(query)

    def next_account_number(self) -> int:
        """The next value of the account-number counter (one atomic increment; a number taken by a
        registration that then found its application decided already is skipped, never reused)."""
        found = self.db.counters.find_one_and_update({"_id": ACCOUNT_COUNTER}, {"$inc": {"value": 1}},
                                                     upsert=True, return_document=ReturnDocument.AFTER)
        return int(found["value"])

    # --- scanned documents (GridFS) -----------------------------------------------------------

    @property
    def bucket(self) -> gridfs.GridFSBucket:
        return gridfs.GridFSBucket(self.db, bucket_name=BUCKET)

    def store_file(self, file_id: str, filename: str, source: BinaryIO, metadata: dict) -> None:
        """Streams `source` into GridFS (chunk by chunk; the chunks go in batches)."""
        self.bucket.upload_from_stream_with_id(file_id, filename, source, metadata=metadata)

    def open_file(self, file_id: str) -> gridfs.GridOut | None:
        try:
            return self.bucket.open_download_stream(file_id)
        except gridfs.errors.NoFile:
            return None

    def delete_file(self, file_id: str) -> None:
        """The file and its chunks, also the chunks of an upload that never finished (it has no file
        document). nx-27017 answers a delete of a missing file document with an error, where MongoDB
        deletes nothing (tests/conformance)."""
        try:
            self.db[f"{BUCKET}.files"].delete_one({"_id": file_id})
        except OperationFailure as failure:
            if "not found" not in str(failure):
                raise
        self.db[f"{BUCKET}.chunks"].delete_many({"files_id": file_id})
