"""The insurers pages: the application section by section (PATCH of the draft), its scanned
documents uploaded through the portal to the API (multipart, with progress in the browser), the
check page and sending; the staff's queue and decision; the public account-number look-up."""
from __future__ import annotations

import functools
import re
import uuid

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ... import directories
from ...api import ApiProblem
from ...forms import FormErrors, field_id, from_problem, parse_day
from ...messages import t
from ...web import acting_for, allow_uploads, call, login_required, logged_in, me, send
from . import bp

API = "/api/insurers"
PAGE_SIZE = 20
# Above the gateway's own body limit (GATEWAY_MAX_BODY, 10 MB by default) and the service's
# (INSURERS_MAX_DOCUMENT_BYTES): those say "too large" first, in their words.
UPLOAD_LIMIT = 16 * 1024 * 1024
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_OP_RE = re.compile(r"^[0-9a-f]{32}$")

SECTIONS = ("insurer", "documents", "activities", "legal_address", "actual_address", "head")
SECTION_TITLES = {"insurer": "ins_section_insurer", "documents": "ins_section_documents",
                  "activities": "ins_section_activities", "legal_address": "ins_section_legal",
                  "actual_address": "ins_section_actual", "head": "ins_section_head"}
# Each field of the application: its section and its label (the manual's).
FIELDS = {
    "insurer_type": ("insurer", "ins_insurer_type"), "full_name": ("insurer", "ins_full_name"),
    "short_name": ("insurer", "ins_short_name"),
    "registration_certificate_number": ("insurer", "ins_certificate_number"),
    "registration_date": ("insurer", "ins_registration_date"), "voen": ("insurer", "ins_voen"),
    "voen_issued_on": ("insurer", "ins_voen_issued_on"), "parent_voen": ("insurer", "ins_parent_voen"),
    "subordinate_to_voen": ("insurer", "ins_subordinate_voen"),
    "documents": ("documents", "ins_section_documents"), "file": ("documents", "ins_file"),
    "main_activity": ("activities", "ins_main_activity"), "auxiliary_activities": ("activities", "ins_auxiliary"),
    "ownership_type": ("activities", "ins_ownership_type"), "legal_form": ("activities", "ins_legal_form"),
    "legal_address.district_code": ("legal_address", "ins_district"),
    "legal_address.text": ("legal_address", "ins_address_text"),
    "actual_address": ("actual_address", "ins_section_actual"),
    "actual_address.same_as_legal": ("actual_address", "ins_same_as_legal"),
    "actual_address.district_code": ("actual_address", "ins_district"),
    "actual_address.text": ("actual_address", "ins_address_text"),
    "head_fin": ("head", "ins_head_fin"), "contact_email": ("head", "ins_contact_email"),
    "contact_phone": ("head", "ins_contact_phone"),
}
INSURER_FIELDS = ["insurer_type", "full_name", "short_name", "registration_certificate_number", "registration_date",
                  "voen_issued_on", "parent_voen", "subordinate_to_voen"]
DATE_FIELDS = ("registration_date", "voen_issued_on")
ACTIVITY_FIELDS = ["main_activity", "auxiliary_activities", "ownership_type", "legal_form"]
STATUSES = ("submitted", "registered", "rejected")


# --- who may open the pages ------------------------------------------------------------------

def _checked_ids(kwargs: dict) -> None:
    for name in ("app_id", "doc_id"):
        if name in kwargs and not _ID_RE.match(kwargs[name]):
            abort(404)


def company_required(view):
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not acting_for():
            return render_template("insurers/needs_role.html", title=t("ins_needs_company_title"),
                                   text=t("ins_needs_company")), 403
        _checked_ids(kwargs)
        return view(*args, **kwargs)
    return wrapper


def staff_required(view):
    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        person = me() or {}
        if not person.get("staff") or person.get("acting_for"):
            return render_template("insurers/needs_role.html", title=t("ins_staff_only_title"),
                                   text=t("ins_staff_only")), 403
        _checked_ids(kwargs)
        return view(*args, **kwargs)
    return wrapper


