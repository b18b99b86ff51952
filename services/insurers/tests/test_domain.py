"""The application's rules without any server: the checks against directories and the tax
registry (each bad field named, activity codes by code), what is missing before sending, what is
stored and answered, the events, the account number and file names."""
from __future__ import annotations

from datetime import date

import pytest

from insurers_service import domain

VOEN = "1701100451"
TODAY = date(2026, 11, 23)
DIRECTORIES = {
    "insurer-types": {"1": {}, "2": {}}, "ownership-types": {"3": {}}, "legal-forms": {"111": {}},
    "districts": {"AZ-SM": {}, "AZ-BA-SBL": {}}, "activity-types": {"49.41": {}, "52.10": {}, "56.10": {}},
}
TAX = {"voen": VOEN, "head_fin": "3HB8RXT", "activity_types": ["49.41", "52.10"]}


def facts(**organizations) -> domain.Facts:
    return domain.Facts(voen=VOEN, today=TODAY, directories=DIRECTORIES, tax_record=TAX,
                        organizations={"1701100121": {"voen": "1701100121"}, **organizations})


def complete() -> dict:
    app = domain.new_application("a1", VOEN, {"fin": "4RD6YFC", "name": "Həsənova Nərmin"}, "2026-11-23T08:00:00")
    sets, _ = domain.changes_to_update({
        "insurer_type": "1", "full_name": '"Çinarlı Logistika" MMC', "short_name": "Çinarlı",
        "registration_certificate_number": "1234-Ş", "registration_date": date(2015, 5, 20),
        "voen_issued_on": date(2015, 5, 20), "main_activity": "49.41", "auxiliary_activities": ["52.10"],
        "ownership_type": "3", "legal_form": "111", "legal_address": {"district_code": "AZ-SM", "text": "Sülh küç. 3"},
        "actual_address": {"same_as_legal": True}, "head_fin": "3HB8RXT", "contact_email": "info@cinarli.az"},
        {"fin": "3HB8RXT", "surname": "Əliyeva", "name": "Gülnarə", "patronymic": "Söhrab qızı", "mobile": "+99455"})
    app.update(sets)
    app["documents"] = {"d1": {"filename": "a.pdf", "content_type": "application/pdf", "size": 10,
                               "uploaded_at": "2026-11-23T08:01:00"}}
    return app


def test_valid_sections_pass():
    assert domain.validate(domain.fields_of(complete()), {}, facts()) == {}


@pytest.mark.parametrize("changes, field, code", [
    ({"insurer_type": "9"}, "insurer_type", "unknown_insurer_type"),
    ({"ownership_type": "9"}, "ownership_type", "unknown_ownership_type"),
    ({"legal_form": "999"}, "legal_form", "unknown_legal_form"),
    ({"registration_date": date(2026, 11, 24)}, "registration_date", "date_in_future"),
    ({"voen_issued_on": date(2027, 1, 1)}, "voen_issued_on", "date_in_future"),
    ({"parent_voen": "1799999999"}, "parent_voen", "unknown_organization"),
    ({"subordinate_to_voen": VOEN}, "subordinate_to_voen", "own_voen_not_allowed"),
    ({"legal_address": {"district_code": "AZ-XX", "text": "x"}}, "legal_address.district_code", "unknown_district"),
    ({"actual_address": {"same_as_legal": True, "text": "x"}}, "actual_address", "same_as_legal_with_address"),
    ({"voen": "1701100121"}, "voen", "voen_not_yours"),
    ({"head_fin": "2PLX9DM"}, "head_fin", "head_not_in_tax_registry"),
])
def test_each_bad_field_is_named(changes, field, code):
    assert domain.validate(changes, {}, facts(**{"1799999999": None})) == {field: [code]}


def test_activity_types_must_be_in_the_directory_and_registered_for_this_voen():
    errors = domain.validate({"main_activity": "56.10", "auxiliary_activities": ["52.10", "99.99", "52.10", "56.10"]},
                             {}, facts())
    assert errors == {
        "main_activity": ["56.10 kodlu fəaliyyət növü vergi orqanında bu VÖEN üzrə qeydiyyatda deyil."],
        "auxiliary_activities.1": ["99.99 kodlu fəaliyyət növü soraqçada yoxdur."],
        "auxiliary_activities.2": ["52.10 kodlu fəaliyyət növü bir neçə dəfə göstərilib."],
        "auxiliary_activities.3": ["56.10 kodlu fəaliyyət növü artıq əsas fəaliyyət növü kimi göstərilib."],
    }


def test_auxiliary_activities_are_compared_with_the_stored_main_one():
    assert domain.validate({"auxiliary_activities": ["49.41"]}, {"main_activity": "49.41"}, facts()) == {
        "auxiliary_activities.0": ["49.41 kodlu fəaliyyət növü artıq əsas fəaliyyət növü kimi göstərilib."]}


