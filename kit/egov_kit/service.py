"""What a service package declares so the runner can start its roles (api, relay, consumer)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from .bus import EventHandlers


class BackgroundWorker(Protocol):
    def run_forever(self) -> None:
        """Works until stop() is called; returns once what it holds is put away."""

    def stop(self) -> None:
        ...


@dataclass
class ServiceSpec:
    name: str
    create_app: Callable
    outbox_collections: list[str] = field(default_factory=list)
    handlers: EventHandlers | None = None
    # Made and run on threads of their own beside the event consumer (consumer role), e.g. a
    # worker sending what the handlers planned. They are stopped after the consumer has stopped.
    workers: list[Callable[[], BackgroundWorker]] = field(default_factory=list)
