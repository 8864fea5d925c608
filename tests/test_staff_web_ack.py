"""`letan web` (issue 18): alert acknowledgement on the manager page and the counter console's parked tickets.

The same world as tests/test_staff_web.py (its fixture, in a module of its own): mosquitto with the files
`letan mqtt setup` writes, the robot's MQTT service with a real queue engine, `letan web` as a process, the pages in
headless Chromium.
"""

from __future__ import annotations

import json
import queue
import uuid
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from robot.app import Application
from robot.clock import SystemClock
from robot.config import load_catalogue_checked, load_centre
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import RobotAlert, RobotCommand, Stamper
from tests.conftest import CUA_NAM, bare_centre
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import TZ
from tests.screen_support import wait
from tests.test_mqtt_setup import setup_broker  # noqa: F401 (a fixture, used by world)
from tests.test_staff_web import (
    ROOT,
    Client,
    World,
    chromium,
    drain_counter,
    live,
    login,
    open_console,
    press,
    text,
    world,  # noqa: F401 (the module's fixture)
)
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

ROBOT = "robot-1"
TOPIC_ROOT = "letan/v1"  # ROOT is the site's: letan/v1/cua-nam


def retained_alerts(world: World) -> list[str]:  # noqa: F811 (a parameter, not the fixture)
    """The alert kinds of the retained `{robot}/alerts` state, as a monitor that connects now receives them."""
    got: queue.Queue[dict[str, Any]] = queue.Queue()
    link = MqttLink(BrokerSettings.from_url(world.broker_url("monitor")), f"t-alerts-{uuid.uuid4().hex[:6]}")
    link.subscribe(f"{ROOT}/{ROBOT}/alerts", lambda t, p: got.put(json.loads(p)))
    link.start()
    try:
        state = got.get(timeout=10)
    finally:
        link.stop()
    assert state["type"] == "robot.alerts"
    return [str(a["kind"]) for a in state["active"]]


def alert_rows(driver: WebDriver) -> str:
    return text(driver, "#alerts")


def test_an_urgent_help_request_is_shown_as_urgent(world: World) -> None:  # noqa: F811
    """The robot heard that someone fainted or fell (dialogs.nlu._urgent): the manager's page says so, critical."""
    robot = world.robot
    robot.publish(robot.make(RobotAlert, kind="help_requested", severity="critical", reason="urgent"))
    wait_until(lambda: "help_requested" in retained_alerts(world), "the alert retained", 15)
    try:
        with chromium((1600, 1200)) as reader:
            login(reader, f"{world.url}/manager", world.accounts["monitor"], user="monitor")
            wait(reader, lambda d: d.find_elements(By.ID, "alerts"), "the manager page")
            live(reader)
            wait(reader, lambda d: "Công dân cần hỗ trợ gấp" in alert_rows(d), "the urgent alert shown")
            assert "Nghiêm trọng" in alert_rows(reader)
    finally:
        robot.resolve_alert("help_requested")
        wait_until(lambda: "help_requested" not in retained_alerts(world), "the alert resolved", 15)


