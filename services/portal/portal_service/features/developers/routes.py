"""The developers' pages: the integration guide, the API reference of each service (drawn by
reference.py), the same document in Redoc, and Redoc's bundle compressed once."""
from __future__ import annotations

import gzip
import hashlib
import threading
import time
from functools import lru_cache
from pathlib import Path

from flask import abort, current_app, make_response, redirect, render_template, request, url_for

from egov_kit.catalogue import API_NAMES

from ...api import ApiProblem, ApiUnavailable
from ...web import CSP, ONE_YEAR, STATIC_DIR, call
from . import bp
from . import reference as openapi

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
# The signature check in each language: (tab id, language name, file).
EXAMPLES = [("python", "Python", "verify.py"), ("node", "JavaScript (Node.js)", "verify.js"),
            ("java", "Java", "EgovSignature.java"), ("csharp", "C#", "EgovSignature.cs"),
            ("php", "PHP", "verify.php"), ("go", "Go", "verify.go")]
REDOC = "redoc/redoc.standalone.js"
# Redoc's components put their styles in <style> elements, and its search runs in a worker made
# from a blob: allowed on the reference pages only.
REFERENCE_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src blob:"



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
