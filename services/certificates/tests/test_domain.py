"""The certificate's rules without any server: which contracts count, what a valid request is,
who sees the salary, statuses, the events' payloads."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from certificates_service import domain

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
PURPOSES = {"01": {"code": "01", "name_az": "Bank üçün", "name_en": "For a bank"},
            "10": {"code": "10", "name_az": "Tələb olunan yerə təqdim etmək üçün", "name_en": "Wherever required"}}
BANK = {"voen": "9900072351", "name": "Dan Ulduzu Bank ASC"}


def contract(**changes) -> dict:
    base = {"_id": "n-1", "status": "signed", "employee_fin": "4RD6YFC", "employee_name": "Həsənova Nərmin Əli qızı",
            "employer_voen": "1701100231", "employer_name": '"Şəki İpək" ASC', "position": "Baş mühasib",
            "start_date": "2024-03-01", "contract_number": "EM-17", "contract_type": "indefinite", "end_date": None,
            "salary_qepik": 125050}
    base.update(changes)
    return base


def request(**changes) -> dict:
    base = {"contract_id": "n-1", "type": "employment", "valid_until": date(2026, 12, 31), "mobile": None,
            "email": "nermin@example.az", "email_copy": False, "purpose": "10", "destination": "general", "addressee_voen": None,
            "notify_addressee_on_revoke": False}
    base.update(changes)
    return base


def errors(req=None, con=None, addressee=None):
    return domain.validate_issue(req or request(), con or contract(), TODAY, PURPOSES, addressee)


def test_a_proper_general_and_addressed_request_pass():
    assert errors() == {}
    addressed = request(destination="addressed", addressee_voen=BANK["voen"], notify_addressee_on_revoke=True,
                        email="nermin@example.az", email_copy=True, purpose="01")
    assert errors(addressed, addressee=BANK) == {}


def test_valid_until_may_be_today_but_not_in_the_past():
    assert errors(request(valid_until=TODAY)) == {}
    assert errors(request(valid_until=date(2026, 11, 22))) == {"valid_until": ["valid_until_in_past"]}


def test_fixed_term_contract_caps_valid_until_at_its_end_date():
    fixed = contract(contract_type="fixed_term", end_date="2027-02-28")
    assert errors(request(valid_until=date(2027, 2, 28)), fixed) == {}
    assert errors(request(valid_until=date(2027, 3, 1)), fixed) == {"valid_until": ["valid_until_after_contract_end"]}
    # An indefinite contract has no such cap.
    assert errors(request(valid_until=date(2030, 1, 1))) == {}


def test_contract_must_be_in_force():
    assert errors(con=contract(status="terminated")) == {"contract_id": ["contract_not_in_force"]}
    ended = contract(contract_type="fixed_term", end_date="2026-11-01")
    assert "contract_id" in errors(request(valid_until=TODAY), ended)
    assert domain.contract_in_force(contract(contract_type="fixed_term", end_date="2026-11-23"), TODAY)


def test_the_email_is_required_and_the_purpose_comes_from_the_directory():
    # The form asks for the e-mail whether or not a copy is wanted (manual 2.5.4).
    assert errors(request(email=None)) == {"email": ["required"]}
    assert errors(request(email="", email_copy=True)) == {"email": ["required"]}
    assert errors(request(purpose="99")) == {"purpose": ["unknown_purpose"]}


def test_addressee_rules():
    assert errors(request(destination="addressed")) == {"addressee_voen": ["addressee_required"]}
    assert errors(request(destination="addressed", addressee_voen="1999999999")) == \
        {"addressee_voen": ["unknown_organization"]}
    assert errors(request(addressee_voen=BANK["voen"]), addressee=BANK) == {"addressee_voen": ["addressee_not_allowed"]}
    assert errors(request(notify_addressee_on_revoke=True)) == \
        {"notify_addressee_on_revoke": ["notify_only_when_addressed"]}


def test_all_problems_are_reported_at_once():
    found = errors(request(valid_until=date(2020, 1, 1), email=None, email_copy=True, purpose="zz",
                           notify_addressee_on_revoke=True),
                   contract(status="terminated"))
    assert set(found) == {"contract_id", "valid_until", "email", "purpose", "notify_addressee_on_revoke"}


def issue(kind: str, **req) -> dict:
    addressed = req.get("destination") == "addressed"
    return domain.new_certificate("AR-00000-00000-00000", domain.holder_of({"fin": "4RD6YFC"}, contract()), contract(),
                                  request(type=kind, **req), PURPOSES["01"], BANK if addressed else None, NOW)


def test_salary_is_shown_only_on_the_salary_type():
    plain, with_salary = issue("employment"), issue("employment_with_salary")
    assert plain["salary_qepik"] is None  # not even kept
    plain_labels = [label for label, _ in domain.pdf_rows(plain)]
    salary_rows = dict(domain.pdf_rows(with_salary))
    assert "Əmək haqqı" not in plain_labels and salary_rows["Əmək haqqı"] == "1250.50 AZN"
    assert "salary" not in domain.verifier_view(plain) and domain.verifier_view(with_salary)["salary"] == "1250.50"
    urls = {"pdf_url": "p", "verification_url": "v"}
    assert "salary" not in domain.holder_view(plain, TODAY, **urls)
    assert domain.holder_view(with_salary, TODAY, **urls)["salary"] == "1250.50"


def test_pdf_rows_carry_the_form_in_people_s_dates():
    rows = dict(domain.pdf_rows(issue("employment", destination="addressed", addressee_voen=BANK["voen"])))
    assert rows["Soyadı, adı, atasının adı"] == "Həsənova Nərmin Əli qızı"
    assert rows["Fərdi identifikasiya nömrəsi (FİN)"] == "4RD6YFC"
    assert rows["İşə qəbul tarixi"] == "01.03.2024" and rows["Son etibarlılıq tarixi"] == "31.12.2026"
    assert rows["Verilmə tarixi"] == "23.11.2026"
    assert rows["Arayışın təqdim olunacağı yer"] == "Ünvanlı"
    assert rows["Arayışın ünvanlandığı qurum"] == "Dan Ulduzu Bank ASC (VÖEN 9900072351)"
    general = dict(domain.pdf_rows(issue("employment")))
    assert general["Arayışın təqdim olunacağı yer"] == "Ümumi" and "Arayışın ünvanlandığı qurum" not in general


def test_issue_date_is_the_baku_date():
    late = datetime(2026, 11, 23, 21, 30, tzinfo=timezone.utc)  # 01:30 on the 24th in Baku
    cert = domain.new_certificate("AR-00000-00000-00000", domain.holder_of({"fin": "4RD6YFC"}, contract()),
                                  contract(), request(), PURPOSES["10"], None, late)
    assert dict(domain.pdf_rows(cert))["Verilmə tarixi"] == "24.11.2026"


def test_status_active_expired_revoked():
    cert = issue("employment")
    assert domain.status_of(cert, TODAY) == "active"
    assert domain.status_of(cert, date(2026, 12, 31)) == "active"
    assert domain.status_of(cert, date(2027, 1, 1)) == "expired"
    assert domain.status_of({**cert, "status": "revoked"}, TODAY) == "revoked"
    assert not domain.is_valid(None, TODAY)


def test_notify_flag_only_travels_with_an_addressee():
    addressed = issue("employment", destination="addressed", addressee_voen=BANK["voen"], notify_addressee_on_revoke=True)
    data = domain.revoked_event_data(addressed, "holder", NOW)
    assert data == {"number": addressed["number"], "holder_name": "Həsənova Nərmin Əli qızı", "reason": "holder",
                    "destination": "addressed", "addressee_voen": "9900072351", "addressee_name": "Dan Ulduzu Bank ASC",
                    "notify_addressee": True, "revoked_at": NOW.isoformat()}
    general = domain.revoked_event_data(issue("employment"), "contract_terminated", NOW)
    assert general["notify_addressee"] is False and general["addressee_voen"] is None


def test_issued_event_payload():
    data = domain.issued_event_data(issue("employment_with_salary", email="n@example.az", email_copy=True))
    assert set(data) == {"number", "holder_fin", "holder_name", "type", "valid_until", "email", "email_copy",
                         "employer_name", "purpose", "issued_at"}
    assert data["email_copy"] is True and data["valid_until"] == "2026-12-31" and "1250" not in str(data)


def test_verification_record_hides_the_holder_unless_valid():
    cert = issue("employment")
    verifier = {"fin": "5TH3WQG", "surname": "Bağırova", "name": "Səbinə", "patronymic": None}
    org = {"voen": "9900072351", "name": "Dan Ulduzu Bank ASC"}
    ok = domain.verification_record(number=cert["number"], result="valid", verifier=verifier, organization=org,
                                    cert=cert, at=NOW)
    refused = domain.verification_record(number=cert["number"], result="not_valid", verifier=verifier,
                                         organization=org, cert=cert, at=NOW)
    assert ok["holder"]["surname"] == "Həsənova" and refused["holder"] is None
    assert refused["holder_fin"] == "4RD6YFC"  # the holder still sees that someone tried
    assert domain.checked_view(refused)["holder"] is None
    assert domain.checked_by_view(ok)["organization"] == org and domain.checked_by_view(ok)["verifier"]["fin"] == "5TH3WQG"


def test_contract_projection_fields_and_search():
    fields = domain.signed_contract({"notice_id": "n-9", "employee_fin": "4rd6yfc", "salary": "1250.00",
                                     "contract_type": "fixed_term", "end_date": "2027-01-31"})
    assert fields["employee_fin"] == "4RD6YFC" and fields["salary_qepik"] == 125000 and "status" not in fields
    with pytest.raises(ValueError):
        domain.signed_contract({"employee_fin": "4RD6YFC"})
    assert domain.terminated_contract({"notice_id": "n-9"})["status"] == "terminated"
    summary = domain.contract_summary(contract())
    for query in ("şəki", "SEKI IPEK", "mühasib", "01.03.2024", "1701100", "em-17", ""):
        assert domain.contract_matches(summary, query), query
    assert not domain.contract_matches(summary, "Gəncə")


def test_money_in_qepik():
    assert domain.parse_salary("1250.00") == 125000 and domain.parse_salary("0.5") == 50
    assert domain.format_money(125005) == "1250.05" and domain.parse_salary(None) is None
    for bad in ("12.345", "-1", "abc", "NaN"):
        with pytest.raises(ValueError):
            domain.parse_salary(bad)


def test_rate_window():
    window, retry_after = domain.rate_window(datetime(2026, 11, 23, 9, 30, 45, tzinfo=timezone.utc))
    assert retry_after == 15
    same, _ = domain.rate_window(datetime(2026, 11, 23, 9, 30, 59, 900000, tzinfo=timezone.utc))
    following, _ = domain.rate_window(datetime(2026, 11, 23, 9, 31, 0, tzinfo=timezone.utc))
    assert same == window and following == window + 1


def test_deactivating_an_expired_certificate_alerts_nobody():
    addressed = issue("employment", destination="addressed", addressee_voen=BANK["voen"], notify_addressee_on_revoke=True)
    last_day = datetime(2026, 12, 31, 19, 59, tzinfo=timezone.utc)   # 23:59 in Baku on its last day
    next_day = datetime(2026, 12, 31, 20, 1, tzinfo=timezone.utc)    # 00:01 in Baku the day after
    assert domain.revoked_event_data(addressed, "holder", last_day)["notify_addressee"] is True
    late = domain.revoked_event_data(addressed, "holder", next_day)
    assert late["notify_addressee"] is False and late["addressee_voen"] == BANK["voen"]


def test_contract_search_knows_type_names_and_workplace():
    fixed = contract(contract_type="fixed_term", end_date="2027-02-28", workplace="Şəki filialı")
    for query in ("müddətli", "MUDDETLI", "fixed-term", "seki filiali", "28.02.2027"):
        assert domain.contract_matches(fixed, query), query
    assert not domain.contract_matches(fixed, "müddətsiz")
    assert domain.contract_matches(contract(), "Müddətsiz") and not domain.contract_matches(contract(), "müddətli")


def test_history_names_status_and_destination():
    urls = {"pdf_url": "p", "verification_url": "v"}
    cert = issue("employment", destination="addressed", addressee_voen=BANK["voen"])
    view = domain.holder_view(cert, TODAY, **urls)
    assert view["status_name"] == "Aktiv" and view["destination_name"] == "Ünvanlı"
    assert domain.holder_view(cert, date(2027, 1, 1), **urls)["status_name"] == "Müddəti bitib"
    assert domain.holder_view({**cert, "status": "revoked"}, TODAY, **urls)["status_name"] == "Deaktiv edilib"
