"""Guards around lookups: a per-minute rate limit and a circuit breaker. Time comes from a monotonic
callable (Clock.monotonic), so tests and the simulator drive them without sleeping."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most `per_minute` calls in any sliding 60-second window."""

    def __init__(self, per_minute: int, monotonic: Callable[[], float]):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._monotonic = monotonic
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        now = self._monotonic()
        with self._lock:
            while self._times and now - self._times[0] >= 60.0:
                self._times.popleft()
            if len(self._times) >= self.per_minute:
                return False
            self._times.append(now)
            return True


class CircuitBreaker:
    """After `failures` failures in a row, refuse calls for `reset_after_s`; then let one call try
    (half-open): a success closes the circuit, a failure opens it again."""

    def __init__(self, failures: int, reset_after_s: float, monotonic: Callable[[], float]):
        self.failures = failures
        self.reset_after_s = reset_after_s
        self._monotonic = monotonic
        self._count = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._monotonic() - self._opened_at >= self.reset_after_s else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def success(self) -> None:
        with self._lock:
            self._count = 0
            self._opened_at = None

    def failure(self) -> None:
        with self._lock:
            self._count += 1
            if self._count >= self.failures:
                self._opened_at = self._monotonic()
