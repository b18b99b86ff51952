"""The certificates pages: a new certificate from a contract in force, the manual's form (with the
organisation search), the issued certificate and its PDF, the history with deactivation, checking
a certificate (by number, or by the link its QR code opens) and the two verification histories."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ...api import ApiProblem
from ...forms import FormErrors, from_problem
from ...messages import t
from ...web import call, login_required
from ..contracts.formats import parse_day
from ..contracts.shared import (PAGE_SIZE, carried_out, choices, directory, merged, named, offset_arg, passed_file,
                                tell)
from . import bp

ISSUE_FIELDS = ["contract_id", "type", "valid_until", "mobile", "email", "email_copy", "purpose", "destination",
                "org_q", "addressee_voen", "notify_addressee_on_revoke"]
ORGANISATIONS_SHOWN = 10


def _paged(path: str, template: str):
    """A list the API hands out a page at a time (the history, the verification histories)."""
    offset = offset_arg()
    page = call("GET", path, params={"limit": PAGE_SIZE, "offset": offset})
    return render_template(template, page=page, offset=offset, size=PAGE_SIZE)


@bp.get("")
@login_required
def index():
    return render_template("certificates/index.html")


# --- "Yeni arayış": the contracts in force --------------------------------------------------

@bp.get("/new")
@login_required
def new():
    q = (request.args.get("q") or "").strip()
    offset = offset_arg()
    page = call("GET", "/api/certificates/contracts", params={"limit": PAGE_SIZE, "offset": offset, "q": q or None})
    error = None
    if request.args.get("missing") == "1":
        error = t("cf_choose_contract")
    return render_template("certificates/contracts.html", page=page, q=q, offset=offset, size=PAGE_SIZE, error=error)


def _contract(contract_id: str) -> dict | None:
    if not contract_id:
        return None
    page = call("GET", "/api/certificates/contracts", params={"limit": 200})
    return next((c for c in page["items"] if c.get("contract_id") == contract_id), None)


def _issue_values(source) -> dict:
    values = {name: (source.get(name) or "").strip() for name in ISSUE_FIELDS}
    values["addressee_name"] = (source.get("addressee_name") or "").strip()
    return values


def _issue_body(values: dict, errors: FormErrors) -> dict:
    body = {"contract_id": values["contract_id"], "type": values["type"] or None, "mobile": values["mobile"],
            "email": values["email"], "email_copy": values["email_copy"] == "yes",
            "purpose": values["purpose"] or None, "destination": values["destination"] or None}
    try:
        body["valid_until"] = parse_day(values["valid_until"])
    except ValueError:
        errors.add("valid_until", t("ct_date_invalid", field=t("cf_valid_until")))
    if values["destination"] == "addressed":
        body["addressee_voen"] = values["addressee_voen"] or None
        body["notify_addressee_on_revoke"] = values["notify_addressee_on_revoke"] == "yes"
        if not values["addressee_voen"]:
            errors.add("addressee_voen", t("cf_addressee_required"))
    for name in ("type", "purpose", "destination", "valid_until"):
        if body.get(name) is None:
            body.pop(name, None)  # named as missing by the API
    if not values["type"]:
        errors.add("type", t("cf_type_required"))
    if not values["destination"]:
        errors.add("destination", t("cf_destination_required"))
    return body


def _organisations(q: str) -> tuple[list[dict], int]:
    if len(q) < 2:
        return [], 0
    page = call("GET", "/api/registry/organizations", params={"q": q, "limit": ORGANISATIONS_SHOWN})
    return page["items"], page["total"]


@bp.route("/new/form", methods=["GET", "POST"])
@login_required
def form():
    contract_id = (request.values.get("contract_id") or "").strip()
    contract = _contract(contract_id)
    if contract is None:
        return redirect(url_for("certificates.new", missing=1))
    contacts = call("GET", "/api/certificates/contacts")
    values = {name: "" for name in ISSUE_FIELDS} | {
        "contract_id": contract_id, "email_copy": "no", "destination": "general", "notify_addressee_on_revoke": "no",
        "email": (contacts.get("emails") or [""])[0], "mobile": (contacts.get("mobiles") or [""])[0],
        "addressee_name": ""}
    errors, organisations, found_total, searched = FormErrors(), [], 0, False
    if request.method == "POST":
        values = _issue_values(request.form)
        if request.form.get("action") == "search":
            # "Qurum axtar": the organisations by VÖEN or name, the form kept as it was.
            searched = True
            values["destination"] = "addressed"
            if len((values["org_q"])) < 2:
                errors.add("org_q", t("cf_org_q_short"))
            else:
                organisations, found_total = _organisations(values["org_q"])
        else:
            body = _issue_body(values, errors)
            # Asked even with a mistake found here (what is left out, the API refuses as missing),
            # so every mistake is said at once; never without the destination, which it defaults.
            if not errors.of("destination"):
                try:
                    issued = call("POST", "/api/certificates", json=body)
                except ApiProblem as problem:
                    errors = merged(errors, from_problem(problem, ISSUE_FIELDS))
                else:
                    tell(t("cf_issued", number=issued["number"]))
                    return redirect(url_for("certificates.issued", number=issued["number"]))
    status = 422 if errors else 200
    return render_template("certificates/form.html", contract=contract, values=values, errors=errors,
                           fields=ISSUE_FIELDS, purposes=choices("certificate-purposes", with_code=False),
                           contacts=contacts, organisations=organisations, found_total=found_total,
                           searched=searched), status


# --- the holder's certificates --------------------------------------------------------------

@bp.get("/issued/<number>")
@login_required
def issued(number):
    cert = call("GET", f"/api/certificates/{number}")
    return render_template("certificates/certificate.html", cert=cert)


@bp.get("/issued/<number>/pdf")
@login_required
def issued_pdf(number):
    return passed_file(f"/api/certificates/{number}/pdf")


@bp.route("/issued/<number>/revoke", methods=["GET", "POST"])
@login_required
def revoke(number):
    cert = call("GET", f"/api/certificates/{number}")
    if request.method == "POST":
        if carried_out("POST", f"/api/certificates/{number}/revocation"):
            tell(t("cf_revoked", number=cert["number"]))
        return redirect(url_for("certificates.history"))
    return render_template("certificates/revoke.html", cert=cert)


@bp.get("/history")
@login_required
def history():
    return _paged("/api/certificates", "certificates/history.html")


# --- "Arayışların yoxlanılması" ---------------------------------------------------------------

def _verify_page(number: str, result: dict | None, errors: FormErrors, status: int = 200):
    return render_template("certificates/verify.html", number=number, result=result, errors=errors,
                           fields=["number"]), status


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    number, result, errors = "", None, FormErrors()
    if request.method == "POST":
        number = (request.form.get("number") or "").strip()
        if not number:
            errors.add("number", t("required_field", field=t("cf_number")))
        else:
            try:
                result = call("POST", "/api/certificates/verifications", json={"number": number})
            except ApiProblem as problem:
                errors = from_problem(problem, ["number"])
    return _verify_page(number, result, errors, 422 if errors else 200)


@bp.get("/verify/<number>")
@login_required
def verify_link(number):
    """The page the certificate's QR code and printed link open: the check, as the person logged in."""
    errors, result = FormErrors(), None
    try:
        result = call("GET", f"/api/certificates/verify/{number}")
    except ApiProblem as problem:
        if problem.status == 404 or (problem.status == 422 and not problem.errors.get("number")):
            result = {"result": "not_valid"}
        else:
            errors = from_problem(problem, ["number"])
    return _verify_page(number, result, errors, 422 if errors else 200)


@bp.get("/verify/<number>/pdf")
@login_required
def verified_pdf(number):
    return passed_file(f"/api/certificates/verifications/{number}/pdf")


# --- the two verification histories -----------------------------------------------------------

@bp.get("/checks/of-mine")
@login_required
def checks_of_mine():
    return _paged("/api/certificates/verifications/of-my-certificates", "certificates/checks_of_mine.html")


@bp.get("/checks/mine")
@login_required
def checks_mine():
    return _paged("/api/certificates/verifications/mine", "certificates/checks_mine.html")


@bp.app_context_processor
def _purpose_names():
    def purpose_name(purpose: dict | None) -> str:
        """A certificate's purpose in the page's language (the API names it in Azerbaijani)."""
        purpose = purpose or {}
        found = next((item for item in directory("certificate-purposes") if item.get("code") == purpose.get("code")), None)
        return named(found) if found else (purpose.get("name") or purpose.get("code") or "")
    return {"purpose_name": purpose_name}
