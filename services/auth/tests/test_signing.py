"""Signing for other services: a service asks, auth builds each CMS itself and has the provider sign
the hash of its signed attributes, one session per digest (the phone shows "1/2", "2/2"), the
person confirming each with PIN2; the digests come back as detached CMS signatures that OpenSSL
verifies against the simulator's CA, the one auth trusts."""
from __future__ import annotations

import base64
import hashlib
import io
import subprocess

import pytest
import requests

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

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
                                                         service_token, suite):
    aygun = people["employee_1"]
    asan.login(aygun)  # auth learns her number from her Asan İmza log-in
    started = start(auth_url, contracts_token, aygun["fin"], [
        {"name": "notice.json", "digest": b64sha256(DOCUMENT)},
        {"name": "attachment.txt", "digest": b64sha256(ATTACHMENT), "pades": False}])
    assert started.status_code == 201, started.text
    body = started.json()
    assert set(body) >= {"signing_id", "verification_code", "expires_at"}
    status_url = f"{auth_url}/api/auth/signatures/{body['signing_id']}"
    assert requests.get(status_url, headers=bearer(contracts_token)).json()["state"] == "pending"

    first = asan.request_with_code(aygun["phone"], body["verification_code"], kind="sign")
    assert first["text"] == "Əmək müqaviləsi bildirişinin imzalanması (1/2)"
    assert asan.answer(aygun["phone"], first["request_id"], aygun["pin1"]).status_code == 403  # PIN1 signs nothing
    assert asan.answer(aygun["phone"], first["request_id"], aygun["pin2"]).status_code == 200

    # The first signature is in; the second session runs now, with its own code.
    status = requests.get(status_url, headers=bearer(contracts_token)).json()
    assert status["state"] == "pending" and status["verification_code"] != body["verification_code"]
    second = asan.request_with_code(aygun["phone"], status["verification_code"], kind="sign")
    assert second["text"] == "Əmək müqaviləsi bildirişinin imzalanması (2/2)"
    assert asan.answer(aygun["phone"], second["request_id"], aygun["pin2"]).status_code == 200

    done = requests.get(status_url, headers=bearer(contracts_token))
    assert done.status_code == 200
    done = done.json()
    assert done["state"] == "confirmed" and done["signed_at"]
    assert (done["signer"]["fin"], done["signer"]["name"], done["signer"]["surname"]) == (
        aygun["fin"], "Aygün", "Şükürova")
    assert [s["name"] for s in done["signatures"]] == ["notice.json", "attachment.txt"]
    ca_pem = requests.get(f"{auth_url}/api/auth/ca.pem").text
    assert ca_pem == done["ca_certificate"] == (suite.asan_sim_dir / "ca.pem").read_text()

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
        assert signer.fin == aygun["fin"] and signer.signing_time is not None

    # Another service may not see it.
    other = requests.get(status_url, headers=bearer(service_token("accidents", "auth")))
    assert other.status_code == 404


def test_pades_digest_is_signed_for_embedding_in_a_pdf(auth_url, asan, people, contracts_token):
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Test notice")
    state = pki.prepare_pdf_signing(bytes(pdf.output()))
    soh = people["employee_2"]
    asan.login(soh)
    started = start(auth_url, contracts_token, soh["fin"], [
        {"name": "notice.pdf", "digest": base64.b64encode(state.document_digest).decode(), "pades": True}]).json()
    shown = asan.request_with_code(soh["phone"], started["verification_code"], kind="sign")
    assert asan.answer(soh["phone"], shown["request_id"], soh["pin2"]).status_code == 200
    done = requests.get(f"{auth_url}/api/auth/signatures/{started['signing_id']}",
                        headers=bearer(contracts_token)).json()
    signed = pki.finish_pdf_signing(state, base64.b64decode(done["signatures"][0]["cms"]))
    assert signed.startswith(b"%PDF") and b"/ETSI.CAdES.detached" in signed
    trusted = ValidationContext(trust_roots=[pki.CertKey(cert_pem=done["ca_certificate"]).asn1_cert])
    validity = validate_pdf_signature(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0], trusted)
    assert validity.intact and validity.valid and validity.trusted


def test_wrong_pins_reject_a_signing(auth_url, asan, people, contracts_token):
    nermin = people["employee_3"]
    asan.login(nermin)
    started = start(auth_url, contracts_token, nermin["fin"], [{"name": "a", "digest": b64sha256(b"a")}]).json()
    shown = asan.request_with_code(nermin["phone"], started["verification_code"], kind="sign")
    for pin in ("1", "2", "3"):
        assert asan.answer(nermin["phone"], shown["request_id"], pin).status_code == 403
    status = requests.get(f"{auth_url}/api/auth/signatures/{started['signing_id']}",
                          headers=bearer(contracts_token)).json()
    assert status["state"] == "rejected" and status["reason"] == "user_cancelled" and "signatures" not in status


@pytest.mark.parametrize("fin, digests, field", [
    ("0000000", [{"name": "a", "digest": b64sha256(b"a")}], "fin"),        # never logged in with Asan İmza
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
