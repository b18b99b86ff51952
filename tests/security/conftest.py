"""Fixtures of the security tests: the running services' OpenAPI documents (through the gateway),
real service tokens, and the world of company A (see security_support)."""
from __future__ import annotations

import sys
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from devtools.client import sim_identity
from devtools.pytest_plugin import eventually
from egov_kit.clock import BAKU

# Importable in any pytest import mode (the repository uses importlib mode).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from security_support import (CERTIFICATES, COMPANY_A, COMPANY_B, CONTRACTS, SIMS, Operation,  # noqa: E402
                              Persona, ServiceTokens, World, login, operations_of)


@pytest.fixture(scope="session")
def openapi_documents(suite) -> dict[str, dict]:
    """Each running service's OpenAPI document, as the gateway serves it."""
    documents = {}
    for name in suite.services:
        response = requests.get(f"{suite.gateway_url}/api/{name}/openapi.json", timeout=10)
        assert response.status_code == 200, (name, response.status_code)
        documents[name] = response.json()
    return documents


@pytest.fixture(scope="session")
def operations(openapi_documents) -> list[Operation]:
    return [op for name, document in openapi_documents.items() for op in operations_of(document, name)]


@pytest.fixture(scope="session")
def service_tokens(suite) -> ServiceTokens:
    return ServiceTokens(suite.gateway_url, suite.env()["SERVICE_CLIENT_SECRET"])


def _created_or_existing(response: requests.Response, existing) -> str:
    if response.status_code == 201:
        return response.json()["id"]
    assert response.status_code == 409, response.text
    return existing()


