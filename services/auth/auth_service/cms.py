"""Detached CMS signatures built by auth around a signature made elsewhere.

The provider signs one hash per session and never sees a document. So auth builds each CMS
itself: the signed attributes first (content type, messageDigest = the digest a service asked to
have signed, the signing certificate, and the signing time — left out in the PAdES variant, where
the PDF carries the time), then has the provider sign the SHA-256 of their DER, then assembles the
SignerInfo from that raw signature and the provider's certificate, and checks the result before
anyone sees it. The attributes and the SignedData are byte for byte those pyHanko writes when it
signs with the key at hand (egov_kit.pki.sign_digest_cms; tests/test_trust.py holds them to it), so
the CMS is the same kind either way. They are built here with asn1crypto rather than through
pyHanko's signer: the attributes that depend only on the certificate are encoded once per
certificate, which spares each signature tens of milliseconds of re-encoding the certificate's
names, and a signature already made needs no signer around it."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import lru_cache

from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509

DIGEST_ALGORITHM = "sha256"


class CmsInvalid(ValueError):
    pass


@lru_cache(maxsize=256)
def _certificate_attributes(cert_der: bytes, pades: bool) -> tuple[bytes, ...]:
    """DER of the signed attributes that depend only on the signer's certificate: the content type,
    the algorithms (CMSAlgorithmProtection, as pyHanko adds outside PAdES) and signingCertificateV2
    (the certificate's SHA-256, its issuer and serial number)."""
    cert = asn1_x509.Certificate.load(cert_der)
    attributes = [asn1_cms.CMSAttribute({"type": "content_type", "values": ["data"]})]
    if not pades:
        attributes.append(asn1_cms.CMSAttribute({"type": "cms_algorithm_protection", "values": [
            asn1_cms.CMSAlgorithmProtection({
                "digest_algorithm": asn1_algos.DigestAlgorithm({"algorithm": DIGEST_ALGORITHM}),
                "signature_algorithm": asn1_algos.SignedDigestAlgorithm({"algorithm": _signature_algorithm(cert)})})]}))
    attributes.append(asn1_cms.CMSAttribute({"type": "signing_certificate_v2", "values": [
        asn1_tsp.SigningCertificateV2({"certs": [asn1_tsp.ESSCertIDv2({
            "hash_algorithm": {"algorithm": DIGEST_ALGORITHM},
            "cert_hash": hashlib.sha256(cert_der).digest(),
            "issuer_serial": {"issuer": [asn1_x509.GeneralName({"directory_name": cert.issuer})],
                              "serial_number": cert.serial_number}})]})]}))
    return tuple(attribute.dump() for attribute in attributes)


def signed_attributes(*, cert_der: bytes, digest: bytes, pades: bool, signing_time: datetime) -> bytes:
    """DER of the signed attributes over `digest` (a SHA-256 of the content): a SET OF, its members
    in the order of their encodings (DER)."""
    if len(digest) != 32:
        raise ValueError("digest must be a SHA-256 value (32 bytes)")
    encoded = list(_certificate_attributes(bytes(cert_der), bool(pades)))
    encoded.append(asn1_cms.CMSAttribute({"type": "message_digest", "values": [bytes(digest)]}).dump())
    if not pades:
        moment = signing_time.astimezone(timezone.utc)
        encoded.append(asn1_cms.CMSAttribute({"type": "signing_time",
                                              "values": [asn1_cms.Time({"utc_time": moment})]}).dump())
    return asn1_cms.CMSAttributes([asn1_cms.CMSAttribute.load(part) for part in encoded]).dump()


def to_be_signed(attributes_der: bytes) -> bytes:
    """What the provider signs: the SHA-256 of the signed attributes' DER."""
    return hashlib.sha256(attributes_der).digest()


def assemble(*, cert_der: bytes, ca_der: bytes, attributes_der: bytes, signature: bytes, digest: bytes) -> bytes:
    """The detached CMS SignedData (DER) made of the attributes, the provider's raw signature
    over them and its certificate (and the CA's), checked: messageDigest is `digest` and the
    signature verifies over the attributes with the certificate's key. CmsInvalid otherwise.
    The structure is the one pyHanko's signer assembles (tests/test_trust.py holds it to it),
    built directly: the signature is already made, there is nothing to sign."""
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    cert = asn1_x509.Certificate.load(bytes(cert_der))
    try:
        signer_info = asn1_cms.SignerInfo({
            "version": "v1",
            "sid": asn1_cms.SignerIdentifier({"issuer_and_serial_number": asn1_cms.IssuerAndSerialNumber(
                {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
            "digest_algorithm": asn1_algos.DigestAlgorithm({"algorithm": DIGEST_ALGORITHM}),
            "signed_attrs": asn1_cms.CMSAttributes.load(bytes(attributes_der)),
            "signature_algorithm": asn1_algos.SignedDigestAlgorithm({"algorithm": _signature_algorithm(cert)}),
            "signature": bytes(signature)})
        der = asn1_cms.ContentInfo({"content_type": "signed_data", "content": asn1_cms.SignedData({
            "version": "v1", "digest_algorithms": [asn1_algos.DigestAlgorithm({"algorithm": DIGEST_ALGORITHM})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [cert, asn1_x509.Certificate.load(bytes(ca_der))],
            "signer_infos": [signer_info]})}).dump()
        signer_info = asn1_cms.ContentInfo.load(der)["content"]["signer_infos"][0]
        intact, valid = validate_sig_integrity(signer_info, cert, "data", bytes(digest))
    except Exception as exc:  # asn1crypto and pyHanko raise several kinds on a broken structure
        raise CmsInvalid(f"cannot be checked: {type(exc).__name__}") from exc
    if not intact or not valid:
        raise CmsInvalid("the signature does not verify")
    return der


def _signature_algorithm(cert: asn1_x509.Certificate) -> str:
    return "sha256_ecdsa" if cert.public_key.algorithm == "ec" else "sha256_rsa"
