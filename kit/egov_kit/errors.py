"""One error for every service: `ServiceError`, raised by domain rules, use cases, adapters and
routes alike, and answered as application/problem+json (RFC 9457) with its text in Azerbaijani or
English and the fields at fault named.

The error itself knows nothing of Flask (domain code raises it); `install_error_handlers` is the
one place that turns it, and every other failure, into a problem document."""
from __future__ import annotations

import logging

from .i18n import pick_language, title, translate

log = logging.getLogger("egov.errors")
PROBLEM_TYPE = "application/problem+json"


class ServiceError(Exception):
    """A refusal the caller can act on.

    status   the HTTP status (422 field errors, 401, 403, 404, 409, 413, 429, 503, ...)
    code     a message code of the catalogue (egov_kit.i18n, extended by each service's
             messages.py); its text is the problem's `detail`, in the caller's language
    errors   {field: [message code, ...]} for the inputs at fault ("victims.0.fin" for nested)
    detail   a text of its own instead of the code's (rarely: codes translate, texts do not)
    headers  extra response headers (Retry-After, WWW-Authenticate)
    extra    extra members of the problem document
    """

    def __init__(self, status: int, code: str | None = None, errors: dict | None = None, *,
                 detail: str | None = None, headers: dict | None = None, extra: dict | None = None):
        super().__init__(code or detail or str(status))
        self.status = status
        self.code = code
        self.errors = errors or {}
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}

    def text(self, lang: str = "az") -> str:
        """What the refusal says, in `lang`."""
        if self.detail:
            return self.detail
        if self.code:
            return translate(self.code, lang)
        return title(self.status, lang)

    def __repr__(self) -> str:
        return f"ServiceError({self.status}, {self.code!r}, {self.errors!r})"


# The usual refusals, named.

def invalid(errors: dict[str, list[str]]) -> ServiceError:
    """422: the inputs named in `errors` are wrong (codes by field)."""
    return ServiceError(422, "invalid", errors)


def field_error(field: str, code: str, status: int = 422) -> ServiceError:
    """One input is wrong (or, with 409, conflicts with what is stored)."""
    return ServiceError(status, code, {field: [code]})


def not_found() -> ServiceError:
    """404, also for what exists but the caller may not see."""
    return ServiceError(404)


def forbidden(code: str | None = None) -> ServiceError:
    return ServiceError(403, code)


def conflict(code: str, field: str | None = None) -> ServiceError:
    return ServiceError(409, code, {field: [code]} if field else None)


def unauthenticated(code: str | None = None) -> ServiceError:
    return ServiceError(401, code, headers={"WWW-Authenticate": "Bearer"})


def unavailable(code: str = "upstream_unavailable", retry_after: int = 5) -> ServiceError:
    """503: something this service depends on did not answer; try again shortly."""
    return ServiceError(503, code, headers={"Retry-After": str(retry_after)})


# --- the problem document --------------------------------------------------------------------

def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests errors by location and by sub-field; clients want 'victims.0.fin'."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if prefix == "" and key in ("json", "query", "form", "files", "view_args", "path", "headers") \
                    and isinstance(value, dict):
                out.update(flatten_errors(value, ""))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_errors(value, name))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = list(messages)
        else:
            for item in messages:
                out.update(flatten_errors(item, prefix))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


def problem_document(status: int, lang: str, *, code: str | None = None, errors: dict | None = None,
                     detail: str | None = None, extra: dict | None = None) -> dict:
    body = {"type": "about:blank", "title": title(status, lang), "status": status}
    if code and code != "invalid":
        body["code"] = code
        body["detail"] = translate(code, lang)
    if detail:
        body["detail"] = detail
    if errors:
        flat = flatten_errors(errors)
        body["errors"] = {field: [translate(m, lang) for m in msgs] for field, msgs in flat.items()}
        if len(flat) == 1:
            field = next(iter(flat))
            body.setdefault("detail", f"{field}: {body['errors'][field][0]}")
        else:
            body.setdefault("detail", translate("invalid", lang))
    body.setdefault("detail", body["title"])
    if extra:
        body.update(extra)
    return body


def problem_response(status: int, *, detail: str | None = None, errors: dict | None = None,
                     code: str | None = None, headers: dict | None = None, extra: dict | None = None):
    from flask import Response, json, request

    lang = pick_language(request.headers.get("Accept-Language")) if request else "az"
    body = problem_document(status, lang, code=code, errors=errors, detail=detail, extra=extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)
    response.headers["Content-Language"] = lang
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(exc: ServiceError):
    return problem_response(exc.status, detail=exc.detail, errors=exc.errors, code=exc.code,
                            headers=exc.headers, extra=exc.extra)


def install_error_handlers(app) -> None:
    from flask import request
    from werkzeug.exceptions import HTTPException

    app.register_error_handler(ServiceError, error_response)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        status = exc.code or 500
        if status == 400 and request.is_json is False and request.content_length:
            return problem_response(400, code="invalid_json")
        if messages:
            # webargs puts parse errors here; a JSON body that failed to parse arrives as 400.
            flat = flatten_errors(messages)
            if status == 400 and any("Invalid JSON" in m for msgs in flat.values() for m in msgs):
                return problem_response(400, code="invalid_json")
            return problem_response(422 if status == 400 else status, errors=messages)
        if status == 413:
            return problem_response(413, code="too_large")
        if status == 415:
            return problem_response(415, code="unsupported_media_type")
        headers = {}
        if status == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        return problem_response(status, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem_response(500)

