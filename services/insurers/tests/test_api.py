"""The insurers service through the gateway, with the real suite: who may call what (the
company's scope, staff, the public), the draft with every field checked and named, scanned
documents by multipart upload checked by content and streamed back, sending, the staff's queue
and decision, and the public look-up answering exactly what LookupOut documents."""
from __future__ import annotations

import uuid

import pytest
import requests

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit.access import undeclared_views
from insurers_service import create_app
from insurers_service.schemas import LookupOut

SEKI = "1701100231"        # "Şəki İpək Tekstil" ASC: head İlqar Məmmədov, activities 13.20 and 46.90
CAFE = "1701100561"        # another company's head reads nothing of it
BASE = "/api/insurers"
SECTIONS = [
    {"insurer_type": "1", "full_name": '"Şəki İpək Tekstil" Açıq Səhmdar Cəmiyyəti',
     "short_name": '"Şəki İpək Tekstil" ASC', "registration_certificate_number": "1402-Ş",
     "registration_date": "2014-08-01", "voen_issued_on": "2014-08-01", "parent_voen": "",
     "subordinate_to_voen": None},
    {"main_activity": "13.20", "auxiliary_activities": ["46.90"], "ownership_type": "3", "legal_form": "121"},
    {"legal_address": {"district_code": "AZ-SA", "text": "Şəki şəhəri, M.Ə.Rəsulzadə küçəsi 5"},
     "actual_address": {"district_code": "AZ-SA", "text": "Şəki şəhəri, İpəkçilər küçəsi 12"}},
    {"head_fin": "5zk2m7p", "contact_email": "ipek@seki.example", "contact_phone": "+994 24 244 11 22"},
]


def problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.json()


@pytest.fixture(scope="module")
def head(suite) -> ApiSession:
    return ApiSession(suite.gateway_url).login(sim_identity(label="head of 3 companies")).act_for(SEKI)


@pytest.fixture(scope="module")
def staff(suite) -> ApiSession:
    return ApiSession(suite.gateway_url).login(sim_identity(label="operations staff (ministry)"))


@pytest.fixture(scope="module")
def other(suite) -> ApiSession:
    return ApiSession(suite.gateway_url).login(sim_identity(label="head of 1 company (cafe)")).act_for(CAFE)


@pytest.fixture(scope="module")
def draft(head) -> dict:
    created = head.post(f"{BASE}/applications", json={})
    assert created.status_code == 201, created.text
    app = created.json()
    for section in SECTIONS:
        saved = head.patch(f"{BASE}/applications/{app['id']}", json=section)
        assert saved.status_code == 200, saved.text
        app = saved.json()
    return app


def upload(session: ApiSession, app_id: str, name: str, data: bytes, declared: str = "application/pdf"):
    return session.post(f"{BASE}/applications/{app_id}/documents", files={"file": (name, data, declared)})


def test_every_view_declares_its_caller(mongo_uri):
    assert undeclared_views(create_app({"mongo_uri": mongo_uri, "mongo_db": f"t_{uuid.uuid4().hex[:8]}"})) == []


def test_only_callers_for_insurer_registration_reach_the_drafts(suite, head, staff):
    anonymous = requests.post(f"{suite.gateway_url}{BASE}/applications", json={})
    assert problem(anonymous, 401)
    citizen = ApiSession(suite.gateway_url).login(sim_identity(label="no job 1"))
    assert problem(citizen.post(f"{BASE}/applications", json={}), 403)["code"] == "not_your_company"
    assert problem(citizen.get(f"{BASE}/applications"), 403)
    assert problem(staff.post(f"{BASE}/applications", json={}), 403)
    # An authority for contract notices only does not cover insurer registration.
    granted = head.post("/api/contracts/authorities", json={"fin": sim_identity(label="no job 1")["fin"],
                                                            "valid_until": None, "scopes": ["contracts"]})
    assert granted.status_code == 201, granted.text
    try:
        def role():
            answer = citizen.post("/api/auth/role", json={"voen": SEKI})
            return answer.json()["access_token"] if answer.status_code == 200 else None
        citizen.token = eventually(role, timeout=15, message="the company role after the grant")
        refused = problem(citizen.post(f"{BASE}/applications", json={}), 403)
        assert refused["code"] == "scope_missing" and '"insurers"' in refused["detail"]
    finally:
        assert head.delete(f"/api/contracts/authorities/{granted.json()['id']}").status_code == 200


def test_the_draft_is_filled_section_by_section(draft):
    assert draft["status"] == "draft" and draft["voen"] == SEKI
    assert draft["head"] == {"fin": "5ZK2M7P", "surname": "Məmmədov", "name": "İlqar", "patronymic": "Rəşid oğlu"}
    assert draft["parent_voen"] is None and draft["auxiliary_activities"] == ["46.90"]
    assert draft["actual_address"]["same_as_legal"] is False and draft["missing"] == ["documents"]


