"""The accidents pages: each calls /api/accidents as the person, acting for the company chosen in
the header; the API's refusals come back as field errors beside the fields they name."""
from __future__ import annotations

import functools
import re
import uuid
from datetime import date

from flask import (Response, abort, flash, jsonify, redirect, render_template, request, url_for)

from ... import directories
from ...api import ApiProblem, ApiUnavailable
from ...forms import FormErrors, from_problem, parse_day
from ...messages import language, t
from ...web import acting_for, call, login_required, logged_in, send
from . import bp
from .signing import card_signing_offered

API = "/api/accidents"
PAGE_SIZE = 20
STEPS = 5
ESAW_INCIDENT = (("deviation", "esaw-deviations", "acc_deviation"),
                 ("contact", "esaw-contact-modes", "acc_contact"),
                 ("material_agent", "esaw-material-agents", "acc_material_agent"))
ESAW_VICTIM = (("injury", "esaw-injury-types", "acc_injury"),
               ("body_part", "esaw-body-parts", "acc_body_part"))
GROUPINGS = ("month", "district", "activity", "outcome", "deviation", "contact", "material_agent", "injury",
             "body_part")
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FIN_RE = re.compile(r"^[0-9A-Za-z]{7}$")
_OP_RE = re.compile(r"^[0-9a-f]{32}$")


# --- who may open the pages ----------------------------------------------------------------

def company_required(view):
    """A page of the employer's: logged in and acting for a company, else the page says which role
    to choose (the API would refuse anyway)."""
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not acting_for():
            return render_template("accidents/needs_company.html"), 403
        if "report_id" in kwargs and not _ID_RE.match(kwargs["report_id"]):
            abort(404)
        return view(*args, **kwargs)
    return wrapper


def _report(report_id: str) -> dict:
    return call("GET", f"{API}/reports/{report_id}")


def _is_draft(report: dict) -> bool:
    return report.get("status") == "draft"


def _new_op() -> str:
    """A fresh operation key for a form that creates something (sent as Idempotency-Key, so a
    form sent twice creates it once)."""
    return uuid.uuid4().hex


def _op_header() -> dict:
    op = request.form.get("op", "")
    return {"Idempotency-Key": op} if _OP_RE.match(op) else {}


# --- how people type dates and times ---------------------------------------------------------

def parse_clock(text: str) -> str | None:
    """HH:MM (also H:MM or HH.MM) → "HH:MM"; None when it is not a time of day."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


# --- pickers ---------------------------------------------------------------------------------

def _esaw_pickers(fields) -> list[dict]:
    return [{"name": name, "label": t(label), "options": directories.options(directory)}
            for name, directory, label in fields]


def _outcomes() -> list[dict]:
    return [{"value": "injured", "text": t("acc_outcome_injured")}, {"value": "died", "text": t("acc_outcome_died")}]


# --- the start page ----------------------------------------------------------------------------

@bp.get("")
def index():
    return render_template("accidents/index.html", logged=logged_in(), company=acting_for())


# --- 1. the employer and 2. the incident -----------------------------------------------------

INCIDENT_FIELDS = ["incident.date", "incident.time", "incident.district_code", "incident.address",
                   "incident.description"]
INCIDENT_RENAME = {"incident.occurred_at": "incident.date"}


def _employer_now() -> dict | None:
    """The employer block before a draft exists: the company the person acts for, from the tax
    registry (the draft keeps its own copy from then on)."""
    try:
        org = call("GET", f"/api/registry/organizations/{acting_for()}")
    except ApiProblem:
        return None
    activity = None
    codes = org.get("activity_types") or []
    if codes:
        activity = {"code": codes[0], "name": directories.names("activity-types").get(codes[0], "")}
    return {"voen": org.get("voen"), "name": org.get("name"),
            "legal_address": (org.get("legal_address") or {}).get("text", ""), "activity": activity}


def _incident_values(form) -> dict:
    return {name: (form.get(name) or "").strip() if name != "incident.description" else (form.get(name) or "")
            for name in INCIDENT_FIELDS}


def _incident_body(values: dict, errors: FormErrors) -> dict:
    """What the API takes, and the portal's own errors for what only it reads (date and time)."""
    body = {"district_code": values["incident.district_code"], "address": values["incident.address"],
            "description": values["incident.description"]}
    day = parse_day(values["incident.date"])
    clock = parse_clock(values["incident.time"])
    if not values["incident.date"]:
        errors.add("incident.date", t("required_field", field=t("acc_date")))
    elif day is None:
        errors.add("incident.date", t("acc_bad_date"))
    if not values["incident.time"]:
        errors.add("incident.time", t("required_field", field=t("acc_time")))
    elif clock is None:
        errors.add("incident.time", t("acc_bad_time"))
    if not values["incident.district_code"]:
        errors.add("incident.district_code", t("acc_choose_district"))
    for name, label in (("incident.address", "acc_address"), ("incident.description", "acc_description")):
        if not values[name].strip():
            errors.add(name, t("required_field", field=t(label)))
    if day and clock:
        body["occurred_at"] = f"{day.isoformat()}T{clock}"  # Baku time: the API reads it so
    return body


