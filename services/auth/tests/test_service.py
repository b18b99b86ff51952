"""The use cases of AuthService called directly, against a database of the test's own, the running
suite's real registry (reached with real service tokens from the suite's auth) and a real Asan
İmza provider over HTTP: the suite's simulator, another simulator with a CA of its own, or a relay
in front of one that changes its answers. The phone is played through the simulator's phone API,
as a person would; the service under test never sees a PIN."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from auth_service import domain as d
from auth_service.asan import AsanProvider
from auth_service.domain import Authority
from auth_service.keys import KeyRing
from auth_service.repository import AuthRepository
from auth_service.service import AuthService
from auth_service.settings import AuthSettings
from auth_service.trust import TrustStore
from provider_support import Provider, flip_last_byte
from egov_kit.clock import utcnow
from egov_kit.errors import ServiceError

SECRET = "service-layer-test-secret"
HEADED_BY_ILQAR = "1701100121"
LOGISTICS = "1701100451"  # Çinarlı Logistika, headed by Gülnarə Əliyeva


class Phone:
    """The person's phone: what it shows and the PIN typed into it (the simulator's phone API)."""

    def __init__(self, base: str):
        self.base = base

    def shows(self, phone: str) -> list[dict]:
        response = requests.get(f"{self.base}/api/asan-sim/phones/{phone}/requests", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def request_with(self, phone: str, code: str) -> dict:
        shown = [r for r in self.shows(phone) if r["verification_code"] == code]
        assert len(shown) == 1, shown
        return shown[0]

    def answer(self, phone: str, code: str, pin: str) -> requests.Response:
        request = self.request_with(phone, code)
        return requests.post(f"{self.base}/api/asan-sim/phones/{phone}/requests/{request['request_id']}",
                             json={"pin": pin}, timeout=10)


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def make_service(fresh_db, registry_client, suite_provider):
    def make(provider=None, *, trust_file=None, now=utcnow, **settings) -> AuthService:
        provider = provider or suite_provider
        own = AuthSettings(asan_provider_url=provider.url, asan_rp_uuid=provider.rp_uuid,
                           trusted_ca_file=str(trust_file or provider.ca_file), **settings)
        repo = AuthRepository(fresh_db)
        return AuthService(settings=own, service_secret=SECRET, repo=repo, keys=KeyRing(repo, rotation_days=30),
                           registry=registry_client("auth"),
                           provider=AsanProvider(own.asan_provider_url, own.asan_rp_uuid, own.asan_rp_name),
                           trust=TrustStore(own.trusted_ca_file), now=now)
    return make


@pytest.fixture
def service(make_service) -> AuthService:
    return make_service()


@pytest.fixture(scope="session")
def phone(suite_provider) -> Phone:
    return Phone(suite_provider.phone_base)


def refusal(call, *args) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(*args)
    return refused.value


def log_in(service: AuthService, phone: Phone, person: dict) -> dict:
    started = service.start_asan_login(person["phone"], person["user_id"])
    assert phone.answer(person["phone"], started["verification_code"], person["pin1"]).status_code == 200
    polled = service.poll_asan_login(started["session_id"])
    assert polled["state"] == "confirmed", polled
    return polled


# --- Asan İmza log-in -----------------------------------------------------------------------

def test_login_confirmed_with_pin1_gives_tokens_once(service, phone, people, fresh_db):
    ilqar = people["multi_head"]
    started = service.start_asan_login(ilqar["phone"], ilqar["user_id"])
    assert service.poll_asan_login(started["session_id"]) == {"state": "pending", "expires_at": started["expires_at"]}

    # The code is auth's own, from the hash it sent; the phone shows the same.
    sent = fresh_db.asan_requests.find_one({"_id": started["session_id"]})
    assert len(sent["hash"]) == 32 and d.verification_code(sent["hash"]) == started["verification_code"]
    assert phone.request_with(ilqar["phone"], started["verification_code"])["kind"] == "login"
    assert phone.answer(ilqar["phone"], started["verification_code"], ilqar["pin1"]).status_code == 200

    polled = service.poll_asan_login(started["session_id"])
    assert polled["state"] == "confirmed" and polled["refresh_token"]
    person = service.authenticate(polled["access_token"])
    # The FİN from the certificate, the name from the population registry.
    assert (person.fin, person.name, person.patronymic) == ("5ZK2M7P", "İlqar", "Rəşid oğlu")
    assert person.roles == []
    # Where this person's signatures will be asked for: the number they logged in with.
    assert fresh_db.asan_signers.find_one({"_id": "5ZK2M7P"})["phone"] == ilqar["phone"]

    again = refusal(service.poll_asan_login, started["session_id"])
    assert (again.status, again.errors) == (409, {"session_id": ["asan_session_used"]})


def test_every_login_asks_to_sign_a_fresh_random_hash(service, people, fresh_db):
    nermin = people["employee_3"]
    first = service.start_asan_login(nermin["phone"], nermin["user_id"])["session_id"]
    fresh_db.asan_starts.delete_many({})  # not the same start repeated: a new log-in
    second = service.start_asan_login(nermin["phone"], nermin["user_id"])["session_id"]
    hashes = [fresh_db.asan_requests.find_one({"_id": s})["hash"] for s in (first, second)]
    assert hashes[0] != hashes[1]


def test_three_wrong_pins_reject_the_login(service, phone, people):
    soh = people["employee_2"]
    started = service.start_asan_login(soh["phone"], soh["user_id"])
    code = started["verification_code"]
    assert phone.answer(soh["phone"], code, soh["pin2"]).status_code == 403  # PIN2 only signs
    assert service.poll_asan_login(started["session_id"])["state"] == "pending"
    assert phone.answer(soh["phone"], code, "0000").status_code == 403
    assert phone.answer(soh["phone"], code, "0001").status_code == 403
    assert service.poll_asan_login(started["session_id"]) == {
        "state": "rejected", "reason": "user_cancelled", "expires_at": started["expires_at"]}


def test_unknown_phone_and_wrong_user_id_look_the_same(service, phone, people):
    ilqar = people["multi_head"]
    before = phone.shows(ilqar["phone"])
    answers = []
    for number, user_id in (("+994509876543", ilqar["user_id"]), (ilqar["phone"], "999999")):
        started = service.start_asan_login(number, user_id)
        assert set(started) == {"session_id", "verification_code", "expires_at"}
        polled = service.poll_asan_login(started["session_id"])
        answers.append({k: v for k, v in polled.items() if k != "expires_at"})
    assert answers[0] == answers[1] == {"state": "rejected", "reason": "not_asan_client"}
    assert phone.shows(ilqar["phone"]) == before


def test_a_result_whose_signature_does_not_verify_is_refused(make_service, tampering, phone, people, fresh_db):
    def bad_signature(body):
        body["signature"]["value"] = flip_last_byte(body["signature"]["value"])
        return body
    service = make_service(tampering(bad_signature))
    aygun = people["employee_1"]
    started = service.start_asan_login(aygun["phone"], aygun["user_id"])
    assert phone.answer(aygun["phone"], started["verification_code"], aygun["pin1"]).status_code == 200
    polled = service.poll_asan_login(started["session_id"])
    assert (polled["state"], polled["reason"]) == ("rejected", "signature_invalid")
    assert "access_token" not in polled and fresh_db.sessions.count_documents({}) == 0
    assert fresh_db.asan_signers.count_documents({}) == 0


def test_a_genuine_signature_over_another_hash_is_refused(make_service, tampering, phone, people, fresh_db):
    """A replayed answer: the right person's valid signature, but over an earlier log-in's hash."""
    kept = {}

    def replay_the_first(body):
        kept.setdefault("signature", body["signature"])
        body["signature"] = kept["signature"]
        return body
    service = make_service(tampering(replay_the_first))
    soh = people["employee_2"]
    log_in(service, phone, soh)  # the first answer passes unchanged
    fresh_db.asan_starts.delete_many({})  # a new log-in, not a repeated start
    started = service.start_asan_login(soh["phone"], soh["user_id"])
    assert phone.answer(soh["phone"], started["verification_code"], soh["pin1"]).status_code == 200
    polled = service.poll_asan_login(started["session_id"])
    assert (polled["state"], polled["reason"]) == ("rejected", "signature_invalid")


def test_a_certificate_that_did_not_make_the_signature_is_refused(make_service, tampering, suite_provider, phone,
                                                                  people):
    """Another genuine certificate of the same CA, in place of the signer's: it does not verify."""
    other = requests.get(f"{suite_provider.phone_base}/api/asan-sim/cards/{people['staff']['fin']}").json()
    other_der = base64.b64encode(_der(other["certificate"])).decode()

    def someone_elses_certificate(body):
        body["cert"] = other_der
        return body
    service = make_service(tampering(someone_elses_certificate))
    tugrul = people["employee_4"]
    started = service.start_asan_login(tugrul["phone"], tugrul["user_id"])
    assert phone.answer(tugrul["phone"], started["verification_code"], tugrul["pin1"]).status_code == 200
    assert service.poll_asan_login(started["session_id"])["reason"] == "signature_invalid"


