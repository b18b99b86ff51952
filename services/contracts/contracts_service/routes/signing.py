"""HTTP of signing with Asan İmza (the notice and its termination) and of the signed documents."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from egov_kit.access import PERSON, ServiceBlueprint, caller, company, requires
from egov_kit.app import current_service

from .. import domain, schemas
from ..documents import content_disposition
from ..domain import NOTICE_SIGNING, TERMINATION_SIGNING
from ..messages import signing_message

# Acting for the company in this e-service: its head, or an authority in force covering it.
CONTRACTS = company("head", "authorised", scope=domain.CONTRACTS)

blp = ServiceBlueprint("signing", __name__, url_prefix="/api/contracts",
                       description="Signing notices and their termination with Asan İmza; the signed documents")


STARTED_CONFLICT = ("signed (or terminated) already, nothing to sign yet (a termination not entered), or the "
                    "notice changed while the signature was being started")


def _with_message(answer: dict, kind: str) -> dict:
    return {**answer, "message": signing_message(answer.get("state"), kind)}


def _file(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    # Personal data: never kept by shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/notices/<notice_id>/signature")
class NoticeSignature(MethodView):
    @requires(CONTRACTS)
    @blp.response(202, schemas.SigningStarted)
    @blp.alt_response(409, description=STARTED_CONFLICT)
    def post(self, notice_id):
        """Sign the notice with Asan İmza: compare the code on the phone, confirm with PIN2."""
        return _with_message(current_service().start_signing(caller(), notice_id, NOTICE_SIGNING), "notice")

    @requires(CONTRACTS)
    @blp.response(200, schemas.SigningOut)
    @blp.alt_response(404, description="no such notice of the company's, or no signature started on it")
    @blp.alt_response(409, description="the signature record is gone")
    @blp.alt_response(502, description="the signature auth returned does not verify")
    def get(self, notice_id):
        """State of the signature; polling it is what finalises it: once confirmed the notice is
        signed, and one that can no longer complete is ended."""
        return _with_message(current_service().poll_signing(caller(), notice_id, NOTICE_SIGNING), "notice")


@blp.route("/notices/<notice_id>/termination/signature")
class TerminationSignature(MethodView):
    @requires(CONTRACTS)
    @blp.response(202, schemas.SigningStarted)
    @blp.alt_response(409, description=STARTED_CONFLICT)
    def post(self, notice_id):
        """Sign the termination with Asan İmza (PIN2)."""
        return _with_message(current_service().start_signing(caller(), notice_id, TERMINATION_SIGNING),
                             "termination")

    @requires(CONTRACTS)
    @blp.response(200, schemas.SigningOut)
    @blp.alt_response(404, description="no such notice of the company's, or no signature started on it")
    @blp.alt_response(409, description="the signature record is gone")
    @blp.alt_response(502, description="the signature auth returned does not verify")
    def get(self, notice_id):
        """State of the termination's signature; once confirmed (polling finalises it) the notice
        is terminated."""
        return _with_message(current_service().poll_signing(caller(), notice_id, TERMINATION_SIGNING),
                             "termination")


@blp.route("/notices/<notice_id>/pdf")
class NoticePdf(MethodView):
    @requires(PERSON)
    @blp.doc(responses={200: {"description": "the PAdES-signed PDF", "content": {"application/pdf": {}}}})
    @blp.alt_response(409, description="not signed yet")
    def get(self, notice_id):
        """The signed notice as PDF (signature embedded, verification QR code)."""
        data, filename = current_service().notice_pdf(caller(), notice_id)
        return _file(data, "application/pdf", filename)


@blp.route("/notices/<notice_id>/adoc")
class NoticeAdoc(MethodView):
    @requires(PERSON)
    @blp.doc(responses={200: {"description": "ASiC-E-style signed container",
                              "content": {"application/vnd.etsi.asic-e+zip": {}}}})
    @blp.alt_response(409, description="not signed yet")
    def get(self, notice_id):
        """The signed notice as ADoc: notice.json, the PDF, manifest and the detached CMS signature."""
        data, filename = current_service().notice_adoc(caller(), notice_id)
        return _file(data, "application/vnd.etsi.asic-e+zip", filename)
