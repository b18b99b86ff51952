"""The story of a workplace accident, through the gateway with the real services: at the "Ağ Səhər"
café a cook is scalded and a dishwasher dies; the head opens the report a day and a half later,
adds the victims one by one, codes the fatal accident for statistics, previews it and sends it by
signing with PIN2 on the simulated phone. The report is submitted under its registration number,
marked late (a death is to be reported within 24 hours); the notifier alerts the labour
inspectorate and — because someone died — the prosecutor's office through their inboxes, and
e-mails the informant the signed PDF, which it fetched with its own service token. A second, minor
accident reaches the inspectorate only. Another company sees none of it."""
from __future__ import annotations

import email
import io
import json
import uuid
from datetime import datetime, timedelta, timezone
from email import policy

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

CAFE = "1701100561"          # "Ağ Səhər" café, headed by Çingiz Hüseynov: the employer of the story
LOGISTICS = "1701100451"     # Çinarlı Logistika: another company
INSPECTORATE = "1400245611"  # the labour inspectorate (the notifier's default addressee)
PROSECUTOR = "1500012341"    # the prosecutor's office (told when someone died)
ACCIDENTS = "/api/accidents"
BAKU = timezone(timedelta(hours=4))


def login(suite, label: str, voen: str | None = None) -> ApiSession:
    session = ApiSession(suite.gateway_url).login(sim_identity(label=label))
    return session.act_for(voen) if voen else session


class Probe:
    """Our own temporary queue on the suite's exchange, bound before anything happens."""

    def __init__(self, amqp_url: str, exchange: str, routing_key: str):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        declare_exchange(self.channel, exchange)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, exchange, routing_key=routing_key)
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


@pytest.fixture(scope="module")
def bus(suite, amqp_url):
    probe = Probe(amqp_url, suite.exchange, "accidents.#")
    yield probe
    probe.close()


@pytest.fixture(scope="module")
def head_sim() -> dict:
    return sim_identity(label="head of 1 company (cafe)")


@pytest.fixture(scope="module")
def head(suite, bus) -> ApiSession:
    return login(suite, "head of 1 company (cafe)", CAFE)


@pytest.fixture(scope="module")
def inspectorate(suite) -> ApiSession:
    return login(suite, "head of the labour inspectorate", INSPECTORATE)


@pytest.fixture(scope="module")
def prosecutor(suite) -> ApiSession:
    return login(suite, "head of the prosecutor's office", PROSECUTOR)


