"""Signing for other services: a service asks, the person confirms on the phone with PIN2, the
digests come back as detached CMS signatures that OpenSSL verifies against the test CA."""
from __future__ import annotations

import base64
import hashlib
import subprocess

import pytest
import requests

from egov_kit import pki

DOCUMENT = "Əmək müqaviləsi bildirişi № 17 — İşəgötürən: «Çinarlı Logistika» MMC, işçi: Şükürova Aygün".encode()
ATTACHMENT = "Əlavə: vəzifə təlimatı (ş, ç, ğ, ı, İ, ö, ü, ə)".encode()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def b64sha256(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


@pytest.fixture(scope="module")
def contracts_token(service_token) -> str:
    return service_token("contracts", "auth")


def start(auth_url, token, fin, digests, text="Əmək müqaviləsi bildirişinin imzalanması") -> requests.Response:
    return requests.post(f"{auth_url}/api/auth/signatures", headers=bearer(token),
                         json={"fin": fin, "text": text, "digests": digests})


def test_signing_flow_produces_cms_that_openssl_verifies(tmp_path, auth_url, asan, people, contracts_token,
                                                         service_token):
    aygun = people["employee_1"]
    started = start(auth_url, contracts_token, aygun["fin"], [
        {"name": "notice.json", "digest": b64sha256(DOCUMENT)},
        {"name": "attachment.txt", "digest": b64sha256(ATTACHMENT), "pades": False}])
    assert started.status_code == 201, started.text
    body = started.json()
    assert set(body) >= {"signing_id", "verification_code", "expires_at"}
    status = requests.get(f"{auth_url}/api/auth/signatures/{body['signing_id']}", headers=bearer(contracts_token))
    assert status.json()["state"] == "pending"

    shown = asan.request_with_code(aygun["phone"], body["verification_code"], kind="sign")
    assert shown["text"] == "Əmək müqaviləsi bildirişinin imzalanması"
    assert asan.answer(aygun["phone"], shown["request_id"], aygun["pin1"]).status_code == 403  # PIN1 signs nothing
    assert asan.answer(aygun["phone"], shown["request_id"], aygun["pin2"]).status_code == 200

    done = requests.get(f"{auth_url}/api/auth/signatures/{body['signing_id']}", headers=bearer(contracts_token))
    assert done.status_code == 200
    done = done.json()
    assert done["state"] == "confirmed" and done["signed_at"]
    assert (done["signer"]["fin"], done["signer"]["name"], done["signer"]["surname"]) == (
        aygun["fin"], "Aygün", "Şükürova")
    assert [s["name"] for s in done["signatures"]] == ["notice.json", "attachment.txt"]
    ca_pem = requests.get(f"{auth_url}/api/auth/ca.pem").text
    assert ca_pem == done["ca_certificate"]

    (tmp_path / "ca.pem").write_text(ca_pem)
    for signature, content in zip(done["signatures"], (DOCUMENT, ATTACHMENT)):
        (tmp_path / "content").write_bytes(content)
        (tmp_path / "sig.der").write_bytes(base64.b64decode(signature["cms"]))
        result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                                 str(tmp_path / "sig.der"), "-content", str(tmp_path / "content"),
                                 "-CAfile", str(tmp_path / "ca.pem"), "-out", "/dev/null"],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        signer = pki.verify_detached_cms(base64.b64decode(signature["cms"]), content, [ca_pem])
        assert signer.fin == aygun["fin"]

    # Another service may not see it.
    other = requests.get(f"{auth_url}/api/auth/signatures/{body['signing_id']}",
                         headers=bearer(service_token("accidents", "auth")))
    assert other.status_code == 404


def test_pades_digest_is_signed_for_embedding_in_a_pdf(auth_url, asan, people, contracts_token):
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Test notice")
    state = pki.prepare_pdf_signing(bytes(pdf.output()))
    soh = people["employee_2"]
    started = start(auth_url, contracts_token, soh["fin"], [
        {"name": "notice.pdf", "digest": base64.b64encode(state.document_digest).decode(), "pades": True}]).json()
    shown = asan.request_with_code(soh["phone"], started["verification_code"], kind="sign")
    assert asan.answer(soh["phone"], shown["request_id"], soh["pin2"]).status_code == 200
    done = requests.get(f"{auth_url}/api/auth/signatures/{started['signing_id']}",
                        headers=bearer(contracts_token)).json()
    signed = pki.finish_pdf_signing(state, base64.b64decode(done["signatures"][0]["cms"]))
    assert signed.startswith(b"%PDF") and b"/ETSI.CAdES.detached" in signed


def test_wrong_pins_reject_a_signing(auth_url, asan, people, contracts_token):
    nermin = people["employee_3"]
    started = start(auth_url, contracts_token, nermin["fin"], [{"name": "a", "digest": b64sha256(b"a")}]).json()
    shown = asan.request_with_code(nermin["phone"], started["verification_code"], kind="sign")
    for pin in ("1", "2", "3"):
        assert asan.answer(nermin["phone"], shown["request_id"], pin).status_code == 403
    status = requests.get(f"{auth_url}/api/auth/signatures/{started['signing_id']}",
                          headers=bearer(contracts_token)).json()
    assert status["state"] == "rejected" and "signatures" not in status


@pytest.mark.parametrize("fin, digests, field", [
    ("0000000", [{"name": "a", "digest": b64sha256(b"a")}], "fin"),        # no simulator SIM
    ("12", [{"name": "a", "digest": b64sha256(b"a")}], "fin"),
    ("2PLX9DM", [{"name": "a", "digest": base64.b64encode(b"short").decode()}], "digests.0.digest"),
    ("2PLX9DM", [{"name": "a", "digest": "%%%"}], "digests.0.digest"),
    ("2PLX9DM", [], "digests"),
])
def test_bad_signing_requests_name_the_field(auth_url, contracts_token, fin, digests, field):
    response = start(auth_url, contracts_token, fin, digests)
    assert response.status_code == 422
    assert field in response.json()["errors"], response.json()


def test_signing_is_for_services_only(auth_url, asan, people):
    person = asan.login(people["jobless_2"])["access_token"]
    response = start(auth_url, person, "9CV7TBU", [{"name": "a", "digest": b64sha256(b"a")}])
    assert response.status_code == 403  # a valid token, of the wrong kind
    assert start(auth_url, "", "9CV7TBU", [{"name": "a", "digest": b64sha256(b"a")}]).status_code == 401


def test_unknown_signing_is_404(auth_url, contracts_token):
    assert requests.get(f"{auth_url}/api/auth/signatures/nope", headers=bearer(contracts_token)).status_code == 404
