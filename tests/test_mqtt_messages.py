"""Every message type: topic, JSON payload, and its JSON Schema in robot/schemas/ (checked with jsonschema)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from robot.clock import FixedClock
from robot.mqtt.messages import (
    MESSAGE_TYPES,
    SCHEMA_DIR,
    CounterCommand,
    DialogSessionEnded,
    Message,
    MessageError,
    QueueSnapshot,
    RobotStatus,
    Stamper,
    TicketCalled,
    parse_message,
)
from tests.mqtt_support import TZ

STAMP = Stamper("cua-nam", "robot-1", FixedClock(datetime(2026, 3, 2, 9, 15, 30, tzinfo=TZ)))

EXAMPLES: dict[str, dict[str, Any]] = {
    "queue.ticket.issued": {"ticket": "A001", "service": "chung_thuc", "priority": True},
    "queue.ticket.transferred": {"ticket": "A003", "service": "chung_thuc", "to_service": "ho_tich", "counter": 1},
    "queue.snapshot": {"service": "chung_thuc", "waiting": 4, "estimated_wait_min": 12.0,
                       "last_called": {"1": "A007", "2": "A006"}, "issued_today": 11, "done_today": 5},
    "counter.command": {"counter": 1, "request_id": "r-1", "action": "call", "ticket": "A012"},
    "counter.reply": {"counter": 1, "request_id": "r-1", "action": "call", "status": "accepted", "ticket": "A012"},
    "queue.stats": {"figures": {"day": "2026-03-02", "total": {"key": "all", "tickets": 0}, "services": [],
                                "counters": [], "ratings": {"total": {}, "counters": {}}}},
    "counter.rating": {"counter": 2, "ticket": "A012", "service": "chung_thuc", "rating": "unsatisfied",
                       "reason": "waited_long"},
    "robot.availability": {"state": "offline"},
    "robot.status": {"mode": "guiding", "battery_pct": None, "charging": None, "paper": "near_end", "printer": "ok",
                     "scanner": "offline", "microphone": "none", "camera": "ok", "motors": "ok", "water": 12},
    "robot.alert": {"kind": "navigation_aborted", "severity": "warning", "reason": "obstacle", "location": "quay-3"},
    "robot.alerts": {"active": ({"kind": "paper_out", "severity": "critical", "reason": "paper sensor",
                                 "location": None, "item": None, "since": "2026-03-02T09:10:02.000+07:00",
                                 "alert_id": "961857a743c64b45908b5d80974f08a3"},)},
    "dialog.session.started": {"session_id": "s-1", "trigger": "voice"},
    "dialog.session.ended": {"session_id": "s-1", "reason": "handed_over", "intent": "ask_papers",
                             "procedure": "chung-thuc-ban-sao", "turns": 4, "duration_s": 52.3},
    "navigation.progress": {"goal_id": "g-1", "target": "quay-3", "status": "going", "progress": 0.4,
                            "remaining_m": 6.2},
    "robot.command": {"request_id": "c-1", "action": "dispense", "item": "water", "quantity": 2},
    "robot.reply": {"request_id": "c-1", "action": "dispense", "status": "rejected", "reason": "out_of_stock"},
}


def example(type_name: str) -> Message:
    fields = EXAMPLES.get(type_name, {"ticket": "A002", "service": "chung_thuc", "counter": 2})
    return STAMP.make(MESSAGE_TYPES[type_name], **fields)


def test_every_type_has_a_schema_file_and_no_stray_ones() -> None:
    assert {p.stem for p in SCHEMA_DIR.glob("*.json")} == set(MESSAGE_TYPES)


@pytest.mark.parametrize("type_name", sorted(MESSAGE_TYPES))
def test_payload_matches_its_schema_and_round_trips(type_name: str) -> None:
    message = example(type_name)
    schema = json.loads((SCHEMA_DIR / f"{type_name}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    payload = json.loads(message.to_json())
    jsonschema.validate(payload, schema)
    assert payload["type"] == type_name and payload["schema"] == 1 and payload["site"] == "cua-nam"
    assert payload["ts"] == "2026-03-02T09:15:30.000+07:00"
    assert len(payload["event_id"]) == 32
    assert "robot" in payload or "counter" in payload
    assert parse_message(message.to_json()) == message
    assert message.topic().startswith("letan/v1/cua-nam/")


@pytest.mark.parametrize("type_name", sorted(MESSAGE_TYPES))
def test_schema_refuses_extra_fields_such_as_personal_data(type_name: str) -> None:
    payload = json.loads(example(type_name).to_json())
    payload["citizen_name"] = "Nguyễn Văn A"
    with pytest.raises(MessageError, match="citizen_name"):
        parse_message(json.dumps(payload).encode())


def test_topics_follow_the_tree() -> None:
    assert example("queue.ticket.called").topic() == "letan/v1/cua-nam/queue/ticket/called"
    assert example("queue.snapshot").topic("x/v1") == "x/v1/cua-nam/queue/snapshot/chung_thuc"
    assert example("counter.command").topic() == "letan/v1/cua-nam/counter/1/cmd"
    assert example("counter.reply").topic() == "letan/v1/cua-nam/counter/1/response"
    assert example("robot.status").topic() == "letan/v1/cua-nam/robot-1/status"
    assert example("dialog.session.ended").topic() == "letan/v1/cua-nam/robot-1/dialog/ended"
    assert example("robot.command").topic() == "letan/v1/cua-nam/robot-1/cmd"
    assert RobotStatus.RETAIN and QueueSnapshot.RETAIN and not TicketCalled.RETAIN


@pytest.mark.parametrize(("payload", "problem"), [
    (b"not json", "not JSON"),
    (b"[1]", "type"),
    (b'{"type": "counter.command", "schema": 2}', "schema version"),
    (b'{"type": "nope", "schema": 1}', "unknown message type"),
])
def test_bad_payloads_are_refused_clearly(payload: bytes, problem: str) -> None:
    with pytest.raises(MessageError, match=problem):
        parse_message(payload)


def test_bad_field_values_are_refused() -> None:
    good = json.loads(STAMP.make(CounterCommand, counter=1, request_id="r", action="call-next").to_json())
    for field, value in (("counter", 0), ("action", "explode"), ("ts", "yesterday"), ("ticket", "12")):
        with pytest.raises(MessageError):
            parse_message(json.dumps({**good, field: value}).encode())


def test_dialog_end_has_no_field_for_what_the_citizen_said() -> None:
    names = set(json.loads(example("dialog.session.ended").to_json()))
    assert not names & {"text", "utterance", "name", "citizen_id", "cccd", "words"}
    assert {f.name for f in dataclasses.fields(DialogSessionEnded)} <= names


def test_reserved_robot_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="reserved"):
        Stamper("cua-nam", "queue", STAMP.clock)


def test_session_end_reasons_are_the_dialogs_own() -> None:
    """Staff see why a conversation ended in the dialog's words (handed_over is not 'not understood')."""
    from typing import get_args

    from dialogs.manager import END_REASONS
    from robot.mqtt.messages import EndReason

    assert get_args(EndReason) == END_REASONS
    assert tuple(schema_for_type("dialog.session.ended")["properties"]["reason"]["enum"]) == END_REASONS
    payload = json.loads(example("dialog.session.ended").to_json())
    for hermes in ("nominal", "intent_not_recognized", "aborted_by_user"):
        with pytest.raises(MessageError, match="reason"):
            parse_message(json.dumps({**payload, "reason": hermes}).encode())