@pytest.mark.parametrize("body, field", [
    ({"registration_date": "01.08.2014"}, "registration_date"),
    ({"voen_issued_on": "2999-01-01"}, "voen_issued_on"),
    ({"parent_voen": "12345"}, "parent_voen"),
    ({"subordinate_to_voen": "1799999990"}, "subordinate_to_voen"),
    ({"main_activity": "56.10"}, "main_activity"),
    ({"auxiliary_activities": ["46.90", "99.00"]}, "auxiliary_activities.1"),
    ({"auxiliary_activities": "46.90"}, "auxiliary_activities"),
    ({"ownership_type": "77"}, "ownership_type"),
    ({"legal_form": "999"}, "legal_form"),
    ({"insurer_type": "0"}, "insurer_type"),
    ({"legal_address": {"district_code": "AZ-NOWHERE", "text": "x"}}, "legal_address.district_code"),
    ({"actual_address": {"same_as_legal": True, "text": "x"}}, "actual_address"),
    ({"head_fin": "2PLX9DM"}, "head_fin"),
    ({"head_fin": "12"}, "head_fin"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"voen": CAFE}, "voen"),
    ({"full_name": "x" * 301}, "full_name"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
])
def test_every_bad_field_is_named(head, draft, body, field):
    refused = problem(head.patch(f"{BASE}/applications/{draft['id']}", json=body), 422)
    assert list(refused["errors"]) == [field], refused


def test_saving_a_section_needs_a_body(head, draft):
    refused = problem(head.patch(f"{BASE}/applications/{draft['id']}", headers={"Accept-Language": "en"}), 422)
    assert refused["code"] == "body_required" and refused["detail"] == "The request needs a JSON body."


def test_a_code_outside_the_tax_registry_is_named_in_both_languages(head, draft):
    body = {"main_activity": "56.10"}
    az = problem(head.patch(f"{BASE}/applications/{draft['id']}", json=body), 422)
    en = problem(head.patch(f"{BASE}/applications/{draft['id']}", json=body, headers={"Accept-Language": "en"}), 422)
    assert az["errors"]["main_activity"] == ["56.10 kodlu fəaliyyət növü vergi orqanında bu VÖEN üzrə qeydiyyatda deyil."]
    assert en["errors"]["main_activity"] == ["Activity type 56.10 is not registered with the tax authority for this VOEN."]


def test_sending_without_documents_names_what_is_missing(head, draft):
    refused = problem(head.post(f"{BASE}/applications/{draft['id']}/submission", headers={"Accept-Language": "en"}), 422)
    assert refused["errors"] == {"documents": ["At least one scanned document must be uploaded before the "
                                               "application is sent."]}


def test_uploads_are_checked_by_content_and_streamed_back(head, draft, files, other, staff):
    app_id = draft["id"]
    for name, data, code in [("pasport.png", files["exe"], "document_type_not_allowed"),
                             ("nizamnamə.pdf", files["html"], "document_type_not_allowed"),
                             ("scan.png", files["png_cut"], "document_damaged")]:
        refused = problem(upload(head, app_id, name, data, "image/png"), 422)
        assert list(refused["errors"]) == ["file"] and refused["code"] == code
    damaged = problem(upload(head, app_id, "a.png", files["png_cut"], "image/png"), 422)
    assert damaged["errors"]["file"] == ["Fayl PNG kimi başlayır, lakin zədələnib və ya natamamdır: faylın sonu "
                                         "yoxdur (natamam yüklənib və ya kəsilib)."]
    assert problem(head.post(f"{BASE}/applications/{app_id}/documents", json={"file": "x"}), 415)
    assert problem(head.post(f"{BASE}/applications/{app_id}/documents", files={"other": ("a", b"x")}), 422)[
        "errors"] == {"file": ["Fayl seçilməyib: sənəd multipart formanın \"file\" sahəsində göndərilməlidir."]}
    beside = head.post(f"{BASE}/applications/{app_id}/documents", data={"note": "x"},
                       files={"file": ("a.pdf", files["pdf"], "application/pdf")})
    assert problem(beside, 422)["errors"] == {"note": ["Naməlum sahə."]}

    stored = upload(head, app_id, "Dövlət qeydiyyatı şəhadətnaməsi.pdf", files["pdf"], "image/png")
    assert stored.status_code == 201, stored.text
    doc = stored.json()
    assert doc["content_type"] == "application/pdf" and doc["size"] == len(files["pdf"])
    assert doc["filename"] == "Dövlət qeydiyyatı şəhadətnaməsi.pdf"
    got = head.get(f"{BASE}/applications/{app_id}/documents/{doc['id']}")
    assert got.status_code == 200 and got.content == files["pdf"]
    assert got.headers["Content-Type"] == "application/pdf" and got.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''D%C3%B6vl%C9%99t%20qeydiyyat%C4%B1" in got.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "private, no-store"
    # Staff see an application once it is sent, not while it is a draft.
    assert problem(staff.get(f"{BASE}/applications/{app_id}/documents/{doc['id']}"), 404)
    assert problem(staff.get(f"{BASE}/applications/{app_id}"), 404)
    assert problem(other.get(f"{BASE}/applications/{app_id}/documents/{doc['id']}"), 404)
    assert problem(other.get(f"{BASE}/applications/{app_id}"), 404)["code"] == "application_not_found"
    assert problem(other.delete(f"{BASE}/applications/{app_id}/documents/{doc['id']}"), 404)

    spare = upload(head, app_id, "x.jpg", files["jpeg"], "image/jpeg").json()
    assert head.delete(f"{BASE}/applications/{app_id}/documents/{spare['id']}").status_code == 204
    assert problem(head.get(f"{BASE}/applications/{app_id}/documents/{spare['id']}"), 404)
    assert [d["id"] for d in head.get(f"{BASE}/applications/{app_id}").json()["documents"]] == [doc["id"]]


