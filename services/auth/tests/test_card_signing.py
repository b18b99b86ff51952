"""Signing for other services with the e-signature card: the service hands auth the card's
certificate; auth checks it (trusted CA, valid, meant for signing documents, the signer's own),
builds the signed attributes of each digest and hands out their hash, one at a time ("1/2",
"2/2"); the card signs each as it is, and auth assembles the same detached CMS as for Asan İmza
— OpenSSL and pyHanko verify it against the simulator's CA. A signature that does not verify
ends the signing with nothing signed."""
from __future__ import annotations

import base64
import hashlib
import io
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from egov_kit import pki

DOCUMENT = "Bədbəxt hadisə barədə məlumat № BH-2026-000017 (ş, ç, ğ, ı, İ, ö, ü, ə)".encode()
FIN = "7MW3KZS"  # a simulator identity: the simulator's test CA issued her card


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64sha256(content: bytes) -> str:
    return b64(hashlib.sha256(content).digest())


def simulator_card(suite, fin: str = FIN) -> pki.CertKey:
    body = requests.get(f"{suite.asan_sim_url}/api/asan-sim/cards/{fin}", timeout=10).json()
    return pki.load_certkey(body["private_key"], body["certificate"])


@pytest.fixture(scope="module")
def token(service_token) -> str:
    return service_token("accidents", "auth")


@pytest.fixture(scope="module")
def card(suite) -> pki.CertKey:
    return simulator_card(suite)


@pytest.fixture(scope="module")
def test_ca(suite) -> pki.CertKey:
    """The simulator's test CA, read from its data folder to issue cards it would never hand out."""
    return pki.load_certkey((suite.asan_sim_dir / "private" / "ca-key.pem").read_text(),
                            (suite.asan_sim_dir / "ca.pem").read_text())


def start(auth_url, token, certificate: str, digests: list[dict], fin: str = FIN) -> requests.Response:
    return requests.post(f"{auth_url}/api/auth/signatures", headers=bearer(token), timeout=30, json={
        "method": "card", "fin": fin, "certificate": certificate, "text": "Sınaq", "digests": digests})


def respond(auth_url, token, signing_id: str, signature: bytes | str) -> requests.Response:
    value = signature if isinstance(signature, str) else b64(signature)
    return requests.post(f"{auth_url}/api/auth/signatures/{signing_id}/card-response", headers=bearer(token),
                         timeout=30, json={"signature": value})


def card_signs(card: pki.CertKey, answer: dict) -> bytes:
    assert answer["digest_algorithm"] == "sha256"
    return pki.sign_prehashed(card, base64.b64decode(answer["digest"]))


def test_a_card_signs_each_hash_and_auth_assembles_the_cms(tmp_path, auth_url, token, card, suite):
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Test report")
    prepared = pki.prepare_pdf_signing(bytes(pdf.output()))

    started = start(auth_url, token, card.cert_pem, [
        {"name": "report", "digest": b64sha256(DOCUMENT)},
        {"name": "pdf", "digest": b64(prepared.document_digest), "pades": True}])
    assert started.status_code == 201, started.text
    first = started.json()
    assert (first["method"], first["state"], first["step"], first["steps"]) == ("card", "pending", "1/2", 2)
    assert "verification_code" not in first
    status_url = f"{auth_url}/api/auth/signatures/{first['signing_id']}"
    polled = requests.get(status_url, headers=bearer(token), timeout=10).json()
    assert (polled["state"], polled["digest"], polled["step"]) == ("pending", first["digest"], "1/2")

    second = respond(auth_url, token, first["signing_id"], card_signs(card, first))
    assert second.status_code == 200, second.text
    second = second.json()
    assert (second["state"], second["step"]) == ("pending", "2/2") and second["digest"] != first["digest"]
    # The first signature sent again (its answer lost on the way): the same answer, nothing undone.
    repeated = respond(auth_url, token, first["signing_id"], card_signs(card, first)).json()
    assert (repeated["state"], repeated["step"], repeated["digest"]) == ("pending", "2/2", second["digest"])
    done = respond(auth_url, token, first["signing_id"], card_signs(card, second))
    assert done.status_code == 200, done.text
    done = done.json()
    assert done["state"] == "confirmed" and done["method"] == "card" and "digest" not in done
    assert done["signer"]["fin"] == FIN and done["signer"]["certificate"] == card.cert_pem
    assert requests.get(status_url, headers=bearer(token), timeout=10).json()["signatures"] == done["signatures"]

    ca_pem = (suite.asan_sim_dir / "ca.pem").read_text()
    report_cms = base64.b64decode(done["signatures"][0]["cms"])
    (tmp_path / "ca.pem").write_text(ca_pem)
    (tmp_path / "content").write_bytes(DOCUMENT)
    (tmp_path / "sig.der").write_bytes(report_cms)
    result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "sig.der"),
                             "-content", str(tmp_path / "content"), "-CAfile", str(tmp_path / "ca.pem"),
                             "-out", "/dev/null"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert pki.verify_detached_cms(report_cms, DOCUMENT, [ca_pem]).fin == FIN

    signed = pki.finish_pdf_signing(prepared, base64.b64decode(done["signatures"][1]["cms"]))
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted

    # Signed: the last signature sent again gets the same answer; any other is refused.
    again = respond(auth_url, token, first["signing_id"], card_signs(card, second))
    assert again.status_code == 200 and again.json()["signatures"] == done["signatures"]
    other = respond(auth_url, token, first["signing_id"], card_signs(card, first))
    assert other.status_code == 409 and other.json()["code"] == "no_card_signature_awaited"