def test_alert_kinds_agree_between_code_and_both_schemas() -> None:
    from typing import get_args

    from robot.mqtt.messages import AlertKind

    kinds = list(get_args(AlertKind))
    assert "scanner_disconnected" in kinds and "camera_disconnected" in kinds
    assert schema_for_type("robot.alert")["properties"]["kind"]["enum"] == kinds
    assert schema_for_type("robot.alerts")["properties"]["active"]["items"]["properties"]["kind"]["enum"] == kinds


def test_status_modes_and_device_states_agree_with_the_schema() -> None:
    from typing import get_args

    from robot.mqtt.messages import DeviceState, RobotMode

    props = schema_for_type("robot.status")["properties"]
    assert props["mode"]["enum"] == list(get_args(RobotMode))
    for device in ("printer", "scanner", "microphone", "camera", "motors"):
        assert props[device]["enum"] == list(get_args(DeviceState))
    unknown = STAMP.make(RobotStatus, mode="idle")  # nothing known: null battery and charging, never made up
    payload = json.loads(unknown.to_json())
    assert payload["battery_pct"] is None and payload["charging"] is None and payload["camera"] == "unknown"


def test_refill_command_and_default_quantity() -> None:
    from robot.mqtt.messages import ROBOT_ACTIONS, RobotCommand

    assert "refill" in ROBOT_ACTIONS
    refill = STAMP.make(RobotCommand, request_id="c-2", action="refill", item="candy")
    assert parse_message(refill.to_json()) == refill and refill.quantity is None  # full
    payload = json.loads(refill.to_json())
    with pytest.raises(MessageError, match="quantity"):
        parse_message(json.dumps({**payload, "quantity": 0}).encode())


def schema_for_type(type_name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{type_name}.json").read_text())
    return loaded


def test_every_example_payload_in_the_docs_passes_its_schema() -> None:
    """README.md and docs/mqtt.md show payloads staff will copy: each must be a valid message of its type."""
    import re

    PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout: its documents

    decoder, seen = json.JSONDecoder(), []
    for doc in ("README.md", "docs/mqtt.md"):
        for block in re.findall(r"```json\n(.*?)```", (PROJECT_ROOT / doc).read_text(encoding="utf-8"), re.S):
            text, at = block.strip(), 0
            while at < len(text):
                payload, at = decoder.raw_decode(text, at)
                seen.append(parse_message(json.dumps(payload).encode()).TYPE)
                while at < len(text) and text[at].isspace():
                    at += 1
    assert len(seen) >= 15 and {"robot.status", "counter.command", "robot.alerts"} <= set(seen)
