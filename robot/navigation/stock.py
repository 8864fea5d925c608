"""Stock of water and candy on board: counts what was handed out, raises a low-stock alert once."""

from __future__ import annotations

import threading
from collections.abc import Callable

LowStockAlert = Callable[[str, int], None]  # (item, items left)


class StockTracker:
    """Counts items left per kind; calls `on_low(item, left)` once when it falls to `low_at` (re-armed by refill)."""

    def __init__(self, capacity: dict[str, int], low_at: int, on_low: LowStockAlert | None = None):
        self.capacity = dict(capacity)
        self.low_at = low_at
        self.on_low = on_low
        self._left = dict(capacity)
        self._alerted: set[str] = set()
        self._lock = threading.Lock()

    def left(self, item: str) -> int:
        return self._left[item]

    def available(self, item: str) -> bool:
        return self._left.get(item, 0) > 0

    def _check(self, item: str) -> tuple[str, int] | None:
        if self._left[item] <= self.low_at and item not in self._alerted:
            self._alerted.add(item)
            return item, self._left[item]
        return None

    def _notify(self, alert: tuple[str, int] | None) -> None:
        if alert is not None and self.on_low is not None:
            self.on_low(*alert)

    def took(self, item: str) -> int:
        """One item was handed out; returns how many are left."""
        with self._lock:
            self._left[item] = max(0, self._left[item] - 1)
            alert, left = self._check(item), self._left[item]
        self._notify(alert)
        return left

    def sensor_empty(self, item: str) -> None:
        """The bin's sensor (or the dispenser) says it is empty, whatever the count says."""
        with self._lock:
            self._left[item] = 0
            alert = self._check(item)
        self._notify(alert)

    def refill(self, item: str, count: int | None = None) -> None:
        with self._lock:
            self._left[item] = self.capacity[item] if count is None else count
            if self._left[item] > self.low_at:
                self._alerted.discard(item)
