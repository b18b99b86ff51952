"""Who may call a route is declared at the route and checked before the body is read."""
from __future__ import annotations

import pytest
from flask.views import MethodView
from marshmallow import Schema

from egov_kit.access import COMPANY, PERSON, PUBLIC, STAFF, ServiceBlueprint, any_of, caller, requires, service, \
    undeclared_views
from egov_kit.app import create_service_app
from egov_kit.auth import Principal
from egov_kit.config import load_settings
from egov_kit.paging import PageQuery, page, page_schema
from egov_kit.validators import Fin


class PersonIn(Schema):
    fin = Fin(required=True)


class ItemOut(Schema):
    from marshmallow import fields
    name = fields.String()


def make_app(monkeypatch, principal: Principal | None):
    """An app whose token check answers with `principal` (None: no token sent)."""
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    app, api = create_service_app(load_settings("demo"), title="Demo")
    blp = ServiceBlueprint("demo", __name__, url_prefix="/api/demo")

    @blp.route("/people")
    class People(MethodView):
        @requires(COMPANY)
        @blp.arguments(PersonIn)
        @blp.response(201)
        def post(self, body):
            return {"fin": body["fin"], "for": caller().acting_for}

        @blp.arguments(PageQuery, location="query")
        @blp.response(200, page_schema(ItemOut))
        @requires(PUBLIC)  # below the others: still checked first
        def get(self, query):
            items = [{"name": f"n{i}"} for i in range(1000)]
            return page(items[query["offset"]:query["offset"] + query["limit"]], len(items), query)

    @blp.route("/staff")
    class Staff(MethodView):
        @requires(STAFF)
        def get(self):
            return {"ok": True}

    @blp.route("/either")
    class Either(MethodView):
        @requires(any_of(PERSON, service("notifier")))
        def get(self):
            return {"kind": caller().kind}

    @blp.route("/forgotten")
    class Forgotten(MethodView):
        def get(self):
            return {"leaked": True}

    api.register_blueprint(blp)
    import egov_kit.auth as auth_module

    def fake_current_principal(optional: bool = False):
        from egov_kit.errors import unauthenticated
        if principal is None:
            raise unauthenticated()
        return principal
    # The token check itself is tested in test_token_verification; here it answers as told.
    monkeypatch.setattr(auth_module, "current_principal", fake_current_principal)
    return app


def person(**kw) -> Principal:
    return Principal(kind="person", subject="p", fin="1AB2CD3", **kw)


def test_a_stranger_gets_401_before_any_field_error(monkeypatch):
    client = make_app(monkeypatch, None).test_client()
    response = client.post("/api/demo/people", json={"fin": "bad"})
    assert response.status_code == 401
    assert "errors" not in response.get_json()


def test_a_person_not_acting_for_a_company_is_refused_before_parsing(monkeypatch):
    client = make_app(monkeypatch, person()).test_client()
    response = client.post("/api/demo/people", json={"fin": "bad"})
    assert response.status_code == 403 and "errors" not in response.get_json()


def test_the_declared_caller_gets_through_and_is_at_hand(monkeypatch):
    client = make_app(monkeypatch, person(acting_for="1234567890", company_role="head")).test_client()
    assert client.post("/api/demo/people", json={"fin": "bad"}).status_code == 422
    response = client.post("/api/demo/people", json={"fin": "1ab2cd3"})
    assert response.status_code == 201 and response.get_json() == {"fin": "1AB2CD3", "for": "1234567890"}


def test_staff_only(monkeypatch):
    assert make_app(monkeypatch, person()).test_client().get("/api/demo/staff").status_code == 403
    assert make_app(monkeypatch, person(roles=["staff"])).test_client().get("/api/demo/staff").status_code == 200


def test_any_of(monkeypatch):
    notifier = Principal(kind="service", subject="service:notifier", service="notifier")
    other = Principal(kind="service", subject="service:contracts", service="contracts")
    assert make_app(monkeypatch, notifier).test_client().get("/api/demo/either").get_json() == {"kind": "service"}
    assert make_app(monkeypatch, person()).test_client().get("/api/demo/either").get_json() == {"kind": "person"}
    assert make_app(monkeypatch, other).test_client().get("/api/demo/either").status_code == 403


def test_a_view_without_a_declaration_is_refused_and_listed(monkeypatch):
    app = make_app(monkeypatch, person(roles=["staff"]))
    assert app.test_client().get("/api/demo/forgotten").status_code == 403
    assert undeclared_views(app) == ["demo.Forgotten GET"]


def test_public_lists_page_in_the_one_shape(monkeypatch):
    client = make_app(monkeypatch, None).test_client()
    body = client.get("/api/demo/people").get_json()
    assert body["total"] == 1000 and body["limit"] == 20 and body["offset"] == 0 and len(body["items"]) == 20
    body = client.get("/api/demo/people?limit=200&offset=990").get_json()
    assert [i["name"] for i in body["items"]] == [f"n{i}" for i in range(990, 1000)]


@pytest.mark.parametrize("query", ["limit=201", "limit=0", "offset=-1", "offset=9223372036854775808",
                                   "limit=abc", "offset=" + "9" * 5000])
def test_bad_paging_is_a_field_error(monkeypatch, query):
    response = make_app(monkeypatch, None).test_client().get(f"/api/demo/people?{query}")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) <= {"limit", "offset"}


def test_openapi_marks_the_routes_that_need_a_token(monkeypatch):
    spec = make_app(monkeypatch, None).test_client().get("/api/demo/openapi.json").get_json()
    assert spec["paths"]["/api/demo/people"]["post"]["security"] == [{"bearer": []}]
    assert spec["paths"]["/api/demo/people"]["get"]["security"] == []  # public: explicitly none
    assert spec["paths"]["/api/demo/people"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ItemPage"}


def test_answers_to_a_logged_in_caller_are_not_cached(monkeypatch):
    client = make_app(monkeypatch, person(acting_for="1234567890", company_role="head")).test_client()
    response = client.post("/api/demo/people", json={"fin": "1ab2cd3"}, headers={"Authorization": "Bearer x"})
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in make_app(monkeypatch, None).test_client().get("/api/demo/people").headers
