"""Starts the whole suite on one machine: Mongo-speaking server, mail sink, the Asan İmza simulator,
every service's roles (api under gunicorn, outbox relay, consumer) and the gateway. Used by
`make run` and the tests.

The secrets the services need (no secret has a default) are generated once per data folder into
<var>/secrets/ and handed to the suite's processes; the simulator gets none of them."""
from __future__ import annotations

import importlib
import os
import secrets
import shutil
import uuid
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from egov_kit.catalogue import API_NAMES, DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parent.parent
# Where each service serves its API locally, from the table (kit/egov_kit/services.toml).
SERVICE_PORTS = dict(DEFAULT_PORTS)
NX_27017_VERSION = "0.8.1"
ASAN_SIM_PORT = 8190
# The demo's operations staff (Leyla Qasımova); STAFF_FINS in the environment replaces it.
DEMO_STAFF_FINS = "3SF9WKL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def wait_until(check, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with {proc.returncode}\n{tail}")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up in {timeout}s\n{tail}")


def _fernet_key() -> str:
    import base64
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _declares_service(name: str) -> bool:
    if not (ROOT / "services" / name / f"{name}_service" / "__init__.py").exists():
        return False
    sys.path.insert(0, str(ROOT / "services" / name))
    try:
        return hasattr(importlib.import_module(f"{name}_service"), "SERVICE")
    finally:
        sys.path.pop(0)


def portal_available() -> bool:
    """The portal (the people's pages, served by the gateway at /) is started after the API services."""
    return "portal" in SERVICE_PORTS and _declares_service("portal")


def available_services() -> list[str]:
    """Services of the public API whose package exists and declares SERVICE (the suite grows one
    service at a time); the portal is not one of them (portal_available)."""
    return [name for name in API_NAMES if name in SERVICE_PORTS and _declares_service(name)]


