"""Pins how the Mongo-speaking server used here (nx-27017) differs from MongoDB.

Against nx-27017 each test asserts the deviation as measured, so an upgrade that fixes one makes
its test fail and shows up; against a real MongoDB (MONGO_URI set) the same test asserts MongoDB's
behaviour. Service code never relies on any of these: no multi-document transactions, events in
the same single-document write, money as integer qəpik, no $push of sub-documents."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bson import Decimal128
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError, PyMongoError

from devtools.suite import free_port, port_open, wait_until

NX = not os.environ.get("MONGO_URI")


def test_push_of_a_subdocument(fresh_db):
    fresh_db.c.insert_one({"_id": 1, "items": [{"x": 1}]})
    fresh_db.c.update_one({"_id": 1}, {"$push": {"items": {"x": 2}}})
    items = fresh_db.c.find_one({"_id": 1})["items"]
    if NX:
        assert items == ['{"x":1}', '{"x":2}']  # the whole array turned into JSON strings
    else:
        assert items == [{"x": 1}, {"x": 2}]


def test_push_of_a_scalar_works(fresh_db):
    fresh_db.c.insert_one({"_id": 1, "items": [1]})
    fresh_db.c.update_one({"_id": 1}, {"$push": {"items": 2}})
    assert fresh_db.c.find_one({"_id": 1})["items"] == [1, 2]


def test_dates_in_group_accumulators(fresh_db):
    now = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    fresh_db.c.insert_many([{"k": 1, "d": now}, {"k": 1, "d": now - timedelta(days=1)}])
    [row] = fresh_db.c.aggregate([{"$group": {"_id": "$k", "max": {"$max": "$d"}, "min": {"$min": "$d"},
                                              "first": {"$first": "$d"}}}])
    if NX:
        assert all(isinstance(row[k], str) for k in ("max", "min", "first"))
    else:
        assert row["max"] == now and row["min"] == now - timedelta(days=1)


def test_decimal128(fresh_db):
    if NX:
        with pytest.raises(PyMongoError):
            fresh_db.c.insert_one({"salary": Decimal128("1250.00")})
    else:
        fresh_db.c.insert_one({"_id": 1, "salary": Decimal128("1250.00")})
        assert fresh_db.c.find_one({"_id": 1})["salary"] == Decimal128("1250.00")


def test_nested_projection(fresh_db):
    fresh_db.c.insert_one({"_id": 1, "a": {"b": 1, "c": 2}, "z": 3})
    doc = fresh_db.c.find_one({"_id": 1}, {"a.b": 1})
    if NX:
        assert doc == {"_id": 1, "a.b": 1}  # flattened key
    else:
        assert doc == {"_id": 1, "a": {"b": 1}}


def test_unique_index_and_documents_lacking_the_key(fresh_db):
    fresh_db.c.create_index("k", unique=True)
    fresh_db.c.insert_one({"x": 1})
    if NX:
        fresh_db.c.insert_one({"x": 2})
        assert fresh_db.c.count_documents({}) == 2
    else:
        with pytest.raises(DuplicateKeyError):
            fresh_db.c.insert_one({"x": 2})


def test_unique_index_on_present_keys_holds(fresh_db):
    fresh_db.c.create_index("k", unique=True)
    fresh_db.c.insert_one({"k": "a"})
    with pytest.raises(DuplicateKeyError):
        fresh_db.c.insert_one({"k": "a"})


def test_add_to_set_on_a_missing_field(fresh_db):
    fresh_db.c.insert_one({"_id": 1})
    fresh_db.c.update_one({"_id": 1}, {"$addToSet": {"tags": "a"}})
    doc = fresh_db.c.find_one({"_id": 1})
    if NX:
        assert "tags" not in doc
    else:
        assert doc["tags"] == ["a"]


def test_set_by_array_index_and_array_filters(fresh_db):
    fresh_db.c.insert_one({"_id": 1, "arr": [1, 2, 3], "objs": [{"i": 1, "v": 0}, {"i": 2, "v": 0}]})
    fresh_db.c.update_one({"_id": 1}, {"$set": {"arr.1": 9}})
    fresh_db.c.update_one({"_id": 1}, {"$set": {"objs.$[e].v": 5}}, array_filters=[{"e.i": 2}])
    doc = fresh_db.c.find_one({"_id": 1})
    if NX:
        assert doc["arr"] == [1, 2, 3] and doc["objs"][1]["v"] == 0  # both silently ignored
    else:
        assert doc["arr"] == [1, 9, 3] and doc["objs"][1]["v"] == 5


def test_positional_operator_and_nested_object_keys_work(fresh_db):
    # What the outbox relies on: $set/$unset of keys inside an embedded object, $exists on them.
    fresh_db.c.insert_one({"_id": 1, "objs": [{"i": 2, "v": 0}], "box": {"e1": {"n": 1}}, "n": 1})
    fresh_db.c.update_one({"_id": 1, "objs.i": 2}, {"$set": {"objs.$.v": 7, "box.e2": {"n": 2}}, "$inc": {"n": 1}})
    assert fresh_db.c.find_one({"_id": 1, "box.e2": {"$exists": True}})["objs"][0]["v"] == 7
    changed = fresh_db.c.update_one({"_id": 1, "box.e1": {"$exists": True}}, {"$unset": {"box.e1": ""}, "$inc": {"n": -1}})
    again = fresh_db.c.update_one({"_id": 1, "box.e1": {"$exists": True}}, {"$unset": {"box.e1": ""}, "$inc": {"n": -1}})
    assert (changed.modified_count, again.modified_count) == (1, 0)
    assert fresh_db.c.find_one({"_id": 1})["box"] == {"e2": {"n": 2}}


def test_aborted_transaction_and_another_clients_write(fresh_db, mongo_uri):
    other = MongoClient(mongo_uri)[fresh_db.name]
    try:
        with fresh_db.client.start_session() as session:
            session.start_transaction()
            fresh_db.c.insert_one({"_id": "inside"}, session=session)
            other.c.insert_one({"_id": "outside"})
            session.abort_transaction()
        ids = {d["_id"] for d in fresh_db.c.find()}
        if NX:
            assert ids == set()  # the abort also rolled back the other client's write
        else:
            assert ids == {"outside"}
    finally:
        other.client.close()


@pytest.mark.skipif(not NX, reason="file mode is an nx-27017 option")
def test_file_mode_shares_collections_across_databases(tmp_path):
    binary = Path(sys.executable).parent / "nx-27017"
    port = free_port()
    proc = subprocess.Popen([str(binary), "--db", str(tmp_path / "one.db"), "-p", str(port),
                             "--log-file", str(tmp_path / "log"), "--pid-file", str(tmp_path / "pid")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_open("127.0.0.1", port), 20, "nx-27017 in file mode", proc)
        client = MongoClient(f"mongodb://127.0.0.1:{port}")
        client.first.things.insert_one({"_id": 1})
        assert client.second.things.find_one({"_id": 1}) == {"_id": 1}  # why we use --data-dir
        client.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_data_dir_mode_keeps_databases_apart(mongo_client):
    mongo_client.conf_a.things.insert_one({"_id": 1})
    try:
        assert mongo_client.conf_b.things.find_one({"_id": 1}) is None
    finally:
        mongo_client.drop_database("conf_a")
        mongo_client.drop_database("conf_b")


def test_set_of_a_top_level_date_and_boolean(fresh_db):
    when = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    fresh_db.c.insert_one({"_id": 1})
    fresh_db.c.update_one({"_id": 1}, {"$set": {"d": when, "b": True, "nested": {"d": when}}})
    doc = fresh_db.c.find_one({"_id": 1})
    assert doc["nested"]["d"].replace(tzinfo=timezone.utc) == when  # inside a sub-document it survives
    if NX:
        assert doc["d"] == "2026-05-01 12:00:00"  # a top-level date set later comes back as text
        assert doc["b"] == 1 and doc["b"] is not True  # and a boolean as an integer
    else:
        assert doc["d"].replace(tzinfo=timezone.utc) == when and doc["b"] is True


def test_dates_and_booleans_written_at_insert_survive(fresh_db):
    when = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    fresh_db.c.insert_one({"_id": 1, "d": when, "b": True})
    doc = fresh_db.c.find_one({"_id": 1})
    assert doc["d"].replace(tzinfo=timezone.utc) == when and doc["b"] is True


def test_set_on_insert_in_find_one_and_update_upsert(fresh_db):
    from pymongo import ReturnDocument
    doc = fresh_db.c.find_one_and_update({"_id": "x"}, {"$set": {"a": 1}, "$setOnInsert": {"b": 2}},
                                         upsert=True, return_document=ReturnDocument.AFTER)
    if NX:
        assert doc == {"_id": "x", "a": 1}  # $setOnInsert ignored
    else:
        assert doc == {"_id": "x", "a": 1, "b": 2}
    # update_one with upsert honours it on both.
    fresh_db.c.update_one({"_id": "y"}, {"$set": {"a": 1}, "$setOnInsert": {"b": 2}}, upsert=True)
    assert fresh_db.c.find_one({"_id": "y"}) == {"_id": "y", "a": 1, "b": 2}


def test_replace_one_upsert_and_the_filter_id(fresh_db):
    fresh_db.c.replace_one({"_id": "z"}, {"v": 1}, upsert=True)
    [doc] = list(fresh_db.c.find())
    if NX:
        assert doc["_id"] != "z"  # a fresh ObjectId instead of the filter's _id
    else:
        assert doc["_id"] == "z"


def test_unordered_bulk_of_guarded_updates(fresh_db):
    """The outbox relay marks a batch of published events with one unordered bulk_write: each
    UpdateOne guarded by `$exists` on the event's key, so a repeat changes nothing."""
    from pymongo import UpdateOne
    fresh_db.c.insert_many([
        {"_id": 1, "_outbox": {"a": {"id": "a"}, "b": {"id": "b"}}, "_outbox_pending": 2},
        {"_id": 2, "_outbox": {"c": {"id": "c"}}, "_outbox_pending": 1},
    ])

    def mark(doc_id, event_id):
        return UpdateOne({"_id": doc_id, f"_outbox.{event_id}": {"$exists": True}},
                         {"$unset": {f"_outbox.{event_id}": ""}, "$inc": {"_outbox_pending": -1}})

    result = fresh_db.c.bulk_write([mark(1, "a"), mark(1, "b"), mark(2, "c"), mark(2, "gone")], ordered=False)
    assert (result.matched_count, result.modified_count) == (3, 3)
    assert fresh_db.c.find_one({"_id": 1}) == {"_id": 1, "_outbox": {}, "_outbox_pending": 0}
    assert fresh_db.c.find_one({"_id": 2}) == {"_id": 2, "_outbox": {}, "_outbox_pending": 0}
    again = fresh_db.c.bulk_write([mark(1, "a"), mark(2, "c")], ordered=False)
    assert (again.matched_count, again.modified_count) == (0, 0)
    assert fresh_db.c.find_one({"_id": 1})["_outbox_pending"] == 0


