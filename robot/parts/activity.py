"""What the application did, on one feed: the kiosk screen, `letan run`'s log and the simulator's console
all read the same `Activity`s (what it said, tickets, navigation, alerts)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from robot.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Activity:
    """Something the application did. kind: said | ticket | guide | alert | called | heard | info."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    at: str = ""


Subscriber = Callable[[Activity], None]


class ActivityFeed:
    """Fan-out of Activities to subscribers; a failing subscriber never stops the robot."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def emit(self, kind: str, text: str, /, **data: Any) -> None:
        activity = Activity(kind, text, data, self.clock.now().isoformat(timespec="seconds"))
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(activity)
            except Exception:
                log.exception("activity subscriber failed")
