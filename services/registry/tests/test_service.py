"""The registry's use cases called directly on RegistryService, against a seeded database of the
test's own: who may see a person and what the person then sees in their data-access log, what of
an organisation people see, search, and directories."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from egov_kit.auth import Principal
from egov_kit.errors import ServiceError

from registry_service.seed_data import DEMO, DEMO_COMPANIES
from registry_service.service import RegistryService

EMPLOYEE = DEMO["employee_3"]
HEAD = DEMO["multi_head"]
SEKI_IPEK = DEMO_COMPANIES["seki_ipek_tekstil"]
PAGE = {"limit": 20, "offset": 0}


def service_caller(name: str) -> Principal:
    """One of the suite's services, as its service token makes it."""
    return Principal(kind="service", subject=f"svc:{name}", service=name)


def person_caller(demo: str, acting_for: str | None = None) -> Principal:
    """A demo person of the seed, logged in; operations staff carry the staff role."""
    person = DEMO[demo]
    return Principal(kind="person", subject=person["fin"], fin=person["fin"], name=person["name"],
                     surname=person["surname"], patronymic=person["patronymic"], acting_for=acting_for,
                     company_role="head" if acting_for else None, roles=["staff"] if person["staff"] else [])


class Clock:
    """A clock that moves a minute on every reading, so entries' order and times are known."""

    def __init__(self):
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(repository, clock) -> RegistryService:
    return RegistryService(repository, now=clock)


