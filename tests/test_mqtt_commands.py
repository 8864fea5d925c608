"""Counter and staff commands through a real mosquitto, executed by the real queue engine."""

from __future__ import annotations

import json
import queue
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from robot.clock import SimClock
from robot.config import load_centre
from robot.mqtt.commands import Outcome
from robot.mqtt.messages import CounterCommand, RobotCommand, Stamper
from robot.mqtt.service import RobotMqtt
from robot.queue import QueueEngine, QueueError, TicketStatus
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import TZ, send, staff_link

ROOT = "letan/v1/cua-nam"


@pytest.fixture
def robot_side(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> Iterator[tuple[RobotMqtt, QueueEngine]]:
    centre = load_centre(CUA_NAM)
    clock = SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    engine = QueueEngine(centre, tmp_path / "queue.db", clock)
    for _ in range(3):
        engine.issue("chung_thuc")
    robot = RobotMqtt(centre, clock, broker_url=fresh_mosquitto.url_for("robot"), engine=engine,
                      outbox_path=tmp_path / "outbox.db")
    robot.start()
    assert robot.link.wait_connected(5)
    # Connected is not yet subscribed: a command sent before the broker took the robot's subscription is lost. The
    # robot's own command topic is subscribed last (robot.mqtt.commands), and mosquitto takes a client's packets in
    # order: once it is in force, so are the counters'.
    fresh_mosquitto.wait_subscribed("letan-cua-nam-robot-1", f"{ROOT}/robot-1/cmd")
    yield robot, engine
    robot.stop()
    engine.close()


class Console:
    """A counter console's MQTT side for the tests: sends commands, collects replies and queue events."""

    def __init__(self, broker: MosquittoBroker, user: str, counter: int):
        self.counter = counter
        self.stamp = Stamper("cua-nam", "console", SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)))
        self.replies: queue.Queue[dict[str, object]] = queue.Queue()
        self.events: queue.Queue[dict[str, object]] = queue.Queue()
        self.link = staff_link(broker, user, f"console-{user}")
        self.link.subscribe(f"{ROOT}/counter/{counter}/response", lambda t, p: self.replies.put(json.loads(p)))
        self.link.subscribe(f"{ROOT}/queue/ticket/#", lambda t, p: self.events.put(json.loads(p)))
        self.link.start()
        assert self.link.wait_connected(5)

    def command(self, action: str, request_id: str | None = None, **fields: object) -> CounterCommand:
        cmd = self.stamp.make(CounterCommand, counter=self.counter, request_id=request_id or uuid.uuid4().hex,
                              action=action, **fields)
        send(self.link, cmd.topic(), cmd.to_json())
        return cmd

    def reply(self, timeout: float = 15) -> dict[str, object]:  # only bounds a failure: a loaded CI machine is slow
        return self.replies.get(timeout=timeout)

    def close(self) -> None:
        self.link.stop()


def test_counter_commands_run_the_real_queue(robot_side: tuple[RobotMqtt, QueueEngine],
                                            fresh_mosquitto: MosquittoBroker) -> None:
    _robot, engine = robot_side
    console = Console(fresh_mosquitto, "counter1", 1)
    try:
        console.command("call-next", "req-1")
        reply = console.reply()
        assert (reply["status"], reply["ticket"], reply["request_id"]) == ("accepted", "A001", "req-1")
        assert engine.current(1) is not None and engine.current(1).number == "A001"  # type: ignore[union-attr]
        called = console.events.get(timeout=15)
        while called["type"] == "queue.ticket.issued":  # the three tickets issued before the console came
            called = console.events.get(timeout=15)
        assert (called["type"], called["ticket"], called["counter"]) == ("queue.ticket.called", "A001", 1)

        console.command("recall")
        assert console.reply()["status"] == "accepted"
        console.command("done")
        assert console.reply()["ticket"] == "A001"
        assert engine.ticket("A001").status == TicketStatus.DONE

        console.command("call", ticket="A003")
        assert console.reply()["ticket"] == "A003"
        console.command("transfer", service="ho_tich")
        assert console.reply()["status"] == "accepted"
        assert engine.ticket("A003").service == "ho_tich"

        console.command("no-show")
        rejected = console.reply()
        assert rejected["status"] == "rejected" and rejected["reason"] == "no_current_ticket"
        assert "Quầy 1" in str(rejected["message"])
    finally:
        console.close()


