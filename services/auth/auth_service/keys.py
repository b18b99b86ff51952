"""Token signing keys: RS256 pairs named by their JWK thumbprint, rotated, published as JWKS.

Keys are numbered generations kept in the auth database; a new generation is made when the newest
is older than the rotation period. A new key is published at once but signs only after
ACTIVATION_DELAY, so every auth process's JWKS already lists it when the first token carrying its
`kid` reaches a verifier. JWKS lists the signing key, the one before it (tokens it signed may still
be alive) and a newer one waiting to take over. Auth signs its own service tokens with them too
(LocalServiceTokens)."""
from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from egov_kit.auth import ServiceTokens
from egov_kit.clock import utcnow
from egov_kit.errors import unauthenticated

from .domain import service_claims

ALGORITHM = "RS256"
ACTIVATION_DELAY = timedelta(seconds=60)
CACHE_SECONDS = 15.0  # well under ACTIVATION_DELAY: every process sees a key before it signs
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss"]


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_key: rsa.RSAPublicKey) -> dict:
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 thumbprint: the same key always gets the same `kid`, in every process."""
    jwk = public_jwk(public_key)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    generation: int
    kid: str
    created_at: datetime
    public_pem: str
    private_pem: str | None = field(default=None, repr=False)

    @cached_property
    def private_key(self):
        if self.private_pem is None:
            raise ValueError("public key only")
        return serialization.load_pem_private_key(self.private_pem.encode(), password=None)

    @cached_property
    def public_key(self):
        return serialization.load_pem_public_key(self.public_pem.encode())

    def jwk(self) -> dict:
        return {**public_jwk(self.public_key), "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def new_signing_key(generation: int, now: datetime) -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key_from_private_pem(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
        generation=generation, created_at=now)


def key_from_private_pem(pem: str, *, generation: int = 0, created_at: datetime | None = None) -> SigningKey:
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("the token signing key must be an RSA key")
    public = private.public_key()
    return SigningKey(generation=generation, kid=thumbprint(public),
                      created_at=created_at or utcnow(),
                      public_pem=_public_pem(public), private_pem=pem)


def key_from_public_pem(pem: str, *, generation: int = -1) -> SigningKey:
    public = serialization.load_pem_public_key(pem.encode())
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("the previous token key must be an RSA key")
    return SigningKey(generation=generation, kid=thumbprint(public), created_at=utcnow(),
                      public_pem=_public_pem(public))


def _public_pem(public) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def rotation_due(newest: SigningKey | None, now: datetime, rotation: timedelta) -> bool:
    return newest is None or now - newest.created_at >= rotation


def select_keys(keys: list[SigningKey], now: datetime) -> tuple[SigningKey, list[SigningKey]]:
    """(the key that signs now, the keys to publish) from generations sorted newest first."""
    if not keys:
        raise ValueError("no signing keys")
    # The newest key old enough to be known everywhere; the very first key signs at once.
    active = next((k for k in keys if now - k.created_at >= ACTIVATION_DELAY), keys[-1])
    index = keys.index(active)
    published = keys[:index + 2]  # waiting newer keys, the active one and the one before it
    return active, published


class KeyRing:
    """The process's view of the signing keys, refreshed from storage every few seconds."""

    def __init__(self, store, *, rotation_days: float, static_private_pem: str | None = None,
                 previous_public_pem: str | None = None, clock: Callable[[], datetime] | None = None):
        self.store = store
        self.rotation = timedelta(days=rotation_days)
        self.clock = clock or utcnow
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._active: SigningKey | None = None
        self._published: list[SigningKey] = []
        self._static = None
        if static_private_pem:
            # Production: the key comes from the environment; operators rotate it.
            self._static = [key_from_private_pem(static_private_pem, generation=1)]
            if previous_public_pem:
                self._static.append(key_from_public_pem(previous_public_pem))

    def _load(self, force: bool = False) -> None:
        if self._static is not None:
            self._active, self._published = self._static[0], list(self._static)
            return
        if not force and self._active is not None and time.monotonic() - self._loaded_at < CACHE_SECONDS:
            return
        with self._lock:
            if not force and self._active is not None and time.monotonic() - self._loaded_at < CACHE_SECONDS:
                return
            now = self.clock()
            keys = self.store.recent_keys(3)
            if rotation_due(keys[0] if keys else None, now, self.rotation):
                generation = keys[0].generation + 1 if keys else 1
                # Every process may try; the store keeps exactly one key per generation.
                self.store.add_key_once(new_signing_key(generation, now))
                keys = self.store.recent_keys(3)
            self._active, self._published = select_keys(keys, now)
            self._loaded_at = time.monotonic()

    def signing_key(self) -> SigningKey:
        self._load()
        return self._active

    def jwks(self) -> dict:
        self._load()
        return {"keys": [k.jwk() for k in self._published]}

    def public_key(self, kid: str | None):
        self._load()
        for key in self._published:
            if key.kid == kid:
                return key.public_key
        # A key made by another process moments ago: look once more, at most every second.
        if self._static is None and time.monotonic() - self._loaded_at > 1:
            self._load(force=True)
            for key in self._published:
                if key.kid == kid:
                    return key.public_key
        return None

    # tokens
    def encode(self, claims: dict) -> str:
        key = self.signing_key()
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"})

    def decode(self, token: str, *, audience: str, issuer: str, leeway: int) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthenticated("invalid_token") from None
        if header.get("alg") != ALGORITHM:
            raise unauthenticated("invalid_token")
        key = self.public_key(header.get("kid"))
        if key is None:
            raise unauthenticated("invalid_token")
        try:
            return jwt.decode(token, key, algorithms=[ALGORITHM], audience=audience, issuer=issuer,
                              leeway=leeway, options={"require": REQUIRED_CLAIMS})
        except jwt.PyJWTError:
            raise unauthenticated("invalid_token") from None



class LocalServiceTokens(ServiceTokens):
    """Auth's own tokens for calling other services (the registry), signed here with its keys
    rather than fetched over HTTP from itself; the kit's ServiceClient takes them like any others."""

    def __init__(self, keys: KeyRing, ttl: int, clock: Callable[[], datetime] = utcnow):
        super().__init__("auth", auth_url="", secret="")
        self.keys = keys
        self.ttl = ttl
        self.clock = clock

    def _mint(self, target: str) -> tuple[str, float]:
        claims = service_claims("auth", target, self.clock(), self.ttl)
        return self.keys.encode(claims), float(claims["exp"])
