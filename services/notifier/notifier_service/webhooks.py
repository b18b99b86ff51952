"""Which webhooks an organisation has, as the consumer sees them: cached, so an event costs no
look-up, yet never stale once a change has been confirmed to the institution.

Every change of webhooks bumps a version number. The consumer trusts its cache only while its
last reading of that version is at most FRESH seconds old (the delivery worker's poller re-reads
it every ≤100 ms; a handler re-reads it itself when that is older). The API answers a change only
after SETTLES_AFTER > FRESH seconds, so every event handled after the answer sees the change."""
from __future__ import annotations

import threading
import time
from typing import Callable

from .repository import NotifierRepository

FRESH = 0.25
SETTLES_AFTER = 0.4


class WebhookDirectory:
    def __init__(self, repo: NotifierRepository, clock: Callable[[], float] = time.monotonic):
        self.repo = repo
        self.clock = clock
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._by_voen: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        started = self.clock()  # the reading counts from before it was asked for
        version = self.repo.webhooks_version()
        with self._lock:
            if self._version is None or version > self._version:  # an older reading that came late changes nothing
                self._by_voen = {}
                self._version = version
            self._checked_at = max(self._checked_at, started)

    def for_voen(self, voen: str) -> list[dict]:
        if self.clock() - self._checked_at > FRESH:
            self.refresh()
        with self._lock:
            cached = self._by_voen.get(voen)
            version = self._version
        if cached is not None:
            return cached
        hooks = self.repo.webhooks_for(voen)
        with self._lock:
            # Kept only if no change was seen meanwhile: it might have been read before that change.
            if self._version == version:
                self._by_voen[voen] = hooks
        return hooks
