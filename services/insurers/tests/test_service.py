"""The use cases called directly on InsurersService, against a database of the test's own and the
suite's real registry (directories, the tax and population registries): a draft saved section by
section, scanned documents checked and stored in GridFS within the limits, sending it once per
VÖEN (also when two drafts race), the staff's decision with its account number or reason, the
events in the outbox, and what another company may not see."""
from __future__ import annotations

import io
import itertools
import threading
from datetime import date

import pytest

from devtools.client import sim_identity
from egov_kit.auth import Principal
from egov_kit.clock import utcnow
from egov_kit.errors import ServiceError
from insurers_service.repository import InsurersRepository
from insurers_service.service import InsurersService
from insurers_service.settings import InsurersSettings

LOGISTICS = "1701100451"   # "Çinarlı Logistika" MMC: head Gülnarə Əliyeva, activities 49.41 and 52.10
CAFE = "1701100561"        # "Ağ Şəhər Kafe" MMC, another company
NOW = utcnow()


def person(label: str, acting_for: str | None = None, role: str = "head", staff: bool = False) -> Principal:
    sim = sim_identity(label=label)
    return Principal(kind="person", subject=sim["fin"], fin=sim["fin"], surname=sim["surname"], name=sim["name"],
                     patronymic=sim.get("patronymic"), acting_for=acting_for,
                     company_role=role if acting_for else None, roles=["staff"] if staff else [])


HEAD = person("head of 1 company (logistics)", LOGISTICS)
REP = person("employee 3", LOGISTICS, "authorised")
OTHER = person("head of 1 company (cafe)", CAFE)
STAFF = person("operations staff (ministry)", staff=True)
SECTIONS = [
    {"insurer_type": "1", "full_name": '"Çinarlı Logistika" Məhdud Məsuliyyətli Cəmiyyəti',
     "short_name": '"Çinarlı Logistika" MMC', "registration_certificate_number": "ŞƏH-2015/451",
     "registration_date": date(2015, 5, 20), "voen_issued_on": date(2015, 5, 21), "parent_voen": None,
     "subordinate_to_voen": None},
    {"main_activity": "49.41", "auxiliary_activities": ["52.10"], "ownership_type": "3", "legal_form": "111"},
    {"legal_address": {"district_code": "AZ-SM", "text": "Sumqayıt şəhəri, Sülh küçəsi 3"}},
    {"actual_address": {"same_as_legal": True}},
    {"head_fin": "3HB8RXT", "contact_email": "gulnare@cinarli.example", "contact_phone": "+994 18 655 12 34"},
]


def make_service(fresh_db, registry_client, **settings) -> InsurersService:
    repository = InsurersRepository(fresh_db)
    repository.ensure_indexes()
    ids = itertools.count(1)
    return InsurersService(repository=repository, registry=registry_client("insurers"),
                           settings=InsurersSettings(**settings), now=lambda: NOW, new_id=lambda: f"id-{next(ids)}")


def stored_files(fresh_db) -> set[str]:
    """The ids of every file in the GridFS bucket, and of every file some chunk belongs to."""
    files = {d["_id"] for d in fresh_db["scans.files"].find()}
    chunks = {d["files_id"] for d in fresh_db["scans.chunks"].find()}
    return files | chunks


@pytest.fixture
def service(fresh_db, registry_client) -> InsurersService:
    return make_service(fresh_db, registry_client)


