"""The notices (contracts manual 3.2-3.9): entering one (and changing or deleting it while
unsigned), the register with its search, one notice with its signed PDF and ADoc, the termination,
and the employee's own notices."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ....api import ApiProblem
from ....forms import FormErrors, from_problem
from ....messages import t
from ....web import acting_for, call, login_required
from .. import bp
from ..formats import form_day, normalise_money, parse_day
from ..shared import (PAGE_SIZE, acting_company, carried_out, choices, company_required, merged, offset_arg,
                      passed_file, tell)
from .signing import SIGNING_PATHS, card_signing_offered

NOTICE_FIELDS = ["employee_fin", "position", "occupation_code", "workplace", "contract_number", "contract_date",
                 "start_date", "contract_type", "end_date", "salary", "working_time"]
DATE_FIELDS = ("contract_date", "start_date", "end_date")
TERMINATION_FIELDS = ["date", "ground"]


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
    return render_template("contracts/notice_form.html", company=acting_company(), values=values, errors=errors,
                           fields=NOTICE_FIELDS, notice=notice, occupations=choices("occupations")), \
        422 if errors else 200


@bp.route("/notices/new", methods=["GET", "POST"])
@login_required
def notice_new():
    company_required()
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
    company_required()
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
    company_required()
    notice = call("GET", f"/api/contracts/notices/{notice_id}")
    if request.method == "POST":
        if not carried_out("DELETE", f"/api/contracts/notices/{notice_id}"):
            return redirect(url_for("contracts.notice", notice_id=notice_id))
        tell(t("ct_notice_deleted", number=notice.get("contract_number", "")))
        return redirect(url_for("contracts.notices"))
    return render_template("contracts/notice_delete.html", notice=notice)


# --- the register, one notice, its documents (manual 3.4-3.9) -------------------------------

@bp.get("/notices")
@login_required
def notices():
    company = company_required()
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
    company_required()
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


# --- the employee's own notices ------------------------------------------------------------

@bp.get("/my-notices")
@login_required
def my_notices():
    offset = offset_arg()
    q = (request.args.get("q") or "").strip()
    page = call("GET", "/api/contracts/my-notices", params={"limit": PAGE_SIZE, "offset": offset, "q": q or None})
    return render_template("contracts/my_notices.html", page=page, offset=offset, size=PAGE_SIZE, q=q)