def test_conditional_increment(fresh_db):
    """A share of a rate-limit window is taken with one `$inc` guarded by `count <= limit - k`."""
    from pymongo import ReturnDocument
    fresh_db.c.insert_one({"_id": "w", "count": 5})

    def take(k, limit=10):
        return fresh_db.c.find_one_and_update({"_id": "w", "count": {"$lte": limit - k}}, {"$inc": {"count": k}},
                                              projection={"count": 1}, return_document=ReturnDocument.AFTER)

    assert take(3) == {"_id": "w", "count": 8}
    assert take(3) is None
    assert take(2) == {"_id": "w", "count": 10}
    assert take(1) is None
    assert fresh_db.c.find_one({"_id": "w"})["count"] == 10


def test_unordered_bulk_of_insert_only_upserts_and_a_version_guard(fresh_db):
    """The notifier writes an event's plan as one update command: each document an upsert that
    only inserts ($setOnInsert), and a guard that matches a version document only at the version
    its cache was built from and changes nothing. Which documents were inserted comes from
    `upserted`; the guard's match from nMatched less the upserts that found their document."""
    from pymongo import InsertOne, UpdateOne
    from pymongo.errors import BulkWriteError
    when = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    fresh_db.c.insert_one({"_id": "version", "version": 3})

    def plan(ids, version):
        return [UpdateOne({"_id": i}, {"$setOnInsert": {"at": when, "b": True, "data": {"d": when}}}, upsert=True)
                for i in ids] + [UpdateOne({"_id": "version", "version": version}, {"$set": {"version": version}})]

    first = fresh_db.c.bulk_write(plan(["a", "b"], 3), ordered=False)
    assert (first.upserted_ids, first.matched_count, first.modified_count) == ({0: "a", 1: "b"}, 1, 0)
    again = fresh_db.c.bulk_write(plan(["a", "b", "c"], 3), ordered=False)
    assert (again.upserted_ids, again.matched_count, again.modified_count) == ({2: "c"}, 3, 0)
    moved = fresh_db.c.bulk_write(plan(["a", "d"], 2), ordered=False)
    assert (moved.upserted_ids, moved.matched_count, moved.modified_count) == ({1: "d"}, 1, 0)
    assert fresh_db.c.find_one({"_id": "version"}) == {"_id": "version", "version": 3}
    doc = fresh_db.c.find_one({"_id": "d"})
    # Unlike a later $set (test_set_of_a_top_level_date_and_boolean), an upsert keeps them as they are.
    assert doc["at"].replace(tzinfo=timezone.utc) == when and doc["b"] is True
    assert doc["data"]["d"].replace(tzinfo=timezone.utc) == when

    # Mixed with InsertOne, pymongo sends two commands (insert, then update); a duplicate insert
    # makes it a BulkWriteError whose details still count the guard's match.
    with pytest.raises(BulkWriteError) as caught:
        fresh_db.c.bulk_write([InsertOne({"_id": "a"}), InsertOne({"_id": "e"}),
                               UpdateOne({"_id": "version", "version": 3}, {"$set": {"version": 3}})], ordered=False)
    details = caught.value.details
    assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(0, 11000)]
    assert (details["nInserted"], details["nMatched"], details["nModified"]) == (1, 1, 0)


