"""`letan counter N` (piped stdin) and `letan monitor` as subprocesses against a real mosquitto."""

from __future__ import annotations

import subprocess
import sys

import pytest

from robot.mqtt.messages import RobotAlert, RobotStatus
from robot.mqtt.service import RobotMqtt
from robot.queue import QueueEngine, TicketStatus
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker
from tests.test_mqtt_commands import robot_side

__all__ = ["robot_side"]

LETAN = [sys.executable, "-m", "letan"]


def _letan(*args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LETAN, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"})


@pytest.mark.slow
def test_counter_console_from_piped_stdin(robot_side: tuple[RobotMqtt, QueueEngine],
                                          fresh_mosquitto: MosquittoBroker) -> None:
    _robot, engine = robot_side
    result = _letan("counter", "1", "-c", str(CUA_NAM), "--broker", fresh_mosquitto.url_for("counter1"),
                    stdin="next\nrecall\ndone\nfoo\ncall A003\nnoshow\nquit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[OK] Mời số A001 đến quầy 1." in out
    assert "[OK] Gọi lại số A001." in out
    assert "[OK] Đã xong số A001." in out
    assert "Không hiểu lệnh 'foo'" in out
    assert "[OK] Số A003 vắng mặt." in out
    assert engine.ticket("A001").status == TicketStatus.DONE
    assert engine.ticket("A003").status == TicketStatus.NO_SHOW


@pytest.mark.slow
def test_counter_console_cannot_command_another_counter(robot_side: tuple[RobotMqtt, QueueEngine],
                                                        fresh_mosquitto: MosquittoBroker) -> None:
    _robot, engine = robot_side
    result = _letan("counter", "2", "-c", str(CUA_NAM), "--broker", fresh_mosquitto.url_for("counter1"),
                    "--timeout", "0.5", stdin="next\n")
    assert result.returncode == 1
    assert "Không nhận được trả lời" in result.stdout
    assert engine.ticket("A001").status == TicketStatus.WAITING


@pytest.mark.slow
def test_counter_console_reports_a_refused_login(fresh_mosquitto: MosquittoBroker) -> None:
    url = fresh_mosquitto.url_for("counter1").replace("counter1-pass", "wrong")
    result = _letan("counter", "1", "-c", str(CUA_NAM), "--broker", url, stdin="next\n")
    assert result.returncode == 1
    assert "cannot connect to the MQTT broker" in result.stderr and "wrong" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_monitor_shows_queue_robot_and_alerts(robot_side: tuple[RobotMqtt, QueueEngine],
                                              fresh_mosquitto: MosquittoBroker) -> None:
    robot, engine = robot_side
    engine.call_next(2)
    robot.publish(robot.make(RobotStatus, mode="serving", battery_pct=77.0, paper="near_end", water=9, candy=30))
    monitor = subprocess.Popen(
        [*LETAN, "monitor", "-c", str(CUA_NAM), "--broker", fresh_mosquitto.url_for("monitor"), "--seconds", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )
    # Retained status and snapshots arrive on subscribe; the alert is live, published once the monitor subscribed.
    fresh_mosquitto.wait_subscribed("letan-monitor-", "letan/v1/cua-nam/#")
    robot.publish(robot.make(RobotAlert, kind="paper_near_end", reason="paper sensor"))
    out, err = monitor.communicate(timeout=30)
    assert monitor.returncode == 0, err
    assert "chung_thuc" in out and "A001" in out
    assert "robot-1" in out and "77" in out and "near_end" in out and "online" in out
    assert "paper_near_end" in out


def _monitor_screen(broker: MosquittoBroker, seconds: float = 2.5) -> str:
    result = _letan("monitor", "-c", str(CUA_NAM), "--broker", broker.url_for("monitor"), "--seconds", str(seconds))
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_a_monitor_started_later_sees_the_alerts_in_force(robot_side: tuple[RobotMqtt, QueueEngine],
                                                          fresh_mosquitto: MosquittoBroker) -> None:
    robot, _engine = robot_side
    robot.publish(robot.make(RobotAlert, kind="paper_out", severity="critical", reason="paper sensor"))
    robot.publish(robot.make(RobotAlert, kind="help_requested", reason="asked_for_staff"))
    assert robot.bus.flush(5)
    screen = _monitor_screen(fresh_mosquitto)  # started after the alerts: they come from the retained state
    active = screen[screen.index("Cảnh báo đang có"):screen.index("Cảnh báo gần nhất")]
    assert "paper_out" in active and "critical" in active and "help_requested" in active
    # Paper refilled (the status says so) and staff helped the citizen: nothing in force any more.
    robot.publish(robot.make(RobotStatus, mode="serving", paper="ok", printer="ok"))
    robot.resolve_alert("help_requested")
    assert robot.bus.flush(5)
    screen = _monitor_screen(fresh_mosquitto)
    active = screen[screen.index("Cảnh báo đang có"):screen.index("Cảnh báo gần nhất")]
    assert "paper_out" not in active and "help_requested" not in active


def test_monitor_screen_shows_battery_charging_and_camera() -> None:
    from datetime import datetime

    from rich.console import Console as RichConsole

    from robot.clock import SimClock
    from robot.mqtt.dashboard import DashboardState, render
    from robot.mqtt.messages import RobotStatus, Stamper
    from tests.mqtt_support import TZ

    stamp = Stamper("cua-nam", "robot-1", SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)))
    state = DashboardState()
    state.apply(stamp.make(RobotStatus, mode="idle", battery_pct=81.4, charging=True, printer="ok", paper="ok",
                           scanner="ok", microphone="none", camera="offline", motors="ok", water=12, candy=30))
    screen = RichConsole(width=200, record=True)
    screen.print(render(state, "test"))
    text = screen.export_text()
    assert "Camera" in text and "offline" in text
    assert "81 (sạc)" in text
