"""Helpers for the MQTT tests: a real subscriber that records what arrives, and a publisher stack."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from robot.clock import SimClock
from robot.mqtt.client import BrokerSettings, Deduplicator, MqttLink
from robot.mqtt.messages import Stamper
from robot.mqtt.outbox import Outbox
from robot.mqtt.publisher import OutboxPublisher
from tests.mosquitto import MosquittoBroker

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


@dataclass
class Recorder:
    """Subscribes with a persistent session and keeps every payload, and the unique ones in arrival order."""

    broker: MosquittoBroker
    topic_filter: str
    user: str = "monitor"
    client_id: str = "recorder"
    raw: list[dict[str, object]] = field(default_factory=list)
    unique: list[dict[str, object]] = field(default_factory=list)
    arrived: queue.SimpleQueue[dict[str, object]] = field(default_factory=queue.SimpleQueue)

    def __post_init__(self) -> None:
        self._dedup = Deduplicator()
        self._lock = threading.Lock()
        settings = BrokerSettings.from_url(self.broker.url_for(self.user))
        self.link = MqttLink(settings, self.client_id, clean_session=False, reconnect_max_s=1)
        self.link.subscribe(self.topic_filter, self._on_message)

    def _on_message(self, topic: str, payload: bytes) -> None:
        data = json.loads(payload)
        data["_topic"] = topic
        with self._lock:
            self.raw.append(data)
            if self._dedup.first_time(str(data["event_id"])):
                self.unique.append(data)
        self.arrived.put(data)

    def __enter__(self) -> Recorder:
        self.link.start()
        assert self.link.wait_connected(5), "recorder could not connect"
        assert self.link.subscribed.wait(5), "recorder's subscription was not acknowledged"
        return self

    def __exit__(self, *exc: object) -> None:
        self.link.stop()

    def wait_unique(self, count: int, timeout: float) -> list[dict[str, object]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.unique) >= count:
                    return list(self.unique)
            time.sleep(0.02)
        with self._lock:
            return list(self.unique)


@dataclass
class PublisherStack:
    """The robot's publishing side as the application builds it: link + outbox + bus."""

    broker: MosquittoBroker
    outbox_path: Path
    site: str = "cua-nam"
    robot: str = "robot-1"
    window: int = 100
    memory_rows: int = 20_000

    def __post_init__(self) -> None:
        self.clock = SimClock(START)
        self.stamp = Stamper(self.site, self.robot, self.clock)
        self.link = MqttLink(BrokerSettings.from_url(self.broker.url_for("robot")), self.robot,
                             clean_session=False, reconnect_max_s=1)
        self.outbox = Outbox(self.outbox_path)
        self.bus = OutboxPublisher(self.link, self.outbox, window=self.window, memory_rows=self.memory_rows)

    def __enter__(self) -> PublisherStack:
        self.link.start()
        self.bus.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bus.stop()
        self.link.stop()
        self.outbox.close()


def staff_link(broker: MosquittoBroker, user: str, client_id: str) -> MqttLink:
    link = MqttLink(BrokerSettings.from_url(broker.url_for(user)), client_id, reconnect_max_s=1)
    return link


def send(link: MqttLink, topic: str, payload: bytes) -> None:
    link.client.publish(topic, payload, qos=1).wait_for_publish(5)
