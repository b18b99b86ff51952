"""Tests for egov_kit.pki: certificates, CMS signatures (checked with the
openssl CLI too), PAdES embedding through pyHanko and the card challenge."""

import asyncio
import hashlib
import io
import shutil
import subprocess
import threading
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Loaded by path so the tests neither need nor run the package's __init__.
from egov_kit import pki

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
FIN = "5ZKQ8RT"
NOW = datetime.now(timezone.utc)
DOC = "Əmək müqaviləsi bildirişi № 17 — İşəgötürən: «Şəki Tekstil» MMC".encode()


# ---------------------------------------------------------------- fixtures
# Key generation dominates the run time: every key is made once per module.


@pytest.fixture(scope="module")
def ca():
    return pki.generate_ca("ƏƏSMN Test CA", organization="ƏƏSMN")


@pytest.fixture(scope="module")
def other_ca():
    return pki.generate_ca("Rogue CA", organization="Nobody")


@pytest.fixture(scope="module")
def person(ca):
    return pki.issue_certificate(
        ca,
        common_name="Əli Şükürov",
        given_name="Əli",
        surname="Şükürov",
        fin=FIN,
        kind="person",
    )


@pytest.fixture(scope="module")
def seal(ca):
    return pki.issue_certificate(
        ca,
        common_name="ƏƏSMN elektron möhür",
        organization="Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi",
        kind="system",
    )


@pytest.fixture(scope="module")
def ec_card(ca):
    return pki.issue_certificate(
        ca, common_name="Gülnar Həsənova", given_name="Gülnar",
        surname="Həsənova", fin="7AB12CD", key_type="ec",
    )


@pytest.fixture(scope="module")
def expired(ca):
    return pki.issue_certificate(
        ca, common_name="Köhnə Kart", fin="1AAAAAA",
        valid_from=NOW - timedelta(days=400), valid_days=365,
    )


@pytest.fixture(scope="module")
def not_yet_valid(ca):
    return pki.issue_certificate(
        ca, common_name="Gələcək Kart", fin="2BBBBBB",
        valid_from=NOW + timedelta(days=10), valid_days=365,
    )


@pytest.fixture(scope="module")
def stranger(other_ca):
    return pki.issue_certificate(other_ca, common_name="Yad Adam", fin="3CCCCCC")


def _attr(cert_pem, oid):
    """(value, ASN.1 string type) of a subject attribute, read with asn1crypto."""
    der = x509.load_pem_x509_certificate(cert_pem.encode()).public_bytes(Encoding.DER)
    cert = asn1_x509.Certificate.load(der)
    for rdn in cert.subject.chosen:
        for atv in rdn:
            if atv["type"].dotted == oid.dotted_string:
                return atv["value"].native, atv["value"].name
    return None, None


# ---------------------------------------------------------------- certificates


def test_ca_certificate(ca):
    cert = ca.cert
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == 0
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.key_cert_sign and ku.crl_sign
    assert cert.subject == cert.issuer
    cert.verify_directly_issued_by(cert)
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert cert.public_key().key_size == 2048


def test_person_certificate_fields(ca, person):
    cert = person.cert
    cert.verify_directly_issued_by(ca.cert)
    assert _attr(person.cert_pem, NameOID.SERIAL_NUMBER) == (FIN, "printable_string")
    # Azerbaijani letters survive, encoded as UTF8String.
    assert _attr(person.cert_pem, NameOID.COMMON_NAME) == ("Əli Şükürov", "utf8_string")
    assert _attr(person.cert_pem, NameOID.GIVEN_NAME) == ("Əli", "utf8_string")
    assert _attr(person.cert_pem, NameOID.SURNAME) == ("Şükürov", "utf8_string")

    ext = cert.extensions
    bc = ext.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and not bc.value.ca
    ku = ext.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    eku = ext.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.CLIENT_AUTH,
                        ExtendedKeyUsageOID.EMAIL_PROTECTION}
    ca_ski = ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ca_ski.value.digest
    assert ext.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert "PRIVATE KEY" not in repr(person)  # keys stay out of logs


