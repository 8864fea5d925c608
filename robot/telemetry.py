"""What the robot reports about itself to staff: its mode, its devices' states and navigation progress.

Pure decisions (no I/O) that the composition root (robot/app.py) applies to what its parts say:
`robot_mode`, `printer_states`, `device_state`, `StatusGate` (the retained `robot.status` is
published when it changed, or as a heartbeat), `ProgressThrottle` (at most one navigation
"going" per interval, never dropping start/arrival/abort) and `remaining_along` (metres left on a
route). `GoalNavigator` is the navigator that also names the goal of the walk in progress.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.printer import PrinterStatus
from robot.navigation.navigator import Navigator, NavResult
from robot.parts.state import PartState

# The navigator's states (robot.navigation.follower.State) -> navigation.progress status on MQTT.
NAV_STATUS: dict[str, str] = {
    "started": "start", "planning": "calculating", "going": "going", "arrived": "complete", "aborted": "abort",
}


def robot_mode(*, walking: str | None, paused: bool, in_session: bool, can_talk: bool) -> str:
    """robot.status `mode`. walking: guiding | returning | navigating while the robot moves, else None."""
    if walking is not None:
        return walking
    if paused:
        return "paused"
    if not can_talk:
        return "error"
    return "serving" if in_session else "idle"


def printer_states(configured: bool, status: PrinterStatus | None, failed: bool) -> tuple[str, str]:
    """(printer, paper) for robot.status from the printer's last self-report.

    configured: a printer is set in devices.printer; status: what it last said about itself (None: not
    asked yet); failed: the last print or status query could not reach it."""
    if not configured:
        return "none", "unknown"
    if failed:
        return "offline", status.paper if status is not None else "unknown"
    if status is None or status.online is None:
        return "unknown", status.paper if status is not None else "unknown"
    if status.cover_open:
        return "fault", status.paper
    return ("ok" if status.online else "offline"), status.paper


# Driver states of scanners and cameras (drivers.scanner.ScannerState, drivers.camera.CameraState).
_LINK_STATES = {"ready": "ok", "disconnected": "offline", "stopped": "offline", "starting": "unknown"}


def device_state(part: PartState | None, link_state: str | None = None) -> str:
    """robot.status device state from the application's part state and, for devices with a live link (scanner,
    camera), the driver's state."""
    if part is None:
        return "unknown"
    if not part.is_ok:
        return "fault"
    if part.device_absent:
        return "none"
    if link_state is not None:
        return _LINK_STATES.get(link_state, "unknown")
    return "ok"


class StatusGate:
    """The retained status goes out when a field changed, or when forced (the heartbeat)."""

    def __init__(self) -> None:
        self._last: dict[str, Any] | None = None

    def due(self, fields: Mapping[str, Any], *, force: bool = False) -> bool:
        fresh = dict(fields)
        if not force and fresh == self._last:
            return False
        self._last = fresh
        return True


class ProgressThrottle:
    """At most one "going" per `min_interval_s` of robot time for a walk; every other state always passes."""

    def __init__(self, min_interval_s: float = 1.0):
        self.min_interval_s = min_interval_s
        self._going_at: float | None = None

    def admit(self, state: str, at: float) -> bool:
        if state == "started":
            self._going_at = None
            return True
        if state != "going":
            return True
        if self._going_at is not None and at - self._going_at < self.min_interval_s:
            return False
        self._going_at = at
        return True


def remaining_along(points: Sequence[tuple[float, float]], x: float, y: float) -> float:
    """Metres left along a route (polyline) from the point of it nearest to (x, y)."""
    if not points:
        return 0.0
    if len(points) == 1:
        return math.dist(points[0], (x, y))
    best: tuple[float, float] | None = None  # (distance to the route, metres left from there)
    tail = [0.0] * len(points)  # metres from each point to the end
    for i in range(len(points) - 2, -1, -1):
        tail[i] = tail[i + 1] + math.dist(points[i], points[i + 1])
    for i, (a, b) in enumerate(itertools.pairwise(points)):
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - a[0]) * dx + (y - a[1]) * dy) / length2))
        near = (a[0] + t * dx, a[1] + t * dy)
        candidate = (math.dist(near, (x, y)), tail[i + 1] + math.dist(near, b))
        if best is None or candidate[0] < best[0]:
            best = candidate
    assert best is not None
    return best[1]


class GoalNavigator(Navigator):
    """The navigator, naming the goal of the walk in progress (`goal`, None between walks) for its status
    callback: navigation progress says where the robot goes, and the mode whether it returns to base."""

    goal: str | None = None

    def go_to(self, goal: str, speed_mps: float | None = None) -> NavResult:
        self.goal = goal
        try:
            return super().go_to(goal, speed_mps)
        finally:
            self.goal = None
