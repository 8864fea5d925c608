"""Typed part states: what `Application.parts()` says of each part, and the board that keeps them.

`str(PartState)` is the form the command line, the simulator console and the tests have always read:
"ok (details)", "starting (details)", "unavailable: why" (a degraded part, one that runs without its device
for now and retries, reads as unavailable too)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from robot.parts.activity import ActivityFeed
from robot.parts.alerts import AlertKind


class Health(StrEnum):
    OK = "ok"
    STARTING = "starting"
    DEGRADED = "degraded"  # runs without its device for now: retrying, or serving another way
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class PartState:
    health: Health
    detail: str = ""

    @classmethod
    def ok(cls, detail: str = "") -> PartState:
        return cls(Health.OK, detail)

    @classmethod
    def starting(cls, detail: str) -> PartState:
        return cls(Health.STARTING, detail)

    @classmethod
    def degraded(cls, detail: str) -> PartState:
        return cls(Health.DEGRADED, detail)

    @classmethod
    def unavailable(cls, detail: str) -> PartState:
        return cls(Health.UNAVAILABLE, detail)

    @property
    def is_ok(self) -> bool:
        return self.health is Health.OK

    @property
    def device_absent(self) -> bool:
        """An ok part with no device behind it on purpose (none configured, typed input only)."""
        return self.is_ok and any(words in self.detail for words in (
            "none configured", "no drive configured", "typed or touch input"))

    def __str__(self) -> str:
        if self.health is Health.OK:
            return f"ok ({self.detail})" if self.detail else "ok"
        if self.health is Health.STARTING:
            return f"starting ({self.detail})"
        return f"unavailable: {self.detail}"

    @classmethod
    def parse(cls, text: str) -> PartState:
        """The state a part reports in the text form (robot/voice.py's microphone, robot/web/part.py's screen)."""
        for health in (Health.OK, Health.STARTING):
            if text == health.value:
                return cls(health)
            if text.startswith(f"{health.value} (") and text.endswith(")"):
                return cls(health, text[len(health.value) + 2:-1])
        return cls(Health.UNAVAILABLE, text.removeprefix("unavailable: "))


class PartBoard:
    """Each part's state, by name. `report` of a state that is not ok raises an alert staff can see."""

    def __init__(self, feed: ActivityFeed):
        self.feed = feed
        self._states: dict[str, PartState] = {}
        self._lock = threading.Lock()

    def report(self, part: AlertKind, state: PartState) -> None:
        self.set(part, state)
        if not state.is_ok:
            self.feed.emit("alert", f"{part.value}: {state}", kind=part.value, reason=str(state))

    def set(self, part: AlertKind, state: PartState) -> None:
        """A state whose alert, if any, is raised elsewhere (the device's own alert) or not at all."""
        with self._lock:
            self._states[part.value] = state

    def get(self, part: AlertKind) -> PartState | None:
        with self._lock:
            return self._states.get(part.value)

    def is_ok(self, part: AlertKind) -> bool:
        state = self.get(part)
        return state is not None and state.is_ok

    def states(self) -> dict[str, PartState]:
        with self._lock:
            return dict(self._states)
