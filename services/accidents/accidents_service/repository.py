"""Storage of the accidents service (MongoDB through pymongo).

Collections:
- `reports`: one document per report, its outbox events recorded in the same single-document
  write as the change (the relay drains it);
- `search_terms`: what the history's search finds a report by — one scalar key per document
  (`<VÖEN>|fin:<FİN>`, `<VÖEN>|name:<word>`) with a single-field index. Not an array on the
  report: nx-27017 answers an equality match on an indexed array field with nothing, and it
  plans with single-field indexes only (tests/conformance pins both). The terms are kept beside
  the report (written before it, stale ones removed after it), and whatever they find is checked
  against the report itself, so a lagging term never shows a wrong report;
- `signings`: one per signing attempt: the exact bytes sent for signature, the prepared PDF and,
  once confirmed, the CMS signatures and the signed PDF (kept apart: listings never carry files);
- `counters`: the registration numbers of each year, taken with one atomic `$inc`."""
from __future__ import annotations

from bson.binary import Binary
from pymongo import DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from egov_kit.bus import strip_internal, update_with_events
from egov_kit.repository import MongoRepository

REPORTS, SEARCH_TERMS, SIGNINGS, COUNTERS = "reports", "search_terms", "signings", "counters"
OUTBOX_COLLECTIONS = [REPORTS]
_WITHOUT_OUTBOX = {"_outbox": 0}
_BINARY_FIELDS = ("content", "pdf_prepared", "cms", "pdf_cms")
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]
# The most reports one search of the history looks at (a company's reports matching its words).
MAX_CANDIDATES = 5000


def _binary(value):
    return Binary(value) if isinstance(value, (bytes, bytearray)) else value


def _bytes(value):
    return bytes(value) if isinstance(value, (bytes, bytearray, Binary)) else value


def _term_key(voen: str, term: str) -> str:
    return f"{voen}|{term}"


