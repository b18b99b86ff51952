"""Signing a notice or its termination: Asan İmza (PIN2 on the phone; the waiting page and the status
its script asks for, which is what finalises a confirmed signature) and the e-signature card in the
browser, offered when the contracts API's OpenAPI document has its card-response route."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from flask import abort, current_app, jsonify, redirect, render_template, request, session, url_for

from egov_kit import clock

from ....api import ApiProblem, ApiUnavailable
from ....messages import t
from ....web import call, login_required
from .. import bp
from ..shared import tell

SIGNING_PATHS = {"notice": "signature", "termination": "termination/signature"}


# --- signing with Asan İmza (PIN2 on the phone) ----------------------------------------------

def _kind(kind: str) -> str:
    if kind not in SIGNING_PATHS:
        abort(404)
    return kind


def _signature_path(notice_id: str, kind: str) -> str:
    return f"/api/contracts/notices/{notice_id}/{SIGNING_PATHS[kind]}"


@bp.post("/notices/<notice_id>/sign/<kind>")
@login_required
def sign(notice_id, kind):
    _kind(kind)
    try:
        started = call("POST", _signature_path(notice_id, kind), json={})
    except ApiProblem as problem:
        if problem.status == 404:
            raise
        tell(problem.detail or problem.title, "error")
        return redirect(url_for("contracts.notice", notice_id=notice_id))
    session["ct_sign"] = {"notice": notice_id, "kind": kind, "code": started.get("verification_code"),
                          "exp": started.get("expires_at")}
    return redirect(url_for("contracts.sign_wait", notice_id=notice_id, kind=kind))


def _signing_state(notice_id: str, kind: str) -> dict:
    """{state, message, code?}: asking the API is what finalises a confirmed signature."""
    try:
        answer = call("GET", _signature_path(notice_id, kind))
    except ApiProblem as problem:
        if problem.status in (403, 409):
            return {"state": "refused", "message": problem.detail or problem.title}
        raise
    state = answer.get("state") or "pending"
    out = {"state": state, "message": answer.get("message") or ""}
    if state == "pending":
        out["code"] = answer.get("verification_code")
        out["exp"] = answer.get("expires_at")
    return out


@bp.get("/notices/<notice_id>/sign/<kind>")
@login_required
def sign_wait(notice_id, kind):
    _kind(kind)
    outcome = _signing_state(notice_id, kind)
    if outcome["state"] == "confirmed":
        session.pop("ct_sign", None)
        tell(outcome["message"] or t("ct_signed"))
        return redirect(url_for("contracts.notice", notice_id=notice_id))
    pending = dict(session.get("ct_sign") or {})
    pending.update(code=outcome.get("code") or pending.get("code"), exp=outcome.get("exp") or pending.get("exp"))
    expires = clock.parse_instant(pending.get("exp")) if pending.get("exp") else None
    seconds_left = max(0, int((expires - datetime.now(timezone.utc)).total_seconds())) if expires else None
    return render_template("contracts/sign_wait.html", notice_id=notice_id, kind=kind, outcome=outcome,
                           pending=pending, seconds_left=seconds_left,
                           poll_seconds=current_app.extensions["portal"].settings.poll_seconds)


@bp.get("/notices/<notice_id>/sign/<kind>/status")
@login_required
def sign_status(notice_id, kind):
    """For the waiting page's script: {state, message, code | next}."""
    _kind(kind)
    outcome = _signing_state(notice_id, kind)
    body = {"state": outcome["state"], "message": outcome["message"]}
    if outcome["state"] == "confirmed":
        session.pop("ct_sign", None)
        tell(outcome["message"] or t("ct_signed"))
        body["next"] = url_for("contracts.notice", notice_id=notice_id)
    elif outcome["state"] == "pending":
        body["code"] = outcome.get("code")
        body["message"] = t("ct_sign_waiting")
    return jsonify(body)


# --- signing with the e-signature card (when the API offers it) ---------------------------

_CARD_SUPPORT: dict[str, tuple[float, bool]] = {}


def card_signing_offered(kind: str) -> bool:
    """Whether the contracts API signs with the card ({method: "card"} and a card-response
    route, api.md "Signing"): read from its OpenAPI document, asked again every few minutes."""
    now = time.monotonic()
    kept = _CARD_SUPPORT.get(kind)
    if kept and now - kept[0] < 300:
        return kept[1]
    try:
        document = call("GET", "/api/contracts/openapi.json", auth=False)
        suffix = f"/{SIGNING_PATHS[kind]}/card-response"
        offered = any(path.endswith(suffix) for path in (document or {}).get("paths", {}))
    except (ApiProblem, ApiUnavailable):
        offered = False
    _CARD_SUPPORT[kind] = (now, offered)
    return offered


@bp.get("/notices/<notice_id>/sign/<kind>/card")
@login_required
def sign_card(notice_id, kind):
    if not card_signing_offered(_kind(kind)):
        abort(404)
    found = call("GET", f"/api/contracts/notices/{notice_id}")
    return render_template("contracts/sign_card.html", notice=found, kind=kind)


def _card_answer(answer: dict, notice_id: str) -> dict:
    """What the page's script needs: the next digest to sign, or where it ended."""
    state = answer.get("state") or ("pending" if answer.get("digest") else "")
    body = {"state": state, "message": answer.get("message") or ""}
    if state == "pending":
        body["digest"] = answer.get("digest")
    elif state == "confirmed":
        tell(body["message"] or t("ct_signed"))
        body["next"] = url_for("contracts.notice", notice_id=notice_id)
    return body


@bp.post("/notices/<notice_id>/sign/<kind>/card/start")
@login_required
def sign_card_start(notice_id, kind):
    """The card's certificate to the API; the digest it answers, for the page to sign."""
    _kind(kind)
    certificate = (request.get_json(silent=True) or {}).get("certificate") or ""
    try:
        answer = call("POST", _signature_path(notice_id, kind), json={"method": "card", "certificate": certificate})
    except ApiProblem as problem:
        return jsonify({"state": "refused", "message": problem.detail or problem.title}), 422
    if not answer.get("digest"):
        return jsonify({"state": "refused", "message": t("ct_card_not_offered")}), 422
    return jsonify(_card_answer({**answer, "state": "pending"}, notice_id))


@bp.post("/notices/<notice_id>/sign/<kind>/card/response")
@login_required
def sign_card_response(notice_id, kind):
    """The card's signature of the digest; the API may ask for another (a signature in parts)."""
    _kind(kind)
    signature = (request.get_json(silent=True) or {}).get("signature") or ""
    try:
        answer = call("POST", f"{_signature_path(notice_id, kind)}/card-response", json={"signature": signature})
    except ApiProblem as problem:
        return jsonify({"state": "refused", "message": problem.detail or problem.title}), 422
    return jsonify(_card_answer(answer, notice_id))
