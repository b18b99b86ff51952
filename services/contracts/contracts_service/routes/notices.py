"""HTTP of the notices: the company's registry (entered, edited, deleted while unsigned, the
termination entered), the employee's own notices, and the public check behind the QR code."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import PERSON, PUBLIC, ServiceBlueprint, caller, company, requires
from egov_kit.app import current_service
from egov_kit.paging import page
from egov_kit.signing import awaiting

from .. import domain, schemas
from ..messages import signing_message

# Acting for the company in this e-service: its head, or an authority in force covering it.
CONTRACTS = company("head", "authorised", scope=domain.CONTRACTS)

blp = ServiceBlueprint("notices", __name__, url_prefix="/api/contracts",
                       description="Employment contract notices: the company's registry and the employee's own")


def notice_view(notice: dict, *, for_employee: bool = False) -> dict:
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
        "signed_by": {"name": notice["signed_by"]["name"], "method": notice["signed_by"].get("method", "asan")}
        if notice.get("signed_by") else None,
        "signature": _attempt_view(notice.get("signing"), "notice", for_employee),
        "termination": None if not termination else {
            **{k: termination.get(k) for k in ("date", "ground", "ground_name", "registered_at", "signed_at")},
            "signature": _attempt_view(termination.get("signing"), "termination", for_employee),
        },
        "check_url": current_service().check_url(notice["_id"]),
    }


def _attempt_view(attempt: dict | None, kind: str, for_employee: bool) -> dict | None:
    if not attempt:
        return None
    if for_employee:
        return {"state": attempt.get("state"), "finished_at": attempt.get("finished_at")}
    view = {"state": attempt.get("state"), "signing_id": attempt.get("signing_id"),
            "method": attempt.get("method", "asan"),
            "message": signing_message(attempt.get("state"), kind, attempt.get("method")),
            "finished_at": attempt.get("finished_at")}
    if attempt.get("state") == domain.PENDING:
        view["expires_at"] = attempt.get("expires_at")
        view.update(awaiting(attempt))
    return view


@blp.route("/notices")
class Notices(MethodView):
    @requires(CONTRACTS)
    @blp.arguments(schemas.NoticeQuery, location="query")
    @blp.response(200, schemas.NoticePage)
    def get(self, query):
        """The registry of the company's notices, newest first, with status and signing date."""
        items, total = current_service().list_company_notices(
            caller(), status=query.get("status"), q=query.get("q"), limit=query["limit"], offset=query["offset"])
        return page([notice_view(n) for n in items], total, query)

    @requires(CONTRACTS)
    @blp.arguments(schemas.NoticeIn)
    @blp.response(201, schemas.NoticeOut)
    def post(self, body):
        """Enter a notice on concluding an employment contract (unsigned until signed)."""
        return notice_view(current_service().create_notice(caller(), body))


@blp.route("/notices/<notice_id>")
class NoticeItem(MethodView):
    @requires(PERSON)
    @blp.response(200, schemas.NoticeOut)
    def get(self, notice_id):
        """One notice: the employer's, or the employee's own once signed. A signature pending under
        an authority that has lapsed or been withdrawn shows as refused."""
        principal = caller()
        notice = current_service().readable_notice(principal, notice_id)
        return notice_view(notice, for_employee=principal.acting_for != notice["employer_voen"])

    @requires(CONTRACTS)
    @blp.arguments(schemas.NoticePatch(partial=True))
    @blp.response(200, schemas.NoticeOut)
    @blp.alt_response(409, description="signed: only an unsigned notice is edited")
    def patch(self, body, notice_id):
        """Edit an unsigned notice (409 once signed)."""
        return notice_view(current_service().update_notice(caller(), notice_id, body))

    @requires(CONTRACTS)
    @blp.response(204)
    @blp.alt_response(409, description="signed: only an unsigned notice is deleted")
    def delete(self, notice_id):
        """Delete an unsigned notice (409 once signed)."""
        current_service().delete_notice(caller(), notice_id)
        return None


@blp.route("/notices/<notice_id>/termination")
class NoticeTermination(MethodView):
    @requires(CONTRACTS)
    @blp.arguments(schemas.TerminationIn)
    @blp.response(201, schemas.NoticeOut)
    @blp.alt_response(409, description="the notice is not signed yet, or terminated already")
    def post(self, body, notice_id):
        """Enter the termination of a signed contract (date and ground); then sign it."""
        notice = current_service().register_termination(caller(), notice_id, body["date"], body["ground"])
        return notice_view(notice)


@blp.route("/notices/<notice_id>/check")
class NoticeCheck(MethodView):
    @requires(PUBLIC)
    @blp.response(200, schemas.CheckOut)
    def get(self, notice_id):
        """Public check behind the PDF's QR code: status and employer only, nothing personal."""
        return current_service().public_check(notice_id)


@blp.route("/my-notices")
class MyNotices(MethodView):
    @requires(PERSON)
    @blp.arguments(schemas.NoticeQuery, location="query")
    @blp.response(200, schemas.NoticePage)
    def get(self, query):
        """The logged-in person's own notices from any employer (signed or terminated); `q` looks
        in the employer's name and VÖEN, contract number, position and workplace."""
        items, total = current_service().my_notices(
            caller(), status=query.get("status"), q=query.get("q"), limit=query["limit"], offset=query["offset"])
        return page([notice_view(n, for_employee=True) for n in items], total, query)
