"""The robot's MQTT side in one object, as the application composes it: the broker (embedded when
none is configured), the connection with its Last Will, the outbox and OutboxPublisher, Home Assistant
discovery, counter/staff commands and the queue bridge."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Protocol

from robot.clock import Clock
from robot.config import CentreConfig
from robot.mqtt.alerts import AlertBoard
from robot.mqtt.broker import EmbeddedBroker, ensure_embedded_broker
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.commands import CommandService, CounterDesk, Outcome, RobotHandler
from robot.mqtt.discovery import discovery_messages
from robot.mqtt.messages import (
    Message,
    NavigationProgress,
    RobotAlert,
    RobotAvailability,
    RobotCommand,
    RobotStatus,
    Stamper,
)
from robot.mqtt.outbox import Outbox
from robot.mqtt.publisher import OutboxPublisher, Publishable
from robot.mqtt.queue_bridge import QueueBridge, QueueLog


class QueueEngineLike(QueueLog, CounterDesk, Protocol):
    """The queue engine as the MQTT side uses it."""


class RobotMqtt:
    def __init__(self, centre: CentreConfig, clock: Clock, *, broker_url: str | None = None,
                 engine: QueueEngineLike | None = None, outbox_path: Path | None = None, tail_queue: bool = True):
        """tail_queue False: the bridge reads no log by itself; its owner feeds it (the robot application's
        queue reader, robot/queue/reader.py) and sets `commands.after_command` to wake that reader."""
        mqtt = centre.mqtt
        self.tail_queue = tail_queue
        self.centre = centre
        self.settings = BrokerSettings.from_config(mqtt, broker_url)
        self.embedded_wanted = not (broker_url or mqtt.url)
        self.embedded: EmbeddedBroker | None = None
        self.root = mqtt.topic_root
        robot_id = centre.robot.id
        self.stamp = Stamper(centre.site.id, robot_id, clock)
        will = self.stamp.make(RobotAvailability, state="offline")
        self.link = MqttLink(self.settings, f"letan-{centre.site.id}-{robot_id}", clean_session=False, will=will,
                             topic_root=self.root)
        self.link.on_connect_hooks.append(self._announce_online)
        self.outbox = Outbox(outbox_path or centre.outbox_path(), mqtt.outbox_synchronous)
        self.bus = OutboxPublisher(self.link, self.outbox, self.root)
        point = centre.robot.point
        self.commands = CommandService(self.link, self.bus, self.stamp, desk=engine, point_id=point)
        self.bridge = QueueBridge(engine, self.bus, self.stamp, point) if engine is not None else None
        if self.bridge is not None:  # a counter's call is published at once, not at the bridge's next poll
            self.commands.after_command = self.bridge.wake
        self.alerts = AlertBoard(self.stamp)
        self._alerts_lock = threading.Lock()
        self.commands.register("ack-alert", self._ack_alert)  # staff dealt with an alert (the manager page)

    def _announce_online(self) -> None:
        self.link.publish_now(self.stamp.make(RobotAvailability, state="online"), self.root)

    def register(self, action: str, handler: RobotHandler) -> None:
        self.commands.register(action, handler)

    def publish(self, message: Publishable) -> int:
        """Durably queue one message. A RobotAlert (or a status/navigation that resolves one) also updates the
        retained `robot.alerts` state, in the same transaction."""
        if not isinstance(message, (RobotAlert, RobotStatus, NavigationProgress)):
            return self.bus.publish(message)
        with self._alerts_lock:  # states are committed in the order they were computed
            state = self.alerts.after(message)
            if state is None:
                return self.bus.publish(message)
            return self.bus.publish_many([message, state])[0]

    def resolve_alert(self, kind: str, exact: bool = False) -> bool:
        """The problem of this alert kind is gone (e.g. staff helped the citizen): update `robot.alerts`.
        False when no such alert was in force. `exact`: see AlertBoard.resolve."""
        with self._alerts_lock:
            state = self.alerts.resolve(kind, exact=exact)
            if state is not None:
                self.bus.publish(state)
            return state is not None

    def _ack_alert(self, command: RobotCommand) -> Outcome:
        """Staff command `ack-alert`: the alert of `kind` is taken out of the retained `robot.alerts` state."""
        if command.kind and self.resolve_alert(command.kind):
            return Outcome(True, message="Đã ghi nhận cảnh báo đã được xử lý.")
        return Outcome.reject("unknown_alert", "Không có cảnh báo này.")

    def make(self, cls: type[Message], **fields: object) -> Message:
        return self.stamp.make(cls, **fields)

    def start(self) -> None:
        if self.embedded_wanted:
            self.embedded = ensure_embedded_broker(self.settings, None)
        self.link.start()
        self.bus.start()
        self.bus.publish_many(discovery_messages(self.centre, self.stamp.robot, self.root,
                                                 self.centre.mqtt.discovery_prefix))
        # A new run starts with no alert in force (a previous run's retained ones are replaced); devices still
        # in trouble raise theirs again when the application checks them.
        self.bus.publish(self.alerts.state())
        self.commands.start()
        if self.bridge is not None:
            self.bridge.publish_snapshots()
            if self.tail_queue:
                self.bridge.start()

    def stop(self, flush_s: float = 2.0) -> None:
        if self.bridge is not None:
            self.bridge.stop()
        self.commands.stop()
        self.bus.flush(flush_s)
        self.link.publish_now(self.stamp.make(RobotAvailability, state="offline"), self.root)
        self.bus.stop()
        self.link.stop()
        self.outbox.close()
        if self.embedded is not None:
            self.embedded.stop()


def publish_queue_events(centre: CentreConfig, engine: QueueLog, clock: Clock, *, broker_url: str | None = None,
                         timeout_s: float = 5.0) -> bool:
    """For `letan queue ...` commands: publish the engine's unpublished events to the configured broker.

    Does nothing (returns True) when no broker is configured nor given. The events go through the robot's
    outbox file (same cursor: what the robot's bridge already published is not published again, and an event
    both publish carries the same event id). Returns False if the broker did not acknowledge everything within
    `timeout_s`; the events stay in the outbox and go out with the next command or the robot's next start.
    Raises BrokerUrlError for an unusable URL."""
    if not (broker_url or centre.mqtt.url):
        return True
    settings = BrokerSettings.from_config(centre.mqtt, broker_url)
    stamp = Stamper(centre.site.id, centre.robot.id, clock)
    client_id = f"letan-{centre.site.id}-{centre.robot.id}-cli-{uuid.uuid4().hex[:8]}"
    link = MqttLink(settings, client_id, topic_root=centre.mqtt.topic_root)
    outbox = Outbox(centre.outbox_path(), centre.mqtt.outbox_synchronous)
    bus = OutboxPublisher(link, outbox, centre.mqtt.topic_root)
    link.start()
    bus.start()
    try:
        QueueBridge(engine, bus, stamp, centre.robot.point).drain()
        return bus.flush(timeout_s)
    finally:
        bus.stop()
        link.stop()
        outbox.close()
