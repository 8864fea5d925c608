"""What the application tells staff over MQTT, end to end through real brokers: the retained robot status,
navigation progress, alerts raised and resolved, session end reasons, and staff commands (robot/cmd).

The simulated devices speak their real protocols; the broker is the simulator's embedded one or a real
mosquitto; every message seen is parsed against its JSON Schema."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from drivers.printer import PrinterStatus
from robot.app import PAUSED_TEXT
from robot.config import load_catalogue_checked, load_centre
from robot.mqtt.messages import RobotCommand, Stamper, parse_message
from robot.parts.state import PartState
from robot.telemetry import (
    NAV_STATUS,
    ProgressThrottle,
    StatusGate,
    device_state,
    printer_states,
    remaining_along,
    robot_mode,
)
from simulator.scenario import Step
from simulator.session import SimOptions, SimSession
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)


# --------------------------------------------------------------------------------------------- helpers


def messages(session: SimSession, suffix: str, since: int = 0) -> list[dict[str, Any]]:
    """Payloads the staff monitor received on topics ending with `suffix`, each validated by its schema."""
    out = []
    for o in session.observations()[since:]:
        if o.kind == "event" and o.text.endswith(suffix):
            parse_message(json.dumps(o.data["fields"]).encode())  # raises if it breaks its schema
            out.append(o.data["fields"])
    return out


def wait_for(session: SimSession, suffix: str, since: int, test: Any, timeout_s: float = 8.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for payload in messages(session, suffix, since):
            if test(payload):
                return payload
        time.sleep(0.05)
    seen = messages(session, suffix, since)
    raise AssertionError(f"no message on {suffix} as expected within {timeout_s} s; seen: {seen}")


def command(session: SimSession, action: str, timeout_s: float = 15.0, **fields: Any) -> dict[str, Any]:
    """A staff command over MQTT (as a supervisor console sends it); returns the robot's reply."""
    request_id = uuid.uuid4().hex
    supervisor = Stamper(CENTRE.site.id, CENTRE.robot.id, session.clock)
    message = supervisor.make(RobotCommand, request_id=request_id, action=action, **fields)
    before = len(session.observations())
    session.monitor.client.publish(message.topic(session.root), message.to_json(), qos=1)
    return wait_for(session, "/robot-1/response", before, lambda p: p["request_id"] == request_id, timeout_s)


def said_since(session: SimSession, since: int) -> list[str]:
    return [o.text for o in session.observations()[since:] if o.kind == "said"]


# --------------------------------------------------------------------------------------------- pure decisions


def test_mode_and_device_states_never_guess() -> None:
    assert robot_mode(walking="guiding", paused=True, in_session=True, can_talk=True) == "guiding"
    assert robot_mode(walking=None, paused=True, in_session=False, can_talk=True) == "paused"
    assert robot_mode(walking=None, paused=False, in_session=True, can_talk=True) == "serving"
    assert robot_mode(walking=None, paused=False, in_session=False, can_talk=False) == "error"
    assert printer_states(False, None, False) == ("none", "unknown")
    assert printer_states(True, None, False) == ("unknown", "unknown")  # not asked yet
    assert printer_states(True, PrinterStatus(False, "out", False), False) == ("offline", "out")
    assert printer_states(True, PrinterStatus(True, "ok", True), False) == ("fault", "ok")  # cover open
    assert printer_states(True, PrinterStatus(True, "near_end", False), True) == ("offline", "near_end")
    assert device_state(None) == "unknown"
    assert device_state(PartState.parse("unavailable: no model")) == "fault"
    assert device_state(PartState.parse("ok (none configured)")) == "none"
    assert device_state(PartState.parse("ok (serial /dev/pts/3)"), "disconnected") == "offline"
    assert device_state(PartState.parse("ok (serial /dev/pts/3)"), "ready") == "ok"


def test_status_gate_and_progress_throttle() -> None:
    gate = StatusGate()
    assert gate.due({"mode": "idle"}) and not gate.due({"mode": "idle"})
    assert gate.due({"mode": "idle"}, force=True) and gate.due({"mode": "serving"})
    throttle = ProgressThrottle(1.0)
    admitted = [throttle.admit(s, t) for s, t in [("started", 0), ("planning", 0), ("going", 0), ("going", 0.4),
                                                  ("going", 1.0), ("going", 1.5), ("arrived", 1.6)]]
    assert admitted == [True, True, True, False, True, False, True]
    assert throttle.admit("started", 1.7) and throttle.admit("going", 1.7)  # a new walk starts afresh
    assert set(NAV_STATUS) == {"started", "planning", "going", "arrived", "aborted"}


