"""The counter protocol in plain words (issue 14, item 8), through a real mosquitto and the real queue engine.

An unknown action or an unreadable command is answered on the sender's response topic with a reason code and
a Vietnamese message; every refusal is Vietnamese only (no English words, every word a Vietnamese syllable);
the counter console prints these messages.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dialogs.normalize import is_syllable
from robot.mqtt.commands import REFUSALS, Outcome
from robot.mqtt.messages import CounterCommand, validate_payload
from robot.mqtt.service import RobotMqtt
from robot.queue import QueueEngine
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import send
from tests.test_mqtt_commands import ROOT, Console, robot_side

__all__ = ["robot_side"]

LETAN = [sys.executable, "-m", "letan"]
ENGLISH = {"cannot", "ticket", "it", "is", "the", "counter", "done", "call", "next", "service", "queue", "error",
           "invalid", "not", "found", "expected", "no", "show", "transfer", "recall", "unknown", "action", "failed",
           "busy", "closed", "command", "of", "to", "at", "has", "in", "a", "an", "and", "or"}


LOANWORDS = {"robot"}  # written so in Vietnamese (staff messages say "Robot đã về vị trí chờ.")


def vietnamese_only(message: str) -> list[str]:
    """The words of `message` that are not Vietnamese: English words, and words that are no Vietnamese syllable
    (ticket numbers such as A012 and plain numbers are fine)."""
    words = re.findall(r"[^\W\d_]+\d*|\d+", message)
    return [w for w in words if not (re.fullmatch(r"[A-Z]?\d+", w) or w.lower() in LOANWORDS
                                     or (is_syllable(w) and w.lower() not in ENGLISH))]


def test_the_word_check_can_fail() -> None:
    assert vietnamese_only("Không thực hiện được: cannot call ticket A001: it is done") == [
        "cannot", "call", "ticket", "it", "is", "done"]
    assert vietnamese_only("Số A001 đã xong, không gọi được.") == []
    assert vietnamese_only("Lệnh không hợp lệ: explode") == ["explode"]


@pytest.mark.parametrize(("payload", "reason", "request_id"), [
    (b'{"action": "next"}', "unknown_action", None),
    (b'{"action": "next", "request_id": "r-1"}', "unknown_action", "r-1"),
    (b'{"request_id": "r-2"}', "unknown_action", "r-2"),
    (b"next", "not_json", None),
    (b"\xff\xfe{", "not_json", None),
    (b'[1, 2]', "invalid_command", None),
    (b'{"type": "counter.command", "schema": 1, "site": "cua-nam", "ts": "2026-03-02T09:00:00+07:00", '
     b'"event_id": "0123456789abcdef0123456789abcdef", "counter": "one", "request_id": "r-3", "action": "call"}',
     "invalid_command", "r-3"),
    (b'{"action": "call", "request_id": 7}', "invalid_command", None),
])
def test_an_unreadable_command_is_answered_on_the_senders_topic(
        robot_side: tuple[RobotMqtt, QueueEngine], fresh_mosquitto: MosquittoBroker,
        payload: bytes, reason: str, request_id: str | None) -> None:
    _robot, engine = robot_side
    console = Console(fresh_mosquitto, "counter1", 1)
    try:
        send(console.link, f"{ROOT}/counter/1/cmd", payload)
        reply = console.reply()
        validate_payload("counter.reply", reply)  # the reply is itself a valid message
        assert (reply["status"], reply["reason"], reply["request_id"], reply["counter"]) == (
            "rejected", reason, request_id, 1)
        assert reply["message"] == REFUSALS[reason]
        assert vietnamese_only(str(reply["message"])) == []
        assert engine.current(1) is None  # nothing was executed
    finally:
        console.close()


def test_a_staff_message_on_a_counter_topic_is_an_invalid_command(robot_side: tuple[RobotMqtt, QueueEngine],
                                                                  fresh_mosquitto: MosquittoBroker) -> None:
    console = Console(fresh_mosquitto, "counter1", 1)
    try:
        reply_like = console.stamp.make(CounterCommand, counter=1, request_id="r-9", action="done").payload()
        reply_like.update(type="counter.reply", robot="robot-1", status="accepted")
        send(console.link, f"{ROOT}/counter/1/cmd", json.dumps(reply_like).encode())
        reply = console.reply()
        assert (reply["reason"], reply["request_id"], reply["action"]) == ("invalid_command", "r-9", "done")
    finally:
        console.close()


@pytest.mark.slow
def test_every_refusal_of_the_queue_is_vietnamese_only(robot_side: tuple[RobotMqtt, QueueEngine],
                                                       fresh_mosquitto: MosquittoBroker) -> None:
    _robot, engine = robot_side
    engine.issue("ho_tich")  # B001: counter 1 does not serve ho_tich
    one = Console(fresh_mosquitto, "counter1", 1)
    refusals: dict[str, str] = {}

    def expect(reason: str, action: str, ticket: str | None = None, service: str | None = None) -> None:
        one.command(action, ticket=ticket, service=service)
        reply = one.reply()
        assert (reply["status"], reply["reason"]) == ("rejected", reason), reply
        refusals[f"{reason} ({action})"] = str(reply["message"])

    try:
        expect("no_current_ticket", "done")
        expect("unknown_ticket", "recall")
        expect("ticket_required", "call")
        expect("unknown_ticket", "call", ticket="A999")
        expect("unknown_counter", "call", ticket="B001")
        one.command("call-next")
        assert one.reply()["ticket"] == "A001"
        expect("counter_busy", "call-next")
        expect("service_required", "transfer")
        expect("unknown_service", "transfer", service="khong_co")
        expect("not_this_counter", "done", ticket="A002")
        one.command("done")
        assert one.reply()["status"] == "accepted"
        expect("illegal_transition", "call", ticket="A001")
        for _ in range(2):
            one.command("call-next")
            assert one.reply()["status"] == "accepted"
            one.command("no-show")
            assert one.reply()["status"] == "accepted"
        expect("no_waiting_ticket", "call-next")
        forged = one.stamp.make(CounterCommand, counter=2, request_id="f-1", action="call-next")
        send(one.link, f"{ROOT}/counter/1/cmd", forged.to_json())
        mismatch = one.reply()
        refusals["counter_mismatch"] = str(mismatch["message"])
        assert mismatch["reason"] == "counter_mismatch"
    finally:
        one.close()
    assert refusals["illegal_transition (call)"] == "Số A001 đã xong, không gọi được."
    assert refusals["counter_busy (call-next)"].startswith("Quầy 1 còn số A001 chưa xong.")
    assert refusals["unknown_counter (call)"] == "Quầy 1 không phục vụ dịch vụ của số B001."
    for what, message in refusals.items():
        assert message and vietnamese_only(message) == [], f"{what}: {message!r}"
    for reason, message in REFUSALS.items():
        assert vietnamese_only(message) == [], f"{reason}: {message!r}"


@pytest.mark.slow
def test_the_counter_console_prints_the_vietnamese_messages(robot_side: tuple[RobotMqtt, QueueEngine],
                                                            fresh_mosquitto: MosquittoBroker) -> None:
    result = subprocess.run(
        [*LETAN, "counter", "1", "-c", str(CUA_NAM), "--broker", fresh_mosquitto.url_for("counter1")],
        input="next\nnext\ndone\ncall A001\ntransfer khong_co\nquit\n", capture_output=True, text=True, timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert lines[0] == "[OK] Mời số A001 đến quầy 1."
    assert lines[1].startswith("[TỪ CHỐI] Quầy 1 còn số A001 chưa xong.")
    assert lines[2] == "[OK] Đã xong số A001."
    assert lines[3] == "[TỪ CHỐI] Số A001 đã xong, không gọi được."
    assert lines[4] == "[TỪ CHỐI] Quầy 1 chưa gọi số nào."  # transfer needs this counter's current ticket
    for line in lines:
        assert vietnamese_only(line.split("] ", 1)[1]) == [], line


def test_staff_replies_say_why_in_vietnamese_words(tmp_path: Path) -> None:
    """A staff command's reply never carries an English code or class name in its message: an action the robot
    does not support, a handler that fails, and every reason a walk or a hand-out can stop."""
    from typing import get_args

    from drivers.dispenser import Outcome as DispenseOutcome
    from robot.clock import SimClock
    from robot.mqtt.client import BrokerSettings, MqttLink
    from robot.mqtt.commands import STOP_REASON_WORDS, CommandService, stop_reason_words
    from robot.mqtt.messages import RobotCommand, RobotReply, Stamper, parse_message
    from robot.mqtt.outbox import Outbox
    from robot.mqtt.publisher import OutboxPublisher
    from robot.navigation.follower import ABORT_REASONS
    from tests.mqtt_support import START

    codes = {*ABORT_REASONS, *get_args(DispenseOutcome), "out_of_stock", "aborted", "cannot_move"} - {"ok"}
    assert codes <= set(STOP_REASON_WORDS)
    for code in (*codes, None, "something-new"):
        assert vietnamese_only(stop_reason_words(code)) == [], code

    outbox = Outbox(tmp_path / "outbox.db")
    link = MqttLink(BrokerSettings(port=1), "unused")
    stamp = Stamper("cua-nam", "robot-1", SimClock(START))
    service = CommandService(link, OutboxPublisher(link, outbox), stamp)

    def broken(command: RobotCommand) -> Outcome:
        raise KeyError("some English detail")

    service.register("pause", broken)
    for action in ("pause", "dispense"):
        command = stamp.make(RobotCommand, request_id=f"{action}-1", action=action, item="water", quantity=1)
        service.handle(command.topic(), command.to_json())
    replies = [parse_message(row.payload) for row in outbox.pending()]
    assert [(r.action, r.reason) for r in replies if isinstance(r, RobotReply)] == [
        ("pause", "failed"), ("dispense", "not_supported")]
    for reply in replies:
        assert isinstance(reply, RobotReply) and reply.message
        assert vietnamese_only(reply.message) == [] and "KeyError" not in reply.message, reply.message
    outbox.close()
