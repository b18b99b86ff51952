"""For institutions' developers (public pages): the integration guide — registering a webhook, what
a notification looks like, checking `X-Egov-Signature` (short examples in six languages, kept in
examples/ and shown as they are, the Python, Node and Java ones run against the notifier's own
signatures by the tests), stale timestamps, duplicates, retries — and the API reference of every
service, drawn on the server from its OpenAPI document (reference.py), as an ordinary page: every
operation, parameter, body, answer and schema, readable without JavaScript and light on a phone.

The same document can also be read in Redoc (npm `redoc`, pinned in
services/portal/vendor/package.json, vendored as its standalone bundle under static/redoc/): an
interactive view with search, one link away. Its bundle is about a megabyte, so only that view
loads it, gzip-compressed (about a third of that) when the browser accepts it."""
from __future__ import annotations

import gzip
import hashlib
import threading
import time
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from egov_kit.catalogue import API_NAMES

from ...api import ApiProblem, ApiUnavailable
from ...messages import register
from ...web import CSP, ONE_YEAR, STATIC_DIR, call
from . import reference as openapi

bp = Blueprint("developers", __name__, template_folder="templates", url_prefix="/developers")
NAV = [{"endpoint": "developers.index", "label": "nav_developers", "order": 8, "when": "always"}]

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
# The signature check in each language: (tab id, language name, file).
EXAMPLES = [("python", "Python", "verify.py"), ("node", "JavaScript (Node.js)", "verify.js"),
            ("java", "Java", "EgovSignature.java"), ("csharp", "C#", "EgovSignature.cs"),
            ("php", "PHP", "verify.php"), ("go", "Go", "verify.go")]
REDOC = "redoc/redoc.standalone.js"
# Redoc's components put their styles in <style> elements, and its search runs in a worker made
# from a blob: allowed on the reference pages only.
REFERENCE_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src blob:"

