"""The use cases of AuthService called directly, against a database of the test's own and the
running suite's real registry (reached with real service tokens from the suite's auth). The
service under test signs with keys of its own, made in its own database; the simulator is
in-process, so the tests play the phone by calling the service."""
from __future__ import annotations

import uuid

import jwt
import pytest

from auth_service.domain import Authority
from auth_service.keys import KeyRing
from auth_service.repository import AuthRepository
from auth_service.service import AuthService
from auth_service.settings import AuthSettings
from auth_service.simulator import SimDirectory, SimIdentity, SimulatorPki
from egov_kit.errors import ServiceError

SECRET = "service-layer-test-secret"
HEADED_BY_ILQAR = "1701100121"
LOGISTICS = "1701100451"  # Çinarlı Logistika, headed by Gülnarə Əliyeva


@pytest.fixture
def settings() -> AuthSettings:
    return AuthSettings(asan_sim_enabled=True)


@pytest.fixture
def sims(settings) -> SimDirectory:
    return SimDirectory.load(settings.sim_identities_path)


@pytest.fixture
def make_service(fresh_db, registry_client, settings):
    def make(sims: SimDirectory) -> AuthService:
        repo = AuthRepository(fresh_db)
        return AuthService(settings=settings, service_secret=SECRET, repo=repo, keys=KeyRing(repo, rotation_days=30),
                           registry=registry_client("auth"), sims=sims, test_pki=SimulatorPki(repo))
    return make


@pytest.fixture
def service(make_service, sims) -> AuthService:
    return make_service(sims)


def refusal(call, *args) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(*args)
    return refused.value


def on_phone(service: AuthService, phone: str, code: str) -> dict:
    shown = [r for r in service.phone_requests(phone) if r["verification_code"] == code]
    assert len(shown) == 1, shown
    return shown[0]


def log_in(service: AuthService, identity: SimIdentity) -> dict:
    started = service.start_asan_login(identity.phone, identity.user_id)
    request = on_phone(service, identity.phone, started["verification_code"])
    service.answer_request(identity.phone, request["request_id"], identity.pin1)
    return service.poll_asan_login(started["session_id"])


# --- Asan İmza log-in -----------------------------------------------------------------------

def test_login_confirmed_with_pin1_gives_tokens_once(service, sims):
    ilqar = sims.by_fin["5ZK2M7P"]
    started = service.start_asan_login(ilqar.phone, ilqar.user_id)
    assert service.poll_asan_login(started["session_id"]) == {"state": "pending", "expires_at": started["expires_at"]}

    request = on_phone(service, ilqar.phone, started["verification_code"])
    assert request["kind"] == "login"
    assert service.answer_request(ilqar.phone, request["request_id"], ilqar.pin1)["state"] == "confirmed"

    polled = service.poll_asan_login(started["session_id"])
    assert polled["state"] == "confirmed" and polled["refresh_token"]
    person = service.authenticate(polled["access_token"])
    # The name comes from the population registry, not from the SIM card.
    assert (person.fin, person.name, person.patronymic) == ("5ZK2M7P", "İlqar", "Rəşid oğlu")
    assert service.phone_requests(ilqar.phone) == []

    again = refusal(service.poll_asan_login, started["session_id"])
    assert (again.status, again.errors) == (409, {"session_id": ["asan_session_used"]})


def test_three_wrong_pins_reject_the_login(service, sims):
    soh = sims.by_fin["7MW3KZS"]
    started = service.start_asan_login(soh.phone, soh.user_id)
    request = on_phone(service, soh.phone, started["verification_code"])

    first = refusal(service.answer_request, soh.phone, request["request_id"], soh.pin2)  # PIN2 only signs
    assert (first.status, first.code, first.extra["attempts_left"]) == (403, "invalid_pin", 2)
    refusal(service.answer_request, soh.phone, request["request_id"], "0000")
    third = refusal(service.answer_request, soh.phone, request["request_id"], "0001")
    assert (third.code, third.extra["state"]) == ("pin_attempts_exhausted", "rejected")

    assert service.poll_asan_login(started["session_id"])["state"] == "rejected"
    late = refusal(service.answer_request, soh.phone, request["request_id"], soh.pin1)
    assert late.status == 409