def test_system_certificate_fields(ca, seal):
    seal.cert.verify_directly_issued_by(ca.cert)
    assert _attr(seal.cert_pem, NameOID.SERIAL_NUMBER) == (None, None)
    assert _attr(seal.cert_pem, NameOID.ORGANIZATION_NAME)[0] == (
        "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi")
    eku = seal.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]


@pytest.mark.parametrize("kwargs", [
    dict(kind="person"),                                  # no FİN
    dict(kind="person", fin="12345"),                     # wrong length
    dict(kind="person", fin="abc1234"),                   # lower case
    dict(kind="system"),                                  # no organisation
    dict(kind="system", organization="X", fin=FIN),       # seal with a FİN
    dict(kind="robot", fin=FIN),
])
def test_issue_rejects_bad_input(ca, kwargs):
    with pytest.raises(ValueError):
        pki.issue_certificate(ca, common_name="X", **kwargs)


def test_load_certkey_and_fingerprint(ca, person, seal, tmp_path):
    again = pki.load_certkey(person.key_pem, person.cert_pem)
    assert again == person and again.cert.serial_number == person.cert.serial_number
    assert pki.load_certkey(None, person.cert_pem).key_pem is None
    with pytest.raises(pki.PkiError):
        pki.load_certkey(seal.key_pem, person.cert_pem)
    with pytest.raises(pki.CertificateMalformed):
        pki.load_certkey(person.key_pem, "garbage")

    pem = tmp_path / "p.pem"
    pem.write_text(person.cert_pem)
    out = subprocess.run([OPENSSL, "x509", "-in", pem, "-noout", "-fingerprint",
                          "-sha256"], capture_output=True, text=True, check=True)
    expected = out.stdout.strip().split("=", 1)[1].replace(":", "").lower()
    assert pki.certificate_fingerprint(person.cert_pem) == expected
    assert person.fingerprint == expected


# ---------------------------------------------------------------- CMS


def _openssl_verify(tmp_path, sig, content, ca_pem, *extra):
    (tmp_path / "sig.p7s").write_bytes(sig)
    (tmp_path / "doc.bin").write_bytes(content)
    (tmp_path / "ca.pem").write_text(ca_pem)
    return subprocess.run(
        [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER",
         "-in", tmp_path / "sig.p7s", "-content", tmp_path / "doc.bin",
         "-CAfile", tmp_path / "ca.pem", "-out", "/dev/null", *extra],
        capture_output=True, text=True,
    )


SIGNED: dict = {}  # when person_sig was made: its signing time is that moment, not the module's import


@pytest.fixture(scope="module")
def person_sig(ca, person):
    SIGNED["at"] = datetime.now(timezone.utc)
    return pki.sign_digest_cms(person, hashlib.sha256(DOC).digest(), ca=ca)


def test_cms_structure(ca, person, person_sig):
    sd = asn1_cms.ContentInfo.load(person_sig)["content"]
    assert sd["encap_content_info"]["content"].native is None  # detached
    certs = {c.chosen.sha256 for c in sd["certificates"]}
    assert {person.asn1_cert.sha256, ca.asn1_cert.sha256} <= certs
    attrs = {a["type"].native: a["values"][0] for a in sd["signer_infos"][0]["signed_attrs"]}
    assert attrs["content_type"].native == "data"
    assert attrs["message_digest"].native == hashlib.sha256(DOC).digest()
    assert "signing_certificate_v2" in attrs
    assert abs(attrs["signing_time"].native - SIGNED["at"]) < timedelta(minutes=1)


def test_cms_pades_has_no_signing_time(ca, person):
    sig = pki.sign_digest_cms(person, hashlib.sha256(DOC).digest(), ca=ca, pades=True)
    attrs = {a["type"].native for a in
             asn1_cms.ContentInfo.load(sig)["content"]["signer_infos"][0]["signed_attrs"]}
    assert "signing_time" not in attrs
    assert {"message_digest", "signing_certificate_v2", "content_type"} <= attrs


