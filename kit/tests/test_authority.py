"""The company callers' live check against the suite's real contracts service: the labour
inspectorate's head grants a person an authority for accidents and notifications; a route of
another service (an app of the test's own, verifying real tokens) lets that person in under those
scopes only, the head under any, and nobody from the request after the withdrawal on. On a route
the head may use, the head is let in on the tax registry's word alone, without contracts."""
from __future__ import annotations

import pytest
from flask.views import MethodView

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit.access import ServiceBlueprint, company, requires
from egov_kit.app import create_service_app
from egov_kit.auth import ServiceTokens
from egov_kit.authority import AuthorityClient, Standing, caller_standing, current_standing
from egov_kit.config import load_settings
from egov_kit.errors import ServiceError
from egov_kit.http import ServiceClient
from egov_kit.registry import RegistryClient

INSPECTORATE = "1400245611"


@pytest.fixture(scope="module")
def people(suite):
    head_sim, rep_sim = sim_identity(label="head of the labour inspectorate"), sim_identity(label="no job 1")
    head = ApiSession(suite.gateway_url).login(head_sim).act_for(INSPECTORATE)
    granted = head.post("/api/contracts/authorities", json={"fin": rep_sim["fin"], "valid_until": None,
                                                            "scopes": ["notifications", "accidents"]})
    assert granted.status_code == 201, granted.text
    rep = ApiSession(suite.gateway_url).login(rep_sim)

    def role():  # auth offers the role once it learnt of the grant from the bus
        answer = rep.post("/api/auth/role", json={"voen": INSPECTORATE})
        return answer.json()["access_token"] if answer.status_code == 200 else None
    rep.token = eventually(role, timeout=15, message="the company role after the grant")
    return {"head": head, "rep": rep, "head_fin": head_sim["fin"], "rep_fin": rep_sim["fin"],
            "authority": granted.json()}


