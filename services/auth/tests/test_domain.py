"""The auth rules on their own, with a clock of the test's choosing: the log-in's hash and its
verification code, request expiry, the provider's end results, idempotent starts, sessions and
tokens, company roles, authorities, service clients, key selection."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from auth_service import domain as d
from auth_service.keys import ACTIVATION_DELAY, new_signing_key, rotation_due, select_keys, thumbprint

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def login_request(now=T0, ttl=120):
    return d.new_login(phone="+994501112233", user_id="482913", challenge=d.new_challenge(), now=now, ttl=ttl)


def test_a_login_asks_to_sign_a_fresh_hash_and_shows_its_code():
    first, second = login_request(), login_request()
    assert len(first["hash"]) == 32 and first["hash"] != second["hash"]
    assert first["verification_code"] == d.verification_code(first["hash"])
    assert first["state"] == d.PENDING and first["provider_session"] is None


@pytest.mark.parametrize("hash_value, code", [
    (bytes(32), "0000"),
    (b"\xff" * 32, "8191"),
    (b"\x04" + bytes(31), "0128"),             # the lowest of the 6 bits from the start
    (bytes(31) + b"\x01", "0001"),             # the lowest of the 7 bits from the end
    (b"\x03" + b"\xff" * 30 + b"\x80", "0000"),  # everything else counts for nothing
])
def test_verification_code_is_6_bits_from_the_start_and_7_from_the_end(hash_value, code):
    assert d.verification_code(hash_value) == code


def test_pending_request_expires_at_its_deadline():
    request = login_request(ttl=120)
    assert d.effective_state(request, T0 + timedelta(seconds=119)) == d.PENDING
    assert d.effective_state(request, T0 + timedelta(seconds=120)) == d.EXPIRED
    confirmed = {**request, "state": d.CONFIRMED}
    assert d.effective_state(confirmed, T0 + timedelta(hours=1)) == d.CONFIRMED


@pytest.mark.parametrize("result, outcome", [
    ("OK", (d.CONFIRMED, None)),
    ("TIMEOUT", (d.EXPIRED, "timeout")),
    ("NOT_MID_CLIENT", (d.REJECTED, "not_asan_client")),
    ("USER_CANCELLED", (d.REJECTED, "user_cancelled")),
    ("SIGNATURE_HASH_MISMATCH", (d.REJECTED, "provider_error")),
    ("PHONE_ABSENT", (d.REJECTED, "provider_error")),
    ("DELIVERY_ERROR", (d.REJECTED, "provider_error")),
    ("SIM_ERROR", (d.REJECTED, "provider_error")),
    ("SOMETHING_NEW", (d.REJECTED, "provider_error")),
])
def test_the_providers_end_results(result, outcome):
    assert d.outcome(result) == outcome


def test_several_signatures_are_numbered_on_the_phone():
    assert d.step_text("İmza", 0, 1) == "İmza"
    assert [d.step_text("İmza", i, 2) for i in (0, 1)] == ["İmza (1/2)", "İmza (2/2)"]


def test_the_next_session_is_started_by_one_poll_unless_it_lets_the_claim_lapse():
    waiting = {"provider_session": None, "starting_at": (T0 - timedelta(seconds=5)).isoformat()}
    assert not d.session_start_due(waiting, T0, lease=10)
    assert d.session_start_due(waiting, T0 + timedelta(seconds=6), lease=10)
    assert d.session_start_due({"provider_session": None, "starting_at": None}, T0, lease=10)
    assert not d.session_start_due({"provider_session": "s", "starting_at": None}, T0, lease=10)


def test_restart_within_window_reuses_only_a_pending_login_of_the_same_user():
    request = login_request()
    at = T0 + timedelta(seconds=4)
    assert d.restart_reusable(request, user_id="482913", now=at, window=5)
    assert not d.restart_reusable(request, user_id="482913", now=T0 + timedelta(seconds=6), window=5)
    assert not d.restart_reusable(request, user_id="000000", now=at, window=5)
    assert not d.restart_reusable({**request, "state": d.CONFIRMED}, user_id="482913", now=at, window=5)
    assert not d.restart_reusable(None, user_id="482913", now=at, window=5)


def test_a_restart_from_another_client_is_a_log_in_of_its_own():
    """Whoever holds the session id collects the token: the same number and user ID from another
    address (someone racing the person) never get the person's request back, nor the reverse."""
    mine, theirs = d.client_tag("198.51.100.7"), d.client_tag("203.0.113.9")
    request = d.new_login(phone="+994501112233", user_id="482913", challenge=d.new_challenge(), now=T0, ttl=120,
                          client=mine)
    at = T0 + timedelta(seconds=1)
    assert d.restart_reusable(request, user_id="482913", client=mine, now=at, window=5)
    assert not d.restart_reusable(request, user_id="482913", client=theirs, now=at, window=5)
    assert not d.restart_reusable(request, user_id="482913", client=None, now=at, window=5)
    assert "198.51.100.7" not in str(request)  # the request keeps a tag, not the address