def test_counter_commands_are_idempotent_by_request_id(robot_side: tuple[RobotMqtt, QueueEngine],
                                                       fresh_mosquitto: MosquittoBroker) -> None:
    _robot, engine = robot_side
    console = Console(fresh_mosquitto, "counter1", 1)
    try:
        console.command("call-next", "same-id")
        first = console.reply()
        console.command("done", "done-id")
        assert console.reply()["status"] == "accepted"
        console.command("call-next", "same-id")  # the console retried: not executed again
        again = console.reply()
        assert again == first
        assert engine.ticket("A002").status == TicketStatus.WAITING
        assert engine.current(1) is None
    finally:
        console.close()


def test_invalid_command_gets_a_rejection(robot_side: tuple[RobotMqtt, QueueEngine],
                                          fresh_mosquitto: MosquittoBroker) -> None:
    console = Console(fresh_mosquitto, "counter1", 1)
    try:
        send(console.link, f"{ROOT}/counter/1/cmd", json.dumps({"request_id": "bad-1", "action": "explode"}).encode())
        reply = console.reply()
        assert (reply["status"], reply["reason"], reply["request_id"]) == ("rejected", "unknown_action", "bad-1")
    finally:
        console.close()


def test_staff_commands_reach_the_application_handlers(robot_side: tuple[RobotMqtt, QueueEngine],
                                                       fresh_mosquitto: MosquittoBroker) -> None:
    robot, _engine = robot_side
    announced: list[str] = []

    def announce(command: RobotCommand) -> Outcome:
        announced.append(command.text or "")
        return Outcome(True, message="Đã thông báo.")

    robot.register("announce", announce)
    replies: queue.Queue[dict[str, object]] = queue.Queue()
    staff = staff_link(fresh_mosquitto, "supervisor", "supervisor-1")
    staff.subscribe(f"{ROOT}/robot-1/response", lambda t, p: replies.put(json.loads(p)))
    staff.start()
    assert staff.wait_connected(5)
    try:
        stamp = Stamper("cua-nam", "robot-1", robot.stamp.clock)
        cmd = stamp.make(RobotCommand, request_id="ann-1", action="announce", text="Mời quý khách")
        send(staff, cmd.topic(), cmd.to_json())
        assert replies.get(timeout=15)["status"] == "accepted"
        send(staff, cmd.topic(), cmd.to_json())  # duplicate delivery
        assert replies.get(timeout=15)["status"] == "accepted"
        assert announced == ["Mời quý khách"]
        dispense = stamp.make(RobotCommand, request_id="d-1", action="dispense", item="water")
        send(staff, dispense.topic(), dispense.to_json())
        rejected = replies.get(timeout=15)
        assert (rejected["status"], rejected["reason"]) == ("rejected", "not_supported")
    finally:
        staff.stop()


def test_a_crash_between_the_queue_change_and_the_stored_reply_does_not_execute_twice(tmp_path: Path) -> None:
    """The engine's change and the command's outcome are one transaction in the queue database: when the reply
    could not reach the outbox (here: its database is gone, as after a crash), the command delivered again to a
    restarted robot is answered from the queue database, not executed again."""
    from robot.mqtt.client import BrokerSettings, MqttLink
    from robot.mqtt.commands import CommandService
    from robot.mqtt.messages import CounterReply, parse_message
    from robot.mqtt.outbox import Outbox
    from robot.mqtt.publisher import OutboxPublisher

    centre = load_centre(CUA_NAM)
    clock = SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    engine = QueueEngine(centre, tmp_path / "queue.db", clock)
    engine.issue("chung_thuc")
    engine.issue("chung_thuc")
    stamp = Stamper("cua-nam", "robot-1", clock)
    command = Stamper("cua-nam", "console", clock).make(CounterCommand, counter=1, request_id="r-9",
                                                        action="call-next")

    def service(outbox: Outbox) -> CommandService:
        link = MqttLink(BrokerSettings(port=1), "unused")  # never started: replies wait in the outbox
        return CommandService(link, OutboxPublisher(link, outbox), stamp, desk=engine)

    lost = Outbox(tmp_path / "lost.db")
    first = service(lost)
    with sqlite3.connect(tmp_path / "lost.db") as other:  # the reply cannot be written: the process "dies"
        other.execute("DROP TABLE outbox")                # after the queue change, before the reply
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        first.handle(command.topic(), command.to_json())
    lost.close()
    assert engine.current(1) is not None and engine.current(1).number == "A001"  # type: ignore[union-attr]

    outbox = Outbox(tmp_path / "outbox.db")
    service(outbox).handle(command.topic(), command.to_json())  # delivered again after the restart
    (row,) = outbox.pending()
    reply = parse_message(row.payload)
    assert isinstance(reply, CounterReply) and reply.request_id == "r-9"
    assert reply.status == "accepted" and reply.ticket == "A001"  # not "counter_busy", not A002
    assert engine.ticket("A002").status == TicketStatus.WAITING
    assert [e.kind for e in engine.events_after(0)] == ["issued", "issued", "called"]
    outbox.close()
    engine.close()


