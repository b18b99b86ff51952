"""The accidents e-service through the gateway, against the running suite: a company's head opens a
report (Idempotency-Key honoured), adds victims one by one, previews the draft, sends it by signing
with PIN2 on the simulated phone; the report is submitted under its registration number, the event
goes out, the signed PDF and ADoc verify against the test CA with independent tools, the history
finds it, nobody else sees it, and the open statistics withhold small counts."""
from __future__ import annotations

import io
import json
import subprocess
import threading
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
from egov_kit.pdfdoc import page_text

COMPANY = "1701100231"         # Şəki İpək Tekstil, headed by İlqar Məmmədov
SIBLING = "1701100341"         # Göygöl Aqro, his too
OTHER_COMPANY = "1701100451"   # Çinarlı Logistika, headed by Gülnarə Əliyeva
BASE = "/api/accidents"
BAKU = timezone(timedelta(hours=4))
STATS_DISTRICT = "AZ-QBA"      # Quba: only the signed report of these tests happened there

VICTIMS = [sim_identity(label=label)["fin"] for label in
           ("employee 3", "employee 4", "no job 1", "no job 2", "employee / representative 1",
            "employee / representative 2")]


def baku_now() -> datetime:
    return datetime.now(BAKU)


def payload(**changes) -> dict:
    body = {
        "incident": {"occurred_at": (baku_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                     "district_code": "AZ-SA", "address": "İpəkyolu küç. 3, toxuculuq sexi",
                     "description": "Dəzgahın qoruyucu örtüyü açıq qalıb,\nişçinin əli sıxılıb."},
        "victims": [{"fin": VICTIMS[0], "outcome": "injured"}],
        "informant": {"landline": "(012) 404-10-10", "mobile": "+994 50 111 22 33", "email": "ilqar@example.az"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}  # ... = leave the part out


def incident(**changes) -> dict:
    out = dict(payload()["incident"])
    out.update(changes)
    return {k: v for k, v in out.items() if v is not ...}


def is_problem(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith("application/problem+json")


def sign(session: ApiSession, path: str, signer: dict, key: str | None = None) -> requests.Response:
    """Start signing, compare the code on the phone, confirm with PIN2, poll until final."""
    started = session.post(f"{path}/signature", json={}, headers={"Idempotency-Key": key} if key else {})
    assert started.status_code == 202, started.text
    # One provider session per signature (the report and its PDF): each confirmed in turn.
    assert session.confirm_signing(f"{path}/signature", signer["phone"], started.json()["verification_code"],
                                   signer["pin2"]).status_code == 200
    return poll_until_final(session, f"{path}/signature")


def poll_until_final(session: ApiSession, path: str) -> requests.Response:
    def final():
        polled = session.get(path)
        # In a tuple: a 4xx response is falsy by itself.
        return (polled,) if polled.status_code != 200 or polled.json()["state"] != "pending" else None
    return eventually(final, timeout=20, message="the signature to become final")[0]


@pytest.fixture(scope="module")
def events(suite, amqp_url, bus_names):
    """Every accidents.* event the suite publishes from now on, read from our own queue."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    declare_exchange(channel, bus_names["exchange"])
    channel.queue_bind(queue, bus_names["exchange"], routing_key="accidents.#")
    seen: list[dict] = []

    def find(event_type: str, **data):
        def check():
            while True:
                method, _props, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    break
                seen.append(json.loads(body))
            return next((e for e in seen if e["type"] == event_type
                         and all(e["data"].get(k) == v for k, v in data.items())), None)
        return eventually(check, timeout=15, message=f"event {event_type}")

    yield find
    connection.close()


@pytest.fixture(scope="module")
def people():
    return {"head": sim_identity(label="head of 3 companies"), "other_head": sim_identity(label="head of 1 company (logistics)"),
            "victim": sim_identity(label="employee 3")}


@pytest.fixture(scope="module")
def head(suite, people):
    return ApiSession(suite.gateway_url).login(people["head"]).act_for(COMPANY)


@pytest.fixture(scope="module")
def outsiders(suite, people) -> dict:
    return {"another company": ApiSession(suite.gateway_url).login(people["other_head"]).act_for(OTHER_COMPANY),
            "the same head for another company": ApiSession(suite.gateway_url).login(people["head"]).act_for(SIBLING)}


@pytest.fixture(scope="module")
def ca_pem(suite):
    return requests.get(f"{suite.gateway_url}/api/auth/ca.pem", timeout=10).text


def create(session: ApiSession, body: dict, key: str | None = None) -> dict:
    response = session.post(f"{BASE}/reports", json=body, headers={"Idempotency-Key": key} if key else {})
    assert response.status_code == 201, response.text
    return response.json()


# --- opening a report -----------------------------------------------------------------------------

def test_a_report_is_opened_with_the_employer_from_the_tax_registry(head, people):
    occurred = (baku_now() - timedelta(days=1)).replace(hour=10, minute=30)
    report = create(head, payload(incident=incident(occurred_at=occurred.strftime("%Y-%m-%dT%H:%M"))))
    assert report["status"] == "draft" and report["registration_number"] is None
    assert report["status_label"].startswith("Qaralama")
    employer = report["employer"]
    assert employer["voen"] == COMPANY and "Şəki İpək" in employer["name"] and employer["legal_address"]
    assert employer["activity"]["code"] and employer["activity"]["name"]
    # Without a zone the time is Baku's; it is kept as an instant.
    assert report["incident"]["date"] == occurred.strftime("%d.%m.%Y") and report["incident"]["time"] == "10:30"
    assert report["incident"]["occurred_at"].startswith(occurred.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M"))
    assert report["incident"]["district_name"] == "Şəki şəhəri"
    assert report["incident"]["description"] == "Dəzgahın qoruyucu örtüyü açıq qalıb,\nişçinin əli sıxılıb."
    assert report["victims"][0]["surname"] == "Həsənova" and report["victims"][0]["outcome_label"] == "Xəsarət alıb"
    informant = report["informant"]
    assert informant["fin"] == people["head"]["fin"] and informant["surname"] == "Məmmədov"
    assert (informant["mobile"], informant["landline"]) == ("+994501112233", "0124041010")
    assert report["missing"] == {} and report["late"] is False and report["deadline_at"] is None
    assert head.get(f"{BASE}/reports/{report['id']}").json() == report


def test_the_same_idempotency_key_opens_one_report(head):
    key = uuid.uuid4().hex
    first = head.post(f"{BASE}/reports", json=payload(), headers={"Idempotency-Key": key})
    again = head.post(f"{BASE}/reports", json=payload(), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other_body = head.post(f"{BASE}/reports", json=payload(victims=[]), headers={"Idempotency-Key": key})
    assert other_body.status_code == 422 and is_problem(other_body) and "Idempotency-Key" in other_body.json()["errors"]

    # Two identical requests at the same moment: one report, both told of it.
    key = uuid.uuid4().hex
    answers: list[requests.Response] = []
    sessions = [ApiSession(head.base_url) for _ in range(2)]
    for session in sessions:
        session.token = head.token
    threads = [threading.Thread(target=lambda s=session: answers.append(
        s.post(f"{BASE}/reports", json=payload(), headers={"Idempotency-Key": key}))) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]


@pytest.mark.parametrize("body, field", [
    (payload(incident=...), "incident"),
    (payload(incident=incident(occurred_at=(baku_now() + timedelta(days=2)).isoformat())), "incident.occurred_at"),
    (payload(incident=incident(occurred_at="20.11.2026 10:30")), "incident.occurred_at"),
    (payload(incident=incident(description="   ")), "incident.description"),
    (payload(incident=incident(description="ə" * 2001)), "incident.description"),
    (payload(incident=incident(address=...)), "incident.address"),
    (payload(incident=incident(district_code="AZ-XX")), "incident.district_code"),
    (payload(incident=incident(deviation="77")), "incident.deviation"),
    (payload(victims=[{"fin": "12-45", "outcome": "injured"}]), "victims.0.fin"),
    (payload(victims=[{"fin": "ZZZZZZ9", "outcome": "injured"}]), "victims.0.fin"),
    (payload(victims=[{"fin": VICTIMS[0], "outcome": "injured"}, {"fin": VICTIMS[0].lower(), "outcome": "died"}]),
     "victims.1.fin"),
    (payload(victims=[{"fin": VICTIMS[0], "outcome": "lost"}]), "victims.0.outcome"),
    (payload(victims=[{"fin": VICTIMS[0], "outcome": "injured", "days_lost": -1}]), "victims.0.days_lost"),
    (payload(victims=[{"fin": VICTIMS[0], "outcome": "injured", "body_part": "11"}]), "victims.0.body_part"),
    (payload(informant={"mobile": "+994401234567", "email": "a@example.az"}), "informant.mobile"),
    (payload(informant={"mobile": "+994501234567", "email": "not-an-address"}), "informant.email"),
    (payload(informant={"mobile": "+994501234567"}), "informant.email"),
    (payload(informant={"mobile": "+994501234567", "email": "a@example.az", "landline": "12ab"}), "informant.landline"),
    ({**payload(), "colour": "red"}, "colour"),
])
def test_every_invalid_field_is_named(head, body, field):
    response = head.post(f"{BASE}/reports", json=body)
    assert response.status_code == 422 and is_problem(response), response.text
    assert field in response.json()["errors"], response.text


def test_field_errors_speak_azerbaijani_or_english(head):
    body = payload(victims=[{"fin": "ZZZZZZ9", "outcome": "injured"}])
    az = head.post(f"{BASE}/reports", json=body).json()["errors"]["victims.0.fin"][0]
    en = head.post(f"{BASE}/reports", json=body, headers={"Accept-Language": "en"}).json()["errors"]["victims.0.fin"][0]
    assert az == "Bu FİN ilə şəxs tapılmadı." and en == "No person with this FIN."


def test_victims_are_added_one_by_one_and_their_lookups_are_in_their_data_tracker(head, suite, people):
    report = create(head, payload(victims=[], informant=...))
    assert set(report["missing"]) == {"victims", "informant.mobile", "informant.email"}
    path = f"{BASE}/reports/{report['id']}"
    added = head.post(f"{path}/victims", json={"fin": VICTIMS[0].lower(), "outcome": "injured", "days_lost": 2})
    assert added.status_code == 201, added.text
    assert [v["fin"] for v in added.json()["victims"]] == [VICTIMS[0]]
    twice = head.post(f"{path}/victims", json={"fin": VICTIMS[0], "outcome": "died"})
    assert twice.status_code == 409 and twice.json()["errors"] == {"fin": [
        "Bu FİN ilə zərərçəkən artıq əlavə edilib."]}
    unknown = head.post(f"{path}/victims", json={"fin": "ZZZZZZ9", "outcome": "died"})
    assert unknown.status_code == 422 and "fin" in unknown.json()["errors"]
    second = head.post(f"{path}/victims", json={"fin": VICTIMS[1], "outcome": "died"}).json()
    assert second["any_died"] is True and second["deadline_at"]
    assert {"incident.deviation", "victims.1.injury"} <= set(second["missing"])
    changed = head.patch(f"{path}/victims/{VICTIMS[1]}", json={"outcome": "injured", "injury": "030"})
    assert changed.status_code == 200 and changed.json()["victims"][1]["injury_name"].startswith("Çıxıqlar")
    assert changed.json()["any_died"] is False
    assert head.patch(f"{path}/victims/12-45", json={"outcome": "died"}).status_code == 422
    assert head.delete(f"{path}/victims/{VICTIMS[2]}").status_code == 404
    removed = head.delete(f"{path}/victims/{VICTIMS[0]}")
    assert removed.status_code == 200 and [v["fin"] for v in removed.json()["victims"]] == [VICTIMS[1]]
    informant = head.patch(path, json={"informant": {"mobile": "+994501112233", "email": "ilqar@example.az"}})
    assert informant.status_code == 200 and informant.json()["missing"] == {}

    # The victim sees in "my data access" that the accidents service looked her up, and why.
    victim = ApiSession(suite.gateway_url).login(people["victim"])
    looked_up = victim.get("/api/registry/my-data-access", params={"limit": 200}).json()["items"]
    assert any(i["service"] == "accidents" and i["purpose"]["code"] == "accident-report-victim"
               and i["purpose"]["name"].startswith("İstehsalatda") for i in looked_up)
    assert head.delete(path).status_code == 204 and head.get(path).status_code == 404


def test_the_fin_search_shows_who_a_victim_is_before_adding_them(head, suite, people):
    found = head.get(f"{BASE}/persons/{VICTIMS[0].lower()}")
    assert found.status_code == 200, found.text
    victim = people["victim"]
    assert found.json() == {"fin": VICTIMS[0], "surname": victim["surname"], "name": victim["name"],
                            "patronymic": found.json()["patronymic"], "birth_date": found.json()["birth_date"]}
    assert found.json()["patronymic"] and found.json()["birth_date"]
    unknown = head.get(f"{BASE}/persons/ZZZZZZ9")
    assert unknown.status_code == 404 and unknown.json()["errors"] == {"fin": ["Bu FİN ilə şəxs tapılmadı."]}
    assert head.get(f"{BASE}/persons/12-45").status_code == 422
    # Only for a company's reporter, and never anonymously.
    assert ApiSession(suite.gateway_url).login(people["head"]).get(f"{BASE}/persons/{VICTIMS[0]}").status_code == 403
    assert requests.get(f"{suite.gateway_url}{BASE}/persons/{VICTIMS[0]}", timeout=10).status_code == 401


def test_the_preview_is_the_draft_marked_as_not_submitted(head):
    report = create(head, payload())
    response = head.get(f"{BASE}/reports/{report['id']}/preview")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert "qaralama" in response.headers["Content-Disposition"] and "private" in response.headers["Cache-Control"]
    text = page_text(response.content).replace(" ", "")
    assert "TƏQDİMEDİLMƏYİB" in text and "Həsənova" in text and "Qeydiyyatnömrəsi" not in text
    assert b"/ByteRange" not in response.content  # a preview is not signed


def test_an_incomplete_report_is_not_sent(head):
    report = create(head, payload(victims=[{"fin": VICTIMS[0], "outcome": "died"}]))
    refused = head.post(f"{BASE}/reports/{report['id']}/signature")  # no body: Asan İmza, as {} would say
    assert refused.status_code == 422 and is_problem(refused)
    assert {"incident.deviation", "incident.contact", "incident.material_agent", "victims.0.injury",
            "victims.0.body_part"} <= set(refused.json()["errors"])
    card = head.post(f"{BASE}/reports/{report['id']}/signature", json={"method": "card"})  # without its certificate
    assert card.status_code == 422 and "certificate" in card.json()["errors"]
    assert head.get(f"{BASE}/reports/{report['id']}/signature").status_code == 404
    assert head.get(f"{BASE}/reports/{report['id']}/pdf").status_code == 409


# --- sending -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def signed(head, people, events):
    """A fatal accident in Quba with six victims, coded for statistics, signed with PIN2."""
    victims = [{"fin": fin, "outcome": "died" if i == 0 else "injured", "injury": "020" if i else "120",
                "body_part": "60" if i else "70", **({"days_lost": 10 + i} if i else {})}
               for i, fin in enumerate(VICTIMS)]
    report = create(head, payload(incident=incident(district_code=STATS_DISTRICT, address="Zavod küç. 1",
                                                    deviation="30", contact="40", material_agent="14"),
                                  victims=victims))
    path = f"{BASE}/reports/{report['id']}"
    key = uuid.uuid4().hex
    started = head.post(f"{path}/signature", json={"method": "asan"}, headers={"Idempotency-Key": key})
    again = head.post(f"{path}/signature", json={"method": "asan"}, headers={"Idempotency-Key": key})
    assert started.status_code == again.status_code == 202, started.text
    assert again.json()["signing_id"] == started.json()["signing_id"]  # one signature, not two
    assert "PİN2" in started.json()["message"]
    waiting = head.get(path).json()["signature"]
    assert waiting["state"] == "pending" and waiting["verification_code"] == started.json()["verification_code"]
    assert head.confirm_signing(f"{path}/signature", people["head"]["phone"], started.json()["verification_code"],
                                people["head"]["pin2"]).status_code == 200
    final = poll_until_final(head, f"{path}/signature")
    assert final.status_code == 200 and final.json()["state"] == "confirmed", final.text
    return head.get(path).json()


def test_a_signed_report_is_submitted_immutable_and_published(head, signed, events, people):
    assert signed["status"] == "submitted" and signed["submitted_at"]
    number = signed["registration_number"]
    year = datetime.fromisoformat(signed["submitted_at"]).astimezone(BAKU).year
    assert number.startswith(f"BH-{year}-") and len(number) == 14
    assert signed["signed_by"]["name"].startswith("Məmmədov İlqar")
    assert signed["late"] is False and 115 <= signed["filed_after_minutes"] <= 24 * 60
    assert signed["filed_after"].startswith(("1 saat", "2 saat", "3 saat"))
    assert signed["signature"]["state"] == "confirmed" and "verification_code" not in signed["signature"]
    assert signed["signature"]["message"].startswith("Məlumat imzalandı")
    assert signed["check_url"].endswith(f"/api/accidents/reports/{signed['id']}/check")

    path = f"{BASE}/reports/{signed['id']}"
    assert head.patch(path, json={"incident": {"address": "x"}}).status_code == 409
    assert head.post(f"{path}/victims", json={"fin": "7MW3KZS", "outcome": "injured"}).status_code == 409
    assert head.delete(f"{path}/victims/{VICTIMS[0]}").status_code == 409
    assert head.delete(path).status_code == 409
    assert head.post(f"{path}/signature", json={}).status_code == 409
    assert head.get(f"{path}/preview").status_code == 409

    event = events("accidents.report.submitted", report_id=signed["id"])
    assert event["source"] == "accidents" and event["correlation_id"]
    data = event["data"]
    assert data["registration_number"] == number and data["employer_voen"] == COMPANY and data["any_died"] is True
    assert data["address"] == "Quba rayonu, Zavod küç. 1"
    assert data["victims"][0] == {"fin": VICTIMS[0], "name": "Həsənova Nərmin İlqar qızı", "outcome": "died"}
    assert data["informant"] == {"fin": people["head"]["fin"], "name": "Məmmədov İlqar Rəşid oğlu",
                                 "email": "ilqar@example.az", "mobile": "+994501112233", "landline": "0124041010"}


def test_the_signed_pdf_validates_against_the_test_ca(head, signed, ca_pem):
    response = head.get(f"{BASE}/reports/{signed['id']}/pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert signed["registration_number"] in disposition and "filename*=UTF-8''" in disposition
    pdf = response.content
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted
    text = page_text(pdf).replace(" ", "")
    assert f"Qeydiyyatnömrəsi:{signed['registration_number']}" in text and "TƏQDİM" not in text

    check_url = f"/api/accidents/reports/{signed['id']}/check".encode()
    at = pdf.index(check_url)  # the verification link, inside the signed range
    tampered = bytearray(pdf)
    tampered[at + 5] ^= 0x01
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(bytes(tampered))).embedded_signatures[0], context)
    assert not status.intact


def _openssl_verify(folder, signature: bytes, content: bytes, ca_pem: str) -> subprocess.CompletedProcess:
    (folder / "signature.p7s").write_bytes(signature)
    (folder / "report.json").write_bytes(content)
    (folder / "ca.pem").write_text(ca_pem)
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(folder / "signature.p7s"), "-content", str(folder / "report.json"),
                           "-CAfile", str(folder / "ca.pem"), "-out", "/dev/null"], capture_output=True, text=True)


def test_the_adoc_container_verifies_with_openssl(tmp_path, head, signed, ca_pem):
    response = head.get(f"{BASE}/reports/{signed['id']}/adoc")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/vnd.etsi.asic-e+zip"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    manifest = archive.read("META-INF/manifest.xml").decode()
    for name in ("report.json", "report.pdf"):
        assert f'manifest:full-path="{name}"' in manifest and name in archive.namelist()
    assert archive.read("report.pdf") == head.get(f"{BASE}/reports/{signed['id']}/pdf").content
    content = archive.read("report.json")
    document = json.loads(content)
    assert document["registration_number"] == signed["registration_number"]
    assert document["victims"][0]["surname"] == "Həsənova" and document["victims"][0]["outcome"] == "died"

    signature = archive.read("META-INF/signature.p7s")
    verified = _openssl_verify(tmp_path, signature, content, ca_pem)
    assert verified.returncode == 0, verified.stderr
    tampered = content.replace(b'"died"', b'"injured"', 1)
    assert tampered != content and _openssl_verify(tmp_path, signature, tampered, ca_pem).returncode != 0


def test_the_public_check_shows_the_filing_and_nobody_in_it(suite, signed):
    response = requests.get(f"{suite.gateway_url}{BASE}/reports/{signed['id']}/check", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"report_id": signed["id"], "registration_number": signed["registration_number"],
                               "status": "submitted", "submitted_at": signed["submitted_at"],
                               "employer_name": signed["employer"]["name"]}
    assert VICTIMS[0] not in response.text and "Həsənova" not in response.text
    assert requests.get(f"{suite.gateway_url}{BASE}/reports/{uuid.uuid4().hex}/check", timeout=10).status_code == 404


def test_nobody_outside_the_company_sees_its_reports(outsiders, signed, head, suite):
    draft = create(head, payload())
    for who, session in outsiders.items():
        for report in (signed, draft):
            path = f"{BASE}/reports/{report['id']}"
            for suffix in ("", "/pdf", "/adoc", "/signature", "/preview"):
                response = session.get(path + suffix)
                assert response.status_code == 404 and is_problem(response), (who, suffix)
            assert session.patch(path, json={"incident": {"address": "x"}}).status_code == 404, who
            assert session.delete(path).status_code == 404, who
            assert session.post(f"{path}/signature", json={}).status_code == 404, who
            assert session.post(f"{path}/victims", json={"fin": VICTIMS[1], "outcome": "died"}).status_code == 404
        listed = session.get(f"{BASE}/reports", params={"q": signed["registration_number"]})
        assert listed.status_code == 200 and listed.json()["total"] == 0, who
        assert session.get(f"{BASE}/reports", params={"q": "Həsənova"}).json()["total"] == 0, who


def test_who_may_call(suite, signed, people):
    anonymous = requests.get(f"{suite.gateway_url}{BASE}/reports", timeout=10)
    assert anonymous.status_code == 401 and is_problem(anonymous)
    as_himself = ApiSession(suite.gateway_url).login(people["head"])
    assert as_himself.get(f"{BASE}/reports").status_code == 403
    assert as_himself.post(f"{BASE}/reports", json=payload()).status_code == 403
    assert as_himself.get(f"{BASE}/reports/{signed['id']}/pdf").status_code == 403
    assert requests.get(f"{suite.gateway_url}{BASE}/statistics", timeout=10).status_code == 200


# --- the history ---------------------------------------------------------------------------------

def test_the_history_is_searched_and_filtered(head, signed):
    def ids(**params) -> list[str]:
        response = head.get(f"{BASE}/reports", params={"limit": 200, **params})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "total", "limit", "offset"} and body["total"] == len(body["items"])
        return [r["id"] for r in body["items"]]

    occurred = baku_now() - timedelta(hours=30)
    overdue = create(head, payload(victims=[{"fin": VICTIMS[2], "outcome": "died"}], incident=incident(
        occurred_at=occurred.strftime("%Y-%m-%dT%H:%M"))))
    assert overdue["late"] is True and overdue["deadline_at"]
    for q in ("Həsənova", "hesenova", "HƏSƏNOVA", "nərmin", VICTIMS[0].lower(), signed["registration_number"].lower()):
        assert signed["id"] in ids(q=q), q
    assert ids(q=signed["registration_number"]) == [signed["id"]]
    assert ids(q="İsmayılova Ülviyyə")[0] == overdue["id"] and signed["id"] in ids(q="ismayilova ulviyye")
    assert signed["id"] in ids(status="submitted") and signed["id"] not in ids(status="draft")
    assert overdue["id"] in ids(late="true") and signed["id"] not in ids(late="true")
    assert signed["id"] in ids(late="false") and overdue["id"] not in ids(late="false")
    day = occurred.date().isoformat()
    assert overdue["id"] in ids(**{"from": day, "to": day}) and signed["id"] not in ids(**{"from": day, "to": day})
    assert signed["id"] not in ids(**{"to": (baku_now() - timedelta(days=3)).date().isoformat()})

    page = head.get(f"{BASE}/reports", params={"limit": 1, "offset": 1}).json()
    # This test made two reports (signed, overdue): a page of one at offset one is the second.
    assert page["limit"] == 1 and page["offset"] == 1 and len(page["items"]) == 1 and page["total"] >= 2
    for params in ({"status": "lost"}, {"limit": 0}, {"limit": 201}, {"from": "31.12.2026"}, {"q": "x" * 101},
                   {"q": "ə"}, {"from": "2026-05-02", "to": "2026-05-01"}, {"late": "maybe"}):
        response = head.get(f"{BASE}/reports", params=params)
        assert response.status_code == 422 and is_problem(response), params


# --- open data -----------------------------------------------------------------------------------

def test_the_open_statistics_withhold_small_counts(suite, signed):
    def statistics(**params) -> dict:
        response = requests.get(f"{suite.gateway_url}{BASE}/statistics", params=params, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    year = datetime.fromisoformat(signed["incident"]["occurred_at"]).astimezone(BAKU).year
    by_district = statistics(year=year, district=STATS_DISTRICT, group_by="district")
    assert by_district["items"] == [{"code": STATS_DISTRICT, "name_az": "Quba rayonu", "name_en": "Guba District",
                                     "count": 6, "suppressed": False}]
    assert by_district["total"] == 6 and by_district["unit"] == "victims" and by_district["min_cell"] == 5
    by_outcome = {i["code"]: i for i in statistics(year=year, district=STATS_DISTRICT, group_by="outcome")["items"]}
    # One death is under 5, and with the total shown the five injured would give it away.
    assert by_outcome["died"]["count"] is None and by_outcome["died"]["suppressed"] is True
    assert by_outcome["injured"]["count"] is None and by_outcome["injured"]["suppressed"] is True
    by_deviation = statistics(year=year, district=STATS_DISTRICT, group_by="deviation")["items"]
    assert [(i["code"], i["count"], i["name_en"]) for i in by_deviation] == [
        ("30", 6, "Breakage, bursting, splitting, slipping, fall, collapse of material agent")]
    for item in statistics(year=year, group_by="month")["items"]:
        assert item["count"] is None or item["count"] >= 5
    for params in ({"group_by": "victim"}, {"year": 1990}, {"district": "AZ-XX"}):
        response = requests.get(f"{suite.gateway_url}{BASE}/statistics", params=params, timeout=10)
        assert response.status_code == 422 and is_problem(response), params


def test_the_openapi_document_describes_the_service(suite):
    spec = requests.get(f"{suite.gateway_url}{BASE}/openapi.json", timeout=10).json()
    post = spec["paths"]["/api/accidents/reports"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "/api/accidents/reports/{report_id}/signature" in spec["paths"]
    assert "/api/accidents/statistics" in spec["paths"]


def test_the_second_part_of_a_signature_shows_the_code_the_phone_asks_now(head, people):
    """A report is signed in two parts (its content, then its PDF): the phone asks twice, each time
    with a code of its own, and the signature's state shows the one the phone shows now."""
    report = create(head, payload())
    path = f"{BASE}/reports/{report['id']}/signature"
    signer = people["head"]
    phone = f"/api/asan-sim/phones/{signer['phone']}/requests"
    started = head.post(path, json={}).json()
    assert head.confirm_on_phone(signer["phone"], started["verification_code"], signer["pin2"],
                                 kind="sign").status_code == 200

    def second_part():
        polled = head.get(path).json()  # polling is what has auth ask for the next part
        asked = [item for item in head.get(phone).json() if item["kind"] == "sign"]
        return (polled, asked[0]) if asked and polled["state"] == "pending" else None
    polled, asked = eventually(second_part, timeout=15, message="the phone asking for the second part")
    assert polled["verification_code"] == asked["verification_code"]
    assert head.post(f"{phone}/{asked['request_id']}", json={"pin": signer["pin2"]}).status_code == 200
    assert poll_until_final(head, path).json()["state"] == "confirmed"
