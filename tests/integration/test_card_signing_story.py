"""Signing with the e-signature card, through the gateway with the real services: Gülnarə Əliyeva,
head of Çinarlı Logistika, logs in with her test card and, acting for her company, reports a
forklift accident and sends it by signing with the card — the report's hash, then the PDF's ("1/2",
"2/2") — and registers a driver's contract notice and, later, its termination, each signed with the
card. What she downloads is what Asan İmza would have given: a PDF whose PAdES signature validates
against the CA auth trusts and an ADoc whose CMS OpenSSL verifies, naming her card's certificate.

Around it: a card of another person and a card of a CA nobody trusts are refused naming the
certificate; a signature that does not verify leaves the document unsigned (`invalid`) and it is
signed again; a repeated start under one Idempotency-Key is one signature; a card signature nobody
awaits is a 409."""
from __future__ import annotations

import base64
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

LOGISTICS = "1701100451"  # Çinarlı Logistika, headed by Gülnarə Əliyeva
ACCIDENTS = "/api/accidents"
CONTRACTS = "/api/contracts"
BAKU = timezone(timedelta(hours=4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def card_of(suite, fin: str) -> pki.CertKey:
    """A person's test e-signature card, as the simulator hands it out (certificate and key)."""
    response = requests.get(f"{suite.gateway_url}/api/asan-sim/cards/{fin}", timeout=10)
    assert response.status_code == 200, response.text
    return pki.load_certkey(response.json()["private_key"], response.json()["certificate"])


def card_login(suite, card: pki.CertKey) -> ApiSession:
    """Log in with the card: it signs auth's challenge."""
    session = ApiSession(suite.gateway_url)
    nonce = session.get("/api/auth/card/challenge").json()["nonce"]
    answer = session.post("/api/auth/card/sessions", json={
        "certificate": card.cert_pem, "nonce": nonce,
        "signature": b64(pki.sign_challenge(card, base64.b64decode(nonce)))})
    assert answer.status_code == 200, answer.text
    session.token = answer.json()["access_token"]
    return session


def start(session: ApiSession, path: str, certificate: str, key: str | None = None) -> requests.Response:
    return session.post(f"{path}/signature", json={"method": "card", "certificate": certificate},
                        headers={"Idempotency-Key": key or uuid.uuid4().hex, "Accept-Language": "en"})


def card_signs(card: pki.CertKey, answer: dict) -> str:
    """What the person's client does with a hash it is handed: the card signs it as it is."""
    assert answer["digest_algorithm"] == "sha256"
    return b64(pki.sign_prehashed(card, base64.b64decode(answer["digest"])))


def respond(session: ApiSession, path: str, signature: str) -> requests.Response:
    return session.post(f"{path}/signature/card-response", json={"signature": signature})


def sign_with_card(session: ApiSession, path: str, card: pki.CertKey) -> list[dict]:
    """Start signing `path` with the card and answer each hash it is handed: every answer, in order."""
    started = start(session, path, card.cert_pem)
    assert started.status_code == 202, started.text
    answers = [started.json()]
    while answers[-1]["state"] == "pending":
        answer = respond(session, path, card_signs(card, answers[-1]))
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    return answers


class Probe:
    """Our own temporary queue on the suite's exchange, bound before anything happens."""

    def __init__(self, amqp_url: str, exchange: str, routing_keys: list[str]):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        declare_exchange(self.channel, exchange)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        for key in routing_keys:
            self.channel.queue_bind(self.queue, exchange, routing_key=key)
        self.seen: list[dict] = []

    def wait_for(self, event_type: str, **data) -> dict:
        def check():
            while True:
                method, _props, body = self.channel.basic_get(self.queue, auto_ack=True)
                if method is None:
                    break
                self.seen.append(json.loads(body))
            return next((e for e in self.seen if e["type"] == event_type
                         and all(e["data"].get(k) == v for k, v in data.items())), None)
        return eventually(check, timeout=15, message=f"{event_type} {data}")

    def close(self):
        self.connection.close()


# --- who and what ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bus(suite, amqp_url):
    probe = Probe(amqp_url, suite.exchange, ["accidents.report.submitted", "contracts.notice.#"])
    yield probe
    probe.close()


@pytest.fixture(scope="module")
def gulnare() -> dict:
    return sim_identity(label="head of 1 company (logistics)")


@pytest.fixture(scope="module")
def card(suite, gulnare) -> pki.CertKey:
    return card_of(suite, gulnare["fin"])


@pytest.fixture(scope="module")
def head(suite, card, bus) -> ApiSession:
    """Logged in with her card, acting for her company."""
    return card_login(suite, card).act_for(LOGISTICS)


@pytest.fixture(scope="module")
def ca_pem(suite) -> str:
    return requests.get(f"{suite.gateway_url}/api/auth/ca.pem", timeout=10).text


def new_report(head: ApiSession) -> str:
    opened = head.post(f"{ACCIDENTS}/reports", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "incident": {"occurred_at": (datetime.now(BAKU) - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
                     "district_code": "AZ-SA", "address": "Anbar 2, yükləmə meydançası",
                     "description": "Yükləyici manevr edərkən sürücünün ayağını əzib."},
        "victims": [{"fin": sim_identity(label="employee 4")["fin"], "outcome": "injured"}],
        "informant": {"mobile": "+994552223344", "email": "gulnare@example.az"}})
    assert opened.status_code == 201, opened.text
    return f"{ACCIDENTS}/reports/{opened.json()['id']}"


def new_notice(head: ApiSession) -> str:
    today = datetime.now(BAKU).date()
    created = head.post(f"{CONTRACTS}/notices", json={
        "employee_fin": sim_identity(label="no job 2")["fin"], "position": "Sürücü", "occupation_code": "8322",
        "workplace": "Nəqliyyat şöbəsi", "contract_number": f"KART-{uuid.uuid4().hex[:8]}",
        "contract_date": (today - timedelta(days=10)).isoformat(), "start_date": (today - timedelta(days=7)).isoformat(),
        "contract_type": "indefinite", "end_date": None, "salary": "1100.00", "working_time": "full"})
    assert created.status_code == 201, created.text
    return f"{CONTRACTS}/notices/{created.json()['id']}"


@pytest.fixture(scope="module")
def entering(head, gulnare) -> ApiSession:
    """The head grants herself the authority first (the manual's first step), as before entering notices."""
    granted = head.post(f"{CONTRACTS}/authorities", json={"fin": gulnare["fin"], "valid_until": None})
    assert granted.status_code in (201, 409), granted.text
    return head


def pdf_signer(pdf: bytes, ca_pem: str):
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    return signature.signer_cert


def openssl_verifies(folder, cms: bytes, content: bytes, ca_pem: str) -> bool:
    (folder / "ca.pem").write_text(ca_pem)
    (folder / "content").write_bytes(content)
    (folder / "signature.p7s").write_bytes(cms)
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(folder / "signature.p7s"),
                           "-content", str(folder / "content"), "-CAfile", str(folder / "ca.pem"), "-out", "/dev/null"],
                          capture_output=True).returncode == 0