def test_equality_on_an_indexed_array_field(fresh_db):
    """Once a field holding arrays is indexed, nx-27017 answers an equality match on it with nothing
    (`$in` still finds it). Hence the accidents service keeps what its history is searched by as one
    scalar key per document in a collection of its own (`search_terms`), not as an array on the report."""
    fresh_db.c.insert_many([{"_id": 1, "tags": ["x", "y"]}, {"_id": 2, "tags": ["y"]}])
    assert [d["_id"] for d in fresh_db.c.find({"tags": "x"})] == [1]  # before the index: right
    fresh_db.c.create_index("tags")
    found = [d["_id"] for d in fresh_db.c.find({"tags": "x"})]
    if NX:
        assert found == []  # wrong, and silently so
    else:
        assert found == [1]
    assert [d["_id"] for d in fresh_db.c.find({"tags": {"$in": ["x"]}})] == [1]


def _plan(collection, query) -> str:
    return str(collection.find(query).explain()["queryPlanner"]["winningPlan"])


def test_compound_indexes_are_not_used_for_look_ups(fresh_db):
    """nx-27017 plans with single-field indexes only: a look-up on a compound index's keys (its first
    key, or all of them) scans the collection, where MongoDB walks the index. Hence look-ups on one
    equality with a single-field index (`egov_kit.repository`), compound indexes only for uniqueness."""
    docs = [{"_id": i, "voen": f"{i % 50:010d}", "created": i} for i in range(500)]
    fresh_db.compound.insert_many(docs)
    fresh_db.compound.create_index([("voen", 1), ("created", 1)])
    fresh_db.single.insert_many(docs)
    fresh_db.single.create_index("voen")
    first_key, both_keys = {"voen": "0000000007"}, {"voen": "0000000007", "created": 7}
    assert len(list(fresh_db.compound.find(first_key))) == 10  # right either way
    if NX:
        assert "USING INDEX" not in _plan(fresh_db.compound, first_key)
        assert "USING INDEX" not in _plan(fresh_db.compound, both_keys)
        assert "USING INDEX idx_single_voen" in _plan(fresh_db.single, first_key)
    else:
        assert "IXSCAN" in _plan(fresh_db.compound, first_key) and "IXSCAN" in _plan(fresh_db.compound, both_keys)
        assert "IXSCAN" in _plan(fresh_db.single, first_key)


