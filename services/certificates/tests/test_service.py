"""The use cases called directly on CertificatesService, against a database of the test's own and
the suite's real registry (purposes, organisations): a contract learnt from its event, a sealed
certificate issued on it, the history, revocation once, verification, what another person may
not see, and a termination revoking what was issued on the contract."""
from __future__ import annotations

from datetime import timedelta

import pytest

from certificates_service import domain, pdf, seal
from certificates_service.handlers import make_handlers
from certificates_service.repository import CertificatesRepository
from certificates_service.service import CertificatesService
from certificates_service.settings import CertificatesSettings
from devtools.client import sim_identity
from egov_kit import pki
from egov_kit.auth import Principal
from egov_kit.bus import PermanentFailure
from egov_kit.clock import baku_date, utcnow
from egov_kit.errors import ServiceError

BANK_VOEN = "9900072351"        # Dan Ulduzu Bank, in the registry's seed
EMPLOYER_VOEN = "1701100231"
NOW = utcnow()
TODAY = baku_date(NOW)
BASE_URL = "https://e-xidmet.example.az"


def person(label: str, acting_for: str | None = None) -> Principal:
    """A logged-in person of the Asan İmza simulator (seeded in the registry too)."""
    sim = sim_identity(label=label)
    return Principal(kind="person", subject=sim["fin"], fin=sim["fin"], surname=sim["surname"], name=sim["name"],
                     acting_for=acting_for, company_role="head" if acting_for else None)


HOLDER = person("employee 3")
STRANGER = person("employee 4")
BANK = person("head of a bank", acting_for=BANK_VOEN)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def sealer():
    material = seal.new_seal_material()  # made once: key generation is the slow part
    return seal.Sealer(pki.load_certkey(material["key_pem"], material["cert_pem"]),
                       pki.CertKey(cert_pem=material["ca_cert_pem"]))


def make_service(fresh_db, registry_client, sealer, **settings) -> CertificatesService:
    repository = CertificatesRepository(fresh_db)
    repository.ensure_indexes()
    own = CertificatesSettings(**settings)
    return CertificatesService(repository=repository, registry=registry_client("certificates"), settings=own,
                               public_base_url=BASE_URL, sealer_loader=lambda: sealer,
                               fonts=pdf.font_cache(own.font_dir), now=lambda: NOW)


@pytest.fixture
def service(fresh_db, registry_client, sealer) -> CertificatesService:
    return make_service(fresh_db, registry_client, sealer)


def sign(service: CertificatesService, notice_id: str = "n-1", **changes) -> str:
    """The contract as the contracts service's `contracts.notice.signed` event brings it."""
    data = {"notice_id": notice_id, "employer_voen": EMPLOYER_VOEN, "employer_name": '"Şəki İpək" ASC',
            "employee_fin": HOLDER.fin, "employee_name": "Həsənova Nərmin", "position": "Baş mühasib",
            "workplace": "Şəki", "contract_number": "EM-17", "contract_date": day(-400), "start_date": day(-390),
            "contract_type": "indefinite", "end_date": None, "salary": "1250.00", "working_time": "full"}
    data.update(changes)
    service.contract_signed(notice_id, domain.signed_contract(data))
    return notice_id


def request(contract_id: str = "n-1", **changes) -> dict:
    body = {"contract_id": contract_id, "type": "employment", "valid_until": TODAY + timedelta(days=30),
            "mobile": "+994996667788", "email": "nermin@example.az", "email_copy": False, "purpose": "01",
            "destination": "general", "addressee_voen": None, "notify_addressee_on_revoke": False}
    body.update(changes)
    return body


