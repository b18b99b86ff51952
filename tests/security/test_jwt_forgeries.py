"""Forged and misused tokens, through the gateway, against every service that checks tokens: each is
refused with 401 as a problem document, never a 500.

Each service is probed on an operation read from its OpenAPI document (a GET with no path
parameters that a person, or a person acting for a company, may call); the same request with the
genuine token must succeed, so a refusal is the token's doing."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from devtools.pytest_plugin import eventually
from devtools.suite import available_services

from security_support import is_problem, login, operations_of

FORGERIES = ["alg_none", "hs256_with_public_key", "foreign_rsa_key_real_kid", "es256_real_kid", "expired",
             "wrong_audience", "service_token_for_another_service", "after_logout"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict, claims: dict) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def parts(token: str) -> tuple[dict, dict]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


@pytest.fixture(scope="module")
def genuine(world) -> str:
    """A real token of the head acting for company A: every probe below admits it."""
    return world.personas["head"].session.token


@pytest.fixture(scope="module")
def auth_signing_key(suite, mongo_client, genuine):
    """Auth's own private key (kept in its database in the local run), to sign tokens that are
    genuine in every way but one."""
    kid = jwt.get_unverified_header(genuine)["kid"]
    database = suite.env().get("MONGO_DB") or f"{suite.env()['MONGO_DB_PREFIX']}_auth"
    stored = mongo_client[database].jwt_keys.find_one({"kid": kid})
    assert stored is not None, "auth's signing key is not in its database"
    return serialization.load_pem_private_key(stored["private_pem"].encode(), password=None)


@pytest.fixture(scope="module")
def probes(suite, openapi_documents, genuine) -> dict[str, str]:
    """Per service, a path to probe: GET, no path parameters, for a person or a company, which
    answers 200 to the genuine token."""
    found = {}
    for service, document in openapi_documents.items():
        for op in operations_of(document, service):
            declared = op.caller["any_of"] if isinstance(op.caller, dict) else [op.caller]
            if op.method == "get" and not op.path_parameters and any(
                    isinstance(caller, str) and (caller in ("person", "logged-in") or caller.startswith("company:"))
                    for caller in declared) and requests.get(
                    f"{suite.gateway_url}{op.path}", headers={"Authorization": f"Bearer {genuine}"},
                    timeout=10).status_code == 200:
                found[service] = op.path
                break
    return found


def forge(kind: str, genuine: str, *, suite, service: str, signing_key, service_tokens, world) -> str:
    header, claims = parts(genuine)
    kid = header["kid"]
    now = int(time.time())
    if kind == "alg_none":
        return unsigned({"alg": "none", "typ": "JWT", "kid": kid}, claims) + "."
    if kind == "hs256_with_public_key":
        jwks = requests.get(f"{suite.gateway_url}/api/auth/jwks.json", timeout=10).json()
        jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
        public_pem = jwt.PyJWK(jwk).key.public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
        message = unsigned({"alg": "HS256", "typ": "JWT", "kid": kid}, claims)
        return f"{message}.{b64(hmac.new(public_pem, message.encode(), hashlib.sha256).digest())}"
    if kind == "foreign_rsa_key_real_kid":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
    if kind == "es256_real_kid":
        return jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": kid})
    if kind == "expired":
        return jwt.encode({**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 600}, signing_key,
                          algorithm="RS256", headers={"kid": kid})
    if kind == "wrong_audience":
        return jwt.encode({**claims, "aud": "https://elsewhere.example"}, signing_key, algorithm="RS256",
                          headers={"kid": kid})
    if kind == "service_token_for_another_service":
        other = next(name for name in suite.services if name != service)
        return service_tokens.token("notifier" if service != "notifier" else "contracts", other)
    if kind == "after_logout":
        session = login(suite, world.personas["head"])
        assert session.post("/api/auth/logout").status_code == 204
        return session.token
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", FORGERIES)
@pytest.mark.parametrize("service", available_services())
def test_a_forged_or_misused_token_is_refused(service, kind, suite, probes, genuine, auth_signing_key,
                                              service_tokens, world):
    path = probes[service]
    url = f"{suite.gateway_url}{path}"
    token = forge(kind, genuine, suite=suite, service=service, signing_key=auth_signing_key,
                  service_tokens=service_tokens, world=world)

    def refused():
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code < 500, (response.status_code, response.text)
        return (response,) if response.status_code == 401 else None  # a tuple: an error response is falsy
    # A logout reaches the other services as an event, moments later; the rest is refused at once.
    answer = eventually(refused, timeout=15, message=f"{service} refusing the token") if kind == "after_logout" \
        else refused()
    assert answer is not None, f"{kind} accepted by {service} at {path}"
    response = answer[0]
    assert is_problem(response) and response.json()["status"] == 401
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_every_service_is_probed(probes, suite):
    assert sorted(probes) == sorted(suite.services)



@pytest.mark.parametrize("service", available_services())
def test_the_same_claims_signed_with_auths_key_are_accepted(service, suite, probes, genuine, auth_signing_key):
    """The control: the forgeries signed with auth's key differ from a genuine token only in what
    each changes."""
    header, claims = parts(genuine)
    token = jwt.encode(claims, auth_signing_key, algorithm="RS256", headers={"kid": header["kid"]})
    response = requests.get(f"{suite.gateway_url}{probes[service]}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10)
    assert response.status_code == 200, response.text