def test_null_inside_or_matches_only_a_missing_field(fresh_db):
    """An equality with null matches a field holding null and a missing one — but inside `$or`,
    nx-27017 matches only the missing one. `{"$in": [None]}` matches both on either server (the
    accidents history's lateness filter uses it)."""
    fresh_db.c.insert_many([{"_id": 1, "d": None}, {"_id": 2}, {"_id": 3, "d": 5}])
    assert sorted(d["_id"] for d in fresh_db.c.find({"d": None})) == [1, 2]
    inside_or = sorted(d["_id"] for d in fresh_db.c.find({"$or": [{"d": None}, {"_id": 99}]}))
    if NX:
        assert inside_or == [2]
    else:
        assert inside_or == [1, 2]
    assert sorted(d["_id"] for d in fresh_db.c.find({"$or": [{"d": {"$in": [None]}}, {"_id": 99}]})) == [1, 2]


def test_gridfs_stores_streams_and_deletes_files(fresh_db):
    """The insurers service keeps scanned documents in a GridFS bucket: written in chunks (batched
    inserts), read back whole or piece by piece, removed with their chunks."""
    import io

    import gridfs

    bucket = gridfs.GridFSBucket(fresh_db, bucket_name="scans")
    data = os.urandom(600_000)  # three chunks of the default size
    bucket.upload_from_stream_with_id("doc-1", "Şəhadətnamə.pdf", io.BytesIO(data),
                                      metadata={"application_id": "a1", "content_type": "application/pdf"})
    stored = bucket.open_download_stream("doc-1")
    assert (stored.length, stored.filename, stored.metadata["content_type"]) == (600_000, "Şəhadətnamə.pdf",
                                                                                "application/pdf")
    pieces = []
    while piece := stored.read(100_000):
        pieces.append(piece)
    assert b"".join(pieces) == data and len(pieces) == 6
    assert len(list(fresh_db["scans.chunks"].find({"files_id": "doc-1"}))) == 3
    fresh_db["scans.files"].delete_one({"_id": "doc-1"})
    fresh_db["scans.chunks"].delete_many({"files_id": "doc-1"})
    assert list(fresh_db["scans.chunks"].find({"files_id": "doc-1"})) == []
    with pytest.raises(gridfs.errors.NoFile):
        bucket.open_download_stream("doc-1")


