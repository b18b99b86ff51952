"""Rules of notices and authorities, without any server."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from egov_kit.errors import ServiceError

from contracts_service import domain


@pytest.mark.parametrize("typed, qepik", [
    ("1250.5", 125050), ("1250.50", 125050), ("1250", 125000), (1250, 125000), (1250.5, 125050),
    ("0.01", 1), (" 800 ", 80000), ("1250,75", 125075), ("1250.500", 125050),
])
def test_salary_parses_into_integer_qepik(typed, qepik):
    assert domain.parse_salary(typed) == qepik


@pytest.mark.parametrize("typed", ["0", 0, "-5", -5, "abc", "", "1250.555", 12.345, "1e3", True, None,
                                   float("nan"), "12.", ".5", [], {}])
def test_salary_that_is_not_a_positive_amount_is_refused(typed):
    with pytest.raises(ValueError) as exc:
        domain.parse_salary(typed)
    assert str(exc.value) == "salary_invalid"


def test_absurd_salary_is_refused():
    with pytest.raises(ValueError, match="salary_too_large"):
        domain.parse_salary("1000000.01")


@pytest.mark.parametrize("qepik, shown", [(125050, "1250.50"), (125000, "1250.00"), (1, "0.01"), (100, "1.00")])
def test_salary_is_shown_with_two_decimals(qepik, shown):
    assert domain.format_salary(qepik) == shown


def test_round_trip_of_a_typed_salary():
    assert domain.format_salary(domain.parse_salary("1250.5")) == "1250.50"


START = date(2026, 12, 1)


def test_fixed_term_contract_needs_an_end_after_its_start():
    assert domain.check_term("fixed_term", START, None) == {"end_date": ["end_date_required"]}
    assert domain.check_term("fixed_term", START, START) == {"end_date": ["end_date_before_start"]}
    assert domain.check_term("fixed_term", START, date(2026, 11, 30)) == {"end_date": ["end_date_before_start"]}
    assert domain.check_term("fixed_term", START, date(2027, 11, 30)) == {}


def test_indefinite_contract_has_no_end():
    assert domain.check_term("indefinite", START, None) == {}
    assert domain.check_term("indefinite", START, date(2027, 1, 1)) == {"end_date": ["end_date_not_allowed"]}


def test_work_does_not_start_before_the_contract_is_concluded():
    assert domain.check_term("indefinite", START, None, contract_date=date(2026, 12, 2)) == \
        {"start_date": ["start_before_contract"]}
    assert domain.check_term("indefinite", START, None, contract_date=START) == {}


def test_check_notice_raises_a_422_naming_the_field():
    with pytest.raises(ServiceError) as exc:
        domain.check_notice({"contract_type": "fixed_term", "start_date": START, "end_date": None})
    assert exc.value.status == 422 and exc.value.errors == {"end_date": ["end_date_required"]}


def test_switching_to_indefinite_drops_the_old_end_date():
    current = {"contract_type": "fixed_term", "start_date": START, "end_date": date(2027, 1, 1), "position": "A"}
    merged = domain.merge_changes(current, {"contract_type": "indefinite"})
    assert merged["end_date"] is None and merged["position"] == "A"
    # ... but an end date named in the same edit is kept, and then refused by the rules.
    merged = domain.merge_changes(current, {"contract_type": "indefinite", "end_date": date(2027, 2, 1)})
    assert merged["end_date"] == date(2027, 2, 1)


def test_termination_cannot_precede_the_start():
    with pytest.raises(ServiceError) as exc:
        domain.check_termination(START, date(2026, 11, 30))
    assert exc.value.errors == {"date": ["termination_before_start"]}
    domain.check_termination(START, START)


def _notice(status):
    return {"status": status}


def test_state_machine_edit_sign_terminate():
    domain.ensure_editable(_notice("unsigned"))
    domain.ensure_signable(_notice("unsigned"))
    for status in ("signed", "terminated"):
        with pytest.raises(ServiceError) as exc:
            domain.ensure_editable(_notice(status))
        assert exc.value.status == 409
        with pytest.raises(ServiceError):
            domain.ensure_signable(_notice(status))
    domain.ensure_terminable(_notice("signed"))
    for status in ("unsigned", "terminated"):
        with pytest.raises(ServiceError) as exc:
            domain.ensure_terminable(_notice(status))
        assert exc.value.status == 409
    with pytest.raises(ServiceError) as exc:
        domain.ensure_termination_signable({"status": "signed"})
    assert exc.value.code == "no_termination"
    domain.ensure_termination_signable({"status": "signed", "termination": {"date": "2027-01-01"}})
    with pytest.raises(ServiceError):
        domain.ensure_downloadable(_notice("unsigned"))
    domain.ensure_downloadable(_notice("terminated"))


TODAY = date(2026, 11, 23)


def test_authority_status_over_time():
    indefinite = {"status": "active", "valid_until": None}
    until_today = {"status": "active", "valid_until": "2026-11-23"}
    lapsed = {"status": "active", "valid_until": "2026-11-22"}
    withdrawn = {"status": "withdrawn", "valid_until": None}
    assert domain.authority_status(indefinite, TODAY) == "active"
    assert domain.authority_status(until_today, TODAY) == "active"  # works through its last day
    assert domain.authority_status(until_today, date(2026, 11, 24)) == "expired"
    assert domain.authority_status(lapsed, TODAY) == "expired"
    assert domain.authority_status(withdrawn, TODAY) == "withdrawn"


ALL_SCOPES = ("contracts", "accidents", "insurers", "notifications")


def test_scopes_are_a_non_empty_choice_among_the_four_and_omitted_means_all():
    assert domain.normalise_scopes(None) == ALL_SCOPES
    assert domain.normalise_scopes(["notifications", "contracts", "contracts"]) == ("contracts", "notifications")
    for wrong, code in (([], "scopes_empty"), (["contracts", "payroll"], "scope_unknown"), (["Contracts"], "scope_unknown")):
        with pytest.raises(ServiceError) as exc:
            domain.normalise_scopes(wrong)
        assert exc.value.status == 422 and exc.value.errors == {"scopes": [code]}
    # An authority granted before scopes existed covers them all.
    assert domain.authority_scopes({"valid_until": None}) == ALL_SCOPES
    assert domain.authority_scopes({"scopes": ["insurers"]}) == ("insurers",)


def test_who_may_act_in_a_scope():
    contracts_only = {"_id": "a1", "scopes": ["contracts"], "valid_until": None}
    notifications_only = {"_id": "a2", "scopes": ["notifications"], "valid_until": "2026-12-31"}
    refusal = domain.company_refusal
    assert refusal(head=False, authority=contracts_only) is None
    assert refusal(head=False, authority=notifications_only) == "scope_missing"
    assert refusal(head=False, authority=notifications_only, scope="notifications") is None
    assert refusal(head=False, authority=None) == "no_authority"
    # The head reads and manages without an authority, but enters and signs only with his own
    # authority covering contracts (manual 2.7).
    assert refusal(head=True, authority=None) is None
    assert refusal(head=True, authority=None, entering=True) == "head_authority_required"
    assert refusal(head=True, authority=notifications_only, entering=True) == "head_authority_required"
    assert refusal(head=True, authority=contracts_only, entering=True) is None
    assert domain.authority_check_answer("1701100121", "2PLX9DM", False, notifications_only) == {
        "voen": "1701100121", "fin": "2PLX9DM", "head": False, "scopes": ["notifications"], "authority_id": "a2",
        "valid_until": "2026-12-31"}
    assert domain.authority_check_answer("1701100121", "2PLX9DM", True, None) == {
        "voen": "1701100121", "fin": "2PLX9DM", "head": True, "scopes": [], "authority_id": None, "valid_until": None}


def test_the_grant_event_carries_the_scopes():
    granted = {"_id": "a1", "voen": "1701100121", "fin": "2PLX9DM", "valid_until": None,
               "scopes": ["notifications", "contracts"], "granted_by": {"fin": "5ZK2M7P", "name": "x"}}
    assert domain.authority_granted_data(granted) == {
        "authority_id": "a1", "voen": "1701100121", "fin": "2PLX9DM", "valid_until": None,
        "scopes": ["contracts", "notifications"], "granted_by_fin": "5ZK2M7P"}


def test_power_of_attorney_cannot_end_in_the_past():
    domain.check_valid_until(None, TODAY)
    domain.check_valid_until(TODAY, TODAY)
    with pytest.raises(ServiceError) as exc:
        domain.check_valid_until(date(2026, 11, 22), TODAY)
    assert exc.value.errors == {"valid_until": ["valid_until_past"]}


NOTICE = {
    "_id": "n1", "employer": {"voen": "1701100121", "name": "Şəki İnşaat MMC", "legal_address": "Bakı"},
    "employee": {"fin": "4RD6YFC", "surname": "Həsənova", "name": "Nərmin", "patronymic": "Əli qızı",
                 "birth_date": "1990-03-04", "id_document": {"series": "AA", "number": "1"}, "address": "Gəncə"},
    "position": "Mühasib", "occupation_code": "2411", "occupation_name": "Mühasib", "workplace": "Maliyyə şöbəsi",
    "contract_number": "ƏM-15", "contract_date": "2026-11-20", "start_date": "2026-12-01",
    "contract_type": "indefinite", "end_date": None, "salary_qepik": 125050, "working_time": "full",
}


def test_canonical_bytes_are_deterministic_sorted_utf8():
    content = domain.notice_content(NOTICE)
    reordered = dict(reversed(list(content.items())))
    data = domain.canonical_json(content)
    assert data == domain.canonical_json(reordered)
    assert "Həsənova".encode("utf-8") in data  # UTF-8, not \\u escapes
    parsed = json.loads(data)
    assert list(parsed) == sorted(parsed) and parsed["salary"] == "1250.50"


def test_signed_event_carries_the_documented_fields():
    data = domain.signed_event_data(NOTICE, datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc))
    assert set(data) == {"notice_id", "employer_voen", "employer_name", "employee_fin", "employee_name", "position",
                         "occupation_code", "workplace", "contract_number", "contract_date", "start_date",
                         "contract_type", "end_date", "salary", "working_time", "signed_at"}
    assert data["employee_name"] == "Həsənova Nərmin Əli qızı" and data["salary"] == "1250.50"
    assert data["signed_at"].startswith("2026-11-23T19:00:00")


def test_search_ignores_case_and_azerbaijani_letters():
    key = domain.search_key(NOTICE)
    assert domain.fold("HƏSƏNOVA") in key and domain.fold("hesenova") in key
    assert domain.fold("4rd6yfc") in key and domain.fold("əm-15") in key and domain.fold("MÜHASİB") in key


def test_expiry_of_a_fixed_term_fits_fixed_term_contracts_only():
    expiry = {"code": "73", "article": "73", "name_az": "Müddətli əmək müqaviləsinin müddəti qurtardıqda"}
    assert domain.check_ground("indefinite", expiry) == ["ground_needs_fixed_term"]
    assert domain.check_ground("fixed_term", expiry) == []
    assert domain.check_ground("indefinite", {"code": "70.b", "article": "70"}) == []
    assert domain.check_ground("indefinite", {"code": "73"}) == ["ground_needs_fixed_term"]  # no article given


def test_search_key_holds_employer_workplace_and_occupation():
    notice = {"employee": {"fin": "4RD6YFC", "surname": "Həsənova", "name": "Nərmin", "patronymic": ""},
              "contract_number": "ƏM-1", "position": "Baş mühasib", "occupation_name": "Mühasib",
              "workplace": "Maliyyə şöbəsi", "employer": {"voen": "1701100121", "name": "Xəzər Ulduzu İnşaat"}}
    key = domain.search_key(notice)
    for typed in ("xezer ulduzu", "1701100121", "maliyye sobesi", "hesenova", "əm-1"):
        assert domain.fold(typed) in key, typed


def test_a_signature_awaits_only_while_the_notice_is_where_it_takes_it_from():
    pending = {"signing_id": "s1", "state": "pending"}
    assert domain.awaits_signature({"status": "unsigned", "signing": pending}, domain.NOTICE_SIGNING)
    assert not domain.awaits_signature({"status": "signed", "signing": pending}, domain.NOTICE_SIGNING)
    assert not domain.awaits_signature({"status": "unsigned", "signing": {**pending, "state": "rejected"}},
                                       domain.NOTICE_SIGNING)
    terminating = {"status": "signed", "signing": {"state": "confirmed"},
                   "termination": {"date": "2027-01-31", "signing": pending}}
    assert domain.awaits_signature(terminating, domain.TERMINATION_SIGNING)
    assert not domain.awaits_signature({"status": "signed"}, domain.TERMINATION_SIGNING)

    shown = domain.with_attempt(terminating, domain.TERMINATION_SIGNING, {**pending, "state": "refused"})
    assert domain.attempt_of(shown, domain.TERMINATION_SIGNING)["state"] == "refused"
    assert shown["termination"]["date"] == "2027-01-31"
    assert terminating["termination"]["signing"]["state"] == "pending"  # the stored one is left as it was
