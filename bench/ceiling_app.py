"""The thinnest verification endpoint: what a verification must do at the least, for the ceiling
figure of bench/certificates.py. One Flask route under gunicorn (same worker settings as the
services), one `find_one` of the certificate by its indexed number and one `insert_one` of the
audit record, on the same Mongo-speaking server and in the certificates service's collections.
No authentication, no rate limit, no schema, no logging: nothing else.

    MONGO_URI=... BENCH_DB=... python -m gunicorn -k gthread ... ceiling_app:app
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

from flask import Flask, jsonify, request
from pymongo import MongoClient

app = Flask(__name__)
_clients: dict[int, MongoClient] = {}


def _db():
    # One client per (forked) worker process.
    client = _clients.get(os.getpid())
    if client is None:
        client = _clients[os.getpid()] = MongoClient(os.environ["MONGO_URI"], tz_aware=True)
    return client[os.environ["BENCH_DB"]]


@app.post("/verify")
def verify():
    number = request.get_json(force=True)["number"]
    db = _db()
    cert = db.certificates.find_one({"_id": number})
    valid = cert is not None and cert.get("status") == "active"
    db.verifications.insert_one({"_id": uuid.uuid4().hex, "number": number,
                                 "result": "valid" if valid else "not_valid",
                                 "at": datetime.now(timezone.utc), "verifier_fin": "CEILING",
                                 "holder_fin": cert["holder_fin"] if cert else None})
    if not valid:
        return jsonify(result="not_valid")
    return jsonify(result="valid", holder_name=cert["holder"]["full_name"], employer_name=cert.get("employer_name"),
                   position=cert.get("position"), valid_until=cert["valid_until"])
