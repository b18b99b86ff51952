"""The log-in pages: the choice, Asan İmza (the form, the waiting page and the status its script
asks for, cancelling) and the e-signature card (the nonce to sign, the signed answer)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, jsonify, redirect, render_template, request, session, url_for

from egov_kit import clock

from ...api import ApiProblem
from ...forms import FormErrors, from_problem
from ...messages import t
from ...web import call, logged_in, safe_next, start_session
from . import bp


def _next_target() -> str:
    return safe_next(request.values.get("next") or session.get("next"))


@bp.get("")
def start():
    why = request.args.get("why")
    if request.args.get("next"):
        session["next"] = safe_next(request.args["next"])
    message = {"expired": "session_expired", "login": "login_required", "logged_out": "logged_out"}.get(why)
    return render_template("login/choose.html", message=message)


# --- Asan İmza -----------------------------------------------------------------------------

ASAN_FIELDS = ["phone", "user_id"]


@bp.route("/asan", methods=["GET", "POST"])
def asan():
    values, errors = {"phone": "", "user_id": ""}, FormErrors()
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name in ASAN_FIELDS}
        for name, key in (("phone", "asan_phone"), ("user_id", "asan_user_id")):
            if not values[name]:
                errors.add(name, t("required_field", field=t(key)))
        if not errors:
            try:
                started = call("POST", "/api/auth/asan/sessions", auth=False, json=values)
            except ApiProblem as problem:
                errors = from_problem(problem, ASAN_FIELDS)
            else:
                session["asan"] = {"id": started["session_id"], "code": started["verification_code"],
                                   "exp": started.get("expires_at"), "phone": values["phone"]}
                return redirect(url_for("login.asan_wait"))
    status = 422 if errors else 200
    return render_template("login/asan.html", values=values, errors=errors, fields=ASAN_FIELDS), status


def _poll() -> dict:
    """How the pending log-in stands: {state, reason?}; a confirmed one starts the session."""
    pending = session.get("asan")
    if not pending:
        return {"state": "none"}
    try:
        answer = call("GET", f"/api/auth/asan/sessions/{pending['id']}", auth=False)
    except ApiProblem as problem:
        session.pop("asan", None)
        return {"state": "expired" if problem.status in (404, 410) else "rejected", "reason": None}
    state = answer.get("state")
    if state == "confirmed" and answer.get("access_token"):
        start_session(answer)
        return {"state": "confirmed"}
    if state in ("rejected", "expired"):
        session.pop("asan", None)
        return {"state": state, "reason": answer.get("reason")}
    return {"state": "pending"}


def _failure_text(outcome: dict) -> str:
    reason = outcome.get("reason")
    if reason and f"asan_reason_{reason}" in _REASONS:
        return t(f"asan_reason_{reason}")
    return t("asan_expired" if outcome["state"] == "expired" else "asan_rejected")


_REASONS = {"asan_reason_not_asan_client", "asan_reason_user_cancelled", "asan_reason_timeout"}


@bp.get("/asan/wait")
def asan_wait():
    pending = session.get("asan")
    outcome = _poll()
    if outcome["state"] == "confirmed":
        target = _next_target()
        session.pop("next", None)
        return redirect(target)
    if outcome["state"] == "none":
        return redirect(url_for("login.asan", why="none"))
    expires = clock.parse_instant(pending.get("exp")) if pending else None
    seconds_left = max(0, int((expires - datetime.now(timezone.utc)).total_seconds())) if expires else None
    return render_template("login/wait.html", pending=pending, outcome=outcome,
                           failure=_failure_text(outcome) if outcome["state"] in ("rejected", "expired") else None,
                           seconds_left=seconds_left, poll_seconds=current_app.extensions["portal"].settings.poll_seconds)


@bp.get("/asan/status")
def asan_status():
    """For the waiting page's script: {state, next | message}."""
    outcome = _poll()
    body = {"state": outcome["state"]}
    if outcome["state"] == "confirmed":
        body["next"] = _next_target()
        session.pop("next", None)
        body["message"] = t("asan_confirmed")
    elif outcome["state"] in ("rejected", "expired", "none"):
        body["message"] = _failure_text(outcome) if outcome["state"] != "none" else t("asan_no_login")
    return jsonify(body)


@bp.post("/asan/cancel")
def asan_cancel():
    session.pop("asan", None)
    return redirect(url_for("login.start"))


# --- the e-signature card ------------------------------------------------------------------

@bp.get("/card")
def card():
    return render_template("login/card.html", errors=FormErrors())


@bp.get("/card/challenge")
def card_challenge():
    """A fresh nonce from auth for the card to sign (the page's script asks for it)."""
    return jsonify(call("GET", "/api/auth/card/challenge", auth=False))


@bp.post("/card")
def card_login():
    body = {name: request.form.get(name) or "" for name in ("certificate", "nonce", "signature")}
    errors = FormErrors()
    if not all(body.values()):
        errors.add("card_file", t("card_choose_file"))
    else:
        try:
            tokens = call("POST", "/api/auth/card/sessions", auth=False, json=body)
        except ApiProblem as problem:
            errors = from_problem(problem, [])
            errors.general.insert(0, t("card_refused"))
        else:
            start_session(tokens)
            target = _next_target()
            session.pop("next", None)
            return redirect(target)
    return render_template("login/card.html", errors=errors), 422


@bp.app_context_processor
def _login_state():
    return {"is_logged_in": logged_in()}