def _merge(own: FormErrors, problem: ApiProblem, fields: list[str], rename: dict | None = None) -> FormErrors:
    """The API's errors beside the portal's own, without saying twice what the portal said."""
    theirs = from_problem(problem, fields, rename)
    for name, messages in theirs.fields.items():
        if not own.of(name):
            for message in messages:
                own.add(name, message)
    if not own.fields:
        own.general.extend(theirs.general)
    return own


def _render_incident(report, values, errors, employer, status=200):
    return render_template("accidents/incident.html", report=report, values=values, errors=errors,
                           employer=employer, fields=INCIDENT_FIELDS, op=request.form.get("op") or _new_op(),
                           districts=directories.options("districts", sort=True)), status


@bp.route("/new", methods=["GET", "POST"])
@company_required
def new():
    employer = _employer_now()
    if request.method == "GET":
        return _render_incident(None, {name: "" for name in INCIDENT_FIELDS}, FormErrors(), employer)
    values = _incident_values(request.form)
    errors = FormErrors()
    body = _incident_body(values, errors)
    try:
        created = call("POST", f"{API}/reports", json={"incident": body}, headers=_op_header())
    except ApiProblem as problem:
        return _render_incident(None, values, _merge(errors, problem, INCIDENT_FIELDS, INCIDENT_RENAME),
                                employer, 422)
    if errors:  # the API found nothing more, yet the portal could not read the date or time
        return _render_incident(None, values, errors, employer, 422)
    return redirect(url_for("accidents.victims", report_id=created["id"]))


@bp.route("/reports/<report_id>/incident", methods=["GET", "POST"])
@company_required
def incident(report_id):
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    if request.method == "GET":
        current = report["incident"]
        values = {"incident.date": current.get("date", ""), "incident.time": current.get("time", ""),
                  "incident.district_code": current.get("district_code", ""),
                  "incident.address": current.get("address", ""), "incident.description": current.get("description", "")}
        return _render_incident(report, values, FormErrors(), report["employer"])
    values = _incident_values(request.form)
    errors = FormErrors()
    body = _incident_body(values, errors)
    if errors:
        return _render_incident(report, values, errors, report["employer"], 422)
    try:
        call("PATCH", f"{API}/reports/{report_id}", json={"incident": body})
    except ApiProblem as problem:
        return _render_incident(report, values, _merge(errors, problem, INCIDENT_FIELDS, INCIDENT_RENAME),
                                report["employer"], 422)
    return redirect(_next_or(url_for("accidents.victims", report_id=report_id), report_id))


def _next_or(default: str, report_id: str) -> str:
    """Back to the check page when the change was made from there."""
    return url_for("accidents.report", report_id=report_id) if request.values.get("from") == "check" else default


# --- 3. the victims, one by one ---------------------------------------------------------------

VICTIM_FIELDS = ["outcome", "injury", "body_part", "days_lost"]


def _victim_values(form) -> dict:
    return {name: (form.get(name) or "").strip() for name in VICTIM_FIELDS}


