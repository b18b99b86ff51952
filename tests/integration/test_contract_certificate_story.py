"""The whole story of an employment contract and the certificates built on it, through the gateway
with the real services: a café's head grants himself and a representative the authority; the
representative enters a notice for a cook and signs it with PIN2 on the simulated phone; the cook
finds it among her notices and, through the contracts service's event, in the certificates
service; she issues a certificate addressed to a logistics company that wants to be told of its
revocation; the logistics company's head verifies it, both verification histories show the check;
the cook revokes it and the verifier learns nothing more, while the revocation (with its
addressee) goes out on the bus; finally the contract's termination, signed with PIN2, revokes the
certificates still in force.

Around it: the signed PDF and ADoc check out with independent tools (pyHanko, `openssl cms`),
another company sees nothing, an authority past its end date or withdrawn stops a signature
already started, and every bad field of a notice or a certificate request is named in a problem."""
from __future__ import annotations

import io
import json
import subprocess
import uuid
import zipfile
from datetime import datetime, timedelta, timezone

import pika
import pytest
import requests
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit import pki
from egov_kit.bus import declare_exchange

CAFE = "1701100561"        # "Ağ Səhər" café, headed by Çingiz Hüseynov: the employer of the story
LOGISTICS = "1701100451"   # Çinarlı Logistika, headed by Gülnarə Əliyeva: addressee and verifier
AQRO = "1701100341"        # Göygöl Aqro, one of İlqar Məmmədov's companies: the lapsing authorities
CONTRACTS = "/api/contracts"
CERTIFICATES = "/api/certificates"
BAKU = timezone(timedelta(hours=4))  # people's dates are Baku calendar days


def day(offset: int = 0) -> str:
    return (datetime.now(BAKU).date() + timedelta(days=offset)).isoformat()


