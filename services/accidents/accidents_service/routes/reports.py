"""HTTP of the reports: the company's history, a draft opened, filled, changed, previewed and
deleted, its victims added one by one, and the public check behind the signed PDF's QR code."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import ValidationError

from egov_kit.access import PUBLIC, ServiceBlueprint, caller, requires
from egov_kit.app import current_service
from egov_kit.errors import invalid
from egov_kit.files import file_response
from egov_kit.idempotency import idempotent, operation_id
from egov_kit.openapi import path_parameter
from egov_kit.paging import page
from egov_kit.validators import Fin

from .. import schemas
from .common import REPORTER, report_view

blp = ServiceBlueprint("reports", __name__, url_prefix="/api/accidents",
                       description="Workplace accident reports: drafts, victims, the company's history")


def shown(report: dict) -> dict:
    return report_view(report, current_service().check_url(report["_id"]))


def path_fin(raw: str) -> str:
    """A FİN in the path, normalised, or 422 naming it."""
    try:
        return Fin().deserialize(raw)
    except ValidationError as exc:
        raise invalid({"fin": exc.messages}) from None


@blp.route("/reports")
class Reports(MethodView):
    @requires(REPORTER)
    @blp.arguments(schemas.ReportQuery, location="query")
    @blp.response(200, schemas.ReportPage)
    def get(self, query):
        """The company's history (Tarixçə), newest first: search by registration number or a
        victim's FİN or name, filter by the incident's dates, status and lateness."""
        items, total = current_service().history(
            caller(), q=query.get("q"), status=query.get("status"), date_from=query.get("date_from"),
            date_to=query.get("date_to"), late=query.get("late"), limit=query["limit"], offset=query["offset"])
        return page([shown(r) for r in items], total, query)

    @requires(REPORTER)
    @blp.arguments(schemas.ReportIn)
    @blp.response(201, schemas.ReportOut)
    @idempotent
    def post(self, body):
        """Open a report (a draft): the employer from the tax registry, the incident, and any
        victims and the informant's contacts already known."""
        return shown(current_service().create_report(caller(), body, report_id=operation_id()))


@blp.route("/reports/<report_id>")
class ReportItem(MethodView):
    @requires(REPORTER)
    @blp.response(200, schemas.ReportOut)
    def get(self, report_id):
        """One report of the company (anyone else's: 404)."""
        return shown(current_service().report(caller(), report_id))

    @requires(REPORTER)
    @blp.arguments(schemas.ReportPatch)
    @blp.response(200, schemas.ReportOut)
    def patch(self, body, report_id):
        """Change a draft: incident fields, the informant's contacts, or the whole list of victims
        (409 once submitted)."""
        return shown(current_service().update_report(caller(), report_id, body))

    @requires(REPORTER)
    @blp.response(204)
    def delete(self, report_id):
        """Delete a draft (409 once submitted)."""
        current_service().delete_report(caller(), report_id)
        return None


@blp.route("/reports/<report_id>/victims")
class Victims(MethodView):
    @requires(REPORTER)
    @blp.arguments(schemas.VictimIn)
    @blp.response(201, schemas.ReportOut)
    def post(self, body, report_id):
        """Add a victim (Yadda saxla/əlavə et): FİN looked up in the population registry, outcome
        chosen; the same FİN once per report."""
        return shown(current_service().add_victim(caller(), report_id, body))


@blp.route("/reports/<report_id>/victims/<fin>", parameters=[path_parameter("fin", Fin())])
class Victim(MethodView):
    @requires(REPORTER)
    @blp.arguments(schemas.VictimPatch)
    @blp.response(200, schemas.ReportOut)
    def patch(self, body, report_id, fin):
        """Change a victim's outcome, ESAW coding or days lost."""
        return shown(current_service().update_victim(caller(), report_id, path_fin(fin), body))

    @requires(REPORTER)
    @blp.response(200, schemas.ReportOut)
    def delete(self, report_id, fin):
        """Remove a victim from a draft."""
        return shown(current_service().remove_victim(caller(), report_id, path_fin(fin)))


@blp.route("/persons/<fin>", parameters=[path_parameter("fin", Fin())])
class PersonSearch(MethodView):
    @requires(REPORTER)
    @blp.response(200, schemas.PersonFound)
    @blp.alt_response(404, description="nobody by this FİN in the population registry (`errors.fin`)")
    def get(self, fin):
        """The victims' FİN search (Axtar): name, surname, patronymic and birth date from the
        population registry, shown before the outcome is chosen; the look-up is in the person's
        data-access log."""
        return current_service().find_person(caller(), path_fin(fin))


@blp.route("/reports/<report_id>/preview")
class ReportPreview(MethodView):
    @requires(REPORTER)
    @blp.doc(responses={200: {"description": "the draft as a PDF, marked as not submitted",
                              "content": {"application/pdf": {}}}})
    def get(self, report_id):
        """Preview (Baxış): the draft as it would be filed, marked on every page as not submitted."""
        data, filename = current_service().preview(caller(), report_id)
        return file_response(data, "application/pdf", filename)


@blp.route("/reports/<report_id>/check")
class ReportCheck(MethodView):
    @requires(PUBLIC)
    @blp.response(200, schemas.CheckOut)
    def get(self, report_id):
        """Public check behind the signed PDF's QR code: filed, when, by which employer; nothing
        about the people in it."""
        return current_service().public_check(report_id)
