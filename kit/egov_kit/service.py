"""What a service package declares so the runner can start its roles (api, relay, consumer)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .bus import EventHandlers


@dataclass
class ServiceSpec:
    name: str
    create_app: Callable
    outbox_collections: list[str] = field(default_factory=list)
    handlers: EventHandlers | None = None
