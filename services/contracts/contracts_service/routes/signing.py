"""HTTP of signing (the notice and its termination) with Asan İmza or the e-signature card, and of
the signed documents."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import PERSON, ServiceBlueprint, caller, company, requires
from egov_kit.app import current_service
from egov_kit.files import file_response
from egov_kit.idempotency import idempotent, operation_id
from egov_kit.signing import CardResponseIn

from .. import domain, schemas
from ..domain import NOTICE_SIGNING, TERMINATION_SIGNING
from ..messages import signing_message

# Acting for the company in this e-service: its head, or an authority in force covering it.
CONTRACTS = company("head", "authorised", scope=domain.CONTRACTS)

blp = ServiceBlueprint("signing", __name__, url_prefix="/api/contracts",
                       description="Signing notices and their termination with Asan İmza or the e-signature card; "
                                   "the signed documents")


STARTED_CONFLICT = ("signed (or terminated) already, nothing to sign yet (a termination not entered), or the "
                    "notice changed while the signature was being started")


CARD_CONFLICT = "no card signature is awaited (none started with the card, or it is over)"
ANOTHER_PERSONS_CARD = "the card's certificate is another person's (`errors.certificate`)"
REFUSED = "the signer's authority is no longer in force: the signature is refused"


def _with_message(answer: dict, kind: str) -> dict:
    return {**answer, "message": signing_message(answer.get("state"), kind, answer.get("method"))}


def _start(body: dict, notice_id: str, kind) -> dict:
    return _with_message(current_service().start_signing(caller(), notice_id, kind, body["method"],
                                                         certificate=body.get("certificate"),
                                                         operation_id=operation_id()), kind.name)


@blp.route("/notices/<notice_id>/signature")
class NoticeSignature(MethodView):
    @requires(CONTRACTS)
    @blp.arguments(schemas.SignatureIn, required=False)  # no body: Asan İmza, as {} says
    @blp.response(202, schemas.SigningStarted)
    @blp.alt_response(403, description=ANOTHER_PERSONS_CARD)
    @blp.alt_response(409, description=STARTED_CONFLICT)
    @idempotent
    def post(self, body, notice_id):
        """Sign the notice: with Asan İmza (`{}`: compare the code on the phone, confirm with
        PIN2), or with the e-signature card (`{method: card, certificate}`: the answer holds the
        first hash for the card to sign; see card-response). A card that may not sign is refused
        naming `certificate` (422; another person's: 403)."""
        return _start(body, notice_id, NOTICE_SIGNING)

    @requires(CONTRACTS)
    @blp.response(200, schemas.SigningOut)
    @blp.alt_response(404, description="no such notice of the company's, or no signature started on it")
    @blp.alt_response(409, description="the signature record is gone")
    @blp.alt_response(502, description="the signature auth returned does not verify")
    def get(self, notice_id):
        """State of the signature; polling it is what finalises it: once confirmed the notice is
        signed, and one that can no longer complete is ended."""
        return _with_message(current_service().poll_signing(caller(), notice_id, NOTICE_SIGNING), "notice")


@blp.route("/notices/<notice_id>/signature/card-response")
class NoticeCardResponse(MethodView):
    @requires(CONTRACTS)
    @blp.arguments(CardResponseIn)
    @blp.response(200, schemas.SigningOut)
    @blp.alt_response(403, description=REFUSED)
    @blp.alt_response(409, description=CARD_CONFLICT)
    @blp.alt_response(502, description="the signature auth returned does not verify")
    def post(self, body, notice_id):
        """The card's signature over the hash the last answer handed out: the answer is the
        signature's state, with the next hash to sign ("2/2"), or — after the last — the notice
        signed; a signature that does not verify leaves it unsigned (`invalid`), to be signed again."""
        return _with_message(current_service().card_response(caller(), notice_id, NOTICE_SIGNING, body["signature"]),
                             "notice")


@blp.route("/notices/<notice_id>/termination/signature")
class TerminationSignature(MethodView):
    @requires(CONTRACTS)
    @blp.arguments(schemas.SignatureIn, required=False)  # no body: Asan İmza, as {} says
    @blp.response(202, schemas.SigningStarted)
    @blp.alt_response(403, description=ANOTHER_PERSONS_CARD)
    @blp.alt_response(409, description=STARTED_CONFLICT)
    @idempotent
    def post(self, body, notice_id):
        """Sign the termination with Asan İmza (PIN2) or the e-signature card, as the notice."""
        return _start(body, notice_id, TERMINATION_SIGNING)

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


@blp.route("/notices/<notice_id>/termination/signature/card-response")
class TerminationCardResponse(MethodView):
    @requires(CONTRACTS)
    @blp.arguments(CardResponseIn)
    @blp.response(200, schemas.SigningOut)
    @blp.alt_response(403, description=REFUSED)
    @blp.alt_response(409, description=CARD_CONFLICT)
    @blp.alt_response(502, description="the signature auth returned does not verify")
    def post(self, body, notice_id):
        """The card's signature over the termination's hash: once it holds up the notice is
        terminated; one that does not verify leaves it signed, not terminated (`invalid`)."""
        return _with_message(current_service().card_response(caller(), notice_id, TERMINATION_SIGNING,
                                                             body["signature"]), "termination")


@blp.route("/notices/<notice_id>/pdf")
class NoticePdf(MethodView):
    @requires(PERSON)
    @blp.doc(responses={200: {"description": "the PAdES-signed PDF", "content": {"application/pdf": {}}}})
    @blp.alt_response(409, description="not signed yet")
    def get(self, notice_id):
        """The signed notice as PDF (signature embedded, verification QR code)."""
        data, filename = current_service().notice_pdf(caller(), notice_id)
        return file_response(data, "application/pdf", filename)


@blp.route("/notices/<notice_id>/adoc")
class NoticeAdoc(MethodView):
    @requires(PERSON)
    @blp.doc(responses={200: {"description": "ASiC-E-style signed container",
                              "content": {"application/vnd.etsi.asic-e+zip": {}}}})
    @blp.alt_response(409, description="not signed yet")
    def get(self, notice_id):
        """The signed notice as ADoc: notice.json, the PDF, manifest and the detached CMS signature."""
        data, filename = current_service().notice_adoc(caller(), notice_id)
        return file_response(data, "application/vnd.etsi.asic-e+zip", filename)
