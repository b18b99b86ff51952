"""The simulator's test certification authority and its cards, kept as files in the data folder:

    <data>/ca.pem                 the CA certificate (what a relying party is configured to trust)
    <data>/private/ca-key.pem     its private key
    <data>/cards/<FİN>.json       each test person's certificate and private key

Made on first start (the CA) and first use (a card); a card running out is issued anew. One
process owns the folder (the simulator runs a single worker)."""
from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from egov_kit import pki

from .domain import Identity

# A card is renewed when less than this is left, so a signature never uses a lapsing certificate.
RENEW_BEFORE = timedelta(days=1)
CA_NAME = "ƏƏSMN Asan İmza Test CA"
_HASHES = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}


def _write(path: Path, text: str, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    if private:
        tmp.chmod(0o600)
    os.replace(tmp, path)  # a reader never sees half a file


class CardStore:
    def __init__(self, data_dir: str | Path, ca_export_file: str | None = None):
        self.dir = Path(data_dir)
        self.ca_export_file = ca_export_file
        self._lock = threading.Lock()
        self._cards: dict[str, pki.CertKey] = {}
        self.ca = self._load_or_make_ca()

    @property
    def ca_path(self) -> Path:
        return self.dir / "ca.pem"

    def _load_or_make_ca(self) -> pki.CertKey:
        key_path = self.dir / "private" / "ca-key.pem"
        if self.ca_path.exists() and key_path.exists():
            ca = pki.load_certkey(key_path.read_text(), self.ca_path.read_text())
        else:
            ca = pki.generate_ca(CA_NAME)
            _write(key_path, ca.key_pem, private=True)
            _write(self.ca_path, ca.cert_pem, private=False)
        if self.ca_export_file:
            _write(Path(self.ca_export_file), ca.cert_pem, private=False)
        return ca

    def card(self, identity: Identity, now: datetime | None = None) -> pki.CertKey:
        now = now or datetime.now(timezone.utc)
        with self._lock:
            card = self._cards.get(identity.fin)
            if card is None:
                path = self.dir / "cards" / f"{identity.fin}.json"
                if path.exists():
                    stored = json.loads(path.read_text(encoding="utf-8"))
                    card = pki.load_certkey(stored["private_key"], stored["certificate"])
            if card is None or not self._fresh(card, now):
                card = pki.issue_certificate(self.ca, common_name=f"{identity.name} {identity.surname}",
                                             given_name=identity.name, surname=identity.surname,
                                             fin=identity.fin, kind="person", now=now)
                _write(self.dir / "cards" / f"{identity.fin}.json",
                       json.dumps({"certificate": card.cert_pem, "private_key": card.key_pem}), private=True)
            self._cards[identity.fin] = card
            return card

    def _fresh(self, card: pki.CertKey, now: datetime) -> bool:
        cert = card.cert
        return (cert.issuer == self.ca.cert.subject and cert.not_valid_before_utc <= now
                and now + RENEW_BEFORE < cert.not_valid_after_utc)


def sign_hash(card: pki.CertKey, hash_value: bytes, hash_type: str) -> tuple[bytes, str]:
    """A raw signature over the given hash (it is not hashed again), and its algorithm's name:
    PKCS#1 v1.5 for RSA keys, DER-encoded ECDSA for EC keys."""
    algorithm = _HASHES[hash_type]()
    key = card.key
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(hash_value, padding.PKCS1v15(), utils.Prehashed(algorithm)), f"{hash_type}WithRSAEncryption"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(hash_value, ec.ECDSA(utils.Prehashed(algorithm))), f"{hash_type}WithECEncryption"
    raise ValueError("unsupported key type")


# --- the card as a file, for the browser ------------------------------------------------------
# What a browser can open with WebCrypto alone: the certificate, and the private key (PKCS#8 DER)
# encrypted twice, under PIN1 for log-in ("auth") and under PIN2 for signing ("sign"), each with
# AES-256-GCM under a key derived from the PIN by PBKDF2-SHA256. The PIN matters: a wrong one does
# not open the key. (A 4-5 digit PIN is no protection against someone holding the file; the file
# is a test card, and stands for a chip that would refuse after three wrong PINs.)
CARD_FILE_FORMAT = "egov-test-card"
CARD_FILE_ITERATIONS = 100_000


def _seal_key(pkcs8_der: bytes, pin: str, label: str) -> dict:
    import base64

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    salt, iv = os.urandom(16), os.urandom(12)
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt,
                     iterations=CARD_FILE_ITERATIONS).derive(pin.encode("utf-8"))
    data = AESGCM(key).encrypt(iv, pkcs8_der, None)
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return {"pin": label, "kdf": "PBKDF2-SHA256", "iterations": CARD_FILE_ITERATIONS, "salt": b64(salt),
            "cipher": "AES-256-GCM", "iv": b64(iv), "data": b64(data)}


def card_file(card: pki.CertKey, identity: Identity) -> dict:
    """The test card as a file the portal's page opens with the card's PIN (see above)."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    pkcs8 = card.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return {"format": CARD_FILE_FORMAT, "version": 1, "fin": identity.fin,
            "holder": f"{identity.name} {identity.surname}", "certificate": card.cert_pem,
            "keys": {"auth": _seal_key(pkcs8, identity.pin1, "PIN1"), "sign": _seal_key(pkcs8, identity.pin2, "PIN2")}}


def open_card_file(document: dict, usage: str, pin: str):
    """The private key of a card file (what the browser does), for tests and scripts; ValueError
    for a wrong PIN."""
    import base64

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    sealed = document["keys"][usage]
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=base64.b64decode(sealed["salt"]),
                     iterations=sealed["iterations"]).derive(pin.encode("utf-8"))
    try:
        der = AESGCM(key).decrypt(base64.b64decode(sealed["iv"]), base64.b64decode(sealed["data"]), None)
    except InvalidTag:
        raise ValueError("wrong PIN") from None
    return load_der_private_key(der, password=None)
