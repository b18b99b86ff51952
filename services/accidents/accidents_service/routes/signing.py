"""HTTP of sending (signing with Asan İmza) and of the signed notice (PDF, ADoc)."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import ServiceBlueprint, any_of, caller, requires, service
from egov_kit.app import current_service
from egov_kit.files import file_response
from egov_kit.idempotency import idempotent, operation_id

from .. import schemas
from ..messages import signing_message
from .common import REPORTER

blp = ServiceBlueprint("signing", __name__, url_prefix="/api/accidents",
                       description="Sending a report: signing it with Asan İmza; the signed notice")


def _with_message(answer: dict) -> dict:
    return {**answer, "message": signing_message(answer.get("state"))}


@blp.route("/reports/<report_id>/signature")
class ReportSignature(MethodView):
    @requires(REPORTER)
    @blp.arguments(schemas.SignatureIn, required=False)
    @blp.response(202, schemas.SigningStarted)
    @idempotent
    def post(self, body, report_id):
        """Send (Göndər): sign the draft with Asan İmza — compare the code on the phone, confirm
        with PIN2. Refused with the fields still missing (422) while the report is incomplete."""
        return _with_message(current_service().start_signing(caller(), report_id, body["method"],
                                                             operation_id=operation_id()))

    @requires(REPORTER)
    @blp.response(200, schemas.SigningOut)
    def get(self, report_id):
        """State of the signature; polling it is what completes it: once confirmed the report is
        submitted (registration number, signer and time stored) and the competent bodies told."""
        return _with_message(current_service().poll_signing(caller(), report_id))


@blp.route("/reports/<report_id>/pdf")
class ReportPdf(MethodView):
    @requires(any_of(REPORTER, service("notifier")))
    @blp.doc(responses={200: {"description": "the PAdES-signed notice", "content": {"application/pdf": {}}}})
    def get(self, report_id):
        """The signed notice as PDF (signature embedded, verification QR code); also for the
        notifier, which e-mails the informant a copy."""
        data, filename = current_service().report_pdf(caller(), report_id)
        return file_response(data, "application/pdf", filename)


@blp.route("/reports/<report_id>/adoc")
class ReportAdoc(MethodView):
    @requires(REPORTER)
    @blp.doc(responses={200: {"description": "ASiC-E-style signed container",
                              "content": {"application/vnd.etsi.asic-e+zip": {}}}})
    def get(self, report_id):
        """The signed notice as ADoc: report.json, the PDF, manifest and the detached CMS signature."""
        data, filename = current_service().report_adoc(caller(), report_id)
        return file_response(data, "application/vnd.etsi.asic-e+zip", filename)
