"""Rules of log-in, sessions, company roles and signing requests.

Plain functions over plain data (dicts as stored, dataclasses), with the time always passed in,
so every rule can be checked with a clock of the test's choosing. No Flask, no MongoDB; refusals
are raised by the use cases (service.py), as the kit's ServiceError."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from egov_kit.clock import as_utc

ISSUER = "egov-auth"
PERSON_AUDIENCE = "egov-api"
SERVICE_AUDIENCE = "svc:auth"  # service tokens addressed to auth (to ask for signatures)
TOKEN_LEEWAY = 5  # seconds every verifier (the kit's too) accepts past `exp`

PENDING, CONFIRMED, REJECTED, EXPIRED = "pending", "confirmed", "rejected", "expired"
LOGIN, SIGN = "login", "sign"
PIN_ATTEMPTS = 3
HEAD, AUTHORISED = "head", "authorised"


def new_id(nbytes: int = 18) -> str:
    """Unguessable identifier: whoever knows a log-in session id may collect its token."""
    return secrets.token_urlsafe(nbytes)


def new_verification_code() -> str:
    return f"{secrets.randbelow(10_000):04d}"


def normalize_phone(value: str) -> str:
    """+994 50 111 22 33, 994501112233 and +994-50-111-22-33 are one number."""
    phone = re.sub(r"[\s\-()]", "", value.strip())
    return f"+{phone}" if phone.startswith("994") else phone


def utc_epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- Asan İmza requests (log-in and signing share the phone flow) -------------------------

def new_request(kind: str, *, phone: str, fin: str, now: datetime, ttl: int, text: str, **extra) -> dict:
    return {
        "_id": new_id(),
        # The phone sees its own id, so the relying party's session id never shows on it.
        "request_id": uuid.uuid4().hex,
        "kind": kind, "phone": phone, "fin": fin, "text": text,
        "verification_code": new_verification_code(),
        "state": PENDING, "pin_failures": 0,
        "created_at": now, "expires_at": now + timedelta(seconds=ttl),
        **extra,
    }


def effective_state(request: dict, now: datetime) -> str:
    """A pending request past its expiry is expired, whether or not anyone wrote that down yet."""
    if request["state"] == PENDING and now >= as_utc(request["expires_at"]):
        return EXPIRED
    return request["state"]


def expected_pin(kind: str, pin1: str, pin2: str) -> str:
    # PIN1 logs in, PIN2 signs; the other PIN is simply a wrong PIN.
    return pin1 if kind == LOGIN else pin2


def pin_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def state_after_wrong_pin(failures: int) -> str:
    return REJECTED if failures >= PIN_ATTEMPTS else PENDING


def restart_reusable(previous: dict | None, *, user_id: str, now: datetime, window: int) -> bool:
    """Starting again within a few seconds while the first request is pending gives the same one
    (a double click or a retried request must not put two codes on the phone)."""
    return (previous is not None and previous.get("kind") == LOGIN and previous.get("user_id") == user_id
            and effective_state(previous, now) == PENDING
            and now - as_utc(previous["created_at"]) <= timedelta(seconds=window))


def redeemable(request: dict, now: datetime, ttl: int) -> bool:
    """A confirmed log-in is collected once, and not long after it was confirmed."""
    return now <= as_utc(request["expires_at"]) + timedelta(seconds=ttl)


# --- sessions and tokens ------------------------------------------------------------------

def roles_for(fin: str, *, staff_fins: frozenset, sim_staff: bool) -> list[str]:
    return ["staff"] if (fin in staff_fins or sim_staff) else []


def new_session(*, fin: str, person: dict, roles: list[str], method: str, now: datetime,
                max_seconds: int) -> tuple[dict, str]:
    """A server-side session and its first refresh token (only its hash is kept)."""
    session_id = new_id()
    refresh_token, refresh_hash = new_refresh_token(session_id)
    session = {
        "_id": session_id, "fin": fin,
        "name": person.get("name"), "surname": person.get("surname"), "patronymic": person.get("patronymic"),
        "roles": list(roles), "method": method,
        "acting_for": None, "company_role": None,
        "created_at": now, "expires_at": now + timedelta(seconds=max_seconds),
        "refresh_hash": refresh_hash, "revoked_at": None,
    }
    return session, refresh_token


def new_refresh_token(session_id: str) -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return f"{session_id}.{secret}", hash_secret(secret)


def split_refresh_token(token: str) -> tuple[str, str] | None:
    session_id, sep, secret = token.partition(".")
    if not sep or not session_id or not secret:
        return None
    return session_id, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def session_alive(session: dict | None, now: datetime) -> bool:
    return (session is not None and session.get("revoked_at") is None
            and now < as_utc(session["expires_at"]))


def access_expiry(session: dict, now: datetime, ttl: int) -> datetime:
    # A token never outlives its session.
    return min(now + timedelta(seconds=ttl), as_utc(session["expires_at"]))


def person_claims(session: dict, now: datetime, ttl: int) -> dict:
    expires = access_expiry(session, now, ttl)
    return {
        "iss": ISSUER, "aud": PERSON_AUDIENCE, "sub": session["fin"],
        "iat": utc_epoch(now), "nbf": utc_epoch(now) - 1, "exp": utc_epoch(expires),
        "jti": uuid.uuid4().hex, "sid": session["_id"], "amr": [session.get("method")],
        "fin": session["fin"], "name": session.get("name"), "surname": session.get("surname"),
        "patronymic": session.get("patronymic"),
        "acting_for": session.get("acting_for"), "company_role": session.get("company_role"),
        "roles": list(session.get("roles") or []),
    }


def revoked_until(session: dict, now: datetime, ttl: int) -> int:
    """When the last token this session could have issued stops being accepted anyway."""
    return utc_epoch(access_expiry(session, now, ttl)) + TOKEN_LEEWAY + 1


# --- service tokens -----------------------------------------------------------------------

def service_client_ok(client_id: str, secret: str, *, clients: tuple[str, ...], expected_secret: str) -> bool:
    # Both comparisons always run, so timing tells nothing about which part was wrong.
    known = any(hmac.compare_digest(client_id.encode(), c.encode()) for c in clients)
    secret_ok = hmac.compare_digest(secret.encode(), (expected_secret or "").encode())
    return known and secret_ok and bool(expected_secret)


def service_claims(client_id: str, audience: str, now: datetime, ttl: int) -> dict:
    return {
        "iss": ISSUER, "aud": f"svc:{audience}", "sub": f"service:{client_id}",
        "typ": "service", "svc": client_id,
        "iat": utc_epoch(now), "nbf": utc_epoch(now) - 1, "exp": utc_epoch(now) + ttl,
        "jti": uuid.uuid4().hex,
    }


# --- company roles ------------------------------------------------------------------------

@dataclass(frozen=True)
class Authority:
    authority_id: str
    voen: str
    fin: str
    valid_until: str | None  # ISO date; None = indefinite


def parse_valid_until(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("valid_until must be a date or null")
    return date.fromisoformat(value[:10]).isoformat()


def parse_authority_event(data: dict, *, with_validity: bool) -> Authority:
    """The payload of contracts.authority.granted / .withdrawn; ValueError when it is unusable."""
    if not isinstance(data, dict):
        raise ValueError("event data must be an object")
    try:
        authority_id, voen, fin = str(data["authority_id"]), str(data["voen"]), str(data["fin"]).upper()
    except KeyError as exc:
        raise ValueError(f"missing {exc.args[0]}") from None
    if not authority_id or len(voen) != 10 or not voen.isdigit() or len(fin) != 7 or not fin.isalnum():
        raise ValueError("malformed authority")
    valid_until = parse_valid_until(data.get("valid_until")) if with_validity else None
    return Authority(authority_id, voen, fin, valid_until)


def authority_in_force(record: dict, today: date) -> bool:
    """Granted, never withdrawn (whatever order the events came in), and not past its last day."""
    if not record.get("granted") or record.get("withdrawn"):
        return False
    until = record.get("valid_until")
    return until is None or date.fromisoformat(until) >= today


def company_role(fin: str, voen: str, *, head_fin: str | None, authorities: list[dict], today: date) -> str | None:
    if head_fin and head_fin == fin:
        return HEAD
    if any(a.get("voen") == voen and a.get("fin") == fin and authority_in_force(a, today) for a in authorities):
        return AUTHORISED
    return None


def companies(fin: str, *, headed: list[dict], authorities: list[dict], today: date,
              names: dict[str, str | None]) -> list[dict]:
    """Head first (the tax registry says so), then authorities in force; one entry per VÖEN."""
    out: dict[str, dict] = {}
    for org in headed:
        out.setdefault(org["voen"], {"voen": org["voen"], "name": org.get("name"), "role": HEAD})
    for record in authorities:
        if record.get("fin") == fin and authority_in_force(record, today):
            voen = record["voen"]
            out.setdefault(voen, {"voen": voen, "name": names.get(voen), "role": AUTHORISED})
    return list(out.values())
