"""The documented ACL in force on a real mosquitto (MQTT 3.1.1: a denied publish is acknowledged and dropped)."""

from __future__ import annotations

import queue
import time

import pytest

from robot.mqtt.client import MqttLink
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import send, staff_link

SITE = "letan/v1/cua-nam"


@pytest.fixture(scope="module")
def watcher(mosquitto: MosquittoBroker) -> tuple[MqttLink, queue.Queue[tuple[str, bytes]]]:
    """The admin sees every message that the broker lets through."""
    seen: queue.Queue[tuple[str, bytes]] = queue.Queue()
    link = staff_link(mosquitto, "admin", "acl-watcher")
    link.subscribe("#", lambda t, p: seen.put((t, p)))
    link.start()
    assert link.wait_connected(5)
    time.sleep(0.2)
    return link, seen


def _delivered(mosquitto: MosquittoBroker, watcher: tuple[MqttLink, queue.Queue[tuple[str, bytes]]], user: str,
               topic: str) -> bool:
    _link, seen = watcher
    while not seen.empty():
        seen.get_nowait()
    link = staff_link(mosquitto, user, f"acl-{user}")
    link.start()
    assert link.wait_connected(5), f"{user} could not connect"
    marker = f"{user}->{topic}".encode()
    send(link, topic, marker)
    link.stop()
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:
        try:
            if seen.get(timeout=0.1) == (topic, marker):
                return True
        except queue.Empty:
            pass
    return False


@pytest.mark.parametrize(("user", "topic", "allowed"), [
    ("counter1", f"{SITE}/counter/1/cmd", True),
    ("counter1", f"{SITE}/counter/2/cmd", False),
    ("counter2", f"{SITE}/counter/2/cmd", True),
    ("counter1", f"{SITE}/queue/ticket/called", False),
    ("counter1", f"{SITE}/robot-1/status", False),
    ("counter1", f"{SITE}/robot-1/cmd", False),
    ("monitor", f"{SITE}/robot-1/status", False),
    ("monitor", f"{SITE}/counter/1/cmd", False),
    ("monitor", f"{SITE}/queue/snapshot/chung_thuc", False),
    ("supervisor", f"{SITE}/robot-1/cmd", True),
    ("supervisor", f"{SITE}/robot-1/status", False),
    ("supervisor", f"{SITE}/queue/ticket/called", False),
    ("robot", f"{SITE}/robot-1/status", True),
    ("robot", f"{SITE}/queue/ticket/called", True),
    ("robot", "homeassistant/sensor/x/config", True),
    ("board", f"{SITE}/queue/ticket/called", False),
    ("board", f"{SITE}/counter/1/cmd", False),
])
def test_who_may_write_what(mosquitto: MosquittoBroker, watcher: tuple[MqttLink, queue.Queue[tuple[str, bytes]]],
                            user: str, topic: str, allowed: bool) -> None:
    assert _delivered(mosquitto, watcher, user, topic) is allowed


def _reads(mosquitto: MosquittoBroker, user: str, topic_filter: str, topic: str) -> bool:
    got: queue.Queue[bytes] = queue.Queue()
    reader = staff_link(mosquitto, user, f"reader-{user}")
    reader.subscribe(topic_filter, lambda t, p: got.put(p))
    reader.start()
    assert reader.wait_connected(5)
    time.sleep(0.2)
    robot = staff_link(mosquitto, "robot", "acl-robot-writer")
    robot.start()
    assert robot.wait_connected(5)
    send(robot, topic, b"x")
    robot.stop()
    try:
        deadline = time.monotonic() + 0.6
        while time.monotonic() < deadline:
            try:
                if got.get(timeout=0.1) == b"x":  # retained messages of other tests may come first
                    return True
            except queue.Empty:
                pass
        return False
    finally:
        reader.stop()


@pytest.mark.parametrize(("user", "topic_filter", "topic", "allowed"), [
    ("counter1", f"{SITE}/queue/#", f"{SITE}/queue/snapshot/chung_thuc", True),
    ("counter1", f"{SITE}/counter/1/response", f"{SITE}/counter/1/response", True),
    ("counter1", f"{SITE}/counter/2/response", f"{SITE}/counter/2/response", False),
    ("counter1", f"{SITE}/robot-1/status", f"{SITE}/robot-1/status", False),
    ("monitor", f"{SITE}/#", f"{SITE}/robot-1/status", True),
    ("monitor", f"{SITE}/#", f"{SITE}/queue/ticket/called", True),
    ("board", f"{SITE}/queue/#", f"{SITE}/queue/ticket/called", True),
    ("board", f"{SITE}/+/status", f"{SITE}/robot-1/status", True),
    ("board", f"{SITE}/#", f"{SITE}/counter/1/response", False),
])
def test_who_may_read_what(mosquitto: MosquittoBroker, user: str, topic_filter: str, topic: str,
                           allowed: bool) -> None:
    assert _reads(mosquitto, user, topic_filter, topic) is allowed
