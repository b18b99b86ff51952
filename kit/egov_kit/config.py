"""Configuration from environment variables only, with defaults that make the local run work."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from .catalogue import API_NAMES, DEFAULT_PORTS, NAMES as SERVICES  # noqa: F401  (the one table: services.toml)


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class MissingSecret(RuntimeError):
    """A secret the process needs is not set: no secret has a default, so it does not start."""

    def __init__(self, name: str, reason: str = ""):
        self.name = name
        super().__init__(f"{name} is not set{reason}")


@dataclass(frozen=True)
class Secret:
    name: str
    services: tuple[str, ...] | None = None  # None: every service
    when: str | None = None                  # required only where this variable is set


# The secrets of the suite. Every role of a service that needs one refuses to start without it
# (egov_kit.run); the local runner generates them into var/secrets/, compose and Kubernetes take
# them from the operator.
SECRETS = (
    # The portal calls only the public API, with the person's own token: no service credential.
    Secret("SERVICE_CLIENT_SECRET", services=API_NAMES),
    # Signs the portal's session cookie (which carries the person's tokens).
    Secret("PORTAL_SECRET", services=("portal",)),
    Secret("WEBHOOK_SECRET_KEY", services=("notifier",)),
    Secret("ASAN_RP_UUID", services=("auth",), when="ASAN_PROVIDER_URL"),
)


def check_secrets(service: str) -> None:
    """Raises MissingSecret for the first secret `service` needs and the environment lacks."""
    for secret in SECRETS:
        if secret.services is not None and service not in secret.services:
            continue
        if secret.when and not env(secret.when):
            continue
        if not env(secret.name):
            raise MissingSecret(secret.name, f" (needed when {secret.when} is set)" if secret.when else "")


def service_url(name: str) -> str:
    """Internal base URL of another service (direct, not through the gateway)."""
    return env(f"{name.upper()}_URL", f"http://127.0.0.1:{DEFAULT_PORTS[name]}").rstrip("/")


@dataclass
class Settings:
    service: str
    mongo_uri: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = ""
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    exchange: str = "egov.events"
    queue_prefix: str = "egov"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    gateway_port: int = 8080
    public_base_url: str = "http://127.0.0.1:8080"
    auth_url: str = ""
    jwks_url: str = ""
    service_client_secret: str = ""  # no default: a process without it refuses to start (check_secrets)
    access_token_audience: str = "egov-api"
    relay_poll_interval: float = 0.05
    relay_max_poll_interval: float = 1.0
    consumer_prefetch: int = 16
    retry_delays_ms: tuple = (1000, 5000, 30000, 120000, 600000)
    extra: dict = field(default_factory=dict)

    def url_of(self, name: str) -> str:
        return service_url(name)


def load_settings(service: str, **overrides) -> Settings:
    gateway_port = int(env("GATEWAY_PORT", "8080"))
    auth_url = service_url("auth")
    delays = env("RETRY_DELAYS_MS")
    settings = Settings(
        service=service,
        mongo_uri=env("MONGO_URI", "mongodb://127.0.0.1:27017"),
        mongo_db=env("MONGO_DB", f"{env('MONGO_DB_PREFIX', 'egov')}_{service}"),
        amqp_url=env("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
        exchange=env("EVENTS_EXCHANGE", "egov.events"),
        queue_prefix=env("QUEUE_PREFIX", "egov"),
        smtp_host=env("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env("SMTP_PORT", "8025")),
        gateway_port=gateway_port,
        public_base_url=env("PUBLIC_BASE_URL", f"http://127.0.0.1:{gateway_port}").rstrip("/"),
        auth_url=auth_url,
        jwks_url=env("JWKS_URL", f"{auth_url}/api/auth/jwks.json"),
        service_client_secret=env("SERVICE_CLIENT_SECRET", ""),
        relay_poll_interval=float(env("RELAY_POLL_INTERVAL", "0.05")),
        relay_max_poll_interval=float(env("RELAY_MAX_POLL_INTERVAL", "1.0")),
        consumer_prefetch=int(env("CONSUMER_PREFETCH", "16")),
        retry_delays_ms=tuple(int(x) for x in delays.split(",")) if delays else Settings.retry_delays_ms,
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


KIT_FIELDS = frozenset(f.name for f in fields(Settings))


def split_overrides(overrides: dict | None) -> tuple[dict, dict]:
    """A service's `create_app(config_overrides)` takes kit settings (mongo_db, …) and its own
    beside each other: (the kit's, the service's)."""
    kit, own = {}, {}
    for key, value in (overrides or {}).items():
        (kit if key in KIT_FIELDS else own)[key] = value
    return kit, own


def apply_overrides(settings, overrides: dict):
    """Sets `overrides` on a settings dataclass; a name it does not have is a mistake."""
    known = {f.name for f in fields(settings)}
    for key, value in overrides.items():
        if key not in known:
            raise TypeError(f"unknown {type(settings).__name__} setting {key!r}")
        setattr(settings, key, value)
    return settings
