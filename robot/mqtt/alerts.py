"""The robot's alerts still in force, for the retained `robot.alerts` message (no I/O here).

An alert (RobotAlert) is raised as an event and kept here, the latest one per kind (per part for kind `error`,
whose reason starts with the part's name: a queue and a dialog that both failed are two alerts), until it is resolved:
explicitly (`resolve`), or by a later message that shows the problem is gone (a status with paper and
printer ok, a navigation that completed). Every change gives the new RobotAlerts state to publish, retained,
so a monitor that starts later still sees what is wrong."""

from __future__ import annotations

import threading

from robot.mqtt.messages import Message, NavigationProgress, RobotAlert, RobotAlerts, RobotStatus, Stamper

# kinds a status resolves: (field, values meaning the problem is gone, kinds)
_STATUS_RESOLVES: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("paper", frozenset({"ok"}), ("paper_out", "paper_near_end")),
    ("paper", frozenset({"near_end"}), ("paper_out",)),
    ("printer", frozenset({"ok"}), ("printer_offline",)),
)
_NAVIGATION_RESOLVES = ("navigation_stuck", "navigation_aborted")


def _key(alert: RobotAlert) -> str:
    """`kind`, or `error:<part>` for a part's error (reason "queue: unavailable: ..."), or `help_requested:urgent`
    for an emergency (someone fainted, fell): a later ordinary request for staff does not replace it."""
    if alert.kind == "error" and ":" in alert.reason:
        return f"error:{alert.reason.split(':', 1)[0]}"
    if alert.kind == "help_requested" and alert.reason == "urgent":
        return "help_requested:urgent"
    return alert.kind


class AlertBoard:
    def __init__(self, stamp: Stamper):
        self.stamp = stamp
        self._active: dict[str, RobotAlert] = {}
        self._lock = threading.Lock()

    def state(self) -> RobotAlerts:
        with self._lock:
            return self._state()

    def _state(self) -> RobotAlerts:
        items = tuple(
            {"kind": a.kind, "severity": a.severity, "reason": a.reason, "location": a.location, "item": a.item,
             "since": a.ts, "alert_id": a.event_id}
            for a in sorted(self._active.values(), key=lambda a: a.ts)
        )
        return self.stamp.make(RobotAlerts, active=items)

    def raised(self, alert: RobotAlert) -> RobotAlerts:
        with self._lock:
            self._active[_key(alert)] = alert
            return self._state()

    def resolve(self, *kinds: str, exact: bool = False) -> RobotAlerts | None:
        """The new state if one of `kinds` was in force, else None (nothing to publish). `exact`: only the alerts
        keyed by the kind itself, not its parts' errors nor an emergency (`help_requested:urgent`, which only staff
        take out)."""
        with self._lock:
            gone = [key for key in list(self._active) if (key if exact else key.split(":", 1)[0]) in kinds]
            for key in gone:
                del self._active[key]
            return self._state() if gone else None

    def after(self, message: Message) -> RobotAlerts | None:
        """The new state when `message` raises or resolves an alert, else None."""
        if isinstance(message, RobotAlert):
            return self.raised(message)
        if isinstance(message, RobotStatus):
            kinds = [k for name, ok, ks in _STATUS_RESOLVES if getattr(message, name) in ok for k in ks]
            return self.resolve(*kinds)
        if isinstance(message, NavigationProgress) and message.status == "complete":
            return self.resolve(*_NAVIGATION_RESOLVES)
        return None