@pytest.fixture(scope="session")
def world(suite) -> World:
    people = {name: sim_identity(label=label) for name, label in SIMS.items()}
    personas = {
        "anonymous": Persona("anonymous", "anonymous"),
        "citizen": Persona("citizen", "person", people["citizen"]),
        "employee": Persona("employee", "person", people["employee"]),
        "head": Persona("head", "person", people["head"], COMPANY_A, "head"),
        "other_head": Persona("other_head", "person", people["other_head"], COMPANY_B, "head"),
        "representative": Persona("representative", "person", people["representative"], COMPANY_A, "authorised"),
        # A representative whose authority covers contract notices only.
        "representative:contracts": Persona("representative:contracts", "person", people["contracts_only"],
                                            COMPANY_A, "authorised", scopes=frozenset({"contracts"})),
        "staff": Persona("staff", "person", people["staff"], staff=True),
        "service:notifier": Persona("service:notifier", "service", service="notifier"),
        "service:contracts": Persona("service:contracts", "service", service="contracts"),
    }
    head = personas["head"]
    head.session = login(suite, head)

    def grant(fin: str, scopes: list[str] | None = None) -> str:
        granted = head.session.post(f"{CONTRACTS}/authorities", json={"fin": fin, "valid_until": None,
                                                                     **({"scopes": scopes} if scopes else {})})

        def existing():
            listed = head.session.get(f"{CONTRACTS}/authorities", params={"limit": 200}).json()["items"]
            return next(a["id"] for a in listed if a["fin"] == fin and a["status"] == "active")
        return _created_or_existing(granted, existing)

    grant(people["head"]["fin"])                   # the head names himself first
    grant(people["representative"]["fin"])
    authority_id = grant(people["stand_in"]["fin"])  # the one the matrix may withdraw
    # The limited representative holds exactly that: an authority an earlier test left is withdrawn.
    for held in head.session.get(f"{CONTRACTS}/authorities", params={"limit": 200}).json()["items"]:
        if held["fin"] == people["contracts_only"]["fin"] and held["status"] == "active":
            assert head.session.delete(f"{CONTRACTS}/authorities/{held['id']}").status_code == 200
    grant(people["contracts_only"]["fin"], ["contracts"])
    for persona in personas.values():
        if persona.kind == "person" and persona.session is None:
            persona.session = login(suite, persona)
    # Company B's head has taken the manual's first step too, so what stops him at company A's
    # notices is the company boundary alone.
    other = personas["other_head"].session
    answer = other.post(f"{CONTRACTS}/authorities", json={"fin": people["other_head"]["fin"], "valid_until": None})
    assert answer.status_code in (201, 409), answer.text

    # The employee's contract with company A, entered and signed by the head with PIN2.
    today = date.today()
    notice = head.session.post(f"{CONTRACTS}/notices", json={
        "employee_fin": people["employee"]["fin"], "position": "Baş mühasib", "occupation_code": "2411",
        "workplace": "Mühasibatlıq", "contract_number": f"SEC-{uuid.uuid4().hex[:8]}",
        "contract_date": (today - timedelta(days=40)).isoformat(),
        "start_date": (today - timedelta(days=30)).isoformat(), "contract_type": "indefinite",
        "end_date": None, "salary": "900.00", "working_time": "full"})
    assert notice.status_code == 201, notice.text
    notice_id = notice.json()["id"]
    started = head.session.post(f"{CONTRACTS}/notices/{notice_id}/signature")
    assert started.status_code == 202, started.text
    # One provider session per signature (the notice and its PDF): each confirmed in turn.
    confirmed = head.session.confirm_signing(f"{CONTRACTS}/notices/{notice_id}/signature", people["head"]["phone"],
                                             started.json()["verification_code"], people["head"]["pin2"])
    assert confirmed.status_code == 200, confirmed.text
    eventually(lambda: head.session.get(f"{CONTRACTS}/notices/{notice_id}/signature").json().get("state")
               == "confirmed", timeout=15, message="the notice signed")

    # The employee's certificate on it, once the certificates service has heard of the contract.
    employee = personas["employee"].session
    eventually(lambda: any(c["contract_id"] == notice_id for c in employee.get(
        f"{CERTIFICATES}/contracts", params={"limit": 200}).json()["items"]), timeout=15,
        message="the contract in the certificates service")
    issued = employee.post(CERTIFICATES, json={
        "contract_id": notice_id, "type": "employment", "valid_until": (today + timedelta(days=30)).isoformat(),
        "email": "nermin@example.az", "purpose": "09", "destination": "general"})
    assert issued.status_code == 201, issued.text

    # Company A's webhook (a receiver nobody answers at: deliveries just fail and are retried).
    hook = head.session.post("/api/notifier/webhooks", json={"url": f"http://127.0.0.1:9/{uuid.uuid4().hex}"})

    def first_webhook():
        return head.session.get("/api/notifier/webhooks").json()["items"][0]["id"]
    webhook_id = _created_or_existing(hook, first_webhook)

    # An accident report draft of company A's, the employee its victim.
    report = head.session.post("/api/accidents/reports", json={
        "incident": {"occurred_at": (datetime.now(BAKU) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                     "district_code": "AZ-SA", "address": "Sənaye küç. 4, sex", "description": "Pilləkəndən yıxılıb."},
        "victims": [{"fin": people["employee"]["fin"], "outcome": "injured"}],
        "informant": {"mobile": "+994703334455", "email": "hesabat@example.az"}})
    assert report.status_code == 201, report.text

    # Company A's insurer application with a scan: one open at a time, so an earlier test's (in
    # whatever state it has reached, with the scans it was sent with) serves as well.
    application = head.session.post("/api/insurers/applications", json={})

    def latest_application():
        return head.session.get("/api/insurers/applications", params={"limit": 1}).json()["items"][0]["id"]
    application_id = _created_or_existing(application, latest_application)
    scan = head.session.post(f"/api/insurers/applications/{application_id}/documents",
                             files={"file": ("şəhadətnamə.pdf", _one_page_pdf(), "application/pdf")})
    if scan.status_code == 409:   # no longer a draft
        document_id = head.session.get(f"/api/insurers/applications/{application_id}").json()["documents"][0]["id"]
    else:
        assert scan.status_code == 201, scan.text
        document_id = scan.json()["id"]
    return World(personas=personas, notice_id=notice_id, authority_id=authority_id, webhook_id=webhook_id,
                 certificate_number=issued.json()["number"], employee_fin=people["employee"]["fin"],
                 report_id=report.json()["id"], application_id=application_id, document_id=document_id)


def _one_page_pdf() -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, "Dovlet qeydiyyati sehadetnamesi")
    return bytes(doc.output())


