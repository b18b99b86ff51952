"""HTTP of sending (signing with Asan İmza or the e-signature card) and of the signed notice (PDF, ADoc)."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import ServiceBlueprint, any_of, caller, requires, service
from egov_kit.app import current_service
from egov_kit.files import file_response
from egov_kit.idempotency import idempotent, operation_id
from egov_kit.signing import CardResponseIn

from .. import schemas
from ..messages import signing_message
from .common import REPORTER

blp = ServiceBlueprint("signing", __name__, url_prefix="/api/accidents",
                       description="Sending a report: signing it with Asan İmza or the e-signature card; the "
                                   "signed notice")


def _with_message(answer: dict) -> dict:
    return {**answer, "message": signing_message(answer.get("state"), answer.get("method"))}


@blp.route("/reports/<report_id>/signature")
class ReportSignature(MethodView):
    @requires(REPORTER)
    @blp.arguments(schemas.SignatureIn, required=False)
    @blp.response(202, schemas.SigningStarted)
    @blp.alt_response(403, description="the card's certificate is another person's (`errors.certificate`)")
    @idempotent
    def post(self, body, report_id):
        """Send (Göndər): sign the draft — with Asan İmza (`{}`: compare the code on the phone,
        confirm with PIN2), or with the e-signature card (`{method: card, certificate}`: the
        answer holds the first hash for the card to sign; see card-response). Refused with the
        fields still missing (422) while the report is incomplete, and naming `certificate` when
        the card may not sign (422; another person's: 403)."""
        return _with_message(current_service().start_signing(caller(), report_id, body["method"],
                                                             certificate=body.get("certificate"),
                                                             operation_id=operation_id()))

    @requires(REPORTER)
    @blp.response(200, schemas.SigningOut)
    def get(self, report_id):
        """State of the signature; polling it is what completes it: once confirmed the report is
        submitted (registration number, signer and time stored) and the competent bodies told."""
        return _with_message(current_service().poll_signing(caller(), report_id))


@blp.route("/reports/<report_id>/signature/card-response")
class ReportCardResponse(MethodView):
    @requires(REPORTER)
    @blp.arguments(CardResponseIn)
    @blp.response(200, schemas.SigningOut)
    @blp.alt_response(409, description="no card signature is awaited (none started with the card, or it is over)")
    def post(self, body, report_id):
        """The card's signature over the hash the last answer handed out: the answer is the
        signature's state, with the next hash to sign ("2/2"), or — after the last — the report
        submitted; a signature that does not verify leaves it unsigned (`invalid`), to be signed
        again."""
        return _with_message(current_service().card_response(caller(), report_id, body["signature"]))


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
