"""Sessions of the provider, in memory: one per authentication or signature a relying party asks
for, shown on the person's phone while it runs, complete with an end result.

The simulator runs as one process, so memory is the whole truth; a restart forgets running
sessions, as a real provider's would time out. Waiting for a result (the long poll) blocks on
a condition that confirming, cancelling or expiry wakes."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from . import domain as d
from .domain import Identity

# Complete sessions are forgotten this long after they finished (the relying party has polled).
KEEP_COMPLETE_SECONDS = 600
# No more than this many sessions are kept at once (the oldest complete ones go first).
MAX_SESSIONS = 10_000


@dataclass
class Session:
    session_id: str
    request_id: str           # what the phone calls it: the relying party's id never shows there
    kind: str                 # login | sign
    rp_uuid: str
    rp_name: str
    phone: str
    identity: Identity | None
    hash: bytes
    hash_type: str
    display_text: str
    created: float
    expires: float
    state: str = d.RUNNING
    result: str | None = None
    signature: bytes | None = None
    algorithm: str | None = None
    cert_der: bytes | None = None
    pin_failures: int = 0
    finished: float | None = None
    verification_code: str = field(init=False)

    def __post_init__(self):
        self.verification_code = d.verification_code(self.hash)


class PinRefused(Exception):
    def __init__(self, attempts_left: int):
        super().__init__("wrong PIN")
        self.attempts_left = attempts_left


class NotRunning(Exception):
    def __init__(self, result: str | None):
        super().__init__("session is not running")
        self.result = result


class Sessions:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._by_id: dict[str, Session] = {}
        self._changed = threading.Condition()

    # --- the relying party's side -------------------------------------------------------------
    def start(self, *, kind: str, rp_uuid: str, rp_name: str, phone: str, identity: Identity | None,
              hash_value: bytes, hash_type: str, display_text: str) -> Session:
        now = self.clock()
        session = Session(session_id=str(uuid.uuid4()), request_id=uuid.uuid4().hex, kind=kind, rp_uuid=rp_uuid,
                          rp_name=rp_name, phone=phone, identity=identity, hash=hash_value, hash_type=hash_type,
                          display_text=display_text, created=now, expires=now + self.ttl)
        if identity is None:
            # No SIM with this number and user ID: nothing reaches any phone. An unknown number
            # and a wrong user ID end the same way.
            self._finish(session, d.NOT_MID_CLIENT, now)
        with self._changed:
            self._prune(now)
            self._by_id[session.session_id] = session
        return session

    def get(self, session_id: str, rp_uuid: str) -> Session | None:
        with self._changed:
            session = self._by_id.get(session_id)
            if session is None or not d.secrets_equal(rp_uuid, session.rp_uuid):
                return None
            self._expire(session, self.clock())
            return session

    def wait(self, session: Session, timeout: float) -> Session:
        """Until the session completes, `timeout` seconds pass, or it expires, whichever is first."""
        deadline = self.clock() + max(0.0, timeout)
        with self._changed:
            while True:
                now = self.clock()
                self._expire(session, now)
                if session.state == d.COMPLETE or now >= deadline:
                    return session
                self._changed.wait(min(deadline, session.expires) - now + 0.01)

    # --- the phone's side ---------------------------------------------------------------------
    def pending_on(self, phone: str) -> list[Session]:
        now = self.clock()
        with self._changed:
            found = []
            for session in self._by_id.values():
                self._expire(session, now)
                if session.phone == phone and session.identity is not None and session.state == d.RUNNING:
                    found.append(session)
        return sorted(found, key=lambda s: s.created)

    def on_phone(self, phone: str, request_id: str) -> Session | None:
        with self._changed:
            for session in self._by_id.values():
                if session.request_id == request_id and session.phone == phone and session.identity is not None:
                    self._expire(session, self.clock())
                    return session
        return None

    def answer(self, session: Session, pin: str, sign: Callable[[Session], tuple[bytes, str, bytes]]) -> Session:
        """The person types a PIN: the right one completes the session with the signature
        (`sign(session)` → signature, algorithm, certificate DER); a wrong one counts, and the
        third wrong one cancels it."""
        with self._changed:
            now = self.clock()
            self._expire(session, now)
            if session.state != d.RUNNING:
                raise NotRunning(session.result)
            if not d.secrets_equal(pin, d.expected_pin(session.kind, session.identity)):
                session.pin_failures += 1
                left = d.PIN_ATTEMPTS - session.pin_failures
                if left <= 0:
                    self._finish(session, d.USER_CANCELLED, now)
                    self._changed.notify_all()  # the long polls learn it at once
                raise PinRefused(max(left, 0))
            signature, algorithm, cert_der = sign(session)
            session.signature, session.algorithm, session.cert_der = signature, algorithm, cert_der
            self._finish(session, d.OK, now)
            self._changed.notify_all()
            return session

    # --- internals (called with the condition held, or on a session nobody else sees yet) -----
    def _finish(self, session: Session, result: str, now: float) -> None:
        session.state, session.result, session.finished = d.COMPLETE, result, now

    def _expire(self, session: Session, now: float) -> None:
        if session.state == d.RUNNING and now >= session.expires:
            self._finish(session, d.TIMEOUT, now)

    def _prune(self, now: float) -> None:
        gone = [key for key, s in self._by_id.items()
                if s.state == d.COMPLETE and s.finished is not None and now - s.finished > KEEP_COMPLETE_SECONDS]
        for key in gone:
            del self._by_id[key]
        if len(self._by_id) >= MAX_SESSIONS:
            oldest = sorted(self._by_id.values(), key=lambda s: (s.state == d.RUNNING, s.created))
            for session in oldest[: len(self._by_id) - MAX_SESSIONS + 1]:
                del self._by_id[session.session_id]
