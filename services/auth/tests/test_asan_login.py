"""Asan İmza log-in against the running suite, with the simulator playing the provider and the phone."""
from __future__ import annotations

import time

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
    assert len(body["verification_code"]) == 4 and body["verification_code"].isdigit()

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
    assert me["acting_for"] is None
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


def test_three_wrong_pins_reject_the_request(asan, people):
    soh = people["employee_2"]
    started = asan.start(soh["phone"], soh["user_id"]).json()
    request = asan.request_with_code(soh["phone"], started["verification_code"])
    first = asan.answer(soh["phone"], request["request_id"], "0000")
    assert first.status_code == 403 and "pin" in first.json()["errors"]
    assert first.json()["attempts_left"] == 2
    assert asan.answer(soh["phone"], request["request_id"], "0001").status_code == 403
    assert asan.poll(started["session_id"]).json()["state"] == "pending"
    third = asan.answer(soh["phone"], request["request_id"], "0002")
    assert third.status_code == 403 and third.json()["state"] == "rejected"
    assert asan.poll(started["session_id"]).json() == {"state": "rejected", "expires_at": started["expires_at"]}
    # Rejected is final: even the right PIN no longer confirms it.
    late = asan.answer(soh["phone"], request["request_id"], soh["pin1"])
    assert late.status_code == 409
    assert request["request_id"] not in [r["request_id"] for r in asan.phone(soh["phone"])]


def test_pin2_does_not_confirm_a_login(asan, people):
    nermin = people["employee_3"]
    started = asan.start(nermin["phone"], nermin["user_id"]).json()
    request = asan.request_with_code(nermin["phone"], started["verification_code"])
    refused = asan.answer(nermin["phone"], request["request_id"], nermin["pin2"])
    assert refused.status_code == 403
    assert refused.json()["errors"]["pin"] == ["PİN yanlışdır."]
    assert asan.poll(started["session_id"]).json()["state"] == "pending"
    assert asan.answer(nermin["phone"], request["request_id"], nermin["pin1"]).status_code == 200


def test_starting_again_at_once_gives_the_same_session(asan, people):
    tugrul = people["employee_4"]
    first = asan.start(tugrul["phone"], tugrul["user_id"]).json()
    second = asan.start(tugrul["phone"], tugrul["user_id"]).json()
    assert second["session_id"] == first["session_id"]
    assert second["verification_code"] == first["verification_code"]
    pending = [r for r in asan.phone(tugrul["phone"]) if r["verification_code"] == first["verification_code"]]
    assert len(pending) == 1


def test_concurrent_starts_put_one_request_on_the_phone(asan, auth_url, people):
    from concurrent.futures import ThreadPoolExecutor
    ulviyye = people["jobless_1"]
    before = {r["request_id"] for r in asan.phone(ulviyye["phone"])}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: requests.post(f"{auth_url}/api/auth/asan/sessions", json={
            "phone": ulviyye["phone"], "user_id": ulviyye["user_id"]}), range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["session_id"] for a in answers}) == 1
    assert len({r["request_id"] for r in asan.phone(ulviyye["phone"])} - before) == 1


@pytest.mark.parametrize("body, field, status", [
    ({"phone": "+994121112233", "user_id": "482913"}, "phone", 422),   # not a mobile operator code
    ({"phone": "0501112233", "user_id": "482913"}, "phone", 422),
    ({"phone": "+994501112233", "user_id": "48291"}, "user_id", 422),
    ({"phone": "+994501112233", "user_id": "999999"}, "user_id", 422),  # the pair does not exist
    ({"phone": "+994509876543", "user_id": "482913"}, "phone", 422),    # no test SIM with this number
    ({"user_id": "482913"}, "phone", 422),
])
def test_bad_input_names_the_field(asan, body, field, status):
    response = requests.post(f"{asan.base}/api/auth/asan/sessions", json=body,
                             headers={"Accept-Language": "en"})
    assert response.status_code == status
    problem = response.json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in problem["errors"] and problem["status"] == status


def test_phone_side_refuses_unknown_things(asan, people):
    assert requests.get(f"{asan.base}/api/asan-sim/phones/+994509876543/requests").status_code == 404
    phone = people["jobless_2"]["phone"]
    assert asan.answer(phone, "nope", "1234").status_code == 404
    assert requests.post(f"{asan.base}/api/asan-sim/phones/{phone}/requests/x", json={}).status_code == 422


def test_phone_page_shows(asan, people):
    page = requests.get(f"{asan.base}/api/asan-sim/phones/{people['jobless_2']['phone']}")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "PİN" in page.text


def test_identities_list_sim_cards_with_companies(auth_url, people):
    response = requests.get(f"{auth_url}/api/asan-sim/identities")
    assert response.status_code == 200
    rows = {r["fin"]: r for r in response.json()}
    ilqar = rows["5ZK2M7P"]
    assert {"phone", "user_id", "pin1", "pin2", "name", "surname", "label", "staff", "companies"} <= set(ilqar)
    assert {"1701100121", "1701100231", "1701100341"} <= set(ilqar["companies"])
    assert rows["3SF9WKL"]["staff"] is True
    assert rows["8JN2QAE"]["companies"] == []


def test_staff_identity_gets_the_staff_role(asan, auth_url, people):
    token = asan.login(people["staff"])["access_token"]
    me = requests.get(f"{auth_url}/api/auth/me", headers=bearer(token)).json()
    assert me["roles"] == ["staff"]


def test_request_expires(isolated_app, people):
    """A separate app instance with a one-second request lifetime (the suite's is two minutes)."""
    client = isolated_app(asan_request_ttl=1)
    sahin = people["jobless_2"]
    started = client.post("/api/auth/asan/sessions", json={"phone": sahin["phone"], "user_id": sahin["user_id"]})
    assert started.status_code == 201
    session_id = started.get_json()["session_id"]
    shown = client.get(f"/api/asan-sim/phones/{sahin['phone']}/requests").get_json()
    assert len(shown) == 1
    time.sleep(1.2)
    assert client.get(f"/api/auth/asan/sessions/{session_id}").get_json()["state"] == "expired"
    assert client.get(f"/api/asan-sim/phones/{sahin['phone']}/requests").get_json() == []
    late = client.post(f"/api/asan-sim/phones/{sahin['phone']}/requests/{shown[0]['request_id']}",
                       json={"pin": sahin["pin1"]})
    assert late.status_code == 409 and late.get_json()["state"] == "expired"
    # A new start after expiry is a new request, not the old one.
    again = client.post("/api/auth/asan/sessions", json={"phone": sahin["phone"], "user_id": sahin["user_id"]})
    assert again.get_json()["session_id"] != session_id


def test_login_through_the_gateway(suite, people):
    """The portal's path: the same flow through the gateway, the simulator included."""
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