def test_remaining_along_a_route() -> None:
    route = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0)]
    assert remaining_along(route, 0.0, 0.0) == pytest.approx(7.0)
    assert remaining_along(route, 2.0, 0.3) == pytest.approx(5.0)
    assert remaining_along(route, 4.1, 2.0) == pytest.approx(1.0)
    assert remaining_along(route, 4.0, 3.0) == pytest.approx(0.0)


# --------------------------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_walk_status_and_handover_through_mosquitto(mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """A guided walk gives navigation progress start..complete; the retained status shows the walk and the
    devices; an out-of-scope request ends handed_over, raises help_requested, resolved by the next citizen."""
    options = SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path, broker_url=mosquitto.url_for("robot"))
    with SimSession(options, CATALOGUE) as session:
        first = wait_for(session, "/robot-1/status", 0, lambda p: p["mode"] == "idle")
        assert first["battery_pct"] is not None and isinstance(first["charging"], bool)  # the MCU's battery gauge
        assert first["printer"] == "ok" and first["paper"] == "ok"  # asked at start
        assert first["motors"] == "ok" and first["microphone"] == "none"  # typed input: no microphone in use
        assert isinstance(first["water"], int) and isinstance(first["candy"], int)

        before = len(session.observations())
        session.perform(Step(arrive=True))
        session.perform(Step(say="dẫn tôi đến quầy số 3"))
        wait_for(session, "/robot-1/navigation", before, lambda p: p["status"] == "complete"
                 and p["target"] == "counter_3")
        walk = [p for p in messages(session, "/robot-1/navigation", before) if p["target"] == "counter_3"]
        statuses = [p["status"] for p in walk]
        assert statuses[:3] == ["start", "calculating", "going"] and statuses[-1] == "complete", statuses
        assert len({p["goal_id"] for p in walk}) == 1
        going = walk[2]
        assert going["remaining_m"] > 5 and 0 <= going["progress"] < 0.2  # from the base, a long way to go
        assert walk[-1]["progress"] == 1.0 and walk[-1]["remaining_m"] == 0.0
        modes = [p["mode"] for p in messages(session, "/robot-1/status", before)]
        assert "guiding" in modes and "serving" in modes

        before = len(session.observations())
        session.perform(Step(arrive=True))
        session.perform(Step(say="robot có biết hát không"))  # nobody here does that: staff are offered
        session.perform(Step(say="vâng"))
        ended = wait_for(session, "/robot-1/dialog/ended", before, lambda p: True)
        assert ended["reason"] == "handed_over" and ended["turns"] == 2 and ended["duration_s"] >= 0
        assert "hát" not in json.dumps(ended, ensure_ascii=False)
        wait_for(session, "/robot-1/alerts", before, lambda p: [a["kind"] for a in p["active"]] == ["help_requested"])

        before = len(session.observations())
        session.perform(Step(arrive=True))  # the citizen walks away, the next one steps up
        wait_for(session, "/robot-1/alerts", before, lambda p: p["active"] == [])


@pytest.mark.slow
def test_staff_commands_end_to_end(tmp_path: Path) -> None:
    """pause/resume, announce, dispense (here and at a place), refill, go-to-base: from MQTT through the app,
    with their replies, the robot's words, the retained status and the low-stock alert raised then resolved."""
    with SimSession(SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path), CATALOGUE) as session:
        wait_for(session, "/robot-1/status", 0, lambda p: p["mode"] == "idle")

        before = len(session.observations())
        reply = command(session, "announce", text="Trung tâm nghỉ trưa lúc 11 giờ 30.")
        assert reply["status"] == "accepted"
        assert "Trung tâm nghỉ trưa lúc 11 giờ 30." in said_since(session, before)
        assert command(session, "announce", text=" ")["reason"] == "text_required"

        before = len(session.observations())
        assert command(session, "pause")["status"] == "accepted"
        wait_for(session, "/robot-1/status", before, lambda p: p["mode"] == "paused")
        session.perform(Step(say="tôi muốn chứng thực bản sao"))
        assert PAUSED_TEXT in said_since(session, before)
        assert not messages(session, "/robot-1/dialog/started", before)  # no conversation while paused
        before = len(session.observations())
        assert command(session, "resume")["status"] == "accepted"
        wait_for(session, "/robot-1/status", before, lambda p: p["mode"] == "idle")

        before = len(session.observations())
        reply = command(session, "refill", item="water", quantity=5)
        assert reply["status"] == "accepted", reply
        wait_for(session, "/robot-1/status", before, lambda p: p["water"] == 5)
        reply = command(session, "dispense", item="water", quantity=2)
        assert reply["status"] == "accepted", reply
        assert any("dùng nước" in s for s in said_since(session, before))
        wait_for(session, "/robot-1/alert", before, lambda p: p["kind"] == "low_stock" and p["item"] == "water")
        wait_for(session, "/robot-1/status", before, lambda p: p["water"] == 3)
        wait_for(session, "/robot-1/alerts", before, lambda p: [a["kind"] for a in p["active"]] == ["low_stock"])
        before = len(session.observations())
        assert command(session, "refill", item="water")["status"] == "accepted"  # full again
        wait_for(session, "/robot-1/alerts", before, lambda p: p["active"] == [])
        wait_for(session, "/robot-1/status", before, lambda p: p["water"] == CENTRE.refreshments.water_capacity)
        assert command(session, "refill", item="water", quantity=500)["reason"] == "over_capacity"

        before = len(session.observations())
        reply = command(session, "dispense", item="water", location="counter_2")
        assert reply["status"] == "accepted", reply
        walks = [p for p in messages(session, "/robot-1/navigation", before) if p["status"] == "complete"]
        assert [p["target"] for p in walks][:1] == ["counter_2"] and len(walks) == 2  # there, then back to base
        assert command(session, "dispense", item="water", location="mars")["reason"] == "unknown_location"

        before = len(session.observations())
        reply = command(session, "go-to-base")
        assert reply["status"] == "accepted", reply
        assert command(session, "dispense")["reason"] == "item_required"