register({
    "dev_title": ("Tərtibatçılar üçün", "For developers"),
    "dev_guide": ("İnteqrasiya təlimatı", "Integration guide"),
    "dev_reference": ("API arayışı", "API reference"),
    "dev_reference_intro": ("Hər xidmətin API-si onun OpenAPI sənədindən göstərilir: əməliyyatlar, parametrlər, "
                            "sorğu və cavab sxemləri, xəta cavabları.",
                            "Each service's API, shown from its OpenAPI document: operations, parameters, request "
                            "and response schemas, error answers."),
    "dev_reference_of": ("API arayışı: {name}", "API reference: {name}"),
    "dev_reference_caption": ("Xidmətlər", "Services"),
    "dev_service": ("Xidmət", "Service"),
    "dev_prefix": ("Ünvan", "Path"),
    "dev_document": ("OpenAPI sənədi", "OpenAPI document"),
    "dev_open_reference": ("Arayışa bax", "View the reference"),
    "dev_reference_loading": ("API arayışı yüklənir…", "Loading the API reference…"),
    "dev_reference_failed": ("Arayışı göstərmək alınmadı. OpenAPI sənədini birbaşa açın: ",
                             "The reference could not be shown. Open the OpenAPI document itself: "),
    "dev_reference_noscript": ("Arayışı göstərmək üçün brauzerdə JavaScript lazımdır. OpenAPI sənədini birbaşa açmaq "
                               "olar: ",
                               "Showing the reference needs JavaScript in the browser. The OpenAPI document can be "
                               "opened itself: "),
    "dev_other_services": ("Digər xidmətlər", "Other services"),
    "dev_breadcrumbs": ("Naviqasiya zənciri", "Breadcrumbs"),
    "dev_contents": ("Mündəricat", "Contents"),
    "dev_examples_label": ("Nümunələr", "Examples"),
    "dev_ref_api": ("API", "API"),
    "dev_ref_version": ("versiya", "version"),
    "dev_ref_interactive": ("İnteraktiv görünüş", "Interactive view"),
    "dev_ref_redoc": ("Redoc ilə axtarışlı görünüş (böyük fayl, təxminən 330 KB)",
                      "Redoc, with search (a large file, about 330 KB)"),
    "dev_ref_how": ("Hər əməliyyatın ünvanı, kimin çağıra biləcəyi, parametrləri, sorğunun gövdəsi və cavabları "
                    "aşağıdadır; sxemlərin adları onların sahələrinə keçid verir. Mətnlər API-nin öz dilindədir "
                    "(ingiliscə). Xəta cavabları application/problem+json sənədləridir, Accept-Language: az "
                    "ilə azərbaycanca.",
                    "Each operation's path, who may call it, its parameters, request body and answers are below; "
                    "a schema's name links to its fields. The texts are the API's own (English). Errors are "
                    "application/problem+json documents, in Azerbaijani with Accept-Language: az."),
    "dev_ref_operations": ("Əməliyyatlar", "Operations"),
    "dev_ref_caller": ("Kim çağıra bilər", "Who may call it"),
    "dev_ref_token": ("sorğu Authorization: Bearer tokeni ilə", "the request carries an Authorization: Bearer token"),
    "dev_caller_public": ("hər kəs, tokensiz", "anyone, no token needed"),
    "dev_caller_logged_in": ("daxil olmuş hər kəs (şəxs, əməkdaş və ya xidmət)", "anyone logged in (a person, staff or a service)"),
    "dev_caller_person": ("daxil olmuş şəxs özü üçün", "a logged-in person, for themselves"),
    "dev_caller_staff": ("nazirliyin əməkdaşı", "the ministry's staff"),
    "dev_caller_company_head": ("şirkətin rəhbəri (rolu seçilmiş)", "the company's head (role chosen)"),
    "dev_caller_company_acting": ("şirkətin rəhbəri və ya səlahiyyətli nümayəndəsi",
                                  "the company's head or an authorised representative"),
    "dev_caller_service": ("xidmət: {services}", "service: {services}"),
    "dev_caller_any_service": ("suitin istənilən xidməti (xidmət tokeni ilə)", "any service of the suite (service token)"),
    "dev_caller_other": ("bax: kod", "see the code"),
    "dev_ref_scope": ("Səlahiyyətin sahəsi", "Authority's scope"),
    "dev_ref_parameters": ("Parametrlər", "Parameters"),
    "dev_ref_body": ("Sorğunun gövdəsi", "Request body"),
    "dev_ref_responses": ("Cavablar", "Responses"),
    "dev_ref_headers": ("başlıqlar", "headers"),
    "dev_ref_see_common": ("ümumi cavablara baxın", "see the common responses"),
    "dev_ref_common": ("Ümumi cavablar", "Common responses"),
    "dev_ref_common_text": ("Bir çox əməliyyatın eyni cür verdiyi cavablar.",
                            "Answers many operations give the same way."),
    "dev_ref_schemas": ("Sxemlər", "Schemas"),
    "dev_ref_schemas_text": ("Sorğu və cavab gövdələrinin sahələri. İç-içə obyektlərin sahələri valideyn.sahə "
                             "kimi göstərilir.",
                             "The fields of request and response bodies. Fields of nested objects are shown as "
                             "parent.field."),
    "dev_ref_name": ("Ad", "Name"),
    "dev_ref_field": ("Sahə", "Field"),
    "dev_ref_type": ("Tip", "Type"),
    "dev_ref_meaning": ("Mənası", "Meaning"),
    "dev_ref_required": ("mütləqdir", "required"),
    "dev_ref_no_fields": ("Sahəsi yoxdur.", "No fields."),
})


@bp.context_processor
def _helpers():
    return {"api_names": API_NAMES, "schema_anchor": openapi.schema_anchor}


@lru_cache(maxsize=None)
def example_sources() -> list[dict]:
    return [{"id": key, "language": name, "file": file, "code": (EXAMPLES_DIR / file).read_text(encoding="utf-8")}
            for key, name, file in EXAMPLES]


@lru_cache(maxsize=None)
def example(file: str) -> str:
    return (EXAMPLES_DIR / file).read_text(encoding="utf-8")


