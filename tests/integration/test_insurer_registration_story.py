"""The issue's scenario through the gateway with the real services: the logistics company's head
authorises a representative for insurer registration; the representative fills the application
section by section (the head's data come from the population registry and the look-up shows in
the head's data-access log), uploads a PDF and a PNG, and sends it; the applicant is e-mailed;
staff find it in their queue, open it with its documents and register it; anyone then finds the
account number by VÖEN, and the applicant's e-mail with the account number arrives.

Around it: a second application for the same VÖEN is refused (409); a non-matching activity type,
a fake PNG and an oversized upload each get a clear problem; another company reads neither the
application nor its files; a citizen cannot reach the staff queue; the public look-up has a
per-client limit of its own in the gateway."""
from __future__ import annotations

import email
import io
import threading
import uuid
from email import policy

import pytest
import requests
from requests.adapters import HTTPAdapter

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually

LOGISTICS = "1701100451"   # "Çinarlı Logistika" MMC, headed by Gülnarə Əliyeva (3HB8RXT); 49.41 and 52.10
CAFE = "1701100561"        # "Ağ Şəhər Kafe" MMC: another company
BASE = "/api/insurers"


def scanned_pdf(padding: int = 0) -> bytes:
    """A one-page PDF (fpdf2); `padding` bytes more ride in a comment before its end marker."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, "Dovlet qeydiyyati sehadetnamesi")
    raw = bytes(doc.output())
    if not padding:
        return raw
    at = raw.rindex(b"%%EOF")
    return raw[:at] + b"%" + b"x" * padding + b"\n" + raw[at:]


def scanned_png() -> bytes:
    from PIL import Image

    picture = Image.new("RGB", (40, 30), (200, 180, 90))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {"pdf": scanned_pdf(), "png": scanned_png(),
            "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8}


def problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def mails_to(suite, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(suite.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            found.append(message)
    return found


class _From(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def people() -> dict:
    return {"head": sim_identity(label="head of 1 company (logistics)"), "rep": sim_identity(label="employee 3"),
            "other": sim_identity(label="head of 1 company (cafe)"), "citizen": sim_identity(label="no job 2"),
            "staff": sim_identity(label="operations staff (ministry)")}


@pytest.fixture(scope="module")
def head(suite, people) -> ApiSession:
    return ApiSession(suite.gateway_url).login(people["head"]).act_for(LOGISTICS)


@pytest.fixture(scope="module")
def rep(suite, people, head) -> ApiSession:
    """The representative, authorised by the head for insurer registration only."""
    granted = head.post("/api/contracts/authorities", json={"fin": people["rep"]["fin"], "valid_until": None,
                                                            "scopes": ["insurers"]})
    assert granted.status_code == 201, granted.text
    session = ApiSession(suite.gateway_url).login(people["rep"])

    def role():  # auth offers the company role once it learnt of the grant from the bus
        answer = session.post("/api/auth/role", json={"voen": LOGISTICS})
        return answer.json()["access_token"] if answer.status_code == 200 else None
    session.token = eventually(role, timeout=15, message="the company role after the grant")
    return session


@pytest.fixture(scope="module")
def contact() -> str:
    return f"muhasibat.{uuid.uuid4().hex[:8]}@cinarli.example"


def sections(contact: str) -> list[dict]:
    return [
        {"insurer_type": "1", "full_name": '"Çinarlı Logistika" Məhdud Məsuliyyətli Cəmiyyəti',
         "short_name": '"Çinarlı Logistika" MMC', "registration_certificate_number": "ŞƏH-2015/0451",
         "registration_date": "2015-05-20", "voen_issued_on": "2015-05-20", "parent_voen": None,
         "subordinate_to_voen": None},
        {"main_activity": "49.41", "auxiliary_activities": ["52.10"], "ownership_type": "3", "legal_form": "111"},
        {"legal_address": {"district_code": "AZ-SM", "text": "Sumqayıt şəhəri, Sülh küçəsi 3"}},
        {"actual_address": {"same_as_legal": True}},
        {"head_fin": "3HB8RXT", "contact_email": contact, "contact_phone": "+994 18 655 00 11"},
    ]


def test_a_representative_registers_the_company_and_anyone_finds_its_account_number(
        suite, people, head, rep, contact, files):
    # The draft, section by section.
    created = rep.post(f"{BASE}/applications", json={})
    assert created.status_code == 201, created.text
    app = created.json()
    path = f"{BASE}/applications/{app['id']}"
    for section in sections(contact):
        saved = rep.patch(path, json=section)
        assert saved.status_code == 200, saved.text
    app = saved.json()
    assert app["head"] == {"fin": "3HB8RXT", "surname": "Əliyeva", "name": "Gülnarə", "patronymic": "Söhrab qızı"}
    assert app["actual_address"] == {"district_code": "AZ-SM", "text": "Sumqayıt şəhəri, Sülh küçəsi 3",
                                     "same_as_legal": True}
    assert app["missing"] == ["documents"]
    # The head's data were looked up for this: her data-access log says by whom and why.
    as_herself = ApiSession(suite.gateway_url).login(people["head"])
    log = as_herself.get("/api/registry/my-data-access", params={"limit": 200}).json()["items"]
    assert any(entry["service"] == "insurers" and entry["purpose"]["code"] == "insurer-application-head"
               for entry in log)

    # An activity type the tax registry does not hold for this VÖEN is named, code and all.
    refused = problem(rep.patch(path, json={"auxiliary_activities": ["52.10", "56.10"]}), 422)
    assert refused["errors"] == {"auxiliary_activities.1": [
        "56.10 kodlu fəaliyyət növü vergi orqanında bu VÖEN üzrə qeydiyyatda deyil."]}

    # Scanned documents: a PDF and a PNG; a fake PNG and an oversized file are refused clearly.
    documents = f"{path}/documents"
    fake = problem(rep.post(documents, files={"file": ("şəhadətnamə.png", files["exe"], "image/png")}), 422)
    assert fake["code"] == "document_type_not_allowed" and "PDF, JPEG" in fake["errors"]["file"][0]
    oversized = problem(rep.post(documents, files={"file": ("big.pdf", scanned_pdf(9 * 1024 * 1024),
                                                            "application/pdf")}), 413)
    assert oversized["code"] == "document_too_large" and "8 MB" in oversized["detail"]
    pdf = rep.post(documents, files={"file": ("Dövlət qeydiyyatı şəhadətnaməsi.pdf", files["pdf"], "application/pdf")})
    png = rep.post(documents, files={"file": ("nizamnamə.png", files["png"], "image/png")})
    assert pdf.status_code == 201 and png.status_code == 201, (pdf.text, png.text)
    pdf, png = pdf.json(), png.json()

    # Another company reads nothing of it.
    other = ApiSession(suite.gateway_url).login(people["other"]).act_for(CAFE)
    assert problem(other.get(path), 404)["code"] == "application_not_found"
    for doc in (pdf, png):
        assert problem(other.get(f"{documents}/{doc['id']}"), 404)

    # Sent: the applicant is told.
    sent = rep.post(f"{path}/submission")
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "submitted"
    (received,) = eventually(lambda: mails_to(suite, contact), 20, message="the e-mail of the sent application")
    assert received["Subject"].startswith("Sığortaedənin uçota alınması üçün müraciətiniz qəbul edildi")

    # A citizen cannot reach the staff's queue or decide.
    citizen = ApiSession(suite.gateway_url).login(people["citizen"])
    assert problem(citizen.get(f"{BASE}/applications", params={"status": "submitted"}), 403)
    assert problem(citizen.post(f"{path}/decision", json={"decision": "register"}), 403)

    # Staff: the queue, the application with its documents, the registration.
    staff = ApiSession(suite.gateway_url).login(people["staff"])
    queue = staff.get(f"{BASE}/applications", params={"status": "submitted", "limit": 200}).json()
    assert app["id"] in [item["id"] for item in queue["items"]]
    opened = staff.get(path).json()
    assert {d["id"] for d in opened["documents"]} == {pdf["id"], png["id"]}
    assert staff.get(f"{documents}/{pdf['id']}").content == files["pdf"]
    assert staff.get(f"{documents}/{png['id']}").content == files["png"]
    decided = staff.post(f"{path}/decision", json={"decision": "register"})
    assert decided.status_code == 200, decided.text
    account = decided.json()["account_number"]
    assert decided.json()["decided_by"]["fin"] == people["staff"]["fin"] and decided.json()["decided_at"]

    # Anyone finds the account number by VÖEN, and nothing personal.
    found = requests.get(f"{suite.gateway_url}{BASE}/account-numbers/{LOGISTICS}", timeout=10)
    assert found.status_code == 200
    assert found.json() == {"voen": LOGISTICS, "name": '"Çinarlı Logistika" Məhdud Məsuliyyətli Cəmiyyəti',
                            "account_number": account}

    # The applicant's e-mail with the account number arrives.
    def registered_mail():
        return [m for m in mails_to(suite, contact) if account in m["Subject"]]
    (mail,) = eventually(registered_mail, 20, message="the e-mail of the registration")
    assert mail["Subject"].startswith(f"Sığortaedən uçota alındı, uçot nömrəsi {account}")
    text = mail.get_body(("plain",)).get_content()
    assert f"Uçot nömrəsi: {account}" in text and f"Hörmətli {people['rep']['surname']}" in text

    # A second application for the same VÖEN is refused.
    again = problem(rep.post(f"{BASE}/applications", json={}), 409)
    assert again["code"] == "voen_already_registered" and again["errors"] == {
        "voen": ["Bu VÖEN ilə sığortaedən artıq uçota alınıb."]}
    assert rep.get(path).json()["status"] == "registered"


def test_the_public_lookup_is_limited_per_client_in_the_gateway(suite):
    """A client of its own (its own loopback address) looking up without pause meets the gateway's
    limit for look-ups (by default 5 a second, a burst of 10) long before the limit on every request."""
    session = requests.Session()
    session.mount("http://", _From("127.0.0.9"))
    url = f"{suite.gateway_url}{BASE}/account-numbers/1799999990"
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def hammer():
        own = requests.Session()
        own.mount("http://", _From("127.0.0.9"))
        for _ in range(15):
            answer = own.get(url, timeout=10)
            with lock:
                answers.append(answer)
    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = {answer.status_code for answer in answers}
    assert statuses <= {404, 429} and 429 in statuses, statuses
    limited = next(answer for answer in answers if answer.status_code == 429)
    assert problem(limited, 429)["title"] == "Həddindən artıq sorğu" and limited.headers["Retry-After"] == "1"
    # Another client is not held back by it.
    assert requests.get(url, timeout=10).status_code == 404