def test_the_supervisor_acknowledges_an_alert_and_a_monitor_cannot(world: World) -> None:  # noqa: F811
    robot = world.robot
    robot.publish(robot.make(RobotAlert, kind="paper_out", severity="critical", reason="printer reports no paper"))
    robot.publish(robot.make(RobotAlert, kind="battery_low", severity="warning", reason="battery 14%"))
    wait_until(lambda: {"paper_out", "battery_low"} <= set(retained_alerts(world)), "the alerts retained", 15)

    with chromium((1600, 1200)) as reader, chromium((1600, 1200)) as supervisor:
        # monitor: sees the alerts, read-only (no button, a note in Vietnamese)
        login(reader, f"{world.url}/manager", world.accounts["monitor"], user="monitor")
        wait(reader, lambda d: d.find_elements(By.ID, "alerts"), "the manager page")
        live(reader)
        wait(reader, lambda d: "Hết giấy in" in alert_rows(d) and "Pin yếu" in alert_rows(d), "the alerts shown")
        assert reader.find_elements(By.CSS_SELECTOR, "#alerts button") == []
        assert "chỉ được xem" in text(reader, "#ack-note")

        # a forged request as monitor: refused by the server ...
        forger = Client(world)
        assert forger.login("/manager/login", world.accounts["monitor"], user="monitor")[0] == 200
        status, body = forger.post_json("/manager/ack", {"robot": ROBOT, "kind": "paper_out"})
        assert status == 403 and body["status"] == "rejected" and "chỉ được xem" in body["message"]
        # ... and the command published straight to the broker as monitor is dropped by its ACL
        replies: queue.Queue[dict[str, object]] = queue.Queue()
        monitor = MqttLink(BrokerSettings.from_url(world.broker_url("monitor")), "t-forger")
        monitor.subscribe(f"{ROOT}/{ROBOT}/response", lambda t, p: replies.put(json.loads(p)))
        monitor.start()
        assert monitor.wait_connected(5) and monitor.subscribed.wait(5)
        forged = Stamper("cua-nam", ROBOT, SystemClock(TZ)).make(RobotCommand, request_id="forged-1",
                                                                 action="ack-alert", kind="paper_out")
        assert forged.topic(TOPIC_ROOT) == f"{ROOT}/{ROBOT}/cmd"
        monitor.client.publish(forged.topic(TOPIC_ROOT), forged.to_json(), qos=1).wait_for_publish(5)
        # the supervisor's command after it (the broker handles them in order): an alert not in force is refused
        manager = Client(world)
        assert manager.login("/manager/login", world.accounts["supervisor"], user="supervisor")[0] == 200
        status, body = manager.post_json("/manager/ack", {"robot": ROBOT, "kind": "camera_disconnected"})
        assert status == 200 and body == {"status": "rejected", "message": "Không có cảnh báo này."}
        seen: list[dict[str, object]] = []

        def refused_reply() -> bool:  # the robot answers in order: a forged command that got through came first
            while not replies.empty():
                seen.append(replies.get_nowait())
            return any(r.get("reason") == "unknown_alert" for r in seen)
        wait_until(refused_reply, "the robot's reply to the supervisor", 10)
        assert all(r["request_id"] != "forged-1" for r in seen), seen
        monitor.stop()
        assert "paper_out" in retained_alerts(world)

        # the supervisor: "Đã xử lý" on the paper alert
        login(supervisor, f"{world.url}/manager", world.accounts["supervisor"], user="supervisor")
        wait(supervisor, lambda d: d.find_elements(By.ID, "alerts"), "the manager page")
        live(supervisor)
        assert supervisor.find_elements(By.ID, "ack-note") == []
        wait(supervisor, lambda d: text(d, "#alerts button[data-kind='paper_out']") == "Đã xử lý",
             "the paper alert's button")
        supervisor.execute_script("document.querySelector(arguments[0]).click()",  # redrawn at every push
                                  "#alerts button[data-kind='paper_out']")
        wait(supervisor, lambda d: "Đã ghi nhận" in text(d, "#ack-log li:first-child"), "the robot's reply")
        wait(supervisor, lambda d: "Hết giấy in" not in alert_rows(d), "the alert gone from the page")
        assert "Pin yếu" in alert_rows(supervisor)
        wait(reader, lambda d: "Hết giấy in" not in alert_rows(d), "the alert gone from the monitor's page too")
        kinds = retained_alerts(world)
        assert "paper_out" not in kinds and "battery_low" in kinds
        # a second acknowledgement of the same alert: no longer in force
        status, body = manager.post_json("/manager/ack", {"robot": ROBOT, "kind": "paper_out"})
        assert body == {"status": "rejected", "message": "Không có cảnh báo này."}
        status, body = manager.post_json("/manager/ack", {"robot": "../#", "kind": "paper_out"})
        assert status == 400 and body["status"] == "rejected"
    robot.resolve_alert("battery_low")


