"""The registry's HTTP API against the running suite: look-ups, search, directories, and the
citizen's data tracker recording every look-up of their personal data."""
from __future__ import annotations

import pytest
import requests

from devtools.client import ApiSession, sim_identity
from egov_kit.access import undeclared_views

from registry_service import create_app

DIRECTORIES = ("districts", "activity-types", "ownership-types", "legal-forms", "insurer-types",
               "certificate-purposes", "occupations", "termination-grounds", "lookup-purposes")


@pytest.fixture(scope="module")
def service_token(suite):
    response = requests.post(f"{suite.url('auth')}/api/auth/service-tokens", timeout=10, json={
        "client_id": "contracts", "client_secret": suite.env()["SERVICE_CLIENT_SECRET"], "audience": "registry"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def registry(suite):
    return f"{suite.url('registry')}/api/registry"


def test_service_looks_up_a_person_and_the_person_sees_it(suite, registry, service_token):
    employee = sim_identity(label="employee 3")
    response = requests.get(f"{registry}/persons/{employee['fin'].lower()}", timeout=10, headers={
        "Authorization": f"Bearer {service_token}", "X-Purpose": "contract-notice-employee"})
    assert response.status_code == 200
    person = response.json()
    assert person["fin"] == employee["fin"] and person["surname"] == employee["surname"]
    assert person["birth_date"] and person["id_document"]["number"] and person["address"]["text"]

    session = ApiSession(suite.gateway_url).login(employee)
    log = session.get("/api/registry/my-data-access").json()
    assert log["total"] >= 1
    # Logging in makes auth look the person up too; the contracts look-up is among the entries.
    by_contracts = [e for e in log["items"] if e["service"] == "contracts"]
    assert by_contracts and by_contracts[0]["purpose"] == {
        "code": "contract-notice-employee", "name": "Əmək müqaviləsi bildirişi: işçinin məlumatları"}
    assert by_contracts[0]["at"]
    by_auth = [e for e in log["items"] if e["service"] == "auth"]
    assert by_auth and by_auth[0]["purpose"]["code"] == "login"
    in_english = session.get("/api/registry/my-data-access", headers={"Accept-Language": "en"}).json()
    assert [e["purpose"] for e in in_english["items"] if e["service"] == "contracts"][0] == {
        "code": "contract-notice-employee", "name": "Employment contract notice: the employee's details"}


@pytest.mark.parametrize("purpose", ["contract notice auto-fill", "no-such-purpose", "", "x" * 300])
def test_a_purpose_outside_the_directory_is_a_422_naming_the_header(registry, service_token, purpose):
    employee = sim_identity(label="employee 3")
    response = requests.get(f"{registry}/persons/{employee['fin']}", timeout=10, headers={
        "Authorization": f"Bearer {service_token}", "X-Purpose": purpose, "Accept-Language": "en"})
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == ["X-Purpose"]
    missing = requests.get(f"{registry}/persons/{employee['fin']}", timeout=10,
                           headers={"Authorization": f"Bearer {service_token}"})
    assert missing.status_code == 422 and list(missing.json()["errors"]) == ["X-Purpose"]


def test_the_purposes_directory_names_every_purpose_in_both_languages(suite):
    listed = requests.get(f"{suite.gateway_url}/api/registry/directories/lookup-purposes", timeout=10).json()
    codes = {item["code"]: item for item in listed["items"]}
    assert {"login", "company-roles", "contract-notice-employee", "authority-grant", "certificate-addressee",
            "certificate-verifier-organisation", "notice-signed-notification", "staff-inquiry"} <= set(codes)
    assert all(item["name_az"] and item["name_en"] for item in codes.values())


def test_a_person_sees_only_their_own_record(suite):
    person = sim_identity(label="no job 2")
    other = sim_identity(label="employee 4")
    session = ApiSession(suite.gateway_url).login(person)
    assert session.get(f"/api/registry/persons/{person['fin']}").json()["name"] == person["name"]
    assert session.get(f"/api/registry/persons/{other['fin']}").status_code == 404


def test_bad_and_unknown_fin(registry, service_token):
    headers = {"Authorization": f"Bearer {service_token}"}
    bad = requests.get(f"{registry}/persons/12-45", headers={**headers, "X-Purpose": "contract-notice-employee"},
                       timeout=10)
    assert bad.status_code == 422 and "fin" in bad.json()["errors"]
    unknown = requests.get(f"{registry}/persons/0000000", headers={**headers, "X-Purpose": "contract-notice-employee"},
                           timeout=10)
    assert unknown.status_code == 404 and unknown.json()["errors"]["fin"]


def test_organisation_search_ignores_case_and_azerbaijani_letters(suite):
    session = ApiSession(suite.gateway_url).login(sim_identity(label="employee 4"))
    for query in ("seki ipek", "ŞƏKİ İPƏK", "Şəki İpək"):
        found = session.get("/api/registry/organizations", params={"q": query}).json()
        assert [o["voen"] for o in found["items"]] == ["1701100231"], query
        assert (found["total"], found["limit"], found["offset"]) == (1, 20, 0)
        assert "head_fin" not in found["items"][0]
    by_prefix = session.get("/api/registry/organizations", params={"q": "170110"}).json()["items"]
    assert {o["voen"] for o in by_prefix} >= {"1701100121", "1701100231", "1701100341"}
    too_short = session.get("/api/registry/organizations", params={"q": "x"})
    assert too_short.status_code == 422 and "q" in too_short.json()["errors"]
    assert session.get("/api/registry/organizations", params={"head_fin": "5ZK2M7P"}).status_code == 403
    org = session.get("/api/registry/organizations/1701100231").json()
    assert org["name"].startswith('"Şəki İpək')
    assert session.get("/api/registry/organizations/17011").status_code == 422
    assert session.get("/api/registry/organizations/1999999999").status_code == 404


def test_services_find_the_companies_a_person_heads(registry, service_token):
    response = requests.get(f"{registry}/organizations", params={"head_fin": "5ZK2M7P"}, timeout=10,
                            headers={"Authorization": f"Bearer {service_token}"})
    assert [o["voen"] for o in response.json()["items"]] == ["1701100121", "1701100231", "1701100341"]
    assert response.json()["total"] == 3


def test_directories(suite):
    for name in DIRECTORIES:
        response = requests.get(f"{suite.gateway_url}/api/registry/directories/{name}", timeout=10)
        assert response.status_code == 200 and response.json()["items"], name
    districts = requests.get(f"{suite.gateway_url}/api/registry/directories/districts", timeout=10,
                             params={"limit": 200}).json()
    assert districts["name"] == "districts" and districts["total"] == len(districts["items"]) > 20
    assert (districts["limit"], districts["offset"]) == (200, 0)
    assert {"Bakı şəhəri", "Gəncə şəhəri", "Şuşa rayonu"} <= {d["name_az"] for d in districts["items"]}
    first_page = requests.get(f"{suite.gateway_url}/api/registry/directories/districts", timeout=10).json()
    assert first_page["items"] == districts["items"][:20] and first_page["limit"] == 20
    assert requests.get(f"{suite.gateway_url}/api/registry/directories/planets", timeout=10).status_code == 404


def test_every_route_declares_its_callers(mongo_uri, fresh_db):
    app = create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name})
    assert undeclared_views(app) == []