# --- the story ------------------------------------------------------------------------------------

def test_an_accident_report_is_sent_with_the_card_in_two_signatures(tmp_path, head, card, gulnare, bus, ca_pem):
    path = new_report(head)
    answers = sign_with_card(head, path, card)
    assert [(a["state"], a.get("step")) for a in answers] == [("pending", "1/2"), ("pending", "2/2"),
                                                              ("confirmed", None)]
    assert answers[0]["method"] == "card" and "verification_code" not in answers[0]
    assert answers[0]["message"].startswith("Sign the report with your e-signature card")
    final = answers[-1]
    assert final["status"] == "submitted" and final["registration_number"].startswith("BH-")
    report = head.get(path).json()
    assert report["status"] == "submitted" and report["signed_by"] == {"name": "Əliyeva Gülnarə Söhrab qızı", "method": "card"}
    event = bus.wait_for("accidents.report.submitted", report_id=report["id"])
    assert event["data"]["registration_number"] == final["registration_number"]

    pdf = head.get(f"{path}/pdf").content
    assert pdf_signer(pdf, ca_pem).dump() == card.asn1_cert.dump()  # her card signed the PDF
    archive = zipfile.ZipFile(io.BytesIO(head.get(f"{path}/adoc").content))
    cms, content = archive.read("META-INF/signature.p7s"), archive.read("report.json")
    assert openssl_verifies(tmp_path, cms, content, ca_pem)
    assert pki.verify_detached_cms(cms, content, [ca_pem]).fin == gulnare["fin"]
    assert archive.read("report.pdf") == pdf

    # Sent: no card signature is awaited any more.
    late = respond(head, path, card_signs(card, answers[1]))
    assert late.status_code == 409 and late.json()["code"] == "no_card_signature_awaited"


