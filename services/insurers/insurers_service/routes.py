"""HTTP routes of the insurers service: who may call, parse, call the service, shape."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, jsonify, request
from flask.views import MethodView

from egov_kit.access import PUBLIC, STAFF, ServiceBlueprint, any_of, caller, company, requires
from egov_kit.app import current_service
from egov_kit.errors import ServiceError, field_error, invalid
from egov_kit.idempotency import idempotent, operation_id
from egov_kit.openapi import path_parameter
from egov_kit.paging import page, page_args
from egov_kit.validators import VOEN_RE, Voen

from . import schemas

blp = ServiceBlueprint("insurers", __name__, url_prefix="/api/insurers",
                       description="Sığortaedənin (hüquqi şəxs) onlayn uçota alınması — registration as a "
                                   "social-insurance payer")

# The person acting for the applying organisation, under an authority that covers insurer
# registration (or its head).
APPLICANT = company(scope="insurers")
APPLICANT_OR_STAFF = any_of(APPLICANT, STAFF)
DOWNLOAD_CHUNK = 256 * 1024


@blp.route("/account-numbers/<voen>", parameters=[path_parameter("voen", Voen())])
class AccountNumber(MethodView):
    @requires(PUBLIC)
    @blp.response(200, schemas.LookupOut)
    @blp.alt_response(404, description="no registered insurer with this VÖEN")
    @blp.alt_response(422, description="the VÖEN in the path is not 10 digits")
    @blp.alt_response(429, description="too many look-ups from this client (the gateway's limit); see Retry-After")
    def get(self, voen):
        """"Sığortaedənin uçot nömrəsinin öyrənilməsi": a registered insurer's account number and
        name by its VÖEN; nothing personal."""
        # The hot path answers with the view as the service shaped it (a Response passes through
        # flask-smorest untouched); test_api keeps it identical to LookupOut.
        if not VOEN_RE.fullmatch(voen):
            raise invalid({"voen": ["invalid_voen"]})
        return jsonify(current_service().account_number_of(voen))


@blp.route("/applications")
class Applications(MethodView):
    @requires(APPLICANT)
    @blp.arguments(schemas.ApplicationIn(), required=False)
    @blp.response(201, schemas.ApplicationOut)
    @blp.alt_response(409, description="the VÖEN is registered or under review already")
    @idempotent
    def post(self, body):
        """A new draft for the organisation the caller acts for, with any of its sections (none:
        an empty draft). With `Idempotency-Key`, a repeat within 24 h answers the same draft."""
        return current_service().create(caller(), body or {}, app_id=operation_id())

    @requires(APPLICANT_OR_STAFF)
    @blp.arguments(schemas.ApplicationsQuery(), location="query")
    @blp.response(200, schemas.SummaryPage)
    def get(self, query):
        """Staff: every application (`status=submitted`: the queue, oldest first). Acting for a
        company: its own applications, newest first."""
        items, total = current_service().applications(caller(), query.get("status"), **page_args(query))
        return page(items, total, query)


@blp.route("/applications/<app_id>")
class Application(MethodView):
    @requires(APPLICANT_OR_STAFF)
    @blp.response(200, schemas.ApplicationOut)
    def get(self, app_id):
        """The application with its documents: for its organisation and for staff."""
        return current_service().application(caller(), app_id)

    @requires(APPLICANT)
    @blp.arguments(schemas.ApplicationIn())
    @blp.response(200, schemas.ApplicationOut)
    @blp.alt_response(409, description="no longer a draft")
    def patch(self, body, app_id):
        """Saves a section (any fields) of the draft; null clears a field."""
        return current_service().change(caller(), app_id, body)


@blp.route("/applications/<app_id>/documents")
class Documents(MethodView):
    @requires(APPLICANT)
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": schemas.DocumentUpload}}})
    @blp.response(201, schemas.DocumentOut)
    @blp.alt_response(413, description="the file, or the application's documents together, too large")
    @blp.alt_response(422, description="not a PDF, JPEG or PNG by content, or damaged")
    @blp.alt_response(409, description="the application is no longer a draft")
    def post(self, app_id):
        """"Skan olunmuş sənədlər": one scanned document (multipart field `file`), streamed into
        storage while its content is checked."""
        settings = current_service().settings
        if request.content_length is not None and request.content_length > settings.max_body:
            # Before the body is read: refused with the limit named, not merely "too large".
            raise current_service().too_large(413, "document_too_large", settings.max_document_bytes)
        if not (request.mimetype or "").startswith("multipart/"):
            raise ServiceError(415, "unsupported_media_type")
        files = request.files.getlist("file")
        if not files:
            raise field_error("file", "file_required")
        for name in [*request.form, *(key for key in request.files if key != "file")]:
            raise field_error(name, "unknown_field")  # as a JSON body's unknown field would be
        if len(files) > 1 or len(request.files) > 1:
            raise field_error("file", "one_file_per_request")
        upload = files[0]
        size = None
        stream = upload.stream
        if stream.seekable():
            size = stream.seek(0, 2)
            stream.seek(0)
        return current_service().add_document(caller(), app_id, upload.filename, stream, size)


@blp.route("/applications/<app_id>/documents/<doc_id>")
class Document(MethodView):
    @requires(APPLICANT_OR_STAFF)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, app_id, doc_id):
        """The scanned document, streamed: for the applying organisation and for staff."""
        entry, stored = current_service().document(caller(), app_id, doc_id)

        def chunks():
            try:
                while True:
                    data = stored.read(DOWNLOAD_CHUNK)
                    if not data:
                        return
                    yield data
            finally:
                stored.close()

        response = Response(chunks(), mimetype=entry["content_type"], direct_passthrough=True)
        response.content_length = entry["size"]
        ascii_name = entry["filename"].encode("ascii", "replace").decode().replace("?", "_")
        response.headers["Content-Disposition"] = \
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(entry['filename'])}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @requires(APPLICANT)
    @blp.response(204)
    @blp.alt_response(409, description="the application is no longer a draft")
    def delete(self, app_id, doc_id):
        """Removes a document from the draft."""
        current_service().remove_document(caller(), app_id, doc_id)
        return Response(status=204)


@blp.route("/applications/<app_id>/submission")
class Submission(MethodView):
    @requires(APPLICANT)
    @blp.response(200, schemas.ApplicationOut)
    @blp.alt_response(409, description="the VÖEN is registered or under review already, or not a draft")
    @blp.alt_response(422, description="incomplete, or a value no longer valid (every field named)")
    def post(self, app_id):
        """"Göndər": the complete draft is sent for review."""
        return current_service().submit(caller(), app_id)


@blp.route("/applications/<app_id>/decision")
class Decision(MethodView):
    @requires(STAFF)
    @blp.arguments(schemas.DecisionIn())
    @blp.response(200, schemas.ApplicationOut)
    @blp.alt_response(409, description="not submitted, or decided already")
    def post(self, body, app_id):
        """Operations staff register the insurer (a new account number) or reject the application
        with a reason: final, recorded with who and when, published."""
        return current_service().decide(caller(), app_id, body["decision"], body.get("reason"))
