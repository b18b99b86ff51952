"""Rules of log-in, sessions, company roles and signing requests.

Plain functions over plain data (dicts as stored, dataclasses), with the time always passed in,
so every rule can be checked with a clock of the test's choosing. No Flask, no MongoDB; refusals
are raised by the use cases (service.py), as the kit's ServiceError."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from egov_kit.clock import as_utc, parse_instant

ISSUER = "egov-auth"
PERSON_AUDIENCE = "egov-api"
SERVICE_AUDIENCE = "svc:auth"  # service tokens addressed to auth (to ask for signatures)
TOKEN_LEEWAY = 5  # seconds every verifier (the kit's too) accepts past `exp`

PENDING, CONFIRMED, REJECTED, EXPIRED = "pending", "confirmed", "rejected", "expired"
LOGIN, SIGN = "login", "sign"
# How a person signs: Asan İmza (the provider signs, confirmed on the phone with PIN2) or the
# e-signature card (the person's own client signs each hash auth hands out with the card's key).
ASAN, CARD = "asan", "card"
HEAD, AUTHORISED = "head", "authorised"

# Why a request ended other than confirmed (the `reason` answered beside the state).
NOT_ASAN_CLIENT = "not_asan_client"      # no Asan İmza with this number and user ID (one answer for both)
USER_CANCELLED = "user_cancelled"        # declined, or the PIN was wrong three times
SIGNATURE_INVALID = "signature_invalid"  # the provider's answer did not hold up: refused
PROVIDER_ERROR = "provider_error"        # the phone or the SIM could not be reached
TIMED_OUT = "timeout"


def new_id(nbytes: int = 18) -> str:
    """Unguessable identifier: whoever knows a log-in session id may collect its token."""
    return secrets.token_urlsafe(nbytes)


def new_challenge() -> bytes:
    """The hash a log-in asks the person's SIM to sign: fresh and random every time, so an old
    answer can never be replayed."""
    return secrets.token_bytes(32)


def verification_code(hash_value: bytes) -> str:
    """6 bits from the beginning of the hash and 7 bits from its end, as a 13-bit number with 4
    digits (0000–8191): the phone shows the same, computed by the provider from the same hash."""
    return f"{((hash_value[0] & 0xFC) << 5) | (hash_value[-1] & 0x7F):04d}"


def outcome(result: str) -> tuple[str, str | None]:
    """The provider's end result as our (state, reason)."""
    if result == "OK":
        return CONFIRMED, None
    if result == "TIMEOUT":
        return EXPIRED, TIMED_OUT
    if result == "NOT_MID_CLIENT":
        return REJECTED, NOT_ASAN_CLIENT
    if result == "USER_CANCELLED":
        return REJECTED, USER_CANCELLED
    return REJECTED, PROVIDER_ERROR  # SIGNATURE_HASH_MISMATCH, PHONE_ABSENT, DELIVERY_ERROR, SIM_ERROR, ...


def step_text(text: str, step: int, steps: int) -> str:
    """What the phone shows for one of several signatures: "… (1/2)", "… (2/2)"."""
    return text if steps == 1 else f"{text} ({step + 1}/{steps})"


def step_label(step: int, steps: int) -> str:
    """Which of a signing's signatures is asked for now: "1/2", "2/2"."""
    return f"{step + 1}/{steps}"


def normalize_phone(value: str) -> str:
    """+994 50 111 22 33, 994501112233 and +994-50-111-22-33 are one number."""
    phone = re.sub(r"[\s\-()]", "", value.strip())
    return f"+{phone}" if phone.startswith("994") else phone


def utc_epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- Asan İmza requests (log-in and signing) ----------------------------------------------

def new_login(*, phone: str, user_id: str, challenge: bytes, now: datetime, ttl: int,
              client: str | None = None) -> dict:
    """`client`: who started it (client_tag), so that only they get it again on a restart."""
    return {
        "_id": new_id(), "kind": LOGIN, "phone": phone, "user_id": user_id, "client": client,
        "hash": challenge, "verification_code": verification_code(challenge), "provider_session": None,
        "state": PENDING, "created_at": now, "expires_at": now + timedelta(seconds=ttl),
    }


def effective_state(request: dict, now: datetime) -> str:
    """A pending request past its expiry is expired, whether or not anyone wrote that down yet."""
    if request["state"] == PENDING and now >= as_utc(request["expires_at"]):
        return EXPIRED
    return request["state"]