def test_engine_request_is_one_transaction_and_at_most_once(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    engine = QueueEngine(centre, tmp_path / "queue.db", SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)))
    engine.issue("chung_thuc")
    with pytest.raises(RuntimeError), engine.request("k-1") as record:
        engine.call_next(1)
        record.outcome = {"ticket": "A001"}
        raise RuntimeError("crash before the commit")
    assert engine.current(1) is None and [e.kind for e in engine.events_after(0)] == ["issued"]  # nothing kept
    with engine.request("k-1") as record:
        assert record.previous is None
        record.outcome = {"ticket": engine.call_next(1).number}  # type: ignore[union-attr]
    with engine.request("k-1") as record:
        assert record.previous == {"ticket": "A001"}
    # a refused step inside the block is undone alone (savepoint); the rest of the block is kept
    with engine.request("k-2") as record:
        with pytest.raises(QueueError):
            engine.done("A001")  # called, not serving
        engine.start_serving("A001")
        record.outcome = {"ok": True}
    assert engine.ticket("A001").status == TicketStatus.SERVING
    engine.close()


CRASHING_ROBOT = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from robot.clock import SimClock
from robot.mqtt.messages import Stamper
from robot.mqtt.publisher import OutboxPublisher
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.commands import CommandService
from robot.mqtt.outbox import Outbox
from tests.mqtt_support import TZ

outbox_path, done_file, topic, payload = sys.argv[1:5]
link = MqttLink(BrokerSettings(port=1), "unused")  # never started: replies would wait in the outbox
stamp = Stamper("cua-nam", "robot-1", SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)))
service = CommandService(link, OutboxPublisher(link, Outbox(outbox_path)), stamp)

def run_then_die(command):
    with open(done_file, "a") as done:
        done.write(command.action + "\\n")
    os.kill(os.getpid(), signal.SIGKILL)  # after the action, before its reply is stored

for action in ("announce", "dispense", "pause"):
    service.register(action, run_then_die)
