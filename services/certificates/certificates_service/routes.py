"""HTTP routes of the certificates service: who may call, request ↔ workflow, nothing else."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from egov_kit.auth import current_principal, require_person
from egov_kit.errors import Problem

from . import schemas

blp = Blueprint("certificates", __name__, url_prefix="/api/certificates",
                description="İş yerinə dair arayış — employment reference certificates")
BEARER = [{"bearer": []}]


PUBLIC = {"certificates.SealCa"}


@blp.before_request
def _authenticate():
    # Who is calling is settled before the body is looked at: no field errors for strangers.
    if request.endpoint not in PUBLIC:
        current_principal()


def _desk():
    return current_app.extensions["certificates"]


def _person(principal) -> dict:
    return {"fin": principal.fin, "surname": principal.surname, "name": principal.name,
            "patronymic": principal.patronymic, "acting_for": principal.acting_for}


def _pdf(number: str, data: bytes) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="arayis-{number}.pdf"'
    # Personal data: never kept by shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/contracts")
class Contracts(MethodView):
    @blp.arguments(schemas.ContractsQuery(), location="query")
    @blp.response(200, schemas.ContractOut(many=True))
    @blp.doc(security=BEARER)
    def get(self, args):
        """The caller's employment contract notices in force ("Yeni arayış"); `q` searches every field."""
        principal = require_person()
        return _desk().contracts_in_force(principal.fin, args.get("q"))


@blp.route("/contacts")
class Contacts(MethodView):
    @blp.response(200, schemas.ContactsOut)
    @blp.doc(security=BEARER)
    def get(self):
        """Mobile numbers and e-mails the caller used before, most recent first."""
        return _desk().contacts(require_person().fin)


@blp.route("")
class Certificates(MethodView):
    @blp.arguments(schemas.IssueIn())
    @blp.response(201, schemas.CertificateOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Issue a certificate on one of the caller's contracts in force ("Təsdiqlə"); sealed PDF."""
        principal = require_person()
        return _desk().issue(_person(principal), body)

    @blp.arguments(schemas.PageQuery(), location="query")
    @blp.response(200, schemas.CertificateList)
    @blp.doc(security=BEARER)
    def get(self, args):
        """The caller's certificates, newest first ("Arayışların tarixçəsi")."""
        return _desk().history(require_person().fin, args["limit"], args["offset"])


@blp.route("/seal-ca.pem")
class SealCa(MethodView):
    @blp.response(200, content_type="application/x-pem-file")
    def get(self):
        """The CA of the ministry's seal, to check a certificate PDF's signature offline."""
        return Response(_desk().sealer.ca_pem, mimetype="application/x-pem-file")


@blp.route("/verifications")
class Verifications(MethodView):
    @blp.arguments(schemas.VerifyIn())
    @blp.response(200, schemas.VerifyOut)
    @blp.alt_response(429, description="too many checks; see Retry-After")
    @blp.doc(security=BEARER)
    def post(self, body):
        """Check a certificate by its number ("Arayışların yoxlanılması"); every check is recorded."""
        # The busiest route answers with the view as the workflow shaped it (a Response passes
        # through flask-smorest untouched); the schema above documents it, and a test keeps the
        # two identical (test_api: the answer is what VerifyOut would make of it).
        return jsonify(_desk().verify(_person(require_person()), body["number"]))


@blp.route("/verifications/mine")
class CheckedByMe(MethodView):
    @blp.arguments(schemas.PageQuery(), location="query")
    @blp.response(200, schemas.CheckedList)
    @blp.doc(security=BEARER)
    def get(self, args):
        """"Mənim yoxladığım arayışlar": the certificates the caller checked."""
        return _desk().checked_by_me(require_person().fin, args["limit"], args["offset"])


@blp.route("/verifications/of-my-certificates")
class CheckedByOthers(MethodView):
    @blp.arguments(schemas.PageQuery(), location="query")
    @blp.response(200, schemas.CheckedByList)
    @blp.doc(security=BEARER)
    def get(self, args):
        """"Mənim yoxlanılan arayışlarım": who checked the caller's certificates, and for which organisation."""
        return _desk().checked_by_others(require_person().fin, args["limit"], args["offset"])


@blp.route("/verifications/<number>/pdf")
class VerifiedPdf(MethodView):
    @blp.response(200, content_type="application/pdf")
    @blp.doc(security=BEARER)
    def get(self, number):
        """"Arayışı yoxla və yüklə": the PDF of a valid certificate, for a logged-in verifier."""
        found, data = _desk().pdf_for_verifier(_person(require_person()), number)
        return _pdf(found, data)


@blp.route("/verify/<number>")
class VerifyLink(MethodView):
    @blp.response(200, schemas.VerifyOut)
    @blp.doc(security=BEARER)
    def get(self, number):
        """The link printed on the certificate and in its QR code: the same check, logged in."""
        return _desk().verify(_person(require_person()), number)


@blp.route("/<number>")
class Certificate(MethodView):
    @blp.response(200, schemas.CertificateOut)
    @blp.doc(security=BEARER)
    def get(self, number):
        """One of the caller's certificates."""
        return _desk().certificate_of_holder(number, require_person().fin)


@blp.route("/<number>/pdf")
class CertificatePdf(MethodView):
    @blp.response(200, content_type="application/pdf")
    @blp.doc(security=BEARER)
    def get(self, number):
        """The sealed PDF, as issued: for its holder, and for the notifier (e-mail copies)."""
        principal = current_principal()
        if principal.kind == "service":
            if principal.service != "notifier":
                raise Problem(403)
            found, data = _desk().pdf_for_service(number)
        else:
            found, data = _desk().pdf_of_holder(number, principal.fin)
        return _pdf(found, data)


@blp.route("/<number>/revocation")
class Revocation(MethodView):
    @blp.response(200, schemas.CertificateOut)
    @blp.alt_response(409, description="already deactivated")
    @blp.doc(security=BEARER)
    def post(self, number):
        """Deactivate one of the caller's certificates: immediate and final."""
        return _desk().revoke_by_holder(number, require_person().fin)