# What a notification's body looks like (a certificate addressed to a bank, revoked).
SAMPLE_EVENT = {
    "id": "3f6d2c9a8b7e4d1f9a0b5c6d7e8f9012", "type": "certificates.certificate.revoked",
    "occurred_at": "2026-11-23T10:00:00.000000+00:00", "source": "certificates", "version": 1,
    "correlation_id": "b2f1c0d9e8a74b36a5c4d3e2f1a0b9c8",
    "data": {"number": "AR-2026-00042", "holder_name": "Həsənova Nərmin Əli qızı", "reason": "holder",
             "destination": "addressed", "addressee_voen": "9900072351", "addressee_name": "Dan Ulduzu Bank",
             "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00"},
}


@bp.get("")
def index():
    return render_template("developers/guide.html", examples=example_sources(), receiver=example("receiver.py"),
                           sample_event=SAMPLE_EVENT)


@bp.get("/reference")
def reference_index():
    wanted = request.args.get("service")
    if wanted in API_NAMES:  # the other-services chooser of a reference page
        return redirect(url_for("developers.reference", service=wanted))
    return render_template("developers/reference_index.html")


@bp.get("/reference/<service>")
def reference(service):
    if service not in API_NAMES:
        abort(404)
    html = render_template("developers/reference.html", service=service, ref=_reference_of(service),
                           spec_url=spec_url(service))
    return compressed(html)


@bp.get("/reference/<service>/redoc")
def redoc_view(service):
    if service not in API_NAMES:
        abort(404)
    response = make_response(render_template("developers/redoc.html", service=service, spec_url=spec_url(service),
                                              redoc_url=redoc_url()))
    response.headers["Content-Security-Policy"] = REFERENCE_CSP
    return response


def spec_url(service: str) -> str:
    return f"/api/{service}/openapi.json"


# --- the services' OpenAPI documents, fetched through the gateway and kept a few minutes -----------

DOCUMENT_TTL_SECONDS = 300
_documents: dict[str, tuple[float, dict]] = {}
_documents_lock = threading.Lock()


def _reference_of(service: str) -> dict:
    """The page's content for a service: its document as the gateway serves it, drawn once per
    few minutes (a deployment's new document shows after at most that long)."""
    with _documents_lock:
        kept = _documents.get(service)
    if kept and time.monotonic() - kept[0] < DOCUMENT_TTL_SECONDS:
        return kept[1]
    try:
        document = call("GET", spec_url(service), auth=False)
    except ApiProblem as problem:
        raise ApiUnavailable(f"openapi {problem.status}") from None
    if not isinstance(document, dict):
        raise ApiUnavailable("openapi: not a document")
    drawn = openapi.build(document)
    with _documents_lock:
        _documents[service] = (time.monotonic(), drawn)
    return drawn


def compressed(html: str):
    """A large public page gzip-compressed for browsers that take it. Only pages like this one,
    which reflect nothing a visitor sends, are compressed: a page that echoes input next to a
    secret (a CSRF token) must not be (BREACH)."""
    response = make_response(html)
    response.headers["Vary"] = "Accept-Encoding"
    if "gzip" in request.headers.get("Accept-Encoding", "") and len(html) > 2048:
        response.set_data(gzip.compress(response.get_data(), compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response


# --- the Redoc bundle, compressed once --------------------------------------------------------

# Redoc shows its maker's logo from its CDN at the foot of its menu. Nothing is loaded from a CDN
# here: the address becomes an empty image, which Redoc's own error handler then hides.
REDOC_LOGO = (b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"data:,")


@lru_cache(maxsize=1)
def _redoc() -> tuple[str, bytes, bytes]:
    """(digest, the bundle as served, gzipped): read and compressed on first use."""
    raw = (STATIC_DIR / REDOC).read_bytes().replace(*REDOC_LOGO)
    return hashlib.sha256(raw).hexdigest()[:12], raw, gzip.compress(raw, compresslevel=9, mtime=0)


def redoc_url() -> str:
    return url_for("developers.redoc", digest=_redoc()[0])


@bp.get("/assets/<digest>/redoc.standalone.js")
def redoc(digest):
    current, raw, packed = _redoc()
    if digest != current:
        abort(404)
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = current_app.response_class(packed if compressed else raw, mimetype="text/javascript")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.set_etag(f"{current}-{'gz' if compressed else 'id'}")
    return response.make_conditional(request)
