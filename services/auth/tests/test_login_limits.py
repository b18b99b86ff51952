"""Log-in limits: Asan İmza starts per phone number and per user ID, card log-ins per card holder,
and all of them with card challenges per client, counted in fixed windows in the database every
auth process shares. Past a limit: 429 with Retry-After, one answer whichever limit it was and
whatever the attempt named.

The use cases are called directly with small limits (every other limit off) and a clock of the
test's own, against a database of the test's own and the suite's simulator and registry; the HTTP
side with apps of the test's own; what a client can and cannot change through the gateway, and
what tells an unknown phone from a wrong user ID, against the running suite."""
from __future__ import annotations

import base64
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests

from auth_service import domain as d
from auth_service.asan import AsanProvider
from auth_service.keys import KeyRing
from auth_service.repository import AuthRepository
from auth_service.service import AuthService
from auth_service.settings import AuthSettings, own_settings
from auth_service.trust import TrustStore
from egov_kit import pki
from egov_kit.clock import utcnow
from egov_kit.errors import ServiceError

SECRET = "login-limits-test-secret"
NO_LIMITS = {"login_per_phone": 0, "login_per_user_id": 0, "login_per_card": 0, "login_per_client": 0}
CARD_FIN = "4RD6YFC"  # Nərmin Həsənova: her card is the simulator's


