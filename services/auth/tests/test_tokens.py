"""Tokens and sessions: company roles, refresh, logout reaching every service, service tokens, JWKS,
and tokens that must be refused."""
from __future__ import annotations

import json
import threading
import time
import uuid

import jwt
import pika
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from devtools.pytest_plugin import eventually

HEADED_BY_ILQAR = "1701100121"
HEADED_BY_GULNARE = "1701100451"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def ilqar(asan, people) -> dict:
    return asan.login(people["multi_head"])


def test_token_claims(ilqar, people):
    claims = claims_of(ilqar["access_token"])
    assert claims["iss"] == "egov-auth" and claims["aud"] == "egov-api"
    assert claims["sub"] == claims["fin"] == "5ZK2M7P" and claims["sid"]
    assert (claims["name"], claims["surname"], claims["patronymic"]) == ("İlqar", "Məmmədov", "Rəşid oğlu")
    assert claims["acting_for"] is None and claims["company_role"] is None and claims["roles"] == []
    assert claims["exp"] - claims["iat"] <= 900


def test_jwks_publishes_the_kid_of_issued_tokens(auth_url, ilqar):
    kid = jwt.get_unverified_header(ilqar["access_token"])["kid"]
    keys = requests.get(f"{auth_url}/api/auth/jwks.json").json()["keys"]
    published = {k["kid"]: k for k in keys}
    assert kid in published and published[kid]["kty"] == "RSA" and published[kid]["alg"] == "RS256"
    assert all("d" not in k for k in keys)  # never a private part
    key = jwt.PyJWK(published[kid]).key
    jwt.decode(ilqar["access_token"], key, algorithms=["RS256"], audience="egov-api", issuer="egov-auth")


def test_role_switch_to_a_company_the_person_heads(auth_url, ilqar):
    switched = requests.post(f"{auth_url}/api/auth/role", json={"voen": HEADED_BY_ILQAR},
                             headers=bearer(ilqar["access_token"]))
    assert switched.status_code == 200, switched.text
    token = switched.json()["access_token"]
    claims = claims_of(token)
    assert (claims["acting_for"], claims["company_role"]) == (HEADED_BY_ILQAR, "head")
    assert claims["sid"] == claims_of(ilqar["access_token"])["sid"]
    me = requests.get(f"{auth_url}/api/auth/me", headers=bearer(token)).json()
    assert me["acting_for"] == HEADED_BY_ILQAR and me["company_role"] == "head"

    # A refresh keeps acting for the company.
    refreshed = requests.post(f"{auth_url}/api/auth/refresh", json={"refresh_token": ilqar["refresh_token"]})
    assert refreshed.status_code == 200
    assert claims_of(refreshed.json()["access_token"])["acting_for"] == HEADED_BY_ILQAR

    back = requests.post(f"{auth_url}/api/auth/role", json={"voen": None}, headers=bearer(token))
    assert back.status_code == 200
    assert claims_of(back.json()["access_token"])["acting_for"] is None


@pytest.mark.parametrize("voen, status", [(HEADED_BY_GULNARE, 403), ("0000000000", 403), ("12345", 422)])
def test_role_for_a_foreign_or_bad_company_is_refused(auth_url, ilqar, voen, status):
    response = requests.post(f"{auth_url}/api/auth/role", json={"voen": voen}, headers=bearer(ilqar["access_token"]))
    assert response.status_code == status
    assert "voen" in response.json()["errors"]


def test_role_needs_a_person_token(auth_url, service_token):
    response = requests.post(f"{auth_url}/api/auth/role", json={"voen": HEADED_BY_ILQAR},
                             headers=bearer(service_token("contracts", "auth")))
    assert response.status_code == 403  # a valid token, of the wrong kind
    assert requests.post(f"{auth_url}/api/auth/role", json={"voen": None}).status_code == 401


def test_refresh_replaces_the_refresh_token(auth_url, ilqar):
    first = requests.post(f"{auth_url}/api/auth/refresh", json={"refresh_token": ilqar["refresh_token"]})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["refresh_token"] != ilqar["refresh_token"]
    assert claims_of(body["access_token"])["sid"] == claims_of(ilqar["access_token"])["sid"]
    stale = requests.post(f"{auth_url}/api/auth/refresh", json={"refresh_token": ilqar["refresh_token"]})
    assert stale.status_code == 401
    assert requests.post(f"{auth_url}/api/auth/refresh", json={"refresh_token": "x.y"}).status_code == 401


class RevocationWatcher:
    """A queue of our own on the suite's exchange, to see the event itself on the bus."""

    def __init__(self, amqp_url: str, exchange: str):
        self.seen: list[dict] = []
        self.ready = threading.Event()
        self.amqp_url, self.exchange = amqp_url, exchange
        threading.Thread(target=self._run, daemon=True).start()
        assert self.ready.wait(10)

    def _run(self):
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        channel = connection.channel()
        queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        channel.queue_bind(queue, self.exchange, routing_key="auth.session.revoked")
        self.ready.set()
        for _method, _props, body in channel.consume(queue, auto_ack=True, inactivity_timeout=30):
            if body is None:
                break
            self.seen.append(json.loads(body))
        connection.close()


