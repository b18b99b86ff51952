"""JWT verification against the auth service's JWKS, principals, and service tokens.

Every service verifies tokens itself: signature (asymmetric, keys by `kid` from JWKS, refetched on
an unknown `kid` so rotation needs no restart), audience, expiry, and that the session was not
logged out (revocations arrive as `auth.session.revoked` events)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import jwt
import requests
from flask import current_app, g, request

from .errors import forbidden, unauthenticated, unavailable

log = logging.getLogger("egov.auth")
ALGORITHMS = ["RS256", "ES256", "EdDSA"]
ISSUER = "egov-auth"


@dataclass
class Principal:
    kind: str  # "person" | "service"
    subject: str
    fin: str | None = None
    name: str | None = None
    surname: str | None = None
    patronymic: str | None = None
    acting_for: str | None = None
    company_role: str | None = None
    roles: list[str] = field(default_factory=list)
    session_id: str | None = None
    service: str | None = None
    claims: dict = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        return "staff" in self.roles

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


class RevokedSessions:
    """Session ids logged out before their tokens expire; kept until those tokens would expire."""

    def __init__(self):
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, session_id: str, until: float) -> None:
        with self._lock:
            self._until[session_id] = until
            now = time.time()
            if len(self._until) > 1000:
                self._until = {k: v for k, v in self._until.items() if v > now}

    def __contains__(self, session_id: str) -> bool:
        until = self._until.get(session_id)
        return until is not None and until > time.time()


class TokenVerifier:
    # Tokens whose signature and claims were checked already, kept until they expire: a person's
    # token arrives with every request, and decoding plus the signature check is the costliest
    # part of a light request. Expiry and logged-out sessions are still checked on every use.
    CACHE_SIZE = 10_000

    def __init__(self, jwks_url: str, audience: str, service: str):
        self.jwks_url = jwks_url
        self.audience = audience
        self.service = service
        self.revoked = RevokedSessions()
        self._keys: dict[str, object] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self._verified: dict[tuple, dict] = {}

    def _refresh(self, force: bool = False) -> None:
        # Rate-limit refetches so forged kids can't make us hammer the auth service.
        if not force and time.time() - self._fetched_at < 5:
            return
        with self._lock:
            response = requests.get(self.jwks_url, timeout=3)
            response.raise_for_status()
            keys = {}
            for jwk in response.json().get("keys", []):
                try:
                    keys[jwk["kid"]] = jwt.PyJWK(jwk)
                except (jwt.PyJWTError, KeyError, ValueError, TypeError):
                    log.warning("unusable key in JWKS")
            self._keys = keys
            self._fetched_at = time.time()

    def _key_for(self, kid: str | None):
        if kid not in self._keys:
            try:
                self._refresh(force=not self._keys)
            except requests.RequestException:
                log.warning("JWKS unavailable")
                raise unavailable("login_check_unavailable")
        key = self._keys.get(kid)
        if key is None:
            raise unauthenticated("token_unknown_key")
        return key

    def verify(self, token: str, audience: str | list[str] | None = None) -> dict:
        wanted = audience or self.audience
        cache_key = (token, tuple(wanted) if isinstance(wanted, list) else wanted)
        claims = self._verified.get(cache_key)
        if claims is None:
            claims = self._decode(token, wanted)
            if len(self._verified) >= self.CACHE_SIZE:
                self._verified.clear()
            self._verified[cache_key] = claims
        elif claims["exp"] + 5 < time.time():
            self._verified.pop(cache_key, None)
            raise unauthenticated("token_expired")
        sid = claims.get("sid")
        if sid and sid in self.revoked:
            raise unauthenticated("session_ended")
        return claims

    def _decode(self, token: str, audience: str | list[str]) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthenticated("invalid_token")
        key = self._key_for(header.get("kid"))
        # Only the algorithm of the key published under that kid: a token claiming another one
        # (ES256 over an RSA key, HS256 with the public key as secret, none) is refused.
        if header.get("alg") != key.algorithm_name or key.algorithm_name not in ALGORITHMS:
            raise unauthenticated("invalid_token")
        try:
            claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name], audience=audience,
                                issuer=ISSUER, options={"require": ["exp", "iat", "sub", "aud"]}, leeway=5)
        except jwt.ExpiredSignatureError:
            raise unauthenticated("token_expired")
        except jwt.InvalidAudienceError:
            raise unauthenticated("token_wrong_audience")
        except (jwt.PyJWTError, ValueError, TypeError):
            raise unauthenticated("invalid_token")
        return claims


def principal_from_claims(claims: dict) -> Principal:
    if claims.get("typ") == "service":
        return Principal(kind="service", subject=claims["sub"], service=claims.get("svc"), claims=claims)
    return Principal(
        kind="person", subject=claims["sub"], fin=claims.get("fin"), name=claims.get("name"),
        surname=claims.get("surname"), patronymic=claims.get("patronymic"),
        acting_for=claims.get("acting_for"), company_role=claims.get("company_role"),
        roles=list(claims.get("roles") or []), session_id=claims.get("sid"), claims=claims)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return header[7:].strip()
    return None


def _verifier() -> TokenVerifier:
    return current_app.extensions["egov"].verifier


def current_principal(optional: bool = False) -> Principal | None:
    if "principal" in g:
        return g.principal
    token = bearer_token()
    if token is None:
        if optional:
            return None
        raise unauthenticated()
    verifier = _verifier()
    # People's tokens carry the suite audience; a service token is addressed to this service alone.
    service_audience = f"svc:{verifier.service}"
    claims = verifier.verify(token, audience=[verifier.audience, service_audience])
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    is_service = claims.get("typ") == "service"
    if is_service != (service_audience in audiences):
        raise unauthenticated("token_wrong_audience")
    g.principal = principal_from_claims(claims)
    return g.principal


def require_person() -> Principal:
    principal = current_principal()
    if principal.kind != "person":
        raise forbidden("person_required")
    return principal


def require_company(roles: tuple[str, ...] = ("head", "authorised")) -> Principal:
    """A person acting for a company (chosen with POST /api/auth/role)."""
    principal = require_person()
    if not principal.acting_for or principal.company_role not in roles:
        raise forbidden("not_your_company")
    return principal


def require_staff() -> Principal:
    principal = require_person()
    if not principal.is_staff:
        raise forbidden("staff_required")
    return principal


def require_service(*names: str) -> Principal:
    principal = current_principal()
    if principal.kind != "service" or (names and principal.service not in names):
        raise forbidden("service_required")
    return principal


class ServiceTokens:
    """Obtains and caches tokens this service uses to call another one."""

    def __init__(self, service: str, auth_url: str, secret: str):
        self.service = service
        self.auth_url = auth_url
        self.secret = secret
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def token_for(self, target: str) -> str:
        cached = self._cache.get(target)
        if cached and cached[1] - 30 > time.time():
            return cached[0]
        with self._lock:
            token, expires_at = self._mint(target)
            self._cache[target] = (token, expires_at)
            return token

    def _mint(self, target: str) -> tuple[str, float]:
        """A new token for `target` and when it expires (epoch seconds)."""
        response = requests.post(f"{self.auth_url}/api/auth/service-tokens", timeout=5, json={
            "client_id": self.service, "client_secret": self.secret, "audience": target})
        response.raise_for_status()
        body = response.json()
        return body["access_token"], time.time() + body["expires_in"]