def refusal(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value


NOTICE_EMPLOYEE = {"code": "contract-notice-employee", "name": "Əmək müqaviləsi bildirişi: işçinin məlumatları"}


def test_a_service_looks_a_person_up_and_the_person_sees_it_with_its_purpose(registry, clock):
    person = registry.person(service_caller("contracts"), EMPLOYEE["fin"], "contract-notice-employee")
    assert (person["fin"], person["surname"]) == (EMPLOYEE["fin"], EMPLOYEE["surname"])
    assert person["id_document"]["number"] and person["address"]["text"]

    items, total = registry.my_data_access(person_caller("employee_3"), **PAGE)
    assert total == 1
    assert items == [{"at": clock.at, "accessor": {"kind": "service", "service": "contracts"},
                      "service": "contracts", "purpose": NOTICE_EMPLOYEE}]
    # In English when the person reads in English.
    [entry], _ = registry.my_data_access(person_caller("employee_3"), lang="en", **PAGE)
    assert entry["purpose"] == {"code": "contract-notice-employee",
                                "name": "Employment contract notice: the employee's details"}


def test_the_data_access_log_is_newest_first_and_paged(registry):
    registry.person(service_caller("auth"), EMPLOYEE["fin"], "login")
    registry.person(service_caller("contracts"), EMPLOYEE["fin"], "contract-notice-employee")
    registry.person(service_caller("notifier"), EMPLOYEE["fin"], "notice-signed-notification")

    items, total = registry.my_data_access(person_caller("employee_3"), limit=2, offset=1)
    assert total == 3
    assert [entry["service"] for entry in items] == ["contracts", "auth"]
    # Nobody else's look-ups show in another person's log.
    assert registry.my_data_access(person_caller("employee_4"), **PAGE) == ([], 0)


def test_another_person_is_told_there_is_nobody_and_nothing_is_logged(registry):
    error = refusal(lambda: registry.person(person_caller("employee_4"), EMPLOYEE["fin"], "curious"))
    assert error.status == 404
    assert registry.my_data_access(person_caller("employee_3"), **PAGE) == ([], 0)


def test_the_person_sees_their_own_record_without_a_log_entry(registry):
    person = registry.person(person_caller("employee_3"), EMPLOYEE["fin"])
    assert person["name"] == EMPLOYEE["name"] and person["mobile"] == EMPLOYEE["mobile"]
    assert registry.my_data_access(person_caller("employee_3"), **PAGE) == ([], 0)


def test_staff_see_anyone_and_the_person_sees_who_looked(registry):
    staff = person_caller("staff")
    assert registry.person(staff, EMPLOYEE["fin"], "staff-inquiry")["fin"] == EMPLOYEE["fin"]
    [entry], _ = registry.my_data_access(person_caller("employee_3"), **PAGE)
    assert entry["service"] == "registry"
    assert entry["purpose"] == {"code": "staff-inquiry",
                                "name": "Əməliyyat işçisinin araşdırması (müraciət və ya şikayət üzrə)"}
    assert entry["accessor"] == {"kind": "person", "fin": staff.fin, "name": "Qasımova Leyla Fərid qızı",
                                 "organization_voen": None}


def test_an_unknown_fin_is_a_404_on_the_fin(registry):
    error = refusal(lambda: registry.person(service_caller("contracts"), "0000000", "contract-notice-employee"))
    assert (error.status, error.errors) == (404, {"fin": ["unknown_person"]})


@pytest.mark.parametrize("purpose", ["contract notice auto-fill", "complaint 12", "LOGIN", "districts"])
def test_a_purpose_not_in_the_directory_is_refused_on_the_header_and_nothing_is_logged(registry, purpose):
    for caller in (service_caller("contracts"), person_caller("staff")):
        error = refusal(lambda: registry.person(caller, EMPLOYEE["fin"], purpose))
        assert (error.status, error.errors) == (422, {"X-Purpose": ["unknown_lookup_purpose"]})
    assert registry.my_data_access(person_caller("employee_3"), **PAGE) == ([], 0)
    # Given where no look-up is logged, a purpose must still be a code.
    for call in (lambda: registry.person(person_caller("employee_3"), EMPLOYEE["fin"], purpose),
                 lambda: registry.organization(service_caller("auth"), SEKI_IPEK, purpose),
                 lambda: registry.organizations_headed_by(service_caller("auth"), HEAD["fin"], purpose, **PAGE),
                 lambda: registry.search_organizations(person_caller("employee_4"), "Şəki", purpose, **PAGE)):
        assert refusal(call).errors == {"X-Purpose": ["unknown_lookup_purpose"]}


def test_a_look_up_of_someone_else_must_say_why(registry):
    for caller in (service_caller("notifier"), person_caller("staff")):
        error = refusal(lambda: registry.person(caller, EMPLOYEE["fin"], None))
        assert (error.status, error.errors) == (422, {"X-Purpose": ["lookup_purpose_required"]})
    assert registry.my_data_access(person_caller("employee_3"), **PAGE) == ([], 0)
    # Organisations, and one's own record, need none.
    assert registry.person(person_caller("employee_3"), EMPLOYEE["fin"])["fin"] == EMPLOYEE["fin"]
    assert registry.organization(service_caller("auth"), SEKI_IPEK)["voen"] == SEKI_IPEK
    assert registry.organization(service_caller("certificates"), SEKI_IPEK, "certificate-addressee")


def test_an_entry_logged_before_purposes_were_codes_shows_its_text(registry, repository, clock):
    repository.record_access({"subject_fin": EMPLOYEE["fin"], "accessor": {"kind": "service", "service": "auth"},
                              "service": "auth", "purpose": "login by Asan İmza", "at": clock()})
    [entry], _ = registry.my_data_access(person_caller("employee_3"), **PAGE)
    assert entry["purpose"] == {"code": "login by Asan İmza", "name": "login by Asan İmza"}


def test_who_heads_an_organisation_is_hidden_from_people_who_are_not_staff(registry):
    as_person = registry.organization(person_caller("employee_4"), SEKI_IPEK)
    assert as_person["name"].startswith('"Şəki İpək') and "head_fin" not in as_person
    assert registry.organization(service_caller("auth"), SEKI_IPEK)["head_fin"] == HEAD["fin"]
    assert registry.organization(person_caller("staff"), SEKI_IPEK)["head_fin"] == HEAD["fin"]

    [found], _ = registry.search_organizations(person_caller("employee_4"), "Şəki İpək", **PAGE)
    assert found["voen"] == SEKI_IPEK and "head_fin" not in found


def test_an_unknown_voen_is_a_404_on_the_voen(registry):
    error = refusal(lambda: registry.organization(service_caller("auth"), "1999999999"))
    assert (error.status, error.errors) == (404, {"voen": ["unknown_organization"]})


@pytest.mark.parametrize("typed", ["seki ipek", "SEKI IPEK", "  şəki   İPƏK "])
def test_search_by_name_typed_without_azerbaijani_letters(registry, typed):
    items, total = registry.search_organizations(person_caller("employee_4"), typed, **PAGE)
    assert [org["voen"] for org in items] == [SEKI_IPEK] and total == 1


def test_search_by_voen_prefix_is_paged(registry):
    caller = person_caller("employee_4")
    everything, total = registry.search_organizations(caller, "170110", limit=200, offset=0)
    assert total == len(everything) >= 3
    assert {org["voen"] for org in everything} >= set(DEMO_COMPANIES.values())
    second_page, same_total = registry.search_organizations(caller, "170110", limit=2, offset=2)
    assert same_total == total and second_page == everything[2:4]


@pytest.mark.parametrize("typed", [None, "", " x "])
def test_search_needs_two_characters(registry, typed):
    error = refusal(lambda: registry.search_organizations(person_caller("employee_4"), typed, **PAGE))
    assert (error.status, error.errors) == (422, {"q": ["search_too_short"]})


def test_only_services_list_the_organisations_a_person_heads(registry):
    items, total = registry.organizations_headed_by(service_caller("auth"), HEAD["fin"], **PAGE)
    assert [org["voen"] for org in items] == ["1701100121", "1701100231", "1701100341"] and total == 3
    assert all(org["head_fin"] == HEAD["fin"] for org in items)
    error = refusal(lambda: registry.organizations_headed_by(person_caller("staff"), HEAD["fin"], **PAGE))
    assert error.status == 403


def test_directories_are_paged(registry):
    everything, total = registry.directory("districts", limit=200, offset=0)
    assert total == len(everything) > 20
    assert {"Bakı şəhəri", "Gəncə şəhəri", "Şuşa rayonu"} <= {d["name_az"] for d in everything}
    page, same_total = registry.directory("districts", limit=5, offset=20)
    assert same_total == total and page == everything[20:25]
    assert refusal(lambda: registry.directory("planets", **PAGE)).status == 404
