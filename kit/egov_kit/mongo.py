"""One MongoClient per process, made on first use so gunicorn workers each get their own after fork."""
from __future__ import annotations

import os
import threading

from pymongo import MongoClient
from pymongo.database import Database

_lock = threading.Lock()
_clients: dict[tuple[int, str], MongoClient] = {}
_databases: dict[tuple[int, str, str], Database] = {}


def client_for(uri: str) -> MongoClient:
    key = (os.getpid(), uri)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000,
                                     connectTimeoutMS=3000, appname="egov")
                _clients[key] = client
    return client


def database(uri: str, name: str) -> Database:
    # Handles are kept too: repositories ask for one on every database call.
    key = (os.getpid(), uri, name)
    db = _databases.get(key)
    if db is None:
        db = _databases[key] = client_for(uri)[name]
    return db
