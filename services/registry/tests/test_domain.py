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
    entry = domain.access_entry(INSPECTOR, "5ZK2M7P", "inspection 7", AT)
    assert entry == {"subject_fin": "5ZK2M7P", "service": "registry", "purpose": "inspection 7", "at": AT,
                     "accessor": {"kind": "person", "fin": "3SF9WKL", "name": "Qasımova Leyla Fərid qızı",
                                  "organization_voen": "1400245611"}}
    assert domain.access_entry(INSPECTOR, "3SF9WKL", None, AT) is None


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