def _victim_body(values: dict, errors: FormErrors) -> dict:
    body: dict = {"injury": values["injury"] or None, "body_part": values["body_part"] or None}
    if values["outcome"]:
        body["outcome"] = values["outcome"]
    else:
        errors.add("outcome", t("acc_choose_outcome"))
    days = values["days_lost"]
    body["days_lost"] = int(days) if days.isdigit() else (days or None)
    return body


def _render_victims(report, *, found=None, fin="", values=None, errors=None, search_errors=None, status=200):
    return render_template("accidents/victims.html", report=report, found=found, fin=fin,
                           values=values or {name: "" for name in VICTIM_FIELDS}, errors=errors or FormErrors(),
                           search_errors=search_errors or FormErrors(), outcomes=_outcomes(),
                           esaw=_esaw_pickers(ESAW_VICTIM)), status


@bp.get("/reports/<report_id>/victims")
@company_required
def victims(report_id):
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    return _render_victims(report)


@bp.post("/reports/<report_id>/victims/search")
@company_required
def victim_search(report_id):
    """Axtar: who is behind the FİN, from the population registry, before the outcome is chosen."""
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    fin = (request.form.get("fin") or "").strip().upper()
    errors = FormErrors()
    if not fin:
        errors.add("fin", t("acc_enter_fin"))
    elif any(v["fin"] == fin for v in report.get("victims") or []):
        errors.add("fin", t("acc_already_added"))
    if errors:
        return _render_victims(report, fin=fin, search_errors=errors, status=422)
    try:
        found = call("GET", f"{API}/persons/{fin}")
    except ApiProblem as problem:
        return _render_victims(report, fin=fin, search_errors=from_problem(problem, ["fin"]), status=422)
    return _render_victims(report, found=found, fin=found.get("fin", fin))


def _found_from(form) -> dict:
    """The person found, as the search page showed them (carried by the form for display only:
    what is stored comes from the registry when the victim is added)."""
    return {key: form.get(f"found_{key}", "") for key in ("fin", "surname", "name", "patronymic", "birth_date")}


@bp.post("/reports/<report_id>/victims")
@company_required
def victim_add(report_id):
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    found = _found_from(request.form)
    fin = found["fin"].strip().upper()
    if not _FIN_RE.match(fin):
        return redirect(url_for("accidents.victims", report_id=report_id))
    values = _victim_values(request.form)
    errors = FormErrors()
    body = {"fin": fin, **_victim_body(values, errors)}
    if errors:
        return _render_victims(report, found=found, fin=fin, values=values, errors=errors, status=422)
    try:
        call("POST", f"{API}/reports/{report_id}/victims", json=body)
    except ApiProblem as problem:
        failed = from_problem(problem, VICTIM_FIELDS)
        if problem.errors.get("fin"):  # added meanwhile, or unknown: the search is where to say it
            return _render_victims(report, fin=fin, search_errors=from_problem(problem, ["fin"]), status=422)
        return _render_victims(report, found=found, fin=fin, values=values, errors=failed, status=422)
    flash(t("acc_victim_added", name=_full_name(found)), "success")
    return redirect(url_for("accidents.victims", report_id=report_id))


def _victim_of(report: dict, fin: str) -> dict:
    victim = next((v for v in report.get("victims") or [] if v["fin"] == fin.upper()), None)
    if victim is None:
        abort(404)
    return victim


@bp.route("/reports/<report_id>/victims/<fin>", methods=["GET", "POST"])
@company_required
def victim_edit(report_id, fin):
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    victim = _victim_of(report, fin)
    if request.method == "GET":
        values = {"outcome": victim.get("outcome") or "", "injury": victim.get("injury") or "",
                  "body_part": victim.get("body_part") or "",
                  "days_lost": "" if victim.get("days_lost") is None else str(victim["days_lost"])}
        return _render_victim_edit(report, victim, values, FormErrors())
    values = _victim_values(request.form)
    errors = FormErrors()
    body = _victim_body(values, errors)
    if errors:
        return _render_victim_edit(report, victim, values, errors, 422)
    try:
        call("PATCH", f"{API}/reports/{report_id}/victims/{victim['fin']}", json=body)
    except ApiProblem as problem:
        return _render_victim_edit(report, victim, values, from_problem(problem, VICTIM_FIELDS), 422)
    flash(t("acc_victim_changed", name=_full_name(victim)), "success")
    return redirect(_next_or(url_for("accidents.victims", report_id=report_id), report_id))


