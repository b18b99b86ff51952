"""Əmək müqaviləsi bildirişləri (the contracts manual): the head's authorities (himself first, then
representatives, fixed-term or indefinite, by scope; withdrawn), entering a notice (the employee's
data filled from the population registry by the service, the occupation and the termination
ground from the registry's directories), the register with search and "Bildirişi imzala" (Asan
İmza, PIN2 on the phone), termination, the signed PDF and ADoc, and the employee's own notices."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for

from egov_kit import clock

from ...api import ApiProblem, ApiUnavailable
from ...forms import FormErrors, from_problem
from ...messages import t
from ...web import acting_for, call, login_required, me
from . import texts  # noqa: F401 - registers the feature's texts
from .formats import form_day, format_manat, normalise_money, parse_day
from .shared import PAGE_SIZE, choices, merged, offset_arg, passed_file, tell, told

bp = Blueprint("contracts", __name__, template_folder="templates", url_prefix="/contracts")
NAV = [{"endpoint": "contracts.index", "label": "nav_contracts", "order": 1, "when": "logged_in"}]

SCOPES = ("contracts", "accidents", "insurers", "notifications")
NOTICE_FIELDS = ["employee_fin", "position", "occupation_code", "workplace", "contract_number", "contract_date",
                 "start_date", "contract_type", "end_date", "salary", "working_time"]
DATE_FIELDS = ("contract_date", "start_date", "end_date")
AUTHORITY_FIELDS = ["fin", "kind", "valid_until", "scopes"]
TERMINATION_FIELDS = ["date", "ground"]
SIGNING_PATHS = {"notice": "signature", "termination": "termination/signature"}


@bp.app_template_filter("manat")
def _manat(value) -> str:
    return format_manat(value)


@bp.app_context_processor
def _shared():
    return {"told": told, "form_day": form_day}


def _company() -> dict | None:
    """The company the person acts for now, as the header's role chooser knows it."""
    voen = acting_for()
    person = me() or {}
    return next((c for c in person.get("companies", []) if c.get("voen") == voen), None) if voen else None


def _company_required() -> dict:
    company = _company()
    if company is None:
        abort(403)
    return company


# --- the e-service's start page ------------------------------------------------------------

@bp.get("")
@login_required
def index():
    return render_template("contracts/index.html", company=_company())


# --- authorities (manual 2.7-2.9) ----------------------------------------------------------

def _my_fin() -> str:
    return call("GET", "/api/auth/me").get("fin", "")


@bp.get("/authorities")
@login_required
def authorities():
    company = _company_required()
    offset = offset_arg()
    page = call("GET", "/api/contracts/authorities", params={"limit": PAGE_SIZE, "offset": offset})
    fin = _my_fin()
    head_has_own = any(a.get("fin") == fin and a.get("status") == "active" for a in page["items"]) \
        or _holds_authority(fin, page)
    return render_template("contracts/authorities.html", company=company, page=page, offset=offset,
                           size=PAGE_SIZE, my_fin=fin, head_has_own=head_has_own)


def _holds_authority(fin: str, first_page: dict) -> bool:
    """Whether the head holds an authority in force (looked for past the first page too)."""
    offset = len(first_page["items"])
    while offset < first_page["total"]:
        more = call("GET", "/api/contracts/authorities", params={"limit": 200, "offset": offset})
        if any(a.get("fin") == fin and a.get("status") == "active" for a in more["items"]):
            return True
        offset += len(more["items"]) or 200
    return False


@bp.route("/authorities/new", methods=["GET", "POST"])
@login_required
def authority_new():
    company = _company_required()
    for_self = request.values.get("self") == "1"
    own_fin = _my_fin() if for_self else ""
    values = {"fin": own_fin, "kind": "indefinite" if for_self else "", "valid_until": "", "scopes": list(SCOPES)}
    errors = FormErrors()
    if request.method == "POST":
        values = {"fin": own_fin or (request.form.get("fin") or "").strip().upper(),
                  "kind": request.form.get("kind", ""), "valid_until": (request.form.get("valid_until") or "").strip(),
                  "scopes": request.form.getlist("scopes")}
        body = {"fin": values["fin"], "valid_until": None, "scopes": values["scopes"]}
        if values["kind"] not in ("indefinite", "fixed_term"):
            errors.add("kind", t("ct_authority_kind_required"))
        elif values["kind"] == "fixed_term":
            try:
                body["valid_until"] = parse_day(values["valid_until"])
            except ValueError:
                errors.add("valid_until", t("ct_date_invalid", field=t("ct_authority_valid_until")))
            if body["valid_until"] is None and not errors.of("valid_until"):
                errors.add("valid_until", t("required_field", field=t("ct_authority_valid_until")))
        if not errors:
            try:
                granted = call("POST", "/api/contracts/authorities", json=body)
            except ApiProblem as problem:
                errors = from_problem(problem, AUTHORITY_FIELDS)
            else:
                tell(t("ct_authority_granted", name=granted.get("full_name") or granted.get("fin", "")))
                return redirect(url_for("contracts.authorities"))
    return render_template("contracts/authority_form.html", company=company, values=values, errors=errors,
                           fields=AUTHORITY_FIELDS, for_self=for_self, scopes=SCOPES), 422 if errors else 200