def _application(app_id: str) -> dict:
    return call("GET", f"{API}/applications/{app_id}")


def draft_section(view):
    """A section of the draft: the view gets the application (`app`); one no longer a draft is
    shown as it stands instead (sections are for drafts only)."""
    @functools.wraps(view)
    def wrapper(app_id, **kwargs):
        app = _application(app_id)
        if app.get("status") != "draft":
            return redirect(url_for("insurers.application", app_id=app_id))
        return view(app_id, app=app, **kwargs)
    return wrapper


def _section_url(section: str, app_id: str) -> str:
    return url_for(f"insurers.{section}", app_id=app_id)


def _next_section(section: str, app_id: str) -> str:
    """The next section, or back to the check page when the change was made from there."""
    if request.values.get("from") == "check":
        return url_for("insurers.application", app_id=app_id)
    index = SECTIONS.index(section)
    if index + 1 < len(SECTIONS):
        return _section_url(SECTIONS[index + 1], app_id)
    return url_for("insurers.application", app_id=app_id)


def _blank_to_none(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- the start page ---------------------------------------------------------------------------

@bp.get("")
def index():
    person = me() or {}
    mine, refused = None, None
    if acting_for():
        try:
            mine = call("GET", f"{API}/applications", params={"limit": 50})
        except ApiProblem as problem:
            refused = problem.detail or problem.title
    return render_template("insurers/index.html", logged=logged_in(), company=acting_for(), mine=mine,
                           refused=refused, staff=bool(person.get("staff")) and not acting_for(), op=uuid.uuid4().hex)


@bp.post("/applications")
@company_required
def start():
    op = request.form.get("op", "")
    headers = {"Idempotency-Key": op} if _OP_RE.match(op) else {}
    try:
        created = call("POST", f"{API}/applications", json={}, headers=headers)
    except ApiProblem as problem:
        flash(problem.detail or problem.title or t("ins_cannot_apply"), "error")
        return redirect(url_for("insurers.index"))
    return redirect(_section_url("insurer", created["id"]))


# --- section 1: the insurer ----------------------------------------------------------------------

def _render_section(template: str, app: dict, values: dict, errors: FormErrors, fields: list[str],
                    status: int = 200, **extra):
    section = template.split("/")[-1].removesuffix(".html")
    return render_template(template, app=app, values=values, errors=errors, fields=fields,
                           step=SECTIONS.index(section) + 1, steps=len(SECTIONS),
                           came_from=request.values.get("from", ""), **extra), status


def _save(app_id: str, body: dict, fields: list[str], own: FormErrors, rename: dict | None = None) -> FormErrors:
    """PATCH the section; the API's errors beside the portal's own (dates it could not read)."""
    if own:
        body = {k: v for k, v in body.items() if k not in own.fields}
    try:
        call("PATCH", f"{API}/applications/{app_id}", json=body)
    except ApiProblem as problem:
        theirs = from_problem(problem, fields, rename)
        for name, messages in theirs.fields.items():
            for message in messages:
                own.add(name, message)
        own.general.extend(theirs.general if not theirs.fields else [])
    return own


@bp.route("/applications/<app_id>/insurer", methods=["GET", "POST"])
@company_required
@draft_section
def insurer(app_id, app):
    pickers = {"insurer_type": directories.options("insurer-types")}
    if request.method == "GET":
        values = {name: app.get(name) or "" for name in INSURER_FIELDS}
        for name in DATE_FIELDS:
            values[name] = _shown_day(values[name])
        return _render_section("insurers/insurer.html", app, values, FormErrors(), INSURER_FIELDS, pickers=pickers)
    values = {name: (request.form.get(name) or "").strip() for name in INSURER_FIELDS}
    errors = FormErrors()
    body = {name: _blank_to_none(values[name]) for name in INSURER_FIELDS}
    for name in DATE_FIELDS:
        if values[name]:
            day = parse_day(values[name])
            if day is None:
                errors.add(name, t("ins_bad_date"))
            else:
                body[name] = day.isoformat()
    errors = _save(app_id, body, INSURER_FIELDS, errors)
    if errors:
        return _render_section("insurers/insurer.html", app, values, errors, INSURER_FIELDS, 422, pickers=pickers)
    return redirect(_next_section("insurer", app_id))


def _shown_day(iso: str | None) -> str:
    """YYYY-MM-DD → dd.mm.yyyy for a form field."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    return f"{match.group(3)}.{match.group(2)}.{match.group(1)}" if match else (iso or "")


# --- the scanned documents (section 1 of the manual) ------------------------------------------------

def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.get("/applications/<app_id>/documents")
@company_required
@draft_section
def documents(app_id, app):
    return _render_section("insurers/documents.html", app, {}, FormErrors(), ["file"])


@bp.post("/applications/<app_id>/documents")
@company_required
def upload(app_id):
    """One scanned document, passed on to the API as it came (multipart `file`)."""
    errors = FormErrors()
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        errors.add("file", t("ins_choose_file"))
    else:
        try:
            added = call("POST", f"{API}/applications/{app_id}/documents",
                         files={"file": (upload_file.filename, upload_file.stream,
                                         upload_file.mimetype or "application/octet-stream")})
        except ApiProblem as problem:
            if problem.status == 404:
                raise
            # Too large, too many, not a draft any more: said on the file field all the same.
            errors = from_problem(problem, ["file"]).all_on("file")
        else:
            message = t("ins_uploaded", name=added.get("filename") or upload_file.filename)
            flash(message, "success")
            if _wants_json():
                return jsonify(ok=True, message=message, next=url_for("insurers.documents", app_id=app_id))
            return redirect(url_for("insurers.documents", app_id=app_id))
    return _upload_refused(app_id, errors)


def _upload_refused(app_id: str, errors: FormErrors):
    if _wants_json():
        return jsonify(ok=False, errors=errors.fields.get("file", []) + errors.general), 422
    app = _application(app_id)
    return _render_section("insurers/documents.html", app, {}, errors, ["file"], 422)


allow_uploads("insurers.upload", UPLOAD_LIMIT)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """A file above the portal's own limit: said on the file field, like the API's refusals."""
    app_id = (request.view_args or {}).get("app_id", "")
    if request.endpoint != "insurers.upload" or not _ID_RE.match(app_id):
        return render_template("errors/error.html", title=t("csrf_title"), text=t("csrf_text")), 413
    errors = FormErrors().add("file", t("ins_file_too_large", limit=UPLOAD_LIMIT // (1024 * 1024)))
    response = _upload_refused(app_id, errors)
    return response


@bp.post("/applications/<app_id>/documents/<doc_id>/remove")
@company_required
def remove_document(app_id, doc_id):
    app = _application(app_id)
    name = next((d["filename"] for d in app.get("documents") or [] if d["id"] == doc_id), "")
    call("DELETE", f"{API}/applications/{app_id}/documents/{doc_id}")
    flash(t("ins_removed", name=name), "success")
    return redirect(url_for("insurers.documents", app_id=app_id))


@bp.get("/applications/<app_id>/documents/<doc_id>")
@login_required
def download(app_id, doc_id):
    """The applicant's and staff's download, streamed from the API."""
    _checked_ids({"app_id": app_id, "doc_id": doc_id})
    answer = send("GET", f"{API}/applications/{app_id}/documents/{doc_id}", stream=True)
    if answer.status_code >= 400:
        raise ApiProblem.from_response(answer)
    response = Response(answer.iter_content(256 * 1024), mimetype=answer.headers.get("Content-Type"),
                        direct_passthrough=True)
    for header in ("Content-Disposition", "Content-Length"):
        if answer.headers.get(header):
            response.headers[header] = answer.headers[header]
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- section 2: activity types, ownership, legal form ------------------------------------------------

def _activity_options(voen: str) -> list[dict]:
    """The activity types the tax registry holds for this VÖEN (the manual: only those may be
    given); the whole directory when the registry does not say."""
    names = directories.names("activity-types")
    try:
        registered = call("GET", f"/api/registry/organizations/{voen}").get("activity_types") or []
    except ApiProblem:
        registered = []
    codes = registered or list(names)
    return [{"value": code, "text": f"{code} — {names.get(code, '')}".rstrip(" —")} for code in codes]


@bp.route("/applications/<app_id>/activities", methods=["GET", "POST"])
@company_required
@draft_section
def activities(app_id, app):
    pickers = {"activities": _activity_options(app["voen"]),
               "ownership_type": directories.options("ownership-types"),
               "legal_form": directories.options("legal-forms", with_code=True)}
    if request.method == "GET":
        values = {"main_activity": app.get("main_activity") or "",
                  "auxiliary_activities": app.get("auxiliary_activities") or [],
                  "ownership_type": app.get("ownership_type") or "", "legal_form": app.get("legal_form") or ""}
        return _render_section("insurers/activities.html", app, values, FormErrors(), ACTIVITY_FIELDS, pickers=pickers)
    values = {"main_activity": (request.form.get("main_activity") or "").strip(),
              "auxiliary_activities": [c for c in request.form.getlist("auxiliary_activities") if c.strip()],
              "ownership_type": (request.form.get("ownership_type") or "").strip(),
              "legal_form": (request.form.get("legal_form") or "").strip()}
    body = {"main_activity": values["main_activity"] or None, "auxiliary_activities": values["auxiliary_activities"],
            "ownership_type": values["ownership_type"] or None, "legal_form": values["legal_form"] or None}
    # "auxiliary_activities.1" (the second one ticked): said on the group of checkboxes.
    each = {f"auxiliary_activities.{i}": "auxiliary_activities" for i in range(len(values["auxiliary_activities"]))}
    errors = _save(app_id, body, ACTIVITY_FIELDS, FormErrors(), each)
    if errors:
        return _render_section("insurers/activities.html", app, values, errors, ACTIVITY_FIELDS, 422,
                               pickers=pickers)
    return redirect(_next_section("activities", app_id))


# --- sections 3 and 4: the addresses -------------------------------------------------------------

def _address_values(prefix: str, address: dict | None) -> dict:
    address = address or {}
    return {f"{prefix}.district_code": address.get("district_code") or "", f"{prefix}.text": address.get("text") or ""}


@bp.route("/applications/<app_id>/legal-address", methods=["GET", "POST"])
@company_required
@draft_section
def legal_address(app_id, app):
    fields = ["legal_address.district_code", "legal_address.text"]
    districts = directories.options("districts", sort=True)
    if request.method == "GET":
        return _render_section("insurers/legal_address.html", app, _address_values("legal_address", app.get("legal_address")),
                               FormErrors(), fields, districts=districts)
    values = {name: (request.form.get(name) or "").strip() for name in fields}
    body = {"legal_address": {"district_code": values[fields[0]] or None, "text": values[fields[1]] or None}}
    errors = _save(app_id, body, fields, FormErrors())
    if errors:
        return _render_section("insurers/legal_address.html", app, values, errors, fields, 422, districts=districts)
    return redirect(_next_section("legal_address", app_id))


@bp.route("/applications/<app_id>/actual-address", methods=["GET", "POST"])
@company_required
@draft_section
def actual_address(app_id, app):
    fields = ["actual_address.same_as_legal", "actual_address.district_code", "actual_address.text"]
    districts = directories.options("districts", sort=True)
    if request.method == "GET":
        actual = app.get("actual_address") or {}
        values = _address_values("actual_address", None if actual.get("same_as_legal") else actual)
        values["actual_address.same_as_legal"] = ("yes" if actual.get("same_as_legal") else "no") if actual else ""
        return _render_section("insurers/actual_address.html", app, values, FormErrors(), fields, districts=districts)
    values = {name: (request.form.get(name) or "").strip() for name in fields}
    errors = FormErrors()
    same = values["actual_address.same_as_legal"]
    if same == "yes":
        body = {"actual_address": {"same_as_legal": True}}
    elif same == "no":
        body = {"actual_address": {"same_as_legal": False, "district_code": values[fields[1]] or None,
                                   "text": values[fields[2]] or None}}
    else:
        errors.add("actual_address.same_as_legal", t("ins_choose_same"))
        body = {}
    if body:
        errors = _save(app_id, body, fields, errors)
    if errors:
        return _render_section("insurers/actual_address.html", app, values, errors, fields, 422, districts=districts)
    return redirect(_next_section("actual_address", app_id))


# --- section 5: the head (found by FİN) and how to reach the applicant --------------------------------

HEAD_FIELDS = ["contact_email", "contact_phone"]


@bp.get("/applications/<app_id>/head")
@company_required
@draft_section
def head(app_id, app):
    values = {"head_fin": app.get("head_fin") or "", "contact_email": app.get("contact_email") or "",
              "contact_phone": app.get("contact_phone") or ""}
    return _render_section("insurers/head.html", app, values, FormErrors(), HEAD_FIELDS, search_errors=FormErrors())


@bp.post("/applications/<app_id>/head/search")
@company_required
@draft_section
def head_search(app_id, app):
    """Axtar: the head's FİN saved, the person's data filled from the population registry."""
    fin = (request.form.get("head_fin") or "").strip().upper()
    errors = FormErrors()
    if not fin:
        errors.add("head_fin", t("ins_enter_fin"))
    else:
        try:
            app = call("PATCH", f"{API}/applications/{app_id}", json={"head_fin": fin})
        except ApiProblem as problem:
            errors = from_problem(problem, ["head_fin"])
    values = {"head_fin": fin, "contact_email": app.get("contact_email") or "",
              "contact_phone": app.get("contact_phone") or ""}
    if errors:
        shown = {**app, "head": None}
        return _render_section("insurers/head.html", shown, values, FormErrors(), HEAD_FIELDS, 422,
                               search_errors=errors)
    return _render_section("insurers/head.html", app, values, FormErrors(), HEAD_FIELDS, search_errors=FormErrors())


@bp.post("/applications/<app_id>/head")
@company_required
@draft_section
def head_contacts(app_id, app):
    values = {name: (request.form.get(name) or "").strip() for name in HEAD_FIELDS}
    errors = _save(app_id, {name: values[name] or None for name in HEAD_FIELDS}, HEAD_FIELDS, FormErrors())
    if errors:
        values["head_fin"] = app.get("head_fin") or ""
        return _render_section("insurers/head.html", app, values, errors, HEAD_FIELDS, 422,
                               search_errors=FormErrors())
    return redirect(url_for("insurers.application", app_id=app_id))


# --- check your answers, send; the application as it stands ------------------------------------------

def _field_link(app_id: str, name: str) -> str | None:
    base = name.split(".")[0] if name.split(".")[0] in ("auxiliary_activities",) else name
    known = FIELDS.get(base)
    if not known:
        return None
    section = known[0]
    target = "f-file" if section == "documents" else field_id(base)
    if base == "actual_address":
        target = field_id("actual_address.same_as_legal")
    return url_for(f"insurers.{section}", app_id=app_id, **{"from": "check"}) + "#" + target


def missing_links(app: dict) -> list[dict]:
    """What the draft still lacks, each named and linked to its field."""
    links = []
    for name in app.get("missing") or []:
        label = t(FIELDS[name][1]) if name in FIELDS else name
        links.append({"text": label, "href": _field_link(app["id"], name)})
    return links


def problem_links(app_id: str, problem: ApiProblem) -> list[dict]:
    """A refused submission: each field's message, linked to its section."""
    errors = from_problem(problem, list(FIELDS) + [f"auxiliary_activities.{i}" for i in range(30)])
    links = [{"text": text, "href": None} for text in errors.general]
    for name, messages in errors.fields.items():
        for message in messages:
            links.append({"text": message, "href": _field_link(app_id, name)})
    return links


def _names() -> dict:
    return {"insurer_type": directories.names("insurer-types"), "activity": directories.names("activity-types"),
            "ownership_type": directories.names("ownership-types"), "legal_form": directories.names("legal-forms"),
            "district": directories.names("districts")}


@bp.get("/applications/<app_id>")
@company_required
def application(app_id):
    app = _application(app_id)
    if app.get("status") != "draft":
        return render_template("insurers/status.html", app=app, names=_names())
    return render_template("insurers/check.html", app=app, missing=missing_links(app), refused=[], names=_names())


@bp.post("/applications/<app_id>/submission")
@company_required
def submit(app_id):
    try:
        call("POST", f"{API}/applications/{app_id}/submission")
    except ApiProblem as problem:
        if problem.status == 404:
            raise
        app = _application(app_id)
        if app.get("status") != "draft":
            return redirect(url_for("insurers.application", app_id=app_id))
        return render_template("insurers/check.html", app=app, missing=missing_links(app),
                               refused=problem_links(app_id, problem), names=_names()), 422
    return redirect(url_for("insurers.sent", app_id=app_id))


@bp.get("/applications/<app_id>/sent")
@company_required
def sent(app_id):
    app = _application(app_id)
    if app.get("status") == "draft":
        return redirect(url_for("insurers.application", app_id=app_id))
    return render_template("insurers/sent.html", app=app)


# --- staff: the review queue and the decision ------------------------------------------------------

@bp.get("/review")
@staff_required
def review():
    status = request.args.get("status", "submitted")
    status = status if status in STATUSES or status == "" else "submitted"
    try:
        offset = max(0, int(request.args.get("offset", 0)))
    except ValueError:
        offset = 0
    params = {"limit": PAGE_SIZE, "offset": offset}
    if status:
        params["status"] = status
    page = call("GET", f"{API}/applications", params=params)
    return render_template("insurers/review.html", page=page, status=status, statuses=STATUSES,
                           offset=offset, size=PAGE_SIZE)


def _render_review_item(app: dict, values: dict, errors: FormErrors, status: int = 200):
    return render_template("insurers/review_item.html", app=app, values=values, errors=errors,
                           names=_names()), status


@bp.get("/review/<app_id>")
@staff_required
def review_item(app_id):
    return _render_review_item(_application(app_id), {"decision": "", "reason": ""}, FormErrors())


@bp.post("/review/<app_id>/decision")
@staff_required
def decide(app_id):
    values = {"decision": (request.form.get("decision") or "").strip(), "reason": (request.form.get("reason") or "").strip()}
    errors = FormErrors()
    if values["decision"] not in ("register", "reject"):
        errors.add("decision", t("ins_choose_decision"))
        return _render_review_item(_application(app_id), values, errors, 422)
    body = {"decision": values["decision"]}
    if values["decision"] == "reject":
        body["reason"] = values["reason"] or None
    try:
        decided = call("POST", f"{API}/applications/{app_id}/decision", json=body)
    except ApiProblem as problem:
        if problem.status == 404:
            raise
        return _render_review_item(_application(app_id), values, from_problem(problem, ["decision", "reason"]), 422)
    if decided.get("status") == "registered":
        flash(t("ins_registered_notice", number=decided.get("account_number")), "success")
    else:
        flash(t("ins_rejected_notice"), "success")
    return redirect(url_for("insurers.review_item", app_id=app_id))


# --- anyone: an insurer's account number by VÖEN --------------------------------------------------------

@bp.get("/account-number")
def lookup():
    voen = (request.args.get("voen") or "").strip()
    errors, found = FormErrors(), None
    if "voen" in request.args:
        if not voen:
            errors.add("voen", t("ins_enter_voen"))
        else:
            try:
                found = call("GET", f"{API}/account-numbers/{voen}", auth=False)
            except ApiProblem as problem:
                errors = from_problem(problem, ["voen"]).all_on("voen")
    return render_template("insurers/lookup.html", voen=voen, found=found, errors=errors), 422 if errors else 200
