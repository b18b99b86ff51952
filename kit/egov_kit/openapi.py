"""What every service's OpenAPI document says beyond its schemas, so that it describes what the
service really does (../shared/spec/api.md):

- every error as `application/problem+json` with the problem document the kit sends (`Problem`),
  not flask-smorest's `Error` schema as application/json;
- for each operation the statuses the kit itself may answer: 401 and 403 where a token is needed
  (and the caller's kind may be refused), 400/413/415 where a body may be sent, 422 where input is
  parsed, 404 where the path names an object, 429 and 503 everywhere (the gateway's rate limit,
  something depended on being down); a service adds its own refusals with `alt_response(409)` and
  the like, which the kit's blueprint documents as problems too;
- who may call it: `security` (the bearer token, or none for public operations) and the extension
  `x-egov-caller`, naming the declared caller (`@requires`): "public", "logged-in", "person",
  "staff", "company:head|authorised", "company:head", "service:<name>|…", or
  {"any_of": [...]} — tests read who may call what from it; and, on company operations that need
  one, `x-egov-scope`: the scope a representative's authority must cover.

No `default` response: a status not listed is one the service does not answer."""
from __future__ import annotations

import http

from flask_smorest import Api
from marshmallow import INCLUDE, Schema, fields, validate

PROBLEM_CONTENT_TYPE = "application/problem+json"
CALLER_EXTENSION = "x-egov-caller"
# The company function a company operation opens (contracts, accidents, insurers, notifications):
# a representative's authority must cover it.
SCOPE_EXTENSION = "x-egov-scope"
BEARER = [{"bearer": []}]


class Problem(Schema):
    """RFC 9457 problem details, as the kit sends them (errors.problem_document); a problem may
    carry further members (the gateway adds `request_id`)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "always about:blank", "example": "about:blank"})
    title = fields.String(required=True, metadata={"description": "the status in words, in the answer's language"})
    status = fields.Integer(required=True, validate=validate.Range(min=400, max=599),
                            metadata={"description": "the HTTP status"})
    detail = fields.String(required=True, metadata={"description": "what is wrong, in the caller's language "
                                                                   "(Accept-Language: az, the default, or en)"})
    code = fields.String(metadata={"description": "a stable message code, for programs"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "the inputs at fault: {field: [message, ...]}; "
                                                  "nested fields as `victims.0.fin`"})


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                                "schema": {"type": "integer"}}}

# Error statuses the kit answers (or the gateway in front of every service), with what they mean.
ERROR_RESPONSES: dict[int, tuple[str, dict]] = {
    400: ("the body is not JSON the service takes: malformed, nested too deeply, a number too "
          "large, a lone surrogate", {}),
    401: ("no token, or one that is not valid here (forged, expired, logged out, meant for another "
          "service)", {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}),
    403: ("the caller is not of a kind this operation admits (see x-egov-caller), or may not do "
          "this", {}),
    404: ("no such object, or not the caller's to see", {}),
    405: ("the path does not take this method (see Allow)", {}),
    409: ("the object's state does not allow this", {}),
    413: ("the request is too large", {}),
    415: ("the body is not application/json (or multipart where files are uploaded)", {}),
    422: ("the input is wrong; `errors` names the fields", {}),
    429: ("too many requests; see Retry-After", _RETRY_AFTER),
    503: ("something the service depends on is unavailable; try again shortly", _RETRY_AFTER),
}


def error_response(status: int, description: str | None = None) -> dict:
    """The OpenAPI response object of an error status (a problem document)."""
    default, headers = ERROR_RESPONSES.get(status, (http.HTTPStatus(status).phrase, {}))
    response = {"description": description or default,
                "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if headers:
        response["headers"] = headers
    return response


class ServiceApi(Api):
    """flask-smorest's Api documenting errors as the kit sends them."""

    ERROR_SCHEMA = Problem
    DEFAULT_ERROR_RESPONSE_NAME = None  # no `default`: each operation lists what it answers

    def _register_responses(self):
        # flask-smorest refers to responses by status name (arguments → UNPROCESSABLE_ENTITY).
        self.spec.components.schema("Problem", schema=Problem)
        for status in http.HTTPStatus:
            if status >= 400:
                self.spec.components.response(status.name, error_response(int(status)), lazy=True)
            else:
                self.spec.components.response(status.name, {"description": status.phrase}, lazy=True)


def _has(responses: dict, status: int) -> bool:
    return status in responses or str(status) in responses


def document_operation(doc: dict, *, caller, rule: str, method: str, body_parsed: bool) -> dict:
    """Adds to one operation's document who may call it and the statuses the kit answers."""
    responses = doc.setdefault("responses", {})

    def add(status: int):
        if not _has(responses, status):
            responses[str(status)] = http.HTTPStatus(status).name

    if caller is not None:
        doc[CALLER_EXTENSION] = caller.declaration
        # A company caller's scope, also as one alternative of an any_of (company or staff).
        scope = caller.scope or next((c.scope for c in caller.alternatives if c.scope), None)
        if scope:
            doc[SCOPE_EXTENSION] = scope
        doc["security"] = BEARER if caller.needs_token else []
        if caller.needs_token:
            add(401)
        if caller.refuses:
            add(403)
    else:
        # Not declared: refused to everyone (access.ServiceBlueprint fails closed).
        add(403)
    if method in ("post", "put", "patch"):
        for status in (400, 413, 415):
            add(status)
    if body_parsed:
        add(422)
    if "<" in rule:
        add(404)
    add(429)
    add(503)
    return doc


def path_parameter(name: str, field, description: str | None = None) -> dict:
    """The OpenAPI description of a path parameter read with one of the kit's field types (its
    pattern and description), for `blp.route(..., parameters=[...])`; the view reads the segment
    with the same field, and documents 422 for a segment that does not match."""
    metadata = dict(getattr(field, "metadata", {}) or {})
    schema = {"type": "string"}
    if metadata.get("pattern"):
        schema["pattern"] = metadata["pattern"]
    return {"in": "path", "name": name, "required": True, "schema": schema,
            "description": description or metadata.get("description", "")}