def test_cms_verifies_with_openssl_default_purpose(tmp_path, ca, person_sig):
    # No -purpose flag: the default S/MIME purpose accepts the certificate
    # because its EKU includes emailProtection.
    res = _openssl_verify(tmp_path, person_sig, DOC, ca.cert_pem)
    assert res.returncode == 0, res.stderr
    assert "Verification successful" in res.stderr


def test_seal_cms_verifies_with_openssl(tmp_path, ca, seal):
    sig = pki.sign_digest_cms(seal, hashlib.sha256(DOC).digest(), ca=ca)
    res = _openssl_verify(tmp_path, sig, DOC, ca.cert_pem)
    assert res.returncode == 0, res.stderr


def test_cms_tampered_fails_with_openssl(tmp_path, ca, person_sig):
    res = _openssl_verify(tmp_path, person_sig, DOC + b" ", ca.cert_pem)
    assert res.returncode != 0
    assert "content verify error" in res.stderr


def test_cms_other_ca_fails_with_openssl(tmp_path, other_ca, person_sig):
    res = _openssl_verify(tmp_path, person_sig, DOC, other_ca.cert_pem)
    assert res.returncode != 0


def test_verify_detached_cms(ca, person, person_sig):
    info = pki.verify_detached_cms(person_sig, DOC, [ca])
    assert info.fin == FIN and info.common_name == "Əli Şükürov"
    assert abs(info.signing_time - SIGNED["at"]) < timedelta(minutes=1)
    assert info.certificate_pem == person.cert_pem
    # PEM strings work as trust anchors too.
    assert pki.verify_detached_cms(person_sig, DOC, [ca.cert_pem]).fin == FIN


def test_verify_detached_cms_seal_has_no_fin(ca, seal):
    sig = pki.sign_digest_cms(seal, hashlib.sha256(DOC).digest(), ca=ca)
    info = pki.verify_detached_cms(sig, DOC, [ca])
    assert info.fin is None and info.common_name == "ƏƏSMN elektron möhür"


def test_verify_detached_cms_rejects_tampered_content(ca, person_sig):
    with pytest.raises(pki.SignatureInvalid, match="content does not match"):
        pki.verify_detached_cms(person_sig, DOC + b" ", [ca])


def test_verify_detached_cms_rejects_other_ca(ca, other_ca, stranger, person_sig):
    with pytest.raises(pki.SignatureInvalid, match="not trusted"):
        pki.verify_detached_cms(person_sig, DOC, [other_ca])
    sig = pki.sign_digest_cms(stranger, hashlib.sha256(DOC).digest(), ca=other_ca)
    with pytest.raises(pki.SignatureInvalid, match="not trusted"):
        pki.verify_detached_cms(sig, DOC, [ca])
    with pytest.raises(pki.SignatureInvalid):
        pki.verify_detached_cms(sig, DOC, [])


def test_verify_detached_cms_validity_at_signing_time(ca, person, expired):
    digest = hashlib.sha256(DOC).digest()
    # Signed while the certificate was valid: still verifies after expiry.
    old = pki.sign_digest_cms(expired, digest, ca=ca, signing_time=NOW - timedelta(days=100))
    assert pki.verify_detached_cms(old, DOC, [ca]).fin == "1AAAAAA"
    late = pki.sign_digest_cms(expired, digest, ca=ca, signing_time=NOW)
    with pytest.raises(pki.SignatureInvalid, match="not valid at signing time"):
        pki.verify_detached_cms(late, DOC, [ca])
    early = pki.sign_digest_cms(person, digest, ca=ca, signing_time=NOW - timedelta(days=30))
    with pytest.raises(pki.SignatureInvalid, match="not valid at signing time"):
        pki.verify_detached_cms(early, DOC, [ca])
    future = pki.sign_digest_cms(person, digest, ca=ca, signing_time=NOW + timedelta(days=1))
    with pytest.raises(pki.SignatureInvalid, match="future"):
        pki.verify_detached_cms(future, DOC, [ca])


