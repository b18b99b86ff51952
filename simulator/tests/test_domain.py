"""The simulator's rules, without HTTP: the verification code, the test people, the sessions."""
from __future__ import annotations

import hashlib
import json
import re

import pytest

from asan_sim import domain as d
from asan_sim.sessions import NotRunning, PinRefused, Sessions
from asan_sim.settings import DEFAULT_IDENTITIES


def code_by_bits(hash_value: bytes) -> str:
    """The rule as the protocol states it, bit by bit: the first 6 bits of the hash, then the
    last 7, read as one 13-bit number."""
    bits = "".join(f"{byte:08b}" for byte in hash_value)
    return f"{int(bits[:6] + bits[-7:], 2):04d}"


@pytest.mark.parametrize("hash_value, code", [
    (bytes(32), "0000"),
    (b"\xff" * 32, "8191"),                      # the largest code
    (b"\x04" + bytes(31), "0128"),               # the lowest of the first six bits
    (b"\x03" + bytes(30) + b"\x80", "0000"),     # the bits in between count for nothing
    (bytes(31) + b"\x01", "0001"),
    (b"\xfc" + b"\x55" * 30 + b"\x7f", "8191"),
])
def test_verification_code_takes_6_bits_from_the_start_and_7_from_the_end(hash_value, code):
    assert d.verification_code(hash_value) == code == code_by_bits(hash_value)


def test_verification_code_of_real_hashes_of_every_length():
    for algorithm in ("sha256", "sha384", "sha512"):
        for text in ("Əmək", "giriş", "x"):
            value = hashlib.new(algorithm, text.encode()).digest()
            code = d.verification_code(value)
            assert code == code_by_bits(value) and re.fullmatch(r"\d{4}", code) and int(code) <= 8191


def test_unknown_phone_and_wrong_user_id_are_one_answer():
    people = d.Identities.load(DEFAULT_IDENTITIES)
    ilqar = people.by_fin["5ZK2M7P"]
    assert people.holder(ilqar.phone, ilqar.user_id) is ilqar
    assert people.holder("994 50 111 22 33", ilqar.user_id) is ilqar  # the number however written
    assert people.holder("+994509876543", ilqar.user_id) is None
    assert people.holder(ilqar.phone, "999999") is None


def test_the_identities_file():
    rows = json.loads(DEFAULT_IDENTITIES.read_text(encoding="utf-8"))
    for key in ("phone", "user_id", "fin"):
        assert len({r[key] for r in rows}) == len(rows), key
    for row in rows:
        # Nothing in a test SIM makes anyone staff: staff come from auth's configuration only.
        assert set(row) == {"phone", "user_id", "pin1", "pin2", "fin", "name", "surname", "label", "companies"}
        assert re.fullmatch(r"\+994\d{9}", row["phone"]) and re.fullmatch(r"[0-9A-Z]{7}", row["fin"])
        assert row["pin1"] != row["pin2"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def start(sessions: Sessions, identity, kind=d.LOGIN):
    return sessions.start(kind=kind, rp_uuid="rp", rp_name="RP", phone=identity.phone if identity else "+994500000000",
                          identity=identity, hash_value=hashlib.sha256(b"x").digest(), hash_type="SHA256",
                          display_text="Giriş")


def signed(_session):
    return b"signature", "SHA256WithRSAEncryption", b"cert"


def test_a_session_for_no_sim_ends_at_once_and_shows_nowhere():
    sessions = Sessions(ttl=120, clock=Clock())
    session = start(sessions, None)
    assert (session.state, session.result) == (d.COMPLETE, d.NOT_MID_CLIENT)
    assert sessions.pending_on("+994500000000") == []


def test_pins_wrong_pin_counts_and_the_third_cancels():
    people = d.Identities.load(DEFAULT_IDENTITIES)
    ilqar = people.by_fin["5ZK2M7P"]
    sessions = Sessions(ttl=120, clock=Clock())
    login = start(sessions, ilqar)
    with pytest.raises(PinRefused) as first:
        sessions.answer(login, ilqar.pin2, signed)  # PIN2 does not confirm a log-in
    assert first.value.attempts_left == 2
    assert sessions.answer(login, ilqar.pin1, signed).result == d.OK

    signing = start(sessions, ilqar, d.SIGN)
    for left in (2, 1, 0):
        with pytest.raises(PinRefused) as refused:
            sessions.answer(signing, ilqar.pin1, signed)  # PIN1 does not sign
        assert refused.value.attempts_left == left
    assert (signing.state, signing.result) == (d.COMPLETE, d.USER_CANCELLED)
    with pytest.raises(NotRunning):
        sessions.answer(signing, ilqar.pin2, signed)


def test_a_session_nobody_answers_times_out():
    clock = Clock()
    people = d.Identities.load(DEFAULT_IDENTITIES)
    sessions = Sessions(ttl=120, clock=clock)
    session = start(sessions, people.by_fin["2PLX9DM"])
    assert sessions.pending_on(session.phone) == [session]
    clock.now += 120
    assert sessions.get(session.session_id, "rp").result == d.TIMEOUT
    assert sessions.pending_on(session.phone) == []
    assert sessions.get(session.session_id, "another relying party") is None
