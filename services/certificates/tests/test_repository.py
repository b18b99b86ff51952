"""Storage against the real Mongo-speaking server: the contract projection tolerates duplicates
and any order, a revocation happens once with its event in the same write, counters are shared."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from certificates_service import domain, numbers
from certificates_service.repository import CertificatesRepository
from egov_kit.bus import new_event

NOW = datetime.now(timezone.utc)
SIGNED = {"notice_id": "n-1", "employer_voen": "1701100231", "employer_name": "Şəki İpək", "employee_fin": "4RD6YFC",
          "employee_name": "Həsənova Nərmin Əli qızı", "position": "Mühasib", "contract_number": "EM-1",
          "start_date": "2024-03-01", "contract_type": "indefinite", "end_date": None, "salary": "1250.00"}
TERMINATED = {"notice_id": "n-1", "employer_voen": "1701100231", "employee_fin": "4RD6YFC",
              "termination_date": "2026-11-20", "ground": "01", "terminated_at": NOW.isoformat()}


@pytest.fixture
def repo(fresh_db):
    repository = CertificatesRepository(fresh_db)
    assert repository.ensure_indexes()
    return repository


def test_signed_then_terminated(repo):
    repo.project_signed("n-1", domain.signed_contract(SIGNED))
    assert [c["_id"] for c in repo.contracts_of("4RD6YFC")] == ["n-1"]
    assert repo.contract("n-1")["salary_qepik"] == 125000
    repo.project_terminated("n-1", domain.terminated_contract(TERMINATED))
    assert repo.contracts_of("4RD6YFC") == [] and repo.contract("n-1")["status"] == "terminated"


def test_termination_overtaking_its_signing_stays_terminated(repo):
    repo.project_terminated("n-1", domain.terminated_contract(TERMINATED))
    repo.project_signed("n-1", domain.signed_contract(SIGNED))
    repo.project_signed("n-1", domain.signed_contract(SIGNED))  # and a redelivery
    contract = repo.contract("n-1")
    assert contract["status"] == "terminated" and contract["position"] == "Mühasib"
    assert repo.contracts_of("4RD6YFC") == []


def test_duplicate_signing_events_change_nothing(repo):
    for _ in range(3):
        repo.project_signed("n-1", domain.signed_contract(SIGNED))
    assert repo.db.contracts.count_documents({}) == 1 and repo.contract("n-1")["status"] == "signed"


def certificate(number=None, valid_until="2030-01-01", contract_id="n-1", issued_at=NOW) -> dict:
    contract = {"_id": contract_id, **domain.signed_contract(SIGNED)}
    holder = domain.holder_of({"fin": "4RD6YFC"}, contract)
    request = {"type": "employment", "valid_until": date.fromisoformat(valid_until), "purpose": "01",
               "destination": "addressed", "notify_addressee_on_revoke": True}
    return domain.new_certificate(number or numbers.generate(), holder, contract, request, {"code": "01"},
                                  {"voen": "9900072351", "name": "Dan Ulduzu Bank"}, issued_at)


def store(repo, cert) -> dict:
    repo.insert_certificate(cert, new_event("certificates.certificate.issued", domain.issued_event_data(cert),
                                            source="certificates"))
    return cert


def test_a_certificate_carries_its_issued_event_until_relayed(repo):
    cert = store(repo, certificate())
    raw = repo.db.certificates.find_one({"_id": cert["number"]})
    assert raw["_outbox_pending"] == 1
    [event] = raw["_outbox"].values()
    assert event["type"] == "certificates.certificate.issued" and event["data"]["number"] == cert["number"]
    assert "_outbox" not in repo.certificate(cert["number"])


def test_revocation_happens_once_with_its_event(repo):
    cert = store(repo, certificate())
    event = new_event("certificates.certificate.revoked", domain.revoked_event_data(cert, "holder", NOW),
                      source="certificates")
    revoked = repo.revoke(cert["number"], reason="holder", revoked_at=NOW, event=event, holder_fin="4RD6YFC")
    assert revoked["status"] == "revoked" and "_outbox" not in revoked  # as it is now, from the same write
    assert repo.revoke(cert["number"], reason="holder", revoked_at=NOW, event=event, holder_fin="4RD6YFC") is None
    raw = repo.db.certificates.find_one({"_id": cert["number"]})
    assert raw["status"] == "revoked" and raw["revocation"]["reason"] == "holder" and raw["_outbox_pending"] == 2
    assert isinstance(raw["revocation"]["at"], datetime)  # a date, on nx-27017 as on MongoDB
    assert {e["type"] for e in raw["_outbox"].values()} == {"certificates.certificate.issued",
                                                           "certificates.certificate.revoked"}


def test_someone_else_cannot_revoke(repo):
    cert = store(repo, certificate())
    event = new_event("certificates.certificate.revoked", {}, source="certificates")
    assert repo.revoke(cert["number"], reason="holder", revoked_at=NOW, event=event, holder_fin="1XG5VHJ") is None
    assert repo.certificate(cert["number"])["status"] == "active"


def test_history_newest_first(repo):
    first = store(repo, certificate(issued_at=NOW - timedelta(days=2)))
    second = store(repo, certificate(issued_at=NOW - timedelta(days=1)))
    third = store(repo, certificate(issued_at=NOW))
    items, total = repo.history("4RD6YFC", 2, 0)
    assert total == 3 and [c["number"] for c in items] == [third["number"], second["number"]]
    assert repo.history("4RD6YFC", 2, 2) == ([repo.certificate(first["number"])], 3)


def test_a_number_cannot_be_stored_twice(repo):
    assert repo.insert_pdf("AR-1", b"%PDF-1")
    assert not repo.insert_pdf("AR-1", b"%PDF-2")
    assert repo.pdf("AR-1") == b"%PDF-1"


def test_contacts_are_remembered_once_most_recent_first(repo):
    repo.remember_contact("4RD6YFC", "email", "old@example.az", NOW - timedelta(days=3))
    repo.remember_contact("4RD6YFC", "mobile", "+994501234567", NOW - timedelta(days=2))
    repo.remember_contact("4RD6YFC", "email", "new@example.az", NOW - timedelta(days=1))
    repo.remember_contact("4RD6YFC", "email", "Old@example.az", NOW)
    values = [(c["kind"], c["value"]) for c in repo.contacts("4RD6YFC")]
    assert values == [("email", "Old@example.az"), ("email", "new@example.az"), ("mobile", "+994501234567")]
    assert repo.contacts("1XG5VHJ") == []


def window_end() -> datetime:
    """A rate window ending two minutes from the clock now — not from NOW, taken when the module
    was collected, maybe minutes ago: a window already past its end counts afresh (and the TTL
    index purges it) while the test runs."""
    return datetime.now(timezone.utc) + timedelta(minutes=2)


def test_rate_counters_are_taken_in_shares_within_the_limit(repo):
    expires = window_end()
    assert repo.take_hits("verify:5TH3WQG:1", 4, 10, expires) == (True, 4)  # opens the window
    assert repo.take_hits("verify:5TH3WQG:1", 4, 10, expires) == (True, 8)
    assert repo.take_hits("verify:5TH3WQG:1", 4, 10, expires) == (False, 8)  # would pass the limit
    assert repo.take_hits("verify:5TH3WQG:1", 2, 10, expires) == (True, 10)
    assert repo.take_hits("verify:5TH3WQG:1", 1, 10, expires) == (False, 10)
    assert all(isinstance(d["expires_at"], datetime) for d in repo.db.rate_limits.find())  # for the TTL index
    assert repo.take_hits("verify:5TH3WQG:2", 1, 10, expires) == (True, 1)
    assert repo.take_hits("verify:9CV7TBU:1", 3, 10, expires) == (True, 3)


def test_first_seal_wins(repo):
    first = repo.insert_seal_material({"_id": "seal", "cert_pem": "first"})
    second = repo.insert_seal_material({"_id": "seal", "cert_pem": "second"})
    assert first["cert_pem"] == second["cert_pem"] == "first" == repo.seal_material()["cert_pem"]


def test_workers_taking_shares_at_once_never_pass_the_limit(repo):
    from concurrent.futures import ThreadPoolExecutor

    expires = window_end()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: repo.take_hits("verify:race:1", 3, 100, expires), range(40)))
    taken = [count for ok, count in results if ok]
    assert len(taken) == 33 and sorted(taken) == list(range(3, 100, 3))  # never a count twice
    assert all(count == 99 for ok, count in results if not ok)
    assert repo.db.rate_limits.find_one({"_id": {"$exists": True}, "count": 99}) is not None


def test_a_valid_check_is_what_opens_the_pdf_to_that_verifier(repo):
    verifier = {"fin": "5TH3WQG", "surname": "Bağırova", "name": "Səbinə", "patronymic": None}
    cert = store(repo, certificate())
    for result in ("not_valid", "valid"):
        repo.insert_verification(domain.verification_record(
            number=cert["number"], result=result, verifier=verifier, organization=None, cert=cert,
            at=NOW - timedelta(seconds=1 if result == "not_valid" else 0)))
    assert repo.has_valid_check("5TH3WQG", cert["number"])
    assert not repo.has_valid_check("9CV7TBU", cert["number"])
    items, total = repo.verifications("verifier_fin", "5TH3WQG", 1, 0)
    assert [i["result"] for i in items] == ["valid"] and total == 2
    assert [i["result"] for i in repo.verifications("holder_fin", "4RD6YFC", 5, 0)[0]] == ["valid", "not_valid"]