def is_problem(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith("application/problem+json")


# --- people and sessions ------------------------------------------------------------------

@pytest.fixture(scope="module")
def people() -> dict:
    return {"head": sim_identity(label="head of 1 company (cafe)"), "rep": sim_identity(label="employee 4"),
            "employee": sim_identity(label="no job 1"), "verifier": sim_identity(label="head of 1 company (logistics)"),
            "aqro_head": sim_identity(label="head of 3 companies"),
            "aqro_rep": sim_identity(label="employee / representative 2")}


def login(suite, sim: dict) -> ApiSession:
    return ApiSession(suite.gateway_url).login(sim)


def act_for_when_allowed(session: ApiSession, voen: str) -> ApiSession:
    """The auth service learns of a grant from the bus: the company role is there once it has."""
    def attempt():
        response = session.post("/api/auth/role", json={"voen": voen})
        return response.json()["access_token"] if response.status_code == 200 else None
    session.token = eventually(attempt, timeout=15, message=f"the role for {voen} after the grant")
    return session


def grant(head: ApiSession, fin: str, valid_until: str | None) -> dict:
    response = head.post(f"{CONTRACTS}/authorities", json={"fin": fin, "valid_until": valid_until})
    assert response.status_code == 201, response.text
    return response.json()


def sign(session: ApiSession, path: str, signer: dict) -> requests.Response:
    """Start signing `path`, confirm the same code on the signer's phone with PIN2 (and the next ones),
    poll until final."""
    started = session.post(f"{path}/signature")
    assert started.status_code == 202, started.text
    confirmed = session.confirm_signing(f"{path}/signature", signer["phone"], started.json()["verification_code"],
                                        signer["pin2"])
    assert confirmed.status_code == 200, confirmed.text
    return poll_until_final(session, f"{path}/signature")


def poll_until_final(session: ApiSession, path: str) -> requests.Response:
    def final():
        polled = session.get(path)
        # In a tuple: an error response is falsy by itself.
        return (polled,) if polled.status_code != 200 or polled.json()["state"] != "pending" else None
    return eventually(final, timeout=15, message="the signature to become final")[0]


# --- what goes out on the bus -------------------------------------------------------------

class Probe:
    """Our own temporary queue on the suite's exchange, bound before anything happens."""

    def __init__(self, amqp_url: str, exchange: str, routing_keys: list[str]):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        declare_exchange(self.channel, exchange)  # idempotent: the declaration the services make
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        for key in routing_keys:
            self.channel.queue_bind(self.queue, exchange, routing_key=key)
        self.seen: list[dict] = []

    def _drain(self) -> list[dict]:
        while True:
            method, _props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return self.seen
            self.seen.append(json.loads(body))

    def matching(self, event_type: str, **data) -> list[dict]:
        return [e for e in self._drain() if e["type"] == event_type
                and all(e["data"].get(k) == v for k, v in data.items())]

    def wait_for(self, event_type: str, **data) -> dict:
        return eventually(lambda: (self.matching(event_type, **data) or [None])[0], timeout=15,
                          message=f"{event_type} {data}")

    def close(self):
        self.connection.close()


@pytest.fixture(scope="module")
def bus(suite, amqp_url):
    probe = Probe(amqp_url, suite.exchange, ["contracts.notice.#", "certificates.certificate.revoked"])
    yield probe
    probe.close()


# --- the story's fixtures -----------------------------------------------------------------

@pytest.fixture(scope="module")
def head(suite, people, bus) -> ApiSession:
    return login(suite, people["head"]).act_for(CAFE)


@pytest.fixture(scope="module")
def authorities(head, people) -> dict:
    """The head authorises himself first (indefinitely), then the representative (for 90 days)."""
    return {"head": grant(head, people["head"]["fin"], None),
            "rep": grant(head, people["rep"]["fin"], day(90))}


@pytest.fixture(scope="module")
def rep(suite, people, authorities) -> ApiSession:
    return act_for_when_allowed(login(suite, people["rep"]), CAFE)


@pytest.fixture(scope="module")
def employee(suite, people) -> ApiSession:
    return login(suite, people["employee"])


@pytest.fixture(scope="module")
def verifier(suite, people) -> ApiSession:
    return login(suite, people["verifier"]).act_for(LOGISTICS)


def notice_body(employee_fin: str, **changes) -> dict:
    body = {"employee_fin": employee_fin, "position": "Aşpaz", "occupation_code": "5120",
            "workplace": "Mətbəx, Şəki filialı", "contract_number": f"AS-{uuid.uuid4().hex[:8]}",
            "contract_date": day(-35), "start_date": day(-30), "contract_type": "indefinite", "end_date": None,
            "salary": "950.00", "working_time": "full"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}  # ... leaves the field out


@pytest.fixture(scope="module")
def notice(rep, people) -> dict:
    """The representative, acting for the café, enters the cook's notice and signs it with PIN2."""
    created = rep.post(f"{CONTRACTS}/notices", json=notice_body(people["employee"]["fin"]))
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "unsigned"
    path = f"{CONTRACTS}/notices/{created.json()['id']}"
    final = sign(rep, path, people["rep"])
    assert final.status_code == 200 and final.json()["state"] == "confirmed", final.text
    return rep.get(path).json()


def offered_contracts(session: ApiSession) -> dict:
    response = session.get(f"{CERTIFICATES}/contracts", params={"limit": 200})
    assert response.status_code == 200, response.text
    return {c["contract_id"]: c for c in response.json()["items"]}


@pytest.fixture(scope="module")
def contract(employee, notice) -> dict:
    """The signed notice, as the certificates service learnt it from the event."""
    return eventually(lambda: offered_contracts(employee).get(notice["id"]), timeout=15,
                      message="the contract in the certificates service")


def certificate_body(contract_id: str, **changes) -> dict:
    body = {"contract_id": contract_id, "type": "employment_with_salary", "valid_until": day(30),
            "mobile": "+994608889900", "email": "ulviyye@example.az", "email_copy": False, "purpose": "09",
            "destination": "addressed", "addressee_voen": LOGISTICS, "notify_addressee_on_revoke": True}
    body.update(changes)
    return body


def issue(employee: ApiSession, contract_id: str, **changes) -> dict:
    response = employee.post(CERTIFICATES, json=certificate_body(contract_id, **changes))
    assert response.status_code == 201, response.text
    return response.json()


def history(employee: ApiSession) -> dict:
    items = employee.get(CERTIFICATES, params={"limit": 200}).json()["items"]
    return {c["number"]: c for c in items}


# --- authority and the signed notice ------------------------------------------------------

def test_head_authorises_himself_and_a_representative(head, authorities, rep, people):
    listed = {a["id"]: a for a in head.get(f"{CONTRACTS}/authorities").json()["items"]}
    mine, theirs = listed[authorities["head"]["id"]], listed[authorities["rep"]["id"]]
    assert mine["fin"] == people["head"]["fin"] and mine["kind"] == "indefinite" and mine["status"] == "active"
    assert theirs["fin"] == people["rep"]["fin"] and theirs["kind"] == "fixed_term"
    assert theirs["valid_until"] == day(90) and theirs["status"] == "active"
    assert theirs["full_name"].startswith("Ağayev Tuğrul")  # filled from the registry
    me = rep.get("/api/auth/me").json()
    assert me["acting_for"] == CAFE
    assert {"voen": CAFE, "role": "authorised"}.items() <= next(c for c in me["companies"]
                                                               if c["voen"] == CAFE).items()
    # The representative works for the company but does not manage its authorities.
    assert rep.get(f"{CONTRACTS}/authorities").status_code == 403


def test_signed_notice_reaches_the_employee_and_the_certificates_service(notice, employee, contract, bus, people):
    assert notice["status"] == "signed" and notice["signed_at"]
    assert notice["employer"]["voen"] == CAFE and notice["employee"]["surname"] == "İsmayılova"
    assert notice["signed_by"]["name"].startswith("Ağayev Tuğrul")

    mine = employee.get(f"{CONTRACTS}/my-notices", params={"limit": 100})
    assert mine.status_code == 200
    found = {n["id"]: n for n in mine.json()["items"]}[notice["id"]]
    assert found["status"] == "signed" and found["salary"] == "950.00" and found["position"] == "Aşpaz"

    event = bus.wait_for("contracts.notice.signed", notice_id=notice["id"])
    assert event["data"]["employee_fin"] == people["employee"]["fin"] and event["data"]["employer_voen"] == CAFE

    assert contract == {"contract_id": notice["id"], "employer_voen": CAFE,
                        "employer_name": notice["employer"]["name"], "position": "Aşpaz",
                        "start_date": day(-30), "end_date": None, "contract_number": notice["contract_number"],
                        "contract_type": "indefinite"}
    # Nobody else is offered her contract.
    assert notice["id"] not in offered_contracts(ApiSession(employee.base_url).login(people["rep"]))


# --- the signed documents, checked by independent tools -----------------------------------

@pytest.fixture(scope="module")
def ca_pem(suite) -> str:
    response = requests.get(f"{suite.gateway_url}/api/auth/ca.pem", timeout=10)
    assert response.status_code == 200 and "BEGIN CERTIFICATE" in response.text
    return response.text


def pades_status(pdf: bytes, ca_pem: str):
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False)
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(signature, context)


