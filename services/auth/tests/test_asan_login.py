"""Asan İmza log-in against the running suite over HTTP: auth as the relying party of the
simulator process, the phone played through the simulator's phone API."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_full_login_code_on_phone_matches_and_me_has_azerbaijani_names(asan, auth_url, people):
    ilqar = people["multi_head"]
    started = asan.start(ilqar["phone"], ilqar["user_id"])
    assert started.status_code == 201
    body = started.json()
    assert set(body) >= {"session_id", "verification_code", "expires_at"}
    assert len(body["verification_code"]) == 4 and 0 <= int(body["verification_code"]) <= 8191

    assert asan.poll(body["session_id"]).json()["state"] == "pending"
    shown = asan.request_with_code(ilqar["phone"], body["verification_code"])
    assert shown["kind"] == "login" and shown["text"]
    assert shown["request_id"] != body["session_id"]  # the phone never learns the session id

    confirmed = asan.answer(ilqar["phone"], shown["request_id"], ilqar["pin1"])
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    polled = asan.poll(body["session_id"])
    assert polled.status_code == 200, polled.text
    assert polled.headers["Cache-Control"] == "no-store"
    polled = polled.json()
    assert polled["state"] == "confirmed"
    assert polled["access_token"] and 0 < polled["expires_in"] <= 900 and polled["refresh_token"]
    assert shown["request_id"] not in [r["request_id"] for r in asan.phone(ilqar["phone"])]

    me = requests.get(f"{auth_url}/api/auth/me", headers=bearer(polled["access_token"]))
    assert me.status_code == 200, me.text
    me = me.json()
    assert (me["fin"], me["name"], me["surname"], me["patronymic"]) == ("5ZK2M7P", "İlqar", "Məmmədov", "Rəşid oğlu")
    assert me["acting_for"] is None and me["roles"] == []
    heads = {c["voen"]: c for c in me["companies"] if c["role"] == "head"}
    assert {"1701100121", "1701100231", "1701100341"} <= set(heads)
    assert all(c["name"] for c in heads.values())


def test_collected_session_cannot_be_collected_again(asan, people):
    aygun = people["employee_1"]
    started = asan.start(aygun["phone"], aygun["user_id"]).json()
    request = asan.request_with_code(aygun["phone"], started["verification_code"])
    assert asan.answer(aygun["phone"], request["request_id"], aygun["pin1"]).status_code == 200
    assert asan.poll(started["session_id"]).status_code == 200
    again = asan.poll(started["session_id"])
    assert again.status_code == 409
    assert again.headers["Content-Type"].startswith("application/problem+json")
    assert "access_token" not in again.text


def test_unknown_session_is_404(asan):
    response = asan.poll("no-such-session")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_three_wrong_pins_reject_the_login(asan, people):
    soh = people["employee_2"]
    started = asan.start(soh["phone"], soh["user_id"]).json()
    request = asan.request_with_code(soh["phone"], started["verification_code"])
    first = asan.answer(soh["phone"], request["request_id"], "0000")
    assert first.status_code == 403 and first.json()["attempts_left"] == 2
    assert asan.answer(soh["phone"], request["request_id"], soh["pin2"]).status_code == 403  # PIN2 only signs
    assert asan.poll(started["session_id"]).json()["state"] == "pending"
    assert asan.answer(soh["phone"], request["request_id"], "0002").status_code == 403
    assert asan.poll(started["session_id"]).json() == {"state": "rejected", "reason": "user_cancelled",
                                                       "expires_at": started["expires_at"]}


def test_starting_again_at_once_gives_the_same_session(asan, people):
    tugrul = people["employee_4"]
    first = asan.start(tugrul["phone"], tugrul["user_id"]).json()
    second = asan.start(tugrul["phone"], tugrul["user_id"]).json()
    assert second["session_id"] == first["session_id"]
    assert second["verification_code"] == first["verification_code"]
    pending = [r for r in asan.phone(tugrul["phone"]) if r["verification_code"] == first["verification_code"]]
    assert len(pending) == 1


def test_concurrent_starts_put_one_request_on_the_phone(asan, auth_url, people):
    ulviyye = people["jobless_1"]
    before = {r["request_id"] for r in asan.phone(ulviyye["phone"])}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: requests.post(f"{auth_url}/api/auth/asan/sessions", json={
            "phone": ulviyye["phone"], "user_id": ulviyye["user_id"]}), range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["session_id"] for a in answers}) == 1
    assert len({r["request_id"] for r in asan.phone(ulviyye["phone"])} - before) == 1


@pytest.mark.parametrize("body, field", [
    ({"phone": "+994121112233", "user_id": "482913"}, "phone"),   # not a mobile operator code
    ({"phone": "0501112233", "user_id": "482913"}, "phone"),
    ({"phone": "+994501112233", "user_id": "48291"}, "user_id"),
    ({"user_id": "482913"}, "phone"),
])
def test_malformed_input_names_the_field(asan, body, field):
    response = requests.post(f"{asan.base}/api/auth/asan/sessions", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in problem["errors"] and problem["status"] == 422


def test_an_unknown_phone_and_a_wrong_user_id_get_one_answer(asan, people):
    """Whether the pair exists is the provider's to say, at the end; either half wrong ends the same."""
    sahin = people["jobless_2"]
    before = asan.phone(sahin["phone"])
    answers = []
    for phone, user_id in (("+994509876543", sahin["user_id"]), (sahin["phone"], "999999")):
        started = asan.start(phone, user_id)
        assert started.status_code == 201 and set(started.json()) == {"session_id", "verification_code",
                                                                       "expires_at"}
        polled = asan.poll(started.json()["session_id"])
        assert polled.status_code == 200
        answers.append({k: v for k, v in polled.json().items() if k != "expires_at"})
    assert answers[0] == answers[1] == {"state": "rejected", "reason": "not_asan_client"}
    assert asan.phone(sahin["phone"]) == before