def test_the_console_lists_parked_tickets_and_puts_one_back(world: World) -> None:  # noqa: F811
    drain_counter(world, 3)
    parked = []
    with chromium() as console:
        open_console(console, world, 3)
        for _ in range(2):  # two citizens set aside: both listed, numbers only
            number = world.engine.issue("ho_tich").ticket.number
            press(console, "btn-next", "Mời số")
            assert world.engine.current(3).number == number  # type: ignore[union-attr]
            assert f"Đã tạm hoãn số {number}." in press(console, "btn-park", "tạm hoãn")
            parked.append(number)
        first, second = parked

        def listed(d: WebDriver) -> list[str]:
            return [str(t) for t in d.execute_script(
                "return [...document.querySelectorAll('#parked tr')].map(tr => tr.cells[0].innerText)")]
        wait(console, lambda d: {first, second} <= set(listed(d)), "the parked list")
        assert all(world.engine.ticket(t).status == "parked" for t in parked)
        assert second not in text(console, "#waiting")
        assert console.find_element(By.ID, "call-ticket").get_attribute("value") == ""  # nothing typed
        assert text(console, f"#parked button[data-ticket='{second}']") == "Tiếp tục"
        before = text(console, "#log")
        # clicked in the page itself: the list is redrawn at every push, a found element may be replaced meanwhile
        console.execute_script("document.querySelector(arguments[0]).click()",
                               f"#parked button[data-ticket='{second}']")
        wait(console, lambda d: text(d, "#log") != before and "trở lại" in text(d, "#log li:first-child"),
             "the reply")
        assert f"Số {second} đã trở lại hàng chờ." in text(console, "#log li:first-child")
        wait(console, lambda d: second in text(d, "#waiting") and second not in listed(d), "the ticket back in line")
        assert world.engine.ticket(second).status == "waiting" and world.engine.ticket(first).status == "parked"
        assert first in listed(console)


def test_the_robot_application_takes_ack_alert(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """In the application (robot/app.py registers its own staff commands beside the MQTT side's ack-alert, not over
    it): with help_requested in force, the supervisor's ack-alert takes it out (accepted), a second one is refused."""
    catalogue = load_catalogue_checked()
    centre = bare_centre(load_centre(CUA_NAM, catalogue), tmp_path)
    app = Application.from_config(centre, catalogue=catalogue, clock=SystemClock(TZ),
                                  broker_url=fresh_mosquitto.url_for("robot"))
    replies: queue.Queue[dict[str, Any]] = queue.Queue()
    supervisor = MqttLink(BrokerSettings.from_url(fresh_mosquitto.url_for("supervisor")), "t-supervisor")
    supervisor.subscribe(f"{ROOT}/{ROBOT}/response", lambda t, p: replies.put(json.loads(p)))
    with app:
        assert app.mqtt is not None and app.mqtt.link.wait_connected(10)
        fresh_mosquitto.wait_subscribed("letan-cua-nam-robot-1", f"{ROOT}/{ROBOT}/cmd")
        supervisor.start()
        assert supervisor.wait_connected(5) and supervisor.subscribed.wait(5)
        app.mqtt.publish(app.mqtt.make(RobotAlert, kind="help_requested", reason="not_understood"))
        assert [a["kind"] for a in app.mqtt.alerts.state().active] == ["help_requested"]
        stamp = Stamper("cua-nam", ROBOT, SystemClock(TZ))
        for request_id, status in (("ack-1", "accepted"), ("ack-2", "rejected")):
            command = stamp.make(RobotCommand, request_id=request_id, action="ack-alert", kind="help_requested")
            supervisor.client.publish(command.topic(TOPIC_ROOT), command.to_json(), qos=1)
            reply = replies.get(timeout=30)
            assert (reply["request_id"], reply["status"]) == (request_id, status), reply
        assert reply["reason"] == "unknown_alert" and reply["message"] == "Không có cảnh báo này."
        assert app.mqtt.alerts.state().active == ()
        supervisor.stop()
