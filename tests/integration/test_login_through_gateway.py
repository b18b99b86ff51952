"""A person logs in through the gateway with the Asan İmza simulator, acts for a company, and
every service recognises the token; logging out ends it everywhere."""
from __future__ import annotations

import requests

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually


def test_login_switch_to_company_and_read_me(suite):
    head = sim_identity(label="head of 3")
    session = ApiSession(suite.gateway_url).login(head)

    me = session.get("/api/auth/me")
    assert me.status_code == 200
    body = me.json()
    assert body["fin"] == head["fin"] and body["name"] == head["name"] and body["surname"] == head["surname"]
    assert body["acting_for"] is None
    companies = {c["voen"]: c for c in body["companies"]}
    assert len(companies) == 3 and all(c["role"] == "head" for c in companies.values())

    voen = sorted(companies)[0]
    session.act_for(voen)
    me = session.get("/api/auth/me").json()
    assert me["acting_for"] == voen
    assert me["companies"] == body["companies"]

    # Another service verifies the same token itself (JWKS) — the registry's data tracker.
    assert session.get("/api/registry/my-data-access").status_code == 200


def test_logout_stops_the_token_everywhere(suite):
    session = ApiSession(suite.gateway_url).login(sim_identity(label="no job"))
    assert session.get("/api/registry/my-data-access").status_code == 200
    assert session.post("/api/auth/logout").status_code == 204
    assert session.get("/api/auth/me").status_code == 401
    eventually(lambda: session.get("/api/registry/my-data-access").status_code == 401,
               message="the registry refusing a logged-out token")


def test_request_id_travels_through_the_gateway(suite):
    response = ApiSession(suite.gateway_url).get("/api/registry/directories/districts",
                                                 headers={"X-Request-ID": "trace-me-123"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "trace-me-123"
    assert any(d["name_az"].startswith("Şəki") for d in response.json()["items"])


def test_missing_and_forged_tokens_are_refused_with_problems(suite):
    anonymous = ApiSession(suite.gateway_url)
    response = anonymous.get("/api/auth/me")
    assert response.status_code == 401 and response.headers["Content-Type"].startswith("application/problem+json")
    forged = anonymous.get("/api/registry/my-data-access", headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."})
    assert forged.status_code == 401


def test_the_simulator_is_a_process_of_its_own_and_no_service_serves_it(suite):
    """The gateway routes /api/asan-sim to the simulator process; no service has such a route."""
    for name in suite.services:
        assert requests.get(f"{suite.url(name)}/api/asan-sim/identities", timeout=10).status_code == 404, name
    through_gateway = requests.get(f"{suite.gateway_url}/api/asan-sim/identities", timeout=10)
    direct = requests.get(f"{suite.asan_sim_url}/api/asan-sim/identities", timeout=10)
    assert through_gateway.status_code == direct.status_code == 200
    assert through_gateway.json() == direct.json()
    assert not any("staff" in identity for identity in direct.json())