def _render_victim_edit(report, victim, values, errors, status=200):
    return render_template("accidents/victim_edit.html", report=report, victim=victim, values=values, errors=errors,
                           outcomes=_outcomes(), esaw=_esaw_pickers(ESAW_VICTIM),
                           came_from=request.values.get("from", "")), status


@bp.post("/reports/<report_id>/victims/<fin>/remove")
@company_required
def victim_remove(report_id, fin):
    report = _report(report_id)
    victim = _victim_of(report, fin)
    call("DELETE", f"{API}/reports/{report_id}/victims/{victim['fin']}")
    flash(t("acc_victim_removed", name=_full_name(victim)), "success")
    return redirect(url_for("accidents.victims", report_id=report_id))


def _full_name(person: dict) -> str:
    return " ".join(p for p in (person.get("surname"), person.get("name"), person.get("patronymic")) if p)


# --- 4. the informant --------------------------------------------------------------------------

INFORMANT_FIELDS = ["informant.landline", "informant.mobile", "informant.email"]


@bp.route("/reports/<report_id>/informant", methods=["GET", "POST"])
@company_required
def informant(report_id):
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    current = report.get("informant") or {}
    if request.method == "GET":
        values = {f"informant.{k}": current.get(k) or "" for k in ("landline", "mobile", "email")}
        return _render_informant(report, values, FormErrors())
    values = {name: (request.form.get(name) or "").strip() for name in INFORMANT_FIELDS}
    errors = FormErrors()
    for name, label in (("informant.mobile", "acc_mobile"), ("informant.email", "acc_email")):
        if not values[name]:
            errors.add(name, t("required_field", field=t(label)))
    body = {"landline": values["informant.landline"] or None}
    body.update({k: values[f"informant.{k}"] for k in ("mobile", "email") if values[f"informant.{k}"]})
    try:
        call("PATCH", f"{API}/reports/{report_id}", json={"informant": body})
    except ApiProblem as problem:
        return _render_informant(report, values, _merge(errors, problem, INFORMANT_FIELDS), 422)
    if errors:
        return _render_informant(report, values, errors, 422)
    default = url_for("accidents.coding", report_id=report_id)
    return redirect(_next_or(default, report_id))


def _render_informant(report, values, errors, status=200):
    return render_template("accidents/informant.html", report=report, values=values, errors=errors,
                           fields=INFORMANT_FIELDS, came_from=request.values.get("from", "")), status


# --- ESAW coding of the incident --------------------------------------------------------------

CODING_FIELDS = [f"incident.{name}" for name, _, _ in ESAW_INCIDENT]


@bp.route("/reports/<report_id>/coding", methods=["GET", "POST"])
@company_required
def coding(report_id):
    report = _report(report_id)
    if not _is_draft(report):
        return redirect(url_for("accidents.report", report_id=report_id))
    if request.method == "GET":
        values = {f"incident.{name}": report["incident"].get(name) or "" for name, _, _ in ESAW_INCIDENT}
        return _render_coding(report, values, FormErrors())
    values = {name: (request.form.get(name) or "").strip() for name in CODING_FIELDS}
    body = {name.split(".", 1)[1]: value or None for name, value in values.items()}
    try:
        call("PATCH", f"{API}/reports/{report_id}", json={"incident": body})
    except ApiProblem as problem:
        return _render_coding(report, values, from_problem(problem, CODING_FIELDS), 422)
    return redirect(url_for("accidents.report", report_id=report_id))


