"""Errors as application/problem+json (RFC 9457), field errors named and translated."""
from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from .i18n import pick_language, title, translate

log = logging.getLogger("egov.errors")
PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """Raise from anywhere in a request to answer with a problem document.

    `errors` maps field names to message codes (see i18n.MESSAGES) or plain messages."""

    def __init__(self, status: int, detail: str | None = None, *, errors: dict | None = None,
                 code: str | None = None, headers: dict | None = None, extra: dict | None = None):
        super().__init__(detail or code or str(status))
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or {}
        self.headers = headers or {}
        self.extra = extra or {}


def field_error(field: str, code: str, status: int = 422) -> Problem:
    return Problem(status, errors={field: [code]}, code=code)


def not_found() -> Problem:
    return Problem(404)


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests errors by location and by sub-field; clients want 'victims.0.fin'."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if prefix == "" and key in ("json", "query", "form", "files", "view_args", "headers") \
                    and isinstance(value, dict):
                out.update(_flatten(value, ""))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = list(messages)
        else:
            for item in messages:
                out.update(_flatten(item, prefix))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


def problem_response(status: int, *, detail: str | None = None, errors: dict | None = None,
                     code: str | None = None, headers: dict | None = None, extra: dict | None = None) -> Response:
    lang = pick_language(request.headers.get("Accept-Language")) if request else "az"
    body = {"type": "about:blank", "title": title(status, lang), "status": status}
    if code and code != "invalid":
        body["code"] = code
        body["detail"] = translate(code, lang)
    if detail:
        body["detail"] = detail
    if errors:
        flat = _flatten(errors)
        body["errors"] = {field: [translate(m, lang) for m in msgs] for field, msgs in flat.items()}
        body.setdefault("detail", translate("invalid", lang) if len(flat) != 1 else
                        f"{next(iter(flat))}: {body['errors'][next(iter(flat))][0]}")
    body.setdefault("detail", body["title"])
    if extra:
        body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)
    response.headers["Content-Language"] = lang
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return problem_response(exc.status, detail=exc.detail, errors=exc.errors, code=exc.code,
                                headers=exc.headers, extra=exc.extra)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        status = exc.code or 500
        if status == 400 and request.is_json is False and request.content_length:
            return problem_response(400, code="invalid_json")
        if messages:
            # webargs puts parse errors here; a JSON body that failed to parse arrives as 400.
            flat = _flatten(messages)
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
