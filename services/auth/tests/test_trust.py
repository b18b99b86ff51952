"""The trust store and the CMS auth assembles, on their own (no database, no HTTP): only the CAs of
the configured file are trusted, a certificate must be valid now and name a person, a signature
must be over the hash itself, and a CMS built around a provider's raw signature verifies like one
made with the key at hand."""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.serialization import Encoding

from auth_service import cms
from auth_service.trust import SIGNS_DOCUMENTS, NotForSigning, TrustStore, split_bundle, verify_hash_signature
from egov_kit import pki

NOW = datetime.now(timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def now_when_the_module_runs():
    """NOW taken when these tests start (before the module's other fixtures), not at import: a
    long run imports every module minutes before it reaches this one, and certificates made now
    would not yet be valid at an earlier NOW."""
    global NOW
    NOW = datetime.now(timezone.utc)


@pytest.fixture(scope="module")
def ca() -> pki.CertKey:
    return pki.generate_ca("Trusted test CA")


@pytest.fixture(scope="module")
def card(ca) -> pki.CertKey:
    return pki.issue_certificate(ca, common_name="Aygün Şükürova", given_name="Aygün", surname="Şükürova",
                                 fin="2PLX9DM")


def der(held: pki.CertKey) -> bytes:
    return held.cert.public_bytes(Encoding.DER)


def raw_signature(held: pki.CertKey, hash_value: bytes) -> bytes:
    return held.key.sign(hash_value, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def test_the_holder_of_a_certificate_of_a_trusted_ca(tmp_path, ca, card):
    bundle = tmp_path / "trusted.pem"
    other = pki.generate_ca("Another CA")
    bundle.write_text(other.cert_pem + ca.cert_pem)
    store = TrustStore(str(bundle))
    holder = store.holder(card.cert, NOW)
    assert (holder.fin, holder.given_name, holder.surname) == ("2PLX9DM", "Aygün", "Şükürova")
    assert holder.issuer_pem == ca.cert_pem and len(store.certificates()) == 2


def test_nothing_is_trusted_without_the_file_and_a_changed_file_is_read_again(tmp_path, ca, card):
    bundle = tmp_path / "trusted.pem"
    store = TrustStore(str(bundle))
    with pytest.raises(pki.CertificateUntrusted):
        store.holder(card.cert, NOW)  # not there yet
    bundle.write_text(pki.generate_ca("Someone else").cert_pem)
    with pytest.raises(pki.CertificateUntrusted):
        store.holder(card.cert, NOW)
    bundle.write_text(ca.cert_pem + "\n")  # e.g. the simulator wrote its CA after auth started
    assert store.holder(card.cert, NOW).fin == "2PLX9DM"
    assert TrustStore(None).certificates() == []


def test_expired_and_personless_certificates_are_refused(tmp_path, ca):
    bundle = tmp_path / "trusted.pem"
    bundle.write_text(ca.cert_pem)
    store = TrustStore(str(bundle))
    old = pki.issue_certificate(ca, common_name="X", fin="2PLX9DM", valid_from=NOW - timedelta(days=400),
                                valid_days=30)
    with pytest.raises(pki.CertificateExpired):
        store.holder(old.cert, NOW)
    seal = pki.issue_certificate(ca, common_name="Seal", organization="Nazirlik", kind="system")
    with pytest.raises(pki.CertificateMalformed):
        store.holder(seal.cert, NOW)


def test_a_verdict_kept_from_an_earlier_check_never_outlives_what_it_rests_on(tmp_path, ca):
    """A card is checked at each of its signatures and the validation kept between them: never
    past the end of the card's validity, for another key usage, or once the file no longer
    trusts its CA."""
    bundle = tmp_path / "trusted.pem"
    bundle.write_text(ca.cert_pem)
    store = TrustStore(str(bundle))
    short = pki.issue_certificate(ca, common_name="X", fin="2PLX9DM", valid_from=NOW - timedelta(days=1),
                                  valid_days=2)
    assert store.holder(short.cert, NOW).fin == "2PLX9DM"
    assert store.holder(short.cert, NOW + timedelta(minutes=5)).fin == "2PLX9DM"  # kept, and still true
    with pytest.raises(pki.CertificateExpired):
        store.holder(short.cert, NOW + timedelta(days=2))
    with pytest.raises(pki.CertificateExpired):
        store.holder(short.cert, NOW - timedelta(days=3))  # not yet valid then

    login_only = _login_only(ca)  # its key may log in, not sign documents
    assert store.holder(login_only, NOW).fin == "3PLX9DM"
    with pytest.raises(NotForSigning):
        store.holder(login_only, NOW, usage=SIGNS_DOCUMENTS)

    bundle.write_text(pki.generate_ca("Another CA").cert_pem + "\n")  # the CA is no longer trusted
    with pytest.raises(pki.CertificateUntrusted):
        store.holder(short.cert, NOW)


def _login_only(ca: pki.CertKey):
    from cryptography import x509

    holder = pki.issue_certificate(ca, common_name="Y", fin="3PLX9DM")
    return (x509.CertificateBuilder().subject_name(holder.cert.subject).issuer_name(ca.cert.subject)
            .public_key(holder.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(minutes=5)).not_valid_after(NOW + timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca.key, hashes.SHA256()))


def test_a_signature_must_be_over_the_hash_itself(card):
    hash_value = hashlib.sha256(os.urandom(8)).digest()
    verify_hash_signature(card.cert, hash_value, raw_signature(card, hash_value), "SHA256WithRSAEncryption")
    for signature, algorithm in (
            (raw_signature(card, hashlib.sha256(b"else").digest()), "SHA256WithRSAEncryption"),
            # Signing the hash as a message hashes it again: not a signature over the hash.
            (card.key.sign(hash_value, padding.PKCS1v15(), hashes.SHA256()), "SHA256WithRSAEncryption"),
            (raw_signature(card, hash_value), "SHA256WithECEncryption"),  # an RSA key makes no EC signature
            (raw_signature(card, hash_value), "SHA512WithRSAEncryption"),
            (raw_signature(card, hash_value), "MD5"),
            (b"", "SHA256WithRSAEncryption")):
        with pytest.raises(pki.SignatureMismatch):
            verify_hash_signature(card.cert, hash_value, signature, algorithm)


def pyhanko_signed_attributes(signer: pki.CertKey, ca: pki.CertKey, digest: bytes, pades: bool, moment) -> bytes:
    """The signed attributes pyHanko's own signer writes for this certificate and digest."""
    import asyncio

    from pyhanko.sign.signers.pdf_cms import ExternalSigner, PdfCMSSignedAttributes
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    external = ExternalSigner(signing_cert=signer.asn1_cert, signature_value=256,
                              cert_registry=SimpleCertificateStore.from_certs([ca.asn1_cert]))
    return asyncio.run(external.signed_attrs(digest, "sha256", use_pades=pades,
                                             attr_settings=PdfCMSSignedAttributes(
                                                 signing_time=None if pades else moment))).dump()


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
@pytest.mark.parametrize("pades", [False, True])
def test_the_signed_attributes_are_those_pyhanko_writes(ca, key_type, pades):
    signer = pki.issue_certificate(ca, common_name="Aygün Şükürova", fin="2PLX9DM", key_type=key_type)
    for content in (b"report", "Əmək müqaviləsi".encode()):
        digest = hashlib.sha256(content).digest()
        moment = NOW + timedelta(seconds=len(content), microseconds=123)
        ours = cms.signed_attributes(cert_der=der(signer), digest=digest, pades=pades,
                                     signing_time=moment)
        assert ours == pyhanko_signed_attributes(signer, ca, digest, pades, moment)


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_the_cms_assembled_is_the_one_pyhanko_assembles(ca, key_type):
    import asyncio

    from asn1crypto import cms as asn1_cms
    from cryptography.hazmat.primitives.asymmetric import ec
    from pyhanko.sign.signers.pdf_cms import ExternalSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = pki.issue_certificate(ca, common_name="Aygün Şükürova", fin="2PLX9DM", key_type=key_type)
    digest = hashlib.sha256(b"report").digest()
    attributes = cms.signed_attributes(cert_der=der(signer), digest=digest, pades=False,
                                       signing_time=NOW)
    to_sign = cms.to_be_signed(attributes)
    signature = raw_signature(signer, to_sign) if key_type == "rsa" else \
        signer.key.sign(to_sign, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    ours = cms.assemble(cert_der=der(signer), ca_der=der(ca), attributes_der=attributes, signature=signature,
                        digest=digest)
    external = ExternalSigner(signing_cert=signer.asn1_cert, signature_value=signature,
                              cert_registry=SimpleCertificateStore.from_certs([ca.asn1_cert]))
    theirs = asyncio.run(external.async_sign_prescribed_attributes(
        "sha256", asn1_cms.CMSAttributes.load(attributes), cms_version="v1")).dump()
    assert ours == theirs


@pytest.mark.parametrize("pades", [False, True])
def test_a_cms_assembled_around_a_raw_signature_verifies(ca, card, pades):
    content = "Əmək müqaviləsi bildirişi".encode()
    digest = hashlib.sha256(content).digest()
    attributes = cms.signed_attributes(cert_der=der(card), digest=digest, pades=pades,
                                       signing_time=NOW)
    signature = raw_signature(card, cms.to_be_signed(attributes))
    made = cms.assemble(cert_der=der(card), ca_der=der(ca), attributes_der=attributes, signature=signature,
                        digest=digest)
    signer = pki.verify_detached_cms(made, content, [ca.cert_pem], now=NOW)
    assert signer.fin == "2PLX9DM"
    assert (signer.signing_time is None) == pades  # PAdES leaves the time to the PDF
    with pytest.raises(pki.SignatureInvalid):
        pki.verify_detached_cms(made, content + b".", [ca.cert_pem], now=NOW)


def test_a_cms_whose_signature_does_not_verify_is_not_assembled(ca, card):
    digest = hashlib.sha256(b"x").digest()
    attributes = cms.signed_attributes(cert_der=der(card), digest=digest, pades=False,
                                       signing_time=NOW)
    for signature in (raw_signature(card, hashlib.sha256(b"other").digest()), b"\x00" * 256):
        with pytest.raises(cms.CmsInvalid):
            cms.assemble(cert_der=der(card), ca_der=der(ca), attributes_der=attributes, signature=signature,
                         digest=digest)
    with pytest.raises(cms.CmsInvalid):  # the attributes name another digest
        cms.assemble(cert_der=der(card), ca_der=der(ca), attributes_der=attributes,
                     signature=raw_signature(card, cms.to_be_signed(attributes)), digest=hashlib.sha256(b"y").digest())


def test_bundles_split_into_certificates(ca):
    other = pki.generate_ca("Other")
    assert split_bundle(f"# comment\n{ca.cert_pem}\n\n{other.cert_pem}") == [ca.cert_pem, other.cert_pem]
