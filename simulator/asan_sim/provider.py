"""The provider's side: the relying-party protocol under /asan-api (docs/asan-provider.md).

    POST /certificate          {relyingPartyUUID, relyingPartyName, phoneNumber, userId}
                               → {result: OK, cert} | {result: NOT_FOUND}
    POST /authentication       {..., phoneNumber, userId, hash, hashType, language, displayText} → {sessionID}
    POST /signature            the same → {sessionID}
    GET  /session/<sessionID>?timeoutMs=   → {state: RUNNING} | {state: COMPLETE, result[, signature, cert]}

The POSTs carry the relying party's UUID and name in the body; the session GET, which has no
body, carries the UUID in the X-Relying-Party-UUID header and sees only its own sessions.
A wrong UUID or name is 401."""
from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.serialization import Encoding
from flask import Blueprint, current_app, jsonify, request

from . import domain as d
from .errors import SimError

blp = Blueprint("provider", __name__, url_prefix="/asan-api")
MAX_TIMEOUT_MS = 120_000
MAX_DISPLAY_TEXT = 1100


def _sim():
    return current_app.extensions["asan_sim"]


def _string(body: dict, name: str, *, required: bool = True, max_length: int = 200) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise SimError(400, "bad_request", {name: ["bad_request"]})
    return value.strip()


def _relying_party(body: dict) -> tuple[str, str]:
    """The caller's credentials, checked before anything else in the body is looked at."""
    uuid_, name = body.get("relyingPartyUUID"), body.get("relyingPartyName")
    settings = _sim().settings
    if not (isinstance(uuid_, str) and isinstance(name, str)
            and d.secrets_equal(uuid_, settings.rp_uuid) and d.secrets_equal(name, settings.rp_name)):
        raise SimError(401, "unauthorized")
    return uuid_, name


def _person(body: dict) -> tuple[str, str]:
    phone = d.normalize_phone(_string(body, "phoneNumber", max_length=40))
    if not d.PHONE_RE.match(phone):
        raise SimError(400, "bad_request", {"phoneNumber": ["bad_request"]})
    user_id = _string(body, "userId", max_length=20)
    if not d.USER_ID_RE.match(user_id):
        raise SimError(400, "bad_request", {"userId": ["bad_request"]})
    return phone, user_id


def _hash(body: dict) -> tuple[bytes, str]:
    hash_type = body.get("hashType")
    if hash_type not in d.HASH_LENGTHS:
        raise SimError(400, "bad_request", {"hashType": ["bad_request"]})
    value = body.get("hash")
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != d.HASH_LENGTHS[hash_type]:
        raise SimError(400, "bad_request", {"hash": ["bad_request"]})
    return raw, hash_type


@blp.post("/certificate")
def certificate():
    body = _sim().json_body()
    _relying_party(body)
    phone, user_id = _person(body)
    identity = _sim().identities.holder(phone, user_id)
    if identity is None:
        return jsonify(result="NOT_FOUND")
    card = _sim().cards.card(identity)
    return jsonify(result=d.OK, cert=base64.b64encode(card.cert.public_bytes(Encoding.DER)).decode())


def _start(kind: str):
    body = _sim().json_body()
    rp_uuid, rp_name = _relying_party(body)
    phone, user_id = _person(body)
    hash_value, hash_type = _hash(body)
    display_text = _string(body, "displayText", required=False, max_length=MAX_DISPLAY_TEXT) or ""
    language = body.get("language")
    if language is not None and language not in ("AZE", "ENG", "RUS"):
        raise SimError(400, "bad_request", {"language": ["bad_request"]})
    session = _sim().sessions.start(kind=kind, rp_uuid=rp_uuid, rp_name=rp_name, phone=phone,
                                    identity=_sim().identities.holder(phone, user_id), hash_value=hash_value,
                                    hash_type=hash_type, display_text=display_text)
    return jsonify(sessionID=session.session_id)


@blp.post("/authentication")
def authentication():
    return _start(d.LOGIN)


@blp.post("/signature")
def signature():
    return _start(d.SIGN)


@blp.get("/session/<session_id>")
def session_state(session_id: str):
    rp_uuid = request.headers.get("X-Relying-Party-UUID", "")
    if not d.secrets_equal(rp_uuid, _sim().settings.rp_uuid):
        raise SimError(401, "unauthorized")
    raw_timeout = request.args.get("timeoutMs", "0")
    if not raw_timeout.isdigit() or len(raw_timeout) > 7:
        raise SimError(400, "bad_request", {"timeoutMs": ["bad_request"]})
    session = _sim().sessions.get(session_id, rp_uuid)
    if session is None:
        raise SimError(404, "not_found")
    session = _sim().sessions.wait(session, min(int(raw_timeout), MAX_TIMEOUT_MS) / 1000)
    if session.state == d.RUNNING:
        return jsonify(state=d.RUNNING)
    out = {"state": d.COMPLETE, "result": session.result}
    if session.result == d.OK:
        out["signature"] = {"value": base64.b64encode(session.signature).decode(), "algorithm": session.algorithm}
        out["cert"] = base64.b64encode(session.cert_der).decode()
    return jsonify(out)

