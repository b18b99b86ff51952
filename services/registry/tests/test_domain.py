"""The registry's rules, without a database: who may see a person, what a look-up logs, what a
search looks for."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from egov_kit.auth import Principal
from egov_kit.errors import ServiceError

from registry_service import domain

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
CONTRACTS = Principal(kind="service", subject="svc:contracts", service="contracts")
INSPECTOR = Principal(kind="person", subject="3SF9WKL", fin="3SF9WKL", surname="Qasımova", name="Leyla",
                      patronymic="Fərid qızı", acting_for="1400245611", company_role="authorised", roles=["staff"])
NEIGHBOUR = Principal(kind="person", subject="2PLX9DM", fin="2PLX9DM")


def test_who_may_see_a_person():
    assert domain.may_see_person(CONTRACTS, "5ZK2M7P")
    assert domain.may_see_person(INSPECTOR, "5ZK2M7P")
    assert domain.may_see_person(NEIGHBOUR, "2PLX9DM")
    assert not domain.may_see_person(NEIGHBOUR, "5ZK2M7P")


def test_a_person_looked_up_for_a_company_sees_which_company():
    entry = domain.access_entry(INSPECTOR, "5ZK2M7P", "staff-inquiry", AT)
    assert entry == {"subject_fin": "5ZK2M7P", "service": "registry", "purpose": "staff-inquiry", "at": AT,
                     "accessor": {"kind": "person", "fin": "3SF9WKL", "name": "Qasımova Leyla Fərid qızı",
                                  "organization_voen": "1400245611"}}
    assert domain.access_entry(INSPECTOR, "3SF9WKL", None, AT) is None


PURPOSES = {"login": {"code": "login", "name_az": "Sistemə giriş", "name_en": "Log-in"}}


def test_a_purpose_is_a_code_of_the_directory_and_required_where_the_look_up_is_logged():
    domain.check_purpose("login", PURPOSES, required=True)
    domain.check_purpose(None, PURPOSES, required=False)
    for purpose, required, code in [("Login", False, "unknown_lookup_purpose"),
                                    ("why not", True, "unknown_lookup_purpose"),
                                    (None, True, "lookup_purpose_required")]:
        with pytest.raises(ServiceError) as caught:
            domain.check_purpose(purpose, PURPOSES, required=required)
        assert (caught.value.status, caught.value.errors) == (422, {"X-Purpose": [code]})


def test_a_purpose_is_shown_by_its_name_in_the_readers_language():
    assert domain.purpose_as_shown("login", PURPOSES, "az") == {"code": "login", "name": "Sistemə giriş"}
    assert domain.purpose_as_shown("login", PURPOSES, "en") == {"code": "login", "name": "Log-in"}
    assert domain.purpose_as_shown("old free text", PURPOSES, "en") == {"code": "old free text",
                                                                       "name": "old free text"}
    assert domain.purpose_as_shown(None, PURPOSES, "az") is None


@pytest.mark.parametrize(("typed", "looks_for"), [
    ("170110", ("voen", "170110")),
    (" 17 ", ("voen", "17")),
    ("ŞƏKİ  İpək", ("name", "seki ipek")),
    ("1701 Aqro", ("name", "1701 aqro")),
])
def test_what_a_search_looks_for(typed, looks_for):
    assert domain.organization_search(typed) == looks_for


def test_a_search_of_one_character_is_refused_on_q():
    with pytest.raises(ServiceError) as caught:
        domain.organization_search("  ş ")
    assert caught.value.errors == {"q": ["search_too_short"]}
