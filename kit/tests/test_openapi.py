"""The OpenAPI document a kit-made service serves says what the service does: errors as
application/problem+json with the problem schema the kit really sends, who may call each operation
(x-egov-caller, security), and the statuses the kit itself answers; no `default` catch-all."""
from __future__ import annotations

import jsonschema
import pytest
from flask.views import MethodView
from marshmallow import Schema, fields

from egov_kit.access import (ANYONE_LOGGED_IN, COMPANY, HEAD, PERSON, PUBLIC, STAFF, ServiceBlueprint, any_of,
                             requires, service)
from egov_kit.authority import LocalAuthority
from egov_kit.app import create_service_app
from egov_kit.auth import Principal
from egov_kit.config import load_settings
from egov_kit.errors import conflict
from egov_kit.openapi import PROBLEM_CONTENT_TYPE, path_parameter
from egov_kit.paging import PageQuery, page, page_schema
from egov_kit.validators import Fin, Voen

BASE = "/api/demo"


class ThingIn(Schema):
    fin = Fin(required=True)
    voen = Voen()


class ThingOut(Schema):
    name = fields.String()


def make_app(monkeypatch, principal: Principal | None = None, max_body: int = 2048):
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    app, api = create_service_app(load_settings("demo"), title="Demo", max_body=max_body)
    blp = ServiceBlueprint("demo", __name__, url_prefix=BASE)

    @blp.route("/things")
    class Things(MethodView):
        @requires(PUBLIC)
        @blp.arguments(PageQuery, location="query")
        @blp.response(200, page_schema(ThingOut))
        def get(self, query):
            return page([], 0, query)

        @requires(PERSON)
        @blp.arguments(ThingIn)
        @blp.response(201, ThingOut)
        def post(self, body):
            return {"name": body["fin"]}

    @blp.route("/things/<thing_id>")
    class Thing(MethodView):
        @requires(COMPANY)
        @blp.response(200, ThingOut)
        @blp.alt_response(409, description="already done")
        def delete(self, thing_id):
            raise conflict("already_done")

    @blp.route("/by-voen/<voen>", parameters=[path_parameter("voen", Voen())])
    class ByVoen(MethodView):
        @requires(ANYONE_LOGGED_IN)
        @blp.response(200, ThingOut)
        def get(self, voen):
            return {"name": voen}

    @blp.route("/either")
    class Either(MethodView):
        @requires(any_of(PERSON, service("notifier")))
        @blp.response(200, ThingOut)
        def get(self):
            return {"name": "x"}

    @blp.route("/heads")
    class Heads(MethodView):
        @blp.response(200, ThingOut)
        @requires(HEAD)  # below the others: still documented
        def get(self):
            return {"name": "x"}

    @blp.route("/staff")
    class Staff(MethodView):
        @requires(STAFF)
        @blp.response(204)
        def post(self):
            return None

    @blp.route("/services")
    class Services(MethodView):
        @requires(service())
        @blp.response(200, ThingOut)
        def get(self):
            return {"name": "x"}

    api.register_blueprint(blp)
    import egov_kit.auth as auth_module

    def fake_current_principal(optional: bool = False):
        from egov_kit.errors import unauthenticated
        if principal is None:
            raise unauthenticated()
        return principal
    monkeypatch.setattr(auth_module, "current_principal", fake_current_principal)
    # Where a person stands for a company, answered here (the live check against contracts is
    # tested in test_authority.py): the person acting is that company's head.
    app.extensions["egov"].authority = LocalAuthority(
        lambda voen, fin: {"voen": voen, "fin": fin, "head": True, "scopes": [], "authority_id": None,
                           "valid_until": None})
    return app


@pytest.fixture
def doc(monkeypatch) -> dict:
    return make_app(monkeypatch).test_client().get(f"{BASE}/openapi.json").get_json()


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield path, method, op


def resolved_response(doc: dict, response: dict) -> dict:
    if "$ref" in response:
        return doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response


def problem_schema(doc: dict) -> dict:
    """The documented problem schema as plain JSON Schema (OpenAPI 3.0's `nullable` aside)."""
    return doc["components"]["schemas"]["Problem"]


def test_every_error_is_documented_as_the_problem_the_kit_sends(doc):
    for path, method, op in operations(doc):
        assert "default" not in op["responses"], (method, path)
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            content = resolved_response(doc, response)["content"]
            assert content == {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}, \
                (method, path, status)
    problem = problem_schema(doc)
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["properties"]["errors"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert problem["additionalProperties"] is True  # the gateway adds request_id
    assert "Error" not in doc["components"]["schemas"]  # flask-smorest's own, never sent


def test_who_may_call_is_declared_on_every_operation(doc):
    callers = {(method, path): op["x-egov-caller"] for path, method, op in operations(doc)}
    assert callers == {
        ("get", f"{BASE}/things"): "public",
        ("post", f"{BASE}/things"): "person",
        ("delete", f"{BASE}/things/{{thing_id}}"): "company:head|authorised",
        ("get", f"{BASE}/by-voen/{{voen}}"): "logged-in",
        ("get", f"{BASE}/either"): {"any_of": ["person", "service:notifier"]},
        ("get", f"{BASE}/heads"): "company:head",
        ("post", f"{BASE}/staff"): "staff",
        ("get", f"{BASE}/services"): "service:*",
    }
    for path, method, op in operations(doc):
        public = op["x-egov-caller"] == "public"
        assert op["security"] == ([] if public else [{"bearer": []}]), (method, path)
        assert ("401" in op["responses"]) is not public, (method, path)
    statuses = {(method, path): set(op["responses"]) for path, method, op in operations(doc)}
    # A caller check that lets in any valid token never answers 403 itself.
    assert "403" not in statuses[("get", f"{BASE}/by-voen/{{voen}}")]
    assert "403" in statuses[("get", f"{BASE}/either")] and "403" in statuses[("post", f"{BASE}/staff")]
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}