# --- log-in limits ------------------------------------------------------------------------

def test_limits_count_in_fixed_windows_and_a_refusal_waits_until_the_window_ends():
    start = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)  # a multiple of 600 s since the epoch
    assert d.login_window(start, 600) == (int(start.timestamp()) // 600, 600)
    assert d.login_window(start + timedelta(seconds=599, microseconds=1), 600) == (
        int(start.timestamp()) // 600, 1)
    assert d.login_window(start + timedelta(seconds=600), 600) == (int(start.timestamp()) // 600 + 1, 600)
    assert d.login_window(start + timedelta(seconds=150.5), 600)[1] == 450  # whole seconds, rounded up


def test_a_counter_names_its_subject_and_window_but_holds_no_value():
    keys = {d.attempt_key(subject, value, window)
            for subject in (d.PHONE, d.USER_ID) for value in ("+994501112233", "482913") for window in (1, 2)}
    assert len(keys) == 8
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


@pytest.mark.parametrize("address, client", [
    ("198.51.100.7", "198.51.100.7"),
    (" 198.51.100.7 ", "198.51.100.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),  # one subscriber's /64 is one client
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("198.51.100.7, 10.0.0.1", d.UNREADABLE_CLIENT),
    ("", d.UNREADABLE_CLIENT),
    (None, None),
])
def test_who_a_client_is(address, client):
    assert d.client_key(address) == client


def test_confirmed_login_is_collectable_only_for_a_while():
    request = login_request(ttl=120)
    assert d.redeemable(request, T0 + timedelta(seconds=200), ttl=120)
    assert not d.redeemable(request, T0 + timedelta(seconds=241), ttl=120)


def test_phone_numbers_are_normalised():
    assert d.normalize_phone("+994 50 111-22-33") == "+994501112233"
    assert d.normalize_phone("994501112233") == "+994501112233"


def session(now=T0, max_seconds=8 * 3600):
    person = {"name": "İlqar", "surname": "Məmmədov", "patronymic": "Rəşid oğlu"}
    return d.new_session(fin="5ZK2M7P", person=person, roles=[], method="asan", now=now, max_seconds=max_seconds)


def test_token_claims_carry_the_person_and_never_outlive_the_session():
    s, refresh = session(max_seconds=600)
    claims = d.person_claims(s, T0, ttl=900)
    assert claims["iss"] == "egov-auth" and claims["aud"] == "egov-api" and claims["sid"] == s["_id"]
    assert claims["sub"] == claims["fin"] == "5ZK2M7P" and claims["name"] == "İlqar"
    assert claims["acting_for"] is None and claims["company_role"] is None and claims["roles"] == []
    assert claims["exp"] == d.utc_epoch(T0) + 600  # capped by the session, not 900
    assert refresh.startswith(s["_id"] + ".")
    assert d.split_refresh_token(refresh) == (s["_id"], s["refresh_hash"])
    assert d.split_refresh_token("garbage") is None


def test_session_alive_until_revoked_or_past_its_maximum():
    s, _ = session(max_seconds=600)
    assert d.session_alive(s, T0 + timedelta(seconds=599))
    assert not d.session_alive(s, T0 + timedelta(seconds=600))
    assert not d.session_alive({**s, "revoked_at": T0}, T0)
    assert not d.session_alive(None, T0)


def test_revocation_lasts_until_the_last_token_would_expire():
    s, _ = session()
    until = d.revoked_until(s, T0, ttl=900)
    assert d.utc_epoch(T0) + 900 < until <= d.utc_epoch(T0) + 900 + 10


def test_staff_roles_come_from_the_configured_fins_only():
    assert d.roles_for("1234567", staff_fins=frozenset({"1234567"})) == ["staff"]
    assert d.roles_for("3SF9WKL", staff_fins=frozenset()) == []


def test_service_clients():
    ok = dict(clients=("registry", "contracts"), expected_secret="s3cret")
    assert d.service_client_ok("registry", "s3cret", **ok)
    assert not d.service_client_ok("registry", "wrong", **ok)
    assert not d.service_client_ok("stranger", "s3cret", **ok)
    assert not d.service_client_ok("registry", "", clients=("registry",), expected_secret="")
    claims = d.service_claims("contracts", "registry", T0, 300)
    assert claims["aud"] == "svc:registry" and claims["sub"] == "service:contracts"
    assert claims["typ"] == "service" and claims["svc"] == "contracts" and claims["exp"] - claims["iat"] == 300


TODAY = date(2026, 3, 1)


def grant(authority_id="a1", voen="1701100451", fin="2PLX9DM", valid_until=None, withdrawn=False, granted=True):
    return {"_id": authority_id, "voen": voen, "fin": fin, "valid_until": valid_until,
            "granted": granted, "withdrawn": withdrawn}


@pytest.mark.parametrize("record, in_force", [
    (grant(), True),
    (grant(valid_until="2026-03-01"), True),       # the last day still counts
    (grant(valid_until="2026-02-28"), False),      # expired
    (grant(withdrawn=True), False),
    (grant(granted=False, withdrawn=True), False),  # a withdrawal that came first
])
def test_authority_in_force(record, in_force):
    assert d.authority_in_force(record, TODAY) is in_force


def test_company_role_head_before_authorised():
    assert d.company_role("2PLX9DM", "1701100451", head_fin="2PLX9DM", authorities=[], today=TODAY) == d.HEAD
    assert d.company_role("2PLX9DM", "1701100451", head_fin="3HB8RXT", authorities=[grant()],
                          today=TODAY) == d.AUTHORISED
    assert d.company_role("2PLX9DM", "1701100451", head_fin="3HB8RXT", authorities=[grant(withdrawn=True)],
                          today=TODAY) is None
    assert d.company_role("2PLX9DM", "9999999999", head_fin=None, authorities=[grant()], today=TODAY) is None


def test_companies_lists_head_then_authorities_once_each():
    headed = [{"voen": "1701100121", "name": "Xəzər Ulduzu İnşaat MMC"}]
    authorities = [grant(voen="1701100451"), grant("a2", voen="1701100121"), grant("a3", voen="1701100561",
                                                                                  valid_until="2020-01-01")]
    out = d.companies("2PLX9DM", headed=headed, authorities=authorities, today=TODAY,
                      names={"1701100451": "Çinarlı Logistika"})
    assert out == [{"voen": "1701100121", "name": "Xəzər Ulduzu İnşaat MMC", "role": "head"},
                   {"voen": "1701100451", "name": "Çinarlı Logistika", "role": "authorised"}]


@pytest.mark.parametrize("data", [
    {"voen": "1701100451", "fin": "2PLX9DM"},
    {"authority_id": "a", "voen": "17011", "fin": "2PLX9DM"},
    {"authority_id": "a", "voen": "1701100451", "fin": "2PLX9DM", "valid_until": "soon"},
    "not an object",
])
def test_malformed_authority_events_are_refused(data):
    with pytest.raises(ValueError):
        d.parse_authority_event(data, with_validity=True)


def test_authority_event_normalises():
    a = d.parse_authority_event({"authority_id": "a", "voen": "1701100451", "fin": "2plx9dm",
                                 "valid_until": "2026-12-31"}, with_validity=True)
    assert (a.fin, a.valid_until) == ("2PLX9DM", "2026-12-31")


@pytest.fixture(scope="module")
def three_keys():
    return [new_signing_key(3, T0), new_signing_key(2, T0 - timedelta(days=30)),
            new_signing_key(1, T0 - timedelta(days=60))]


def test_new_key_waits_before_signing_but_is_published_at_once(three_keys):
    active, published = select_keys(three_keys, T0 + ACTIVATION_DELAY / 2)
    assert active.generation == 2
    assert [k.generation for k in published] == [3, 2, 1]
    active, published = select_keys(three_keys, T0 + ACTIVATION_DELAY)
    assert active.generation == 3
    assert [k.generation for k in published] == [3, 2]  # current and previous


def test_first_key_signs_at_once(three_keys):
    active, published = select_keys(three_keys[:1], T0)
    assert active.generation == 3 and published == three_keys[:1]


def test_rotation_due_after_the_period(three_keys):
    assert rotation_due(None, T0, timedelta(days=30))
    assert not rotation_due(three_keys[0], T0 + timedelta(days=29), timedelta(days=30))
    assert rotation_due(three_keys[0], T0 + timedelta(days=30), timedelta(days=30))


def test_kid_is_the_key_thumbprint(three_keys):
    key = three_keys[0]
    assert key.kid == thumbprint(key.public_key) and key.jwk()["kid"] == key.kid
    assert "d" not in key.jwk() and "private" not in repr(key)