def openssl_cms_verify(folder, signature: bytes, content: bytes, ca_pem: str) -> subprocess.CompletedProcess:
    (folder / "signature.p7s").write_bytes(signature)
    (folder / "content.json").write_bytes(content)
    (folder / "ca.pem").write_text(ca_pem)
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(folder / "signature.p7s"), "-content", str(folder / "content.json"),
                           "-CAfile", str(folder / "ca.pem"), "-out", "/dev/null"], capture_output=True, text=True)


def test_signed_pdf_validates_and_a_tampered_copy_does_not(employee, rep, notice, ca_pem):
    path = f"{CONTRACTS}/notices/{notice['id']}/pdf"
    response = employee.get(path)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert rep.get(path).content == response.content  # the employer downloads the same signed file
    status = pades_status(response.content, ca_pem)
    assert status.intact and status.valid and status.trusted

    link = f"/api/contracts/notices/{notice['id']}/check".encode()
    at = response.content.index(link)  # the printed verification link lies in the signed bytes
    tampered = bytearray(response.content)
    tampered[at + len(link) - 3] ^= 0x01
    assert not pades_status(bytes(tampered), ca_pem).intact


def test_signed_adoc_verifies_with_openssl_and_a_tampered_copy_does_not(tmp_path, employee, notice, ca_pem):
    response = employee.get(f"{CONTRACTS}/notices/{notice['id']}/adoc")
    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read("mimetype") == b"application/vnd.etsi.asic-e+zip"
    content = archive.read("notice.json")
    signed = json.loads(content)
    assert signed["notice_id"] == notice["id"] and signed["salary"] == "950.00"
    assert signed["employee"]["fin"] == notice["employee_fin"] and signed["employer"]["voen"] == CAFE
    assert archive.read("notice.pdf") == employee.get(f"{CONTRACTS}/notices/{notice['id']}/pdf").content

    signature = archive.read("META-INF/signature.p7s")
    verified = openssl_cms_verify(tmp_path, signature, content, ca_pem)
    assert verified.returncode == 0, verified.stderr
    raised = content.replace(b'"950.00"', b'"9950.00"')
    assert raised != content
    assert openssl_cms_verify(tmp_path, signature, raised, ca_pem).returncode != 0


