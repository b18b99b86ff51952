"""The ministry's seal: a system certificate (and its CA) with which every certificate PDF is
signed in-process as a PAdES signature, so a verifier can check a downloaded PDF offline."""
from __future__ import annotations

import io
import logging

from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov_kit import pki

from .domain import MINISTRY

log = logging.getLogger("certificates.seal")
SEAL_ID = "seal"
ORGANIZATION = "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"
# Room for the CMS in the PDF (DER bytes): signature plus two RSA-2048 certificates is ≈3.5 kB.
# Fixed, so pyHanko does not sign a dummy first to estimate it.
CMS_ROOM = 8192
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class _LoadedKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner re-reads the private key from DER for every signature (tens of ms
    for RSA); this one signs with the key object loaded once."""

    def __init__(self, key, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        algorithm = _HASHES[digest_algorithm.lower()]()
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algorithm))
        raise pki.PkiError("unsupported seal key type")


class Sealer:
    def __init__(self, system: pki.CertKey, ca: pki.CertKey):
        self.system = system
        self.ca = ca
        key_info = asn1_keys.PrivateKeyInfo.load(system.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self._signer = _LoadedKeySigner(
            system.key, signing_cert=system.asn1_cert, signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs([ca.asn1_cert]))

    @property
    def ca_pem(self) -> str:
        return self.ca.cert_pem

    def seal(self, pdf: bytes) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name="MinistrySeal", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason="İş yerinə dair arayışın təsdiqi", location="Bakı", name=MINISTRY)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.PdfSigner(meta, signer=self._signer).sign_pdf(writer, bytes_reserved=CMS_ROOM)
        return out.getvalue()


def new_seal_material() -> dict:
    ca = pki.generate_ca(common_name="Möhür CA — Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi",
                         organization=ORGANIZATION)
    system = pki.issue_certificate(ca, common_name="İş yerinə dair arayış — elektron möhür",
                                   organization=ORGANIZATION, kind="system", valid_days=3650)
    return {"_id": SEAL_ID, "ca_cert_pem": ca.cert_pem, "ca_key_pem": ca.key_pem,
            "cert_pem": system.cert_pem, "key_pem": system.key_pem}


def load_sealer(settings, repo) -> Sealer:
    """From SEAL_CERT_PEM / SEAL_KEY_PEM / SEAL_CA_PEM when given; otherwise the material kept in
    the database, made on the very first start (several workers may race: one insert wins)."""
    given = [settings.seal_cert_pem, settings.seal_key_pem, settings.seal_ca_pem]
    if any(given):
        if not all(given):
            raise RuntimeError("SEAL_CERT_PEM, SEAL_KEY_PEM and SEAL_CA_PEM go together")
        system = pki.load_certkey(settings.seal_key_pem, settings.seal_cert_pem)
        ca = pki.CertKey(cert_pem=settings.seal_ca_pem)
        return Sealer(system, ca)
    material = repo.seal_material()
    if material is None:
        material = repo.insert_seal_material(new_seal_material())
        log.info("seal certificate created")
    return Sealer(pki.load_certkey(material["key_pem"], material["cert_pem"]),
                  pki.CertKey(cert_pem=material["ca_cert_pem"]))
