"""Public-key machinery of the auth service: a test certification authority,
certificates for test SIM cards, e-signature cards and the ministry's seal,
detached CMS signatures over a digest, their verification, the e-signature
card challenge check and the two steps of embedding a PAdES signature in a PDF.

Pure functions over PEM strings: no Flask, no database. RSA-2048 / SHA-256
throughout (cards may also hold P-256 keys). CMS building and validation are
pyHanko's, so the signatures are exactly what pyHanko and OpenSSL expect.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any, Iterable, Literal

from asn1crypto import cms as asn1_cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "CardHolder",
    "CertKey",
    "CertificateExpired",
    "CertificateMalformed",
    "CertificateUntrusted",
    "PdfSigningState",
    "PkiError",
    "SignatureInvalid",
    "SignatureMismatch",
    "SignerInfo",
    "certificate_fingerprint",
    "finish_pdf_signing",
    "generate_ca",
    "issue_certificate",
    "load_certkey",
    "prepare_pdf_signing",
    "sign_challenge",
    "sign_prehashed",
    "sign_digest_cms",
    "verify_card_response",
    "verify_detached_cms",
]

# FİN (personal identification number): 7 upper-case Latin letters/digits.
_FIN_RE = re.compile(r"^[0-9A-Z]{7}$")
# Certificates start a little in the past so a verifier whose clock lags
# slightly behind the issuer's does not see a "not yet valid" certificate.
_BACKDATE = timedelta(minutes=5)
# A signer-claimed signingTime this far ahead of our clock is rejected.
_FUTURE_SKEW = timedelta(minutes=5)
# Room kept in a PDF for the CMS (hex characters, i.e. twice the DER size);
# a signature with two RSA-2048 certificates is about 3.5 kB of DER.
_PDF_SIG_RESERVED = 16384


# --------------------------------------------------------------------------
# errors


class PkiError(Exception):
    """Base of every error raised by this module."""


class CertificateMalformed(PkiError):
    """Not a parseable certificate, or not one usable for the purpose."""


class CertificateExpired(PkiError):
    """Outside its validity period (expired or not yet valid)."""


class CertificateUntrusted(PkiError):
    """Does not chain to a trusted CA, or is not allowed for the purpose."""


class SignatureMismatch(PkiError):
    """The signature does not verify with the certificate's key."""


class SignatureInvalid(PkiError):
    """A CMS signature failed verification; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------
# key + certificate pair


@dataclass(frozen=True)
class CertKey:
    """A certificate and (optionally) its private key, both PEM text."""

    cert_pem: str
    # Kept out of repr() so the key never lands in a log line by accident.
    key_pem: str | None = field(default=None, repr=False)

    @cached_property
    def cert(self) -> x509.Certificate:
        return _load_cert(self.cert_pem)

    @cached_property
    def key(self):
        if self.key_pem is None:
            raise PkiError("no private key for this certificate")
        return serialization.load_pem_private_key(
            self.key_pem.encode(), password=None
        )

    @cached_property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(
            self.cert.public_bytes(serialization.Encoding.DER)
        )

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.cert_pem)


def load_certkey(key_pem: str | None, cert_pem: str) -> CertKey:
    """Wrap stored PEM text; checks that the key belongs to the certificate."""
    ck = CertKey(cert_pem=cert_pem, key_pem=key_pem)
    cert = ck.cert  # raises CertificateMalformed
    if key_pem is not None:
        try:
            key = ck.key
        except (ValueError, TypeError) as exc:
            raise PkiError("private key cannot be read") from exc
        if _public_der(key.public_key()) != _public_der(cert.public_key()):
            raise PkiError("private key does not belong to the certificate")
    return ck


def certificate_fingerprint(cert_pem: str) -> str:
    """SHA-256 of the certificate's DER, lower-case hex."""
    der = _load_cert(cert_pem).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


# --------------------------------------------------------------------------
# issuing


def generate_ca(
    common_name: str = "Test CA",
    organization: str = "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi",
    valid_days: int = 3650,
    now: datetime | None = None,
) -> CertKey:
    """Self-signed root CA (RSA-2048), allowed to issue end-entity certs only."""
    now = _utc(now)
    key = _new_key("rsa")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "AZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            _key_usage(key_cert_sign=True, crl_sign=True, digital_signature=True),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return _pair(key, cert)


