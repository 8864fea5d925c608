"""Waiting in tests for a condition, never for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str, timeout_s: float = 10.0, every_s: float = 0.02) -> T:
    """The first true value of `condition()`, asked every `every_s`; fails the test naming `what` after
    `timeout_s` (a deadline for a condition that never comes, not a pause)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)
