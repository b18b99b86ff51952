"""The provider's side of the simulator over real HTTP, as a relying party meets it: the relying
party's credentials, sessions over a hash, the phone's confirmation, the end results, and a
signature that verifies over that hash with a certificate of the simulator's CA."""
from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.x509.oid import NameOID

from asan_sim.domain import verification_code
from devtools.client import sim_identity

ILQAR = sim_identity(label="head of 3 companies")
AYGUN = sim_identity(label="employee / representative 1")
SIMULATOR_DIR = Path(__file__).resolve().parents[1]
HASHES = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}


def a_hash(hash_type: str = "SHA256") -> bytes:
    return hashlib.new(hash_type.lower(), os.urandom(16)).digest()


def started(simulator, path: str, person: dict, hash_value: bytes, hash_type: str = "SHA256", **extra) -> str:
    response = simulator.post(path, simulator.rp(phoneNumber=person["phone"], userId=person["user_id"],
                                                 hash=base64.b64encode(hash_value).decode(), hashType=hash_type,
                                                 language="AZE", displayText="Sınaq", **extra))
    assert response.status_code == 200, response.text
    return response.json()["sessionID"]


def shown(simulator, phone: str, code: str) -> dict:
    found = [r for r in simulator.phone(phone) if r["verification_code"] == code]
    assert len(found) == 1, found
    return found[0]


def check_signature(simulator, body: dict, hash_value: bytes, hash_type: str, fin: str) -> x509.Certificate:
    """What a relying party must check: the signature over the hash itself, with the certificate
    returned, which the simulator's CA issued and which names the person."""
    cert = x509.load_der_x509_certificate(base64.b64decode(body["cert"]))
    ca = x509.load_pem_x509_certificate((simulator.data_dir / "ca.pem").read_bytes())
    cert.verify_directly_issued_by(ca)
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == fin
    assert body["signature"]["algorithm"] == f"{hash_type}WithRSAEncryption"
    cert.public_key().verify(base64.b64decode(body["signature"]["value"]), hash_value, padding.PKCS1v15(),
                             utils.Prehashed(HASHES[hash_type]()))
    return cert


@pytest.mark.parametrize("hash_type", ["SHA256", "SHA384", "SHA512"])
def test_authentication_confirmed_with_pin1_returns_a_signature_over_the_hash(simulator, hash_type):
    hash_value = a_hash(hash_type)
    session_id = started(simulator, "/authentication", ILQAR, hash_value, hash_type)
    assert simulator.session(session_id).json() == {"state": "RUNNING"}

    request = shown(simulator, ILQAR["phone"], verification_code(hash_value))
    assert (request["kind"], request["text"]) == ("login", "Sınaq")
    assert request["relying_party"] == simulator.rp_name
    assert request["request_id"] != session_id  # the phone never sees the relying party's id
    assert simulator.answer(ILQAR["phone"], request["request_id"], ILQAR["pin1"]).status_code == 200

    body = simulator.session(session_id).json()
    assert (body["state"], body["result"]) == ("COMPLETE", "OK")
    check_signature(simulator, body, hash_value, hash_type, ILQAR["fin"])
    assert request["request_id"] not in [r["request_id"] for r in simulator.phone(ILQAR["phone"])]


def test_signature_is_confirmed_with_pin2_not_pin1(simulator):
    hash_value = a_hash()
    session_id = started(simulator, "/signature", AYGUN, hash_value)
    request = shown(simulator, AYGUN["phone"], verification_code(hash_value))
    assert request["kind"] == "sign"
    wrong = simulator.answer(AYGUN["phone"], request["request_id"], AYGUN["pin1"])
    assert wrong.status_code == 403 and wrong.json()["attempts_left"] == 2
    assert simulator.session(session_id).json()["state"] == "RUNNING"
    assert simulator.answer(AYGUN["phone"], request["request_id"], AYGUN["pin2"]).status_code == 200
    body = simulator.session(session_id).json()
    check_signature(simulator, body, hash_value, "SHA256", AYGUN["fin"])


def test_the_certificate_call_gives_the_card_it_signs_with(simulator):
    answer = simulator.post("/certificate", simulator.rp(phoneNumber=AYGUN["phone"], userId=AYGUN["user_id"]))
    assert answer.status_code == 200 and answer.json()["result"] == "OK"
    card = simulator.http.get(f"{simulator.url}/api/asan-sim/cards/{AYGUN['fin']}").json()
    assert x509.load_der_x509_certificate(base64.b64decode(answer.json()["cert"])) == \
        x509.load_pem_x509_certificate(card["certificate"].encode())
    for phone, user_id in ((AYGUN["phone"], "999999"), ("+994509876543", AYGUN["user_id"])):
        missing = simulator.post("/certificate", simulator.rp(phoneNumber=phone, userId=user_id))
        assert missing.status_code == 200 and missing.json() == {"result": "NOT_FOUND"}


def test_unknown_phone_and_wrong_user_id_end_the_same_and_reach_no_phone(simulator):
    before = simulator.phone(ILQAR["phone"])
    answers = []
    for phone, user_id in (("+994509876543", ILQAR["user_id"]), (ILQAR["phone"], "999999")):
        hash_value = a_hash()
        answers.append(simulator.session(started(simulator, "/authentication", {"phone": phone, "user_id": user_id},
                                                 hash_value)).json())
    assert answers[0] == answers[1] == {"state": "COMPLETE", "result": "NOT_MID_CLIENT"}
    assert simulator.phone(ILQAR["phone"]) == before


