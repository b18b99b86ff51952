"""The contracts e-service through the gateway, against the running suite: a head grants authority,
a representative enters, edits and signs a notice with PIN2 on the simulated phone, the employee
finds it, the PDF and the ADoc verify against the test CA, and the termination is signed too."""
from __future__ import annotations

import io
import json
import subprocess
import uuid
import zipfile
from datetime import date, timedelta

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
from egov_kit.clock import baku_today

COMPANY = "1701100121"         # one of İlqar Məmmədov's three companies
SECOND_COMPANY = "1701100231"  # another of his, for the authority withdrawn mid-signature
OTHER_COMPANY = "1701100451"   # the logistics company of another head
BANK = "9900072351"            # a bank whose head enters a notice only after granting himself the authority
BASE = "/api/contracts"


def today() -> date:
    return baku_today()  # the service counts days in Baku time (UTC+4)


def payload(**changes) -> dict:
    body = {
        "employee_fin": sim_identity(label="employee 3")["fin"], "position": "Baş mühasib",
        "occupation_code": "2411", "workplace": "Maliyyə şöbəsi",
        "contract_number": f"ƏM-{uuid.uuid4().hex[:8]}", "contract_date": "2026-11-20",
        "start_date": "2026-12-01", "contract_type": "fixed_term", "end_date": "2027-11-30",
        "salary": "1250.5", "working_time": "full",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}  # ... = leave the field out


def act_for_when_allowed(session: ApiSession, voen: str) -> ApiSession:
    """The auth service learns of a new authority from the bus; the role is available once it has."""
    def attempt():
        response = session.post("/api/auth/role", json={"voen": voen})
        return response.json()["access_token"] if response.status_code == 200 else None
    session.token = eventually(attempt, timeout=15, message="the company role after the grant")
    return session


def signature_pending_under_an_authority(suite, people, *, valid_until: str | None):
    """In the second company, the head grants the representative an authority; the representative
    enters a notice and starts signing it. (head, the grant, representative, notice, path, start)"""
    head2 = ApiSession(suite.gateway_url).login(people["head"]).act_for(SECOND_COMPANY)
    grant_himself(head2, people["head"])  # he may come to sign it himself
    granted = head2.post(f"{BASE}/authorities", json={"fin": people["rep2"]["fin"], "valid_until": valid_until})
    assert granted.status_code == 201, granted.text
    rep2 = act_for_when_allowed(ApiSession(suite.gateway_url).login(people["rep2"]), SECOND_COMPANY)
    notice = rep2.post(f"{BASE}/notices", json=payload()).json()
    path = f"{BASE}/notices/{notice['id']}"
    started = rep2.post(f"{path}/signature")
    assert started.status_code == 202, started.text
    return head2, granted, rep2, notice, path, started


def grant_himself(head: ApiSession, person: dict) -> None:
    """The head's own authority for these notices (manual 2.7), unless he holds one already."""
    granted = head.post(f"{BASE}/authorities", json={"fin": person["fin"], "valid_until": None, "scopes": ["contracts"]})
    assert granted.status_code in (201, 409), granted.text  # 409: he holds it already


def sign(session: ApiSession, path: str, signer: dict) -> dict:
    """Start signing, compare the code on the phone, confirm with PIN2 (each of its signatures), poll
    until final."""
    started = session.post(f"{path}/signature")
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["signing_id"] and body["verification_code"]
    assert session.confirm_signing(f"{path}/signature", signer["phone"], body["verification_code"],
                                   signer["pin2"]).status_code == 200
    return poll_until_final(session, f"{path}/signature")


def poll_until_final(session: ApiSession, path: str):
    def final():
        polled = session.get(path)
        # In a tuple: a 4xx response is falsy by itself.
        return (polled,) if polled.status_code != 200 or polled.json()["state"] != "pending" else None
    return eventually(final, timeout=15, message="the signature to become final")[0]


