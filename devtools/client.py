"""A small API client for tests and scripts: logs in with the Asan İmza simulator like a person would,
playing the phone through the simulator's phone API (/api/asan-sim, routed by the gateway)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import requests

# The simulator's test SIM cards (read from its file, so tests can name people before anything runs).
SIM_FILE = Path(__file__).resolve().parent.parent / "simulator" / "asan_sim" / "data" / "identities.json"


def sim_identities() -> list[dict]:
    return json.loads(SIM_FILE.read_text(encoding="utf-8"))


def sim_identity(*, fin: str | None = None, label: str | None = None) -> dict:
    for sim in sim_identities():
        if (fin is None or sim["fin"] == fin) and (label is None or label in sim["label"]):
            return sim
    raise LookupError("no such simulator identity")


class ApiSession:
    """Everything goes through `base_url` (normally the gateway)."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.token: str | None = None

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {}) or {}
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.http.request(method, f"{self.base_url}{path}", headers=headers, timeout=15, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def confirm_on_phone(self, phone: str, verification_code: str, pin: str, kind: str | None = None) -> requests.Response:
        """Find the request showing the same code on the simulated phone and confirm it with the PIN."""
        deadline = time.time() + 10
        while time.time() < deadline:
            pending = self.http.get(f"{self.base_url}/api/asan-sim/phones/{phone}/requests", timeout=10).json()
            for item in pending:
                if item["verification_code"] == verification_code and (kind is None or item["kind"] == kind):
                    return self.http.post(f"{self.base_url}/api/asan-sim/phones/{phone}/requests/{item['request_id']}",
                                          json={"pin": pin}, timeout=10)
            time.sleep(0.1)
        raise AssertionError("the verification code never appeared on the phone")

    def confirm_next_on_phone(self, phone: str, pin: str, kind: str = "sign") -> requests.Response:
        """Confirm whichever request of `kind` the phone shows (e.g. the "2/2" of a signing, whose
        code the portal learns only by polling)."""
        deadline = time.time() + 10
        while time.time() < deadline:
            pending = self.http.get(f"{self.base_url}/api/asan-sim/phones/{phone}/requests", timeout=10).json()
            for item in pending:
                if item["kind"] == kind:
                    return self.http.post(f"{self.base_url}/api/asan-sim/phones/{phone}/requests/{item['request_id']}",
                                          json={"pin": pin}, timeout=10)
            time.sleep(0.1)
        raise AssertionError("no request appeared on the phone")

    def confirm_signing(self, status_path: str, phone: str, verification_code: str, pin: str) -> requests.Response:
        """Confirm a signing on the phone with PIN2: the request showing `verification_code`, then,
        while the document's signature (GET `status_path`) stays pending, each next one the phone
        shows ("2/2", ...) — auth asks for one signature per session, the next once the last is in.
        Returns the phone's answer to the first confirmation."""
        first = self.confirm_on_phone(phone, verification_code, pin, kind="sign")
        if first.status_code != 200:
            return first
        answered = set()
        deadline = time.time() + 20
        while time.time() < deadline:
            polled = self.get(status_path)
            if polled.status_code != 200 or polled.json().get("state") != "pending":
                return first
            pending = self.http.get(f"{self.base_url}/api/asan-sim/phones/{phone}/requests", timeout=10).json()
            for item in pending:
                if item["kind"] == "sign" and item["request_id"] not in answered:
                    answered.add(item["request_id"])
                    confirmed = self.http.post(
                        f"{self.base_url}/api/asan-sim/phones/{phone}/requests/{item['request_id']}",
                        json={"pin": pin}, timeout=10)
                    assert confirmed.status_code == 200, confirmed.text
            time.sleep(0.1)
        raise AssertionError("the signing never left the pending state")

    def login(self, sim: dict) -> "ApiSession":
        started = self.post("/api/auth/asan/sessions", json={"phone": sim["phone"], "user_id": sim["user_id"]})
        assert started.status_code == 201, started.text
        body = started.json()
        confirmed = self.confirm_on_phone(sim["phone"], body["verification_code"], sim["pin1"], kind="login")
        assert confirmed.status_code == 200, confirmed.text
        deadline = time.time() + 10
        while time.time() < deadline:
            state = self.get(f"/api/auth/asan/sessions/{body['session_id']}").json()
            if state.get("state") == "confirmed" and state.get("access_token"):
                self.token = state["access_token"]
                return self
            time.sleep(0.1)
        raise AssertionError(f"log-in never completed: {state}")

    def act_for(self, voen: str | None) -> "ApiSession":
        response = self.post("/api/auth/role", json={"voen": voen})
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return self
