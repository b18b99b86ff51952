"""Who may call a route is declared at the route and checked before the body is read."""
from __future__ import annotations

import pytest
from flask.views import MethodView
from marshmallow import Schema

from egov_kit.access import COMPANY, PERSON, PUBLIC, STAFF, ServiceBlueprint, any_of, caller, company, requires, \
    service, undeclared_views
from egov_kit.app import create_service_app
from egov_kit.authority import LocalAuthority, caller_standing
from egov_kit.auth import Principal
from egov_kit.config import load_settings
from egov_kit.paging import PageQuery, page, page_schema
from egov_kit.validators import Fin


class PersonIn(Schema):
    fin = Fin(required=True)


class ItemOut(Schema):
    from marshmallow import fields
    name = fields.String()


HEAD_FIN, REP_FIN = "1AB2CD3", "7MW3KZS"


def standings(voen: str, fin: str) -> dict:
    """The contracts service's answer, as a rule of the test's own: 1AB2CD3 heads every company;
    7MW3KZS holds an authority for notifications until the end of 2030."""
    if fin == REP_FIN:
        return {"voen": voen, "fin": fin, "head": False, "scopes": ["notifications"], "authority_id": "a1",
                "valid_until": "2030-12-31"}
    return {"voen": voen, "fin": fin, "head": fin == HEAD_FIN, "scopes": [], "authority_id": None,
            "valid_until": None}


def make_app(monkeypatch, principal: Principal | None, asked: list | None = None):
    """An app whose token check answers with `principal` (None: no token sent), and whose company
    callers learn where a person stands from `standings` (each question noted in `asked`)."""
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    app, api = create_service_app(load_settings("demo"), title="Demo")

    def check(voen: str, fin: str) -> dict:
        if asked is not None:
            asked.append((voen, fin))
        return standings(voen, fin)
    app.extensions["egov"].authority = LocalAuthority(check)
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

    @blp.route("/hooks")
    class Hooks(MethodView):
        @requires(company(scope="notifications"))
        @blp.arguments(PersonIn)
        def post(self, body):
            standing = caller_standing()
            return {"authority_id": standing.authority_id, "head": standing.head}

        @requires(company(scope="accidents"))
        def get(self):
            return {"ok": True}

    @blp.route("/hooks/confirmation")
    class Confirmation(MethodView):
        @requires(company("head", scope="notifications"))
        def post(self):
            return {"ok": True}

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


def person(fin: str = HEAD_FIN, **kw) -> Principal:
    return Principal(kind="person", subject="p", fin=fin, **kw)


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


# --- company callers: the authority, checked live, by scope -----------------------------------

def rep(voen: str = "1234567890") -> Principal:
    return person(REP_FIN, acting_for=voen, company_role="authorised")


def test_a_representative_is_let_in_only_under_the_scopes_of_the_authority(monkeypatch):
    client = make_app(monkeypatch, rep()).test_client()
    allowed = client.post("/api/demo/hooks", json={"fin": "1ab2cd3"})
    assert allowed.status_code == 200 and allowed.get_json() == {"authority_id": "a1", "head": False}
    refused = client.get("/api/demo/hooks", headers={"Accept-Language": "en"})
    assert refused.status_code == 403 and refused.get_json()["code"] == "scope_missing"
    assert '"accidents"' in refused.get_json()["detail"]  # names the scope the authority lacks
    assert client.post("/api/demo/people", json={"fin": "1ab2cd3"}).status_code == 201  # COMPANY: any scope
    # A head-only route: the token's role is refused first, whatever the authority.
    assert client.post("/api/demo/hooks/confirmation").get_json()["code"] == "not_your_company"


def test_the_head_acts_under_any_scope_and_nobody_else_without_an_authority(monkeypatch):
    head = make_app(monkeypatch, person(acting_for="1234567890", company_role="head")).test_client()
    assert head.get("/api/demo/hooks").status_code == 200
    assert head.post("/api/demo/hooks/confirmation").status_code == 200
    assert head.post("/api/demo/hooks", json={"fin": "1ab2cd3"}).get_json() == {"authority_id": None, "head": True}
    # A token claiming a role the registries do not back is not enough.
    pretender = make_app(monkeypatch, person("9ZZ9ZZ9", acting_for="1234567890", company_role="head")).test_client()
    for response in (pretender.get("/api/demo/hooks"), pretender.post("/api/demo/people", json={"fin": "1ab2cd3"})):
        assert response.status_code == 403 and response.get_json()["code"] == "no_authority"
    assert pretender.post("/api/demo/hooks/confirmation").get_json()["code"] == "not_head"
    before_the_body = pretender.post("/api/demo/hooks", json={"fin": "bad"})
    assert before_the_body.status_code == 403 and "errors" not in before_the_body.get_json()
    claiming = make_app(monkeypatch, person("9ZZ9ZZ9", acting_for="1234567890", company_role="authorised"))
    assert claiming.test_client().get("/api/demo/hooks").get_json()["code"] == "no_authority"


def test_the_authority_is_asked_on_every_request_and_once_in_it(monkeypatch):
    asked: list = []
    client = make_app(monkeypatch, rep(), asked).test_client()
    for _ in range(3):
        client.post("/api/demo/hooks", json={"fin": "1ab2cd3"})
    assert asked == [("1234567890", REP_FIN)] * 3
    assert make_app(monkeypatch, person(), asked).test_client().get("/api/demo/staff").status_code == 403
    assert len(asked) == 3  # a route for no company asks nothing


def test_a_company_caller_names_a_known_scope():
    assert company(scope="insurers").scope == "insurers" and COMPANY.scope is None
    assert company("head", scope="insurers").name == "company:head"  # the scope is documented on its own (x-egov-scope)
    with pytest.raises(ValueError):
        company(scope="payroll")
