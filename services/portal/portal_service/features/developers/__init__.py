"""For institutions' developers (public pages): the integration guide — registering a webhook, what
a notification looks like, checking `X-Egov-Signature` (short examples in six languages, kept in
examples/ and shown as they are, the Python, Node and Java ones run against the notifier's own
signatures by the tests), stale timestamps, duplicates, retries — and the API reference of every
service, rendered in the browser from its OpenAPI document by Redoc.

Redoc (npm `redoc`, pinned in services/portal/vendor/package.json) is vendored as its standalone
bundle under static/redoc/. It is about a megabyte, so only the reference pages load it, and they
send it gzip-compressed (about a third of that) when the browser accepts it."""
from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from egov_kit.catalogue import API_NAMES

from ...messages import register
from ...web import CSP, ONE_YEAR, STATIC_DIR

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
})


@bp.context_processor
def _helpers():
    return {"api_names": API_NAMES}


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
    response = make_response(render_template("developers/reference.html", service=service,
                                              spec_url=f"/api/{service}/openapi.json", redoc_url=redoc_url()))
    response.headers["Content-Security-Policy"] = REFERENCE_CSP
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
