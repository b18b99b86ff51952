"""Storage of the registry copy: seeded once (race-free across workers), searched, access-logged."""
from __future__ import annotations

import re

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import BulkWriteError, DuplicateKeyError

from egov_kit.clock import utcnow
from egov_kit.repository import MongoRepository

from .seed_data import DEFAULT_SEED, build_seed
from .text import fold

# v3: the lookup-purposes and ESAW directories (a database seeded before gets them on the next start).
SEED_VERSION = f"seed-{DEFAULT_SEED}-v3"
# Stored beside the registry's own fields, never answered.
_INTERNAL = ("_id", "name_fold")


def _public(doc: dict | None) -> dict | None:
    if doc is None:
        return None
    return {key: value for key, value in doc.items() if key not in _INTERNAL}


class RegistryRepository(MongoRepository):
    INDEXES = {
        "organizations": [IndexModel("head_fin")],
        "access_log": [IndexModel("subject_fin")],
    }

    # --- the seed ---------------------------------------------------------------------------

    def ensure_seeded(self) -> None:
        """Loads the synthetic registries once; every process may call it, the first one does
        the work."""
        db = self.db
        if db.meta.find_one({"_id": "seed", "version": SEED_VERSION}):
            return
        seed = build_seed()
        persons = [{"_id": p["fin"], **p, "name_fold": fold(f"{p['surname']} {p['name']} {p['patronymic']}")}
                   for p in seed["persons"]]
        orgs = [{"_id": o["voen"], **o, "name_fold": fold(f"{o['name']} {o.get('short_name', '')}")}
                for o in seed["organizations"]]
        directories = [{"_id": name, "items": items} for name, items in seed["directories"].items()]
        for collection, docs in (("persons", persons), ("organizations", orgs), ("directories", directories)):
            try:
                db[collection].insert_many(docs, ordered=False)
            except BulkWriteError as exc:
                # Another worker seeded concurrently; only duplicate keys are expected here.
                if any(err.get("code") != 11000 for err in exc.details.get("writeErrors", [])):
                    raise
        try:
            db.meta.insert_one({"_id": "seed", "version": SEED_VERSION, "at": utcnow()})
        except DuplicateKeyError:
            db.meta.update_one({"_id": "seed"}, {"$set": {"version": SEED_VERSION}})

    # --- population and tax registries ------------------------------------------------------

    def person(self, fin: str) -> dict | None:
        return _public(self.db.persons.find_one({"_id": fin}))

    def organization(self, voen: str) -> dict | None:
        return _public(self.db.organizations.find_one({"_id": voen}))

    def organizations_headed_by(self, fin: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        return self._organizations({"head_fin": fin}, limit, offset)

    def organizations_by_voen_prefix(self, prefix: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        # A range on the key rather than a regex keeps it on the index.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return self._organizations({"_id": {"$gte": prefix, "$lt": upper}}, limit, offset)

    def organizations_by_name(self, folded: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """`folded`: part of the name, folded like the stored search key (text.fold)."""
        return self._organizations({"name_fold": {"$regex": re.escape(folded)}}, limit, offset)

    def _organizations(self, query: dict, limit: int, offset: int) -> tuple[list[dict], int]:
        total = self.db.organizations.count_documents(query)
        cursor = self.db.organizations.find(query).sort("_id", ASCENDING).skip(offset).limit(limit)
        return [_public(doc) for doc in cursor], total

    # --- directories ------------------------------------------------------------------------

    def directory(self, name: str, *, limit: int, offset: int) -> tuple[list[dict], int] | None:
        """A page of a directory's items, or None when there is no such directory. A directory is
        one small document (at most a few hundred items): paged here rather than in the query."""
        doc = self.db.directories.find_one({"_id": name})
        if doc is None:
            return None
        items = doc["items"]
        return items[offset:offset + limit], len(items)

    def directory_by_code(self, name: str) -> dict[str, dict]:
        """A whole directory, its items by code ({} when there is no such directory)."""
        doc = self.db.directories.find_one({"_id": name})
        return {item["code"]: item for item in doc["items"]} if doc else {}

    # --- the data-access log ----------------------------------------------------------------

    def record_access(self, entry: dict) -> None:
        self.db.access_log.insert_one(dict(entry))  # a copy: insert_one adds an _id to what it gets

    def accesses_of(self, fin: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """Look-ups of `fin`'s record, newest first."""
        query = {"subject_fin": fin}
        total = self.db.access_log.count_documents(query)
        cursor = self.db.access_log.find(query).sort("at", DESCENDING).skip(offset).limit(limit)
        items = [{"at": doc["at"], "accessor": doc["accessor"], "service": doc["service"],
                  "purpose": doc.get("purpose")} for doc in cursor]
        return items, total
