"""The mosquitto fixture itself: real broker, passwords enforced, ACL in force."""

from __future__ import annotations

import queue

import paho.mqtt.client as mqtt
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


def test_monitor_reads_but_cannot_write(mosquitto: MosquittoBroker) -> None:
    received: queue.Queue[bytes] = queue.Queue()
    monitor = _client(mosquitto, "monitor", mosquitto.users["monitor"], "monitor-1")
    monitor.on_message = lambda c, u, msg: received.put(msg.payload)
    monitor.connect("127.0.0.1", mosquitto.port)
    monitor.loop_start()
    monitor.subscribe("letan/v1/fixture-check/#", qos=1)
    robot = _client(mosquitto, "robot", mosquitto.users["robot"], "robot-1")
    robot.connect("127.0.0.1", mosquitto.port)
    robot.loop_start()
    import time

    time.sleep(0.3)
    robot.publish("letan/v1/fixture-check/robot-1/probe", b"from-robot", qos=1).wait_for_publish(5)
    assert received.get(timeout=5) == b"from-robot"
    info = monitor.publish("letan/v1/fixture-check/robot-1/probe", b"forged", qos=1)
    info.wait_for_publish(5)
    time.sleep(0.3)
    assert received.empty()  # the broker dropped the monitor's write (ACL)
    for client in (monitor, robot):
        client.loop_stop()
        client.disconnect()