def test_staff_come_from_staff_fins(asan, auth_url, people, suite):
    """The suite runs with the demo staff FİN in STAFF_FINS, as `make run` does."""
    assert people["staff"]["fin"] in suite.env()["STAFF_FINS"].split(",")
    token = asan.login(people["staff"])["access_token"]
    assert requests.get(f"{auth_url}/api/auth/me", headers=bearer(token)).json()["roles"] == ["staff"]


def test_no_route_of_auth_serves_the_simulator(auth_url, people):
    for path in ("/api/asan-sim/identities", f"/api/asan-sim/cards/{people['staff']['fin']}",
                 f"/api/asan-sim/phones/{people['staff']['phone']}/requests"):
        assert requests.get(f"{auth_url}{path}").status_code == 404


def test_without_a_provider_asan_imza_is_unavailable(isolated_app, people):
    ilqar = people["multi_head"]
    client = isolated_app(asan_provider_url=None, asan_rp_uuid=None)
    response = client.post("/api/auth/asan/sessions", json={"phone": ilqar["phone"], "user_id": ilqar["user_id"]})
    assert response.status_code == 503 and response.headers["Retry-After"]


def test_login_through_the_gateway(suite, people):
    """The portal's path: the same flow through the gateway, the phone included."""
    gateway = suite.gateway_url
    ilqar = people["multi_head"]
    started = requests.post(f"{gateway}/api/auth/asan/sessions",
                            json={"phone": ilqar["phone"], "user_id": ilqar["user_id"]})
    assert started.status_code == 201, started.text
    code = started.json()["verification_code"]
    shown = [r for r in requests.get(f"{gateway}/api/asan-sim/phones/{ilqar['phone']}/requests").json()
             if r["verification_code"] == code]
    assert len(shown) == 1
    confirmed = requests.post(f"{gateway}/api/asan-sim/phones/{ilqar['phone']}/requests/{shown[0]['request_id']}",
                              json={"pin": ilqar["pin1"]})
    assert confirmed.status_code == 200
    token = requests.get(f"{gateway}/api/auth/asan/sessions/{started.json()['session_id']}").json()["access_token"]
    me = requests.get(f"{gateway}/api/auth/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["name"] == "İlqar"
    assert requests.get(f"{gateway}/api/auth/jwks.json").json()["keys"]
