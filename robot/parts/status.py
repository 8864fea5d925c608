"""robot.status: published retained now, on every change and every mqtt.status_period_s (the heartbeat, which
also asks the printer, the battery gauge and the dispenser's stock sensors how they are). The fields come
from the parts without I/O; unknown stays unknown (no MCU, or one whose firmware has no battery gauge)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from drivers.mcu_protocol import BatteryReading, LinkError
from robot.mqtt.messages import RobotStatus
from robot.parts.alerts import AlertKind
from robot.parts.context import PartContext
from robot.parts.motion import Motion
from robot.parts.printer import PrinterPart
from robot.parts.sensors import Sensors
from robot.parts.sessions import SessionTelemetry
from robot.telemetry import StatusGate, device_state, robot_mode

log = logging.getLogger(__name__)


class StatusReporter:
    def __init__(self, ctx: PartContext, *, printer: PrinterPart, motion: Motion, sensors: Sensors,
                 sessions: SessionTelemetry, paused: Callable[[], bool], can_talk: Callable[[], bool],
                 stopping: threading.Event):
        self.ctx = ctx
        self.printer = printer
        self.motion = motion
        self.sensors = sensors
        self.sessions = sessions
        self.paused = paused
        self.can_talk = can_talk
        self.stopping = stopping
        self.battery: BatteryReading | None = None  # the last reading, None while unknown
        self._battery_alerted = False
        self._gate = StatusGate()
        self._lock = threading.Lock()
        self._ready = False  # nothing is published before start(): the parts are still being built

    def start(self) -> None:
        self.check_battery()  # before the first status goes out: known from the first one on
        self._ready = True
        if self.ctx.staff.mqtt is None:
            return
        thread = threading.Thread(target=self._loop, name="robot-status", daemon=True)
        thread.start()
        self.ctx.closers.append(lambda: thread.join(timeout=6))

    def reset(self) -> None:
        self._ready = False

    def _loop(self, poll_s: float = 1.0) -> None:
        next_check: float | None = None
        while not self.stopping.is_set():
            try:
                now = self.ctx.clock.monotonic()
                if next_check is None or now >= next_check - 1e-6:  # simulated clocks add up in floats
                    next_check = now + self.ctx.centre.mqtt.status_period_s
                    self.check_devices()
                    self.publish(force=True)
                else:
                    self.publish()  # changes no event announced (a drive fault...)
            except Exception:
                log.exception("publishing the robot status failed")
            self.stopping.wait(poll_s)

    def check_devices(self) -> None:
        self.printer.check()
        self.check_battery()
        if self.motion.behaviours is not None:
            self.motion.behaviours.check_stock_sensors()

    def check_battery(self) -> None:
        """Read the MCU's battery gauge (none: battery unknown); alert staff once when it runs low off the dock."""
        link = self.motion.link
        if link is None:
            return
        try:
            reading = link.battery()
        except (LinkError, OSError) as exc:
            log.warning("battery: no reading (%s)", exc)
            self.battery = None
            return
        self.battery = reading
        if reading is None:
            return
        low = self.ctx.centre.robot.battery_low_pct
        if reading.percent <= low and not reading.charging:
            if not self._battery_alerted:
                self._battery_alerted = True
                self.ctx.feed.emit("alert", f"battery: {reading.percent:.0f}% left", kind=AlertKind.BATTERY_LOW.value,
                                   reason=f"{reading.percent:.0f}%")
        elif self._battery_alerted and (reading.charging or reading.percent >= low + 5):
            self._battery_alerted = False
            self.ctx.staff.resolve_alert("battery_low")

    def publish(self, *, force: bool = False) -> None:
        if self.ctx.staff.mqtt is None or not self._ready or self.stopping.is_set():
            return
        with self._lock:
            fields = self.fields()
            if self._gate.due(fields, force=force):
                self.ctx.staff.publish(RobotStatus, **fields)

    def fields(self) -> dict[str, Any]:
        """robot.status from the parts (no I/O; the battery as last read by `check_battery`)."""
        parts = self.ctx.parts
        battery = self.battery
        printer, paper = self.printer.states()
        scanner_link, camera_link = self.sensors.link_states()
        behaviours = self.motion.behaviours
        stock = behaviours.stock if behaviours is not None and behaviours.dispenser is not None else None
        microphone = parts.get(AlertKind.MICROPHONE)
        return {
            "mode": robot_mode(walking=self.motion.walking, paused=self.paused(), in_session=self.sessions.in_session,
                               can_talk=self.can_talk()),
            "battery_pct": None if battery is None else round(battery.percent, 1),
            "charging": None if battery is None else battery.charging,
            "printer": printer, "paper": paper,
            # A serial/keyboard scanner that started is judged by its link (unplugged: offline, not a fault).
            "scanner": device_state(self.sensors.scanner_ok or parts.get(AlertKind.SCANNER), scanner_link),
            "microphone": device_state(microphone if microphone is not None and parts.is_ok(AlertKind.LISTENING)
                                       else parts.get(AlertKind.LISTENING)),
            "camera": device_state(parts.get(AlertKind.CAMERA), camera_link),
            "motors": self.motion.motors_state() or device_state(parts.get(AlertKind.NAVIGATION)),
            "water": stock.left("water") if stock is not None else None,
            "candy": stock.left("candy") if stock is not None else None,
        }