def test_gridfs_collections_deviations(fresh_db):
    """What the insurers repository steers round: on nx-27017 a delete of a missing file document in
    a bucket's `.files` collection is an error (MongoDB deletes nothing), and a count of a
    bucket's collections fails (their dotted names)."""
    import io

    import gridfs

    gridfs.GridFSBucket(fresh_db, bucket_name="scans").upload_from_stream_with_id("d", "a", io.BytesIO(b"x"))
    if NX:
        with pytest.raises(PyMongoError, match="not found"):
            fresh_db["scans.files"].delete_one({"_id": "missing"})
        with pytest.raises(PyMongoError):
            fresh_db["scans.files"].count_documents({})
    else:
        assert fresh_db["scans.files"].delete_one({"_id": "missing"}).deleted_count == 0
        assert fresh_db["scans.files"].count_documents({}) == 1


def test_find_one_and_update_against_a_unique_index(fresh_db):
    """An application takes its VÖEN (a unique index) in the write that submits it: MongoDB raises
    DuplicateKeyError; nx-27017 answers None, as if nothing had matched, and changes nothing
    (update_one does raise there)."""
    from pymongo import IndexModel, ReturnDocument

    fresh_db.c.create_indexes([IndexModel("k", unique=True, sparse=True)])
    fresh_db.c.insert_many([{"_id": 1, "k": "X"}, {"_id": 2, "s": "draft"}])
    take = ({"_id": 2, "s": "draft"}, {"$set": {"k": "X", "s": "submitted"}})
    if NX:
        assert fresh_db.c.find_one_and_update(*take, return_document=ReturnDocument.AFTER) is None
    else:
        with pytest.raises(DuplicateKeyError):
            fresh_db.c.find_one_and_update(*take, return_document=ReturnDocument.AFTER)
    with pytest.raises(DuplicateKeyError):
        fresh_db.c.update_one(*take)
    assert fresh_db.c.find_one({"_id": 2}) == {"_id": 2, "s": "draft"}


def test_expired_documents_go_at_the_next_read_of_a_ttl_collection(fresh_db):
    """nx-27017 deletes a TTL index's expired documents whenever the collection is read (find,
    find_one, count, aggregate, distinct: two deletes before each), where MongoDB's TTL monitor
    deletes them in the background about once a minute. Nothing here depends on when an expired
    document goes, but on nx-27017 every read of such a collection costs a scan more: services read
    them only where they must (auth takes a signing back from its own update rather than reading
    it again)."""
    now = datetime.now(timezone.utc)
    fresh_db.ttl.create_index("purge_at", expireAfterSeconds=0)
    fresh_db.ttl.insert_many([{"_id": "expired", "purge_at": now - timedelta(hours=1)},
                              {"_id": "kept", "purge_at": now + timedelta(hours=1)}])
    found = {doc["_id"] for doc in fresh_db.ttl.find()}
    if NX:
        assert found == {"kept"}  # gone the moment the collection is read
    else:
        assert "kept" in found  # the expired one stays until the TTL monitor's next pass
