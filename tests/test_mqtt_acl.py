"""The documented ACL in force on a real mosquitto (MQTT 3.1.1: a denied publish is acknowledged and dropped)."""

from __future__ import annotations

import queue
import time
import uuid

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
    _await_own(link, seen, f"{SITE}/acl-ready")
    return link, seen


def _await_own(link: MqttLink, seen: queue.Queue[tuple[str, bytes]], topic: str) -> None:
    """Publish on `topic` until the link's own subscription brings it back: the subscription is in force."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ping = uuid.uuid4().hex.encode()
        send(link, topic, ping)
        try:
            while seen.get(timeout=0.2) != (topic, ping):
                pass
            return
        except queue.Empty:
            continue
    raise AssertionError(f"no message came back on {topic}")


def _until_sentinel(seen: queue.Queue[tuple[str, bytes]], sentinel: bytes, wanted: bytes) -> bool:
    """Whether `wanted` arrives before `sentinel`, published after it by a client the broker lets through:
    mosquitto queues a QoS 1 message for its subscribers before it acknowledges it, so a message that was let
    through is delivered before the sentinel."""
    found = False
    while True:
        _topic, payload = seen.get(timeout=5)
        found = found or payload == wanted
        if payload == sentinel:
            return found


def _delivered(mosquitto: MosquittoBroker, watcher: tuple[MqttLink, queue.Queue[tuple[str, bytes]]], user: str,
               topic: str) -> bool:
    _link, seen = watcher
    while not seen.empty():
        seen.get_nowait()
    link = staff_link(mosquitto, user, f"acl-{user}")
    link.start()
    assert link.wait_connected(5), f"{user} could not connect"
    marker = f"{user}->{topic}".encode()
    send(link, topic, marker)  # acknowledged: dropped, or queued for the watcher
    link.stop()
    sentinel = uuid.uuid4().hex.encode()
    send(_link, f"{SITE}/acl-sentinel", sentinel)
    return _until_sentinel(seen, sentinel, marker)


@pytest.mark.slow
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
    got: queue.Queue[tuple[str, bytes]] = queue.Queue()
    sentinel_topic = f"{SITE}/queue/acl-sentinel/{uuid.uuid4().hex}"  # every reader here may read the queue
    reader = staff_link(mosquitto, user, f"reader-{user}")
    reader.subscribe(topic_filter, lambda t, p: got.put((t, p)))  # subscribed first: in force before the next
    reader.subscribe(sentinel_topic, lambda t, p: got.put((t, p)))
    reader.start()
    assert reader.wait_connected(5)
    robot = staff_link(mosquitto, "robot", "acl-robot-writer")
    robot.start()
    assert robot.wait_connected(5)
    try:
        deadline = time.monotonic() + 5
        while True:  # the sentinel's subscription, and so the one before it, is in force once one comes back
            assert time.monotonic() < deadline, "the reader's subscriptions never took effect"
            ready = uuid.uuid4().hex.encode()
            send(robot, sentinel_topic, ready)
            try:
                while got.get(timeout=0.2)[1] != ready:
                    pass
                break
            except queue.Empty:
                continue
        wanted = uuid.uuid4().hex.encode()  # not a retained message of another test
        send(robot, topic, wanted)
        sentinel = uuid.uuid4().hex.encode()
        send(robot, sentinel_topic, sentinel)
        return _until_sentinel(got, sentinel, wanted)
    finally:
        robot.stop()
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
