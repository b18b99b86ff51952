"""HTTP routes of the certificates service: who may call, parse, call the service, shape."""
from __future__ import annotations

from flask import Response, jsonify
from flask.views import MethodView

from egov_kit.access import PERSON, PUBLIC, ServiceBlueprint, any_of, caller, requires, service
from egov_kit.app import current_service
from egov_kit.paging import PageQuery, page, page_args

from . import schemas
from .numbers import MAX_INPUT, SYMBOLS

blp = ServiceBlueprint("certificates", __name__, url_prefix="/api/certificates",
                       description="İş yerinə dair arayış — employment reference certificates")
# A certificate number as typed: at least its symbols, at most the longest input read as one. The
# bounds also keep `/<number>` from answering for the service's own paths (GET /verifications).
NUMBER = f"<string(minlength={SYMBOLS}, maxlength={MAX_INPUT}):number>"
# Arguments take schema instances: given a class, webargs builds a schema on every request.


def _pdf(number: str, data: bytes) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="arayis-{number}.pdf"'
    # Personal data: never kept by shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/contracts")
class Contracts(MethodView):
    @requires(PERSON)
    @blp.arguments(schemas.ContractsQuery(), location="query")
    @blp.response(200, schemas.ContractPage)
    def get(self, query):
        """The caller's employment contract notices in force ("Yeni arayış"); `q` searches every field."""
        items, total = current_service().contracts_in_force(caller(), query.get("q"), **page_args(query))
        return page(items, total, query)


@blp.route("/contacts")
class Contacts(MethodView):
    @requires(PERSON)
    @blp.response(200, schemas.ContactsOut)
    def get(self):
        """Mobile numbers and e-mails the caller used before, most recent first."""
        return current_service().contacts(caller())


@blp.route("")
class Certificates(MethodView):
    @requires(PERSON)
    @blp.arguments(schemas.IssueIn())
    @blp.response(201, schemas.CertificateOut)
    @blp.alt_response(404, description="no such contract of the caller's in force (`errors` names contract_id)")
    def post(self, body):
        """Issue a certificate on one of the caller's contracts in force ("Təsdiqlə"); sealed PDF."""
        return current_service().issue(caller(), body)

    @requires(PERSON)
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, schemas.CertificatePage)
    def get(self, query):
        """The caller's certificates, newest first ("Arayışların tarixçəsi")."""
        items, total = current_service().history(caller(), **page_args(query))
        return page(items, total, query)


@blp.route("/seal-ca.pem")
class SealCa(MethodView):
    @requires(PUBLIC)
    @blp.response(200, content_type="application/x-pem-file")
    def get(self):
        """The CA of the ministry's seal, to check a certificate PDF's signature offline."""
        return Response(current_service().seal_ca_pem(), mimetype="application/x-pem-file")


@blp.route("/verifications")
class Verifications(MethodView):
    @requires(PERSON)
    @blp.arguments(schemas.VerifyIn())
    @blp.response(200, schemas.VerifyOut)
    @blp.alt_response(429, description="too many checks; see Retry-After")
    def post(self, body):
        """Check a certificate by its number ("Arayışların yoxlanılması"); every check is recorded."""
        # The busiest route answers with the view as the service shaped it (a Response passes
        # through flask-smorest untouched); the schema above documents it, and a test keeps the
        # two identical (test_api: the answer is what VerifyOut would make of it).
        return jsonify(current_service().verify(caller(), body["number"]))


@blp.route("/verifications/mine")
class CheckedByMe(MethodView):
    @requires(PERSON)
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, schemas.CheckedPage)
    def get(self, query):
        """"Mənim yoxladığım arayışlar": the certificates the caller checked."""
        items, total = current_service().checked_by_me(caller(), **page_args(query))
        return page(items, total, query)


@blp.route("/verifications/of-my-certificates")
class CheckedByOthers(MethodView):
    @requires(PERSON)
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, schemas.CheckedByPage)
    def get(self, query):
        """"Mənim yoxlanılan arayışlarım": who checked the caller's certificates, and for which organisation."""
        items, total = current_service().checked_by_others(caller(), **page_args(query))
        return page(items, total, query)


@blp.route(f"/verifications/{NUMBER}/pdf")
class VerifiedPdf(MethodView):
    @requires(PERSON)
    @blp.response(200, content_type="application/pdf")
    def get(self, number):
        """"Arayışı yoxla və yüklə": the PDF of a valid certificate, for a logged-in verifier."""
        return _pdf(*current_service().pdf_for_verifier(caller(), number))


@blp.route(f"/verify/{NUMBER}")
class VerifyLink(MethodView):
    @requires(PERSON)
    @blp.response(200, schemas.VerifyOut)
    def get(self, number):
        """The link printed on the certificate and in its QR code: the same check, logged in."""
        return current_service().verify(caller(), number)


@blp.route(f"/{NUMBER}")
class Certificate(MethodView):
    @requires(PERSON)
    @blp.response(200, schemas.CertificateOut)
    def get(self, number):
        """One of the caller's certificates."""
        return current_service().certificate_of_holder(caller(), number)


@blp.route(f"/{NUMBER}/pdf")
class CertificatePdf(MethodView):
    @requires(any_of(PERSON, service("notifier")))
    @blp.response(200, content_type="application/pdf")
    def get(self, number):
        """The sealed PDF, as issued: for its holder, and for the notifier (e-mail copies)."""
        who = caller()
        if who.kind == "service":
            return _pdf(*current_service().pdf_for_service(number))
        return _pdf(*current_service().pdf_of_holder(who, number))


@blp.route(f"/{NUMBER}/revocation")
class Revocation(MethodView):
    @requires(PERSON)
    @blp.response(200, schemas.CertificateOut)
    @blp.alt_response(409, description="already deactivated")
    def post(self, number):
        """Deactivate one of the caller's certificates: immediate and final."""
        return current_service().revoke_by_holder(caller(), number)
