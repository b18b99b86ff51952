"""Which webhooks an organisation has, as the consumer sees them: cached, so an event costs no
look-up of webhooks, yet never stale for an event that comes after a change was confirmed.

Every change of webhooks bumps a version number (repository.bump_webhooks_version) before the
API answers. Before an event is planned, the directory reads that number (one read by _id) and
drops what it cached when it moved: an event published after the answer is handled after the
bump, so it goes to a new webhook and to no deleted one. Deliveries remember the version they
were planned under; the delivery worker checks a webhook is still there when the directory has
seen a newer one since (see delivery.DeliveryWorker)."""
from __future__ import annotations

import threading

from .repository import NotifierRepository


class WebhookDirectory:
    def __init__(self, repo: NotifierRepository):
        self.repo = repo
        self._version: int | None = None
        self._by_voen: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> int | None:
        """The newest version read so far (None before the first check)."""
        return self._version

    def check(self) -> int:
        """Reads the version; what was cached before a change is forgotten. Returns the version."""
        version = self.repo.webhooks_version()
        with self._lock:
            if self._version is None or version > self._version:  # an older reading that came late changes nothing
                self._by_voen = {}
                self._version = version
            return self._version

    def for_voen(self, voen: str) -> list[dict]:
        """The organisation's webhooks as of the last check ({_id, url, secret_encrypted})."""
        with self._lock:
            cached = self._by_voen.get(voen)
            version = self._version
        if cached is not None:
            return cached
        hooks = self.repo.webhooks_for(voen)
        with self._lock:
            # Kept only if no change was seen meanwhile: it might have been read before that change.
            if version is not None and self._version == version:
                self._by_voen[voen] = hooks
        return hooks

    def has(self, voen: str, webhook_id: str) -> bool:
        """Whether the organisation still has that webhook, as of the last check."""
        return any(hook["_id"] == webhook_id for hook in self.for_voen(voen))