def test_verify_detached_cms_rejects_garbage(ca):
    with pytest.raises(pki.SignatureInvalid, match="malformed"):
        pki.verify_detached_cms(b"\x30\x03\x02\x01\x01", DOC, [ca])
    with pytest.raises(pki.SignatureInvalid):
        pki.verify_detached_cms(b"not der at all", DOC, [ca])


def test_sign_digest_checks_length(person):
    with pytest.raises(ValueError):
        pki.sign_digest_cms(person, b"short")


def test_sync_wrapper_inside_running_loop_and_thread(ca, person):
    digest = hashlib.sha256(DOC).digest()

    async def in_loop():
        return pki.sign_digest_cms(person, digest, ca=ca)

    assert pki.verify_detached_cms(asyncio.run(in_loop()), DOC, [ca]).fin == FIN

    out = {}
    t = threading.Thread(target=lambda: out.setdefault(
        "sig", pki.sign_digest_cms(person, digest, ca=ca)))
    t.start()
    t.join()
    assert pki.verify_detached_cms(out["sig"], DOC, [ca]).fin == FIN


# ---------------------------------------------------------------- PAdES


def _tiny_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(False)  # keeps the page text findable for tampering
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Employment notice 17 - signed test document")
    return bytes(pdf.output())


def _validate_pdf(pdf_bytes, ca):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    (sig,) = reader.embedded_signatures
    vc = ValidationContext(trust_roots=[ca.asn1_cert], allow_fetching=False)
    return validate_pdf_signature(sig, vc)


def _flip_signed_byte(pdf_bytes):
    i = pdf_bytes.index(b"Employment notice 17")
    assert i < pdf_bytes.index(b"/ByteRange")  # inside the first signed range
    return pdf_bytes[:i] + b"X" + pdf_bytes[i + 1:]


