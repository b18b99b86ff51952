"""The running services' OpenAPI documents, read through the gateway, tell the truth about what
every operation takes and answers (../shared/spec/api.md): errors as application/problem+json with
the problem schema, who may call (x-egov-caller, security), identifier formats as patterns, every
number bounded; and the answers nobody documents per operation — an unknown path, a method a path
does not take, a body too large or not JSON — are problems too."""
from __future__ import annotations

import json
import re

import pytest
import requests

from security_support import HTTP_METHODS, is_problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Inputs carrying an identifier of a person, a company or a phone: documented with their pattern.
IDENTIFIER = re.compile(r"^(fin|voen|phone|mobile|user_id|.+_fin|.+_voen)$")
# The Asan İmza simulator stands for the person's phone and card, not a service of the suite.
SIMULATOR = "/api/asan-sim/"


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op, item.get("parameters", []) + op.get("parameters", [])


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = document["components"][kind][name]
    return node


def input_fields(document: dict, schema: dict, where: str, seen=frozenset()):
    """(where, name, schema) of every property of a request body, nested ones included."""
    ref = schema.get("$ref")
    if ref in seen:
        return
    schema = resolve(document, schema)
    for name, prop in (schema.get("properties") or {}).items():
        yield where, name, resolve(document, prop)
        yield from input_fields(document, prop, f"{where}.{name}", seen | {ref})
    if "items" in schema:
        yield from input_fields(document, schema["items"], f"{where}[]", seen | {ref})


def inputs(document: dict):
    """(operation, name, schema) of every parameter and body field the documents describe."""
    for path, method, op, parameters in operations(document):
        label = f"{method.upper()} {path}"
        for parameter in parameters:
            yield label, parameter["name"], resolve(document, parameter.get("schema", {}))
        for content in (op.get("requestBody") or {}).get("content", {}).values():
            for _where, name, schema in input_fields(document, content["schema"], "body"):
                yield label, name, schema


def test_every_error_is_a_problem_document(openapi_documents):
    wrong = []
    for service, document in openapi_documents.items():
        problem = document["components"]["schemas"]["Problem"]
        assert set(problem["required"]) == {"type", "title", "status", "detail"}, service
        for path, method, op, _parameters in operations(document):
            if "default" in op["responses"]:
                wrong.append(f"{service} {method} {path}: a `default` answer")
            for status, response in op["responses"].items():
                content = resolve(document, response).get("content")
                if int(status) >= 400 and content != {"application/problem+json": {"schema": PROBLEM_REF}}:
                    wrong.append(f"{service} {method} {path} {status}: {content}")
    assert wrong == []


def test_who_may_call_is_declared_and_security_follows(openapi_documents):
    wrong = []
    for service, document in openapi_documents.items():
        for path, method, op, _parameters in operations(document):
            caller = op.get("x-egov-caller")
            public = caller == "public"
            expected = [] if public else [{"bearer": []}]
            # (A public operation taking a credential in its body may answer 401 too.)
            if caller is None or op.get("security") != expected or not (public or "401" in op["responses"]):
                wrong.append(f"{service} {method} {path}: caller {caller!r}, security {op.get('security')!r}")
    assert wrong == []


def test_every_number_an_operation_takes_is_bounded(openapi_documents):
    unbounded = [f"{service} {label} {name}" for service, document in openapi_documents.items()
                 for label, name, schema in inputs(document)
                 if schema.get("type") in ("integer", "number")
                 and not ({"minimum", "maximum"} <= schema.keys() or "enum" in schema)]
    assert unbounded == []


def test_identifiers_are_documented_with_their_pattern(openapi_documents):
    found, missing = 0, []
    for service, document in openapi_documents.items():
        for label, name, schema in inputs(document):
            if IDENTIFIER.match(name) and schema.get("type") == "string" and SIMULATOR not in label:
                found += 1
                if not schema.get("pattern"):
                    missing.append(f"{service} {label} {name}")
    assert missing == [] and found >= 8, (found, missing)


def test_a_method_a_path_does_not_take_is_a_405_problem_naming_the_methods(suite, openapi_documents, world):
    values = {name: value for name, (value, _company) in world.path_values().items()}
    wrong = []
    for service, document in openapi_documents.items():
        for path, item in document["paths"].items():
            documented = {m.upper() for m in item if m in HTTP_METHODS}
            method = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in documented)
            url = suite.gateway_url + re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)
            response = requests.request(method, url, timeout=10)
            allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
            implicit = {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
            if response.status_code != 405 or not is_problem(response) or allow != documented | implicit:
                wrong.append(f"{method} {path}: {response.status_code} Allow={sorted(allow)}")
    assert wrong == []


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("GET", "/api/certificates/no/such/thing", {}, 404),           # a service's unknown path
    ("GET", "/api/nosuchservice/x", {}, 404),                      # the gateway's
    ("POST", "/api/auth/asan/sessions", {"data": "phone=1", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/api/auth/asan/sessions", {"data": '{"phone": ', "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/api/auth/asan/sessions", {"data": "[" * 100 + "]" * 100,
                                         "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/api/auth/asan/sessions", {"data": '{"phone": "\\ud800", "user_id": 1}',
                                         "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/api/auth/asan/sessions", {"data": '{"phone": 1%s}' % ("0" * 5000),
                                         "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/api/auth/asan/sessions", {"json": {"pad": "x" * 3_000_000}}, 413),            # the service's limit
    ("POST", "/api/auth/asan/sessions", {"data": b"x" * 11_000_000,
                                         "headers": {"Content-Type": "application/json"}}, 413),  # the gateway's
    ("GET", "/api/registry/directories/districts?offset=1%s" % ("0" * 40), {}, 422),
    ("GET", "/api/registry/directories/districts?limit=5&limit=6", {}, 422),
])
def test_what_no_operation_documents_is_a_problem_too(suite, method, path, kwargs, status):
    response = requests.request(method, f"{suite.gateway_url}{path}", timeout=30, **kwargs)
    assert response.status_code == status, response.text[:300]
    assert is_problem(response) and response.json()["status"] == status


@pytest.mark.parametrize("method, path, headers, status", [
    ("TRACE", "/api/certificates/contracts", {}, 405),
    ("GET", "/api/registry/directories/districts?q=" + "x" * 9000, {}, 414),
    ("GET", "/api/registry/directories/districts", {"X-Padding": "x" * 9000}, 431),
])
def test_gateway_limits(suite, method, path, headers, status):
    """What nginx refuses before any route is a problem document like the gateway's others."""
    response = requests.request(method, f"{suite.gateway_url}{path}", headers=headers, timeout=10)
    assert response.status_code == status and is_problem(response), response.text[:200]
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    assert problem["request_id"] == response.headers["X-Request-ID"]
    if response.status_code == 405:
        assert response.headers.get("Allow")


@pytest.mark.parametrize("path, status", [("/api/certificates/verifications", 401),  # refused before the body
                                          ("/api/auth/asan/sessions", 413)])       # over the service's limit
def test_a_refusal_that_needs_no_body_is_not_lost_while_the_body_still_arrives(suite, path, status):
    """The service answers before reading a large body; the gateway is still sending it. Unless the
    service reads it anyway, the connection is reset and the gateway answers 502 instead."""
    body = json.dumps({"pad": "x" * 3_000_000})
    answers = [requests.post(f"{suite.gateway_url}{path}", data=body, timeout=30,
                             headers={"Content-Type": "application/json"}).status_code for _ in range(20)]
    assert answers == [status] * 20
