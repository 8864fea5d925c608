"""The mosquitto fixture itself: real broker, passwords enforced, ACL in force."""

from __future__ import annotations

import queue

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.mosquitto import MosquittoBroker


def _client(broker: MosquittoBroker, user: str, password: str, client_id: str = "") -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(user, password)
    return client


def test_wrong_password_is_refused(mosquitto: MosquittoBroker) -> None:
    client = _client(mosquitto, "monitor", "wrong")
    result: queue.Queue[object] = queue.Queue()
    client.on_connect = lambda c, u, flags, reason, props: result.put(reason)
    client.connect("127.0.0.1", mosquitto.port)
    client.loop_start()
    reason = result.get(timeout=5)
    client.loop_stop()
    assert reason.is_failure  # type: ignore[attr-defined]


def _subscribed(broker: MosquittoBroker, client_id: str, received: queue.Queue[bytes]) -> mqtt.Client:
    """A monitor client whose subscription to the fixture's topics is in force (SUBACK received)."""
    acked: queue.Queue[object] = queue.Queue()
    client = _client(broker, "monitor", broker.users["monitor"], client_id)
    client.on_message = lambda c, u, msg: received.put(msg.payload)
    client.on_subscribe = lambda c, u, mid, reasons, props: acked.put(reasons)
    client.on_connect = lambda c, u, flags, reason, props: c.subscribe("letan/v1/fixture-check/#", qos=1)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    acked.get(timeout=5)
    return client


@pytest.mark.slow
def test_monitor_reads_but_cannot_write(mosquitto: MosquittoBroker) -> None:
    received: queue.Queue[bytes] = queue.Queue()
    watched: queue.Queue[bytes] = queue.Queue()
    monitor = _subscribed(mosquitto, "monitor-1", received)
    watcher = _subscribed(mosquitto, "monitor-watch", watched)
    connected: queue.Queue[object] = queue.Queue()
    robot = _client(mosquitto, "robot", mosquitto.users["robot"], "robot-1")
    robot.on_connect = lambda c, u, flags, reason, props: connected.put(reason)
    robot.connect("127.0.0.1", mosquitto.port)
    robot.loop_start()
    assert not connected.get(timeout=5).is_failure  # type: ignore[attr-defined]
    robot.publish("letan/v1/fixture-check/robot-1/probe", b"from-robot", qos=1).wait_for_publish(5)
    assert received.get(timeout=5) == b"from-robot"
    assert watched.get(timeout=5) == b"from-robot"
    # Acknowledged (or the connection closed): a write the broker let through is queued for the watcher before
    # that, so it would arrive before the robot's sentinel published after it.
    monitor.publish("letan/v1/fixture-check/robot-1/probe", b"forged", qos=1).wait_for_publish(5)
    robot.publish("letan/v1/fixture-check/robot-1/probe", b"sentinel", qos=1).wait_for_publish(5)
    assert watched.get(timeout=5) == b"sentinel"  # the broker dropped the monitor's write (ACL)
    for client in (monitor, watcher, robot):
        client.loop_stop()
        client.disconnect()