def test_a_certificate_of_another_ca_is_refused_and_trusted_once_configured(make_service, other_simulator,
                                                                            suite_provider, people):
    ulviyye = people["jobless_1"]
    other_phone = Phone(other_simulator.phone_base)
    # The suite's CA only: the second simulator's perfectly valid answer does not chain to it.
    untrusting = make_service(other_simulator, trust_file=suite_provider.ca_file)
    started = untrusting.start_asan_login(ulviyye["phone"], ulviyye["user_id"])
    assert other_phone.answer(ulviyye["phone"], started["verification_code"], ulviyye["pin1"]).status_code == 200
    polled = untrusting.poll_asan_login(started["session_id"])
    assert (polled["state"], polled["reason"]) == ("rejected", "signature_invalid")
    # The same answer, from a CA the configuration names, is accepted.
    trusting = make_service(other_simulator)
    assert log_in(trusting, other_phone, ulviyye)["access_token"]


def test_person_unknown_to_the_registry_gets_no_session(make_service, start_simulator, tmp_path, fresh_db):
    stranger = {"phone": "+994501234567", "user_id": "111222", "pin1": "1111", "pin2": "22222", "fin": "ZZ0ZZ0Z",
                "name": "Heç", "surname": "Kim", "label": "unknown to the registry", "companies": []}
    identities = tmp_path / "identities.json"
    identities.write_text(json.dumps([stranger]), encoding="utf-8")
    provider = start_simulator(ASAN_SIM_IDENTITIES=str(identities))
    service = make_service(provider)
    refused = refusal(log_in, service, Phone(provider.phone_base), stranger)
    assert (refused.status, refused.code) == (403, "unknown_person")
    assert fresh_db.sessions.count_documents({}) == 0