@pytest.mark.parametrize("phone, user_id, field", [
    ("+994509876543", "482913", "phone"),    # no SIM with this number
    ("+994501112233", "999999", "user_id"),  # the number's SIM has another user ID
])
def test_unknown_phone_or_user_is_refused(service, phone, user_id, field):
    refused = refusal(service.start_asan_login, phone, user_id)
    assert (refused.status, refused.errors) == (422, {field: ["unknown_asan_user"]})
    assert service.phone_requests("+994501112233") == []


def test_person_unknown_to_the_registry_gets_no_session(make_service, sims, fresh_db):
    stranger = SimIdentity(phone="+994501234567", user_id="111222", fin="ZZ0ZZ0Z", name="Nobody",
                           surname="Known", pin1="1111", pin2="2222")
    service = make_service(SimDirectory([*sims.identities, stranger]))
    refused = refusal(log_in, service, stranger)
    assert (refused.status, refused.code) == (403, "unknown_person")
    assert fresh_db.sessions.count_documents({}) == 0


# --- company roles ----------------------------------------------------------------------------

def test_head_acts_for_a_company_they_head_and_for_no_other(service, sims):
    ilqar = service.authenticate(log_in(service, sims.by_fin["5ZK2M7P"])["access_token"])
    acting = service.switch_role(ilqar, HEADED_BY_ILQAR)
    assert (acting["acting_for"], acting["company_role"]) == (HEADED_BY_ILQAR, "head")
    assert service.authenticate(acting["access_token"]).acting_for == HEADED_BY_ILQAR

    refused = refusal(service.switch_role, ilqar, LOGISTICS)
    assert (refused.status, refused.errors) == (403, {"voen": ["not_your_company"]})


def test_authority_gives_the_authorised_role_until_withdrawn(service, sims):
    tugrul = sims.by_fin["1XG5VHJ"]
    person = service.authenticate(log_in(service, tugrul)["access_token"])
    assert refusal(service.switch_role, person, LOGISTICS).status == 403

    authority = Authority(uuid.uuid4().hex, LOGISTICS, tugrul.fin, valid_until=None)
    service.authority_granted(authority)
    listed = {c["voen"]: c for c in service.me(person)["companies"]}
    assert listed[LOGISTICS]["role"] == "authorised" and "Çinarlı" in listed[LOGISTICS]["name"]
    assert service.switch_role(person, LOGISTICS)["company_role"] == "authorised"

    service.authority_withdrawn(authority)
    assert LOGISTICS not in {c["voen"] for c in service.me(person)["companies"]}
    assert refusal(service.switch_role, person, LOGISTICS).status == 403


def test_lapsed_authority_gives_no_role(service, sims):
    tugrul = sims.by_fin["1XG5VHJ"]
    person = service.authenticate(log_in(service, tugrul)["access_token"])
    service.authority_granted(Authority(uuid.uuid4().hex, LOGISTICS, tugrul.fin, valid_until="2020-01-01"))
    assert refusal(service.switch_role, person, LOGISTICS).status == 403


# --- logout -----------------------------------------------------------------------------------

def test_logout_revokes_the_session_and_records_the_event(service, sims, fresh_db):
    tokens = log_in(service, sims.by_fin["3HB8RXT"])
    person = service.authenticate(tokens["access_token"])
    service.logout(person)

    assert refusal(service.authenticate, tokens["access_token"]).code == "session_ended"
    assert refusal(service.refresh, tokens["refresh_token"]).status == 401
    assert refusal(service.logout, person).status == 401
    revoked = [r for r in service.revoked_sessions()["sessions"] if r["session_id"] == person.session_id]
    assert len(revoked) == 1

    outbox = fresh_db.sessions.find_one({"_id": person.session_id})["_outbox"]
    (event,) = outbox.values()
    assert event["type"] == "auth.session.revoked" and event["source"] == "auth"
    assert event["data"] == {"session_id": person.session_id, "until": revoked[0]["until"]}


# --- service tokens ---------------------------------------------------------------------------

def test_service_token_only_with_the_right_secret(service):
    token = service.service_token("contracts", SECRET, "registry")["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["svc"], claims["aud"]) == ("contracts", "svc:registry")
    assert service.authenticate(token, audience="svc:registry").service == "contracts"
    # A service token is no person's token.
    assert refusal(service.authenticate, token).status == 401

    for client_id, secret in (("contracts", "wrong"), ("stranger", SECRET), ("contracts", "")):
        refused = refusal(service.service_token, client_id, secret, "registry")
        assert (refused.status, refused.code) == (401, "invalid_client")