@pytest.fixture(scope="module")
def app(suite, service_client):
    """Another service's routes, one per scope, asking the running contracts service."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REVOCATION_LISTENER", "false")
        yield make_app(suite, service_client)


def make_app(suite, service_client):
    settings = load_settings("demo", auth_url=suite.url("auth"), jwks_url=f"{suite.url('auth')}/api/auth/jwks.json")
    app, api = create_service_app(settings, title="Demo")
    app.extensions["egov"].authority = AuthorityClient(service_client("notifier"))
    blp = ServiceBlueprint("demo", __name__, url_prefix="/api/demo")

    def route(path: str, caller):
        class View(MethodView):
            @requires(caller)
            def get(self):
                standing = caller_standing()
                return {"head": standing.head, "authority_id": standing.authority_id}
        View.__name__ = path.strip("/").replace("/", "_")
        blp.route(path)(View)

    class Everything(MethodView):  # a view that wants more than whether the head came in
        @requires(company(scope="accidents"))
        def get(self):
            standing = caller_standing()
            full = current_standing(standing.voen, standing.fin)
            return {"head": full.head, "authority_id": full.authority_id}
    blp.route("/everything")(Everything)

    route("/accidents", company(scope="accidents"))
    route("/insurers", company(scope="insurers"))
    route("/heads", company("head", scope="notifications"))
    api.register_blueprint(blp)
    return app.test_client()


def get(client, path: str, session: ApiSession):
    return client.get(f"/api/demo{path}", headers={"Authorization": f"Bearer {session.token}",
                                                  "Accept-Language": "en"})


def test_the_client_reads_where_a_person_stands(people, service_client):
    checks = AuthorityClient(service_client("notifier"))
    theirs = checks.standing(INSPECTORATE, people["rep_fin"])
    assert theirs == Standing(voen=INSPECTORATE, fin=people["rep_fin"], head=False,
                              scopes=("accidents", "notifications"), authority_id=people["authority"]["id"],
                              valid_until=None)
    head = checks.standing(INSPECTORATE, people["head_fin"])
    assert head.head and head.authority_id is None and head.scopes == ()
    assert checks.standing("1500012341", people["rep_fin"]) == Standing(voen="1500012341", fin=people["rep_fin"],
                                                                         head=False)
    assert checks.standing("not a voen", people["rep_fin"]).head is False  # nothing asked for nonsense


def test_routes_let_people_in_by_the_scope_and_stop_at_the_withdrawal(people, app):
    rep, head = people["rep"], people["head"]
    allowed = get(app, "/accidents", rep)
    assert allowed.status_code == 200 and allowed.get_json() == {"head": False,
                                                                 "authority_id": people["authority"]["id"]}
    refused = get(app, "/insurers", rep)
    assert refused.status_code == 403 and refused.get_json()["code"] == "scope_missing"
    assert '"insurers"' in refused.get_json()["detail"]
    assert get(app, "/heads", rep).status_code == 403
    for path in ("/accidents", "/insurers", "/heads"):  # the head, under any scope, with no authority
        assert get(app, path, head).get_json() == {"head": True, "authority_id": None}, path

    withdrawn = head.delete(f"/api/contracts/authorities/{people['authority']['id']}")
    assert withdrawn.status_code == 200, withdrawn.text
    after = get(app, "/accidents", rep)  # the same token, the very next request
    assert after.status_code == 403 and after.get_json()["code"] == "no_authority"


def test_without_an_answer_from_contracts_nobody_is_let_in(suite, people, app):
    secret = suite.env()["SERVICE_CLIENT_SECRET"]
    nowhere = AuthorityClient(ServiceClient("notifier", ServiceTokens("notifier", suite.url("auth"), secret),
                                            urls={"contracts": "http://127.0.0.1:9"}))
    with pytest.raises(ServiceError) as refused:
        nowhere.standing(INSPECTORATE, people["head_fin"])
    assert refused.value.status == 503 and refused.value.code == "authority_check_unavailable"
    kit = app.application.extensions["egov"]
    working, kit.authority = kit.authority, nowhere
    try:
        answer = get(app, "/accidents", people["head"])
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert answer.get_json()["code"] == "authority_check_unavailable"
    finally:
        kit.authority = working


def unreachable(suite, target: str) -> ServiceClient:
    secret = suite.env()["SERVICE_CLIENT_SECRET"]
    urls = {name: suite.url(name) for name in suite.service_ports}
    return ServiceClient("notifier", ServiceTokens("notifier", suite.url("auth"), secret),
                         urls={**urls, target: "http://127.0.0.1:9"})


def test_the_head_is_let_in_on_the_registrys_word_without_contracts(suite, people, app, service_client):
    registry = RegistryClient(service_client("notifier"))
    no_contracts = AuthorityClient(unreachable(suite, "contracts"), registry=registry)
    assert no_contracts.standing(INSPECTORATE, people["head_fin"], head_will_do=True) == Standing(
        voen=INSPECTORATE, fin=people["head_fin"], head=True)
    for fin, head_will_do in ((people["rep_fin"], True), (people["head_fin"], False)):
        with pytest.raises(ServiceError) as refused:  # anyone else, or more than the head, is contracts' to say
            no_contracts.standing(INSPECTORATE, fin, head_will_do=head_will_do)
        assert refused.value.code == "authority_check_unavailable"

    kit = app.application.extensions["egov"]
    working, kit.authority = kit.authority, no_contracts
    try:
        for path in ("/accidents", "/heads"):
            assert get(app, path, people["head"]).get_json() == {"head": True, "authority_id": None}, path
        assert get(app, "/accidents", people["rep"]).status_code == 503
        # Let in as the head on the registry's word, but the view asks where he stands in full.
        assert get(app, "/everything", people["head"]).status_code == 503
    finally:
        kit.authority = working


def test_when_the_registry_cannot_say_contracts_is_asked(suite, people, service_client):
    no_registry = AuthorityClient(service_client("notifier"),
                                  registry=RegistryClient(unreachable(suite, "registry")))
    head = no_registry.standing(INSPECTORATE, people["head_fin"], head_will_do=True)
    assert head.head and head.authority_id is None
    rep = no_registry.standing(INSPECTORATE, people["rep_fin"], head_will_do=True)
    assert not rep.head and rep == AuthorityClient(service_client("notifier")).standing(INSPECTORATE,
                                                                                       people["rep_fin"])