def test_another_company_gets_404_for_the_notice(verifier, notice):
    path = f"{CONTRACTS}/notices/{notice['id']}"
    for suffix in ("", "/pdf", "/adoc", "/signature", "/termination/signature"):
        response = verifier.get(path + suffix)
        assert response.status_code == 404 and is_problem(response), suffix
    assert verifier.post(f"{path}/termination", json={"date": day(), "ground": "69"}).status_code == 404
    listed = verifier.get(f"{CONTRACTS}/notices", params={"q": notice["contract_number"]})
    assert listed.status_code == 200 and listed.json()["total"] == 0


# --- the certificate: issued, verified, revoked -------------------------------------------

@pytest.fixture(scope="module")
def certificate(employee, contract) -> dict:
    return issue(employee, contract["contract_id"])


def test_addressed_certificate_is_verified_by_another_company_and_both_histories_show_it(
        employee, verifier, certificate, notice, people):
    assert certificate["status"] == "active" and certificate["destination"] == "addressed"
    assert certificate["addressee"]["voen"] == LOGISTICS and "Çinarlı" in certificate["addressee"]["name"]
    assert certificate["notify_addressee_on_revoke"] is True and certificate["salary"] == "950.00"
    assert certificate["employer_voen"] == CAFE and certificate["contract_number"] == notice["contract_number"]

    answer = verifier.post(f"{CERTIFICATES}/verifications", json={"number": certificate["number"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "valid"
    shown = answer.json()["certificate"]
    assert shown["holder_name"].startswith("İsmayılova Ülviyyə") and shown["salary"] == "950.00"
    assert shown["employer_name"] == notice["employer"]["name"] and shown["position"] == "Aşpaz"
    assert shown["addressee"]["voen"] == LOGISTICS

    checked = [i for i in verifier.get(f"{CERTIFICATES}/verifications/mine").json()["items"]
               if i["number"] == certificate["number"]]
    assert checked and checked[0]["result"] == "valid" and checked[0]["holder"]["surname"] == "İsmayılova"

    seen = [i for i in employee.get(f"{CERTIFICATES}/verifications/of-my-certificates").json()["items"]
            if i["number"] == certificate["number"]]
    assert seen and seen[0]["verifier"]["fin"] == people["verifier"]["fin"]
    assert seen[0]["verifier"]["surname"] == people["verifier"]["surname"]
    assert seen[0]["organization"]["voen"] == LOGISTICS and "Çinarlı" in seen[0]["organization"]["name"]
    assert seen[0]["verified_at"]


def test_holder_revokes_then_the_verifier_learns_nothing_and_the_addressee_is_told(
        employee, verifier, certificate, bus):
    number = certificate["number"]
    revoked = employee.post(f"{CERTIFICATES}/{number}/revocation")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and revoked.json()["revocation_reason"] == "holder"

    answer = verifier.post(f"{CERTIFICATES}/verifications", json={"number": number})
    assert answer.status_code == 200 and answer.json() == {"result": "not_valid"}
    for personal in ("İsmayılova", "Ülviyyə", "950", "Aşpaz", CAFE):
        assert personal not in answer.text
    assert verifier.get(f"{CERTIFICATES}/verifications/{number}/pdf").status_code == 404
    last = next(i for i in verifier.get(f"{CERTIFICATES}/verifications/mine").json()["items"] if i["number"] == number)
    assert last["result"] == "not_valid" and last["holder"] is None  # recorded, naming nobody

    event = bus.wait_for("certificates.certificate.revoked", number=number)
    assert event["source"] == "certificates"
    data = event["data"]
    assert data["reason"] == "holder" and data["destination"] == "addressed"
    assert data["addressee_voen"] == LOGISTICS and "Çinarlı" in data["addressee_name"]
    assert data["notify_addressee"] is True and data["revoked_at"]
    assert history(employee)[number]["status"] == "revoked"


# --- every bad field named ----------------------------------------------------------------

NOTICE_CASES = [
    # (changes to a good notice, fields the problem must name)
    ({"employee_fin": None}, ["employee_fin"]),
    ({"employee_fin": "ABCD12345"}, ["employee_fin"]),
    ({"employee_fin": "ZZZZZZ9"}, ["employee_fin"]),              # well-formed, nobody in the registry
    ({"position": "Aşpaz " * 40}, ["position"]),                  # longer than 200 characters
    ({"occupation_code": "9999"}, ["occupation_code"]),
    ({"workplace": ...}, ["workplace"]),
    ({"contract_number": "  "}, ["contract_number"]),
    ({"contract_date": "30.11.2026"}, ["contract_date"]),
    ({"start_date": day(-40)}, ["start_date"]),                   # before the contract was concluded
    ({"contract_type": None}, ["contract_type"]),
    ({"contract_type": "fixed_term", "end_date": day(-30)}, ["end_date"]),  # ends the day it starts
    ({"end_date": day(100)}, ["end_date"]),                       # an indefinite contract has no end
    ({"salary": "1000000.01"}, ["salary"]),
    ({"salary": True}, ["salary"]),
    ({"salary": "1e3"}, ["salary"]),
    ({"working_time": "FULL"}, ["working_time"]),
    ({"bonus": "100"}, ["bonus"]),
    ({"salary": "-1", "working_time": "shifts", "contract_date": None}, ["salary", "working_time", "contract_date"]),
]


@pytest.mark.parametrize("changes, fields", NOTICE_CASES, ids=["-".join(c[1]) + f"-{i}" for i, c in enumerate(NOTICE_CASES)])
def test_every_bad_notice_field_is_named(rep, people, changes, fields):
    response = rep.post(f"{CONTRACTS}/notices", json=notice_body(**{"employee_fin": people["employee"]["fin"], **changes}))
    assert response.status_code == 422, response.text
    assert is_problem(response)
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    for field in fields:
        assert field in problem["errors"] and problem["errors"][field][0], (field, problem)


CERTIFICATE_CASES = [
    # (changes to a good request, field named, status)
    ({"contract_id": ""}, "contract_id", 422),
    ({"contract_id": uuid.uuid4().hex}, "contract_id", 404),
    ({"type": None}, "type", 422),
    ({"type": "salary_only"}, "type", 422),
    ({"valid_until": "2026-02-30"}, "valid_until", 422),
    ({"valid_until": day(-1)}, "valid_until", 422),
    ({"mobile": "+994201234567"}, "mobile", 422),                 # no such operator code
    ({"mobile": "0501234567"}, "mobile", 422),
    ({"email": "ulviyye@"}, "email", 422),
    ({"email": "", "email_copy": True}, "email", 422),
    ({"email_copy": "maybe"}, "email_copy", 422),
    ({"purpose": ""}, "purpose", 422),
    ({"purpose": "11"}, "purpose", 422),
    ({"destination": "abroad"}, "destination", 422),
    ({"addressee_voen": "ABCDEFGHIJ"}, "addressee_voen", 422),
    ({"addressee_voen": None}, "addressee_voen", 422),
    ({"addressee_voen": "1999999999"}, "addressee_voen", 422),    # well-formed, no such organisation
    ({"destination": "general"}, "addressee_voen", 422),         # general, yet an addressee named
    ({"destination": "general", "addressee_voen": None}, "notify_addressee_on_revoke", 422),
    ({"notify_addressee_on_revoke": "please"}, "notify_addressee_on_revoke", 422),
    ({"salary": "5000.00"}, "salary", 422),
]


@pytest.mark.parametrize("changes, field, status", CERTIFICATE_CASES,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(CERTIFICATE_CASES)])
def test_every_bad_certificate_field_is_named(employee, contract, changes, field, status):
    response = employee.post(CERTIFICATES, json=certificate_body(**{"contract_id": contract["contract_id"], **changes}))
    assert response.status_code == status, response.text
    assert is_problem(response)
    problem = response.json()
    assert problem["status"] == status and field in problem["errors"] and problem["errors"][field][0], problem


# --- termination ----------------------------------------------------------------------------

def test_signed_termination_revokes_the_certificates_still_in_force(
        tmp_path, rep, employee, verifier, notice, contract, certificate, bus, people, ca_pem):
    alerting = issue(employee, contract["contract_id"], type="employment")
    plain = issue(employee, contract["contract_id"], destination="general", addressee_voen=None,
                  notify_addressee_on_revoke=False)
    path = f"{CONTRACTS}/notices/{notice['id']}"
    entered = rep.post(f"{path}/termination", json={"date": day(), "ground": "69"})
    assert entered.status_code == 201, entered.text
    # Entered but not yet signed: everything still stands.
    assert verifier.post(f"{CERTIFICATES}/verifications", json={"number": alerting["number"]}).json()["result"] == "valid"

    final = sign(rep, f"{path}/termination", people["rep"])
    assert final.status_code == 200, final.text
    assert final.json()["state"] == "confirmed" and final.json()["status"] == "terminated"
    assert bus.wait_for("contracts.notice.terminated", notice_id=notice["id"])["data"]["ground"] == "69"

    def both_revoked():
        mine = history(employee)
        return mine if all(mine[c["number"]]["status"] == "revoked" for c in (alerting, plain)) else None

    mine = eventually(both_revoked, timeout=15, message="automatic revocation")
    assert mine[alerting["number"]]["revocation_reason"] == "contract_terminated"
    assert mine[plain["number"]]["revocation_reason"] == "contract_terminated"
    assert mine[certificate["number"]]["revocation_reason"] == "holder"  # revoked once, by its holder

    told = bus.wait_for("certificates.certificate.revoked", number=alerting["number"])["data"]
    assert told["reason"] == "contract_terminated" and told["notify_addressee"] is True
    assert told["addressee_voen"] == LOGISTICS and "Çinarlı" in told["addressee_name"]
    quiet = bus.wait_for("certificates.certificate.revoked", number=plain["number"])["data"]
    assert quiet["reason"] == "contract_terminated" and quiet["notify_addressee"] is False
    assert len(bus.matching("certificates.certificate.revoked", number=certificate["number"])) == 1

    answer = verifier.post(f"{CERTIFICATES}/verifications", json={"number": alerting["number"]})
    assert answer.json() == {"result": "not_valid"}
    assert notice["id"] not in offered_contracts(employee)
    refused = employee.post(CERTIFICATES, json=certificate_body(contract["contract_id"]))
    assert refused.status_code == 422 and "contract_id" in refused.json()["errors"]
    found = {n["id"]: n for n in employee.get(f"{CONTRACTS}/my-notices", params={"limit": 100}).json()["items"]}
    assert found[notice["id"]]["status"] == "terminated"

    # The ADoc now carries the signed termination too, and openssl verifies it.
    archive = zipfile.ZipFile(io.BytesIO(employee.get(f"{path}/adoc").content))
    content = archive.read("termination.json")
    assert json.loads(content)["termination_date"] == day() and json.loads(content)["ground"] == "69"
    verified = openssl_cms_verify(tmp_path, archive.read("META-INF/signature-termination.p7s"), content, ca_pem)
    assert verified.returncode == 0, verified.stderr


# --- authorities that stop working --------------------------------------------------------

@pytest.fixture(scope="module")
def contracts_db(mongo_client, bus_names):
    """The running contracts service's own database."""
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_contracts"]


@pytest.fixture(scope="module")
def aqro_head(suite, people) -> ApiSession:
    return login(suite, people["aqro_head"]).act_for(AQRO)


def test_authority_that_lapses_stops_signatures_already_started(suite, people, aqro_head, contracts_db):
    """An expired or withdrawn authority stops working at once, even for a signature confirmed on
    the phone afterwards; an authority granted anew does not bring that signature back."""
    signer = people["aqro_rep"]
    expiring = grant(aqro_head, signer["fin"], day(0))  # its last day is today
    assert expiring["status"] == "active"
    rep = act_for_when_allowed(login(suite, signer), AQRO)
    created = rep.post(f"{CONTRACTS}/notices", json=notice_body(people["employee"]["fin"], position="Anbardar",
                                                                occupation_code="4321"))
    assert created.status_code == 201, created.text  # it works through its last day
    path = f"{CONTRACTS}/notices/{created.json()['id']}"
    started = rep.post(f"{path}/signature")
    assert started.status_code == 202, started.text

    # Midnight passes while the phone still shows the request. The suite has no clock to move,
    # so the end date moves instead: in the contracts service's own records it becomes yesterday.
    moved = contracts_db.authorities.update_one({"_id": expiring["id"]}, {"$set": {"valid_until": day(-1)}})
    assert moved.matched_count == 1
    listed = {a["id"]: a for a in aqro_head.get(f"{CONTRACTS}/authorities").json()["items"]}
    assert listed[expiring["id"]]["status"] == "expired"

    assert rep.confirm_on_phone(signer["phone"], started.json()["verification_code"], signer["pin2"],
                                kind="sign").status_code == 200
    refused = poll_until_final(rep, f"{path}/signature")
    assert refused.status_code == 403 and is_problem(refused), refused.text
    assert aqro_head.get(path).json()["status"] == "unsigned"
    assert aqro_head.get(f"{path}/pdf").status_code == 409
    assert rep.post(f"{path}/signature").status_code == 403
    assert rep.post(f"{CONTRACTS}/notices", json=notice_body(people["employee"]["fin"])).status_code == 403

    # Authorised anew: the signature confirmed without authority stays refused ...
    renewed = grant(aqro_head, signer["fin"], None)
    late = rep.get(f"{path}/signature")
    assert late.status_code == 403 and is_problem(late), late.text
    assert aqro_head.get(path).json()["status"] == "unsigned"
    # ... and a new one, under the new authority, signs the notice.
    assert sign(rep, path, signer).json()["state"] == "confirmed"
    assert aqro_head.get(path).json()["status"] == "signed"

    # The termination's signature is started, then the head withdraws the authority.
    assert rep.post(f"{path}/termination", json={"date": day(), "ground": "75"}).status_code == 201
    started = rep.post(f"{path}/termination/signature")
    assert started.status_code == 202, started.text
    withdrawn = aqro_head.delete(f"{CONTRACTS}/authorities/{renewed['id']}")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert rep.confirm_on_phone(signer["phone"], started.json()["verification_code"], signer["pin2"],
                                kind="sign").status_code == 200
    refused = poll_until_final(aqro_head, f"{path}/termination/signature")
    assert refused.status_code == 403 and is_problem(refused), refused.text
    assert aqro_head.get(path).json()["status"] == "signed"  # the contract is still in force
    assert rep.post(f"{path}/termination/signature").status_code == 403
