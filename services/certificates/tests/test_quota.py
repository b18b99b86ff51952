"""The per-verifier limit taken in shares (quota.py), without any server: a shared counter that
several processes lease from."""
from __future__ import annotations

import random
import threading

from certificates_service import quota
from certificates_service.quota import LeasedQuota, lease_size


class Counter:
    """The window's shared document: an atomic conditional increment, and how often it was asked."""

    def __init__(self):
        self.count = 0
        self.trips = 0
        self._lock = threading.Lock()

    def take(self, hits: int, limit: int) -> tuple[bool, int]:
        with self._lock:
            self.trips += 1
            if self.count + hits <= limit:
                self.count += hits
                return True, self.count
            return False, self.count


def checks(process: LeasedQuota, counter: Counter, limit: int, n: int, window=1, subject="V") -> list[bool]:
    return [process.allow(subject, window, limit, lambda k: counter.take(k, limit)) for _ in range(n)]


def test_lease_size_shrinks_to_one_near_the_limit():
    assert lease_size(1_000_000) == quota.MAX_LEASE
    assert lease_size(30) == 3
    assert [lease_size(r) for r in range(0, 16)] == [1] * 16
    assert lease_size(16) == 2


def test_one_process_is_exact_and_asks_the_database_rarely():
    for limit in (1, 2, 7, 30, 31, 100, 1000):
        counter = Counter()
        allowed = checks(LeasedQuota(), counter, limit, limit + 20)
        assert allowed == [True] * limit + [False] * 20, limit
        assert counter.count == limit
    counter = Counter()
    assert all(checks(LeasedQuota(), counter, 1_000_000, 1000))
    assert counter.trips == -(-1000 // quota.MAX_LEASE)  # one trip a share


def test_refusals_after_the_limit_cost_no_trip():
    counter = Counter()
    process = LeasedQuota()
    checks(process, counter, 30, 31)
    trips = counter.trips
    assert checks(process, counter, 30, 50) == [False] * 50
    assert counter.trips == trips


def test_several_processes_never_pass_the_limit_and_lose_little():
    rng = random.Random(7)
    for limit in (30, 100, 1000):
        for processes in (2, 3, 4):
            counter = Counter()
            group = [LeasedQuota() for _ in range(processes)]
            allowed = [rng.choice(group).allow("V", 1, limit, lambda k: counter.take(k, limit))
                       for _ in range(limit * 2)]
            assert counter.count <= limit
            admitted = sum(allowed)
            assert admitted <= limit
            # What the others leased and did not spend: at most a share each.
            assert admitted >= limit - (processes - 1) * (quota.MAX_LEASE - 1), (limit, processes, admitted)
            assert admitted >= limit - (processes - 1) * max(0, lease_size(limit) - 1)


def test_threads_of_one_process_are_exact():
    counter = Counter()
    process = LeasedQuota()
    results: list[bool] = []
    lock = threading.Lock()

    def worker():
        for _ in range(50):
            ok = process.allow("V", 1, 120, lambda k: counter.take(k, 120))
            with lock:
                results.append(ok)
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 120 and counter.count == 120


def test_a_new_window_starts_afresh_and_subjects_are_apart():
    counters = {1: Counter(), 2: Counter()}
    process = LeasedQuota()

    def allow(subject, window):
        counter = counters[window] if subject == "V" else other
        return process.allow(subject, window, 5, lambda k: counter.take(k, 5))
    other = Counter()
    assert [allow("V", 1) for _ in range(6)] == [True] * 5 + [False]
    assert allow("W", 1) is True
    assert [allow("V", 2) for _ in range(6)] == [True] * 5 + [False]


def test_a_counter_that_reads_back_less_than_it_refused_still_ends():
    # Refused with a count that cannot be right (e.g. a window removed meanwhile): no endless loop.
    calls = []

    def take(k):
        calls.append(k)
        return False, 0
    assert LeasedQuota().allow("V", 1, 1000, take) is False
    assert len(calls) < 20
