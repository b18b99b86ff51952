"""Helpers for the auth service's tests: most talk HTTP to the running suite, the way the portal,
the phone and other services do; test_service calls the use cases directly.

Auth meets Asan İmza only as a relying party, over HTTP: the provider here is the simulator
process (the suite's, or one started for a test with a CA of its own), and the phone is played
through the simulator's phone API, never through auth. Where a test needs a provider that lies,
a relay in front of the simulator changes its answers on the way (TamperingProvider)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests

from devtools.client import SIM_FILE
from devtools.suite import Suite, free_port

SERVICE_DIR = Path(__file__).resolve().parents[1]
for _path in (SERVICE_DIR, Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))  # auth_service, and provider_support beside this file

from provider_support import Provider, TamperingProvider  # noqa: E402


class AsanClient:
    """The portal's side (start, poll) at auth and the phone's side (list, confirm) at the simulator."""

    def __init__(self, base: str, phone_base: str):
        self.base = base
        self.phone_base = phone_base
        self.http = requests.Session()

    def start(self, phone: str, user_id: str) -> requests.Response:
        return self.http.post(f"{self.base}/api/auth/asan/sessions", json={"phone": phone, "user_id": user_id})

    def poll(self, session_id: str) -> requests.Response:
        return self.http.get(f"{self.base}/api/auth/asan/sessions/{session_id}")

    def phone(self, phone: str) -> list[dict]:
        response = self.http.get(f"{self.phone_base}/api/asan-sim/phones/{phone}/requests")
        assert response.status_code == 200, response.text
        return response.json()

    def request_with_code(self, phone: str, code: str, kind: str = "login") -> dict:
        shown = [r for r in self.phone(phone) if r["verification_code"] == code and r["kind"] == kind]
        assert len(shown) == 1, shown
        return shown[0]

    def answer(self, phone: str, request_id: str, pin: str) -> requests.Response:
        return self.http.post(f"{self.phone_base}/api/asan-sim/phones/{phone}/requests/{request_id}",
                              json={"pin": pin})

    def login(self, identity: dict) -> dict:
        started = self.start(identity["phone"], identity["user_id"])
        assert started.status_code == 201, started.text
        body = started.json()
        request = self.request_with_code(identity["phone"], body["verification_code"])
        confirmed = self.answer(identity["phone"], request["request_id"], identity["pin1"])
        assert confirmed.status_code == 200, confirmed.text
        polled = self.poll(body["session_id"])
        assert polled.status_code == 200, polled.text
        assert polled.json()["state"] == "confirmed", polled.json()
        return polled.json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def auth_url(suite) -> str:
    return suite.url("auth")


@pytest.fixture(scope="session")
def asan(auth_url, suite) -> AsanClient:
    return AsanClient(auth_url, suite.asan_sim_url)


@pytest.fixture(scope="session")
def people() -> dict:
    """Simulator identities by the label's first words, e.g. people['multi_head']."""
    rows = json.loads(SIM_FILE.read_text(encoding="utf-8"))
    by_fin = {r["fin"]: r for r in rows}
    return {"multi_head": by_fin["5ZK2M7P"], "head_a": by_fin["3HB8RXT"], "head_b": by_fin["6TQ4NWA"],
            "employee_1": by_fin["2PLX9DM"], "employee_2": by_fin["7MW3KZS"], "employee_3": by_fin["4RD6YFC"],
            "employee_4": by_fin["1XG5VHJ"], "jobless_1": by_fin["8JN2QAE"], "jobless_2": by_fin["9CV7TBU"],
            "staff": by_fin["3SF9WKL"], "inspector": by_fin["6DE4PUZ"], "prosecutor": by_fin["2KY8MRN"],
            "bank_head": by_fin["5TH3WQG"]}


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
    """The running auth service's own database."""
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_auth"]


# --- providers of the test's own ------------------------------------------------------------

@pytest.fixture(scope="session")
def suite_provider(suite) -> Provider:
    """The suite's own simulator, as the suite's auth is configured with it."""
    env = suite.env()
    return Provider(env["ASAN_PROVIDER_URL"], env["ASAN_RP_UUID"], Path(env["AUTH_TRUSTED_CA_FILE"]),
                    suite.asan_sim_url)


@pytest.fixture(scope="session")
def start_simulator(tmp_path_factory):
    """Factory: another simulator process, with a data folder (so a CA) of its own."""
    suites = []

    def start(**env) -> Provider:
        running = Suite(var_dir=tmp_path_factory.mktemp("other-asan-sim"), asan_sim_port=free_port(), quiet=True,
                        extra_env=env)
        running.var_dir.mkdir(parents=True, exist_ok=True)
        suites.append(running)
        running.start_simulator()
        return Provider(running.asan_provider_url, running.simulator_env()["ASAN_RP_UUID"],
                        running.asan_sim_dir / "ca.pem", running.asan_sim_url)

    yield start
    for running in suites:
        running.stop()


@pytest.fixture(scope="session")
def other_simulator(start_simulator) -> Provider:
    """A second simulator: the same people and PINs, but certificates of another CA."""
    return start_simulator()


@pytest.fixture
def tampering(suite_provider):
    """Factory: a TamperingProvider in front of the suite's simulator."""
    relays = []

    def make(tamper, upstream: Provider | None = None) -> Provider:
        relay = TamperingProvider(upstream or suite_provider, tamper)
        relays.append(relay)
        return relay.provider
    yield make
    for relay in relays:
        relay.stop()


@pytest.fixture
def isolated_app(monkeypatch, fresh_db, mongo_uri, suite_provider, suite):
    """A separate in-process auth app on a database of its own, for settings the suite's can't
    take; by default it uses the suite's simulator and registry, with the suite's service secret."""
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    for name, url in ((n, suite.url(n)) for n in suite.service_ports):
        monkeypatch.setenv(f"{name.upper()}_URL", url)
    from auth_service import create_app

    def make(**overrides):
        settings = {"mongo_uri": mongo_uri, "mongo_db": fresh_db.name,
                    "service_client_secret": suite.env()["SERVICE_CLIENT_SECRET"],
                    **suite_provider.settings(), **overrides}
        return create_app(settings).test_client()
    return make
