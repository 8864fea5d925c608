"""Time for the application: the wall clock, or a simulated clock the simulator advances.

Everything in robot/ that needs the time takes a `Clock`, so a simulated day, a scenario or a
test can run at any moment (`--at ISO-TIME`) without monkeypatching.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""

    def sleep(self, seconds: float) -> None:
        """Wait (really, or by advancing simulated time)."""


class SystemClock:
    """The real clock in a given time zone."""

    def __init__(self, tz: tzinfo):
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FixedClock:
    """A clock that stays at one moment: for `--at` on one-shot CLI commands."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.at.timestamp()

    def sleep(self, seconds: float) -> None:
        return None


class SimClock:
    """Simulated time that moves only when advanced (sleep advances it). Thread-safe."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("SimClock needs a timezone-aware datetime")
        self._start = start
        self._elapsed = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go back")
        with self._lock:
            self._elapsed += seconds

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)

    def set(self, moment: datetime) -> None:
        """Jump forward to a later moment."""
        self.advance((moment - self.now()).total_seconds())


# The years `--at` accepts: a queue day, a dossier's due date and the outbox's timestamps stay computable.
AT_YEARS = range(2000, 2100)


def parse_at(value: str, tz: tzinfo) -> datetime:
    """Parse `--at` ISO time; a naive time is local time in the centre's zone. ValueError (with a reason) for
    anything else, also a time outside 2000-2099 ('9999-12-31T20:00' would overflow a day later)."""
    moment = datetime.fromisoformat(value.strip())
    try:
        local = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
        local.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range") from None
    if local.year not in AT_YEARS:  # in the centre's zone: '2000-01-01T00:00+10:00' is still 1999 there
        raise ValueError(f"year {local.year} is outside {AT_YEARS.start}-{AT_YEARS.stop - 1}")
    return local
