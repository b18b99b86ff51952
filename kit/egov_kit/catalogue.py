"""The table of the suite's services (services.toml beside this file), read once.

Kept free of every other import: the gateway's renderer reads the same file with nothing but the
standard library, and the deploy tests hold compose and Kubernetes to it."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "services.toml"
ROLES = ("api", "relay", "consumer")


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    port: int
    roles: tuple[str, ...]
    title: str
    mount: str = ""

    @property
    def prefix(self) -> str:
        """Where the gateway serves it: `/api/<name>`, or the row's own `mount` (the portal: `/`)."""
        return self.mount or f"/api/{self.name}"

    @property
    def has_api(self) -> bool:
        """A service of the public API (routes under /api, an OpenAPI document), not the portal."""
        return self.prefix.startswith("/api/")

    @property
    def package(self) -> str:
        return f"{self.name}_service"


def _load() -> dict[str, ServiceEntry]:
    with TABLE.open("rb") as handle:
        raw = tomllib.load(handle)
    entries = {}
    for name, row in raw.items():
        roles = tuple(row["roles"])
        if "api" not in roles or set(roles) - set(ROLES):
            raise ValueError(f"services.toml: {name} has roles {roles}")
        entries[name] = ServiceEntry(name=name, port=int(row["port"]), roles=roles, title=row.get("title", ""),
                                     mount=row.get("mount", ""))
    return entries


SERVICES: dict[str, ServiceEntry] = _load()
NAMES: tuple[str, ...] = tuple(SERVICES)
DEFAULT_PORTS: dict[str, int] = {name: entry.port for name, entry in SERVICES.items()}
# The services of the public API (under /api, each with its OpenAPI document): all but the portal.
API_NAMES: tuple[str, ...] = tuple(name for name, entry in SERVICES.items() if entry.has_api)