def test_a_card_with_an_ec_key_signs_too(auth_url, token, test_ca, suite):
    card = pki.issue_certificate(test_ca, common_name="Sona Məmmədova", fin=FIN, key_type="ec")
    started = start(auth_url, token, card.cert_pem, [{"name": "report", "digest": b64sha256(DOCUMENT)}])
    assert started.status_code == 201, started.text
    assert started.json()["steps"] == 1
    done = respond(auth_url, token, started.json()["signing_id"], card_signs(card, started.json())).json()
    assert done["state"] == "confirmed"
    cms = base64.b64decode(done["signatures"][0]["cms"])
    assert pki.verify_detached_cms(cms, DOCUMENT, [(suite.asan_sim_dir / "ca.pem").read_text()]).fin == FIN


def test_a_signature_that_does_not_verify_ends_the_signing_unsigned(auth_url, token, card, suite):
    started = start(auth_url, token, card.cert_pem, [{"name": "report", "digest": b64sha256(DOCUMENT)},
                                                     {"name": "copy", "digest": b64sha256(b"copy")}]).json()
    other = simulator_card(suite, "4RD6YFC")  # another person's key over the right hash
    refused = respond(auth_url, token, started["signing_id"], card_signs(other, started))
    assert refused.status_code == 200, refused.text
    refused = refused.json()
    assert (refused["state"], refused["reason"]) == ("rejected", "signature_invalid")
    assert "signatures" not in refused and "digest" not in refused
    late = respond(auth_url, token, started["signing_id"], card_signs(card, started))
    assert late.status_code == 409

    # Not base64 at all: the field is named, and the signing still awaits the card.
    fresh = start(auth_url, token, card.cert_pem, [{"name": "report", "digest": b64sha256(DOCUMENT)}]).json()
    garbled = respond(auth_url, token, fresh["signing_id"], "%%% not base64 %%%")
    assert garbled.status_code == 422 and "signature" in garbled.json()["errors"]
    assert respond(auth_url, token, fresh["signing_id"], card_signs(card, fresh)).json()["state"] == "confirmed"


def not_for_signing(ca: pki.CertKey) -> str:
    """A certificate of the test CA for the person, whose key may log in but not sign documents."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, FIN),
                                     x509.NameAttribute(NameOID.COMMON_NAME, "Sona Məmmədova")]))
            .issuer_name(ca.cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca.key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("certificate, status, message", [
    (lambda card, ca: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 422,
     "The certificate cannot be read or does not identify a person."),
    (lambda card, ca: "not a certificate", 422, "The certificate cannot be read or does not identify a person."),
    (lambda card, ca: card.cert_pem + card.cert_pem, 422,
     "The certificate cannot be read or does not identify a person."),
    (lambda card, ca: pki.issue_certificate(pki.generate_ca(), common_name="Sona", fin=FIN).cert_pem, 422,
     "The certificate was not issued by a trusted certification authority."),
    (lambda card, ca: pki.issue_certificate(ca, common_name="Sona", fin=FIN, valid_days=1,
                                            valid_from=datetime.now(timezone.utc) - timedelta(days=3)).cert_pem, 422,
     "The certificate has expired or is not yet valid."),
    (lambda card, ca: not_for_signing(ca), 422, "This certificate is not meant for signing documents."),
    (lambda card, ca: pki.issue_certificate(ca, common_name="Nərmin", fin="4RD6YFC").cert_pem, 403,
     "The certificate belongs to another person, not to the signer."),
])
def test_a_card_certificate_that_may_not_sign_is_refused_naming_it(auth_url, token, card, test_ca, certificate,
                                                                  status, message):
    response = start(auth_url, token, certificate(card, test_ca), [{"name": "a", "digest": b64sha256(b"a")}])
    assert response.status_code == status, response.text
    assert response.json()["errors"] == {"certificate": [message]}


@pytest.mark.parametrize("body, field", [
    ({"method": "card"}, "certificate"),                                  # a card without its certificate
    ({"method": "asan", "certificate": "x"}, "certificate"),              # a certificate for the phone
    ({"method": "pen", "certificate": "x"}, "method"),
])
def test_the_method_and_the_certificate_go_together(auth_url, token, body, field):
    response = requests.post(f"{auth_url}/api/auth/signatures", headers=bearer(token), timeout=10, json={
        "fin": FIN, "text": "Sınaq", "digests": [{"name": "a", "digest": b64sha256(b"a")}], **body})
    assert response.status_code == 422 and field in response.json()["errors"], response.text


def test_an_asan_signing_awaits_no_card_and_others_see_nothing(auth_url, token, asan, people, card, service_token):
    person = people["employee_2"]
    asan.login(person)
    started = requests.post(f"{auth_url}/api/auth/signatures", headers=bearer(token), timeout=30, json={
        "fin": person["fin"], "text": "Sınaq", "digests": [{"name": "a", "digest": b64sha256(b"a")}]}).json()
    assert started["method"] == "asan" and started["verification_code"]
    response = respond(auth_url, token, started["signing_id"], b"\x00" * 256)
    assert response.status_code == 409 and response.json()["code"] == "no_card_signature_awaited"

    by_card = start(auth_url, token, card.cert_pem, [{"name": "a", "digest": b64sha256(b"a")}]).json()
    other = service_token("contracts", "auth")
    assert respond(auth_url, other, by_card["signing_id"], card_signs(card, by_card)).status_code == 404
    assert respond(auth_url, token, "no-such-signing", card_signs(card, by_card)).status_code == 404
