"""Settings of the portal, from environment variables only."""
from __future__ import annotations

from dataclasses import dataclass

from egov_kit.config import Settings, apply_overrides, env, load_settings, split_overrides


@dataclass
class PortalSettings:
    # Where the portal reaches the public API (the gateway), with the person's own token.
    gateway_url: str = "http://127.0.0.1:8080"
    # Signs the session cookie that carries the person's tokens (PORTAL_SECRET; required at start).
    secret: str = ""
    # Whether the Asan İmza simulator is there (dev and tests): the log-in page links its phone page.
    simulator: bool = False
    # Seconds one call to the API may take before the page says the service is unavailable.
    api_timeout: float = 20.0
    # How often (seconds) a waiting page asks again without JavaScript (meta refresh).
    poll_seconds: int = 3


def load(overrides: dict | None = None) -> tuple[Settings, PortalSettings]:
    """(kit settings, portal settings); `overrides` by name, an unknown name is an error."""
    kit_overrides, own_overrides = split_overrides(overrides)
    kit = load_settings("portal", **kit_overrides)
    own = PortalSettings(
        gateway_url=(env("GATEWAY_URL") or f"http://127.0.0.1:{kit.gateway_port}").rstrip("/"),
        secret=env("PORTAL_SECRET", "") or "",
        simulator=bool(env("ASAN_SIM_URLS")),
        api_timeout=float(env("PORTAL_API_TIMEOUT_SECONDS", "20")),
    )
    return kit, apply_overrides(own, own_overrides)