service.handle(topic, payload.encode())
"""


@pytest.mark.parametrize(("action", "fields", "run_again"), [
    ("dispense", {"item": "candy"}, False), ("announce", {"text": "Mời quý khách"}, False), ("pause", {}, True),
])
def test_a_staff_command_killed_while_running_is_not_run_twice(tmp_path: Path, action: str,
                                                               fields: dict[str, object], run_again: bool) -> None:
    """The robot process is killed with -9 after carrying out the command and before storing its reply; the
    command delivered again to the restarted robot: dispense and announce are not carried out a second time
    (rejected `interrupted`), pause just sets the state again."""
    import os
    import subprocess
    import sys

    from robot.mqtt.client import BrokerSettings, MqttLink
    from robot.mqtt.commands import CommandService
    from robot.mqtt.messages import RobotReply, parse_message
    from robot.mqtt.outbox import Outbox
    from robot.mqtt.publisher import OutboxPublisher
    PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout

    clock = SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    command = Stamper("cua-nam", "robot-1", clock).make(RobotCommand, request_id=f"{action}-7", action=action,
                                                        **fields)
    done_file = tmp_path / "done.txt"
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_ROBOT, str(tmp_path / "outbox.db"), str(done_file),
         command.topic(), command.to_json().decode()],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, capture_output=True, text=True)
    assert crashed.returncode == -9, crashed.stderr
    assert done_file.read_text().split() == [action]

    outbox = Outbox(tmp_path / "outbox.db")  # the robot restarted; the command is delivered again
    link = MqttLink(BrokerSettings(port=1), "unused")
    service = CommandService(link, OutboxPublisher(link, outbox), Stamper("cua-nam", "robot-1", clock))
    ran: list[str] = []
    service.register(action, lambda c: (ran.append(c.action), Outcome(True, message="Xong."))[1])
    service.handle(command.topic(), command.to_json())
    (row,) = outbox.pending()
    reply = parse_message(row.payload)
    assert isinstance(reply, RobotReply) and reply.request_id == f"{action}-7"
    if run_again:
        assert ran == [action] and reply.status == "accepted"
    else:
        assert ran == [] and (reply.status, reply.reason) == ("rejected", "interrupted")
        assert reply.message is not None and "khởi động lại" in reply.message
    outbox.close()


def test_a_counter_acts_only_on_its_own_tickets(robot_side: tuple[RobotMqtt, QueueEngine],
                                                fresh_mosquitto: MosquittoBroker) -> None:
    """Issue 13: counter 2 naming counter 1's ticket is refused for done, no-show and transfer (the broker
    lets counter 2 write its own topic; the robot checks the ticket)."""
    _robot, engine = robot_side
    one, two, three = (Console(fresh_mosquitto, f"counter{n}", n) for n in (1, 2, 3))
    try:
        one.command("call-next")
        assert one.reply()["ticket"] == "A001"
        for action, fields in (("no-show", {}), ("done", {}), ("transfer", {"service": "ho_tich"})):
            two.command(action, ticket="A001", **fields)
            reply = two.reply()
            assert (reply["status"], reply["reason"]) == ("rejected", "not_this_counter"), action
        called = engine.ticket("A001")
        assert (called.status, called.counter, called.service) == (TicketStatus.CALLED, 1, "chung_thuc")
        two.command("transfer", ticket="A002", service="ho_tich")  # waiting, of a service counter 2 serves
        assert two.reply()["status"] == "accepted" and engine.ticket("A002").service == "ho_tich"
        three.command("transfer", ticket="A003", service="ho_tich")  # counter 3 does not serve chung_thuc
        assert three.reply()["reason"] == "not_this_counter" and engine.ticket("A003").service == "chung_thuc"
        one.command("done", ticket="A001")  # the counter that called it may
        assert one.reply()["status"] == "accepted" and engine.ticket("A001").status == TicketStatus.DONE
    finally:
        for console in (one, two, three):
            console.close()


def test_the_topic_names_the_counter_not_the_payload(robot_side: tuple[RobotMqtt, QueueEngine],
                                                     fresh_mosquitto: MosquittoBroker,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """Counter 1 claiming to be counter 2 is answered on its own topic and cannot take counter 2's request id;
    a huge command leaves a short log line."""
    _robot, engine = robot_side
    one, two = Console(fresh_mosquitto, "counter1", 1), Console(fresh_mosquitto, "counter2", 2)
    try:
        forged = one.stamp.make(CounterCommand, counter=2, request_id="X", action="call-next")
        send(one.link, f"{ROOT}/counter/1/cmd", forged.to_json())
        reply = one.reply()
        assert (reply["status"], reply["reason"], reply["counter"]) == ("rejected", "counter_mismatch", 1)
        assert engine.current(2) is None and engine.current(1) is None
        two.command("call-next", "X")  # the genuine command with the same id runs
        assert (two.reply()["status"], engine.current(2).number) == ("accepted", "A001")  # type: ignore[union-attr]
        with pytest.raises(queue.Empty):
            two.replies.get(timeout=0.5)  # counter 2 saw nothing of the forgery
        caplog.clear()
        huge = json.dumps({"request_id": "big", "action": "call-next", "counter": 1, "ticket": "A" * 1_000_000})
        send(one.link, f"{ROOT}/counter/1/cmd", huge.encode())
        assert one.reply()["reason"] == "invalid_command"
        assert caplog.records and all(len(r.getMessage()) < 600 for r in caplog.records)
        assert not any("AAAAAAAAAA" * 30 in r.getMessage() for r in caplog.records)
    finally:
        one.close()
        two.close()