def _authority(authority_id: str) -> dict:
    offset, total = 0, 1
    while offset < total:
        page = call("GET", "/api/contracts/authorities", params={"limit": 200, "offset": offset})
        found = next((a for a in page["items"] if a.get("id") == authority_id), None)
        if found:
            return found
        total, offset = page["total"], offset + (len(page["items"]) or 200)
    abort(404)


@bp.route("/authorities/<authority_id>/withdraw", methods=["GET", "POST"])
@login_required
def authority_withdraw(authority_id):
    company = _company_required()
    authority = _authority(authority_id)
    if request.method == "POST":
        try:
            call("DELETE", f"/api/contracts/authorities/{authority_id}")
        except ApiProblem as problem:
            if problem.status != 409:
                raise
            tell(problem.detail or problem.title, "error")
        else:
            tell(t("ct_authority_withdrawn", name=authority.get("full_name", "")))
        return redirect(url_for("contracts.authorities"))
    return render_template("contracts/authority_withdraw.html", company=company, authority=authority)


# --- entering a notice (manual 3.2-3.3) ----------------------------------------------------

def _notice_values(source) -> dict:
    values = {name: (source.get(name) or "").strip() for name in NOTICE_FIELDS}
    values["employee_fin"] = values["employee_fin"].upper()
    return values


def _notice_body(values: dict, errors: FormErrors) -> dict:
    """The API's body from the form (dates dd.mm.yyyy → ISO, manat normalised); a date that is no
    date is said here, the rest by the API."""
    body = {name: values[name] for name in NOTICE_FIELDS if name not in DATE_FIELDS}
    body["salary"] = normalise_money(values["salary"])
    for name in DATE_FIELDS:
        try:
            body[name] = parse_day(values[name])
        except ValueError:
            errors.add(name, t("ct_date_invalid", field=t(f"ct_{name}")))
    if values["contract_type"] != "fixed_term":
        body["end_date"] = None  # shown only for a fixed-term contract
    for name in ("contract_type", "working_time"):
        if not body[name]:
            body.pop(name)  # the API names it as missing
    for name in ("contract_date", "start_date"):
        if body.get(name) is None and not errors.of(name):
            body.pop(name, None)
    return body


def _form_values_of(notice: dict) -> dict:
    values = {name: notice.get(name) or "" for name in NOTICE_FIELDS}
    values["employee_fin"] = notice.get("employee_fin") or (notice.get("employee") or {}).get("fin", "")
    for name in DATE_FIELDS:
        values[name] = form_day(notice.get(name))
    return values


def _notice_form(values: dict, errors: FormErrors, *, notice: dict | None = None):
    return render_template("contracts/notice_form.html", company=_company(), values=values, errors=errors,
                           fields=NOTICE_FIELDS, notice=notice, occupations=choices("occupations")), \
        422 if errors else 200


@bp.route("/notices/new", methods=["GET", "POST"])
@login_required
def notice_new():
    _company_required()
    values, errors = {name: "" for name in NOTICE_FIELDS}, FormErrors()
    if request.method == "POST":
        values = _notice_values(request.form)
        body = _notice_body(values, errors)
        # Asked even when a date is no date (left out, the API refuses it as missing): every
        # mistake is then said at once.
        try:
            notice = call("POST", "/api/contracts/notices", json=body)
        except ApiProblem as problem:
            errors = merged(errors, from_problem(problem, NOTICE_FIELDS))
        else:
            tell(t("ct_notice_saved"))
            return redirect(url_for("contracts.notice", notice_id=notice["id"]))
    return _notice_form(values, errors)



