"""No secret has a default: a role started without one it needs stops at once, with one line
naming the variable; the local runner generates each into var/secrets/ and hands it over."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.suite import Suite

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("SERVICE_CLIENT_SECRET", "WEBHOOK_SECRET_KEY", "ASAN_RP_UUID", "ASAN_PROVIDER_URL")


def start_role(service: str, role: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in SECRETS}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT / "services" / service), os.environ.get("PYTHONPATH", "")])
    # Nothing listens here: had the role got past the check, it would fail differently (or hang).
    base.update({"MONGO_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500",
                 "AMQP_URL": "amqp://guest:guest@127.0.0.1:9/%2F", **env})
    return subprocess.run([sys.executable, "-m", "egov_kit.run", f"{service}_service", role, "--port", "9"],
                          env=base, capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("service, role, env, missing", [
    ("registry", "api", {}, "SERVICE_CLIENT_SECRET"),
    ("contracts", "relay", {}, "SERVICE_CLIENT_SECRET"),
    ("notifier", "api", {"SERVICE_CLIENT_SECRET": "s"}, "WEBHOOK_SECRET_KEY"),
    ("notifier", "consumer", {"SERVICE_CLIENT_SECRET": "s"}, "WEBHOOK_SECRET_KEY"),
    ("auth", "api", {"SERVICE_CLIENT_SECRET": "s", "ASAN_PROVIDER_URL": "https://asan.example/asan-api"},
     "ASAN_RP_UUID"),
    ("auth", "consumer", {"SERVICE_CLIENT_SECRET": "s", "ASAN_PROVIDER_URL": "https://asan.example/asan-api"},
     "ASAN_RP_UUID"),
    # Set but empty is not set.
    ("registry", "api", {"SERVICE_CLIENT_SECRET": ""}, "SERVICE_CLIENT_SECRET"),
])
def test_a_role_without_its_secret_stops_at_once_naming_it(service, role, env, missing):
    result = start_role(service, role, **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{service}: {missing} is not set") and "refusing to start" in lines[0]


def test_the_local_runner_generates_each_secret_once_and_hands_it_over(tmp_path):
    names = ("SERVICE_CLIENT_SECRET", "WEBHOOK_SECRET_KEY", "ASAN_RP_UUID")
    first = {k: Suite(var_dir=tmp_path, quiet=True).env()[k] for k in names}
    assert all(first.values())
    assert {k: Suite(var_dir=tmp_path, quiet=True).env()[k] for k in names} == first  # kept, not made anew
    for path in (tmp_path / "secrets").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    # The simulator, playing an outside party, shares the relying party's UUID with auth and
    # gets none of the suite's own secrets.
    simulator = Suite(var_dir=tmp_path, quiet=True).simulator_env()
    assert simulator["ASAN_RP_UUID"] == first["ASAN_RP_UUID"]
    assert "SERVICE_CLIENT_SECRET" not in simulator and "WEBHOOK_SECRET_KEY" not in simulator
