"""Fixtures: tiny echoing upstream servers and real nginx gateways in front of them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

# Importable in any pytest import mode (the repository uses importlib mode).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gateway_support import Gateway, Upstream, free_port, gw_render


@pytest.fixture(scope="session")
def nginx_bin() -> str:
    path = gw_render.find_nginx()
    if not path or not os.access(path, os.X_OK):
        where = f" (NGINX_BIN={path})" if os.environ.get("NGINX_BIN") else ""
        pytest.fail(
            f"nginx not found{where}; the gateway tests run a real nginx: "
            "run `apt-get install nginx` (the Makefile installs it) or set NGINX_BIN.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def upstreams():
    servers = {
        name: Upstream(name).start()
        for name in ("auth", "registry-a", "registry-b", "contracts", "certificates", "insurers", "asan-sim",
                     "portal")
    }
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def start_gateway(nginx_bin):
    """Factory: render from `env` with the CLI, run nginx via --run, wait until it answers."""
    started: list[tuple[Gateway, str]] = []

    def start(env: dict[str, str], render: Path | None = None) -> Gateway:
        # mkdtemp + 0755: when the tests run as root, nginx workers run as
        # 'nobody' and must reach the runtime dir (pytest's tmp dirs are 0700).
        runtime = Path(tempfile.mkdtemp(prefix="gateway-test-"))
        runtime.chmod(0o755)
        port = free_port()
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "NGINX_BIN": nginx_bin,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_WORKERS": "2",
            **env,
        }
        out = open(runtime / "run.out", "wb")
        proc = subprocess.Popen(
            [sys.executable, str(render or gw_render.__file__), "--runtime-dir", str(runtime), "--run"],
            env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )
        gw = Gateway(f"http://127.0.0.1:{port}", runtime, proc)
        started.append((gw, str(runtime)))
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gateway exited ({proc.returncode}):\n"
                            + (runtime / "run.out").read_text(errors="replace"))
            try:
                if requests.get(gw.url + "/healthz", timeout=1).status_code == 200:
                    return gw
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                gw.stop()
                pytest.fail("gateway did not start listening:\n"
                            + (runtime / "run.out").read_text(errors="replace"))
            time.sleep(0.05)

    yield start
    for gw, runtime in started:
        gw.stop()
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture(scope="session")
def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.fixture(scope="session")
def gateway(start_gateway, upstreams, dead_url) -> Gateway:
    u = upstreams
    return start_gateway({
        "AUTH_URLS": u["auth"].url,
        "REGISTRY_URLS": f"{u['registry-a'].url}, {u['registry-b'].url}",
        "CONTRACTS_URLS": u["contracts"].url,
        "CERTIFICATES_URLS": u["certificates"].url,
        "INSURERS_URLS": u["insurers"].url,
        "ASAN_SIM_URLS": u["asan-sim"].url,
        "PORTAL_URLS": u["portal"].url,
        "ACCIDENTS_URLS": dead_url,
        "GATEWAY_MAX_BODY": "64k",
        "GATEWAY_READ_TIMEOUT": "1s",
    })
