"""The embedded amqtt broker (no broker configured) with paho, and Home Assistant discovery on it."""

from __future__ import annotations

import json
import queue
import time
from datetime import datetime
from pathlib import Path

import pytest

from robot.clock import SimClock
from robot.config import load_centre
from robot.mqtt.broker import EmbeddedBroker
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import RobotStatus
from robot.mqtt.mosquitto import free_port
from robot.mqtt.service import RobotMqtt
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import TZ


def test_embedded_broker_starts_by_default_and_carries_events(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    port = free_port()
    centre = centre.model_copy(update={"mqtt": centre.mqtt.model_copy(update={"embedded_port": port})})
    robot = RobotMqtt(centre, SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)), outbox_path=tmp_path / "o.db")
    robot.start()
    try:
        assert isinstance(robot.embedded, EmbeddedBroker)
        assert robot.link.wait_connected(5)
        robot.publish(robot.make(RobotStatus, mode="idle", battery_pct=90.0, paper="ok"))
        assert robot.bus.flush(5)
        got: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        viewer = MqttLink(BrokerSettings(port=port), "viewer")
        viewer.subscribe("letan/v1/cua-nam/#", lambda t, p: got.put((t, json.loads(p))))
        viewer.subscribe("homeassistant/#", lambda t, p: got.put((t, json.loads(p))))
        viewer.start()
        assert viewer.wait_connected(5)
        seen: dict[str, dict[str, object]] = {}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not {"status", "availability", "battery"} <= set(seen):
            try:
                topic, payload = got.get(timeout=0.5)
            except queue.Empty:
                continue
            if topic.endswith("/robot-1/status"):
                seen["status"] = payload
            elif topic.endswith("/robot-1/availability"):
                seen["availability"] = payload
            elif topic.endswith("/battery_pct/config"):
                seen["battery"] = payload
        viewer.stop()
        assert seen["status"]["battery_pct"] == 90.0  # retained, delivered on subscribe
        assert seen["availability"]["state"] == "online"
        assert seen["battery"]["state_topic"] == "letan/v1/cua-nam/robot-1/status"
        assert seen["battery"]["device_class"] == "battery"
    finally:
        robot.stop()


@pytest.mark.slow
def test_last_will_marks_the_robot_offline(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    mosquitto = fresh_mosquitto  # its own broker: the retained 'offline' must not leak into other tests
    centre = load_centre(CUA_NAM)
    robot = RobotMqtt(centre, SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)), broker_url=mosquitto.url_for("robot"),
                      outbox_path=tmp_path / "o.db")
    robot.start()
    assert robot.link.wait_connected(5)
    states: queue.Queue[str] = queue.Queue()
    viewer = MqttLink(BrokerSettings.from_url(mosquitto.url_for("monitor")), "will-viewer")
    viewer.subscribe("letan/v1/cua-nam/robot-1/availability", lambda t, p: states.put(json.loads(p)["state"]))
    viewer.start()
    assert states.get(timeout=5) == "online"
    robot.link.client._sock_close()  # the robot's connection drops without DISCONNECT
    robot.link.client.loop_stop()
    assert states.get(timeout=5) == "offline"
    viewer.stop()
    robot.bus.stop()
    robot.outbox.close()
