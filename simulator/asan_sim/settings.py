"""Settings of the Asan İmza simulator, from environment variables only.

The simulator plays the provider for exactly one relying party, whose credentials it is given
(the same ASAN_RP_UUID and ASAN_RP_NAME auth is given). The UUID is a shared secret: it has no
default, and the simulator does not start without it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_IDENTITIES = PACKAGE_DIR / "data" / "identities.json"
DEFAULT_RP_NAME = "ƏƏSMN elektron xidmətləri"


class MissingSetting(RuntimeError):
    """A required variable is not set; the message names it."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


@dataclass
class SimSettings:
    rp_uuid: str                                   # ASAN_RP_UUID (required)
    rp_name: str = DEFAULT_RP_NAME                 # ASAN_RP_NAME
    data_dir: str = "var/asan-sim"                 # ASAN_SIM_DATA_DIR: the test CA and the cards
    identities_file: str = str(DEFAULT_IDENTITIES)  # ASAN_SIM_IDENTITIES
    session_ttl: float = 120.0                     # ASAN_SIM_SESSION_TTL_SECONDS: then TIMEOUT
    ca_export_file: str | None = None              # ASAN_SIM_CA_EXPORT_FILE: a copy of the CA certificate


def load(**overrides) -> SimSettings:
    rp_uuid = overrides.pop("rp_uuid", None) or _env("ASAN_RP_UUID")
    if not rp_uuid:
        raise MissingSetting("ASAN_RP_UUID is not set: the simulator serves one relying party and needs its UUID")
    settings = SimSettings(
        rp_uuid=rp_uuid,
        rp_name=_env("ASAN_RP_NAME", DEFAULT_RP_NAME),
        data_dir=_env("ASAN_SIM_DATA_DIR", "var/asan-sim"),
        identities_file=_env("ASAN_SIM_IDENTITIES", str(DEFAULT_IDENTITIES)),
        session_ttl=float(_env("ASAN_SIM_SESSION_TTL_SECONDS", "120")),
        ca_export_file=_env("ASAN_SIM_CA_EXPORT_FILE"),
    )
    for key, value in overrides.items():
        if not hasattr(settings, key):
            raise TypeError(f"unknown simulator setting {key!r}")
        setattr(settings, key, value)
    return settings