def issue_certificate(
    ca: CertKey,
    *,
    common_name: str,
    fin: str | None = None,
    given_name: str | None = None,
    surname: str | None = None,
    organization: str | None = None,
    kind: Literal["person", "system"] = "person",
    valid_from: datetime | None = None,
    valid_days: int = 730,
    now: datetime | None = None,
    key_type: Literal["rsa", "ec"] = "rsa",
) -> CertKey:
    """Issue an end-entity certificate with a fresh key.

    ``person``: a citizen's SIM / card certificate; the FİN is the subject
    serialNumber. EKU clientAuth (card log-in) + emailProtection (the latter
    so OpenSSL's default S/MIME purpose accepts the CMS signatures).
    ``system``: the ministry's seal; organisation name, no FİN, no log-in.
    ``key_type="ec"`` (P-256) exists for card tests; RSA-2048 otherwise.
    """
    if kind == "person":
        if not fin or not _FIN_RE.match(fin):
            raise ValueError("a person certificate needs a 7-character FİN")
        eku = [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
    elif kind == "system":
        if fin is not None:
            raise ValueError("a system certificate carries no FİN")
        if not organization:
            raise ValueError("a system certificate needs the organisation name")
        eku = [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    else:
        raise ValueError(f"unknown certificate kind {kind!r}")

    start = _utc(valid_from) if valid_from is not None else _utc(now) - _BACKDATE
    # A certificate must not outlive its issuer: chain checks would fail then.
    end = min(start + timedelta(days=valid_days), ca.cert.not_valid_after_utc)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "AZ")]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if surname:
        attrs.append(x509.NameAttribute(NameOID.SURNAME, surname))
    if given_name:
        attrs.append(x509.NameAttribute(NameOID.GIVEN_NAME, given_name))
    if fin:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, fin))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))

    key = _new_key(key_type)
    ca_cert = ca.cert
    try:
        ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            ca_ski.value
        )
    except x509.ExtensionNotFound:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(digital_signature=True, content_commitment=True), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(aki, critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return _pair(key, cert)


# --------------------------------------------------------------------------
# CMS signatures


def sign_digest_cms(
    signer: CertKey,
    digest: bytes,
    *,
    ca: CertKey | None = None,
    pades: bool = False,
    signing_time: datetime | None = None,
) -> bytes:
    """Detached CMS SignedData (DER) over content whose SHA-256 is ``digest``.

    Signed attributes: contentType, messageDigest (= ``digest``),
    signingCertificateV2, and signingTime unless ``pades`` (PAdES forbids it;
    the PDF's /M carries the time). Certificates: the signer's and ``ca``'s.

    For a PDF, pass the document digest from :func:`prepare_pdf_signing`
    with ``pades=True`` and hand the result to :func:`finish_pdf_signing`.
    """
    if len(digest) != 32:
        raise ValueError("digest must be a SHA-256 value (32 bytes)")
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    extra = [ca.asn1_cert] if ca is not None else []
    pyh_signer = SimpleSigner(
        signing_cert=signer.asn1_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            signer.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(extra),
    )
    attrs = PdfCMSSignedAttributes(
        signing_time=None if pades else _utc(signing_time)
    )
    content_info = run_coroutine(
        pyh_signer.async_sign(
            digest, "sha256", use_pades=pades, signed_attr_settings=attrs
        )
    )
    return content_info.dump()


@dataclass(frozen=True)
class SignerInfo:
    fin: str | None
    common_name: str | None
    signing_time: datetime | None
    certificate_pem: str


def verify_detached_cms(
    cms_der: bytes,
    content: bytes,
    trusted: Iterable[CertKey | str],
    now: datetime | None = None,
) -> SignerInfo:
    """Verify a detached CMS signature over ``content``.

    The signer's certificate must chain to one of ``trusted`` and be valid at
    the signing time the signature claims (or at ``now`` when it claims none).
    A signing time in the future is refused. Raises :class:`SignatureInvalid`.
    """
    from pyhanko.sign.general import SignedDataCerts, extract_certificate_info
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    now = _utc(now)
    roots = _trust_roots(trusted)
    if not roots:
        raise SignatureInvalid("no trusted CA configured")
    try:
        content_info = asn1_cms.ContentInfo.load(bytes(cms_der))
        if content_info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed_data = content_info["content"]
        signer_infos = signed_data["signer_infos"]
        if len(signer_infos) != 1:
            raise ValueError("exactly one signer expected")
        cert_info: SignedDataCerts = extract_certificate_info(signed_data)
        signer_cert = cert_info.signer_cert
        claimed = _signing_time_attr(signer_infos[0])
    except Exception as exc:  # asn1crypto raises a zoo of types on bad input
        raise SignatureInvalid(f"malformed CMS: {exc}") from exc

    if claimed is not None and claimed > now + _FUTURE_SKEW:
        raise SignatureInvalid("signing time lies in the future")
    moment = claimed or now
    cert = x509.load_der_x509_certificate(signer_cert.dump())
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise SignatureInvalid("certificate not valid at signing time")

    try:
        status = run_coroutine(
            async_validate_detached_cms(
                bytes(content),
                signed_data,
                signer_validation_context=_validation_context(roots, moment),
            )
        )
    except Exception as exc:
        raise SignatureInvalid(f"signature cannot be checked: {exc}") from exc
    if not status.intact:
        raise SignatureInvalid("content does not match the signature")
    if not status.valid:
        raise SignatureInvalid("signature value does not verify")
    if not status.trusted:
        raise SignatureInvalid("certificate chain is not trusted")

    return SignerInfo(
        fin=_name_attr(cert.subject, NameOID.SERIAL_NUMBER),
        common_name=_name_attr(cert.subject, NameOID.COMMON_NAME),
        signing_time=claimed,
        certificate_pem=_cert_pem(cert),
    )


# --------------------------------------------------------------------------
# PDF (PAdES) signing in two steps: the key may live elsewhere in between


@dataclass
class PdfSigningState:
    """The half-signed PDF between :func:`prepare_pdf_signing` and
    :func:`finish_pdf_signing`. In-memory only (holds a buffer)."""

    document_digest: bytes
    _prepared: Any = field(repr=False)
    _output: io.BytesIO = field(repr=False)


def prepare_pdf_signing(
    pdf: bytes,
    *,
    field_name: str = "Signature1",
    reason: str | None = None,
    location: str | None = None,
    signer_name: str | None = None,
) -> PdfSigningState:
    """Add an (invisible) PAdES signature field with room for the CMS and
    compute the SHA-256 over its /ByteRange: ``state.document_digest`` is
    what :func:`sign_digest_cms` (``pades=True``) must sign."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_cms import ExternalSigner

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name,
    )
    # Placeholder signer: the real CMS arrives later, the space is fixed.
    placeholder = ExternalSigner(signing_cert=None, cert_registry=None, signature_value=256)
    pdf_signer = signers.PdfSigner(meta, signer=placeholder)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    prepared, _tbs, output = run_coroutine(
        pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=_PDF_SIG_RESERVED, output=io.BytesIO()
        )
    )
    return PdfSigningState(
        document_digest=prepared.document_digest, _prepared=prepared, _output=output
    )


def finish_pdf_signing(state: PdfSigningState, cms_der: bytes) -> bytes:
    """Embed the CMS into the prepared PDF; returns the signed PDF bytes."""
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    run_coroutine(
        PdfTBSDocument.async_finish_signing(state._output, state._prepared, cms_der)
    )
    return state._output.getvalue()


# --------------------------------------------------------------------------
# e-signature card challenge-response


@dataclass(frozen=True)
class CardHolder:
    fin: str
    common_name: str | None
    given_name: str | None
    surname: str | None


def sign_challenge(card: CertKey, nonce: bytes) -> bytes:
    """What the card does: sign the raw nonce bytes with SHA-256
    (PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC keys)."""
    key = card.key
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(nonce, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(nonce, ec.ECDSA(hashes.SHA256()))
    raise PkiError("unsupported key type")


def sign_prehashed(card: CertKey, hash_value: bytes) -> bytes:
    """What a card does when handed a SHA-256 hash to sign (a CMS signature's to-be-signed
    hash): sign it as it is, not hashed again — PKCS#1 v1.5 over its DigestInfo for RSA keys,
    DER-encoded ECDSA for EC keys."""
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    if len(hash_value) != 32:
        raise ValueError("a SHA-256 hash (32 bytes) is signed")
    key = card.key
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(hash_value, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(hash_value, ec.ECDSA(Prehashed(hashes.SHA256())))
    raise PkiError("unsupported key type")


def verify_card_response(
    certificate_pem: str,
    nonce: bytes,
    signature: bytes,
    trusted: Iterable[CertKey | str],
    now: datetime | None = None,
) -> CardHolder:
    """Check a card's answer to a log-in challenge.

    Order: parse (CertificateMalformed) → chain to a trusted CA, usage
    digitalSignature / clientAuth (CertificateUntrusted) → validity at
    ``now`` (CertificateExpired) → signature over ``nonce``
    (SignatureMismatch) → the certificate names a person (FİN).
    That the nonce was issued by us and is used once is the caller's check.
    """
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        NotYetValidError,
        PathBuildingError,
        ValidationError,
    )

    now = _utc(now)
    if isinstance(certificate_pem, bytes):
        certificate_pem = certificate_pem.decode("ascii", "replace")
    cert = _load_cert(certificate_pem)
    pub = cert.public_key()
    if not isinstance(pub, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise CertificateMalformed("unsupported key type")

    roots = _trust_roots(trusted)
    if not roots:
        raise CertificateUntrusted("no trusted CA configured")
    leaf = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    validator = CertificateValidator(
        leaf, validation_context=_validation_context(roots, now)
    )
    try:
        # certvalidator checks each certificate's signature before its
        # validity period, so "expired" is only reported for a genuine chain.
        run_coroutine(
            validator.async_validate_usage(
                {"digital_signature"}, {"client_auth"}, extended_optional=True
            )
        )
    except (ExpiredError, NotYetValidError) as exc:
        raise CertificateExpired(_validity_reason(cert, now)) from exc
    except PathBuildingError as exc:
        raise CertificateUntrusted("certificate is not issued by a trusted CA") from exc
    except ValidationError as exc:
        raise CertificateUntrusted(f"certificate rejected: {exc}") from exc
    # Belt and braces: the trust anchor itself is never time-checked above.
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise CertificateExpired(_validity_reason(cert, now))

    try:
        if isinstance(pub, rsa.RSAPublicKey):
            pub.verify(signature, nonce, padding.PKCS1v15(), hashes.SHA256())
        else:
            pub.verify(signature, nonce, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise SignatureMismatch("signature does not match the challenge") from exc

    fin = _name_attr(cert.subject, NameOID.SERIAL_NUMBER)
    if not fin or not _FIN_RE.match(fin):
        raise CertificateMalformed("certificate does not identify a person (no FİN)")
    return CardHolder(
        fin=fin,
        common_name=_name_attr(cert.subject, NameOID.COMMON_NAME),
        given_name=_name_attr(cert.subject, NameOID.GIVEN_NAME),
        surname=_name_attr(cert.subject, NameOID.SURNAME),
    )


# --------------------------------------------------------------------------
# internals


_thread_loops = threading.local()


def run_coroutine(coro):
    """Run a pyHanko coroutine from synchronous code, on this thread's own event loop (made once:
    a fresh loop for each call costs more than many a check it runs). A thread that already runs a
    loop hands the coroutine to a helper thread with a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = getattr(_thread_loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = _thread_loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        # Naive datetimes are taken as UTC, the only zone used internally.
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _new_key(key_type: str):
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r}")