def test_staff_come_from_the_configuration_only(make_service, phone, people):
    leyla = people["staff"]  # the demo's operations staff: nothing in her SIM says so
    plain = make_service(staff_fins=frozenset())
    assert plain.authenticate(log_in(plain, phone, leyla)["access_token"]).roles == []
    configured = make_service(staff_fins=frozenset({leyla["fin"]}))
    assert configured.authenticate(log_in(configured, phone, leyla)["access_token"]).roles == ["staff"]


def test_a_login_nobody_confirms_expires_and_a_late_confirmation_logs_nobody_in(make_service, phone, people):
    clock = Clock()
    service = make_service(now=clock, asan_request_ttl=60)
    sahin = people["jobless_2"]
    started = service.start_asan_login(sahin["phone"], sahin["user_id"])
    clock.now += timedelta(seconds=61)
    assert service.poll_asan_login(started["session_id"])["state"] == "expired"
    # The phone still shows it (the provider's own time has not run out); confirming it changes nothing.
    assert phone.answer(sahin["phone"], started["verification_code"], sahin["pin1"]).status_code == 200
    assert service.poll_asan_login(started["session_id"])["state"] == "expired"
    # A new start after expiry is a new request, not the old one.
    assert service.start_asan_login(sahin["phone"], sahin["user_id"])["session_id"] != started["session_id"]


def test_without_a_reachable_provider_asan_imza_is_unavailable(make_service, people, suite_provider):
    ilqar = people["multi_head"]
    dead = Provider("http://127.0.0.1:9/asan-api", suite_provider.rp_uuid, suite_provider.ca_file, "")
    refused = refusal(make_service(dead).start_asan_login, ilqar["phone"], ilqar["user_id"])
    assert (refused.status, refused.code) == (503, "asan_unavailable")
    wrong_credentials = Provider(suite_provider.url, str(uuid.uuid4()), suite_provider.ca_file, "")
    refused = refusal(make_service(wrong_credentials).start_asan_login, ilqar["phone"], ilqar["user_id"])
    assert (refused.status, refused.code) == (503, "asan_unavailable")


# --- signing for other services --------------------------------------------------------------

DIGESTS = [{"name": "notice.json", "digest": b"\x01" * 32, "pades": False},
           {"name": "notice.pdf", "digest": b"\x02" * 32, "pades": True}]