def refused(call, status: int, code: str | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    assert caught.value.status == status, caught.value
    if code:
        assert caught.value.code == code, caught.value
    return caught.value


def filled(service: InsurersService, who: Principal = REP, documents: tuple = ()) -> dict:
    app = service.create(who, {})
    for section in SECTIONS:
        app = service.change(who, app["id"], section)
    for data in documents:
        service.add_document(who, app["id"], "scan.bin", io.BytesIO(data), len(data))
    return service.application(who, app["id"])


def outbox(fresh_db, app_id: str) -> list[dict]:
    return list((fresh_db.applications.find_one({"_id": app_id}).get("_outbox") or {}).values())


def test_a_draft_is_saved_section_by_section_and_the_head_filled_from_the_registry(service):
    app = service.create(REP, {"insurer_type": "1"})
    assert app["status"] == "draft" and app["voen"] == LOGISTICS and "full_name" in app["missing"]
    for section in SECTIONS:
        app = service.change(REP, app["id"], section)
    assert app["head"] == {"fin": "3HB8RXT", "surname": "Əliyeva", "name": "Gülnarə", "patronymic": "Söhrab qızı"}
    assert app["actual_address"] == {"district_code": "AZ-SM", "text": "Sumqayıt şəhəri, Sülh küçəsi 3",
                                     "same_as_legal": True}
    assert app["registration_date"] == "2015-05-20" and app["missing"] == ["documents"]
    resumed = service.application(HEAD, app["id"])  # anyone acting for the company resumes it
    assert resumed == app
    cleared = service.change(REP, app["id"], {"contact_phone": None})
    assert cleared["contact_phone"] is None


def test_every_bad_value_is_named_against_the_registries(service):
    app = service.create(REP, {})
    error = refused(lambda: service.change(REP, app["id"], {
        "main_activity": "56.10", "auxiliary_activities": ["52.10", "99.00"], "insurer_type": "99",
        "parent_voen": "1799999990", "legal_address": {"district_code": "AZ-NOPE"}}), 422)
    assert error.errors == {
        "main_activity": ["56.10 kodlu fəaliyyət növü vergi orqanında bu VÖEN üzrə qeydiyyatda deyil."],
        "auxiliary_activities.1": ["99.00 kodlu fəaliyyət növü vergi orqanında bu VÖEN üzrə qeydiyyatda deyil."],
        "insurer_type": ["unknown_insurer_type"], "parent_voen": ["unknown_organization"],
        "legal_address.district_code": ["unknown_district"]}
    assert refused(lambda: service.change(REP, app["id"], {"head_fin": "2PLX9DM"}), 422).errors == {
        "head_fin": ["head_not_in_tax_registry"]}
    assert refused(lambda: service.create(REP, {"voen": CAFE}), 422).errors == {"voen": ["voen_not_yours"]}
    assert service.change(REP, app["id"], {"parent_voen": "1701100121"})["parent_voen"] == "1701100121"


def test_documents_are_checked_by_content_and_kept_in_gridfs(service, files, fresh_db):
    app = service.create(REP, {})
    pdf = service.add_document(REP, app["id"], "C:\\scans\\Şəhadətnamə.png", io.BytesIO(files["pdf"]), None)
    png = service.add_document(REP, app["id"], "nizamnamə.png", io.BytesIO(files["png"]), len(files["png"]))
    assert (pdf["content_type"], pdf["filename"], pdf["size"]) == ("application/pdf", "Şəhadətnamə.png", len(files["pdf"]))
    entry, stored = service.document(HEAD, app["id"], png["id"])
    assert entry["content_type"] == "image/png" and stored.read() == files["png"]
    for kind, code in [("exe", "document_type_not_allowed"), ("html", "document_type_not_allowed"),
                       ("png_cut", "document_damaged"), ("pdf_cut", "document_damaged")]:
        error = refused(lambda: service.add_document(REP, app["id"], f"{kind}.png", io.BytesIO(files[kind]), None),
                        422, code)
        assert list(error.errors) == ["file"]
    assert stored_files(fresh_db) == {pdf["id"], png["id"]}  # the refused ones left nothing behind
    assert {d["id"] for d in service.application(REP, app["id"])["documents"]} == {pdf["id"], png["id"]}
    service.remove_document(REP, app["id"], pdf["id"])
    assert service.repository.open_file(pdf["id"]) is None
    refused(lambda: service.document(REP, app["id"], pdf["id"]), 404, "document_not_found")
    assert service.application(REP, app["id"])["documents"] == [png]


def test_document_limits_per_file_per_application_and_count(fresh_db, registry_client, files, pdf_of_size):
    service = make_service(fresh_db, registry_client, max_document_bytes=40_000, max_application_bytes=60_000,
                           max_documents=3)
    make_pdf = pdf_of_size
    app = service.create(REP, {})
    big = make_pdf(45_000)
    refused(lambda: service.add_document(REP, app["id"], "a.pdf", io.BytesIO(big), len(big)), 413, "document_too_large")
    # A stream whose size is not known beforehand is measured as it is stored, and removed.
    error = refused(lambda: service.add_document(REP, app["id"], "a.pdf", io.BytesIO(big), None), 413,
                    "document_too_large")
    assert "0.0 MB" in error.detail or "0 MB" in error.detail
    assert stored_files(fresh_db) == set()
    half = make_pdf(30_000)
    service.add_document(REP, app["id"], "a.pdf", io.BytesIO(half), len(half))
    refused(lambda: service.add_document(REP, app["id"], "b.pdf", io.BytesIO(half), len(half)), 413,
            "application_documents_too_large")
    service.add_document(REP, app["id"], "b.png", io.BytesIO(files["png"]), len(files["png"]))
    service.add_document(REP, app["id"], "c.png", io.BytesIO(files["png"]), len(files["png"]))
    refused(lambda: service.add_document(REP, app["id"], "d.png", io.BytesIO(files["png"]), len(files["png"])),
            409, "too_many_documents")


def test_sending_needs_a_complete_draft_and_publishes(service, files, fresh_db):
    app = service.create(REP, SECTIONS[0])
    error = refused(lambda: service.submit(REP, app["id"]), 422)
    assert set(error.errors) == {"documents", "main_activity", "ownership_type", "legal_form",
                                 "legal_address.district_code", "legal_address.text", "actual_address.district_code",
                                 "actual_address.text", "head_fin", "contact_email"}
    app = filled(service, documents=(files["pdf"],))
    submitted = service.submit(REP, app["id"])
    assert submitted["status"] == "submitted" and submitted["missing"] == []
    assert submitted["submitted_by"] == {"fin": REP.fin, "name": REP.full_name}
    (event,) = outbox(fresh_db, app["id"])
    assert event["type"] == "insurers.application.submitted" and event["data"] == {
        "application_id": app["id"], "voen": LOGISTICS, "name": SECTIONS[0]["full_name"], "applicant_fin": REP.fin,
        "applicant_name": REP.full_name, "applicant_email": "gulnare@cinarli.example",
        "submitted_at": submitted["submitted_at"]}
    refused(lambda: service.change(REP, app["id"], {"full_name": "x"}), 409, "application_not_draft")
    refused(lambda: service.add_document(REP, app["id"], "a.pdf", io.BytesIO(files["pdf"]), None), 409)
    refused(lambda: service.submit(REP, app["id"]), 409, "application_not_draft")
    # Under review: no new application for the VÖEN.
    refused(lambda: service.create(HEAD, {}), 409, "voen_under_review")


def test_a_voen_is_sent_once_even_by_drafts_made_before_and_racing(service, files):
    drafts = [filled(service, documents=(files["png"],)) for _ in range(4)]
    outcomes: list = []

    def send(app_id):
        try:
            outcomes.append(service.submit(REP, app_id)["status"])
        except ServiceError as error:
            outcomes.append((error.status, error.code))
    threads = [threading.Thread(target=send, args=(d["id"],)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [(409, "voen_under_review")] * 3 + ["submitted"]


def test_staff_register_with_an_account_number_once_and_the_lookup_finds_it(service, files, fresh_db):
    app = filled(service, documents=(files["pdf"],))
    refused(lambda: service.decide(STAFF, app["id"], "register", None), 409, "application_not_submitted")
    # A draft is the company's own business.
    refused(lambda: service.application(STAFF, app["id"]), 404)
    assert service.applications(STAFF, None, 20, 0) == ([], 0) == service.applications(STAFF, "draft", 20, 0)
    service.submit(REP, app["id"])
    items, total = service.applications(STAFF, "submitted", 20, 0)
    assert total == 1 and items[0]["id"] == app["id"]
    assert service.applications(STAFF, None, 20, 0)[1] == 1 and service.application(STAFF, app["id"])["documents"]
    refused(lambda: service.account_number_of(LOGISTICS), 404, "insurer_not_found")  # under review: not yet
    refused(lambda: service.decide(STAFF, app["id"], "register", "fine"), 422, "reason_only_for_rejection")
    registered = service.decide(STAFF, app["id"], "register", None)
    assert registered["status"] == "registered" and registered["account_number"] == "SE-0000001"
    assert registered["decided_by"] == {"fin": STAFF.fin, "name": STAFF.full_name}
    assert "decided_by" not in service.application(REP, app["id"])
    event = next(e for e in outbox(fresh_db, app["id"]) if e["type"] == "insurers.application.registered")
    assert event["data"]["account_number"] == "SE-0000001" and event["data"]["registered_at"] == registered["decided_at"]
    assert service.account_number_of(LOGISTICS) == {"voen": LOGISTICS, "name": SECTIONS[0]["full_name"],
                                                    "account_number": "SE-0000001"}
    refused(lambda: service.decide(STAFF, app["id"], "reject", "late"), 409, "application_already_decided")
    refused(lambda: service.create(REP, {}), 409, "voen_already_registered")


def test_a_rejection_needs_a_reason_frees_the_voen_and_is_published(service, files, fresh_db):
    app = filled(service, documents=(files["jpeg"],))
    service.submit(REP, app["id"])
    refused(lambda: service.decide(STAFF, app["id"], "reject", "  "), 422, "reason_required")
    rejected = service.decide(STAFF, app["id"], "reject", "Nizamnamənin surəti oxunmur")
    assert rejected["status"] == "rejected" and rejected["reason"] == "Nizamnamənin surəti oxunmur"
    event = next(e for e in outbox(fresh_db, app["id"]) if e["type"] == "insurers.application.rejected")
    assert event["data"]["reason"] == "Nizamnamənin surəti oxunmur" and event["data"]["rejected_at"]
    refused(lambda: service.account_number_of(LOGISTICS), 404)
    again = filled(service, documents=(files["jpeg"],))  # the company may apply again
    assert service.submit(REP, again["id"])["status"] == "submitted"
    numbers = [service.decide(STAFF, again["id"], "register", None)["account_number"]]
    assert numbers == ["SE-0000001"]


def test_another_company_and_a_citizen_see_nothing(service, files):
    app = filled(service, documents=(files["png"],))
    doc_id = app["documents"][0]["id"]
    for call in (lambda: service.application(OTHER, app["id"]), lambda: service.document(OTHER, app["id"], doc_id),
                 lambda: service.change(OTHER, app["id"], {"full_name": "x"}),
                 lambda: service.remove_document(OTHER, app["id"], doc_id),
                 lambda: service.submit(OTHER, app["id"])):
        refused(call, 404, "application_not_found")
    assert service.applications(OTHER, None, 20, 0) == ([], 0)
    refused(lambda: service.applications(person("no job 1"), None, 20, 0), 403)
    assert service.applications(REP, None, 20, 0)[1] == 1