def restart_reusable(previous: dict | None, *, user_id: str, now: datetime, window: int,
                     client: str | None = None) -> bool:
    """Starting again within a few seconds while the first request is pending gives the same one
    (a double click or a retried request must not put two codes on the phone) — to the same
    client only: whoever holds a log-in's session id collects its token, so a start from elsewhere
    with the same number and user ID (someone who knows them, racing the person) gets a request
    of its own, with a code of its own."""
    return (previous is not None and previous.get("kind") == LOGIN
            and hmac.compare_digest(str(previous.get("user_id")), user_id)
            and hmac.compare_digest(str(previous.get("client")), str(client))
            and effective_state(previous, now) == PENDING
            and now - as_utc(previous["created_at"]) <= timedelta(seconds=window))


def redeemable(request: dict, now: datetime, ttl: int) -> bool:
    """A confirmed log-in is collected once, and not long after it was confirmed."""
    return now <= as_utc(request["expires_at"]) + timedelta(seconds=ttl)


def session_start_due(request: dict, now: datetime, lease: int) -> bool:
    """A signing whose next provider session is not started yet may be (re)started by this poll:
    nobody claimed it, or whoever did has had `lease` seconds and not finished."""
    claimed = parse_instant(request.get("starting_at"))
    return request.get("provider_session") is None and (
        claimed is None or now - claimed > timedelta(seconds=lease))


def new_signing(*, caller: str, fin: str, text: str, steps: list[dict], certificate: bytes, ca_certificate: str,
                signer: dict, now: datetime, ttl: int, method: str = ASAN, phone: str | None = None,
                user_id: str | None = None, provider_session: str | None = None) -> dict:
    """A signing of `steps` (one digest each, with its signed attributes, the hash to be signed
    and that hash's code). With Asan İmza the first step's provider session is already started
    (`provider_session`, on the person's `phone`); with the card the person's client signs each
    step's hash in turn. Each step may take `ttl`, so the whole may take `ttl` times their number."""
    return {
        "_id": new_id(), "kind": SIGN, "method": method, "caller": caller, "fin": fin, "phone": phone,
        "user_id": user_id, "text": text, "digests": steps, "certificate": certificate,
        "ca_certificate": ca_certificate, "signer": signer, "step": 0, "provider_session": provider_session,
        "starting_at": None, "verification_code": steps[0]["code"] if method == ASAN else None,
        "signatures": [], "state": PENDING,
        "created_at": now, "expires_at": now + timedelta(seconds=ttl * len(steps)),
    }


# --- sessions and tokens ------------------------------------------------------------------

def roles_for(fin: str, *, staff_fins: frozenset) -> list[str]:
    """Staff are named by configuration (STAFF_FINS), never by anything a log-in brings along."""
    return ["staff"] if fin in staff_fins else []


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


# --- log-in limits ------------------------------------------------------------------------
# What a log-in attempt is counted against: the phone number and the user ID of an Asan İmza
# start, the person a card proved to be, and the client it came from.
PHONE, USER_ID, CARD, CLIENT = "phone", "user_id", "card", "client"
UNREADABLE_CLIENT = "?"


def login_window(now: datetime, seconds: int) -> tuple[int, int]:
    """The fixed window holding `now` (its number since the epoch) and the whole seconds until it
    ends. Every limit counts in the same windows, so a refusal waits the same (Retry-After)
    whichever limit it met."""
    moment = now.timestamp()
    window = int(moment // seconds)
    return window, max(1, math.ceil((window + 1) * seconds - moment))


def attempt_key(subject: str, value: str, window: int) -> str:
    """The counter of one subject (PHONE, USER_ID, CARD or CLIENT and its value) in one window;
    hashed, so the counters hold no number, user ID, FİN or address."""
    return hashlib.sha256(f"{subject}\x00{value}\x00{window}".encode()).hexdigest()


def client_key(address: str | None) -> str | None:
    """Who a client is, for its limit: its IPv4 address, or the /64 network of an IPv6 one (what
    one subscriber is given, and may change addresses within at will); UNREADABLE_CLIENT for
    anything else (all such share one count); None when there is no client (a direct call)."""
    if address is None:
        return None
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return UNREADABLE_CLIENT
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def client_tag(client: str | None) -> str | None:
    """What a log-in request keeps of its client: enough to know it again, not the address."""
    return None if client is None else hashlib.sha256(f"client\x00{client}".encode()).hexdigest()[:32]