def test_three_wrong_pins_cancel_the_session(simulator):
    hash_value = a_hash()
    session_id = started(simulator, "/authentication", AYGUN, hash_value)
    request = shown(simulator, AYGUN["phone"], verification_code(hash_value))
    for pin, left in (("0000", 2), ("1111", 1)):
        refused = simulator.answer(AYGUN["phone"], request["request_id"], pin)
        assert refused.status_code == 403 and refused.json()["attempts_left"] == left
        assert "pin" in refused.json()["errors"]
    third = simulator.answer(AYGUN["phone"], request["request_id"], "2222")
    assert third.status_code == 403 and third.json()["state"] == "rejected"
    assert simulator.session(session_id).json() == {"state": "COMPLETE", "result": "USER_CANCELLED"}
    late = simulator.answer(AYGUN["phone"], request["request_id"], AYGUN["pin1"])
    assert late.status_code == 409 and late.json()["state"] == "rejected"


def test_a_long_poll_answers_once_the_person_confirms(simulator):
    hash_value = a_hash()
    session_id = started(simulator, "/authentication", ILQAR, hash_value)
    polled = {}
    waiting = threading.Thread(target=lambda: polled.update(simulator.session(session_id, timeout_ms=60_000).json()))
    waiting.start()
    request = shown(simulator, ILQAR["phone"], verification_code(hash_value))
    assert simulator.answer(ILQAR["phone"], request["request_id"], ILQAR["pin1"]).status_code == 200
    waiting.join(60)
    assert polled["state"] == "COMPLETE" and polled["result"] == "OK"


def test_an_unanswered_session_times_out(start_simulator):
    quick = start_simulator(ASAN_SIM_SESSION_TTL_SECONDS="1")
    session_id = started(quick, "/authentication", ILQAR, a_hash())
    # The long poll returns when the session ends, which is its expiry here.
    assert quick.session(session_id, timeout_ms=30_000).json() == {"state": "COMPLETE", "result": "TIMEOUT"}
    assert quick.phone(ILQAR["phone"]) == []


@pytest.mark.parametrize("credentials", [
    {"relyingPartyUUID": "00000000-0000-0000-0000-000000000000"},
    {"relyingPartyName": "Başqa xidmət"},
    {"relyingPartyUUID": None},
    {"relyingPartyName": 17},
])
def test_wrong_relying_party_is_401_before_anything_else(simulator, credentials):
    for path in ("/authentication", "/signature", "/certificate"):
        body = simulator.rp(phoneNumber="nonsense", userId=[], hash="%%%", hashType="MD5")
        body.update(credentials)
        response = simulator.post(path, body)
        assert response.status_code == 401, response.text
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert "errors" not in response.json()


def test_sessions_are_read_with_the_relying_partys_uuid_only(simulator):
    session_id = started(simulator, "/authentication", ILQAR, a_hash())
    assert simulator.session(session_id, rp_uuid="someone else").status_code == 401
    assert simulator.session("no-such-session").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"hash": base64.b64encode(b"short").decode()}, "hash"),
    ({"hash": "%%% not base64"}, "hash"),
    ({"hashType": "MD5"}, "hashType"),
    ({"hashType": "SHA384"}, "hash"),          # a SHA-256 value is not a SHA-384 one
    ({"phoneNumber": "0501112233x"}, "phoneNumber"),
    ({"userId": "12ab"}, "userId"),
    ({"language": "FRA"}, "language"),
    ({"displayText": "x" * 2000}, "displayText"),
])
def test_malformed_requests_are_400_naming_the_field(simulator, change, field):
    body = simulator.rp(phoneNumber=ILQAR["phone"], userId=ILQAR["user_id"],
                        hash=base64.b64encode(a_hash()).decode(), hashType="SHA256")
    body.update(change)
    response = simulator.post("/authentication", body)
    assert response.status_code == 400 and field in response.json()["errors"]


@pytest.mark.parametrize("raw", [b"[]", b"{", b"[" * 100 + b"]" * 100, b'{"a": 1' + b"0" * 5000 + b"}"])
def test_bodies_that_are_not_usable_json_are_400(simulator, raw):
    response = simulator.http.post(f"{simulator.api}/authentication", data=raw,
                                   headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 401)
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_the_ca_and_the_cards_survive_a_restart(start_simulator, tmp_path):
    first = start_simulator(tmp_path)
    card = first.http.get(f"{first.url}/api/asan-sim/cards/{ILQAR['fin']}").json()
    ca = first.http.get(f"{first.url}/api/asan-sim/ca.pem").text
    assert ca == (tmp_path / "asan-sim" / "ca.pem").read_text() == card["ca_certificate"]
    first.suite.stop()
    again = start_simulator(tmp_path)
    assert again.http.get(f"{again.url}/api/asan-sim/ca.pem").text == ca
    assert again.http.get(f"{again.url}/api/asan-sim/cards/{ILQAR['fin']}").json() == card


def test_without_the_relying_partys_uuid_it_does_not_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ASAN_RP_UUID"}
    env["PYTHONPATH"] = os.pathsep.join([str(SIMULATOR_DIR), env.get("PYTHONPATH", "")])
    env["ASAN_SIM_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "asan_sim", "--port", "1"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("asan-sim: ASAN_RP_UUID is not set")
    assert not (tmp_path / "ca.pem").exists()