def _render_coding(report, values, errors, status=200):
    pickers = [{**p, "name": f"incident.{p['name']}"} for p in _esaw_pickers(ESAW_INCIDENT)]
    return render_template("accidents/coding.html", report=report, values=values, errors=errors,
                           pickers=pickers, fields=CODING_FIELDS), status


# --- 5. send: check your answers, preview, sign ---------------------------------------------------

def missing_links(report: dict) -> list[dict]:
    """What keeps the draft from being sent (the API's `missing`), each linked to where it is fixed."""
    links, seen = [], set()
    victims_list = report.get("victims") or []
    rid = report["id"]
    labels = {f"incident.{name}": t(label) for name, _, label in ESAW_INCIDENT}
    victim_labels = {name: t(label) for name, _, label in ESAW_VICTIM}
    for key, messages in sorted((report.get("missing") or {}).items(), key=lambda item: _missing_rank(item[0])):
        for message in messages:
            if key == "victims":
                item = {"text": message, "href": url_for("accidents.victims", report_id=rid) + "#f-fin"}
            elif key.startswith("informant."):
                item = {"text": message, "href": url_for("accidents.informant", report_id=rid, **{"from": "check"})
                        + "#" + "f-" + key.replace(".", "-")}
            elif key in labels:
                item = {"text": f"{labels[key]}: {message}",
                        "href": url_for("accidents.coding", report_id=rid) + "#f-" + key.replace(".", "-").replace("_", "-")}
            else:
                match = re.fullmatch(r"victims\.(\d+)\.(\w+)", key)
                if match and int(match.group(1)) < len(victims_list):
                    victim = victims_list[int(match.group(1))]
                    field = match.group(2)
                    item = {"text": f"{_full_name(victim)} — {victim_labels.get(field, field)}: {message}",
                            "href": url_for("accidents.victim_edit", report_id=rid, fin=victim["fin"],
                                            **{"from": "check"}) + "#f-" + field.replace("_", "-")}
                else:
                    item = {"text": message, "href": None}
            # One message for two fields of a page (the informant's contacts) is said once.
            marker = (item["text"], (item["href"] or "").split("#")[0])
            if marker not in seen:
                seen.add(marker)
                links.append(item)
    return links


def _missing_rank(key: str) -> tuple:
    """The check page lists what is missing in the order of the form's sections."""
    order = ["victims", "informant.mobile", "informant.email", *(f"incident.{n}" for n, _, _ in ESAW_INCIDENT)]
    if key in order:
        return (order.index(key), 0, 0)
    match = re.fullmatch(r"victims\.(\d+)\.(\w+)", key)
    if match:
        fields = [name for name, _, _ in ESAW_VICTIM]
        field = match.group(2)
        return (len(order), int(match.group(1)), fields.index(field) if field in fields else len(fields))
    return (len(order) + 1, 0, 0)


@bp.get("/reports/<report_id>")
@company_required
def report(report_id):
    current = _report(report_id)
    if not _is_draft(current):
        return render_template("accidents/report.html", report=current, **_summary_names())
    return _render_check(current)


def _summary_names() -> dict:
    """What the summary lists name in the page's language (the report keeps Azerbaijani names)."""
    return {"districts": directories.names("districts"), "esaw_incident": ESAW_INCIDENT, "esaw_victim": ESAW_VICTIM,
            "names": {field: directories.names(directory) for field, directory, _ in ESAW_INCIDENT + ESAW_VICTIM}}


def _render_check(report, errors=None, status=200):
    return render_template("accidents/check.html", report=report, missing=missing_links(report),
                           errors=errors or FormErrors(), card=card_signing_offered(), op=_new_op(),
                           **_summary_names()), status


@bp.post("/reports/<report_id>/send")
@company_required
def send_report(report_id):
    """Göndər: start signing the draft with Asan İmza (the card has a page of its own)."""
    if request.form.get("method") == "card":
        return redirect(url_for("accidents.card", report_id=report_id))
    try:
        call("POST", f"{API}/reports/{report_id}/signature", json={}, headers=_op_header())
    except ApiProblem as problem:
        if problem.status == 409:
            return redirect(url_for("accidents.report", report_id=report_id))
        current = _report(report_id)
        return _render_check(current, from_problem(problem, []), 422)
    return redirect(url_for("accidents.signing", report_id=report_id))


