"""The rules of accident reports, without a database: what a report needs before it is signed,
deadlines, registration numbers, the search, the signed content, the event, and the open
statistics with small cells withheld."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from accidents_service import domain
from egov_kit.errors import ServiceError

OCCURRED = datetime(2026, 11, 20, 6, 30, tzinfo=timezone.utc)  # 10:30 in Baku

REPORT = {
    "_id": "r1", "status": "draft", "employer_voen": "1701100121", "rev": 3,
    "employer": {"voen": "1701100121", "name": "\"Xəzər Ulduzu İnşaat\" MMC", "legal_address": "Bakı, Nizami küç. 5",
                 "district_code": "AZ-BA", "activity": {"code": "41.20", "name": "Binaların tikintisi", "section": "F"}},
    "incident": {"occurred_at": OCCURRED.isoformat(), "district_code": "AZ-SA", "district_name": "Şəki şəhəri",
                 "address": "İpəkyolu küç. 3, sex 2", "description": "İşçi iskele üzərindən yıxılıb.",
                 "deviation": None, "deviation_name": None, "contact": None, "contact_name": None,
                 "material_agent": None, "material_agent_name": None},
    "victims": [
        {"fin": "4RD6YFC", "surname": "Həsənova", "name": "Nərmin", "patronymic": "İlqar qızı",
         "birth_date": "1996-09-09", "outcome": "injured", "injury": None, "injury_name": None, "body_part": None,
         "body_part_name": None, "days_lost": 12},
        {"fin": "1XG5VHJ", "surname": "Ağayev", "name": "Tuğrul", "patronymic": "Çingiz oğlu",
         "birth_date": "1990-12-14", "outcome": "injured", "injury": None, "injury_name": None, "body_part": None,
         "body_part_name": None, "days_lost": None},
    ],
    "informant": {"fin": "5ZK2M7P", "surname": "Məmmədov", "name": "İlqar", "patronymic": "Rəşid oğlu",
                  "birth_date": "1974-03-12", "landline": None, "mobile": "+994501112233", "email": "ilqar@example.az"},
    "created_at": "2026-11-20T08:00:00.000000+00:00", "created_by": {"fin": "5ZK2M7P", "name": "Məmmədov İlqar"},
}


def report(**changes) -> dict:
    out = copy.deepcopy(REPORT)
    out.update(changes)
    return out


def fatal(coded: bool = False) -> dict:
    out = report()
    out["victims"][0]["outcome"] = "died"
    if coded:
        out["incident"].update(deviation="50", contact="30", material_agent="02")
        for victim in out["victims"]:
            victim.update(injury="020", body_part="10")
    return out


# --- registration numbers -------------------------------------------------------------------

def test_registration_numbers_read_as_the_year_and_six_digits():
    assert domain.registration_number(2026, 123) == "BH-2026-000123"
    assert domain.counter_name(2026) == "BH-2026"
    assert domain.normalize_number(" bh 2026 000123 ") == "BH-2026-000123"
    assert domain.normalize_number("BH-2026-123") is None and domain.normalize_number("Həsənova") is None
    with pytest.raises(ValueError):
        domain.registration_number(2026, 1_000_000)


# --- what a report needs ----------------------------------------------------------------------

def test_an_accident_cannot_lie_in_the_future():
    now = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
    domain.check_occurred_at(now, now)
    domain.check_occurred_at(now + timedelta(minutes=4), now)  # a clock a little ahead
    with pytest.raises(ServiceError) as raised:
        domain.check_occurred_at(now + timedelta(hours=1), now)
    assert raised.value.errors == {"incident.occurred_at": ["occurred_in_future"]}


def test_the_same_fin_once_per_report_named_by_its_place():
    victims = [{"fin": "4RD6YFC"}, {"fin": "1XG5VHJ"}, {"fin": "4rd6yfc "}]
    with pytest.raises(ServiceError) as raised:
        domain.check_victims(victims)
    assert raised.value.errors == {"victims.2.fin": ["duplicate_victim"]}
    with pytest.raises(ServiceError) as raised:
        domain.check_victims([{"fin": f"{i:07d}"} for i in range(domain.MAX_VICTIMS + 1)])
    assert raised.value.errors == {"victims": ["too_many_victims"]}
    domain.check_victims([{"fin": "4RD6YFC"}, {"fin": "1XG5VHJ"}])


def test_a_draft_is_signed_only_with_victims_and_the_informants_contacts():
    assert domain.submission_problems(REPORT) == {}
    empty = report(victims=[], informant={"fin": "5ZK2M7P", "mobile": None, "email": None})
    assert domain.submission_problems(empty) == {"victims": ["victims_required"],
                                                 "informant.mobile": ["informant_contact_required"],
                                                 "informant.email": ["informant_contact_required"]}
    assert set(domain.submission_problems(report(informant=None))) == {"informant.mobile", "informant.email"}
    with pytest.raises(ServiceError) as raised:
        domain.ensure_submittable(empty)
    assert raised.value.status == 422 and raised.value.code == "report_incomplete"


def test_a_fatal_accident_is_coded_for_statistics_before_signing():
    problems = domain.submission_problems(fatal())
    assert problems == {"incident.deviation": ["esaw_required_when_fatal"],
                        "incident.contact": ["esaw_required_when_fatal"],
                        "incident.material_agent": ["esaw_required_when_fatal"],
                        "victims.0.injury": ["esaw_required_when_fatal"],
                        "victims.0.body_part": ["esaw_required_when_fatal"],
                        "victims.1.injury": ["esaw_required_when_fatal"],
                        "victims.1.body_part": ["esaw_required_when_fatal"]}
    assert domain.submission_problems(fatal(coded=True)) == {}
    # Without a death the coding stays optional.
    assert domain.submission_problems(report()) == {}


def test_a_submitted_report_is_immutable():
    domain.ensure_draft(REPORT)
    with pytest.raises(ServiceError) as raised:
        domain.ensure_draft(report(status="submitted"))
    assert (raised.value.status, raised.value.code) == (409, "report_submitted")
    with pytest.raises(ServiceError):
        domain.ensure_submitted(REPORT)


# --- deadlines ------------------------------------------------------------------------------

def test_a_fatal_accident_filed_after_24_hours_is_late():
    assert domain.deadline(REPORT) is None and not domain.is_late(REPORT, OCCURRED + timedelta(days=30))
    died = fatal()
    assert domain.deadline(died) == OCCURRED + timedelta(hours=24)
    assert not domain.is_late(died, OCCURRED + timedelta(hours=24))
    assert domain.is_late(died, OCCURRED + timedelta(hours=24, minutes=1))
    assert domain.minutes_between(OCCURRED, OCCURRED + timedelta(hours=26, minutes=5)) == 26 * 60 + 5


def test_deadlines_as_shown_for_a_draft_and_for_a_filed_report():
    died = fatal()
    early = domain.timing(died, OCCURRED + timedelta(hours=2))
    assert early == {"deadline_at": "2026-11-21T06:30:00+00:00", "filed_after_minutes": None, "late": False}
    assert domain.timing(died, OCCURRED + timedelta(hours=30))["late"] is True  # filed now, it would be late
    filed = {**died, "status": "submitted", "submitted_at": (OCCURRED + timedelta(hours=30)).isoformat(), "late": 1}
    assert domain.timing(filed, OCCURRED + timedelta(days=9)) == {
        "deadline_at": "2026-11-21T06:30:00+00:00", "filed_after_minutes": 30 * 60, "late": True}
    assert domain.timing(REPORT, OCCURRED)["deadline_at"] is None


def test_the_incident_day_is_the_day_in_baku():
    assert domain.occurred_date(datetime(2026, 11, 20, 21, 30, tzinfo=timezone.utc)) == "2026-11-21"


# --- search -----------------------------------------------------------------------------------

def test_a_report_is_found_by_victims_fin_and_name_words():
    terms = domain.search_terms(REPORT)
    assert {"fin:4RD6YFC", "fin:1XG5VHJ", "name:hesenova", "name:nermin", "name:agayev", "name:tugrul"} <= terms
    for typed in ("Həsənova", "hesenova", "HƏSƏNOVA", "nərmin həsənova", "Hesen", "4rd6yfc", "ağayev tuğrul"):
        search = domain.parse_search(typed)
        assert search.matches(REPORT), typed
    for typed in ("Quliyev", "həsənova tuğrul x1", "7MW3KZS"):
        assert not domain.parse_search(typed).matches(REPORT), typed


def test_a_registration_number_is_looked_up_as_one():
    search = domain.parse_search("bh-2026-000007")
    assert search.number == "BH-2026-000007" and not search.words
    assert search.matches({**REPORT, "registration_number": "BH-2026-000007"})
    assert not search.matches(REPORT)
    assert domain.parse_search("   ") is None and domain.parse_search(None) is None
    with pytest.raises(ServiceError) as raised:
        domain.parse_search("ə")
    assert raised.value.errors == {"q": ["search_too_short"]}


def test_a_fin_typed_is_looked_for_exactly_and_as_a_name_beginning():
    [options] = domain.parse_search("4rd6yfc").term_ranges()
    assert options == [("name:4rd6yfc", "prefix"), ("fin:4RD6YFC", None)]
    [options] = domain.parse_search("həsən").term_ranges()
    assert options == [("name:hesen", "prefix")]


# --- the signed content and the event ----------------------------------------------------------

def test_the_signed_content_is_the_report_as_filed_and_nothing_internal():
    content = domain.report_content({**REPORT, "signing": {"state": "pending"}}, "BH-2026-000001")
    assert content["registration_number"] == "BH-2026-000001" and content["report_id"] == "r1"
    assert set(content) == {"document", "report_id", "registration_number", "employer", "incident", "victims",
                            "informant"}
    assert content["victims"][0]["surname"] == "Həsənova" and "rev" not in str(content)
    signed = domain.signed_content(REPORT, "BH-2026-000001")
    assert signed == domain.signed_content(copy.deepcopy(REPORT), "BH-2026-000001")  # deterministic
    assert "Həsənova".encode() in signed  # UTF-8, not escaped
    assert signed != domain.signed_content(report(status="submitted"), "BH-2026-000002")


def test_the_submitted_event_carries_what_the_notifier_needs():
    data = domain.submitted_event_data(fatal(coded=True), "BH-2026-000001", OCCURRED + timedelta(hours=3))
    assert data == {
        "report_id": "r1", "registration_number": "BH-2026-000001", "employer_voen": "1701100121",
        "employer_name": "\"Xəzər Ulduzu İnşaat\" MMC", "occurred_at": "2026-11-20T06:30:00+00:00",
        "address": "Şəki şəhəri, İpəkyolu küç. 3, sex 2",
        "victims": [{"fin": "4RD6YFC", "name": "Həsənova Nərmin İlqar qızı", "outcome": "died"},
                    {"fin": "1XG5VHJ", "name": "Ağayev Tuğrul Çingiz oğlu", "outcome": "injured"}],
        "any_died": True,
        "informant": {"fin": "5ZK2M7P", "name": "Məmmədov İlqar Rəşid oğlu", "email": "ilqar@example.az",
                      "mobile": "+994501112233", "landline": None},
        "submitted_at": "2026-11-20T09:30:00+00:00"}
    assert domain.submitted_event_data(REPORT, "BH-2026-000002", OCCURRED)["any_died"] is False


# --- open statistics ----------------------------------------------------------------------------

def test_the_statistics_record_counts_each_victim():
    record = domain.statistics_record(fatal(coded=True))
    assert record["year"] == 2026
    assert record["base"] == {"month": "11", "district": "AZ-SA", "activity": "F", "deviation": "50",
                              "contact": "30", "material_agent": "02"}
    assert record["victims"] == [{"outcome": "died", "injury": "020", "body_part": "10"},
                                 {"outcome": "injured", "injury": "020", "body_part": "10"}]
    uncoded = domain.statistics_record(REPORT)
    assert uncoded["base"]["deviation"] == "unknown" and uncoded["victims"][1]["injury"] == "unknown"
    counts = domain.count_victims([record, uncoded], "outcome")
    assert counts == {"died": 1, "injured": 3}
    assert domain.count_victims([record, uncoded], "deviation") == {"50": 2, "unknown": 2}
    assert domain.count_victims([record, uncoded], "district") == {"AZ-SA": 4}


def test_cells_under_five_are_withheld_and_cannot_be_worked_out():
    cells, total = domain.suppress({"a": 12, "b": 7, "c": 3})
    # "c" alone withheld would be 22 - 12 - 7: the next smallest goes too.
    assert (cells, total) == ({"a": 12, "b": None, "c": None}, 22)
    cells, total = domain.suppress({"a": 12, "b": 2, "c": 3})
    assert (cells, total) == ({"a": 12, "b": None, "c": None}, 17)
    assert domain.suppress({"a": 5, "b": 9}) == ({"a": 5, "b": 9}, 14)
    assert domain.suppress({"a": 2, "b": 1}) == ({"a": None, "b": None}, None)
    assert domain.suppress({}) == ({}, None)


def test_labels_from_the_manual():
    assert domain.label("outcome", "injured") == "Xəsarət alıb" and domain.label("outcome", "died") == "Vəfat edib"
    assert domain.label("outcome", "died", "en") == "Died" and domain.label("status", "draft").startswith("Qaralama")
    assert domain.fold("HƏSƏNOVA İlqar Şükürova") == "hesenova ilqar sukurova"
