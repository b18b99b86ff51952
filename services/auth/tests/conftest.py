"""Helpers for the auth service's tests: most talk HTTP to the running suite, the way the portal,
the phone and other services do; test_service calls the use cases directly."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests

SERVICE_DIR = Path(__file__).resolve().parents[1]
IDENTITIES_FILE = SERVICE_DIR / "auth_service" / "data" / "asan_sim_identities.json"
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))  # test_domain, test_keys and test_service import auth_service


class AsanClient:
    """The portal's side (start, poll) and the phone's side (list, confirm) of Asan İmza."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def start(self, phone: str, user_id: str) -> requests.Response:
        return self.http.post(f"{self.base}/api/auth/asan/sessions", json={"phone": phone, "user_id": user_id})

    def poll(self, session_id: str) -> requests.Response:
        return self.http.get(f"{self.base}/api/auth/asan/sessions/{session_id}")

    def phone(self, phone: str) -> list[dict]:
        response = self.http.get(f"{self.base}/api/asan-sim/phones/{phone}/requests")
        assert response.status_code == 200, response.text
        return response.json()

    def request_with_code(self, phone: str, code: str, kind: str = "login") -> dict:
        shown = [r for r in self.phone(phone) if r["verification_code"] == code and r["kind"] == kind]
        assert len(shown) == 1, shown
        return shown[0]

    def answer(self, phone: str, request_id: str, pin: str) -> requests.Response:
        return self.http.post(f"{self.base}/api/asan-sim/phones/{phone}/requests/{request_id}", json={"pin": pin})

    def login(self, identity: dict) -> dict:
        started = self.start(identity["phone"], identity["user_id"])
        assert started.status_code == 201, started.text
        body = started.json()
        request = self.request_with_code(identity["phone"], body["verification_code"])
        confirmed = self.answer(identity["phone"], request["request_id"], identity["pin1"])
        assert confirmed.status_code == 200, confirmed.text
        polled = self.poll(body["session_id"])
        assert polled.status_code == 200, polled.text
        assert polled.json()["state"] == "confirmed"
        return polled.json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def auth_url(suite) -> str:
    return suite.url("auth")


@pytest.fixture(scope="session")
def asan(auth_url) -> AsanClient:
    return AsanClient(auth_url)


@pytest.fixture(scope="session")
def people() -> dict:
    """Simulator identities by the label's first words, e.g. people['multi_head']."""
    rows = json.loads(IDENTITIES_FILE.read_text(encoding="utf-8"))
    by_fin = {r["fin"]: r for r in rows}
    return {"multi_head": by_fin["5ZK2M7P"], "head_a": by_fin["3HB8RXT"], "head_b": by_fin["6TQ4NWA"],
            "employee_1": by_fin["2PLX9DM"], "employee_2": by_fin["7MW3KZS"], "employee_3": by_fin["4RD6YFC"],
            "employee_4": by_fin["1XG5VHJ"], "jobless_1": by_fin["8JN2QAE"], "jobless_2": by_fin["9CV7TBU"],
            "staff": by_fin["3SF9WKL"], "bank_head": by_fin["5TH3WQG"]}


@pytest.fixture(scope="session")
def service_secret(suite) -> str:
    return suite.env()["SERVICE_CLIENT_SECRET"]


@pytest.fixture(scope="session")
def service_token(auth_url, service_secret):
    def issue(client_id: str, audience: str) -> str:
        response = requests.post(f"{auth_url}/api/auth/service-tokens", json={
            "client_id": client_id, "client_secret": service_secret, "audience": audience})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]
    return issue


@pytest.fixture(scope="session")
def auth_db(mongo_client, bus_names):
    """The running auth service's own database (tests read keys and the test CA from it)."""
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_auth"]


@pytest.fixture
def isolated_app(monkeypatch, fresh_db, mongo_uri):
    """A separate in-process auth app on a database of its own, for settings the suite can't take."""
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    from auth_service import create_app

    def make(**overrides):
        app = create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name, "asan_sim_enabled": True,
                          **overrides})
        return app.test_client()
    return make
