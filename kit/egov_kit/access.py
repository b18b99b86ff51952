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
principal the check let in (None on a public route). A body is looked at only once the caller is
let in (`check_request_body`: JSON that is safe to parse, or multipart).

The OpenAPI document says the same (openapi.py): each operation's `x-egov-caller` and `security`,
401/403 where they can happen, and every error as a problem document — `alt_response(409, ...)`
without a schema documents a problem."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable

from flask import current_app, g, request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy

from . import safejson
from .auth import Principal, current_principal, require_company, require_person, require_service, require_staff
from .authority import SCOPES, require as require_authority
from .errors import ServiceError, forbidden
from .openapi import PROBLEM_CONTENT_TYPE, document_operation, error_response

log = logging.getLogger("egov.access")
_ATTRIBUTE = "_egov_caller"


@dataclass(frozen=True)
class Caller:
    """A kind of caller a route admits: `check` raises 401/403 or returns the principal.

    `name` is what the OpenAPI document declares (x-egov-caller); `refuses` says whether the check
    may turn a valid token away (403); `alternatives` are the callers of an any_of."""
    name: str
    check: Callable[[], Principal | None]
    needs_token: bool = True
    refuses: bool = True
    alternatives: tuple = ()
    # The company function it opens (egov_kit.authority.SCOPES), for company callers.
    scope: str | None = None

    def __repr__(self) -> str:
        return f"Caller({self.name})"

    @property
    def declaration(self):
        """What x-egov-caller says: the name, or {"any_of": [names]}."""
        if self.alternatives:
            return {"any_of": [c.declaration for c in self.alternatives]}
        return self.name

    def checked_by(self, check: Callable[[], Principal | None]) -> "Caller":
        """The same kind of caller, checked another way (auth checks its own tokens itself)."""
        return replace(self, check=check)


PUBLIC = Caller("public", lambda: None, needs_token=False, refuses=False)
# Anyone with a valid token: a person, or one of the suite's services.
ANYONE_LOGGED_IN = Caller("logged-in", lambda: current_principal(), refuses=False)
PERSON = Caller("person", require_person)
STAFF = Caller("staff", require_staff)


def company(*roles: str, scope: str | None = None) -> Caller:
    """A person acting for a company (POST /api/auth/role) in one of `roles` (head, authorised),
    checked live on every request: the head (tax registry), or the holder of an authority in
    force that covers `scope` (None: any authority in force). See egov_kit.authority."""
    roles = tuple(roles or ("head", "authorised"))
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def check() -> Principal:
        principal = require_company(roles=roles)
        require_authority(principal, roles, scope)
        return principal
    return Caller(f"company:{'|'.join(roles)}", check, scope=scope)


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
    return Caller(" or ".join(c.name for c in callers), check,
                  needs_token=all(c.needs_token for c in callers),
                  refuses=all(c.refuses for c in callers), alternatives=tuple(callers))


def requires(rule: Caller):
    """Declares who may call the view (decorate the view method; any place among the others).
    The OpenAPI document shows it (x-egov-caller, security, 401/403: see openapi.py)."""
    def decorate(func):
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


class _OnceOnly(MultiDictProxy):
    """Query parameters as the schema reads them, but a parameter it takes once, given more than
    once, reaches it as a list and is refused (422): `?offset=1&offset=2` is not an integer, as the
    document says, rather than silently the first of them."""

    def __init__(self, multidict, schema, known_multi_fields=()):
        super().__init__(multidict, schema, known_multi_fields)
        self.single = {field.data_key or name for name, field in schema.fields.items()} - self.multiple_keys

    def __getitem__(self, key):
        if key in self.single and hasattr(self.data, "getlist"):
            values = self.data.getlist(key)
            if len(values) > 1:
                return values
        return super().__getitem__(key)


class _Parser(FlaskParser):
    def load_querystring(self, req, schema):
        return self._makeproxy(req.args, schema, cls=_OnceOnly)


class ServiceBlueprint(Blueprint):
    """A flask-smorest blueprint whose every view declares its caller (see `requires`), and whose
    OpenAPI document says so, with the errors the kit answers as problems (openapi.py)."""

    ARGUMENTS_PARSER = _Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_check_declared_caller)
        self._prepare_doc_cbks.append(self._prepare_egov_doc)

    def arguments(self, schema, *args, **kwargs):
        # Given a schema class, webargs would build a new schema on every request; one will do.
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    def alt_response(self, status_code, response=None, **kwargs):
        """An error status (4xx/5xx) with no schema of its own is documented as a problem."""
        if response is None and kwargs.get("schema") is None and not kwargs.get("success") \
                and int(status_code) >= 400:
            documented = error_response(int(status_code), kwargs.get("description"))
            kwargs.update(description=documented["description"], content_type=PROBLEM_CONTENT_TYPE,
                          schema=documented["content"][PROBLEM_CONTENT_TYPE]["schema"])
            if "headers" in documented:
                kwargs.setdefault("headers", documented["headers"])
        return super().alt_response(status_code, response, **kwargs)

    def add_url_rule(self, rule, endpoint=None, view_func=None, provide_automatic_options=None, **kwargs):
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **kwargs)
        # Keep, for the document, each operation's declared caller and its path.
        endpoint = self._endpoints[-1]
        for method, doc_info in self._docs.get(endpoint, {}).items():
            if method == "parameters" or not isinstance(doc_info, dict):
                continue
            handler = getattr(view_func, method, None) if isinstance(view_func, type) else view_func
            doc_info["egov"] = {"caller": getattr(handler, _ATTRIBUTE, None), "rule": rule}

    @staticmethod
    def _prepare_egov_doc(doc, doc_info, *, method, **_kwargs):
        egov = doc_info.get("egov") or {}
        return document_operation(doc, caller=egov.get("caller"), rule=egov.get("rule", ""), method=method,
                                  body_parsed=bool(doc_info.get("arguments")))


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
    check_request_body()
    return None


def check_request_body() -> None:
    """JSON APIs take only JSON bodies (uploads are multipart), refused here (400, 415) rather
    than as a 500 later; checked once the caller is let in, so a stranger learns nothing more."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.content_length or request.data:
        ctype = request.mimetype or ""
        if not (ctype == "application/json" or ctype.endswith("+json") or ctype.startswith("multipart/")):
            raise ServiceError(415, "unsupported_media_type")
        if not ctype.startswith("multipart/"):
            safejson.parse(request.get_data(cache=True))
    elif _requires_json_body():
        # webargs would read a missing body as {}: a PATCH that changes nothing, a POST that
        # names no field. The document says the body is required; so does the service.
        raise ServiceError(422, "body_required")


def _requires_json_body() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    parameters = (getattr(handler, "_apidoc", None) or {}).get("arguments", {}).get("parameters", [])
    return any(p.get("in") == "json" and p.get("required", True) for p in parameters)


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
