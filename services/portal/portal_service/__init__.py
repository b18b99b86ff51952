"""The portal: the e-services' pages for people, behind the gateway at `/`.

A backend-for-frontend: server-rendered pages (Flask + Jinja2, a little JavaScript) that call the
public API through the gateway with the person's own token, kept in a signed HttpOnly cookie. It
owns no database and handles no events. Each feature is a blueprint of its own under `features/`,
found at start (see README.md: adding a feature page)."""
from __future__ import annotations

import importlib
import logging
import pkgutil
import re
import time
import uuid
from dataclasses import dataclass

from flask import Flask, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from egov_kit.app import LATENCY, REQUESTS
from egov_kit.logs import configure_logging, request_id_var
from egov_kit.service import ServiceSpec

from . import features, settings, web
from .api import ApiClient
from .messages import t

log = logging.getLogger("egov.http")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
# Forms carry little; a page that takes a file (the insurers' scanned documents) sets its own limit
# (web.allow_uploads).
MAX_BODY = 64 * 1024


@dataclass
class Portal:
    """What the views share, hung on app.extensions['portal']."""
    settings: settings.PortalSettings
    api: ApiClient
    assets: web.Assets
    features: list


def feature_modules() -> list:
    """Every package under features/ that declares a blueprint `bp`, by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(features.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{features.__name__}.{info.name}")
        if hasattr(module, "bp"):
            found.append(module)
    return found


def create_app(config_overrides: dict | None = None) -> Flask:
    kit_settings, own = settings.load(config_overrides)
    if not own.secret:
        raise RuntimeError("PORTAL_SECRET is not set")
    configure_logging("portal")
    app = Flask("portal_service")
    https = kit_settings.public_base_url.startswith("https://")
    app.config.update(
        SECRET_KEY=own.secret,
        SESSION_COOKIE_NAME="portal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        MAX_CONTENT_LENGTH=MAX_BODY,
        JSON_AS_ASCII=False,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.json.ensure_ascii = False
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    modules = feature_modules()
    portal = Portal(settings=own, api=ApiClient(own.gateway_url, own.api_timeout),
                    assets=web.Assets(web.STATIC_DIR), features=modules)
    app.extensions["portal"] = portal
    web.install(app)

    app.jinja_env.globals.update(
        t=t, asset=portal.assets.url, csrf_token=web.csrf_token, me=web.me, logged_in=web.logged_in,
        switch_language_url=web.switch_language_url, simulator=own.simulator,
        nav_items=lambda: _nav_items(modules),
    )
    app.jinja_env.filters.update(day=web.format_day, time=web.format_time, moment=web.format_moment)

    @app.before_request
    def _begin():
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        g.token = request_id_var.set(g.request_id)
        web.choose_language()
        web.apply_body_limit()
        web.check_csrf()

    @app.after_request
    def _end(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("Content-Security-Policy", web.CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if "Cache-Control" not in response.headers:
            # Pages are the person's own: never kept by a browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
        if g.get("set_lang"):
            response.set_cookie(web.LANG_COOKIE, g.set_lang, max_age=web.ONE_YEAR, samesite="Lax",
                                secure=https, httponly=True)
        rule = request.url_rule
        endpoint = rule.rule if rule is not None else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        REQUESTS.labels("portal", request.method, endpoint, response.status_code).inc()
        LATENCY.labels("portal", endpoint).observe(elapsed)
        if endpoint not in ("/healthz", "/metrics", "/readyz"):
            # The route pattern, never the path or the query (no identifiers in the log).
            log.info("request", extra={"method": request.method, "route": endpoint,
                                       "status": response.status_code, "ms": round(elapsed * 1000, 1)})
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("token", None)
        if token is not None:
            request_id_var.reset(token)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service="portal")

    @app.get("/readyz")
    def readyz():
        # The portal owns no database: it is ready when the API it calls answers.
        try:
            ok = portal.api.http.get(f"{own.gateway_url}/healthz", timeout=2).ok
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            ok = False
        return jsonify(status="ok" if ok else "unavailable", checks={"gateway": ok}), 200 if ok else 503

    @app.get("/metrics")
    def metrics():
        return generate_latest(), 200, {"Content-Type": CONTENT_TYPE_LATEST}

    @app.get("/assets/<digest>/<path:name>")
    def asset(digest, name):
        return portal.assets.serve(digest, name)

    for module in modules:
        app.register_blueprint(module.bp)
    return app


def _nav_items(modules) -> list[dict]:
    """The menu: each feature's NAV entries ({endpoint, label, order, when}) that fit the person now."""
    person = web.me()
    items = []
    for module in modules:
        for entry in getattr(module, "NAV", ()):
            when = entry.get("when", "always")
            if when == "logged_in" and not person:
                continue
            if when == "company" and not (person and person.get("acting_for")):
                continue
            if when == "staff" and not (person and person.get("staff")):
                continue
            items.append(entry)
    return sorted(items, key=lambda e: e.get("order", 100))


SERVICE = ServiceSpec(name="portal", create_app=create_app)