def test_an_oversized_upload_is_413_naming_the_limit(head, draft, pdf_of_size):
    big = pdf_of_size(8 * 1024 * 1024)  # just past the default 8 MB, within the gateway's 10 MB
    refused = problem(upload(head, draft["id"], "big.pdf", big), 413)
    assert refused["code"] == "document_too_large" and refused["detail"] == "Bir faylın həcmi 8 MB-ı keçə bilməz."


def test_sent_registered_and_found_by_anyone(suite, head, draft, staff, files):
    app_id = draft["id"]
    if not head.get(f"{BASE}/applications/{app_id}").json()["documents"]:
        assert upload(head, app_id, "a.pdf", files["pdf"]).status_code == 201
    lookup = f"{suite.gateway_url}{BASE}/account-numbers/{SEKI}"
    sent = head.post(f"{BASE}/applications/{app_id}/submission")
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "submitted"
    assert problem(requests.get(lookup), 404)["code"] == "insurer_not_found"  # under review
    assert problem(head.post(f"{BASE}/applications", json={}), 409)["code"] == "voen_under_review"

    queue = staff.get(f"{BASE}/applications", params={"status": "submitted", "limit": 200})
    assert queue.status_code == 200 and {"items", "total", "limit", "offset"} <= queue.json().keys()
    assert app_id in [item["id"] for item in queue.json()["items"]]
    opened = staff.get(f"{BASE}/applications/{app_id}").json()
    assert opened["documents"] and opened["head"]["fin"] == "5ZK2M7P"
    for doc in opened["documents"]:
        got = staff.get(f"{BASE}/applications/{app_id}/documents/{doc['id']}")
        assert got.status_code == 200 and len(got.content) == doc["size"] and got.headers["Content-Type"] == doc[
            "content_type"]
    assert problem(staff.post(f"{BASE}/applications/{app_id}/decision", json={"decision": "maybe"}), 422)[
        "errors"].keys() == {"decision"}
    assert problem(head.post(f"{BASE}/applications/{app_id}/decision", json={"decision": "register"}), 403)
    decided = staff.post(f"{BASE}/applications/{app_id}/decision", json={"decision": "register"})
    assert decided.status_code == 200, decided.text
    account = decided.json()["account_number"]
    assert account.startswith("SE-") and decided.json()["decided_by"]["fin"] == sim_identity(
        label="operations staff (ministry)")["fin"]
    assert problem(staff.post(f"{BASE}/applications/{app_id}/decision", json={"decision": "reject", "reason": "x"}),
                   409)["code"] == "application_already_decided"

    found = requests.get(lookup)
    assert found.status_code == 200
    assert found.json() == {"voen": SEKI, "name": SECTIONS[0]["full_name"], "account_number": account}
    assert found.json() == LookupOut().dump(found.json())  # exactly what the schema documents
    assert problem(head.post(f"{BASE}/applications", json={}), 409)["code"] == "voen_already_registered"
    mine = head.get(f"{BASE}/applications", params={"status": "registered"}).json()
    assert [item["account_number"] for item in mine["items"]] == [account]


def test_the_lookup_refuses_what_is_no_voen_and_knows_nothing_else(suite):
    assert problem(requests.get(f"{suite.gateway_url}{BASE}/account-numbers/17011"), 422)["errors"] == {
        "voen": ["VÖEN 10 rəqəmdən ibarət olmalıdır."]}
    assert problem(requests.get(f"{suite.gateway_url}{BASE}/account-numbers/1799999990"), 404)


def test_a_repeated_creation_under_one_idempotency_key_is_one_draft(other):
    key = {"Idempotency-Key": f"insurer-draft-{uuid.uuid4().hex}"}
    first = other.post(f"{BASE}/applications", json={"short_name": "Kafe"}, headers=key)
    again = other.post(f"{BASE}/applications", json={"short_name": "Kafe"}, headers=key)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    different = other.post(f"{BASE}/applications", json={"short_name": "Başqa"}, headers=key)
    assert different.status_code == 422 and different.headers["Content-Type"].startswith("application/problem+json")
    assert other.post(f"{BASE}/applications").status_code == 201  # no body: an empty draft
