"""HTTP routes of /api/contracts: translate requests into workflow calls and results into JSON."""
from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from egov_kit.auth import Principal, require_company, require_person
from egov_kit.errors import Problem

from . import domain, schemas
from .documents import content_disposition
from .domain import DomainError
from .gateways import Unavailable
from .messages import signing_message, text
from .workflows import FULL, NOTICE_SIGNING, TERMINATION_SIGNING, Actor, Contracts

blp = Blueprint("contracts", __name__, url_prefix="/api/contracts",
                description="Employment contract notices, their signing, and authorities to enter them")
BEARER = [{"bearer": []}]


def _contracts() -> Contracts:
    kit = current_app.extensions["egov"]
    gateways = current_app.extensions["contracts"]
    return Contracts(kit.db, gateways["registry"], gateways["signatures"], kit.settings.public_base_url)


def _actor(principal: Principal) -> Actor:
    return Actor(fin=principal.fin, name=principal.full_name or principal.fin, acting_for=principal.acting_for)


def domain_problem(exc: DomainError) -> Problem:
    if exc.errors:
        return Problem(exc.status, errors={field: [text(code) for code in codes] for field, codes in exc.errors.items()})
    if exc.code == "not_found":
        return Problem(exc.status)
    return Problem(exc.status, detail=exc.detail or text(exc.code), code=exc.code)


def unavailable_problem(_exc: Unavailable) -> Problem:
    return Problem(503, detail=text("upstream_unavailable"), code="upstream_unavailable",
                   headers={"Retry-After": "5"})


def notice_view(notice: dict, contracts: Contracts, *, for_employee: bool = False) -> dict:
    """The notice as shown; to its employee (`for_employee`) the employer's signing attempts show
    only their state, not the code its signer compares on the phone."""
    employee = notice["employee"]
    termination = notice.get("termination")
    return {
        "id": notice["_id"], "status": notice["status"],
        "status_label": domain.domain_label("status", notice["status"]),
        "contract_type_label": domain.domain_label("contract_type", notice["contract_type"]),
        "working_time_label": domain.domain_label("working_time", notice["working_time"]),
        "employer": notice["employer"],
        "employee": {**employee, "full_name": domain.full_name(employee)},
        "employee_fin": notice["employee_fin"],
        **{key: notice.get(key) for key in ("position", "occupation_code", "occupation_name", "workplace",
                                            "contract_number", "contract_date", "start_date", "contract_type",
                                            "end_date", "working_time", "created_at", "updated_at",
                                            "signed_at", "terminated_at")},
        "salary": domain.format_salary(notice["salary_qepik"]),
        "created_by": {"name": notice["created_by"]["name"]},
        "signed_by": {"name": notice["signed_by"]["name"]} if notice.get("signed_by") else None,
        "signature": _attempt_view(notice.get("signing"), "notice", for_employee),
        "termination": None if not termination else {
            **{k: termination.get(k) for k in ("date", "ground", "ground_name", "registered_at", "signed_at")},
            "signature": _attempt_view(termination.get("signing"), "termination", for_employee),
        },
        "check_url": contracts.check_url(notice["_id"]),
    }


def _attempt_view(attempt: dict | None, kind: str, for_employee: bool = False) -> dict | None:
    if not attempt:
        return None
    if for_employee:
        return {"state": attempt.get("state"), "finished_at": attempt.get("finished_at")}
    view = {"state": attempt.get("state"), "signing_id": attempt.get("signing_id"),
            "message": signing_message(attempt.get("state"), kind), "finished_at": attempt.get("finished_at")}
    if attempt.get("state") == domain.PENDING:
        view["verification_code"] = attempt.get("verification_code")
        view["expires_at"] = attempt.get("expires_at")
    return view


def _with_message(answer: dict, kind: str) -> dict:
    return {**answer, "message": signing_message(answer.get("state"), kind)}


