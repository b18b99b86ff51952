"""A problem document of the API becomes the page's errors: beside each field it shows, in a
summary linking to them, and what it does not show in the summary alone."""
from __future__ import annotations

from portal_service.api import ApiProblem
from portal_service.forms import FormErrors, field_id, from_problem


def test_field_errors_land_on_the_fields_the_page_shows_in_its_order():
    problem = ApiProblem(422, "Yoxlama xətası", errors={"user_id": ["6 rəqəm"], "phone": ["+994..."],
                                                       "nonce": ["köhnə"]})
    errors = from_problem(problem, ["phone", "user_id"])
    assert errors.of("phone") == ["+994..."] and errors.of("user_id") == ["6 rəqəm"]
    assert errors.general == ["köhnə"]
    assert errors.summary(["phone", "user_id"]) == [
        {"text": "köhnə", "href": None},
        {"text": "+994...", "href": "#f-phone"},
        {"text": "6 rəqəm", "href": "#f-user-id"},
    ]


def test_nested_fields_are_dotted_and_lists_of_victims_numbered():
    problem = ApiProblem(422, errors={"incident": {"address": ["boş"]}, "victims": {"0": {"fin": ["yanlış"]}}})
    errors = from_problem(problem, ["incident.address", "victims.0.fin"])
    assert errors.of("incident.address") == ["boş"] and errors.of("victims.0.fin") == ["yanlış"]
    assert field_id("incident.address") == "f-incident-address"


def test_a_refusal_naming_no_field_is_said_in_the_summary():
    errors = from_problem(ApiProblem(409, "Ziddiyyət", "Artıq imzalanıb."), ["phone"])
    assert errors and errors.general == ["Artıq imzalanıb."] and not errors.fields


def test_no_errors_is_falsy():
    assert not FormErrors()


def test_dates_are_read_as_people_type_them():
    from datetime import date

    from portal_service.forms import parse_day

    assert parse_day("27.11.2026") == date(2026, 11, 27)
    assert parse_day(" 7/3/2026 ") == date(2026, 3, 7)
    for wrong in ("31.02.2026", "2026-11-27", "27.11.26", "", None):
        assert parse_day(wrong) is None


def test_a_form_of_one_field_says_a_general_refusal_beside_it_unless_the_field_has_its_own():
    general = from_problem(ApiProblem(413, "Fayl çox böyükdür"), ["file"]).all_on("file")
    assert general.of("file") == ["Fayl çox böyükdür"] and general.general == []
    own = from_problem(ApiProblem(422, "Yoxlama", errors={"voen": ["10 rəqəm"], "x": ["başqa"]}), ["voen"])
    assert own.all_on("voen").of("voen") == ["10 rəqəm"] and own.general == ["başqa"]
