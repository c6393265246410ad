"""A circuit breaker per register, so a register that is down fails fast.

Closed: calls go through; `fail_max` failed calls in a row open it. Open: calls fail at once
until `reset_seconds` have passed. Half-open: one probe call goes through (the others still
fail fast); success closes the breaker, failure opens it again.

Why not pybreaker: pybreaker 1.4.1 holds its lock for the whole guarded call, so every look-up
of one register would run one at a time (and one hanging call would block the rest). Here the
lock only guards the bookkeeping. The state is kept in the process (each web process and Celery
worker child has its own breakers); sharing it in Redis is possible later behind the same three
methods.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    def __init__(self, name: str, *, fail_max: int, reset_seconds: float) -> None:
        self.name = name
        self.fail_max = fail_max
        self.reset_seconds = reset_seconds
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self._probe_started = 0.0

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return CLOSED
        if time.monotonic() - self._opened_at < self.reset_seconds:
            return OPEN
        return HALF_OPEN

    def allow(self) -> bool:
        """May a call go to the register now? In half-open state only one probe at a time."""
        if self.fail_max <= 0:
            return True
        with self._lock:
            state = self._state()
            if state == CLOSED:
                return True
            # One probe at a time; a probe that never reported back is replaced after a while.
            stale = time.monotonic() - self._probe_started > self.reset_seconds
            if state == HALF_OPEN and (not self._probing or stale):
                self._probing, self._probe_started = True, time.monotonic()
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = False

    def failure(self) -> None:
        if self.fail_max <= 0:
            return
        with self._lock:
            self._failures += 1
            if self._probing or self._failures >= self.fail_max:
                self._opened_at = time.monotonic()
            self._probing = False


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(source: str) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(source)
        if breaker is None:
            breaker = _breakers[source] = CircuitBreaker(
                source,
                fail_max=settings.REGISTER_BREAKER_FAIL_MAX,
                reset_seconds=settings.REGISTER_BREAKER_RESET_SECONDS,
            )
        return breaker


def breakers_reset() -> None:
    """Forget all breaker state (tests; after changing the breaker settings)."""
    with _breakers_lock:
        _breakers.clear()


def breaker_states() -> dict[str, str]:
    """Each register's breaker state, for health pages and metrics."""
    with _breakers_lock:
        breakers = list(_breakers.values())
    return {b.name: b.state for b in breakers}
