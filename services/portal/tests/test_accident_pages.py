"""What the accidents pages work out themselves: the time of day as typed, and the check page's list
of what keeps a draft from being sent, in the form's order and linked to the field to fix."""
from __future__ import annotations

from portal_service.features.accidents.routes import missing_links, parse_clock


def test_a_time_of_day_is_read_as_people_type_it():
    assert parse_clock("9:05") == "09:05" and parse_clock("14.30") == "14:30"
    for wrong in ("24:00", "12:60", "1230", ""):
        assert parse_clock(wrong) is None


def test_what_is_missing_comes_in_the_forms_order_linked_to_its_field(app):
    report = {"id": "r1", "victims": [{"fin": "4RD6YFC", "surname": "Həsənova", "name": "Nərmin", "patronymic": ""}],
              "missing": {"victims.0.body_part": ["ESAW"], "incident.contact": ["ESAW"], "victims.0.injury": ["ESAW"],
                          "incident.deviation": ["ESAW"], "informant.email": ["contact"],
                          "informant.mobile": ["contact"]}}
    with app.test_request_context("/"):
        links = missing_links(report)
    assert [link["href"] for link in links] == [
        "/accidents/reports/r1/informant?from=check#f-informant-mobile",
        "/accidents/reports/r1/coding#f-incident-deviation",
        "/accidents/reports/r1/coding#f-incident-contact",
        "/accidents/reports/r1/victims/4RD6YFC?from=check#f-injury",
        "/accidents/reports/r1/victims/4RD6YFC?from=check#f-body-part",
    ]
    # The informant's one message for both contacts is said once.
    assert [link["text"] for link in links][0] == "contact"
    assert links[3]["text"].startswith("Həsənova Nərmin — ")