@bp.route("/notices/<notice_id>/edit", methods=["GET", "POST"])
@login_required
def notice_edit(notice_id):
    _company_required()
    notice = call("GET", f"/api/contracts/notices/{notice_id}")
    if notice.get("status") != "unsigned":
        tell(t("ct_notice_not_editable"), "error")
        return redirect(url_for("contracts.notice", notice_id=notice_id))
    values, errors = _form_values_of(notice), FormErrors()
    if request.method == "POST":
        values = _notice_values(request.form)
        body = _notice_body(values, errors)
        if not errors:
            try:
                call("PATCH", f"/api/contracts/notices/{notice_id}", json=body)
            except ApiProblem as problem:
                errors = from_problem(problem, NOTICE_FIELDS)
            else:
                tell(t("ct_notice_changed"))
                return redirect(url_for("contracts.notice", notice_id=notice_id))
    return _notice_form(values, errors, notice=notice)


@bp.route("/notices/<notice_id>/delete", methods=["GET", "POST"])
@login_required
def notice_delete(notice_id):
    _company_required()
    notice = call("GET", f"/api/contracts/notices/{notice_id}")
    if request.method == "POST":
        try:
            call("DELETE", f"/api/contracts/notices/{notice_id}")
        except ApiProblem as problem:
            if problem.status != 409:
                raise
            tell(problem.detail or problem.title, "error")
            return redirect(url_for("contracts.notice", notice_id=notice_id))
        tell(t("ct_notice_deleted", number=notice.get("contract_number", "")))
        return redirect(url_for("contracts.notices"))
    return render_template("contracts/notice_delete.html", notice=notice)


# --- the register, one notice, its documents (manual 3.4-3.9) -------------------------------

@bp.get("/notices")
@login_required
def notices():
    company = _company_required()
    offset = offset_arg()
    q = (request.args.get("q") or "").strip()
    status = request.args.get("status") or ""
    if status not in ("", "unsigned", "signed", "terminated"):
        status = ""
    page = call("GET", "/api/contracts/notices",
                params={"limit": PAGE_SIZE, "offset": offset, "q": q or None, "status": status or None})
    return render_template("contracts/notices.html", company=company, page=page, offset=offset, size=PAGE_SIZE,
                           q=q, status=status)


@bp.get("/notices/<notice_id>")
@login_required
def notice(notice_id):
    found = call("GET", f"/api/contracts/notices/{notice_id}")
    employer = (found.get("employer") or {}).get("voen")
    as_employer = bool(employer) and employer == acting_for()
    card = {kind: as_employer and card_signing_offered(kind) for kind in SIGNING_PATHS}
    return render_template("contracts/notice.html", notice=found, as_employer=as_employer, card=card)


@bp.get("/notices/<notice_id>/pdf")
@login_required
def notice_pdf(notice_id):
    return passed_file(f"/api/contracts/notices/{notice_id}/pdf", inline=request.args.get("print") == "1")


@bp.get("/notices/<notice_id>/adoc")
@login_required
def notice_adoc(notice_id):
    return passed_file(f"/api/contracts/notices/{notice_id}/adoc")


# --- termination (date and ground) -----------------------------------------------------------

@bp.route("/notices/<notice_id>/termination", methods=["GET", "POST"])
@login_required
def termination(notice_id):
    _company_required()
    found = call("GET", f"/api/contracts/notices/{notice_id}")
    values, errors = {"date": "", "ground": ""}, FormErrors()
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name in TERMINATION_FIELDS}
        body = {"ground": values["ground"]}
        try:
            body["date"] = parse_day(values["date"])
        except ValueError:
            errors.add("date", t("ct_date_invalid", field=t("ct_termination_date")))
        if body.get("date") is None:
            body.pop("date", None)
        if not body["ground"]:
            body.pop("ground")
        if not errors:
            try:
                call("POST", f"/api/contracts/notices/{notice_id}/termination", json=body)
            except ApiProblem as problem:
                errors = from_problem(problem, TERMINATION_FIELDS)
            else:
                tell(t("ct_termination_saved"))
                return redirect(url_for("contracts.notice", notice_id=notice_id))
    return render_template("contracts/termination_form.html", notice=found, values=values, errors=errors,
                           fields=TERMINATION_FIELDS, grounds=choices("termination-grounds")), 422 if errors else 200


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


# --- the employee's own notices ------------------------------------------------------------

@bp.get("/my-notices")
@login_required
def my_notices():
    offset = offset_arg()
    q = (request.args.get("q") or "").strip()
    page = call("GET", "/api/contracts/my-notices", params={"limit": PAGE_SIZE, "offset": offset, "q": q or None})
    return render_template("contracts/my_notices.html", page=page, offset=offset, size=PAGE_SIZE, q=q)
