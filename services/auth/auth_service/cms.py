"""Detached CMS signatures built by auth around a signature made elsewhere.

The provider signs one hash per session and never sees a document. So auth builds each CMS
itself: the signed attributes first (content type, messageDigest = the digest a service asked to
have signed, the signing certificate, and the signing time — left out in the PAdES variant, where
the PDF carries the time), then has the provider sign the SHA-256 of their DER, then assembles the
SignerInfo from that raw signature and the provider's certificate, and checks the result before
anyone sees it. The attributes are those pyHanko writes when it signs with the key at hand
(egov_kit.pki.sign_digest_cms), so the CMS is the same kind either way."""
from __future__ import annotations

import hashlib
from datetime import datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509

from .trust import run_async

DIGEST_ALGORITHM = "sha256"


class CmsInvalid(ValueError):
    pass


def _signer(cert_der: bytes, ca_der: bytes, signature: bytes | None = None):
    from pyhanko.sign.signers.pdf_cms import ExternalSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return ExternalSigner(signing_cert=asn1_x509.Certificate.load(bytes(cert_der)),
                          cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(bytes(ca_der))]),
                          signature_value=signature if signature is not None else 256)


def signed_attributes(*, cert_der: bytes, ca_der: bytes, digest: bytes, pades: bool, signing_time: datetime) -> bytes:
    """DER of the signed attributes over `digest` (a SHA-256 of the content)."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    if len(digest) != 32:
        raise ValueError("digest must be a SHA-256 value (32 bytes)")
    attrs = run_async(_signer(cert_der, ca_der).signed_attrs(
        digest, DIGEST_ALGORITHM, attr_settings=PdfCMSSignedAttributes(signing_time=None if pades else signing_time),
        use_pades=pades))
    return attrs.dump()


def to_be_signed(attributes_der: bytes) -> bytes:
    """What the provider signs: the SHA-256 of the signed attributes' DER."""
    return hashlib.sha256(attributes_der).digest()


def assemble(*, cert_der: bytes, ca_der: bytes, attributes_der: bytes, signature: bytes, digest: bytes) -> bytes:
    """The detached CMS SignedData (DER) made of the attributes, the provider's raw signature
    over them and its certificate (and the CA's), checked: messageDigest is `digest` and the
    signature verifies over the attributes with the certificate's key. CmsInvalid otherwise."""
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    attributes = asn1_cms.CMSAttributes.load(bytes(attributes_der))
    content_info = run_async(_signer(cert_der, ca_der, bytes(signature)).async_sign_prescribed_attributes(
        DIGEST_ALGORITHM, attributes, cms_version="v1"))
    der = content_info.dump()
    signed_data = asn1_cms.ContentInfo.load(der)["content"]
    signer_info = signed_data["signer_infos"][0]
    try:
        intact, valid = validate_sig_integrity(signer_info, asn1_x509.Certificate.load(bytes(cert_der)), "data",
                                               bytes(digest))
    except Exception as exc:  # pyHanko raises several kinds on a broken structure
        raise CmsInvalid(f"cannot be checked: {type(exc).__name__}") from exc
    if not intact or not valid:
        raise CmsInvalid("the signature does not verify")
    return der