def test_the_statuses_the_kit_answers_are_listed(doc):
    statuses = {(method, path): set(op["responses"]) for path, method, op in operations(doc)}
    assert statuses[("post", f"{BASE}/things")] == {"201", "400", "401", "403", "413", "415", "422", "429", "503"}
    assert statuses[("get", f"{BASE}/things")] == {"200", "422", "429", "503"}
    # A path naming an object may answer 404; a service's own refusal is a problem too.
    assert statuses[("delete", f"{BASE}/things/{{thing_id}}")] == {"200", "401", "403", "404", "409", "429", "503"}
    conflict_doc = doc["paths"][f"{BASE}/things/{{thing_id}}"]["delete"]["responses"]["409"]
    assert conflict_doc["description"] == "already done"
    # A body-less POST still answers 400/413/415 to a body it cannot take.
    assert {"400", "413", "415"} <= statuses[("post", f"{BASE}/staff")]
    retry = resolved_response(doc, doc["paths"][f"{BASE}/things"]["get"]["responses"]["429"])
    assert "Retry-After" in retry["headers"]


def test_identifiers_carry_their_format_as_a_pattern(doc):
    fin = doc["components"]["schemas"]["ThingIn"]["properties"]["fin"]
    assert fin["type"] == "string" and fin["pattern"] == "^[ \\t\\r\\n]*[0-9A-Za-z]{7}[ \\t\\r\\n]*$"
    assert "lower case accepted" in fin["description"]
    [voen] = doc["paths"][f"{BASE}/by-voen/{{voen}}"]["parameters"]
    assert voen["in"] == "path" and voen["schema"]["pattern"] == "^[ \\t\\r\\n]*[0-9]{10}[ \\t\\r\\n]*$"


def person(**kw) -> Principal:
    return Principal(kind="person", subject="p", fin="1AB2CD3", **kw)


@pytest.mark.parametrize("principal, method, path, kwargs, status", [
    (None, "post", "/things", {"json": {"fin": "bad"}}, 401),
    (None, "post", "/things", {"data": "{", "content_type": "application/json"}, 401),
    (person(), "post", "/things", {"json": {"fin": "bad", "extra": 1}}, 422),
    (person(), "post", "/things", {"data": "{", "content_type": "application/json"}, 400),
    (person(), "post", "/things", {"data": "fin=x", "content_type": "text/plain"}, 415),
    (person(), "post", "/things", {"json": {"fin": "x" * 5000}}, 413),
    (person(), "post", "/things", {"data": '{"fin": "\\ud800"}', "content_type": "application/json"}, 400),
    (person(), "delete", "/things/1", {}, 403),
    (person(acting_for="1234567890", company_role="head"), "delete", "/things/1", {}, 409),
    (person(), "get", "/nothing-here", {}, 404),
    (None, "put", "/things", {"data": "x", "content_type": "text/plain"}, 405),
    (None, "get", "/things?limit=99999999999999999999999", {}, 422),
    (None, "get", "/things?limit=5&limit=6", {}, 422),   # an integer, not a list of them
])
def test_every_problem_sent_matches_the_documented_schema(monkeypatch, principal, method, path, kwargs, status):
    client = make_app(monkeypatch, principal).test_client()
    doc = client.get(f"{BASE}/openapi.json").get_json()
    response = getattr(client, method)(f"{BASE}{path}", **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_CONTENT_TYPE
    jsonschema.validate(response.get_json(), problem_schema(doc))
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_405_names_the_methods_the_path_takes(monkeypatch):
    client = make_app(monkeypatch).test_client()
    response = client.patch(f"{BASE}/things", json={})
    assert response.status_code == 405 and response.mimetype == PROBLEM_CONTENT_TYPE
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_a_stranger_is_refused_before_the_body_is_looked_at(monkeypatch):
    """Whatever a caller sends, a route that needs a token answers 401 first: no 415, no 400."""
    client = make_app(monkeypatch, None).test_client()
    for kwargs in ({"data": "<xml/>", "content_type": "application/xml"},
                   {"data": "[" * 1000, "content_type": "application/json"}):
        assert client.post(f"{BASE}/things", **kwargs).status_code == 401
