"""The table of services (kit/egov_kit/services.toml) is the one list of services, ports and roles:
sound in itself, and what the packages declare, what the local runner starts and what the gateway
routes agree with it."""
from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
from egov_kit.catalogue import DEFAULT_PORTS, SERVICES

from devtools import suite as local_suite

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_PORT = 8080


def test_names_make_packages_and_kubernetes_names():
    for name, entry in SERVICES.items():
        # <name>_service is the package, <name>-api a compose service and Kubernetes Deployment,
        # <NAME>_URL an environment variable: lower-case letters keep all of them valid.
        assert re.fullmatch(r"[a-z]+", name), name
        assert entry.package == f"{name}_service"


def test_ports_are_distinct_and_leave_the_gateway_its_own():
    ports = list(DEFAULT_PORTS.values())
    assert len(ports) == len(set(ports)), "two services on one port"
    assert GATEWAY_PORT not in ports
    assert all(1024 < port < 65536 for port in ports)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_package_declares_the_roles_of_the_table(name):
    """SERVICE.roles follows from the package (a relay only with outbox collections, a consumer only
    with a consumer): the table, and so compose and Kubernetes, must run the same."""
    package_dir = ROOT / "services" / name
    if not (package_dir / f"{name}_service" / "__init__.py").is_file():
        pytest.skip(f"services/{name}/{name}_service is not written yet")
    sys.path.insert(0, str(package_dir))
    try:
        spec = importlib.import_module(f"{name}_service").SERVICE
    finally:
        sys.path.remove(str(package_dir))
    assert spec.name == name
    assert spec.roles == SERVICES[name].roles, (
        f"{name}_service declares {spec.roles}, services.toml says {SERVICES[name].roles}")


def test_the_local_runner_uses_the_table_ports():
    assert local_suite.SERVICE_PORTS == DEFAULT_PORTS


def test_the_local_runner_starts_exactly_the_roles_of_the_table(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(local_suite.Suite, "spawn", lambda self, name, argv, env=None: started.append((name, argv)))
    runner = local_suite.Suite(var_dir=tmp_path, quiet=True)
    for name, entry in SERVICES.items():
        started.clear()
        _, roles = runner.start_service(name)
        assert roles == list(entry.roles)
        assert [process for process, _ in started] == [f"{name}-{role}" for role in entry.roles]
        for (process, argv), role in zip(started, entry.roles):
            assert argv[1:5] == ["-m", "egov_kit.run", f"{name}_service", role], process
        assert started[0][1][5:] == ["--port", str(DEFAULT_PORTS[name])]
