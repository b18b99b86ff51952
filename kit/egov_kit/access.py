"""Who may call a route, declared at the route, checked before anything else.

    blp = ServiceBlueprint("notices", __name__, url_prefix="/api/contracts")

    @blp.route("/notices")
    class Notices(MethodView):
        @requires(COMPANY)
        @blp.arguments(schemas.NoticeIn)
        @blp.response(201, schemas.NoticeOut)
        def post(self, body):
            notice = current_service().notices.create(actor(), body)

The blueprint checks the declared caller before the view runs (before the body or the query is
parsed, so a stranger learns nothing of the fields); a view with no declaration is refused, so a
forgotten one fails closed, and `undeclared_views` lets a test list them. `caller()` is the
principal the check let in (None on a public route)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, request
from flask_smorest import Blueprint

from .auth import Principal, current_principal, require_company, require_person, require_service, require_staff
from .authority import SCOPES, require as require_authority
from .errors import ServiceError, forbidden

log = logging.getLogger("egov.access")
BEARER = [{"bearer": []}]
_ATTRIBUTE = "_egov_caller"


@dataclass(frozen=True)
class Caller:
    """A kind of caller a route admits: `check` raises 401/403 or returns the principal."""
    name: str
    check: Callable[[], Principal | None]
    needs_token: bool = True
    # The company function it opens (egov_kit.authority.SCOPES), for company callers.
    scope: str | None = None

    def __repr__(self) -> str:
        return f"Caller({self.name})"


PUBLIC = Caller("public", lambda: None, needs_token=False)
# Anyone with a valid token: a person, or one of the suite's services.
ANYONE_LOGGED_IN = Caller("logged-in", lambda: current_principal())
PERSON = Caller("person", require_person)
STAFF = Caller("staff", require_staff)


def company(*roles: str, scope: str | None = None) -> Caller:
    """A person acting for a company (POST /api/auth/role) in one of `roles` (head, authorised),
    checked live on every request: the head now (tax registry), or the holder of an authority in
    force that covers `scope` (None: any authority in force). See egov_kit.authority."""
    roles = tuple(roles or ("head", "authorised"))
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def check() -> Principal:
        principal = require_company(roles=roles)
        require_authority(principal, roles, scope)
        return principal
    return Caller(f"company:{'|'.join(roles)}" + (f":{scope}" if scope else ""), check, scope=scope)


COMPANY = company("head", "authorised")
HEAD = company("head")


def service(*names: str) -> Caller:
    """One of the suite's services (a service token addressed to this one)."""
    return Caller(f"service:{'|'.join(names) or '*'}", lambda: require_service(*names))


def any_of(*callers: Caller) -> Caller:
    """The first of `callers` that admits the request; the first one's refusal otherwise."""
    def check():
        first: ServiceError | None = None
        for candidate in callers:
            try:
                return candidate.check()
            except ServiceError as exc:
                if exc.status == 401:
                    raise
                first = first or exc
        raise first or forbidden()
    return Caller(" or ".join(c.name for c in callers), check)


def requires(rule: Caller):
    """Declares who may call the view (decorate the view method; any place among the others)."""
    def decorate(func):
        setattr(func, _ATTRIBUTE, rule)
        if rule.needs_token:
            func = Blueprint.doc(security=BEARER)(func)
            setattr(func, _ATTRIBUTE, rule)
        return func
    return decorate


def caller() -> Principal | None:
    """The principal let in by the route's declaration (None on a public route)."""
    return g.get("principal")


def declared_rule(view, method: str) -> Caller | None:
    """The declaration of `view` (a function or a MethodView's view) for an HTTP method."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        view = handler
    return getattr(view, _ATTRIBUTE, None) if view is not None else None


class ServiceBlueprint(Blueprint):
    """A flask-smorest blueprint whose every view declares its caller (see `requires`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_check_declared_caller)

    def arguments(self, schema, *args, **kwargs):
        # Given a schema class, webargs would build a new schema on every request; one will do.
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def _check_declared_caller():
    if request.method == "OPTIONS":
        return None
    view = current_app.view_functions.get(request.endpoint)
    rule = declared_rule(view, request.method) if view is not None else None
    if rule is None:
        log.error("route without a declared caller", extra={"route": str(request.url_rule)})
        raise forbidden()
    principal = rule.check()
    if principal is not None:
        g.principal = principal
    return None


KIT_ENDPOINTS = {"healthz", "readyz", "metrics", "static", "api-docs.openapi_json"}


def undeclared_views(app) -> list[str]:
    """`endpoint METHOD` of every route of `app` with no declared caller (the kit's own
    health, metrics and OpenAPI routes are public by nature)."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in KIT_ENDPOINTS or rule.endpoint.startswith("api-docs."):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"OPTIONS", "HEAD"}):
            if declared_rule(view, method) is None:
                missing.append(f"{rule.endpoint} {method}")
    return missing