def test_pades_with_pyhanko_interrupted_signing(ca, person):
    """The raw pyHanko interrupted flow, with our CMS in the middle."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_cms import ExternalSigner
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    async def flow():
        placeholder = ExternalSigner(
            signing_cert=person.asn1_cert,
            cert_registry=SimpleCertificateStore.from_certs([ca.asn1_cert]),
            signature_value=bytes(256),
        )
        meta = signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES)
        w = IncrementalPdfFileWriter(io.BytesIO(_tiny_pdf()), strict=False)
        prep, tbs, output = await signers.PdfSigner(
            meta, signer=placeholder).async_digest_doc_for_signing(w)
        assert tbs.md_algorithm == "sha256" and tbs.use_pades
        # Our code signs the document digest (sync API, loop already running).
        cms_der = pki.sign_digest_cms(person, prep.document_digest, ca=ca, pades=True)
        await PdfTBSDocument.async_finish_signing(output, prep, cms_der)
        return output.getvalue()

    signed = asyncio.run(flow())
    status = _validate_pdf(signed, ca)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.bottom_line
    assert _validate_pdf(_flip_signed_byte(signed), ca).intact is False


def test_pades_with_module_helpers(ca, person, other_ca):
    state = pki.prepare_pdf_signing(_tiny_pdf(), reason="Təsdiq edirəm",
                                    location="Bakı", signer_name="Əli Şükürov")
    assert len(state.document_digest) == 32
    cms_der = pki.sign_digest_cms(person, state.document_digest, ca=ca, pades=True)
    signed = pki.finish_pdf_signing(state, cms_der)

    status = _validate_pdf(signed, ca)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.signing_cert.subject.native["serial_number"] == FIN
    assert not _validate_pdf(signed, other_ca).trusted

    tampered = _validate_pdf(_flip_signed_byte(signed), ca)
    assert not tampered.intact and not tampered.bottom_line


# ---------------------------------------------------------------- card


NONCE = b"\x00\x01challenge-\xff" * 2


def test_card_rsa_accepted(ca, person):
    holder = pki.verify_card_response(
        person.cert_pem, NONCE, pki.sign_challenge(person, NONCE), [ca])
    assert holder == pki.CardHolder(fin=FIN, common_name="Əli Şükürov",
                                    given_name="Əli", surname="Şükürov")
    # The card signs the raw nonce with PKCS#1 v1.5 / SHA-256.
    person.cert.public_key().verify(pki.sign_challenge(person, NONCE), NONCE,
                                    padding.PKCS1v15(), hashes.SHA256())


def test_card_ecdsa_accepted(ca, ec_card):
    sig = pki.sign_challenge(ec_card, NONCE)
    assert pki.verify_card_response(ec_card.cert_pem, NONCE, sig, [ca.cert_pem]).fin == "7AB12CD"


def test_card_expired(ca, expired):
    with pytest.raises(pki.CertificateExpired, match="expired"):
        pki.verify_card_response(expired.cert_pem, NONCE,
                                 pki.sign_challenge(expired, NONCE), [ca])
    # ...but accepted at a moment inside its validity period.
    assert pki.verify_card_response(expired.cert_pem, NONCE,
                                    pki.sign_challenge(expired, NONCE), [ca],
                                    now=NOW - timedelta(days=100)).fin == "1AAAAAA"


def test_card_not_yet_valid(ca, not_yet_valid):
    with pytest.raises(pki.CertificateExpired, match="not yet valid"):
        pki.verify_card_response(not_yet_valid.cert_pem, NONCE,
                                 pki.sign_challenge(not_yet_valid, NONCE), [ca])


def test_card_untrusted_ca(ca, other_ca, person, stranger):
    with pytest.raises(pki.CertificateUntrusted):
        pki.verify_card_response(stranger.cert_pem, NONCE,
                                 pki.sign_challenge(stranger, NONCE), [ca])
    with pytest.raises(pki.CertificateUntrusted):
        pki.verify_card_response(person.cert_pem, NONCE,
                                 pki.sign_challenge(person, NONCE), [other_ca])
    with pytest.raises(pki.CertificateUntrusted):
        pki.verify_card_response(person.cert_pem, NONCE,
                                 pki.sign_challenge(person, NONCE), [])


def test_card_self_signed_impostor(ca):
    # Same issuer name as the trusted CA, different key: not trusted.
    fake_ca = pki.generate_ca("ƏƏSMN Test CA", organization="ƏƏSMN")
    fake = pki.issue_certificate(fake_ca, common_name="Saxta", fin=FIN)
    with pytest.raises(pki.CertificateUntrusted):
        pki.verify_card_response(fake.cert_pem, NONCE, pki.sign_challenge(fake, NONCE), [ca])


def test_card_signature_over_other_nonce(ca, person, ec_card):
    with pytest.raises(pki.SignatureMismatch):
        pki.verify_card_response(person.cert_pem, NONCE,
                                 pki.sign_challenge(person, b"another nonce"), [ca])
    with pytest.raises(pki.SignatureMismatch):
        pki.verify_card_response(ec_card.cert_pem, NONCE,
                                 pki.sign_challenge(ec_card, b"another nonce"), [ca])
    with pytest.raises(pki.SignatureMismatch):
        pki.verify_card_response(person.cert_pem, NONCE, b"", [ca])


def test_card_malformed_certificate(ca, person, seal):
    sig = pki.sign_challenge(person, NONCE)
    for bad in ("garbage",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                person.cert_pem.replace("M", "A", 3)[:200] + "\n-----END CERTIFICATE-----\n"):
        with pytest.raises(pki.CertificateMalformed):
            pki.verify_card_response(bad, NONCE, sig, [ca])
    # The ministry seal chains to the CA but is not a log-in certificate
    # (no clientAuth, no FİN).
    with pytest.raises(pki.CertificateUntrusted):
        pki.verify_card_response(seal.cert_pem, NONCE, pki.sign_challenge(seal, NONCE), [ca])


def test_errors_share_a_base():
    for exc in (pki.CertificateExpired, pki.CertificateUntrusted, pki.SignatureMismatch,
                pki.CertificateMalformed, pki.SignatureInvalid):
        assert issubclass(exc, pki.PkiError)
