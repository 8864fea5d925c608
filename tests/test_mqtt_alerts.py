"""The retained `robot.alerts` state: raised, replaced per kind, resolved by later messages or explicitly."""

from __future__ import annotations

from datetime import datetime

from robot.clock import SimClock
from robot.mqtt.alerts import AlertBoard
from robot.mqtt.messages import NavigationProgress, RobotAlert, RobotStatus, Stamper, parse_message
from tests.mqtt_support import TZ

CLOCK = SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
STAMP = Stamper("cua-nam", "robot-1", CLOCK)


def _kinds(board: AlertBoard) -> list[str]:
    return [str(item["kind"]) for item in board.state().active]


def test_alerts_are_kept_per_kind_until_resolved() -> None:
    board = AlertBoard(STAMP)
    assert board.state().active == () and board.state().retain
    first = STAMP.make(RobotAlert, kind="navigation_aborted", reason="obstacle", location="quay-3")
    CLOCK.advance(5)
    state = board.after(first)
    assert state is not None and state.topic() == "letan/v1/cua-nam/robot-1/alerts"
    again = STAMP.make(RobotAlert, kind="navigation_aborted", reason="blocked", location="quay-1")
    board.after(again)
    board.after(STAMP.make(RobotAlert, kind="paper_near_end", reason="sensor"))
    (nav, paper) = board.state().active
    assert nav["reason"] == "blocked" and nav["alert_id"] == again.event_id and paper["kind"] == "paper_near_end"
    state = board.state()
    assert parse_message(state.to_json()) == state  # schema-checked round trip
    # a status with paper near its end does not resolve 'near end'; ok does
    assert board.after(STAMP.make(RobotStatus, mode="serving", paper="near_end")) is None
    assert board.after(STAMP.make(RobotStatus, mode="serving", paper="ok")) is not None
    assert _kinds(board) == ["navigation_aborted"]
    assert board.after(STAMP.make(NavigationProgress, goal_id="g", target="dock", status="going")) is None
    assert board.after(STAMP.make(NavigationProgress, goal_id="g", target="dock", status="complete")) is not None
    assert _kinds(board) == []
    assert board.resolve("help_requested") is None  # nothing to publish when nothing changed


def test_errors_of_different_parts_are_kept_apart() -> None:
    board = AlertBoard(STAMP)
    board.after(STAMP.make(RobotAlert, kind="error", reason="queue: unavailable: cannot open the database"))
    board.after(STAMP.make(RobotAlert, kind="error", reason="dialog: unavailable: catalogue unreadable"))
    board.after(STAMP.make(RobotAlert, kind="error", reason="queue: unavailable: still cannot open it"))
    reasons = sorted(str(item["reason"]) for item in board.state().active)
    assert reasons == ["dialog: unavailable: catalogue unreadable", "queue: unavailable: still cannot open it"]
    assert board.resolve("error") is not None and _kinds(board) == []


def test_an_emergency_stays_until_staff_take_it_out() -> None:
    """An urgent help request (someone fainted) is not replaced by a later ordinary one, and the automatic
    resolves (the citizen walked away, the next conversation started) leave it: only staff take it out."""
    board = AlertBoard(STAMP)
    board.after(STAMP.make(RobotAlert, kind="help_requested", severity="critical", reason="urgent"))
    board.after(STAMP.make(RobotAlert, kind="help_requested", severity="warning", reason="out_of_scope"))
    assert sorted((a["reason"], a["severity"]) for a in board.state().active) == [
        ("out_of_scope", "warning"), ("urgent", "critical")]
    assert board.resolve("help_requested", exact=True) is not None
    assert [(a["reason"], a["severity"]) for a in board.state().active] == [("urgent", "critical")]
    assert board.resolve("help_requested", exact=True) is None
    assert board.resolve("help_requested") is not None  # staff's ack-alert
    assert board.state().active == ()
