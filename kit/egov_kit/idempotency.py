"""`Idempotency-Key` (api.md): a POST that creates something or starts a signature, repeated by
the same caller with the same key within 24 hours, gets the first answer again — never a second
report, never a second signature.

    keys = IdempotencyKeys(lambda: kit.db)       # in create_app
    keys.ensure_indexes()                        # the TTL index that forgets keys after 24 h
    keys.init_app(app)

    @requires(COMPANY)
    @blp.arguments(schemas.ReportIn)
    @blp.response(201, schemas.ReportOut)
    @idempotent                                  # innermost: sees the parsed body, returns the raw answer
    def post(self, body):
        return view(current_service().create_report(caller(), body, report_id=operation_id()))

How: the first request with a key claims it — one document per caller and key in the service's
own database (`idempotency_keys`), inserted once (its `_id` is the pair, so of two requests at the
same moment only one inserts) — runs, and stores its answer in the claim. A repeat finds the claim:
the same request gets the stored answer (header `Idempotent-Replayed: true`); a different one (other
route or body) is a 422; while the first is still running the repeat waits for its answer (409,
`Retry-After`, if it takes too long). A request that fails stores nothing: the key may be used
again. Should a process die mid-request, the claim's lease runs out and a repeat takes it over;
`operation_id()` — the same for every attempt under one key — lets the use case recognise what
the lost attempt already created (use it as the new document's id, or record it with the
signature started) instead of doing it twice.

Claims expire after 24 hours: a TTL index on `expires_at` removes them where the server has TTL
indexes, and an expired claim found before its removal counts as absent."""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from . import i18n
from .clock import epoch_ms, parse_instant, utcnow
from .errors import ServiceError

log = logging.getLogger("egov.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
COLLECTION = "idempotency_keys"
EXTENSION = "egov.idempotency"
MAX_KEY_LENGTH = 255

i18n.register({
    "invalid_idempotency_key": ("Idempotency-Key 1–255 simvoldan (latın hərfləri, rəqəmlər və işarələr) ibarət "
                                "olmalıdır.",
                                "Idempotency-Key must be 1–255 printable ASCII characters."),
    "idempotency_key_reused": ("Bu Idempotency-Key artıq başqa sorğu üçün istifadə olunub.",
                               "This Idempotency-Key was already used for a different request."),
    "idempotency_in_progress": ("Bu Idempotency-Key ilə sorğu hələ icra olunur; bir az sonra təkrarlayın.",
                                "A request with this Idempotency-Key is still being processed; repeat it shortly."),
})


@dataclass(frozen=True)
class Claim:
    """The right to run the request a key stands for (this attempt's, until its lease runs out)."""
    id: str
    operation_id: str
    attempt: str


@dataclass(frozen=True)
class Replay:
    """The stored answer of the first request under the key."""
    body: object
    status: int | None


class IdempotencyKeys:
    def __init__(self, db: Database | Callable[[], Database], *, ttl_seconds: float = 24 * 3600,
                 lease_seconds: float = 60, wait_seconds: float = 15, poll_seconds: float = 0.05,
                 now: Callable[[], datetime] = utcnow):
        """`db`: the service's database (or a callable giving it, for forked workers). A claim
        lives `ttl_seconds`; a running request holds it for `lease_seconds` (a repeat takes it over
        afterwards); a repeat waits up to `wait_seconds` for a running first answer."""
        self._db = db if callable(db) and not isinstance(db, Database) else (lambda: db)
        self.ttl = timedelta(seconds=ttl_seconds)
        self.lease_ms = int(lease_seconds * 1000)
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds
        self.now = now

    @property
    def collection(self):
        return self._db()[COLLECTION]

    def ensure_indexes(self) -> bool:
        """The TTL index (False, and a warning, when the database cannot be reached now)."""
        try:
            self.collection.create_indexes([IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0,
                                                       name="forget_after_ttl")])
            return True
        except Exception:  # noqa: BLE001 - reported, never fatal at start
            log.warning("could not create the idempotency TTL index now")
            return False

    def init_app(self, app) -> "IdempotencyKeys":
        app.extensions[EXTENSION] = self
        return self

    # --- the claim --------------------------------------------------------------------------

    @staticmethod
    def claim_id(caller: str, key: str) -> str:
        return hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()

    def begin(self, caller: str, key: str, fingerprint: str) -> Claim | Replay:
        """Claim `key` for `caller`'s request (`fingerprint`: what makes two requests the same),
        or the first answer under it. ServiceError 422 for a key used for another request, 409
        while the first is still running after the wait."""
        claim_id = self.claim_id(caller, key)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            now = self.now()
            attempt = uuid.uuid4().hex
            try:
                operation_id = uuid.uuid4().hex
                self.collection.insert_one({
                    "_id": claim_id, "fingerprint": fingerprint, "state": "running", "attempt": attempt,
                    "operation_id": operation_id, "lease_ms": epoch_ms(now) + self.lease_ms,
                    "created_at": now, "expires_at": now + self.ttl})
                return Claim(claim_id, operation_id, attempt)
            except DuplicateKeyError:
                pass
            found = self.collection.find_one({"_id": claim_id})
            if found is None:
                continue  # forgotten in between: claim it afresh
            expires_at = parse_instant(found.get("expires_at"))
            if expires_at is None or expires_at <= now:
                self.collection.delete_one({"_id": claim_id, "attempt": found.get("attempt")})
                continue
            if found.get("fingerprint") != fingerprint:
                raise ServiceError(422, "idempotency_key_reused", {HEADER: ["idempotency_key_reused"]})
            if found.get("state") == "done":
                return Replay(json.loads(found["answer"]), found.get("status"))
            if (found.get("lease_ms") or 0) < epoch_ms(now):
                # The attempt that claimed it stopped without an answer (its process died): take over.
                taken = self.collection.find_one_and_update(
                    {"_id": claim_id, "attempt": found.get("attempt"), "state": "running"},
                    {"$set": {"attempt": attempt, "lease_ms": epoch_ms(now) + self.lease_ms}})
                if taken is not None:
                    return Claim(claim_id, found["operation_id"], attempt)
                continue
            if time.monotonic() >= deadline:
                raise ServiceError(409, "idempotency_in_progress", headers={"Retry-After": "1"})
            time.sleep(self.poll_seconds)

    def complete(self, claim: Claim, body, status: int | None = None) -> None:
        """Keep the answer for repeats (a JSON text: kept exactly as answered)."""
        done = self.collection.update_one(
            {"_id": claim.id, "attempt": claim.attempt},
            {"$set": {"state": "done", "answer": json.dumps(body, ensure_ascii=False, default=str),
                      "status": status, "lease_ms": 0}})
        if done.matched_count == 0:
            log.warning("an idempotent request finished after its claim was taken over")

    def release(self, claim: Claim) -> None:
        """The request failed: nothing is kept, the key may be used again."""
        self.collection.delete_one({"_id": claim.id, "attempt": claim.attempt})