class AccidentsRepository(MongoRepository):
    INDEXES = {
        REPORTS: [IndexModel("employer_voen"),
                  # Drafts carry no number at all (not null), so the index holds on every server.
                  IndexModel("registration_number", unique=True, sparse=True),
                  IndexModel("stats_year")],
        SEARCH_TERMS: [IndexModel("key"), IndexModel("report_id")],
        SIGNINGS: [IndexModel("report_id")],
    }

    # --- reports ----------------------------------------------------------------------------

    def insert_report(self, report: dict) -> bool:
        """False when a report with this id exists already (a repeat of the same request)."""
        try:
            self.db[REPORTS].insert_one(report)
            return True
        except DuplicateKeyError:
            return False

    def get_report(self, report_id: str) -> dict | None:
        return strip_internal(self.db[REPORTS].find_one({"_id": report_id}, _WITHOUT_OUTBOX))

    def update_report(self, report_id: str, conditions: dict, changes: dict, *events: dict) -> dict | None:
        """A conditional single-document update (None when the conditions no longer hold), with
        `events` recorded in the same write. `changes` may set `$unset` (a dict of fields)."""
        changes = dict(changes)
        unset = changes.pop("$unset", None)
        update: dict = {"$set": changes, "$inc": {"rev": 1}}
        if unset:
            update["$unset"] = unset
        if events:
            update = update_with_events(update, *events)
        doc = self.db[REPORTS].find_one_and_update({"_id": report_id, **conditions}, update,
                                                   projection=_WITHOUT_OUTBOX, return_document=ReturnDocument.AFTER)
        return strip_internal(doc)

    def delete_draft(self, report_id: str) -> bool:
        return self.db[REPORTS].delete_one({"_id": report_id, "status": "draft"}).deleted_count == 1

    @staticmethod
    def _history_query(voen: str, *, status: str | None, date_from: str | None, date_to: str | None,
                       late: bool | None, now_ms: int) -> dict:
        query: dict = {"employer_voen": voen}
        if status:
            query["status"] = status
        if date_from or date_to:
            query["occurred_date"] = {**({"$gte": date_from} if date_from else {}),
                                      **({"$lte": date_to} if date_to else {})}
        if late is True:
            # Filed late, or a draft whose deadline has passed (it can only be filed late now).
            query["$or"] = [{"late": 1}, {"status": "draft", "deadline_ms": {"$lt": now_ms}}]
        elif late is False:
            # `$in: [None]`, not `None`: inside `$or` nx-27017 matches an equality with null only
            # where the field is missing, not where it holds null (tests/conformance pins it).
            query["$or"] = [{"late": 0}, {"status": "draft", "deadline_ms": {"$in": [None]}},
                            {"status": "draft", "deadline_ms": {"$gte": now_ms}}]
        return query

    def history(self, voen: str, *, status: str | None, date_from: str | None, date_to: str | None,
                late: bool | None, now_ms: int, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the company's reports, newest first, and how many match."""
        query = self._history_query(voen, status=status, date_from=date_from, date_to=date_to, late=late,
                                    now_ms=now_ms)
        total = self.db[REPORTS].count_documents(query)
        cursor = self.db[REPORTS].find(query, _WITHOUT_OUTBOX).sort(NEWEST_FIRST).skip(offset).limit(limit)
        return [strip_internal(doc) for doc in cursor], total

    def history_of(self, report_ids: list[str], voen: str, *, status: str | None, date_from: str | None,
                   date_to: str | None, late: bool | None, now_ms: int) -> list[dict]:
        """The reports among `report_ids` that are the company's and pass the filters, newest first
        (looked up by id: the ids come from the search terms)."""
        if not report_ids:
            return []
        query = self._history_query(voen, status=status, date_from=date_from, date_to=date_to, late=late,
                                    now_ms=now_ms)
        query["_id"] = {"$in": report_ids}
        del query["employer_voen"]  # on the id (one look-up each), and checked below
        found = [strip_internal(doc) for doc in self.db[REPORTS].find(query, _WITHOUT_OUTBOX).sort(NEWEST_FIRST)]
        return [doc for doc in found if doc["employer_voen"] == voen]

    def report_by_number(self, number: str) -> dict | None:
        return strip_internal(self.db[REPORTS].find_one({"registration_number": number}, _WITHOUT_OUTBOX))

    # --- search terms -----------------------------------------------------------------------

    def add_terms(self, report_id: str, voen: str, terms: set[str]) -> None:
        """The report is found by `terms` (those it has already are left as they are)."""
        docs = [{"_id": f"{report_id}|{term}", "key": _term_key(voen, term), "report_id": report_id}
                for term in sorted(terms)]
        if not docs:
            return
        try:
            self.db[SEARCH_TERMS].insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(err.get("code") != 11000 for err in exc.details.get("writeErrors", [])):
                raise

    def keep_only_terms(self, report_id: str, terms: set[str]) -> None:
        """Forget the report's terms other than `terms` (after the report itself changed)."""
        keep = [f"{report_id}|{term}" for term in terms]
        self.db[SEARCH_TERMS].delete_many({"report_id": report_id, "_id": {"$nin": keep}})

    def report_ids_for(self, voen: str, options: list[tuple[str, str | None]],
                       limit: int = MAX_CANDIDATES) -> tuple[set[str], bool]:
        """Ids of the company's reports with a term satisfying one of `options`: (term, None) for
        that exact term, (prefix, "prefix") for any term starting with it, and whether that is all
        of them (no option had more than `limit` terms). Each option is one look-up on the
        single-field index (an equality, or a range for a prefix)."""
        ids: set[str] = set()
        complete = True
        for term, kind in options:
            key = _term_key(voen, term)
            query = {"key": key} if kind is None else {"key": {"$gte": key, "$lt": key + "\uffff"}}
            found = 0
            for doc in self.db[SEARCH_TERMS].find(query, {"report_id": 1}).limit(limit + 1):
                found += 1
                if found > limit:
                    complete = False
                    break
                ids.add(doc["report_id"])
        return ids, complete

    # --- registration numbers ---------------------------------------------------------------

    def next_number(self, counter: str) -> int:
        """The next number of `counter` (one atomic increment; the first call creates it)."""
        for _ in range(3):
            try:
                doc = self.db[COUNTERS].find_one_and_update({"_id": counter}, {"$inc": {"seq": 1}}, upsert=True,
                                                            return_document=ReturnDocument.AFTER)
                return int(doc["seq"])
            except DuplicateKeyError:
                continue  # two first calls at once: the other created it, increment again
        raise RuntimeError("the registration counter could not be taken")

    # --- signings ---------------------------------------------------------------------------

    def insert_signing(self, signing: dict) -> None:
        self.db[SIGNINGS].insert_one({k: _binary(v) for k, v in signing.items()})

    def get_signing(self, signing_id: str) -> dict | None:
        doc = self.db[SIGNINGS].find_one({"_id": signing_id})
        if doc is None:
            return None
        return {k: (_bytes(v) if k in _BINARY_FIELDS else v) for k, v in doc.items()}

    def record_signing_result(self, signing_id: str, changes: dict) -> None:
        """The confirmed signatures (the prepared PDF stays: the signed one is it with the PDF's CMS
        in place, and should the report's own update not happen, the next poll finishes again
        from it)."""
        self.db[SIGNINGS].update_one({"_id": signing_id}, {"$set": {k: _binary(v) for k, v in changes.items()}})

    def forget_signing_files(self, signing_id: str, state: str, at: str) -> None:
        """A signing that will never complete keeps its outcome but not the prepared file."""
        self.db[SIGNINGS].update_one({"_id": signing_id}, {"$set": {"state": state, "finished_at": at},
                                                           "$unset": {"pdf_prepared": ""}})

    # --- statistics -------------------------------------------------------------------------

    def statistics_records(self, year: int, district: str | None) -> list[dict]:
        """The statistics records of the year's submitted reports (of one district, if named)."""
        query: dict = {"stats_year": year, "status": "submitted"}
        cursor = self.db[REPORTS].find(query, {"stats": 1})
        records = [doc["stats"] for doc in cursor if doc.get("stats")]
        if district:
            records = [r for r in records if (r.get("base") or {}).get("district") == district]
        return records

