"""What a service package declares (`SERVICE` in its __init__.py) so the runner can start its
roles: api (the Flask app under gunicorn), relay (its outbox to the exchange), consumer (its
event handlers, and any workers that run beside them). See docs/service-layout.md."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from .bus import EventHandlers
from .config import Settings


class BackgroundWorker(Protocol):
    def run_forever(self) -> None:
        """Works until stop() is called; returns once what it holds is put away."""

    def stop(self) -> None:
        ...


@dataclass
class Consumption:
    """What the consumer role of a service runs: its event handlers (collaborators bound in) and
    workers on threads of their own beside the consumer (e.g. a worker sending what the handlers
    planned), stopped after the consumer has stopped."""
    handlers: EventHandlers
    workers: list[BackgroundWorker] = field(default_factory=list)


@dataclass
class ServiceSpec:
    name: str
    create_app: Callable
    # Collections whose documents carry outbox events: the relay role drains them.
    outbox_collections: list[str] = field(default_factory=list)
    # Builds what the consumer role runs, from the settings (None: the service handles no events).
    consumer: Callable[[Settings], Consumption] | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        return ("api",) + (("relay",) if self.outbox_collections else ()) + (("consumer",) if self.consumer else ())