def refusal(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value


def outbox_types(service, number: str) -> list[str]:
    raw = service.repository.db.certificates.find_one({"_id": number})
    return sorted(event["type"] for event in raw["_outbox"].values())


def test_a_contract_learnt_from_its_event_gets_a_sealed_certificate(service, check_seal, read_pdf_text):
    sign(service)
    contracts, total = service.contracts_in_force(HOLDER, None, 20, 0)
    assert total == 1 and contracts[0]["contract_id"] == "n-1" and contracts[0]["employer_voen"] == EMPLOYER_VOEN
    assert service.contracts_in_force(STRANGER, None, 20, 0) == ([], 0)

    cert = service.issue(HOLDER, request(type="employment_with_salary", destination="addressed",
                                         addressee_voen=BANK_VOEN, notify_addressee_on_revoke=True))
    assert cert["status"] == "active" and cert["salary"] == "1250.00"
    assert cert["purpose"] == {"code": "01", "name": "Bank üçün"}  # named by the registry's directory
    assert cert["addressee"]["voen"] == BANK_VOEN and "Dan Ulduzu" in cert["addressee"]["name"]
    assert cert["holder"]["surname"] == HOLDER.surname
    # What the QR code and the printed link open: the portal's page checking it, not a JSON answer.
    assert cert["verification_url"] == f"{BASE_URL}/certificates/verify/{cert['number']}"

    number, data = service.pdf_of_holder(HOLDER, cert["number"].lower())
    assert number == cert["number"]
    status = check_seal(data, service.seal_ca_pem())
    assert status.intact and status.valid and status.trusted
    text = read_pdf_text(data)
    assert cert["number"] in text and HOLDER.fin in text and "1250.00 AZN" in text
    assert outbox_types(service, cert["number"]) == ["certificates.certificate.issued"]
    assert service.contacts(HOLDER) == {"mobiles": ["+994996667788"], "emails": ["nermin@example.az"]}


def test_issuing_is_refused_with_the_field_at_fault(service):
    sign(service)
    sign(service, "n-2", employee_fin=STRANGER.fin)
    unknown = refusal(lambda: service.issue(HOLDER, request("no-such-notice")))
    someone_elses = refusal(lambda: service.issue(HOLDER, request("n-2")))
    for refused in (unknown, someone_elses):
        assert refused.status == 404 and refused.errors == {"contract_id": ["unknown_contract"]}
    wrong = refusal(lambda: service.issue(HOLDER, request(purpose="99", destination="addressed",
                                                          addressee_voen="1999999999")))
    assert wrong.status == 422
    assert wrong.errors == {"purpose": ["unknown_purpose"], "addressee_voen": ["unknown_organization"]}
    assert service.history(HOLDER, 20, 0) == ([], 0)


def test_history_pages_newest_first(service):
    sign(service)
    numbers = [service.issue(HOLDER, request())["number"] for _ in range(3)]
    items, total = service.history(HOLDER, 2, 0)
    assert total == 3 and len(items) == 2
    rest, _ = service.history(HOLDER, 2, 2)
    assert {c["number"] for c in items + rest} == set(numbers)
    assert service.history(STRANGER, 20, 0) == ([], 0)


def test_the_holder_revokes_once(service):
    sign(service)
    cert = service.issue(HOLDER, request())
    revoked = service.revoke_by_holder(HOLDER, cert["number"])
    assert revoked["status"] == "revoked" and revoked["revocation_reason"] == "holder" and revoked["revoked_at"]
    again = refusal(lambda: service.revoke_by_holder(HOLDER, cert["number"]))
    assert again.status == 409 and again.code == "already_revoked"
    assert outbox_types(service, cert["number"]) == ["certificates.certificate.issued",
                                                     "certificates.certificate.revoked"]
    assert service.certificate_of_holder(HOLDER, cert["number"])["status"] == "revoked"


def test_verification_valid_then_not_valid_and_both_histories(service):
    sign(service)
    cert = service.issue(HOLDER, request(type="employment_with_salary"))
    answer = service.verify(BANK, cert["number"].replace("-", " "))
    assert answer["result"] == "valid" and answer["certificate"]["salary"] == "1250.00"
    assert answer["certificate"]["holder_name"].startswith(HOLDER.surname)
    assert answer["pdf_url"] == f"{BASE_URL}/api/certificates/verifications/{cert['number']}/pdf"
    assert service.pdf_for_verifier(BANK, cert["number"])[1].startswith(b"%PDF")

    service.revoke_by_holder(HOLDER, cert["number"])
    assert service.verify(BANK, cert["number"]) == {"result": "not_valid"}
    assert service.verify(BANK, "AR-00000-00000-0000Z") == {"result": "not_valid"}
    assert refusal(lambda: service.pdf_for_verifier(BANK, cert["number"])).status == 404  # checked again

    mine, total = service.checked_by_me(BANK, 20, 0)
    assert total == 4 and [c["result"] for c in mine].count("valid") == 1
    assert all(c["holder"] is None for c in mine if c["result"] == "not_valid")
    seen, total = service.checked_by_others(HOLDER, 20, 0)  # not the mistyped number: nobody's
    assert total == 3 and {c["verifier"]["fin"] for c in seen} == {BANK.fin}
    assert all("Dan Ulduzu" in c["organization"]["name"] for c in seen)  # named by the registry


def test_verifications_are_limited_per_verifier(fresh_db, registry_client, sealer):
    service = make_service(fresh_db, registry_client, sealer, verify_rate_per_minute=3)
    for _ in range(3):
        assert service.verify(BANK, "AR-00000-00000-0000Z") == {"result": "not_valid"}
    limited = refusal(lambda: service.verify(BANK, "AR-00000-00000-0000Z"))
    assert limited.status == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert service.verify(STRANGER, "AR-00000-00000-0000Z") == {"result": "not_valid"}


def test_another_person_can_neither_read_nor_revoke(service):
    sign(service)
    cert = service.issue(HOLDER, request())
    for call in (service.certificate_of_holder, service.pdf_of_holder, service.revoke_by_holder):
        assert refusal(lambda: call(STRANGER, cert["number"])).status == 404, call.__name__
    assert service.certificate_of_holder(HOLDER, cert["number"])["status"] == "active"


def test_a_terminated_contract_revokes_its_valid_certificates_once(service):
    handlers = make_handlers(service)
    handlers.by_type["contracts.notice.signed"]({"data": {"notice_id": "n-1", "employee_fin": HOLDER.fin,
                                                          "employer_voen": EMPLOYER_VOEN, "start_date": day(-390),
                                                          "contract_type": "indefinite"}})
    sign(service, "n-2")
    alerting = service.issue(HOLDER, request(destination="addressed", addressee_voen=BANK_VOEN,
                                             notify_addressee_on_revoke=True))
    plain = service.issue(HOLDER, request())
    other_contract = service.issue(HOLDER, request("n-2"))
    expired = service.issue(HOLDER, request())
    service.repository.db.certificates.update_one({"_id": expired["number"]}, {"$set": {"valid_until": day(-1)}})

    ended = {"data": {"notice_id": "n-1", "employee_fin": HOLDER.fin, "termination_date": day(0), "ground": "01"}}
    handlers.by_type["contracts.notice.terminated"](ended)
    status = {n: service.certificate_of_holder(HOLDER, n)["status"]
              for n in (alerting["number"], plain["number"], other_contract["number"], expired["number"])}
    assert status == {alerting["number"]: "revoked", plain["number"]: "revoked",
                      other_contract["number"]: "active", expired["number"]: "expired"}
    assert service.certificate_of_holder(HOLDER, plain["number"])["revocation_reason"] == "contract_terminated"
    raw = service.repository.db.certificates.find_one({"_id": alerting["number"]})
    [event] = [e for e in raw["_outbox"].values() if e["type"] == "certificates.certificate.revoked"]
    assert event["data"]["reason"] == "contract_terminated" and event["data"]["notify_addressee"] is True

    assert service.contract_terminated("n-1", domain.terminated_contract(ended["data"])) == 0  # redelivered
    assert outbox_types(service, plain["number"]).count("certificates.certificate.revoked") == 1
    refused = refusal(lambda: service.issue(HOLDER, request()))
    assert refused.status == 422 and refused.errors == {"contract_id": ["contract_not_in_force"]}
    with pytest.raises(PermanentFailure):
        handlers.by_type["contracts.notice.terminated"]({"data": {"employee_fin": HOLDER.fin}})