@pytest.mark.slow
def test_availability_online_then_last_will_from_the_app(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """The application's connection says online (retained); when it drops without a goodbye the broker
    publishes its Last Will: offline."""
    from robot.mqtt.client import BrokerSettings, MqttLink

    options = SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path,
                         broker_url=fresh_mosquitto.url_for("robot"))
    states: list[str] = []
    viewer = MqttLink(BrokerSettings.from_url(fresh_mosquitto.url_for("monitor")), "availability-viewer")
    viewer.subscribe("letan/v1/cua-nam/robot-1/availability", lambda t, p: states.append(json.loads(p)["state"]))
    with SimSession(options, CATALOGUE) as session:
        viewer.start()
        try:
            deadline = time.monotonic() + 5
            while "online" not in states and time.monotonic() < deadline:
                time.sleep(0.05)
            assert states[-1:] == ["online"]
            assert session.app is not None
            link = session.app.mqtt.link
            link.client._sock_close()  # the robot's connection drops without DISCONNECT
            link.client.loop_stop()
            deadline = time.monotonic() + 5
            while states[-1] != "offline" and time.monotonic() < deadline:
                time.sleep(0.05)
            assert states[-1] == "offline"
        finally:
            viewer.stop()


@pytest.mark.slow
def test_battery_from_the_mcu_gauge_and_the_low_battery_alert(tmp_path: Path) -> None:
    """The retained status carries the MCU's battery gauge (over its pty); a battery at or below
    robot.battery_low_pct off the dock raises battery_low once; back on the dock (charging) resolves it."""
    options = SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path)
    with SimSession(options, CATALOGUE) as session:
        assert session.devices.mcu is not None
        mcu, fmap = session.devices.mcu, CENTRE.point().floor_map
        first = wait_for(session, "/robot-1/status", 0, lambda p: p["battery_pct"] is not None)
        assert abs(first["battery_pct"] - mcu.battery_pct) < 1 and first["charging"] == mcu.on_dock()

        before = len(session.observations())
        entrance = fmap.locations["entrance"]
        with mcu.world.lock:
            mcu.world.x, mcu.world.y = entrance.x, entrance.y  # off the dock
            mcu.battery_pct = 15.0
        session.perform(Step(wait=CENTRE.mqtt.status_period_s + 1))  # the next periodic device check
        low = wait_for(session, "/robot-1/alerts", before,
                       lambda p: [a["kind"] for a in p["active"]] == ["battery_low"])
        assert low["active"][0]["reason"] == "15%"
        wait_for(session, "/robot-1/status", before, lambda p: p["battery_pct"] <= 15 and p["charging"] is False)

        before = len(session.observations())
        dock = fmap.locations[fmap.first_of_kind("dock") or "dock"]
        with mcu.world.lock:
            mcu.world.x, mcu.world.y = dock.x, dock.y
        session.perform(Step(wait=CENTRE.mqtt.status_period_s + 1))
        wait_for(session, "/robot-1/status", before, lambda p: p["charging"] is True)
        wait_for(session, "/robot-1/alerts", before, lambda p: p["active"] == [])
