"""A per-subject limit of N a fixed window, shared by every process, without a database round
trip on most checks.

The window's count lives in one shared counter (the `rate_limits` document of the window). A
process does not add one to it per check: it leases a share of the window, k checks at once, with
one atomic conditional increment (taken only while `count + k <= limit`), and spends that share
locally, so only about every k-th check touches the database. The count can therefore never pass
the limit: no process spends what it did not lease.

The size of a share, lease_size(remaining) = max(1, min(MAX_LEASE, remaining // LEASE_DIVISOR)),
with `remaining` the limit less the count last seen:
- One process alone (the common case) is exact: it spends its whole share before it asks again,
  and is refused only when the shared count is at the limit and its share is spent, i.e. after
  exactly `limit` checks in the window.
- A subject spread over several processes can be refused a little early, by what the others
  leased and did not spend (yet) when the window ends: at most one share each, so at most
  (processes − 1) × (MAX_LEASE − 1) checks, and never more than an eighth of what was left when
  that share was taken — shares shrink as the window fills, down to one check at a time once
  fewer than 16 remain, where every check is counted in the database and nothing is held back.
  With the default limit of 30 a minute a share starts at 3 checks; high limits (where the saved
  round trips matter) lease MAX_LEASE at a time.
- Once the count seen has reached the limit, further checks in that window are refused without
  asking the database (a window's count only grows).
Leases of a past window are dropped unspent: they were counted in that window, never in the next.

Pure logic: the shared counter of the window is reached through the `take(k) -> (taken, count)`
given with each check, which adds k only while the count stays within the limit; `count` is the
counter after taking, or as found when it was not taken."""
from __future__ import annotations

import threading
from typing import Callable

MAX_LEASE = 32
LEASE_DIVISOR = 8


def lease_size(remaining: int) -> int:
    return max(1, min(MAX_LEASE, remaining // LEASE_DIVISOR))


class _Share:
    __slots__ = ("window", "seen", "left", "lock")

    def __init__(self, window):
        self.window = window
        self.seen = 0  # the shared count as last seen (it only grows within a window)
        self.left = 0  # checks leased by this process and not spent yet
        self.lock = threading.Lock()


class LeasedQuota:
    """The shares one process holds, per subject (its current window only)."""

    MAX_SUBJECTS = 10_000

    def __init__(self):
        self._shares: dict[str, _Share] = {}
        self._lock = threading.Lock()

    def _share(self, subject: str, window) -> _Share:
        share = self._shares.get(subject)
        if share is None or share.window != window:
            with self._lock:
                share = self._shares.get(subject)
                if share is None or share.window != window:
                    if len(self._shares) >= self.MAX_SUBJECTS:
                        # Forgetting unspent shares only ever refuses earlier, never admits more.
                        self._shares = {}
                    share = self._shares[subject] = _Share(window)
        return share

    def allow(self, subject: str, window, limit: int, take: Callable[[int], tuple[bool, int]]) -> bool:
        """One check of `subject` in `window`: True if within `limit`; `take` reaches the window's
        shared counter (see above)."""
        share = self._share(subject, window)
        # Threads of this process checking the same subject wait for one lease rather than each
        # taking its own.
        with share.lock:
            if share.left > 0:
                share.left -= 1
                return True
            while share.seen < limit:
                k = lease_size(limit - share.seen)
                taken, count = take(k)
                if taken:
                    share.seen = max(share.seen, count)
                    share.left = k - 1
                    return True
                share.seen = max(share.seen, count, limit - k + 1)
                # Not taken: count > limit - k, so fewer than k remain and the next share is
                # smaller (k = 1 not taken means the limit is reached): this ends.
            return False