# --- Flask --------------------------------------------------------------------------------------

def caller_key(principal) -> str:
    """Whose keys these are: a person acting for a company is another caller than the same person
    acting as themself; a service is itself."""
    if principal is None:
        return "public"
    if principal.kind == "service":
        return f"service:{principal.service}"
    return f"person:{principal.subject}:{principal.acting_for or ''}"


def _fingerprint(request) -> str:
    body = request.get_json(silent=True) if request.get_data(cache=True) else None
    parts = [request.method, request.path, request.query_string.decode("latin-1"),
             json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _valid_key(value: str) -> bool:
    return 0 < len(value) <= MAX_KEY_LENGTH and all(0x20 <= ord(ch) < 0x7F for ch in value)


def operation_id() -> str | None:
    """The id of the operation the request's Idempotency-Key stands for (the same for every
    attempt under the key); None for a request without a key."""
    from flask import g
    return g.get("egov_idempotency_operation")


def idempotent(view):
    """Runs the view once per caller and `Idempotency-Key`; a repeat gets the first answer. Put it
    innermost (closest to the function): it keeps and returns the view's raw answer."""
    from flask import current_app, g, request
    from flask_smorest import Blueprint

    from .auth import current_principal

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not _valid_key(key):
            raise ServiceError(422, "invalid_idempotency_key", {HEADER: ["invalid_idempotency_key"]})
        keys: IdempotencyKeys = current_app.extensions[EXTENSION]
        outcome = keys.begin(caller_key(current_principal(optional=True)), key, _fingerprint(request))
        if isinstance(outcome, Replay):
            headers = {REPLAYED_HEADER: "true"}
            return (outcome.body, outcome.status, headers) if outcome.status else (outcome.body, headers)
        g.egov_idempotency_operation = outcome.operation_id
        try:
            result = view(*args, **kwargs)
        except BaseException:
            keys.release(outcome)
            raise
        body, status = result, None
        if type(result) is tuple and len(result) >= 2 and isinstance(result[1], int):
            body, status = result[0], result[1]
        keys.complete(outcome, body, status)
        return result

    return Blueprint.doc(parameters=[{
        "in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": "a repeat by the same caller with the same key within 24 h returns the first answer"}])(wrapper)