def test_signing_several_digests_runs_one_session_after_another(service, phone, people, fresh_db):
    aygun = people["employee_1"]
    log_in(service, phone, aygun)
    started = service.start_signing("contracts", aygun["fin"], "Bildirişin imzalanması", DIGESTS)
    first_code = started["verification_code"]
    shown = phone.request_with(aygun["phone"], first_code)
    assert (shown["kind"], shown["text"]) == ("sign", "Bildirişin imzalanması (1/2)")
    # One session at a time: the second is not on the phone before the first is signed.
    assert [r["text"] for r in phone.shows(aygun["phone"]) if r["kind"] == "sign"] == [shown["text"]]
    assert phone.answer(aygun["phone"], first_code, aygun["pin2"]).status_code == 200

    pending = service.signing("contracts", started["signing_id"])
    assert pending["state"] == "pending" and pending["verification_code"] != first_code
    second = phone.request_with(aygun["phone"], pending["verification_code"])
    assert second["text"] == "Bildirişin imzalanması (2/2)"
    stored = fresh_db.asan_requests.find_one({"_id": started["signing_id"]})
    assert d.verification_code(stored["digests"][1]["hash"]) == pending["verification_code"]
    assert phone.answer(aygun["phone"], pending["verification_code"], aygun["pin2"]).status_code == 200

    done = service.signing("contracts", started["signing_id"])
    assert done["state"] == "confirmed" and [s["name"] for s in done["signatures"]] == ["notice.json", "notice.pdf"]
    assert done["signer"]["fin"] == aygun["fin"] and "BEGIN CERTIFICATE" in done["ca_certificate"]
    # Another service does not see it.
    assert refusal(service.signing, "accidents", started["signing_id"]).status == 404


def test_signing_needs_an_asan_login_first(service, people):
    refused = refusal(service.start_signing, "contracts", people["head_b"]["fin"], "x", DIGESTS[:1])
    assert (refused.status, refused.errors) == (422, {"fin": ["no_asan_login"]})


def test_a_signature_that_does_not_verify_ends_the_signing(make_service, tampering, phone, people):
    calls = {"n": 0}

    def second_signature_broken(body):
        calls["n"] += 1
        if calls["n"] >= 2:  # the log-in passes; the signature does not
            body["signature"]["value"] = flip_last_byte(body["signature"]["value"])
        return body
    service = make_service(tampering(second_signature_broken))
    nermin = people["employee_3"]
    log_in(service, phone, nermin)
    started = service.start_signing("contracts", nermin["fin"], "İmza", DIGESTS[:1])
    assert phone.answer(nermin["phone"], started["verification_code"], nermin["pin2"]).status_code == 200
    ended = service.signing("contracts", started["signing_id"])
    assert (ended["state"], ended["reason"]) == ("rejected", "signature_invalid") and "signatures" not in ended


def test_signing_wrong_pins_reject(service, phone, people):
    soh = people["employee_2"]
    log_in(service, phone, soh)
    started = service.start_signing("contracts", soh["fin"], "İmza", DIGESTS)
    for pin in ("1", "2", soh["pin1"]):
        assert phone.answer(soh["phone"], started["verification_code"], pin).status_code == 403
    ended = service.signing("contracts", started["signing_id"])
    assert (ended["state"], ended["reason"]) == ("rejected", "user_cancelled")


# --- company roles ----------------------------------------------------------------------------

def test_head_acts_for_a_company_they_head_and_for_no_other(service, phone, people):
    ilqar = service.authenticate(log_in(service, phone, people["multi_head"])["access_token"])
    acting = service.switch_role(ilqar, HEADED_BY_ILQAR)
    assert (acting["acting_for"], acting["company_role"]) == (HEADED_BY_ILQAR, "head")
    assert service.authenticate(acting["access_token"]).acting_for == HEADED_BY_ILQAR

    refused = refusal(service.switch_role, ilqar, LOGISTICS)
    assert (refused.status, refused.errors) == (403, {"voen": ["not_your_company"]})


def test_authority_gives_the_authorised_role_until_withdrawn(service, phone, people):
    tugrul = people["employee_4"]
    person = service.authenticate(log_in(service, phone, tugrul)["access_token"])
    assert refusal(service.switch_role, person, LOGISTICS).status == 403

    authority = Authority(uuid.uuid4().hex, LOGISTICS, tugrul["fin"], valid_until=None)
    service.authority_granted(authority)
    listed = {c["voen"]: c for c in service.me(person)["companies"]}
    assert listed[LOGISTICS]["role"] == "authorised" and "Çinarlı" in listed[LOGISTICS]["name"]
    assert service.switch_role(person, LOGISTICS)["company_role"] == "authorised"

    service.authority_withdrawn(authority)
    assert LOGISTICS not in {c["voen"] for c in service.me(person)["companies"]}
    assert refusal(service.switch_role, person, LOGISTICS).status == 403


def test_lapsed_authority_gives_no_role(service, phone, people):
    tugrul = people["employee_4"]
    person = service.authenticate(log_in(service, phone, tugrul)["access_token"])
    service.authority_granted(Authority(uuid.uuid4().hex, LOGISTICS, tugrul["fin"], valid_until="2020-01-01"))
    assert refusal(service.switch_role, person, LOGISTICS).status == 403


# --- logout -----------------------------------------------------------------------------------

def test_logout_revokes_the_session_and_records_the_event(service, phone, people, fresh_db):
    tokens = log_in(service, phone, people["head_a"])
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


def _der(pem: str) -> bytes:
    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)
