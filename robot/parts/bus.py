"""MQTT: the configured broker, --broker, or the embedded one; counter commands on the queue engine, the
staff's robot commands on `handler`. "ok" only once the broker accepted the login."""

from __future__ import annotations

import time

from robot.mqtt.broker import EmbeddedBrokerError
from robot.mqtt.client import MqttLink
from robot.mqtt.commands import RobotHandler
from robot.mqtt.messages import ROBOT_ACTIONS
from robot.mqtt.service import RobotMqtt
from robot.parts.alerts import AlertKind
from robot.parts.context import DEVICE_WAIT_S, PartContext
from robot.parts.state import PartState
from robot.queue import QueueEngine


def start_bus(ctx: PartContext, broker_url: str | None, engine: QueueEngine | None, handler: RobotHandler,
              *, tail_queue: bool) -> RobotMqtt | None:
    """The robot's MQTT side, started and attached to `ctx.staff`; None when it cannot start (alert raised).
    tail_queue False: the application's queue reader feeds its queue bridge (robot/queue/reader.py)."""
    try:
        mqtt = RobotMqtt(ctx.centre, ctx.clock, broker_url=broker_url, engine=engine, tail_queue=tail_queue)
        mqtt.start()
    except (EmbeddedBrokerError, OSError, ValueError) as exc:
        ctx.parts.report(AlertKind.MQTT, PartState.unavailable(str(exc)))
        return None
    ctx.closers.append(mqtt.stop)
    for action in ROBOT_ACTIONS:
        if action not in mqtt.commands.handlers:  # the MQTT side's own (ack-alert) stay
            mqtt.register(action, handler)
    where = f"{mqtt.settings.display}{', embedded' if mqtt.embedded else ''}"
    link, connected = mqtt.link, PartState.ok(where)
    link.on_connect_hooks.append(lambda: ctx.parts.set(AlertKind.MQTT, connected))
    problem = wait_broker(link, DEVICE_WAIT_S)
    if problem is not None and not link.connected.is_set():
        ctx.parts.report(AlertKind.MQTT, PartState.degraded(
            f"{where}: {problem}; events wait in the outbox, reconnecting"))
    if link.connected.is_set():
        ctx.parts.set(AlertKind.MQTT, connected)
    ctx.staff.attach(mqtt)
    return mqtt


def wait_broker(link: MqttLink, timeout_s: float) -> str | None:
    """None once the broker accepted the connection (CONNACK); else why not (login refused, nobody there)."""
    deadline = time.monotonic() + timeout_s
    while not link.connected.wait(0.02):
        if link.last_refusal is not None:
            return f"the broker refused the login ({link.last_refusal})"
        if link.connect_failures:
            return "no broker answers there"
        if time.monotonic() >= deadline:
            return f"no answer within {timeout_s:g} s"
    return None
