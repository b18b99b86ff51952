"""Company authorities arrive as the contracts service's events on the suite's exchange; the auth
service turns them into the `authorised` role, order-tolerant and idempotent."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from devtools.pytest_plugin import eventually
from egov_kit.bus import Publisher, new_event

LOGISTICS = "1701100451"  # Çinarlı Logistika, headed by Gülnarə Əliyeva
CAFE = "1701100561"       # Ağ Səhər kafe, headed by Çingiz Hüseynov


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def publish(suite, amqp_url, bus_names):
    publisher = Publisher(amqp_url, bus_names["exchange"], name="auth-tests")

    def send(event_type: str, data: dict) -> dict:
        event = new_event(event_type, data, source="contracts")
        publisher.publish(event)
        return event
    yield send
    publisher.close()


@pytest.fixture(scope="module")
def consumer_ready(publish, auth_db):
    """The auth consumer binds its queue when it starts; resend a harmless grant until it is handled."""
    probe = {"authority_id": f"probe-{uuid.uuid4().hex}", "voen": CAFE, "fin": "ZZZZZZ9", "valid_until": None}
    deadline = time.time() + 30
    while time.time() < deadline:
        publish("contracts.authority.granted", probe)
        try:
            return eventually(lambda: auth_db.authorities.find_one({"_id": probe["authority_id"]}), timeout=1)
        except AssertionError:
            continue
    pytest.fail("the auth consumer never handled an event")


def record(auth_db, authority_id: str) -> dict | None:
    return auth_db.authorities.find_one({"_id": authority_id})


def companies(auth_url, token) -> dict:
    me = requests.get(f"{auth_url}/api/auth/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    return {c["voen"]: c for c in me.json()["companies"]}


def test_granted_authority_gives_the_authorised_role_and_withdrawal_takes_it(
        consumer_ready, publish, auth_db, auth_url, asan, people):
    tugrul = people["employee_4"]
    login = asan.login(tugrul)
    token = login["access_token"]
    assert LOGISTICS not in companies(auth_url, token)

    authority = {"authority_id": uuid.uuid4().hex, "voen": LOGISTICS, "fin": tugrul["fin"]}
    publish("contracts.authority.granted", {**authority, "valid_until": None,
                                                    "granted_by_fin": people["head_a"]["fin"]})
    listed = eventually(lambda: companies(auth_url, token).get(LOGISTICS), timeout=15, message="authorised role")
    assert listed["role"] == "authorised" and "Çinarlı" in listed["name"]

    switched = requests.post(f"{auth_url}/api/auth/role", json={"voen": LOGISTICS}, headers=bearer(token))
    assert switched.status_code == 200
    acting = switched.json()["access_token"]
    assert switched.json()["company_role"] == "authorised"

    publish("contracts.authority.withdrawn", authority)
    eventually(lambda: LOGISTICS not in companies(auth_url, acting), timeout=15, message="role withdrawn")
    refused = requests.post(f"{auth_url}/api/auth/role", json={"voen": LOGISTICS}, headers=bearer(acting))
    assert refused.status_code == 403
    # A refresh no longer acts for the company.
    refreshed = requests.post(f"{auth_url}/api/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["acting_for"] is None
    assert record(auth_db, authority["authority_id"])["withdrawn"]  # truthy: the local server reads booleans back as 1


def test_withdrawal_that_arrives_before_its_grant_stays_withdrawn(
        consumer_ready, publish, auth_db, auth_url, asan, people):
    sahin = people["jobless_2"]
    authority = {"authority_id": uuid.uuid4().hex, "voen": CAFE, "fin": sahin["fin"]}
    publish("contracts.authority.withdrawn", authority)
    eventually(lambda: record(auth_db, authority["authority_id"]), timeout=15, message="withdrawal recorded")
    publish("contracts.authority.granted", {**authority, "valid_until": None})
    eventually(lambda: (record(auth_db, authority["authority_id"]) or {}).get("granted"), timeout=15,
               message="late grant recorded")
    assert record(auth_db, authority["authority_id"])["withdrawn"]  # truthy: the local server reads booleans back as 1

    token = asan.login(sahin)["access_token"]
    assert CAFE not in companies(auth_url, token)
    assert requests.post(f"{auth_url}/api/auth/role", json={"voen": CAFE},
                         headers=bearer(token)).status_code == 403


def test_expired_authority_gives_no_role(consumer_ready, publish, auth_db, auth_url, asan, people):
    ulviyye = people["jobless_1"]
    authority = {"authority_id": uuid.uuid4().hex, "voen": CAFE, "fin": ulviyye["fin"], "valid_until": "2020-01-01"}
    publish("contracts.authority.granted", authority)
    eventually(lambda: record(auth_db, authority["authority_id"]), timeout=15, message="grant recorded")
    token = asan.login(ulviyye)["access_token"]
    assert CAFE not in companies(auth_url, token)
    assert requests.post(f"{auth_url}/api/auth/role", json={"voen": CAFE},
                         headers=bearer(token)).status_code == 403


def test_duplicate_delivery_is_harmless(consumer_ready, auth_db, amqp_url, bus_names):
    publisher = Publisher(amqp_url, bus_names["exchange"], name="auth-tests-dup")
    try:
        authority = {"authority_id": uuid.uuid4().hex, "voen": CAFE, "fin": "ZZZZZZ8", "valid_until": "2099-12-31"}
        event = new_event("contracts.authority.granted", authority, source="contracts")
        publisher.publish(event)
        publisher.publish(event)
        key = f"{bus_names['queue_prefix']}.auth:{event['id']}"
        eventually(lambda: (auth_db.processed_events.find_one({"_id": key}) or {}).get("state") == "done",
                   timeout=15, message="grant handled")
        assert auth_db.authorities.count_documents({"_id": authority["authority_id"]}) == 1
        assert record(auth_db, authority["authority_id"])["valid_until"] == "2099-12-31"
    finally:
        publisher.close()


def test_malformed_authority_event_is_dead_lettered_not_retried(consumer_ready, publish, auth_db):
    event = publish("contracts.authority.granted", {"voen": CAFE})
    eventually(lambda: auth_db.dead_letters.find_one({"event_id": event["id"]}), timeout=15,
               message="dead letter kept")