def _key_usage(**on: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags.update(on)
    return x509.KeyUsage(**flags)


def _pair(key, cert: x509.Certificate) -> CertKey:
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return CertKey(cert_pem=_cert_pem(cert), key_pem=key_pem)


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _public_der(pub) -> bytes:
    return pub.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _load_cert(cert_pem: str) -> x509.Certificate:
    if not isinstance(cert_pem, str) or "-----BEGIN CERTIFICATE-----" not in cert_pem:
        raise CertificateMalformed("not a PEM certificate")
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
        # Touch the lazily parsed parts so damage surfaces here, not later.
        cert.subject, cert.issuer, cert.extensions, cert.public_key()
    except (ValueError, UnicodeError) as exc:
        raise CertificateMalformed("certificate cannot be parsed") from exc
    return cert


def _trust_roots(trusted: Iterable[CertKey | str]) -> list[asn1_x509.Certificate]:
    roots = []
    for item in trusted:
        ck = item if isinstance(item, CertKey) else CertKey(cert_pem=item)
        roots.append(ck.asn1_cert)
    return roots


def _validation_context(roots, moment: datetime):
    from pyhanko_certvalidator import ValidationContext

    # Test CA publishes no CRL/OCSP: soft-fail, and never go to the network.
    return ValidationContext(
        trust_roots=roots,
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _signing_time_attr(signer_info) -> datetime | None:
    for attr in signer_info["signed_attrs"]:
        if attr["type"].native == "signing_time":
            return _utc(attr["values"][0].native)
    return None


def _name_attr(name: x509.Name, oid) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _validity_reason(cert: x509.Certificate, now: datetime) -> str:
    if now < cert.not_valid_before_utc:
        return "certificate is not yet valid"
    if now > cert.not_valid_after_utc:
        return "certificate has expired"
    return "a certificate in the chain is outside its validity period"