def _signature(report_id: str) -> dict | None:
    try:
        return call("GET", f"{API}/reports/{report_id}/signature")
    except ApiProblem as problem:
        if problem.status == 404 and not problem.errors:
            # No signing started (or no such report: the report's own page says which).
            return None
        raise


@bp.get("/reports/<report_id>/signing")
@company_required
def signing(report_id):
    try:
        state = _signature(report_id)
    except ApiUnavailable:
        # A signature that did not verify answers 502 once; asked again, it says so as its state.
        state = _signature(report_id)
    if state is None:
        return redirect(url_for("accidents.report", report_id=report_id))
    if state.get("state") == "confirmed" or state.get("status") == "submitted":
        return redirect(url_for("accidents.sent", report_id=report_id))
    if state.get("state") == "pending" and state.get("method") == "card":
        # Started with the card and left: the card's page signs (again).
        return redirect(url_for("accidents.card", report_id=report_id))
    return render_template("accidents/signing.html", report_id=report_id, state=state, op=_new_op(),
                           poll_seconds=3), 200


@bp.get("/reports/<report_id>/signing/status")
@company_required
def signing_status(report_id):
    """For the waiting page's script: {state, code, message, next}."""
    try:
        state = _signature(report_id)
    except ApiUnavailable:
        return jsonify(state="pending")  # the next poll says how it ended
    if state is None:
        return jsonify(state="none", next=url_for("accidents.report", report_id=report_id))
    body = {"state": state.get("state"), "code": state.get("verification_code"), "message": state.get("message")}
    if state.get("state") == "confirmed" or state.get("status") == "submitted":
        body.update(state="confirmed", message=t("acc_sign_confirmed"),
                    next=url_for("accidents.sent", report_id=report_id))
    return jsonify(body)


@bp.get("/reports/<report_id>/card")
@company_required
def card(report_id):
    current = _report(report_id)
    if not _is_draft(current) or not card_signing_offered():
        return redirect(url_for("accidents.report", report_id=report_id))
    return render_template("accidents/card.html", report=current, op=_new_op())


def _json_problem(problem: ApiProblem):
    errors = from_problem(problem, ["certificate", "signature"])
    texts = [m for messages in errors.fields.values() for m in messages] + errors.general
    return jsonify(state="error", message=" ".join(texts)), 422


@bp.post("/reports/<report_id>/signing/card")
@company_required
def card_start(report_id):
    """The card's certificate in, the first digest for the card to sign out."""
    body = request.get_json(silent=True) or {}
    op = str(body.get("op") or "")
    headers = {"Idempotency-Key": op} if _OP_RE.match(op) else {}
    try:
        answer = call("POST", f"{API}/reports/{report_id}/signature",
                      json={"method": "card", "certificate": str(body.get("certificate") or "")}, headers=headers)
    except ApiProblem as problem:
        return _json_problem(problem)
    return jsonify(_card_step(report_id, answer))


@bp.post("/reports/<report_id>/signing/card-response")
@company_required
def card_response(report_id):
    body = request.get_json(silent=True) or {}
    try:
        answer = call("POST", f"{API}/reports/{report_id}/signature/card-response",
                      json={"signature": str(body.get("signature") or "")})
    except ApiProblem as problem:
        return _json_problem(problem)
    except ApiUnavailable:
        answer = _signature(report_id) or {"state": "invalid"}
    return jsonify(_card_step(report_id, answer))


def _card_step(report_id: str, answer: dict) -> dict:
    out = {key: answer.get(key) for key in ("state", "digest", "digest_algorithm", "step", "steps", "message")}
    if answer.get("state") == "confirmed" or answer.get("status") == "submitted":
        out.update(state="confirmed", next=url_for("accidents.sent", report_id=report_id),
                   message=t("acc_sign_confirmed"))
    return out


