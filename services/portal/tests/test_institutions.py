"""The institutions' pages on their own, with the API's answers given: an accident report addressed to
the inspectorate is shown with its victims and informant, a notification of a kind the page does
not know shows its data as it is, and a refusal of the notifier (no authority covering
notifications) is said as a page naming why."""
from __future__ import annotations

import pytest

from portal_service.api import ApiProblem
from portal_service.features.institutions import routes

INSPECTORATE = {"voen": "1400245611", "name": "Dövlət Əmək Müfəttişliyi Xidməti", "role": "head"}
ACCIDENT = {
    "id": "e1:1400245611", "event_id": "e1", "type": "accidents.report.submitted",
    "received_at": "2026-11-23T10:00:00+00:00", "title": "İstehsalatda bədbəxt hadisə: \"Xəzər\" MMC, № BH-2026-000123 "
    "(ölümlə nəticələnib)", "title_en": "Workplace accident: \"Xəzər\" MMC, No. BH-2026-000123 (fatal)",
    "data": {"report_id": "r1", "registration_number": "BH-2026-000123", "employer_voen": "1701100121",
             "employer_name": "\"Xəzər\" MMC", "occurred_at": "2026-11-22T06:30:00+00:00",
             "address": "Bakı şəhəri, Nizami küç. 5", "any_died": True, "submitted_at": "2026-11-23T09:59:00+00:00",
             "victims": [{"fin": "4RD6YFC", "name": "Həsənova Nərmin Əli qızı", "outcome": "died"},
                         {"fin": "1XG5VHJ", "name": "Ağayev Tuğrul Çingiz oğlu", "outcome": "injured"}],
             "informant": {"fin": "5ZK2M7P", "name": "Məmmədov İlqar Rəşid oğlu", "email": "ilqar@example.az",
                           "mobile": "+994501112233", "landline": None}},
}


@pytest.fixture
def as_inspectorate(client):
    with client.session_transaction() as session:
        session["tok"] = "a token"
        session["me"] = {"name": "Vüqar", "surname": "Rəhimov", "patronymic": "", "staff": False,
                         "companies": [INSPECTORATE], "acting_for": INSPECTORATE["voen"]}
    return client


def answering(monkeypatch, answer):
    calls = []

    def call(method, path, **kwargs):
        calls.append((method, path))
        if isinstance(answer, Exception):
            raise answer
        return answer
    monkeypatch.setattr(routes, "call", call)
    return calls


def test_an_accident_report_is_shown_with_its_victims_and_informant(as_inspectorate, monkeypatch):
    calls = answering(monkeypatch, ACCIDENT)
    page = as_inspectorate.get("/institutions/inbox/e1:1400245611")
    assert calls == [("GET", "/api/notifier/inbox/e1%3A1400245611")]
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("BH-2026-000123", "1701100121", "22.11.2026 10:30", "Bakı şəhəri, Nizami küç. 5",
                  "Həsənova Nərmin Əli qızı", "Vəfat edib", "Ağayev Tuğrul Çingiz oğlu", "Xəsarət alıb",
                  "Məmmədov İlqar Rəşid oğlu", "+994501112233", "ölümlə nəticələnib"):
        assert shown in html, shown


def test_a_notification_of_another_kind_shows_its_data_as_it_is(as_inspectorate, monkeypatch):
    answering(monkeypatch, {**ACCIDENT, "type": "something.new.happened", "title": "Yeni", "title_en": "New",
                            "data": {"reference": "X-1"}})
    html = as_inspectorate.get("/institutions/inbox/e1:1400245611").get_data(as_text=True)
    assert "reference" in html and "X-1" in html


def test_the_notifiers_refusal_is_said_with_its_reason(as_inspectorate, monkeypatch):
    answering(monkeypatch, ApiProblem(status=403, title="Qadağandır",
                                      detail="Səlahiyyətiniz \"notifications\" sahəsini əhatə etmir."))
    page = as_inspectorate.get("/institutions")
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "Bu təşkilatın bildirişlərinə giriş yoxdur" in html and "&#34;notifications&#34;" in html
