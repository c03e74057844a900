"""Politeness per host: at most N requests at once and at most R requests a second to one server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class HostRule:
    """How hard Puente may press one host: `concurrency` requests at once, `rate` requests a second (0: no rate
    limit)."""

    concurrency: int
    rate: float


class HostLimiter:
    """Per-host semaphores and request spacing, shared by every client that should respect the same limits
    (one per process is best: two harvests of the same portal then share its budget)."""

    def __init__(self, *, concurrency: int, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.default = HostRule(max(1, concurrency), max(0.0, rate))
        self._rules: dict[str, HostRule] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def configure(self, host: str, *, concurrency: int | None = None, rate: float | None = None) -> None:
        """Tighten or loosen the rule of one host (a harvest source's own rate limit)."""
        with self._lock:
            base = self._rules.get(host, self.default)
            rule = HostRule(max(1, concurrency) if concurrency is not None else base.concurrency,
                            max(0.0, rate) if rate is not None else base.rate)
            self._rules[host] = rule
            self._slots[host] = threading.BoundedSemaphore(rule.concurrency)

    def rule(self, host: str) -> HostRule:
        return self._rules.get(host, self.default)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's connections for the time of a request, started no sooner than its rate allows."""
        with self._lock:
            semaphore = self._slots.get(host)
            if semaphore is None:
                semaphore = self._slots[host] = threading.BoundedSemaphore(self.rule(host).concurrency)
        semaphore.acquire()
        try:
            wait = self._reserve_start(host)
            if wait > 0:
                self._sleep(wait)
            yield
        finally:
            semaphore.release()

    def _reserve_start(self, host: str) -> float:
        rate = self.rule(host).rate
        if rate <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + 1.0 / rate
            return start - now