def test_a_contract_notice_and_its_termination_are_signed_with_the_card(tmp_path, entering, card, gulnare, bus,
                                                                       ca_pem):
    head = entering
    path = new_notice(head)
    answers = sign_with_card(head, path, card)
    assert [a.get("step") for a in answers[:-1]] == ["1/2", "2/2"] and answers[-1]["state"] == "confirmed"
    notice = head.get(path).json()
    assert notice["status"] == "signed" and notice["signed_by"] == {"name": "Əliyeva Gülnarə Söhrab qızı", "method": "card"}
    bus.wait_for("contracts.notice.signed", notice_id=notice["id"])
    assert pdf_signer(head.get(f"{path}/pdf").content, ca_pem).dump() == card.asn1_cert.dump()

    entered = head.post(f"{path}/termination", json={"date": datetime.now(BAKU).date().isoformat(), "ground": "69"})
    assert entered.status_code in (200, 201), entered.text
    answers = sign_with_card(head, f"{path}/termination", card)
    assert [(a["state"], a.get("step")) for a in answers] == [("pending", "1/1"), ("confirmed", None)]
    assert head.get(path).json()["status"] == "terminated"
    bus.wait_for("contracts.notice.terminated", notice_id=notice["id"])

    archive = zipfile.ZipFile(io.BytesIO(head.get(f"{path}/adoc").content))
    for content, signature in (("notice.json", "META-INF/signature.p7s"),
                               ("termination.json", "META-INF/signature-termination.p7s")):
        assert openssl_verifies(tmp_path, archive.read(signature), archive.read(content), ca_pem), content
        assert pki.verify_detached_cms(archive.read(signature), archive.read(content), [ca_pem]).fin == gulnare["fin"]


def test_a_card_of_another_person_or_of_an_untrusted_ca_is_refused_naming_the_certificate(suite, head, gulnare):
    path = new_report(head)
    someone_else = card_of(suite, sim_identity(label="head of 1 company (cafe)")["fin"])
    refused = start(head, path, someone_else.cert_pem)
    assert refused.status_code == 403 and refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["errors"] == {"certificate": ["The certificate belongs to another person, not to the signer."]}

    forged = pki.issue_certificate(pki.generate_ca("Saxta CA"), common_name="Əliyeva Gülnarə", fin=gulnare["fin"],
                                   given_name="Gülnarə", surname="Əliyeva")
    untrusted = start(head, path, forged.cert_pem)
    assert untrusted.status_code == 422
    assert untrusted.json()["errors"] == {
        "certificate": ["The certificate was not issued by a trusted certification authority."]}

    not_pem = start(head, path, "MIIB... (not a PEM certificate)")
    assert not_pem.status_code == 422 and "certificate" in not_pem.json()["errors"]
    assert head.get(f"{path}/signature").status_code == 404  # nothing was started
    assert head.get(path).json()["status"] == "draft"


def test_a_wrong_signature_leaves_the_report_unsigned_and_it_is_signed_again(suite, head, card):
    path = new_report(head)
    started = start(head, path, card.cert_pem).json()
    stranger = card_of(suite, sim_identity(label="no job 1")["fin"])  # another key over the right hash
    wrong = respond(head, path, card_signs(stranger, started))
    assert wrong.status_code == 200, wrong.text
    assert wrong.json()["state"] == "invalid" and wrong.json()["status"] == "draft"
    assert head.get(f"{path}/signature").json()["state"] == "invalid"
    report = head.get(path).json()
    assert report["status"] == "draft" and report["registration_number"] is None
    assert head.get(f"{path}/pdf").status_code == 409
    assert respond(head, path, card_signs(card, started)).status_code == 409  # that signing is over

    answers = sign_with_card(head, path, card)
    assert answers[-1]["state"] == "confirmed" and head.get(path).json()["status"] == "submitted"


def test_one_idempotency_key_is_one_card_signature(head, card):
    path = new_report(head)
    key = uuid.uuid4().hex
    first, again = start(head, path, card.cert_pem, key), start(head, path, card.cert_pem, key)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    other = start(head, path, card.cert_pem)  # a new key: a new signature, replacing the first
    assert other.json()["signing_id"] != first.json()["signing_id"]
    assert respond(head, path, card_signs(card, other.json())).json()["step"] == "2/2"


def test_an_asan_signature_awaits_no_card(suite, gulnare, head):
    ApiSession(suite.gateway_url).login(gulnare)  # auth asks for Asan İmza signatures on the number she logs in with
    path = new_report(head)
    started = head.post(f"{path}/signature", json={}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert started.status_code == 202 and started.json()["method"] == "asan" and started.json()["verification_code"]
    refused = respond(head, path, b64(b"\x01" * 256))
    assert refused.status_code == 409 and refused.json()["code"] == "no_card_signature_awaited"
