"""The simulator's own tests: its rules directly, and the process itself over real HTTP, started
the way `make run` starts it (devtools.suite), on a free port with a data folder of its own."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

from devtools.suite import Suite, free_port

SIMULATOR_DIR = Path(__file__).resolve().parents[1]
if str(SIMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(SIMULATOR_DIR))  # test_domain imports asan_sim

from asan_sim.settings import DEFAULT_RP_NAME  # noqa: E402


class Running:
    """A simulator process, and what a relying party and a phone need to talk to it."""

    def __init__(self, suite: Suite):
        self.suite = suite
        self.url = suite.asan_sim_url
        self.api = f"{suite.asan_sim_url}/asan-api"
        self.rp_uuid = suite.simulator_env()["ASAN_RP_UUID"]
        self.rp_name = DEFAULT_RP_NAME
        self.data_dir = suite.asan_sim_dir
        self.http = requests.Session()

    def rp(self, **fields) -> dict:
        return {"relyingPartyUUID": self.rp_uuid, "relyingPartyName": self.rp_name, **fields}

    def post(self, path: str, body) -> requests.Response:
        return self.http.post(f"{self.api}{path}", json=body, timeout=10)

    def session(self, session_id: str, timeout_ms: int = 0, rp_uuid: str | None = None) -> requests.Response:
        return self.http.get(f"{self.api}/session/{session_id}", params={"timeoutMs": timeout_ms},
                             headers={"X-Relying-Party-UUID": rp_uuid or self.rp_uuid}, timeout=60)

    def phone(self, phone: str) -> list[dict]:
        response = self.http.get(f"{self.url}/api/asan-sim/phones/{phone}/requests", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def answer(self, phone: str, request_id: str, pin: str) -> requests.Response:
        return self.http.post(f"{self.url}/api/asan-sim/phones/{phone}/requests/{request_id}", json={"pin": pin},
                              timeout=10)


@pytest.fixture(scope="session")
def start_simulator(tmp_path_factory):
    """Factory: a simulator process on a data folder (a fresh one unless given), stopped at the end."""
    suites = []

    def start(var_dir: Path | None = None, **env) -> Running:
        suite = Suite(var_dir=var_dir or tmp_path_factory.mktemp("asan-sim"), asan_sim_port=free_port(),
                      quiet=True, extra_env=env)
        suite.var_dir.mkdir(parents=True, exist_ok=True)
        suites.append(suite)
        suite.start_simulator()
        return Running(suite)

    yield start
    for suite in suites:
        suite.stop()


@pytest.fixture(scope="session")
def simulator(start_simulator) -> Running:
    return start_simulator()