def test_logout_stops_the_token_here_at_once_and_elsewhere_moments_later(
        suite, auth_url, asan, people, amqp_url, bus_names, service_token):
    gulnare = asan.login(people["head_a"])
    token, sid = gulnare["access_token"], claims_of(gulnare["access_token"])["sid"]
    registry_me = f"{suite.url('registry')}/api/registry/persons/{people['head_a']['fin']}"
    assert requests.get(registry_me, headers=bearer(token)).status_code == 200
    watcher = RevocationWatcher(amqp_url, bus_names["exchange"])

    assert requests.post(f"{auth_url}/api/auth/logout", headers=bearer(token)).status_code == 204

    refused = requests.get(f"{auth_url}/api/auth/me", headers=bearer(token))
    assert refused.status_code == 401 and refused.headers["Content-Type"].startswith("application/problem+json")
    assert requests.post(f"{auth_url}/api/auth/logout", headers=bearer(token)).status_code == 401
    assert requests.post(f"{auth_url}/api/auth/refresh",
                         json={"refresh_token": gulnare["refresh_token"]}).status_code == 401

    anonymous = requests.get(f"{auth_url}/api/auth/revoked-sessions")
    assert anonymous.status_code == 401  # for the suite's services only
    revoked = requests.get(f"{auth_url}/api/auth/revoked-sessions",
                           headers=bearer(service_token("certificates", "auth"))).json()["sessions"]
    mine = [r for r in revoked if r["session_id"] == sid]
    assert len(mine) == 1 and mine[0]["until"] >= claims_of(token)["exp"]

    event = eventually(lambda: next((e for e in watcher.seen if e["data"]["session_id"] == sid), None),
                       timeout=15, message="auth.session.revoked on the bus")
    assert event["type"] == "auth.session.revoked" and event["source"] == "auth"
    assert event["data"]["until"] == mine[0]["until"]
    eventually(lambda: requests.get(registry_me, headers=bearer(token)).status_code == 401,
               timeout=15, message="the registry refusing a logged-out token")


def test_logout_needs_a_token(auth_url):
    assert requests.post(f"{auth_url}/api/auth/logout").status_code == 401


# --- service tokens -------------------------------------------------------------------------

def test_service_token_claims_and_audience(suite, auth_url, service_token):
    token = service_token("contracts", "registry")
    claims = claims_of(token)
    assert (claims["typ"], claims["svc"], claims["sub"], claims["aud"]) == (
        "service", "contracts", "service:contracts", "svc:registry")
    registry = suite.url("registry")
    assert requests.get(f"{registry}/api/registry/organizations/{HEADED_BY_ILQAR}",
                        headers=bearer(token)).status_code == 200
    # Addressed to another service: the registry refuses it.
    elsewhere = service_token("contracts", "insurers")
    assert requests.get(f"{registry}/api/registry/organizations/{HEADED_BY_ILQAR}",
                        headers=bearer(elsewhere)).status_code == 401
    # And it is no person token.
    assert requests.get(f"{auth_url}/api/auth/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("body, status", [
    ({"client_id": "contracts", "client_secret": "wrong", "audience": "registry"}, 401),
    ({"client_id": "stranger", "client_secret": None, "audience": "registry"}, 401),
    ({"client_id": "contracts", "client_secret": None, "audience": "nowhere"}, 422),
    ({"client_id": "contracts", "audience": "registry"}, 422),
])
def test_service_token_refusals(auth_url, service_secret, body, status):
    if body.get("client_secret", "") is None:
        body = {**body, "client_secret": service_secret}
    response = requests.post(f"{auth_url}/api/auth/service-tokens", json=body)
    assert response.status_code == status
    assert "access_token" not in response.text


# --- refused tokens -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_key(auth_db):
    """The suite's signing key, read from the auth database, to forge tokens only it could make."""
    from auth_service.keys import SigningKey
    doc = next(auth_db.jwt_keys.find().sort("_id", -1).limit(1))
    return SigningKey(generation=doc["_id"], kid=doc["kid"], created_at=doc["created_at"],
                      public_pem=doc["public_pem"], private_pem=doc["private_pem"])


def forged(claims: dict, key, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_tokens_that_must_be_refused(auth_url, ilqar, real_key):
    good = claims_of(ilqar["access_token"])
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = {
        "another key, our kid": forged(good, stranger, real_key.kid),
        "another key, unknown kid": forged(good, stranger, uuid.uuid4().hex),
        "wrong audience": forged({**good, "aud": "svc:registry"}, real_key.private_key, real_key.kid),
        "expired": forged({**good, "iat": now - 3600, "exp": now - 600}, real_key.private_key, real_key.kid),
        "wrong issuer": forged({**good, "iss": "someone"}, real_key.private_key, real_key.kid),
        "no session": forged({**good, "sid": "nope"}, real_key.private_key, real_key.kid),
        "unsigned": jwt.encode(good, None, algorithm="none"),
        "garbage": "not.a.token",
    }
    for name, token in cases.items():
        response = requests.get(f"{auth_url}/api/auth/me", headers=bearer(token))
        assert response.status_code == 401, name
        assert response.headers["Content-Type"].startswith("application/problem+json"), name
    # The genuine one still works.
    assert requests.get(f"{auth_url}/api/auth/me", headers=bearer(ilqar["access_token"])).status_code == 200


def test_other_services_refuse_forged_tokens(suite, ilqar, real_key, people):
    good = claims_of(ilqar["access_token"])
    now = int(time.time())
    url = f"{suite.url('registry')}/api/registry/persons/{people['multi_head']['fin']}"
    expired = forged({**good, "iat": now - 3600, "exp": now - 600}, real_key.private_key, real_key.kid)
    wrong_aud = forged({**good, "aud": "elsewhere"}, real_key.private_key, real_key.kid)
    for token in (expired, wrong_aud):
        assert requests.get(url, headers=bearer(token)).status_code == 401
    assert requests.get(url, headers=bearer(ilqar["access_token"])).status_code == 200


def test_who_logged_out_is_for_the_suites_services_only(auth_url, asan, people):
    person = asan.login(people["head_a"])["access_token"]
    refused = requests.get(f"{auth_url}/api/auth/revoked-sessions", headers=bearer(person))
    assert refused.status_code == 403 and refused.headers["Content-Type"].startswith("application/problem+json")
