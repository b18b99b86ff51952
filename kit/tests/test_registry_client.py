"""The one registry client, against the suite's real registry service."""
from __future__ import annotations

import pytest

from egov_kit.auth import ServiceTokens
from egov_kit.errors import ServiceError
from egov_kit.http import ServiceClient
from egov_kit.registry import RegistryClient

HEAD_OF_THREE = "5ZK2M7P"  # Məmmədov İlqar, head of three companies (auth's simulator identities)


def test_a_person_is_found_by_fin_in_any_case_and_nobody_by_an_unknown_one(registry_client):
    registry = registry_client("contracts")
    person = registry.person(HEAD_OF_THREE.lower(), purpose="contract-notice-employee")
    assert person["fin"] == HEAD_OF_THREE and person["surname"]
    assert registry.person("0000000", purpose="contract-notice-employee") is None
    assert registry.person("not a fin", purpose="contract-notice-employee") is None


def test_organisations_and_their_heads(registry_client):
    registry = registry_client("contracts")
    headed = registry.organizations_headed_by(HEAD_OF_THREE, purpose="company-roles")
    assert len(headed) == 3
    voen = headed[0]["voen"]
    assert registry.head_fin(voen) == HEAD_OF_THREE
    assert registry.organization(voen, cached=True)["voen"] == voen
    assert registry.organization("0000000000") is None


def test_a_purpose_the_registry_does_not_know_is_a_mistake_not_a_try_again(registry_client):
    registry = registry_client("contracts")
    for purpose in ("kit test", "no-such-purpose"):
        with pytest.raises(RuntimeError, match="X-Purpose"):
            registry.person(HEAD_OF_THREE, purpose=purpose)
    with pytest.raises(RuntimeError, match="X-Purpose"):
        registry.organizations_headed_by(HEAD_OF_THREE, purpose="no-such-purpose")


def test_directories_by_code(registry_client):
    districts = registry_client("certificates").directory("districts")
    assert len(districts) > 50
    code, item = next(iter(districts.items()))
    assert item["code"] == code


def test_an_unreachable_registry_is_a_503_to_try_again(suite):
    secret = suite.env()["SERVICE_CLIENT_SECRET"]
    client = ServiceClient("contracts", ServiceTokens("contracts", suite.url("auth"), secret),
                           urls={"registry": "http://127.0.0.1:9"})
    with pytest.raises(ServiceError) as refused:
        RegistryClient(client).person(HEAD_OF_THREE, purpose="contract-notice-employee")
    assert refused.value.status == 503 and refused.value.code == "registry_unavailable"
    assert refused.value.headers["Retry-After"]


def test_a_head_answered_moments_ago_is_taken_again_only_when_the_caller_allows_its_age(suite):
    """`max_age`: an answer up to that many seconds old is given again without asking (the registry
    gone meanwhile shows it); without it, or once older, the registry is asked."""
    secret = suite.env()["SERVICE_CLIENT_SECRET"]
    client = ServiceClient("contracts", ServiceTokens("contracts", suite.url("auth"), secret),
                           urls={"registry": suite.url("registry")})
    registry = RegistryClient(client)
    voen = registry.organizations_headed_by(HEAD_OF_THREE, purpose="company-roles")[0]["voen"]
    assert registry.head_fin(voen) == HEAD_OF_THREE
    client.urls["registry"] = "http://127.0.0.1:9"  # the registry cannot be reached any more
    assert registry.head_fin(voen, max_age=30) == HEAD_OF_THREE
    for asking in (lambda: registry.head_fin(voen), lambda: registry.head_fin(voen, max_age=0)):
        with pytest.raises(ServiceError) as refused:
            asking()
        assert refused.value.status == 503