def test_needs_names_only_the_look_ups_of_the_changes():
    assert domain.needs({"full_name": "x"}) == domain.Needs(frozenset(), False, ())
    wanted = domain.needs({"insurer_type": "1", "actual_address": {"district_code": "AZ-SM"},
                           "main_activity": "49.41", "parent_voen": "1701100121", "subordinate_to_voen": "1701100121"})
    assert wanted == domain.Needs(frozenset({"insurer-types", "districts", "activity-types"}), True, ("1701100121",))
    assert domain.needs({"head_fin": "3HB8RXT"}).tax_record


def test_missing_names_every_empty_required_field_in_the_forms_order():
    app = domain.new_application("a1", VOEN, {"fin": "X", "name": "Y"}, "t")
    assert domain.missing(app) == list(domain.CHECKLIST)
    assert domain.missing(complete()) == []
    partial = {**complete(), "actual_address": {"district_code": "AZ-SM"}, "documents": {}}
    assert domain.missing(partial) == ["documents", "actual_address.text"]


def test_completeness_errors_carry_the_manuals_labels():
    app = {**complete(), "documents": {}}
    del app["registration_date"]
    errors = domain.completeness_errors(app)
    assert errors == {"registration_date": ["Müraciəti göndərmək üçün «Dövlət qeydiyyatına alınma tarixi» doldurulmalıdır."],
                      "documents": ["documents_required"]}


def test_changes_are_stored_as_plain_values_and_null_clears():
    sets, unsets = domain.changes_to_update({"registration_date": date(2015, 5, 20), "parent_voen": None,
                                             "head_fin": None, "actual_address": {"same_as_legal": True,
                                                                                  "district_code": None}}, None)
    assert sets == {"registration_date": "2015-05-20", "actual_address": {"same_as_legal": True}}
    assert unsets == {"parent_voen": "", "head_fin": "", "head": ""}


def test_the_view_resolves_the_same_as_legal_address_and_hides_who_decided_from_the_company():
    app = {**complete(), "status": domain.REGISTERED, "decided_by": {"fin": "3SF9WKL", "name": "Qasımova Leyla"}}
    seen = domain.view(app)
    assert seen["actual_address"] == {"district_code": "AZ-SM", "text": "Sülh küç. 3", "same_as_legal": True}
    assert seen["head"] == {"fin": "3HB8RXT", "surname": "Əliyeva", "name": "Gülnarə", "patronymic": "Söhrab qızı"}
    assert "decided_by" not in seen and domain.view(app, staff=True)["decided_by"]["fin"] == "3SF9WKL"
    assert seen["missing"] == [] and seen["documents"][0]["id"] == "d1"


def test_the_public_answer_is_only_for_registered_insurers_and_carries_nothing_personal():
    assert domain.lookup_answer(VOEN, None) is None
    assert domain.lookup_answer(VOEN, {"status": "submitted", "full_name": "x"}) is None
    assert domain.lookup_answer(VOEN, {"status": "registered", "full_name": "Ç MMC", "account_number": "SE-0000001",
                                       "head": {"fin": "3HB8RXT"}}) == {
        "voen": VOEN, "name": "Ç MMC", "account_number": "SE-0000001"}


def test_events_carry_what_the_notifier_needs():
    app = {**complete(), "status": domain.SUBMITTED, "submitted_at": "2026-11-23T08:05:00+00:00",
           "submitted_by": {"fin": "4RD6YFC", "name": "Həsənova Nərmin İlqar qızı"}}
    assert domain.event_data(app, account_number="SE-0000042") == {
        "application_id": "a1", "voen": VOEN, "name": '"Çinarlı Logistika" MMC', "applicant_fin": "4RD6YFC",
        "applicant_name": "Həsənova Nərmin İlqar qızı", "applicant_email": "info@cinarli.az",
        "submitted_at": "2026-11-23T08:05:00+00:00", "account_number": "SE-0000042"}


def test_account_numbers_and_file_names():
    assert domain.account_number(42) == "SE-0000042" and domain.account_number(12345678) == "SE-12345678"
    assert domain.clean_filename("C:\\Users\\scan\\Şəhadətnamə.pdf", "pdf") == "Şəhadətnamə.pdf"
    assert domain.clean_filename("../../etc/passwd", "png") == "passwd"
    assert domain.clean_filename('a"b\x00<c>.png', "png") == "a_b_c_.png"
    assert domain.clean_filename("", "jpg") == "document.jpg" and domain.clean_filename("...", "pdf") == "document.pdf"
    long = domain.clean_filename("x" * 300 + ".pdf", "pdf")
    assert len(long) == 120 and long.endswith(".pdf")
    assert domain.megabytes(8 * 1024 * 1024) == "8" and domain.megabytes(2621440) == "2.5"