@dataclass
class Suite:
    var_dir: Path
    gateway_port: int = 8080
    mongo_port: int = 27017
    smtp_port: int = 8025
    asan_sim_port: int = ASAN_SIM_PORT
    service_ports: dict = field(default_factory=lambda: dict(SERVICE_PORTS))
    amqp_url: str = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    mongo_uri: str | None = os.environ.get("MONGO_URI")
    exchange: str = "egov.events"
    queue_prefix: str = "egov"
    extra_env: dict = field(default_factory=dict)
    quiet: bool = False
    processes: list = field(default_factory=list)
    services: list = field(default_factory=list)
    portal_started: bool = False

    def say(self, text: str):
        if not self.quiet:
            print(text, flush=True)

    def env(self) -> dict:
        """The local run's environment: what each of its processes is started with, and what a
        process started beside them takes (a test's second consumer). Its secrets are generated
        once per data folder into <var>/secrets/ (none has a default) and kept."""
        env = dict(os.environ)
        env.update({
            "MONGO_URI": self.mongo_uri, "AMQP_URL": self.amqp_url, "EVENTS_EXCHANGE": self.exchange,
            "QUEUE_PREFIX": self.queue_prefix, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp_port),
            "GATEWAY_PORT": str(self.gateway_port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.gateway_port}",
            "SERVICE_CLIENT_SECRET": self._secret("service_client_secret", lambda: secrets.token_urlsafe(32)),
            # A development key of this data folder, given explicitly: the notifier does not start without one.
            "WEBHOOK_SECRET_KEY": os.environ.get("WEBHOOK_SECRET_KEY") or self._secret("webhook_secret_key",
                                                                                       _fernet_key),
            # Auth is the relying party of the local Asan İmza simulator and trusts its test CA
            # (by file); the gateway routes /api/asan-sim to it.
            "ASAN_PROVIDER_URL": self.asan_provider_url, "ASAN_RP_UUID": self._rp_uuid(),
            "AUTH_TRUSTED_CA_FILE": str(self.asan_sim_dir / "ca.pem"), "ASAN_SIM_URLS": self.asan_sim_url,
            "STAFF_FINS": os.environ.get("STAFF_FINS") or DEMO_STAFF_FINS,
            # Signs the portal's session cookie (a development key of this data folder).
            "PORTAL_SECRET": os.environ.get("PORTAL_SECRET") or self._secret("portal_secret",
                                                                             lambda: secrets.token_urlsafe(32)),
            "GATEWAY_URL": self.gateway_url,
            "WEBHOOK_ALLOW_PRIVATE": "true", "PYTHONUNBUFFERED": "1",
        })
        for name, port in self.service_ports.items():
            env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
            env[f"{name.upper()}_URLS"] = f"http://127.0.0.1:{port}"
        paths = [str(ROOT / "services" / name) for name in SERVICE_PORTS] + [str(ROOT)]
        env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
        env.update(self.extra_env)
        return {k: v for k, v in env.items() if v is not None}

    def simulator_env(self) -> dict:
        """The simulator plays an outside party: its own settings and the relying party's UUID it
        shares with auth, none of the suite's secrets."""
        env = {k: v for k, v in os.environ.items() if k not in ("SERVICE_CLIENT_SECRET", "WEBHOOK_SECRET_KEY")}
        env.update({"ASAN_RP_UUID": self._rp_uuid(), "ASAN_SIM_DATA_DIR": str(self.asan_sim_dir),
                    "PYTHONUNBUFFERED": "1",
                    "PYTHONPATH": os.pathsep.join([str(ROOT / "simulator"), env.get("PYTHONPATH", "")])})
        env.update(self.extra_env)
        return env

    def _rp_uuid(self) -> str:
        return self._secret("asan_rp_uuid", lambda: str(uuid.uuid4()))

    def _secret(self, name: str, make) -> str:
        # Generated once per data folder and kept, like any other local secret.
        path = self.var_dir / "secrets" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()

    def spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        logs = self.var_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"{name}.log"
        out = open(log_path, "ab")
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env or self.env(),
                                cwd=ROOT, start_new_session=True)
        proc.egov_name, proc.egov_log = name, log_path
        self.processes.append(proc)
        return proc

    def start_mongo(self):
        if self.mongo_uri:
            self.say(f"  MongoDB          {self.mongo_uri} (MONGO_URI)")
            return
        data = self.var_dir / "mongo"
        data.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("nx-27017", path=str(Path(sys.executable).parent)) or shutil.which("nx-27017")
        if binary is None:
            raise RuntimeError(f"nx-27017 is not installed (pip install nx-27017=={NX_27017_VERSION})")
        # Through devtools.nx27017: it logs its start-up (to mongo.log), never the queries it serves.
        proc = self.spawn("mongo", [sys.executable, "-m", "devtools.nx27017", "--data-dir", str(data),
                                    "--host", "127.0.0.1", "-p", str(self.mongo_port),
                                    "--pid-file", str(self.var_dir / "mongo.pid")])
        wait_until(lambda: port_open("127.0.0.1", self.mongo_port), 30, "nx-27017", proc, proc.egov_log)
        self.mongo_uri = f"mongodb://127.0.0.1:{self.mongo_port}"
        self.say(f"  Mongo (nx-27017) {self.mongo_uri}  data in {data}")

    def start_mailsink(self):
        proc = self.spawn("mailsink", [sys.executable, "-m", "devtools.mailsink", "--dir", str(self.mail_dir),
                                       "--port", str(self.smtp_port)])
        wait_until(lambda: port_open("127.0.0.1", self.smtp_port), 20, "mail sink", proc, proc.egov_log)
        self.say(f"  SMTP sink        127.0.0.1:{self.smtp_port}  messages in {self.mail_dir}")

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def asan_sim_dir(self) -> Path:
        return self.var_dir / "asan-sim"

    @property
    def asan_sim_url(self) -> str:
        return f"http://127.0.0.1:{self.asan_sim_port}"

    @property
    def asan_provider_url(self) -> str:
        return f"{self.asan_sim_url}/asan-api"

    def start_simulator(self):
        """The Asan İmza simulator, before auth: auth trusts the CA it makes at start (by file)."""
        proc = self.spawn("asan-sim", [sys.executable, "-m", "asan_sim", "--port", str(self.asan_sim_port)],
                          self.simulator_env())
        wait_until(lambda: requests.get(f"{self.asan_sim_url}/healthz", timeout=1).ok, 30, "Asan İmza simulator",
                   proc, proc.egov_log)
        self.say(f"  Asan İmza sim    {self.asan_sim_url}  (provider /asan-api, phones /api/asan-sim; "
                 f"CA {self.asan_sim_dir / 'ca.pem'})")

    def start_service(self, name: str):
        """Starts the roles the table gives the service, as compose and Kubernetes do."""
        entry = SERVICES[name]
        api = self.spawn(f"{name}-api", [sys.executable, "-m", "egov_kit.run", entry.package, "api",
                                         "--port", str(self.service_ports[name])])
        for role in entry.roles:
            if role != "api":
                self.spawn(f"{name}-{role}", [sys.executable, "-m", "egov_kit.run", entry.package, role])
        if entry.has_api:
            self.services.append(name)
        else:  # the portal: no service of the API (no OpenAPI document, nothing under /api)
            self.portal_started = True
        return api, list(entry.roles)

    def start_copy(self, name: str, db_prefix: str, label: str, roles: tuple[str, ...] = ("api",)) -> str:
        """Another instance of a service with the stack's settings on a database of its own
        (`db_prefix`), outside the gateway: the benchmarks compare one store against another.
        Its address, once it answers."""
        entry = SERVICES[name]
        port = free_port()
        env = dict(self.env(), MONGO_DB_PREFIX=db_prefix)
        api = self.spawn(f"{label}-api", [sys.executable, "-m", "egov_kit.run", entry.package, "api",
                                          "--port", str(port)], env)
        for role in roles:
            if role != "api":
                self.spawn(f"{label}-{role}", [sys.executable, "-m", "egov_kit.run", entry.package, role], env)
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, 60, label, api, api.egov_log)
        return url

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.service_ports[name]}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def start_gateway(self):
        env = self.env()
        env["GATEWAY_PORT"] = str(self.gateway_port)
        if os.geteuid() == 0:
            env.setdefault("GATEWAY_USER", "root")
        proc = self.spawn("gateway", [sys.executable, str(ROOT / "gateway" / "render.py"),
                                      "--runtime-dir", str(self.var_dir / "gateway"), "--run"], env)
        wait_until(lambda: requests.get(f"{self.gateway_url}/healthz", timeout=1).ok, 30, "gateway", proc, proc.egov_log)

    def start(self, services: list[str] | None = None, gateway: bool = True, portal: bool = True):
        self.var_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.start_mongo()
            self.start_mailsink()
            self.start_simulator()
            started = []
            for name in services if services is not None else available_services():
                started.append((name, *self.start_service(name)))
            if portal and "portal" in self.service_ports and portal_available():
                started.append(("portal", *self.start_service("portal")))
            for name, proc, roles in started:
                wait_until(lambda: requests.get(f"{self.url(name)}/healthz", timeout=1).ok, 60,
                           f"{name} service", proc, proc.egov_log)
                self.say(f"  {name:<16} {self.url(name)}  ({', '.join(roles)})")

            if gateway and (ROOT / "gateway" / "render.py").exists():
                self.start_gateway()
                self.say(f"  gateway          {self.gateway_url}")
        except BaseException:
            self.stop()
            raise
        return self

    def check_alive(self) -> list[str]:
        return [p.egov_name for p in self.processes if p.poll() is not None]

    def stop(self):
        for proc in reversed(self.processes):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 10
        for proc in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.processes.clear()
