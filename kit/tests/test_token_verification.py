"""Every service verifies tokens itself: signature by JWKS key id (with rotation), audience,
expiry, issuer, and logged-out sessions — against a real JWKS endpoint over HTTP."""
from __future__ import annotations

import json
import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from egov_kit.auth import TokenVerifier
from egov_kit.errors import ServiceError


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class JwksServer:
    def __init__(self):
        self.keys: dict[str, object] = {}
        self.hits = 0

    def publish(self, kid, key):
        self.keys[kid] = key

    def __call__(self, environ, start_response):
        self.hits += 1
        jwks = {"keys": [dict(json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())), kid=kid, alg="RS256", use="sig")
                         for kid, k in self.keys.items()]}
        return Response(json.dumps(jwks), mimetype="application/json")(environ, start_response)


@pytest.fixture(scope="module")
def jwks():
    app = JwksServer()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_port}/jwks.json"
    yield app
    server.shutdown()


def token(key, kid, **claims):
    now = int(time.time())
    body = {"iss": "egov-auth", "sub": "5ZK2M7P", "aud": "egov-api", "iat": now, "exp": now + 300, "sid": "s1"}
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def test_valid_token_and_key_rotation(jwks):
    first = new_key()
    jwks.publish("k1", first)
    verifier = TokenVerifier(jwks.url, "egov-api", "demo")
    assert verifier.verify(token(first, "k1"))["sub"] == "5ZK2M7P"
    # A new key appears: the verifier fetches JWKS again on the unknown kid, no restart.
    second = new_key()
    jwks.publish("k2", second)
    verifier._fetched_at = 0
    assert verifier.verify(token(second, "k2"))["sub"] == "5ZK2M7P"


def _es256_over_the_published_kid():
    from cryptography.hazmat.primitives.asymmetric import ec
    now = int(time.time())
    return jwt.encode({"iss": "egov-auth", "sub": "x", "aud": "egov-api", "iat": now, "exp": now + 300},
                      ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": "real"})


def _hs256_with_the_public_key(real):
    # The classic confusion: the public key (PEM, known to everyone) used as an HMAC secret.
    import hmac, hashlib, base64
    from cryptography.hazmat.primitives import serialization
    pem = real.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=")
    signing_input = b64(json.dumps({"alg": "HS256", "kid": "real", "typ": "JWT"}).encode()) + b"." + \
        b64(json.dumps({"iss": "egov-auth", "sub": "x", "aud": "egov-api", "iat": now, "exp": now + 300}).encode())
    return (signing_input + b"." + b64(hmac.new(pem, signing_input, hashlib.sha256).digest())).decode()


@pytest.mark.parametrize("case", ["expired", "audience", "issuer", "forged", "unknown_kid", "garbage", "none_alg",
                                  "es256_header", "hs256_public_key"])
def test_bad_tokens_are_refused(jwks, case):
    key = new_key() if case == "forged" else None
    real = new_key()
    jwks.publish("real", real)
    verifier = TokenVerifier(jwks.url, "egov-api", "demo")
    bad = {
        "expired": lambda: token(real, "real", exp=int(time.time()) - 60, iat=int(time.time()) - 400),
        "audience": lambda: token(real, "real", aud="svc:other"),
        "issuer": lambda: token(real, "real", iss="someone-else"),
        "forged": lambda: token(key, "real"),
        "unknown_kid": lambda: token(real, "nope"),
        "garbage": lambda: "not-a-token",
        "none_alg": lambda: jwt.encode({"sub": "x", "aud": "egov-api"}, None, algorithm="none"),
        "es256_header": _es256_over_the_published_kid,
        "hs256_public_key": lambda: _hs256_with_the_public_key(real),
    }[case]()
    with pytest.raises(ServiceError) as raised:
        verifier.verify(bad)
    assert raised.value.status == 401


def test_logged_out_session_is_refused(jwks):
    key = new_key()
    jwks.publish("k", key)
    verifier = TokenVerifier(jwks.url, "egov-api", "demo")
    good = token(key, "k", sid="session-9")
    assert verifier.verify(good)
    verifier.revoked.add("session-9", time.time() + 300)
    with pytest.raises(ServiceError):
        verifier.verify(good)


def test_service_token_needs_its_own_audience(jwks):
    key = new_key()
    jwks.publish("svc", key)
    verifier = TokenVerifier(jwks.url, "egov-api", "registry")
    service_token = token(key, "svc", aud="svc:registry", typ="service", svc="contracts", sub="service:contracts")
    assert verifier.verify(service_token, audience="svc:registry")["svc"] == "contracts"
    with pytest.raises(ServiceError):
        verifier.verify(service_token)  # not a portal token