class Clock:
    """Still, unless the test moves it."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def to_the_next_window(self, seconds: int) -> None:
        self.now += timedelta(seconds=d.login_window(self.now, seconds)[1])


def unknown_phone() -> str:
    """A well-formed mobile number no SIM of the simulator has: nothing reaches any phone."""
    return "+99470" + "".join(secrets.choice("0123456789") for _ in range(7))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(fresh_db, registry_client, suite_provider, clock):
    """Factory: auth's use cases on the test's database, with only the limits named."""
    def make(**limits) -> AuthService:
        own = AuthSettings(asan_provider_url=suite_provider.url, asan_rp_uuid=suite_provider.rp_uuid,
                           trusted_ca_file=str(suite_provider.ca_file), **{**NO_LIMITS, **limits})
        repo = AuthRepository(fresh_db)
        return AuthService(settings=own, service_secret=SECRET, repo=repo, keys=KeyRing(repo, rotation_days=30),
                           registry=registry_client("auth"),
                           provider=AsanProvider(own.asan_provider_url, own.asan_rp_uuid, own.asan_rp_name),
                           trust=TrustStore(own.trusted_ca_file), now=clock)
    return make


@pytest.fixture(scope="module")
def card(suite) -> pki.CertKey:
    body = requests.get(f"{suite.asan_sim_url}/api/asan-sim/cards/{CARD_FIN}", timeout=10).json()
    return pki.load_certkey(body["private_key"], body["certificate"])


def pending_on(suite, phone: str) -> list[dict]:
    response = requests.get(f"{suite.asan_sim_url}/api/asan-sim/phones/{phone}/requests", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def refused(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


def card_login(service: AuthService, card: pki.CertKey, client: str | None = None, *, sign_with=None) -> dict:
    nonce = service.card_challenge(client)["nonce"]
    signature = pki.sign_challenge(sign_with or card, base64.b64decode(nonce))
    return service.card_login(card.cert_pem, nonce, base64.b64encode(signature).decode(), client)


def assert_limited(error: ServiceError, clock: Clock, window: int = 600) -> None:
    assert (error.status, error.code, error.errors) == (429, "too_many_login_attempts", {})
    assert error.headers == {"Retry-After": str(d.login_window(clock.now, window)[1])}


# --- each limit ------------------------------------------------------------------------------

def test_asan_starts_are_limited_per_phone_number(limited, clock, people, suite):
    service = limited(login_per_phone=2)
    ilqar = people["multi_head"]
    before = pending_on(suite, ilqar["phone"])
    # Whatever the user ID, and from wherever: the number's starts are counted.
    service.start_asan_login(ilqar["phone"], "111111", "198.51.100.1")
    service.start_asan_login(ilqar["phone"], "222222", "198.51.100.2")
    assert_limited(refused(service.start_asan_login, ilqar["phone"], ilqar["user_id"], "198.51.100.3"), clock)
    assert pending_on(suite, ilqar["phone"]) == before  # the provider was not asked
    assert service.start_asan_login(unknown_phone(), ilqar["user_id"])["session_id"]  # another number starts

    clock.to_the_next_window(600)
    started = service.start_asan_login(ilqar["phone"], ilqar["user_id"], "198.51.100.3")
    assert [r["verification_code"] for r in pending_on(suite, ilqar["phone"])
            if r not in before] == [started["verification_code"]]


def test_asan_starts_are_limited_per_user_id(limited, clock, people):
    service = limited(login_per_user_id=2)
    gulnare = people["head_a"]
    service.start_asan_login(unknown_phone(), gulnare["user_id"])
    service.start_asan_login(unknown_phone(), gulnare["user_id"])
    assert_limited(refused(service.start_asan_login, gulnare["phone"], gulnare["user_id"]), clock)
    assert service.start_asan_login(gulnare["phone"], "123456")["session_id"]
    clock.to_the_next_window(600)
    assert service.start_asan_login(unknown_phone(), gulnare["user_id"])["session_id"]


def test_card_log_ins_are_limited_per_card_holder_once_the_card_proved_itself(limited, clock, card, fresh_db,
                                                                               test_ca):
    service = limited(login_per_card=2)
    # Her certificate is public (it is in every document she signs): sent with a signature her
    # key did not make, it fails — and is not counted against her.
    stranger = pki.issue_certificate(test_ca, common_name="Başqa Adam", fin="9ZZ9ZZ9", key_type="ec")
    for _ in range(3):
        assert refused(card_login, service, card, sign_with=stranger).errors == {"signature": ["signature_mismatch"]}
    assert card_login(service, card)["access_token"]
    assert card_login(service, card)["access_token"]
    assert_limited(refused(card_login, service, card), clock)
    assert fresh_db.sessions.count_documents({"fin": CARD_FIN}) == 2  # the registry was not asked again
    clock.to_the_next_window(600)
    assert card_login(service, card)["access_token"]


def test_log_ins_are_limited_per_client(limited, clock, people, card):
    service = limited(login_per_client=3)
    ilqar = people["multi_head"]
    # An IPv6 client is its /64: these two addresses are one client.
    service.start_asan_login(unknown_phone(), ilqar["user_id"], "2001:db8:0:7::1")
    service.card_challenge("2001:db8:0:7::2")
    card_login(service, card, "198.51.100.9")  # a challenge and a log-in: two attempts of another client
    service.card_challenge("2001:db8:0:7:ffff::3")
    for attempt in (lambda: service.start_asan_login(unknown_phone(), "654321", "2001:db8:0:7::1"),
                    lambda: service.card_challenge("2001:db8:0:7::1"),
                    lambda: card_login(service, card, "198.51.100.9")):
        assert_limited(refused(attempt), clock)
    assert service.card_challenge("2001:db8:0:8::1")["nonce"]  # the next /64
    assert service.card_challenge(None)["nonce"]  # no client (a direct call): not counted
    clock.to_the_next_window(600)
    assert service.card_challenge("2001:db8:0:7::1")["nonce"]


@pytest.fixture(scope="module")
def test_ca(suite) -> pki.CertKey:
    return pki.load_certkey((suite.asan_sim_dir / "private" / "ca-key.pem").read_text(),
                            (suite.asan_sim_dir / "ca.pem").read_text())


# --- one answer ------------------------------------------------------------------------------

def test_past_any_limit_the_answer_is_the_same(limited, clock, people):
    """Whichever limit a start met — its number's, its user ID's, its client's — and whether the
    number and the user ID belong together or not, the refusal is the same, to the header."""
    service = limited(login_per_phone=1, login_per_user_id=1, login_per_client=1)
    ilqar, aygun = people["multi_head"], people["employee_1"]
    service.start_asan_login(ilqar["phone"], "999998", "198.51.100.1")
    service.start_asan_login(unknown_phone(), aygun["user_id"], "198.51.100.2")
    refusals = [
        refused(service.start_asan_login, ilqar["phone"], "999999", "198.51.100.3"),  # the number's; a wrong ID
        refused(service.start_asan_login, unknown_phone(), aygun["user_id"], "198.51.100.4"),  # the ID's; no SIM
        refused(service.start_asan_login, unknown_phone(), "888888", "198.51.100.1"),  # the client's
        refused(service.start_asan_login, aygun["phone"], aygun["user_id"], "198.51.100.2"),  # a right pair
    ]
    for error in refusals:
        assert_limited(error, clock)
    assert len({(e.status, e.code, repr(e.errors), repr(e.headers), repr(e.extra), e.detail) for e in refusals}) == 1


def test_the_limits_are_shared_by_every_auth_process(limited, clock):
    """Two services on one database, as two processes of auth are: one count."""
    first, second = limited(login_per_client=3), limited(login_per_client=3)
    first.card_challenge("198.51.100.7")
    second.card_challenge("198.51.100.7")
    first.card_challenge("198.51.100.7")
    assert_limited(refused(second.card_challenge, "198.51.100.7"), clock)
    assert_limited(refused(first.card_challenge, "198.51.100.7"), clock)


def test_attempts_at_the_same_moment_are_counted_exactly(limited):
    service = limited(login_per_client=5)
    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(lambda _: _status(lambda: service.card_challenge("198.51.100.8")), range(12)))
    assert sorted(outcomes) == [200] * 5 + [429] * 7


def _status(call) -> int:
    try:
        call()
        return 200
    except ServiceError as error:
        return error.status


# --- settings ------------------------------------------------------------------------------

def test_the_limits_come_from_the_environment(monkeypatch):
    for name, value in (("AUTH_LOGIN_WINDOW_SECONDS", "300"), ("AUTH_LOGIN_LIMIT_PER_PHONE", "4"),
                        ("AUTH_LOGIN_LIMIT_PER_USER_ID", "5"), ("AUTH_LOGIN_LIMIT_PER_CARD", "6"),
                        ("AUTH_LOGIN_LIMIT_PER_CLIENT", "0")):
        monkeypatch.setenv(name, value)
    settings = own_settings()
    assert (settings.login_window, settings.login_per_phone, settings.login_per_user_id, settings.login_per_card,
            settings.login_per_client) == (300, 4, 5, 6, 0)
    monkeypatch.setenv("AUTH_LOGIN_WINDOW_SECONDS", "0")
    with pytest.raises(ValueError):
        own_settings()
    monkeypatch.setenv("AUTH_LOGIN_WINDOW_SECONDS", "300")
    monkeypatch.setenv("AUTH_LOGIN_LIMIT_PER_PHONE", "-1")
    with pytest.raises(ValueError):
        own_settings()


# --- over HTTP -----------------------------------------------------------------------------

def test_the_client_is_the_address_the_gateway_sends(isolated_app):
    """Auth counts the client the gateway names in X-Real-IP (the gateway replaces whatever a
    client wrote there: gateway/tests); without it, the address the request came from."""
    app = isolated_app(login_per_client=2)
    one = {"X-Real-IP": "198.51.100.21"}
    assert [app.get("/api/auth/card/challenge", headers=one).status_code for _ in range(2)] == [200, 200]
    limited = app.get("/api/auth/card/challenge", headers={**one, "Accept-Language": "en"})
    assert limited.status_code == 429 and limited.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 600
    assert limited.headers["Cache-Control"] == "no-store"
    assert limited.json["detail"] == "Too many log-in attempts. Please try again later."
    assert app.get("/api/auth/card/challenge", headers={"X-Real-IP": "198.51.100.22"}).status_code == 200
    assert app.get("/api/auth/card/challenge").status_code == 200  # 127.0.0.1: a client of its own
    # A card log-in of that client is refused before anything it sent is looked at.
    refused_login = app.post("/api/auth/card/sessions", headers=one,
                             json={"certificate": "x", "nonce": "bm9uY2U=", "signature": "c2ln"})
    assert refused_login.status_code == 429


def test_past_a_limit_an_unknown_phone_and_a_wrong_user_id_get_one_answer_over_http(isolated_app, people):
    app = isolated_app(login_per_phone=1)
    sahin = people["jobless_2"]
    answers = []
    for phone, user_id in ((unknown_phone(), sahin["user_id"]), (sahin["phone"], "999999")):
        assert app.post("/api/auth/asan/sessions", json={"phone": phone, "user_id": user_id}).status_code == 201
        answers.append(app.post("/api/auth/asan/sessions", json={"phone": phone, "user_id": user_id}))
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].json == answers[1].json
    for name in ("Retry-After",):  # the wait depends on the moment, not on the pair
        assert all(1 <= int(a.headers[name]) <= 600 for a in answers)
    assert _comparable(answers[0].headers) == _comparable(answers[1].headers)


def test_two_apps_on_one_database_share_the_count(isolated_app):
    first, second = isolated_app(login_per_user_id=2), isolated_app(login_per_user_id=2)
    start = {"user_id": "246810"}
    assert first.post("/api/auth/asan/sessions", json={**start, "phone": unknown_phone()}).status_code == 201
    assert second.post("/api/auth/asan/sessions", json={**start, "phone": unknown_phone()}).status_code == 201
    assert first.post("/api/auth/asan/sessions", json={**start, "phone": unknown_phone()}).status_code == 429
    assert second.post("/api/auth/asan/sessions", json={**start, "phone": unknown_phone()}).status_code == 429


def test_the_limits_are_documented(isolated_app):
    document = isolated_app().get("/api/auth/openapi.json").json
    for path, method in (("/api/auth/asan/sessions", "post"), ("/api/auth/card/challenge", "get"),
                         ("/api/auth/card/sessions", "post")):
        answer = document["paths"][path][method]["responses"]["429"]
        assert "Retry-After" in answer["headers"] and "log-in attempts" in answer["description"]


def _comparable(headers) -> dict:
    """Headers as a client compares two answers: all but the request's own id, the date and the
    wait; and the length, which differs with an instant on a whole second (its fraction left out):
    the bodies are compared."""
    return {k: v for k, v in headers.items()
            if k.lower() not in ("x-request-id", "date", "retry-after", "content-length")}


# --- against the running suite ---------------------------------------------------------------

def test_nothing_tells_an_unknown_phone_from_a_wrong_user_id(suite, people):
    """Through the gateway, as the portal goes: the start and every poll answer alike for a number
    no SIM has and for a person's number with another user ID — status, headers (all but the
    request id and the date), and bodies alike but for the values that are new each time; and
    nothing reaches the person's phone. (How long each takes is not compared.)"""
    gateway = suite.gateway_url
    sahin = people["jobless_2"]
    before = pending_on(suite, sahin["phone"])
    starts, polls = [], []
    for phone, user_id in ((unknown_phone(), sahin["user_id"]), (sahin["phone"], "970531")):
        started = requests.post(f"{gateway}/api/auth/asan/sessions", json={"phone": phone, "user_id": user_id},
                                timeout=10)
        starts.append(started)
        session = started.json()["session_id"]
        polls.append([requests.get(f"{gateway}/api/auth/asan/sessions/{session}", timeout=10) for _ in range(2)])
    assert [s.status_code for s in starts] == [201, 201]
    assert [[p.status_code for p in pair] for pair in polls] == [[200, 200], [200, 200]]
    for answers in (starts, [pair[0] for pair in polls], [pair[1] for pair in polls]):
        assert _comparable(answers[0].headers) == _comparable(answers[1].headers)
        assert _shape(answers[0].json()) == _shape(answers[1].json())
    assert {k: v for k, v in polls[0][0].json().items() if k != "expires_at"} == {
        "state": "rejected", "reason": "not_asan_client"}
    assert all(pair[0].json() == pair[1].json() for pair in polls)
    assert pending_on(suite, sahin["phone"]) == before


def _shape(body: dict) -> dict:
    """A body with the values that are new on every request replaced by their form."""
    forms = {"session_id": lambda v: (type(v).__name__, len(v)), "verification_code": lambda v: (len(v), v.isdigit()),
             "expires_at": lambda v: datetime.fromisoformat(v).utcoffset() == timedelta(0)}
    return {k: forms[k](v) if k in forms else v for k, v in body.items()}


def test_a_client_cannot_name_its_own_address_through_the_gateway(suite, auth_url):
    """Told straight to auth, two addresses are two clients: a repeated start is a log-in of its
    own, not the first one again. Through the gateway, whatever the client writes in X-Real-IP or
    X-Forwarded-For, auth sees the one address the gateway took the connection from."""
    def two_starts(base: str) -> set[str]:
        body = {"phone": unknown_phone(), "user_id": "135790"}
        return {requests.post(f"{base}/api/auth/asan/sessions", json=body, timeout=10,
                              headers={"X-Real-IP": address, "X-Forwarded-For": address}).json()["session_id"]
                for address in ("198.51.100.31", "198.51.100.32")}

    assert len(two_starts(auth_url)) == 2
    assert len(two_starts(suite.gateway_url)) == 1