def sign(session: ApiSession, path: str, signer: dict) -> requests.Response:
    started = session.post(f"{path}/signature", json={}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert started.status_code == 202, started.text
    assert session.confirm_signing(f"{path}/signature", signer["phone"], started.json()["verification_code"],
                                   signer["pin2"]).status_code == 200

    def final():
        polled = session.get(f"{path}/signature")
        return (polled,) if polled.status_code != 200 or polled.json()["state"] != "pending" else None
    return eventually(final, timeout=20, message="the signature to become final")[0]


def inbox(session: ApiSession) -> dict[str, dict]:
    response = session.get("/api/notifier/inbox", params={"limit": 200})
    assert response.status_code == 200, response.text
    return {item["event_id"]: item for item in response.json()["items"]}


def mails_for(suite, event_id: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(suite.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if event_id in (message["Message-ID"] or ""):
            found.append(message)
    return found


def service_token(suite, service: str, audience: str) -> str:
    response = requests.post(f"{suite.url('auth')}/api/auth/service-tokens", timeout=10, json={
        "client_id": service, "client_secret": suite.env()["SERVICE_CLIENT_SECRET"], "audience": audience})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


# --- the story ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def informant_email() -> str:
    return f"cingiz.{uuid.uuid4().hex[:6]}@example.az"


@pytest.fixture(scope="module")
def fatal(head, head_sim, informant_email) -> dict:
    """Opened 36 hours after the accident; victims added one by one; coded; previewed; signed."""
    occurred = datetime.now(BAKU) - timedelta(hours=36)
    opened = head.post(f"{ACCIDENTS}/reports", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "incident": {"occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"), "district_code": "AZ-SA",
                     "address": "M.F. Axundzadə pr. 41, mətbəx", "description": "Qazanın qapağı qopub."},
        "informant": {"mobile": "+994703334455", "email": informant_email}})
    assert opened.status_code == 201, opened.text
    path = f"{ACCIDENTS}/reports/{opened.json()['id']}"
    for fin, outcome in ((sim_identity(label="no job 1")["fin"], "injured"),
                         (sim_identity(label="no job 2")["fin"], "died")):
        added = head.post(f"{path}/victims", json={"fin": fin, "outcome": outcome})
        assert added.status_code == 201, added.text
    uncoded = added.json()
    assert uncoded["late"] is True and {"incident.deviation", "victims.1.injury"} <= set(uncoded["missing"])
    coded = head.patch(path, json={"incident": {"deviation": "20", "contact": "10", "material_agent": "05"}})
    assert coded.status_code == 200, coded.text
    for fin, injury, part in ((sim_identity(label="no job 1")["fin"], "060", "50"),
                              (sim_identity(label="no job 2")["fin"], "060", "70")):
        assert head.patch(f"{path}/victims/{fin}", json={"injury": injury, "body_part": part}).status_code == 200
    assert head.get(path).json()["missing"] == {}
    preview = head.get(f"{path}/preview")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    final = sign(head, path, head_sim)
    assert final.status_code == 200 and final.json()["state"] == "confirmed", final.text
    return head.get(path).json()


@pytest.fixture(scope="module")
def minor(head, head_sim, informant_email) -> dict:
    opened = head.post(f"{ACCIDENTS}/reports", json={
        "incident": {"occurred_at": (datetime.now(BAKU) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
                     "district_code": "AZ-SA", "address": "M.F. Axundzadə pr. 41, zal",
                     "description": "Ofisiant yaş döşəmədə sürüşüb."},
        "victims": [{"fin": sim_identity(label="employee 4")["fin"], "outcome": "injured"}],
        "informant": {"mobile": "+994703334455", "email": informant_email}})
    assert opened.status_code == 201, opened.text
    path = f"{ACCIDENTS}/reports/{opened.json()['id']}"
    assert sign(head, path, head_sim).json()["state"] == "confirmed"
    return head.get(path).json()


def test_the_fatal_accident_is_submitted_late_under_its_number(fatal, head):
    assert fatal["status"] == "submitted" and fatal["registration_number"].startswith("BH-")
    assert fatal["late"] is True and fatal["filed_after_minutes"] >= 36 * 60
    assert fatal["filed_after"].startswith("1 gün 12 saat")
    assert fatal["informant"]["surname"] == "Hüseynov" and fatal["employer"]["voen"] == CAFE
    late = head.get(f"{ACCIDENTS}/reports", params={"late": "true", "limit": 200}).json()["items"]
    assert fatal["id"] in [r["id"] for r in late]


def test_the_inspectorate_and_the_prosecutor_are_alerted_of_a_death(fatal, bus, inspectorate, prosecutor):
    event = bus.wait_for("accidents.report.submitted", report_id=fatal["id"])
    assert event["data"]["any_died"] is True and event["data"]["registration_number"] == fatal["registration_number"]
    entry = eventually(lambda: inbox(inspectorate).get(event["id"]), 20, message="the inspectorate's inbox")
    assert entry["title"].endswith("(ölümlə nəticələnib)") and fatal["registration_number"] in entry["title"]
    assert entry["data"]["victims"][1]["outcome"] == "died"
    assert eventually(lambda: inbox(prosecutor).get(event["id"]), 20, message="the prosecutor's inbox")


def test_a_minor_accident_reaches_the_inspectorate_only(minor, bus, inspectorate, prosecutor):
    event = bus.wait_for("accidents.report.submitted", report_id=minor["id"])
    assert event["data"]["any_died"] is False and minor["late"] is False
    entry = eventually(lambda: inbox(inspectorate).get(event["id"]), 20, message="the inspectorate's inbox")
    assert "ölümlə" not in entry["title"]
    assert event["id"] not in inbox(prosecutor)


def test_the_informant_is_mailed_the_signed_pdf_the_notifier_fetched(suite, fatal, bus, head, informant_email):
    event = bus.wait_for("accidents.report.submitted", report_id=fatal["id"])
    (mail,) = eventually(lambda: mails_for(suite, event["id"]), 20, message="the informant's e-mail")
    assert mail["To"] == informant_email
    assert mail["Subject"].startswith(f"Bədbəxt hadisə barədə məlumat № {fatal['registration_number']} qəbul edildi")
    body = mail.get_body(("plain",)).get_content()
    assert "Hörmətli Hüseynov Çingiz Tuğrul oğlu" in body and fatal["registration_number"] in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"bədbəxt-hadisə-{fatal['registration_number']}.pdf"
    company_copy = head.get(f"{ACCIDENTS}/reports/{fatal['id']}/pdf").content
    assert attachment.get_content() == company_copy  # the signed notice itself

    ca = requests.get(f"{suite.gateway_url}/api/auth/ca.pem", timeout=10).text
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca).asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(attachment.get_content())).embedded_signatures[0],
                                    context)
    assert status.intact and status.valid and status.trusted


def test_the_pdf_is_the_notifiers_to_fetch_and_no_other_services(suite, fatal, head):
    path = f"{suite.gateway_url}{ACCIDENTS}/reports/{fatal['id']}/pdf"
    as_notifier = requests.get(path, timeout=10, headers={
        "Authorization": f"Bearer {service_token(suite, 'notifier', 'accidents')}"})
    assert as_notifier.status_code == 200 and as_notifier.content == head.get(f"{ACCIDENTS}/reports/{fatal['id']}/pdf").content
    as_certificates = requests.get(path, timeout=10, headers={
        "Authorization": f"Bearer {service_token(suite, 'certificates', 'accidents')}"})
    assert as_certificates.status_code == 403
    # A draft is nobody's to fetch but the company's.
    draft = head.post(f"{ACCIDENTS}/reports", json={"incident": {
        "occurred_at": datetime.now(BAKU).strftime("%Y-%m-%dT%H:%M"), "district_code": "AZ-SA",
        "address": "Mətbəx", "description": "Hələ yazılır."}}).json()
    assert requests.get(f"{suite.gateway_url}{ACCIDENTS}/reports/{draft['id']}/pdf", timeout=10, headers={
        "Authorization": f"Bearer {service_token(suite, 'notifier', 'accidents')}"}).status_code == 404


def test_another_company_sees_none_of_it(suite, fatal, minor):
    other = login(suite, "head of 1 company (logistics)", LOGISTICS)
    for report in (fatal, minor):
        for suffix in ("", "/pdf", "/adoc", "/signature"):
            assert other.get(f"{ACCIDENTS}/reports/{report['id']}{suffix}").status_code == 404, suffix
    assert other.get(f"{ACCIDENTS}/reports", params={"q": fatal["registration_number"]}).json()["total"] == 0
