"""The Asan İmza simulator: a process of its own that plays the identity provider for one relying
party (the relying-party protocol under /asan-api), the test people's phones and their
e-signature cards (/api/asan-sim). A development tool: no production manifest runs it.

    python -m asan_sim --port 8190          (see __main__.py; settings in settings.py)"""
from __future__ import annotations

import logging
import time

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from egov_kit import safejson
from egov_kit.errors import ServiceError
from egov_kit.logs import configure_logging

from . import phone, provider
from .cards import CardStore
from .domain import Identities
from .errors import SimError
from .sessions import Sessions
from .settings import SimSettings, load

log = logging.getLogger("asan_sim")
MAX_BODY = 64 * 1024


class Simulator:
    """What the views share: settings, the test people, their cards, the sessions."""

    def __init__(self, settings: SimSettings):
        self.settings = settings
        self.identities = Identities.load(settings.identities_file)
        self.cards = CardStore(settings.data_dir, settings.ca_export_file)
        self.sessions = Sessions(settings.session_ttl)

    @staticmethod
    def json_body() -> dict:
        if request.mimetype != "application/json":
            raise SimError(415, "bad_request")
        try:
            body = safejson.parse(request.get_data(cache=True))
        except ServiceError:
            raise SimError(400, "bad_request") from None
        if not isinstance(body, dict):
            raise SimError(400, "bad_request")
        return body


def create_app(settings: SimSettings | None = None) -> Flask:
    configure_logging("asan-sim")
    settings = settings or load()
    app = Flask("asan_sim")
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["asan_sim"] = Simulator(settings)
    app.register_blueprint(provider.blp)
    app.register_blueprint(phone.blp)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service="asan-sim")

    @app.errorhandler(SimError)
    def _refused(error: SimError):
        return jsonify(error.body()), error.status, {"Content-Type": "application/problem+json"}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(error.code, "bad_request")
        response = _refused(SimError(error.code or 400, code))
        if error.code == 405 and getattr(error, "valid_methods", None):
            response[2]["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _failed(error: Exception):
        log.exception("unexpected error")
        return _refused(SimError(500, "internal"))

    @app.before_request
    def _begin():
        g.started = time.perf_counter()

    @app.after_request
    def _end(response):
        rule = request.url_rule
        if rule is None or rule.rule != "/healthz":
            # The route pattern, never the path: paths carry phone numbers and FİNs.
            log.info("request", extra={"method": request.method, "route": rule.rule if rule else "unmatched",
                                       "status": response.status_code,
                                       "ms": round((time.perf_counter() - g.get("started", 0)) * 1000, 1)})
        return response

    return app
