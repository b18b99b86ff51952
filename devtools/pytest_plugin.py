"""Fixtures shared by every test: the real Mongo-speaking server, the real broker, the suite.

`MONGO_URI` set → tests use that MongoDB; otherwise an nx-27017 server is started on a free port
with its own data directory. RabbitMQ comes from `AMQP_URL` (default: the local broker)."""
from __future__ import annotations

import os
import time
import uuid

import pika
import pytest
from pymongo import MongoClient

from devtools.suite import Suite, free_port

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
# Hypothesis (property tests, schemathesis) keeps its files with the run's other local data.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                      os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "hypothesis"))


def eventually(check, timeout: float = 10.0, interval: float = 0.05, message: str = "condition"):
    """Wait for something a background handler does, instead of sleeping a fixed time."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message} (last: {last!r})")


@pytest.fixture(scope="session")
def amqp_url() -> str:
    try:
        pika.BlockingConnection(pika.URLParameters(AMQP_URL)).close()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"RabbitMQ is not reachable at {AMQP_URL} ({exc}); `make test` starts it")
    return AMQP_URL


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory) -> str:
    if os.environ.get("MONGO_URI"):
        yield os.environ["MONGO_URI"]
        return
    suite = Suite(var_dir=tmp_path_factory.mktemp("mongo"), mongo_port=free_port(), mongo_uri=None, quiet=True)
    suite.var_dir.mkdir(parents=True, exist_ok=True)
    suite.start_mongo()
    yield suite.mongo_uri
    suite.stop()


@pytest.fixture(scope="session")
def mongo_client(mongo_uri) -> MongoClient:
    client = MongoClient(mongo_uri, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def fresh_db(mongo_client):
    """A database of its own for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield mongo_client[name]
    mongo_client.drop_database(name)


def remove_broker_objects(amqp_url: str, prefix: str) -> None:
    """Durable queues and exchanges outlive a test run; remove the ones this run declared."""
    import subprocess
    try:
        listing = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name"], capture_output=True,
                                 text=True, timeout=60).stdout.split()
        exchanges = subprocess.run(["rabbitmqctl", "-q", "list_exchanges", "name"], capture_output=True,
                                   text=True, timeout=60).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    for name in listing:
        if name.startswith(prefix):
            channel.queue_delete(name)
    for name in exchanges:
        if name.startswith(prefix):
            channel.exchange_delete(name)
    connection.close()


@pytest.fixture(scope="session")
def bus_names(amqp_url) -> dict:
    """Exchange and queue prefix of this test session, so runs never see each other's messages."""
    tag = uuid.uuid4().hex[:8]
    yield {"exchange": f"test.{tag}.events", "queue_prefix": f"test.{tag}"}
    remove_broker_objects(amqp_url, f"test.{tag}")


@pytest.fixture(scope="session")
def suite(tmp_path_factory, mongo_uri, amqp_url, bus_names):
    """The whole suite (every service that exists so far, and the gateway) on free ports."""
    ports = {name: free_port() for name in ("auth", "registry", "accidents", "certificates",
                                             "contracts", "insurers", "notifier", "portal")}
    running = Suite(var_dir=tmp_path_factory.mktemp("suite"), gateway_port=free_port(),
                    smtp_port=free_port(), asan_sim_port=free_port(),
                    service_ports=ports, amqp_url=amqp_url, mongo_uri=mongo_uri,
                    exchange=bus_names["exchange"], queue_prefix=bus_names["queue_prefix"],
                    extra_env={"GATEWAY_RATE": "2000", "GATEWAY_BURST": "4000",
                               "MONGO_DB_PREFIX": bus_names["queue_prefix"].replace(".", "_")},
                    quiet=True)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def service_client(suite):
    """Make a kit ServiceClient of a service (by name) that reaches the running suite's services
    with real service tokens: what a service class gets as its `client` in service-layer tests."""
    from egov_kit.auth import ServiceTokens
    from egov_kit.http import ServiceClient

    urls = {name: suite.url(name) for name in suite.service_ports}
    secret = suite.env()["SERVICE_CLIENT_SECRET"]

    def make(name: str) -> ServiceClient:
        return ServiceClient(name, ServiceTokens(name, suite.url("auth"), secret), urls=urls)
    return make


@pytest.fixture(scope="session")
def registry_client(service_client):
    """Make the kit's RegistryClient of a service (by name), talking to the suite's real registry."""
    from egov_kit.registry import RegistryClient
    return lambda name: RegistryClient(service_client(name))
