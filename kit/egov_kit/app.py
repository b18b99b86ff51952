"""App factory shared by every service: errors, request id, JSON logs, health, metrics, OpenAPI."""
from __future__ import annotations

import gc
import logging
import os
import re
import threading
import time
import uuid

from flask import Flask, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from .access import check_request_body, declared_rule
from .auth import ServiceTokens, TokenVerifier
from .bus import wake_relay_if_events
from .config import Settings, env_bool
from .errors import install_error_handlers
from .http import ServiceClient
from .logs import configure_logging, request_id_var
from .mongo import database
from .openapi import ServiceApi
from .registry import RegistryClient

log = logging.getLogger("egov.http")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")

REQUESTS = Counter("egov_http_requests_total", "HTTP requests", ["service", "method", "endpoint", "status"])
LATENCY = Histogram("egov_http_request_seconds", "HTTP request latency", ["service", "endpoint"])


class Kit:
    """What a service needs at request time, hung on app.extensions['egov']."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.verifier = TokenVerifier(settings.jwks_url, settings.access_token_audience, settings.service)
        self.tokens = ServiceTokens(settings.service, settings.auth_url, settings.service_client_secret)
        self.client = ServiceClient(settings.service, self.tokens)
        self._listener = None
        self._listener_pid = None
        self._listener_lock = threading.Lock()
        self._prepared_pid = None
        self._registry: RegistryClient | None = None
        self._authority = None
        # The service's use cases (its service.py class), set by its create_app; routes reach
        # them with current_service().
        self.service = None

    def prepare_process(self) -> None:
        """Once in each worker process, on its first request (after gunicorn forks)."""
        if self._prepared_pid == os.getpid():
            return
        with self._listener_lock:
            if self._prepared_pid == os.getpid():
                return
            # What exists now (the app, its schemas, every imported module) lives as long as the
            # process: kept out of the collector's reach, every later collection is cheaper.
            gc.collect()
            gc.freeze()
            self._prepared_pid = os.getpid()
        self.ensure_revocation_listener()

    def ensure_revocation_listener(self) -> None:
        """Started in each worker process on its first request (after gunicorn forks)."""
        if self._listener_pid == os.getpid() or not env_bool("REVOCATION_LISTENER", True):
            return
        with self._listener_lock:
            if self._listener_pid != os.getpid():
                from .revocations import RevocationListener
                self._listener = RevocationListener(self.verifier.revoked, self.settings.amqp_url,
                                                    self.settings.exchange, self.settings.auth_url,
                                                    self.settings.service, tokens=self.tokens)
                self._listener.start()
                self._listener_pid = os.getpid()

    @property
    def db(self):
        return database(self.settings.mongo_uri, self.settings.mongo_db)

    @property
    def registry(self) -> RegistryClient:
        if self._registry is None:
            self._registry = RegistryClient(self.client)
        return self._registry

    @property
    def authority(self):
        """Where a person stands for a company (egov_kit.authority): the contracts service asked
        over HTTP (whether the person is the head: the tax registry first), unless the service
        answers it itself (contracts sets a LocalAuthority)."""
        if self._authority is None:
            from .authority import AuthorityClient
            self._authority = AuthorityClient(self.client, registry=self.registry)
        return self._authority

    @authority.setter
    def authority(self, checker) -> None:
        self._authority = checker


def current_kit() -> Kit:
    return current_app.extensions["egov"]


def current_service():
    """The use cases of the service serving this request (see Kit.service)."""
    return current_app.extensions["egov"].service


def create_service_app(settings: Settings, *, title: str, version: str = "1.0",
                       max_body: int = 2 * 1024 * 1024, readiness=None) -> tuple[Flask, ServiceApi]:
    configure_logging(settings.service)
    app = Flask(settings.service)
    app.config.update(
        API_TITLE=title, API_VERSION=version, OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=f"/api/{settings.service}", OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=max_body, JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    kit = Kit(settings)
    app.extensions["egov"] = kit
    api = ServiceApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}})
    install_error_handlers(app)
    service = settings.service
    # The metric series of each (method, route, status), made once rather than looked up by
    # labels on every request; routes are the app's own patterns, so there are few.
    series: dict[tuple, tuple] = {}

    def _series(method: str, endpoint: str, status: int) -> tuple:
        key = (method, endpoint, status)
        found = series.get(key)
        if found is None:
            found = (REQUESTS.labels(service, method, endpoint, status), LATENCY.labels(service, endpoint))
            if len(series) < 1000:
                series[key] = found
        return found

    @app.before_request
    def _begin():
        started = time.perf_counter()
        if kit._prepared_pid != os.getpid():
            kit.prepare_process()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        g.request_id = request_id
        g.token = request_id_var.set(request_id)
        g.started = started
        # A body is checked (JSON only, safe to parse: access.check_request_body) by the kit's
        # blueprint once the caller is let in, so a stranger gets 401 whatever they send; a view
        # of any other blueprint has its body checked here, at the door.
        if request.url_rule is not None:
            view = app.view_functions.get(request.endpoint)
            if view is not None and declared_rule(view, request.method) is None:
                check_request_body()

    @app.after_request
    def _end(response):
        _drain_unread_body()
        wake_relay_if_events(settings.mongo_db)  # events written by this request leave at once
        now = time.perf_counter()
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if "Authorization" in request.headers and "Cache-Control" not in response.headers:
            # Answers to a logged-in caller are theirs alone: never kept by a browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
        rule = request.url_rule
        endpoint = rule.rule if rule is not None else "unmatched"
        elapsed = now - g.get("started", now)
        method, status = request.method, response.status_code
        count, latency = _series(method, endpoint, status)
        count.inc()
        latency.observe(elapsed)
        if endpoint not in ("/healthz", "/metrics", "/readyz"):
            # The route pattern, not the path: paths carry FİNs and other personal identifiers.
            log.info("request", extra={"method": method, "route": endpoint, "status": status,
                                       "ms": round(elapsed * 1000, 1)})
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("token", None)
        if token is not None:
            request_id_var.reset(token)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=settings.service)

    @app.get("/readyz")
    def readyz():
        checks = {"mongo": _check_mongo(kit), "rabbitmq": _check_amqp(settings.amqp_url)}
        if readiness:
            checks.update(readiness())
        ok = all(checks.values())
        return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503

    @app.get("/metrics")
    def metrics():
        return generate_latest(), 200, {"Content-Type": CONTENT_TYPE_LATEST}

    return app, api


# More than any body the gateway lets through (GATEWAY_MAX_BODY); past it the connection just ends.
DRAIN_LIMIT = 64 * 1024 * 1024


def _drain_unread_body() -> None:
    """Reads what is left of a request body the answer did not need (a refusal before the body:
    401, 403, 413, 415). Answering while the gateway is still sending it resets the connection,
    and the gateway reports that as a 502 instead of the refusal."""
    if not (request.content_length or request.headers.get("Transfer-Encoding")):
        return
    stream = request.environ.get("wsgi.input")
    left = DRAIN_LIMIT
    while stream is not None and left > 0:
        chunk = stream.read(min(left, 256 * 1024))
        if not chunk:
            return
        left -= len(chunk)


def _check_mongo(kit: Kit) -> bool:
    try:
        kit.db.command("ping")
        return True
    except Exception:  # noqa: BLE001 - readiness reports, never raises
        return False


_amqp_checked = {"at": 0.0, "ok": False}


def _check_amqp(url: str) -> bool:
    # Opening a connection is costly; probes come every few seconds, so reuse a fresh answer.
    if time.time() - _amqp_checked["at"] < 2:
        return _amqp_checked["ok"]
    import pika
    try:
        params = pika.URLParameters(url)
        params.socket_timeout = 2
        params.blocked_connection_timeout = 2
        pika.BlockingConnection(params).close()
        ok = True
    except Exception:  # noqa: BLE001
        ok = False
    _amqp_checked.update(at=time.time(), ok=ok)
    return ok