def _file(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    # Personal data: never kept by shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- authorities --------------------------------------------------------------------------

@blp.route("/authorities")
class Authorities(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, schemas.AuthorityList)
    def get(self):
        """Persons authorised to conclude employment contracts (the company's head only)."""
        principal = require_company(roles=("head",))
        return {"items": _contracts().list_authorities(_actor(principal))}

    @blp.doc(security=BEARER)
    @blp.arguments(schemas.AuthorityIn)
    @blp.response(201, schemas.AuthorityOut)
    def post(self, body):
        """Grant the authority to enter and sign notices: fixed-term (valid_until) or indefinite (null)."""
        principal = require_company(roles=("head",))
        return _contracts().grant_authority(_actor(principal), body["fin"], body["valid_until"])


@blp.route("/authorities/<authority_id>")
class AuthorityItem(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, schemas.AuthorityOut)
    def delete(self, authority_id):
        """Withdraw an authority; it stops working at once and the record is kept."""
        principal = require_company(roles=("head",))
        return _contracts().withdraw_authority(_actor(principal), authority_id)


# --- notices ------------------------------------------------------------------------------

@blp.route("/notices")
class Notices(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(schemas.NoticeQuery, location="query")
    @blp.response(200, schemas.NoticeList)
    def get(self, args):
        """The registry of the company's notices, newest first, with status and signing date."""
        principal = require_person()
        contracts = _contracts()
        items, total = contracts.list_company_notices(_actor(principal), status=args.get("status"),
                                                      q=args.get("q"), limit=args["limit"], offset=args["offset"])
        return {"items": [notice_view(n, contracts) for n in items], "total": total,
                "limit": args["limit"], "offset": args["offset"]}

    @blp.doc(security=BEARER)
    @blp.arguments(schemas.NoticeIn)
    @blp.response(201, schemas.NoticeOut)
    def post(self, body):
        """Enter a notice on concluding an employment contract (unsigned until signed)."""
        principal = require_person()
        contracts = _contracts()
        return notice_view(contracts.create_notice(_actor(principal), body), contracts)


@blp.route("/notices/<notice_id>")
class NoticeItem(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, schemas.NoticeOut)
    def get(self, notice_id):
        """One notice: the employer's, or the employee's own once signed. A signature pending on
        it is brought up to date first (confirmed on the phone → signed; lapsed → ended)."""
        principal = require_person()
        contracts = _contracts()
        notice = contracts.readable_notice(_actor(principal), notice_id, settle=FULL)
        return notice_view(notice, contracts, for_employee=principal.acting_for != notice["employer_voen"])

    @blp.doc(security=BEARER)
    @blp.arguments(schemas.NoticePatch(partial=True))
    @blp.response(200, schemas.NoticeOut)
    def patch(self, body, notice_id):
        """Edit an unsigned notice (409 once signed)."""
        principal = require_person()
        contracts = _contracts()
        return notice_view(contracts.update_notice(_actor(principal), notice_id, body), contracts)

    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, notice_id):
        """Delete an unsigned notice (409 once signed)."""
        principal = require_person()
        _contracts().delete_notice(_actor(principal), notice_id)
        return None


@blp.route("/notices/<notice_id>/signature")
class NoticeSignature(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(202, schemas.SigningStarted)
    def post(self, notice_id):
        """Sign the notice with Asan İmza: compare the code on the phone, confirm with PIN2."""
        principal = require_person()
        return _with_message(_contracts().start_signing(_actor(principal), notice_id, NOTICE_SIGNING), "notice")

    @blp.doc(security=BEARER)
    @blp.response(200, schemas.SigningOut)
    def get(self, notice_id):
        """State of the signature; once confirmed the notice is signed."""
        principal = require_person()
        return _with_message(_contracts().poll_signing(_actor(principal), notice_id, NOTICE_SIGNING), "notice")


@blp.route("/notices/<notice_id>/termination")
class NoticeTermination(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(schemas.TerminationIn)
    @blp.response(201, schemas.NoticeOut)
    def post(self, body, notice_id):
        """Enter the termination of a signed contract (date and ground); then sign it."""
        principal = require_person()
        contracts = _contracts()
        notice = contracts.register_termination(_actor(principal), notice_id, body["date"], body["ground"])
        return notice_view(notice, contracts)


@blp.route("/notices/<notice_id>/termination/signature")
class TerminationSignature(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(202, schemas.SigningStarted)
    def post(self, notice_id):
        """Sign the termination with Asan İmza (PIN2)."""
        principal = require_person()
        return _with_message(_contracts().start_signing(_actor(principal), notice_id, TERMINATION_SIGNING),
                             "termination")

    @blp.doc(security=BEARER)
    @blp.response(200, schemas.SigningOut)
    def get(self, notice_id):
        """State of the termination's signature; once confirmed the notice is terminated."""
        principal = require_person()
        return _with_message(_contracts().poll_signing(_actor(principal), notice_id, TERMINATION_SIGNING),
                             "termination")


@blp.route("/notices/<notice_id>/pdf")
class NoticePdf(MethodView):
    @blp.doc(security=BEARER, responses={200: {"description": "the PAdES-signed PDF",
                                              "content": {"application/pdf": {}}}})
    def get(self, notice_id):
        """The signed notice as PDF (signature embedded, verification QR code)."""
        principal = require_person()
        data, filename = _contracts().notice_pdf(_actor(principal), notice_id)
        return _file(data, "application/pdf", filename)


@blp.route("/notices/<notice_id>/adoc")
class NoticeAdoc(MethodView):
    @blp.doc(security=BEARER, responses={200: {"description": "ASiC-E-style signed container",
                                              "content": {"application/vnd.etsi.asic-e+zip": {}}}})
    def get(self, notice_id):
        """The signed notice as ADoc: notice.json, the PDF, manifest and the detached CMS signature."""
        principal = require_person()
        data, filename = _contracts().notice_adoc(_actor(principal), notice_id)
        return _file(data, "application/vnd.etsi.asic-e+zip", filename)


@blp.route("/notices/<notice_id>/check")
class NoticeCheck(MethodView):
    @blp.response(200, schemas.CheckOut)
    def get(self, notice_id):
        """Public check behind the PDF's QR code: status and employer only, nothing personal."""
        return _contracts().public_check(notice_id)


@blp.route("/my-notices")
class MyNotices(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(schemas.NoticeQuery, location="query")
    @blp.response(200, schemas.NoticeList)
    def get(self, args):
        """The logged-in person's own notices from any employer (signed or terminated); `q` looks
        in the employer's name and VÖEN, contract number, position and workplace."""
        principal = require_person()
        contracts = _contracts()
        items, total = contracts.my_notices(_actor(principal), status=args.get("status"), q=args.get("q"),
                                            limit=args["limit"], offset=args["offset"])
        return {"items": [notice_view(n, contracts, for_employee=True) for n in items], "total": total,
                "limit": args["limit"], "offset": args["offset"]}
