"""Webhook secrets encrypted at rest (Fernet), so the database alone never yields them.

Keys come from WEBHOOK_SECRET_KEY (comma-separated; the first encrypts, all decrypt, which is how a
key is rotated). A value that is not a Fernet key is treated as a passphrase and hashed into one.
Without the variable a key is generated once and kept in the database — for local work only."""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger("notifier.secrets")


def _fernet(value: str) -> Fernet:
    value = value.strip()
    try:
        if len(base64.urlsafe_b64decode(value.encode())) == 32:
            return Fernet(value.encode())
    except (binascii.Error, ValueError):
        pass
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()))


class SecretBox:
    def __init__(self, configured_keys: str | None, load_dev_key=None):
        """`load_dev_key()` returns the development key kept in the database (made on first use)."""
        self._configured = [k for k in (configured_keys or "").split(",") if k.strip()]
        self._load_dev_key = load_dev_key
        self._box: MultiFernet | None = None
        self._lock = threading.Lock()
        self._decrypted: dict[str, str] = {}

    def _get(self) -> MultiFernet:
        if self._box is None:
            with self._lock:
                if self._box is None:
                    keys = self._configured
                    if not keys:
                        if self._load_dev_key is None:
                            raise RuntimeError("WEBHOOK_SECRET_KEY is not set")
                        log.warning("WEBHOOK_SECRET_KEY not set: using the development key kept in the database")
                        keys = [self._load_dev_key()]
                    self._box = MultiFernet([_fernet(k) for k in keys])
        return self._box

    def encrypt(self, secret: str) -> str:
        return self._get().encrypt(secret.encode()).decode()

    def decrypt(self, token: str) -> str:
        secret = self._decrypted.get(token)
        if secret is None:
            try:
                secret = self._get().decrypt(token.encode()).decode()
            except InvalidToken:
                raise RuntimeError("webhook secret cannot be decrypted with the configured keys") from None
            if len(self._decrypted) > 1000:
                self._decrypted.clear()
            self._decrypted[token] = secret  # the sender needs it for every delivery
        return secret


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def new_dev_key() -> str:
    return Fernet.generate_key().decode()