@bp.get("/reports/<report_id>/sent")
@company_required
def sent(report_id):
    current = _report(report_id)
    if _is_draft(current):
        return redirect(url_for("accidents.report", report_id=report_id))
    return render_template("accidents/sent.html", report=current)


# --- files: the preview and the signed notice ---------------------------------------------------

def _file(path: str) -> Response:
    answer = send("GET", path)
    if answer.status_code >= 400:
        raise ApiProblem.from_response(answer)
    response = Response(answer.content, mimetype=answer.headers.get("Content-Type", "application/octet-stream"))
    if answer.headers.get("Content-Disposition"):
        response.headers["Content-Disposition"] = answer.headers["Content-Disposition"]
    return response


@bp.get("/reports/<report_id>/preview.pdf")
@company_required
def preview(report_id):
    return _file(f"{API}/reports/{report_id}/preview")


@bp.get("/reports/<report_id>/notice.pdf")
@company_required
def notice_pdf(report_id):
    return _file(f"{API}/reports/{report_id}/pdf")


@bp.get("/reports/<report_id>/notice.adoc")
@company_required
def notice_adoc(report_id):
    return _file(f"{API}/reports/{report_id}/adoc")


# --- deleting a draft ---------------------------------------------------------------------------

@bp.route("/reports/<report_id>/delete", methods=["GET", "POST"])
@company_required
def delete(report_id):
    current = _report(report_id)
    if not _is_draft(current):
        flash(t("acc_submitted_locked"), "error")
        return redirect(url_for("accidents.report", report_id=report_id))
    if request.method == "GET":
        return render_template("accidents/delete.html", report=current)
    call("DELETE", f"{API}/reports/{report_id}")
    flash(t("acc_deleted"), "success")
    return redirect(url_for("accidents.history"))


# --- the history --------------------------------------------------------------------------------

HISTORY_FIELDS = ["q", "from", "to", "status"]


@bp.get("/history")
@company_required
def history():
    values = {name: (request.args.get(name) or "").strip() for name in HISTORY_FIELDS}
    late = request.args.get("late") == "1"
    try:
        offset = max(0, int(request.args.get("offset", 0)))
    except ValueError:
        offset = 0
    errors = FormErrors()
    params: dict = {"limit": PAGE_SIZE, "offset": offset}
    if values["q"]:
        params["q"] = values["q"]
    if values["status"] in ("draft", "submitted"):
        params["status"] = values["status"]
    if late:
        params["late"] = "true"
    for name, label in (("from", "acc_from"), ("to", "acc_to")):
        if values[name]:
            day = parse_day(values[name])
            if day is None:
                errors.add(name, t("acc_bad_date"))
            else:
                params[name] = day.isoformat()
    page = None
    if not errors:
        try:
            page = call("GET", f"{API}/reports", params=params)
        except ApiProblem as problem:
            errors = from_problem(problem, HISTORY_FIELDS)
    searched = any(values.values()) or late
    args = {k: v for k, v in values.items() if v}
    if late:
        args["late"] = "1"
    return render_template("accidents/history.html", values=values, late=late, errors=errors, page=page,
                           offset=offset, size=PAGE_SIZE, searched=searched, args=args,
                           fields=HISTORY_FIELDS), 422 if errors else 200


# --- the open statistics ---------------------------------------------------------------------------

@bp.get("/statistics")
def statistics():
    this_year = date.today().year
    years = list(range(this_year, this_year - 6, -1))
    try:
        year = int(request.args.get("year", this_year))
    except ValueError:
        year = this_year
    year = year if year in years else this_year
    group_by = request.args.get("group_by", "month")
    group_by = group_by if group_by in GROUPINGS else "month"
    district = (request.args.get("district") or "").strip()
    params = {"year": year, "group_by": group_by}
    district_options = directories.options("districts", sort=True)
    if district and any(o["value"] == district for o in district_options):
        params["district"] = district
    else:
        district = ""
    result = call("GET", f"{API}/statistics", auth=False, params=params)
    return render_template("accidents/statistics.html", result=result, year=year, years=years,
                           group_by=group_by, groupings=GROUPINGS, district=district,
                           districts=district_options, english=language() == "en")
