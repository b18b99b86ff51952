"""The head's authorities (contracts manual 2.7-2.9): the list, granting one (to himself first, then
to representatives, fixed-term or indefinite, by scope) and withdrawing one."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from ....api import ApiProblem
from ....forms import FormErrors, from_problem
from ....messages import t
from ....web import call, login_required
from .. import bp
from ..formats import parse_day
from ..shared import PAGE_SIZE, carried_out, company_required, offset_arg, tell

SCOPES = ("contracts", "accidents", "insurers", "notifications")
AUTHORITY_FIELDS = ["fin", "kind", "valid_until", "scopes"]


def _my_fin() -> str:
    return call("GET", "/api/auth/me").get("fin", "")


@bp.get("/authorities")
@login_required
def authorities():
    company = company_required()
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
    company = company_required()
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
    company = company_required()
    authority = _authority(authority_id)
    if request.method == "POST":
        if carried_out("DELETE", f"/api/contracts/authorities/{authority_id}"):
            tell(t("ct_authority_withdrawn", name=authority.get("full_name", "")))
        return redirect(url_for("contracts.authorities"))
    return render_template("contracts/authority_withdraw.html", company=company, authority=authority)