@pytest.fixture(scope="module")
def events(suite, amqp_url, bus_names):
    """Every contracts.* event the suite publishes from now on, read from our own queue."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    declare_exchange(channel, bus_names["exchange"])  # idempotent: the same declaration the services make
    channel.queue_bind(queue, bus_names["exchange"], routing_key="contracts.#")
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
    return {"head": sim_identity(label="head of 3 companies"), "rep": sim_identity(label="employee / representative 1"),
            "rep2": sim_identity(label="employee / representative 2"), "employee": sim_identity(label="employee 3"),
            "other_head": sim_identity(label="head of 1 company (logistics)"),
            "bank_head": sim_identity(label="head of a bank")}


@pytest.fixture(scope="module")
def head(suite, people, events):
    """The head, who grants himself the authority first, as the manual says (2.7)."""
    session = ApiSession(suite.gateway_url).login(people["head"]).act_for(COMPANY)
    assert session.post(f"{BASE}/authorities", json={"fin": people["head"]["fin"], "valid_until": None}).status_code == 201
    return session


@pytest.fixture(scope="module")
def rep(suite, people, head, events):
    """The representative, authorised by the head."""
    granted = head.post(f"{BASE}/authorities", json={"fin": people["rep"]["fin"],
                                                    "valid_until": (today() + timedelta(days=90)).isoformat()})
    assert granted.status_code == 201, granted.text
    events("contracts.authority.granted", authority_id=granted.json()["id"], fin=people["rep"]["fin"])
    return act_for_when_allowed(ApiSession(suite.gateway_url).login(people["rep"]), COMPANY)


@pytest.fixture(scope="module")
def employee(suite, people):
    return ApiSession(suite.gateway_url).login(people["employee"])


@pytest.fixture(scope="module")
def signed_notice(rep, people, events):
    """A notice entered, edited and signed by the representative."""
    created = rep.post(f"{BASE}/notices", json=payload())
    assert created.status_code == 201, created.text
    notice = created.json()
    edited = rep.patch(f"{BASE}/notices/{notice['id']}", json={"salary": 1300, "position": "Mühasib"})
    assert edited.status_code == 200, edited.text
    final = sign(rep, f"{BASE}/notices/{notice['id']}", people["rep"])
    assert final.status_code == 200 and final.json()["state"] == "confirmed", final.text
    return rep.get(f"{BASE}/notices/{notice['id']}").json()


@pytest.fixture(scope="module")
def ca_pem(suite):
    return requests.get(f"{suite.gateway_url}/api/auth/ca.pem", timeout=10).text


# --- authorities --------------------------------------------------------------------------

def test_head_grants_authorities_with_registry_names(head, rep, people, events):
    listed = head.get(f"{BASE}/authorities")
    assert listed.status_code == 200
    by_fin = {a["fin"]: a for a in listed.json()["items"] if a["status"] == "active"}
    mine, theirs = by_fin[people["head"]["fin"]], by_fin[people["rep"]["fin"]]
    assert mine["kind"] == "indefinite" and mine["valid_until"] is None
    assert theirs["kind"] == "fixed_term" and theirs["full_name"].startswith("Şükürova Aygün")
    assert theirs["granted_by"]["fin"] == people["head"]["fin"]
    event = events("contracts.authority.granted", authority_id=theirs["id"])
    assert event["data"] == {"authority_id": theirs["id"], "voen": COMPANY, "fin": people["rep"]["fin"],
                             "valid_until": theirs["valid_until"], "granted_by_fin": people["head"]["fin"],
                             "scopes": ["contracts", "accidents", "insurers", "notifications"]}
    assert theirs["scopes"] == event["data"]["scopes"]  # omitted: all four
    again = head.post(f"{BASE}/authorities", json={"fin": people["rep"]["fin"], "valid_until": None})
    assert again.status_code == 409


@pytest.mark.parametrize("body, field", [
    ({"fin": "7MW3KZS", "valid_until": None, "scopes": []}, "scopes"),
    ({"fin": "7MW3KZS", "valid_until": None, "scopes": ["contracts", "payroll"]}, "scopes"),
    ({"fin": "7MW3KZS", "valid_until": None, "scopes": "contracts"}, "scopes"),
    ({"fin": "7MW3KZS", "valid_until": None, "scopes": [1]}, "scopes"),
    ({"fin": "0000000", "valid_until": None}, "fin"),
    ({"fin": "12-45", "valid_until": None}, "fin"),
    ({"fin": "7MW3KZS", "valid_until": "2020-01-01"}, "valid_until"),
    ({"fin": "7MW3KZS", "valid_until": "31.12.2030"}, "valid_until"),
    ({"fin": "7MW3KZS"}, "valid_until"),
])
def test_invalid_authority_is_refused_naming_the_field(head, body, field):
    response = head.post(f"{BASE}/authorities", json=body)
    assert response.status_code == 422 and response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"], response.text


def test_only_the_head_manages_authorities(rep, people):
    assert rep.get(f"{BASE}/authorities").status_code == 403
    assert rep.post(f"{BASE}/authorities", json={"fin": people["rep2"]["fin"], "valid_until": None}).status_code == 403


def test_the_head_enters_notices_only_once_he_granted_himself_the_authority(suite, people):
    """Manual 2.7: in "Persons authorised to conclude employment contracts" the head first grants
    himself the authority; until then entering a notice is refused, naming that step."""
    bank_head = ApiSession(suite.gateway_url).login(people["bank_head"]).act_for(BANK)
    refused = bank_head.post(f"{BASE}/notices", json=payload())
    assert refused.status_code == 403 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "head_authority_required" and "özünüzə" in refused.json()["detail"]
    english = bank_head.post(f"{BASE}/notices", json=payload(), headers={"Accept-Language": "en"}).json()["detail"]
    assert "grant yourself the authority" in english and "Persons authorised to conclude" in english
    assert bank_head.get(f"{BASE}/notices").status_code == 200  # reading the registry needs no authority

    granted = bank_head.post(f"{BASE}/authorities", json={"fin": people["bank_head"]["fin"], "valid_until": None,
                                                          "scopes": ["contracts"]})
    assert granted.status_code == 201 and granted.json()["scopes"] == ["contracts"]
    created = bank_head.post(f"{BASE}/notices", json=payload())
    assert created.status_code == 201, created.text
    assert bank_head.delete(f"{BASE}/notices/{created.json()['id']}").status_code == 204


def test_the_services_ask_where_a_person_stands_for_a_company(suite, people, head, rep, service_client):
    path = f"{BASE}/authority-checks"
    notifier = service_client("notifier")
    answer = notifier.get("contracts", path, params={"voen": COMPANY, "fin": people["rep"]["fin"].lower()})
    assert answer.status_code == 200, answer.text
    theirs = answer.json()
    assert theirs["head"] is False and theirs["scopes"] == ["contracts", "accidents", "insurers", "notifications"]
    assert theirs["authority_id"] and theirs["valid_until"] == (today() + timedelta(days=90)).isoformat()
    assert theirs["fin"] == people["rep"]["fin"]
    mine = notifier.get("contracts", path, params={"voen": COMPANY, "fin": people["head"]["fin"]}).json()
    assert mine["head"] is True and mine["authority_id"]
    nobody = notifier.get("contracts", path, params={"voen": COMPANY, "fin": people["employee"]["fin"]}).json()
    assert nobody == {"voen": COMPANY, "fin": people["employee"]["fin"], "head": False, "scopes": [],
                      "authority_id": None, "valid_until": None}
    assert notifier.get("contracts", path, params={"voen": "12", "fin": people["head"]["fin"]}).status_code == 422
    # Not for people, logged in or not.
    assert head.get(path, params={"voen": COMPANY, "fin": people["rep"]["fin"]}).status_code == 403
    assert requests.get(f"{suite.gateway_url}{path}", params={"voen": COMPANY, "fin": people["rep"]["fin"]},
                        timeout=10).status_code == 401


def test_a_representative_for_other_scopes_is_refused_these_notices(suite, people, events):
    """An authority the head granted for notifications only does not open the contracts e-service."""
    head2 = ApiSession(suite.gateway_url).login(people["head"]).act_for(SECOND_COMPANY)
    signer = people["employee"]
    granted = head2.post(f"{BASE}/authorities", json={"fin": signer["fin"], "valid_until": None,
                                                      "scopes": ["notifications"]})
    assert granted.status_code == 201, granted.text
    try:
        session = act_for_when_allowed(ApiSession(suite.gateway_url).login(signer), SECOND_COMPANY)
        for response in (session.get(f"{BASE}/notices"), session.post(f"{BASE}/notices", json=payload())):
            assert response.status_code == 403, response.text
            assert response.json()["code"] == "scope_missing" and '"contracts"' in response.json()["detail"]
    finally:
        assert head2.delete(f"{BASE}/authorities/{granted.json()['id']}").status_code == 200


# --- notices ------------------------------------------------------------------------------

def test_notice_is_filled_from_the_registries(rep, people):
    created = rep.post(f"{BASE}/notices", json=payload(contract_type="indefinite", end_date=None, salary=800))
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["status"] == "unsigned" and notice["salary"] == "800.00"
    assert notice["employee"]["fin"] == people["employee"]["fin"]
    assert notice["employee"]["surname"] == "Həsənova" and notice["employee"]["birth_date"]
    assert notice["employee"]["id_document"]["number"] and notice["employee"]["address"]
    assert notice["employer"]["voen"] == COMPANY and notice["employer"]["name"] and notice["employer"]["legal_address"]
    assert notice["occupation_name"] == "Mühasib"
    assert rep.delete(f"{BASE}/notices/{notice['id']}").status_code == 204
    assert rep.get(f"{BASE}/notices/{notice['id']}").status_code == 404


@pytest.mark.parametrize("changes, field", [
    ({"employee_fin": "12-45"}, "employee_fin"),
    ({"employee_fin": "0000000"}, "employee_fin"),
    ({"end_date": None}, "end_date"),
    ({"end_date": ...}, "end_date"),
    ({"end_date": "2026-11-30"}, "end_date"),
    ({"contract_type": "indefinite"}, "end_date"),
    ({"salary": 0}, "salary"),
    ({"salary": "-100"}, "salary"),
    ({"salary": "abc"}, "salary"),
    ({"salary": "100.123"}, "salary"),
    ({"occupation_code": "0000"}, "occupation_code"),
    ({"contract_type": "seasonal"}, "contract_type"),
    ({"working_time": "night"}, "working_time"),
    ({"position": "   "}, "position"),
    ({"start_date": "2026-13-01"}, "start_date"),
])
def test_every_invalid_field_is_named(head, changes, field):
    response = head.post(f"{BASE}/notices", json=payload(**changes))
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"], response.text


def test_field_errors_speak_azerbaijani_or_english(head):
    az = head.post(f"{BASE}/notices", json=payload(salary="abc")).json()["errors"]["salary"][0]
    en = head.post(f"{BASE}/notices", json=payload(salary="abc"), headers={"Accept-Language": "en"}).json()
    assert "əmək haqqı" in az.lower() and "salary" in en["errors"]["salary"][0].lower()


def test_the_registry_lists_searches_and_filters(rep, people):
    number = f"ÇƏ-{uuid.uuid4().hex[:6]}"
    created = rep.post(f"{BASE}/notices", json=payload(contract_number=number, position="Satış nümayəndəsi",
                                                        occupation_code="3322"))
    assert created.status_code == 201
    for q in ("hesenova", "HƏSƏNOVA", people["employee"]["fin"].lower(), number, "satis numayendesi"):
        found = rep.get(f"{BASE}/notices", params={"q": q, "limit": 100}).json()
        assert created.json()["id"] in [n["id"] for n in found["items"]], q
    newest = rep.get(f"{BASE}/notices", params={"status": "unsigned", "limit": 1}).json()
    assert newest["items"][0]["id"] == created.json()["id"] and newest["total"] >= 1
    assert rep.get(f"{BASE}/notices", params={"status": "lost"}).status_code == 422
    assert rep.get(f"{BASE}/notices", params={"status": ""}).json()["total"] >= newest["total"]
    duplicate = rep.post(f"{BASE}/notices", json=payload(contract_number=number))
    assert duplicate.status_code == 409 and "contract_number" in duplicate.json()["errors"]


def test_signed_notice_is_immutable_and_published(rep, signed_notice, events, people):
    assert signed_notice["status"] == "signed" and signed_notice["signed_at"]
    assert signed_notice["salary"] == "1300.00" and signed_notice["position"] == "Mühasib"
    path = f"{BASE}/notices/{signed_notice['id']}"
    assert rep.patch(path, json={"position": "Direktor"}).status_code == 409
    assert rep.delete(path).status_code == 409
    assert rep.post(f"{path}/signature").status_code == 409
    listed = rep.get(f"{BASE}/notices", params={"status": "signed", "limit": 100}).json()["items"]
    assert any(n["id"] == signed_notice["id"] and n["signed_at"] for n in listed)

    event = events("contracts.notice.signed", notice_id=signed_notice["id"])
    assert event["source"] == "contracts" and event["correlation_id"]
    assert event["data"]["employee_fin"] == people["employee"]["fin"]
    assert event["data"]["employee_name"].startswith("Həsənova Nərmin")
    assert event["data"]["salary"] == "1300.00" and event["data"]["end_date"] == "2027-11-30"
    assert event["data"]["employer_voen"] == COMPANY and event["data"]["contract_type"] == "fixed_term"


def test_employee_sees_own_notices_from_any_employer(employee, signed_notice, rep):
    draft = rep.post(f"{BASE}/notices", json=payload()).json()  # unsigned: not the employee's business yet
    mine = employee.get(f"{BASE}/my-notices", params={"limit": 100})
    assert mine.status_code == 200
    ids = {n["id"]: n for n in mine.json()["items"]}
    assert signed_notice["id"] in ids and ids[signed_notice["id"]]["status"] == "signed"
    assert draft["id"] not in ids
    assert employee.get(f"{BASE}/notices/{draft['id']}").status_code == 404
    assert employee.get(f"{BASE}/notices/{signed_notice['id']}").json()["contract_number"] == \
        signed_notice["contract_number"]


def test_signed_pdf_validates_against_the_test_ca(employee, signed_notice, ca_pem):
    response = employee.get(f"{BASE}/notices/{signed_notice['id']}/pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert 'filename="' in disposition and "filename*=UTF-8''" in disposition
    pdf = response.content
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted

    check_url = f"/api/contracts/notices/{signed_notice['id']}/check".encode()
    at = pdf.index(check_url)  # the verification link, inside the signed range
    tampered = bytearray(pdf)
    tampered[at + 5] ^= 0x01
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(bytes(tampered))).embedded_signatures[0], context)
    assert not status.intact


def _openssl_verify(folder, signature: bytes, content: bytes, ca_pem: str) -> subprocess.CompletedProcess:
    (folder / "signature.p7s").write_bytes(signature)
    (folder / "notice.json").write_bytes(content)
    (folder / "ca.pem").write_text(ca_pem)
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                           "-in", str(folder / "signature.p7s"), "-content", str(folder / "notice.json"),
                           "-CAfile", str(folder / "ca.pem"), "-out", "/dev/null"], capture_output=True, text=True)


def test_adoc_container_verifies_with_openssl(tmp_path, rep, employee, signed_notice, ca_pem):
    for session in (rep, employee):  # the employer and the employee alike
        response = session.get(f"{BASE}/notices/{signed_notice['id']}/adoc")
        assert response.status_code == 200, response.text
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/vnd.etsi.asic-e+zip"
    manifest = archive.read("META-INF/manifest.xml").decode()
    for name in ("notice.json", "notice.pdf"):
        assert f'manifest:full-path="{name}"' in manifest and name in archive.namelist()
    content = archive.read("notice.json")
    document = json.loads(content)
    assert document["notice_id"] == signed_notice["id"] and document["salary"] == "1300.00"
    assert document["employee"]["surname"] == "Həsənova"

    signature = archive.read("META-INF/signature.p7s")
    verified = _openssl_verify(tmp_path, signature, content, ca_pem)
    assert verified.returncode == 0, verified.stderr
    tampered = content.replace(b'"1300.00"', b'"9300.00"')
    assert _openssl_verify(tmp_path, signature, tampered, ca_pem).returncode != 0


def test_another_company_sees_nothing(suite, people, signed_notice, head):
    other = ApiSession(suite.gateway_url).login(people["other_head"]).act_for(OTHER_COMPANY)
    grant_himself(other, people["other_head"])  # entitled to edit his own company's notices
    path = f"{BASE}/notices/{signed_notice['id']}"
    for suffix in ("", "/pdf", "/adoc", "/signature"):
        assert other.get(path + suffix).status_code == 404, suffix
    assert other.patch(path, json={"position": "x"}).status_code == 404
    listed = other.get(f"{BASE}/notices", params={"q": signed_notice["contract_number"]})
    assert listed.status_code == 200 and listed.json()["total"] == 0
    # The same head acting for another of his companies does not see it either.
    sibling = ApiSession(suite.gateway_url).login(people["head"]).act_for(SECOND_COMPANY)
    assert sibling.get(path).status_code == 404


def test_public_check_shows_status_and_nothing_personal(suite, signed_notice):
    response = requests.get(f"{suite.gateway_url}{BASE}/notices/{signed_notice['id']}/check", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed" and body["signed_at"] and body["employer_name"]
    text = response.text
    assert signed_notice["employee_fin"] not in text and "Həsənova" not in text and "1300" not in text
    assert requests.get(f"{suite.gateway_url}{BASE}/notices/{uuid.uuid4().hex}/check", timeout=10).status_code == 404


def test_authority_withdrawn_before_confirmation_stops_the_signature(suite, people, events):
    head2, granted, rep2, notice, path, started = signature_pending_under_an_authority(
        suite, people, valid_until=today().isoformat())

    withdrawn = head2.delete(f"{BASE}/authorities/{granted.json()['id']}")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    events("contracts.authority.withdrawn", authority_id=granted.json()["id"])
    assert head2.delete(f"{BASE}/authorities/{granted.json()['id']}").status_code == 409
    kept = [a for a in head2.get(f"{BASE}/authorities").json()["items"] if a["id"] == granted.json()["id"]]
    assert kept and kept[0]["status"] == "withdrawn"  # the record stays

    # The representative still confirms on the phone, but the notice is not signed by it.
    assert rep2.confirm_on_phone(people["rep2"]["phone"], started.json()["verification_code"],
                                 people["rep2"]["pin2"], kind="sign").status_code == 200
    refused = poll_until_final(head2, f"{path}/signature")
    assert refused.status_code == 403, refused.text
    assert head2.get(path).json()["status"] == "unsigned"
    # ... nor may the representative enter new notices any more.
    assert rep2.post(f"{BASE}/notices", json=payload()).status_code == 403


def test_termination_is_signed_and_published(rep, people, events, employee, suite):
    created = rep.post(f"{BASE}/notices", json=payload(start_date="2026-12-01"))
    notice_id = created.json()["id"]
    path = f"{BASE}/notices/{notice_id}"
    assert rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "69"}).status_code == 409  # unsigned
    assert sign(rep, path, people["rep"]).json()["state"] == "confirmed"

    early = rep.post(f"{path}/termination", json={"date": "2026-11-30", "ground": "69"})
    assert early.status_code == 422 and "date" in early.json()["errors"]
    unknown = rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "99.z"})
    assert unknown.status_code == 422 and "ground" in unknown.json()["errors"]
    entered = rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "68.2.ç"})
    assert entered.status_code == 201, entered.text
    assert entered.json()["termination"]["ground_name"] and entered.json()["status"] == "signed"

    final = sign(rep, f"{path}/termination", people["rep"])
    assert final.json()["state"] == "confirmed" and final.json()["status"] == "terminated"
    event = events("contracts.notice.terminated", notice_id=notice_id)
    assert event["data"]["ground"] == "68.2.ç" and event["data"]["termination_date"] == "2027-01-31"
    assert event["data"]["employer_voen"] == COMPANY and event["data"]["terminated_at"]

    assert rep.post(f"{path}/termination", json={"date": "2027-02-01", "ground": "69"}).status_code == 409
    mine = {n["id"]: n for n in employee.get(f"{BASE}/my-notices", params={"limit": 100}).json()["items"]}
    assert mine[notice_id]["status"] == "terminated"
    check = requests.get(f"{suite.gateway_url}{path}/check", timeout=10).json()
    assert check["status"] == "terminated" and check["terminated_at"]
    adoc = zipfile.ZipFile(io.BytesIO(employee.get(f"{path}/adoc").content))
    assert json.loads(adoc.read("termination.json"))["ground"] == "68.2.ç"


def test_rejected_or_outdated_signature_leaves_the_notice_unsigned(rep, people):
    notice = rep.post(f"{BASE}/notices", json=payload()).json()
    path = f"{BASE}/notices/{notice['id']}"
    started = rep.post(f"{path}/signature").json()
    for _ in range(3):  # the third wrong PIN2 rejects the request on the phone
        rep.confirm_on_phone(people["rep"]["phone"], started["verification_code"], "00000", kind="sign")
    rejected = poll_until_final(rep, f"{path}/signature")
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert rep.get(path).json()["status"] == "unsigned"
    assert rep.get(path).json()["signature"]["state"] == "rejected"

    # Edited while the phone still shows the old content: that signature must not count.
    started = rep.post(f"{path}/signature").json()
    assert rep.patch(path, json={"workplace": "Mühasibatlıq"}).status_code == 200
    assert rep.confirm_signing(f"{path}/signature", people["rep"]["phone"], started["verification_code"],
                               people["rep"]["pin2"]).status_code == 200
    outdated = rep.get(f"{path}/signature")
    assert outdated.json()["state"] == "cancelled" and rep.get(path).json()["status"] == "unsigned"

    assert sign(rep, path, people["rep"]).json()["state"] == "confirmed"
    assert rep.get(path).json()["workplace"] == "Mühasibatlıq"


# --- signatures that can no longer complete -----------------------------------------------

@pytest.fixture(scope="module")
def contracts_db(mongo_client, bus_names):
    """The running contracts service's own database (to move an authority's end date into the past)."""
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_contracts"]


def test_withdrawing_an_authority_ends_its_pending_signature_for_the_head(suite, people):
    """The head withdraws a representative's authority while a signature of theirs waits on the
    phone: opening the notice, the head sees that signature ended (refused) — nobody has to poll it
    — and the confirmation that comes later on the phone changes nothing; the head signs himself."""
    head2, granted, rep2, notice, path, started = signature_pending_under_an_authority(suite, people, valid_until=None)
    waiting = head2.get(path).json()["signature"]
    assert waiting["state"] == "pending" and waiting["verification_code"] == started.json()["verification_code"]

    assert head2.delete(f"{BASE}/authorities/{granted.json()['id']}").status_code == 200
    seen = head2.get(path).json()
    assert seen["status"] == "unsigned"
    assert seen["signature"]["state"] == "refused" and "verification_code" not in seen["signature"]
    assert "səlahiyyəti" in seen["signature"]["message"] and seen["signature"]["finished_at"]
    listed = head2.get(f"{BASE}/notices", params={"q": notice["contract_number"]}).json()["items"]
    assert [n["signature"]["state"] for n in listed] == ["refused"]
    english = head2.get(path, headers={"Accept-Language": "en"}).json()["signature"]["message"]
    assert "authority" in english

    assert rep2.confirm_on_phone(people["rep2"]["phone"], started.json()["verification_code"],
                                 people["rep2"]["pin2"], kind="sign").status_code == 200
    assert head2.get(path).json()["signature"]["state"] == "refused"
    assert head2.get(f"{path}/signature").status_code == 403
    assert head2.get(path).json()["status"] == "unsigned"
    # Nothing is stuck: the head signs the notice himself.
    assert sign(head2, path, people["head"]).json()["state"] == "confirmed"
    assert head2.get(path).json()["status"] == "signed"


def test_an_authority_past_its_end_date_ends_the_pending_signature_in_the_registry(suite, people, head,
                                                                                    contracts_db):
    """Midnight passes over a fixed-term authority while its holder's signature waits on the phone:
    the registry of notices no longer shows that signature as pending (reading it stores nothing;
    polling the signature ends it)."""
    signer = sim_identity(label="no job 2")
    granted = head.post(f"{BASE}/authorities", json={"fin": signer["fin"], "valid_until": today().isoformat()})
    assert granted.status_code == 201, granted.text
    session = act_for_when_allowed(ApiSession(suite.gateway_url).login(signer), COMPANY)
    notice = session.post(f"{BASE}/notices", json=payload()).json()
    started = session.post(f"{BASE}/notices/{notice['id']}/signature")
    assert started.status_code == 202, started.text
    listed = head.get(f"{BASE}/notices", params={"q": notice["contract_number"]}).json()["items"]
    assert listed[0]["signature"]["state"] == "pending"

    # The suite has no clock to move, so the end date moves instead: it becomes yesterday.
    moved = contracts_db.authorities.update_one({"_id": granted.json()["id"]},
                                                {"$set": {"valid_until": (today() - timedelta(days=1)).isoformat()}})
    assert moved.matched_count == 1
    listed = head.get(f"{BASE}/notices", params={"q": notice["contract_number"]}).json()["items"]
    assert listed[0]["signature"]["state"] == "refused" and listed[0]["status"] == "unsigned"
    assert "verification_code" not in listed[0]["signature"]
    assert head.get(f"{BASE}/notices/{notice['id']}").json()["signature"]["state"] == "refused"
    assert contracts_db.notices.find_one({"_id": notice["id"]})["signing"]["state"] == "pending"
    assert head.get(f"{BASE}/notices/{notice['id']}/signature").status_code == 403
    assert contracts_db.notices.find_one({"_id": notice["id"]})["signing"]["state"] == "refused"


def test_a_signature_confirmed_on_the_phone_is_finalised_by_whoever_polls_it(rep, head, people, events):
    """The representative confirms with PIN2 and closes the page without waiting. Opening the
    notice writes nothing, so it still shows the signature pending; whoever polls the signature
    next (here the head) finalises it: the notice shows signed, with the success message, and the
    event goes out."""
    notice = rep.post(f"{BASE}/notices", json=payload()).json()
    path = f"{BASE}/notices/{notice['id']}"
    started = rep.post(f"{path}/signature").json()
    assert "PİN2" in started["message"]
    assert rep.confirm_on_phone(people["rep"]["phone"], started["verification_code"], people["rep"]["pin2"],
                                kind="sign").status_code == 200
    # The notice's second signature (its PDF) is asked for once someone polls; it is confirmed too.
    assert head.get(f"{path}/signature").json()["state"] == "pending"
    assert rep.confirm_next_on_phone(people["rep"]["phone"], people["rep"]["pin2"]).status_code == 200
    opened = head.get(path).json()
    assert opened["status"] == "unsigned" and opened["signature"]["state"] == "pending"

    polled = poll_until_final(head, f"{path}/signature")
    assert polled.status_code == 200 and polled.json()["status"] == "signed", polled.text
    opened = head.get(path).json()
    assert opened["status"] == "signed" and opened["signed_at"]
    assert opened["signature"]["state"] == "confirmed"
    assert opened["signature"]["message"] == "Bildiriş müvəffəqiyyətlə imzalandı."
    polled = rep.get(f"{path}/signature", headers={"Accept-Language": "en"}).json()
    assert polled["state"] == "confirmed" and polled["message"] == "The notice was signed successfully."
    assert events("contracts.notice.signed", notice_id=notice["id"])


def test_the_second_part_of_a_signature_shows_the_code_the_phone_asks_now(rep, people):
    """A notice is signed in two parts (its content, then its PDF): the phone asks twice, each
    time with a code of its own, and the signature's state shows the one the phone shows now, for
    the person to compare."""
    notice = rep.post(f"{BASE}/notices", json=payload()).json()
    path = f"{BASE}/notices/{notice['id']}/signature"
    phone = f"/api/asan-sim/phones/{people['rep']['phone']}/requests"
    started = rep.post(path).json()
    assert rep.confirm_on_phone(people["rep"]["phone"], started["verification_code"], people["rep"]["pin2"],
                                kind="sign").status_code == 200

    def second_part():
        polled = rep.get(path).json()  # polling is what has auth ask for the next part
        asked = [item for item in rep.get(phone).json() if item["kind"] == "sign"]
        return (polled, asked[0]) if asked and polled["state"] == "pending" else None
    polled, asked = eventually(second_part, timeout=15, message="the phone asking for the second part")
    assert polled["verification_code"] == asked["verification_code"]
    assert rep.post(f"{phone}/{asked['request_id']}", json={"pin": people["rep"]["pin2"]}).status_code == 200
    assert poll_until_final(rep, path).json()["state"] == "confirmed"


def test_signature_outcomes_are_told_in_words(rep, people):
    notice = rep.post(f"{BASE}/notices", json=payload()).json()
    path = f"{BASE}/notices/{notice['id']}"
    started = rep.post(f"{path}/signature").json()
    for _ in range(3):
        rep.confirm_on_phone(people["rep"]["phone"], started["verification_code"], "00000", kind="sign")
    rejected = poll_until_final(rep, f"{path}/signature").json()
    assert rejected["state"] == "rejected" and "rədd edildi" in rejected["message"]
    assert "rədd edildi" in rep.get(path).json()["signature"]["message"]


# --- searching one's own notices; grounds that fit the contract ---------------------------

def test_employee_searches_own_notices_by_employer_and_position(employee, signed_notice):
    def found(q):
        response = employee.get(f"{BASE}/my-notices", params={"q": q, "limit": 100})
        assert response.status_code == 200, response.text
        return {n["id"] for n in response.json()["items"]}

    employer = signed_notice["employer"]["name"]
    assert signed_notice["id"] in found(employer.upper())
    assert signed_notice["id"] in found("xezer ulduzu")  # typed without Azerbaijani letters
    assert signed_notice["id"] in found(COMPANY)
    assert signed_notice["id"] in found(signed_notice["contract_number"])
    assert signed_notice["id"] in found("muhasib")
    assert signed_notice["id"] not in found("Çinarlı Logistika")
    assert employee.get(f"{BASE}/my-notices", params={"q": "x" * 101}).status_code == 422


def test_registry_search_covers_workplace_and_occupation(rep, signed_notice):
    for q in ("maliyye sobesi", "Mühasib", signed_notice["occupation_name"]):
        found = rep.get(f"{BASE}/notices", params={"q": q, "limit": 100}).json()["items"]
        assert signed_notice["id"] in [n["id"] for n in found], q


def test_expiry_of_a_fixed_term_is_no_ground_for_an_indefinite_contract(rep, people):
    indefinite = rep.post(f"{BASE}/notices", json=payload(contract_type="indefinite", end_date=None)).json()
    path = f"{BASE}/notices/{indefinite['id']}"
    assert sign(rep, path, people["rep"]).json()["state"] == "confirmed"
    refused = rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "73"})
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert "müddətli" in refused.json()["errors"]["ground"][0]
    english = rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "73"},
                       headers={"Accept-Language": "en"})
    assert "fixed-term" in english.json()["errors"]["ground"][0]
    assert rep.get(path).json()["termination"] is None
    assert rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "69"}).status_code == 201

    fixed = rep.post(f"{BASE}/notices", json=payload()).json()
    fixed_path = f"{BASE}/notices/{fixed['id']}"
    assert sign(rep, fixed_path, people["rep"]).json()["state"] == "confirmed"
    ended = rep.post(f"{fixed_path}/termination", json={"date": "2027-11-30", "ground": "73"})
    assert ended.status_code == 201, ended.text
    assert ended.json()["termination"]["ground_name"].startswith("Müddətli əmək müqaviləsinin")


def test_the_employee_sees_the_termination_being_signed_but_not_the_signers_code(rep, employee, people):
    notice = rep.post(f"{BASE}/notices", json=payload(working_time="part")).json()
    assert notice["contract_type_label"] == "Müddətli" and notice["working_time_label"] == "Natamam iş vaxtı"
    path = f"{BASE}/notices/{notice['id']}"
    assert sign(rep, path, people["rep"]).json()["state"] == "confirmed"
    assert rep.post(f"{path}/termination", json={"date": "2027-01-31", "ground": "69"}).status_code == 201
    started = rep.post(f"{path}/termination/signature")
    assert started.status_code == 202, started.text
    code = started.json()["verification_code"]
    assert rep.get(path).json()["termination"]["signature"]["verification_code"] == code

    opened = employee.get(path)
    assert opened.status_code == 200 and opened.json()["termination"]["signature"]["state"] == "pending"
    mine = {n["id"]: n for n in employee.get(f"{BASE}/my-notices", params={"limit": 100}).json()["items"]}
    assert mine[notice["id"]]["termination"]["signature"]["state"] == "pending"
    for shown in (opened.json()["termination"]["signature"], mine[notice["id"]]["termination"]["signature"],
                  opened.json()["signature"]):
        assert "verification_code" not in shown and code not in shown.values()
