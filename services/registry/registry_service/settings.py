"""Settings of the registry service, from environment variables only.

The registry reads nothing of its own yet: its data is the fixed synthetic seed
(seed_data.DEFAULT_SEED), and everything else (database, auth) is the kit's."""
from __future__ import annotations

from dataclasses import dataclass

from egov_kit.config import Settings, apply_overrides, load_settings, split_overrides


@dataclass
class RegistrySettings:
    """The registry's own settings (none so far); kept so that it is configured like every service."""


def load(overrides: dict | None = None) -> tuple[Settings, RegistrySettings]:
    """(kit settings, registry settings); `overrides` by name, an unknown name is an error."""
    kit_overrides, own_overrides = split_overrides(overrides)
    return load_settings("registry", **kit_overrides), apply_overrides(RegistrySettings(), own_overrides)
