"""The certification authorities auth trusts, from AUTH_TRUSTED_CA_FILE (a PEM bundle): whose
certificates may log in (Asan İmza, e-signature card) and sign for other services. Nothing is
trusted that is not in the file; without the file nothing is.

The file is read again when it changes (a certification centre's new CA, or the simulator's CA
written a moment after auth started), so no restart is needed.

A certificate's path is validated once and the verdict kept for as long as it can hold: for the
same trusted file, the same key usage and while the moment lies within the validity of both the
certificate and the CA that issued it (nothing else moves it: no revocation data is fetched). A
card signing checks the card again at each of its signatures without paying for it each time."""
from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from egov_kit import pki

log = logging.getLogger("auth.trust")

_FIN_RE = re.compile(r"^[0-9A-Z]{7}$")
_PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
_PEM_END = "-----END CERTIFICATE-----"
# The signature algorithms a provider may report, by the key they need and the hash they use.
_ALGORITHMS = {
    "SHA256WithRSAEncryption": (rsa.RSAPublicKey, hashes.SHA256),
    "SHA384WithRSAEncryption": (rsa.RSAPublicKey, hashes.SHA384),
    "SHA512WithRSAEncryption": (rsa.RSAPublicKey, hashes.SHA512),
    "SHA256WithECEncryption": (ec.EllipticCurvePublicKey, hashes.SHA256),
    "SHA384WithECEncryption": (ec.EllipticCurvePublicKey, hashes.SHA384),
    "SHA512WithECEncryption": (ec.EllipticCurvePublicKey, hashes.SHA512),
}


# What a certificate's key may do (KeyUsage), by the names pyHanko's validator uses: any key that
# signs (log-in, the Asan İmza provider's answers), and one that signs documents — the
# non-repudiation (contentCommitment) bit that certification centres set on signing certificates.
SIGNS = frozenset({"digital_signature"})
SIGNS_DOCUMENTS = frozenset({"non_repudiation"})
_KEY_USAGE_BITS = {"digital_signature": "digital_signature", "non_repudiation": "content_commitment"}


class NotForSigning(pki.CertificateUntrusted):
    """A trusted certificate whose key may not make the signature asked for (KeyUsage)."""


@dataclass(frozen=True)
class Holder:
    """The person a trusted, valid certificate names."""
    fin: str
    given_name: str | None
    surname: str | None
    common_name: str | None
    certificate_pem: str
    issuer_pem: str


@dataclass(frozen=True)
class _Verdict:
    """A validation that held, and the moments at which it holds."""
    holder: Holder
    valid_from: datetime
    valid_until: datetime


def split_bundle(text: str) -> list[str]:
    """The certificates of a PEM bundle, whatever text lies between them."""
    return [_PEM_BEGIN + part.split(_PEM_BEGIN, 1)[1].rstrip() + "\n" + _PEM_END + "\n"
            for part in text.split(_PEM_END) if _PEM_BEGIN in part]


def _name(cert: x509.Certificate, oid) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def load_der(cert_der: bytes) -> x509.Certificate:
    try:
        cert = x509.load_der_x509_certificate(bytes(cert_der))
        cert.subject, cert.issuer, cert.extensions, cert.public_key()  # damage surfaces here
    except (ValueError, TypeError) as exc:
        raise pki.CertificateMalformed("certificate cannot be parsed") from exc
    return cert


def load_pem(cert_pem: str) -> x509.Certificate:
    """One PEM certificate (as a card's middleware hands it over); pki.CertificateMalformed otherwise."""
    if not isinstance(cert_pem, str) or cert_pem.count(_PEM_BEGIN) != 1:
        raise pki.CertificateMalformed("not one PEM certificate")
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.strip().encode("ascii"))
    except (ValueError, UnicodeError) as exc:
        raise pki.CertificateMalformed("certificate cannot be parsed") from exc
    return load_der(cert.public_bytes(Encoding.DER))


