"""Storage of the registry copy: seeded once (race-free across workers), searched, access-logged."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from .seed_data import DEFAULT_SEED, build_seed
from .text import fold

SEED_VERSION = f"seed-{DEFAULT_SEED}-v1"


def ensure_seeded(db) -> None:
    """Load the synthetic registries once; every process may call it, the first one does the work."""
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
    db.organizations.create_index([("head_fin", ASCENDING)])
    db.access_log.create_index([("subject_fin", ASCENDING), ("at", DESCENDING)])
    try:
        db.meta.insert_one({"_id": "seed", "version": SEED_VERSION, "at": datetime.now(timezone.utc)})
    except DuplicateKeyError:
        db.meta.update_one({"_id": "seed"}, {"$set": {"version": SEED_VERSION}})


def _public(doc: dict | None) -> dict | None:
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if k not in ("_id", "name_fold")}


def get_person(db, fin: str) -> dict | None:
    return _public(db.persons.find_one({"_id": fin}))


def get_organization(db, voen: str) -> dict | None:
    return _public(db.organizations.find_one({"_id": voen}))


def organizations_headed_by(db, fin: str) -> list[dict]:
    return [_public(d) for d in db.organizations.find({"head_fin": fin}).sort("_id", ASCENDING)]


def search_organizations(db, query: str, limit: int = 20) -> list[dict]:
    query = query.strip()
    if not query:
        return []
    if query.isdigit():
        # VÖEN prefix: a range on the key keeps it on the index.
        upper = query[:-1] + chr(ord(query[-1]) + 1)
        cursor = db.organizations.find({"_id": {"$gte": query, "$lt": upper}})
    else:
        cursor = db.organizations.find({"name_fold": {"$regex": re.escape(fold(query))}})
    return [_public(d) for d in cursor.sort("_id", ASCENDING).limit(limit)]


def directory(db, name: str) -> list[dict] | None:
    doc = db.directories.find_one({"_id": name})
    return None if doc is None else doc["items"]


def record_access(db, *, subject_fin: str, accessor: dict, service: str, purpose: str | None) -> None:
    db.access_log.insert_one({"subject_fin": subject_fin, "accessor": accessor, "service": service,
                              "purpose": purpose, "at": datetime.now(timezone.utc)})


def accesses_of(db, fin: str, limit: int, offset: int) -> tuple[list[dict], int]:
    query = {"subject_fin": fin}
    total = db.access_log.count_documents(query)
    items = []
    for doc in db.access_log.find(query).sort("at", DESCENDING).skip(offset).limit(limit):
        items.append({"at": doc["at"], "accessor": doc["accessor"], "service": doc["service"],
                      "purpose": doc.get("purpose")})
    return items, total
