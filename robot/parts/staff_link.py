"""The robot's MQTT side as the parts use it: None until the bus started (then what they publish goes
nowhere), and the alerts of the feed turned into robot.alert for staff.

Alerts raised before the bus is up (a queue database that cannot be opened, a voice not installed...) are
kept and published once it is: every part that fails to start is seen by staff."""

from __future__ import annotations

import logging
import threading

from robot.mqtt.messages import Message, RobotAlert
from robot.mqtt.service import RobotMqtt
from robot.parts.activity import Activity
from robot.parts.alerts import AlertKind, staff_alert

log = logging.getLogger(__name__)

PENDING_MAX = 50  # alerts kept while the bus is not up


class StaffLink:
    def __init__(self) -> None:
        self.mqtt: RobotMqtt | None = None
        self._pending: list[Activity] = []
        self._lock = threading.Lock()

    def attach(self, mqtt: RobotMqtt) -> None:
        """The bus is up: publish the alerts raised meanwhile, then each one as it comes."""
        with self._lock:
            self.mqtt, pending, self._pending = mqtt, self._pending, []
        for activity in pending:  # the bus's own trouble at start is told by the robot's availability instead
            if activity.data.get("kind") != AlertKind.MQTT.value:
                self._publish_alert(activity)

    def publish(self, cls: type[Message], **fields: object) -> None:
        mqtt = self.mqtt
        if mqtt is not None:
            mqtt.publish(mqtt.make(cls, **fields))

    def resolve_alert(self, *kinds: str, exact: bool = False) -> None:
        """The condition behind these robot.alert kinds is gone: take them out of the retained robot.alerts
        (`exact`: see robot.mqtt.alerts.AlertBoard.resolve)."""
        mqtt = self.mqtt
        if mqtt is not None:
            for kind in kinds:
                mqtt.resolve_alert(kind, exact=exact)

    def on_activity(self, activity: Activity) -> None:
        """A feed subscriber: alerts for staff (no personal data: kind, a technical reason, a location, an item)."""
        if activity.kind != "alert":
            return
        with self._lock:
            if self.mqtt is None:
                if len(self._pending) < PENDING_MAX:
                    self._pending.append(activity)
                return
        self._publish_alert(activity)

    def _publish_alert(self, activity: Activity) -> None:
        try:
            kind = AlertKind(activity.data.get("kind", ""))
        except ValueError:
            log.warning("an alert of unknown kind %r is not published", activity.data.get("kind"))
            return
        mapped = staff_alert(kind)
        if mapped is None:
            return
        staff_kind, severity = mapped
        reason = str(activity.data.get("reason", ""))
        if staff_kind == "error":  # one staff kind for several parts: the reason names which
            reason = f"{kind.value}: {reason}"
        location, item = activity.data.get("location"), activity.data.get("item")
        self.publish(RobotAlert, kind=staff_kind, severity=severity, reason=reason[:120],
                     location=str(location)[:120] if location else None, item=str(item) if item else None)