def hash_signature_algorithm(cert: x509.Certificate) -> str:
    """How a card signs a SHA-256 hash with this certificate's key (the provider's names for it)."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "SHA256WithRSAEncryption"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "SHA256WithECEncryption"
    raise pki.CertificateMalformed("unsupported key type")


def _lacks_usage(cert: x509.Certificate, usage: frozenset) -> bool:
    try:
        key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False  # no KeyUsage: any use is allowed
    return not all(getattr(key_usage, _KEY_USAGE_BITS[name]) for name in usage)


def verify_hash_signature(cert: x509.Certificate, hash_value: bytes, signature: bytes, algorithm: str) -> None:
    """The signature is over `hash_value` itself (not hashed again) with the certificate's key;
    raises pki.SignatureMismatch otherwise."""
    expected = _ALGORITHMS.get(algorithm)
    key = cert.public_key()
    if expected is None or not isinstance(key, expected[0]) or len(hash_value) != expected[1].digest_size:
        raise pki.SignatureMismatch("unexpected signature algorithm")
    prehashed = utils.Prehashed(expected[1]())
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, hash_value, padding.PKCS1v15(), prehashed)
        else:
            key.verify(signature, hash_value, ec.ECDSA(prehashed))
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise pki.SignatureMismatch("signature does not verify") from exc


class TrustStore:
    def __init__(self, path: str | None):
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple | None = None
        self._pems: list[str] = []
        self._certs: list[x509.Certificate] = []
        self._verdicts: OrderedDict[tuple, _Verdict] = OrderedDict()

    VERDICTS_KEPT = 1024

    def certificates(self) -> list[str]:
        """PEM of every trusted CA (re-read if the file changed)."""
        self._refresh()
        return list(self._pems)

    def _refresh(self) -> None:
        if not self.path:
            return
        try:
            stat = os.stat(self.path)
            seen = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen = None
        if seen == self._seen:
            return
        with self._lock:
            pems: list[str] = []
            if seen is not None:
                try:
                    with open(self.path, encoding="ascii") as handle:
                        pems = split_bundle(handle.read())
                except (OSError, UnicodeError):
                    pems = []
            certs = []
            for pem in pems:
                try:
                    certs.append(x509.load_pem_x509_certificate(pem.encode("ascii")))
                except ValueError:
                    log.error("a certificate in AUTH_TRUSTED_CA_FILE cannot be read; it is not trusted")
            if not certs:
                log.warning("no trusted CA: AUTH_TRUSTED_CA_FILE is missing, unreadable or empty")
            self._pems = [c.public_bytes(Encoding.PEM).decode("ascii") for c in certs]
            self._certs = certs
            self._seen = seen

    def issuer_of(self, cert: x509.Certificate) -> str | None:
        """PEM of the trusted CA that signed `cert` directly, if any."""
        self._refresh()
        for ca, pem in zip(self._certs, self._pems):
            try:
                cert.verify_directly_issued_by(ca)
                return pem
            except (ValueError, TypeError, InvalidSignature):
                continue
        return None

    def holder(self, cert: x509.Certificate, now: datetime, usage: frozenset = SIGNS) -> Holder:
        """The person named by `cert`, if it chains to a trusted CA, may sign as `usage` says
        (SIGNS: digitalSignature; SIGNS_DOCUMENTS: nonRepudiation), is valid at `now` and carries a
        FİN (subject serialNumber). Raises pki.CertificateUntrusted (NotForSigning for the usage),
        pki.CertificateExpired or pki.CertificateMalformed otherwise."""
        self._refresh()
        if not self._certs:
            raise pki.CertificateUntrusted("no trusted CA configured")
        key = (cert.fingerprint(hashes.SHA256()), usage, self._seen)
        with self._lock:
            verdict = self._verdicts.get(key)
        if verdict is not None and verdict.valid_from <= now <= verdict.valid_until:
            return verdict.holder
        holder = self._validate(cert, now, usage)
        issuer = next((ca for ca, pem in zip(self._certs, self._pems) if pem == holder.issuer_pem), None)
        if issuer is None:
            return holder  # the file changed meanwhile: nothing kept
        with self._lock:
            self._verdicts[key] = _Verdict(holder, max(cert.not_valid_before_utc, issuer.not_valid_before_utc),
                                           min(cert.not_valid_after_utc, issuer.not_valid_after_utc))
            while len(self._verdicts) > self.VERDICTS_KEPT:
                self._verdicts.popitem(last=False)
        return holder

    def _validate(self, cert: x509.Certificate, now: datetime, usage: frozenset) -> Holder:
        from pyhanko_certvalidator import CertificateValidator, ValidationContext
        from pyhanko_certvalidator.errors import ExpiredError, NotYetValidError, PathBuildingError, ValidationError

        roots = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in self._certs]
        # No CRL or OCSP is published by the test CA; nothing is fetched over the network.
        context = ValidationContext(trust_roots=roots, moment=now, allow_fetching=False, revocation_mode="soft-fail")
        leaf = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
        validator = CertificateValidator(leaf, validation_context=context)
        try:
            pki.run_coroutine(validator.async_validate_usage(set(usage)))
        except (ExpiredError, NotYetValidError) as exc:
            raise pki.CertificateExpired("outside its validity period") from exc
        except PathBuildingError as exc:
            raise pki.CertificateUntrusted("not issued by a trusted CA") from exc
        except ValidationError as exc:
            if _lacks_usage(cert, usage):
                raise NotForSigning(f"its key usage does not allow {'/'.join(sorted(usage))}") from exc
            # Not the validator's words: they may quote the certificate's subject (a person's name).
            raise pki.CertificateUntrusted(f"rejected by path validation ({type(exc).__name__})") from exc
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise pki.CertificateExpired("outside its validity period")
        fin = _name(cert, NameOID.SERIAL_NUMBER)
        if not fin or not _FIN_RE.match(fin):
            raise pki.CertificateMalformed("the certificate names no person (no FİN)")
        issuer = self.issuer_of(cert)
        if issuer is None:
            raise pki.CertificateUntrusted("not issued directly by a trusted CA")
        return Holder(fin=fin, given_name=_name(cert, NameOID.GIVEN_NAME), surname=_name(cert, NameOID.SURNAME),
                      common_name=_name(cert, NameOID.COMMON_NAME),
                      certificate_pem=cert.public_bytes(Encoding.PEM).decode("ascii"), issuer_pem=issuer)
