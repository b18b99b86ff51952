"""Which webhooks an organisation has, as the consumer sees them: cached, so an event costs no
look-up of webhooks nor of their version, yet never stale for an event that comes after a change
was confirmed.

Every change of webhooks bumps a version number (repository.bump_webhooks_version) before the
API answers. The cache remembers the version it was built from; the write of each event's plan
carries a guard that matches only that version (repository.add_plan), in the same round trip.
The guard is evaluated after the event was received, hence after every change answered before
the event was published: when it does not match, the planner refreshes the cache (`refresh`)
and plans the event again (see service.NotifierService._alert_organisations).

A webhook registered under an authority that was withdrawn or has ended is kept in the cache but
not offered for sending (`for_voen`): see domain.webhook_suspension.

Each refresh starts a new generation of the cache. Deliveries remember the generation they were
planned under; the delivery worker checks a webhook is still there when the directory was
refreshed since (see delivery.DeliveryWorker)."""
from __future__ import annotations

import threading
from datetime import date

from egov_kit.clock import baku_today

from .domain import ACTIVE, SUSPENDED, webhook_suspension
from .repository import NotifierRepository


class WebhookDirectory:
    def __init__(self, repo: NotifierRepository):
        self.repo = repo
        self._version: int | None = None
        self._generation = 0
        self._by_voen: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> int | None:
        """The version of webhooks the cache was built from (None before the first refresh)."""
        return self._version

    @property
    def generation(self) -> int:
        """How many times the cache was refreshed."""
        return self._generation

    def current(self) -> tuple[int, int]:
        """(generation, version) of the cache; the first call reads the version."""
        with self._lock:
            if self._version is not None:
                return self._generation, self._version
        return self.refresh()

    def refresh(self) -> tuple[int, int]:
        """Reads the version and forgets what was cached: every webhook read from now on is read
        after this. Returns the new (generation, version)."""
        version = self.repo.webhooks_version()
        with self._lock:
            self._by_voen = {}
            self._version = version
            self._generation += 1
            return self._generation, version

    def for_voen(self, voen: str, today: date | None = None) -> list[dict]:
        """The organisation's webhooks that may be sent to on `today` (Baku; now when None), read
        since the last refresh ({_id, url, secret_encrypted, authority_id, authority_valid_until}):
        not those suspended, by a withdrawal or by the end of the authority they were registered
        under (checked on each call, not when read: a cache may outlive a midnight)."""
        today = today or baku_today()
        return [hook for hook in self._all_for(voen) if not webhook_suspension(hook, today)]

    def status(self, voen: str, webhook_id: str, today: date | None = None) -> str | None:
        """active / suspended, or None when the organisation has no such webhook (as of the last
        refresh)."""
        hook = next((h for h in self._all_for(voen) if h["_id"] == webhook_id), None)
        if hook is None:
            return None
        return SUSPENDED if webhook_suspension(hook, today or baku_today()) else ACTIVE

    def _all_for(self, voen: str) -> list[dict]:
        with self._lock:
            cached = self._by_voen.get(voen)
            generation = self._generation
        if cached is not None:
            return cached
        hooks = self.repo.webhooks_for(voen)
        with self._lock:
            # Kept only if not refreshed meanwhile: the read might have come before that refresh.
            if self._generation == generation:
                self._by_voen[voen] = hooks
        return hooks

    def has(self, voen: str, webhook_id: str) -> bool:
        """Whether the organisation still has that webhook, as of the last refresh."""
        return self.status(voen, webhook_id) is not None
