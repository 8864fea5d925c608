"""`letan mqtt setup` (issue 13): the files it writes run a real mosquitto, and with that broker's ACL no counter
can act on a ticket another counter called or take another counter's request id (Hypothesis, random actions)."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.clock import SimClock
from robot.config import load_centre
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import COUNTER_ACTIONS, CounterCommand, Stamper
from robot.mqtt.mosquitto import free_port
from robot.mqtt.service import RobotMqtt
from robot.mqtt.setup import check_password, password_line
from robot.queue import QueueEngine, TicketStatus
from tests.conftest import CUA_NAM
from tests.mqtt_support import TZ, send

ROOT = "letan/v1/cua-nam"
LIVE = (TicketStatus.CALLED, TicketStatus.SERVING)


def letan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "letan", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@dataclass
class SetupBroker:
    out: Path
    port: int
    accounts: dict[str, str]
    process: subprocess.Popen[bytes]

    def url(self, user: str, password: str | None = None) -> str:
        return f"mqtt://{user}:{self.accounts[user] if password is None else password}@127.0.0.1:{self.port}"

    def link(self, user: str, password: str | None = None) -> MqttLink:
        return MqttLink(BrokerSettings.from_url(self.url(user, password)), f"t-{user}-{uuid.uuid4().hex[:6]}",
                        reconnect_max_s=1)


def _start_mosquitto(workdir: Path, snippet: Path, port: int) -> subprocess.Popen[bytes]:
    """Debian's layout: a main mosquitto.conf (persistence location, logging) that includes conf.d/, where the
    generated snippet goes, unchanged."""
    confd = workdir / "conf.d"
    confd.mkdir(parents=True)
    (confd / "letan.conf").symlink_to(snippet)
    main = [f"persistence_location {workdir}/", "log_dest stderr", f"include_dir {confd}"]
    if os.geteuid() == 0:
        main.append("user root")  # as root, mosquitto would drop to user 'mosquitto', who cannot read tmp_path
    (workdir / "mosquitto.conf").write_text("\n".join(main) + "\n")
    log = (workdir / "mosquitto.log").open("ab")
    process = subprocess.Popen(["mosquitto", "-c", str(workdir / "mosquitto.conf")], stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"mosquitto refused the generated files: {(workdir / 'mosquitto.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("mosquitto did not listen on the generated port")


@pytest.fixture(scope="module")
def setup_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SetupBroker]:
    base = tmp_path_factory.mktemp("mqtt-setup")
    port = free_port()
    done = letan("mqtt", "setup", "--config", str(CUA_NAM), "--out", str(base / "setup"), "--host", "127.0.0.1",
                 "--port", str(port), "--bind", "127.0.0.1", "--quiet", cwd=base)
    assert done.returncode == 0, done.stderr
    credentials = json.loads((base / "setup" / "credentials.json").read_text())
    process = _start_mosquitto(base / "broker", base / "setup" / "mosquitto-letan.conf", port)
    yield SetupBroker(base / "setup", port, {a["user"]: a["password"] for a in credentials["accounts"]}, process)
    process.terminate()
    process.wait(10)


@pytest.mark.slow
def test_setup_writes_every_file_and_prints_the_sheet_once(tmp_path: Path) -> None:
    done = letan("mqtt", "setup", "--config", str(CUA_NAM), "--out", str(tmp_path / "out"), "--host", "10.0.0.5",
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    accounts = json.loads((out / "credentials.json").read_text())["accounts"]
    users = {a["user"] for a in accounts}
    assert users == {"robot", "board", "monitor", "supervisor", "admin", *(f"counter{n}" for n in range(1, 9))}
    passwords = [a["password"] for a in accounts]
    assert len(set(passwords)) == len(passwords) and all(len(p) >= 24 for p in passwords)
    for account in accounts:  # the sheet, printed once, has each password once; stderr has none
        robot_config = 1 if account["user"] == "robot" else 0  # the robot's also in its centre-file lines
        assert done.stdout.count(account["password"]) == 2 + robot_config  # "password:" and the broker URL
        assert account["password"] not in done.stderr
    robot = next(a for a in accounts if a["user"] == "robot")
    assert f"password: {robot['password']}" in done.stdout.split("The robot's centre file")[1]
    for name in ("passwd", "credentials.txt", "credentials.json"):
        assert (out / name).stat().st_mode & 0o007 == 0, f"{name} is readable by others"
    lines = dict(line.split(":", 1) for line in (out / "passwd").read_text().splitlines())
    assert all(check_password(f"{a['user']}:{lines[a['user']]}", a["password"]) for a in accounts)
    assert "acl_file" in (out / "mosquitto-letan.conf").read_text()

    again = letan("mqtt", "setup", "--config", str(CUA_NAM), "--out", str(out), cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr and "Traceback" not in again.stderr
    assert not any(p in again.stdout + again.stderr for p in passwords)
    assert json.loads((out / "credentials.json").read_text())["accounts"] == accounts  # nothing replaced
    forced = letan("mqtt", "setup", "--config", str(CUA_NAM), "--out", str(out), "--force", "--quiet", cwd=tmp_path)
    assert forced.returncode == 0 and forced.stdout == ""
    assert not set(passwords) & {a["password"] for a in json.loads((out / "credentials.json").read_text())["accounts"]}


@pytest.mark.parametrize("args", [
    ["--tls-cert", "missing.pem"],
    ["--tls-cert", "missing.pem", "--tls-key", "missing.key"],
    ["--tls-ca", "ca.pem"],
    ["--port", "70000"],
])
def test_bad_setup_arguments_exit_2_with_one_line(tmp_path: Path, args: list[str]) -> None:
    done = letan("mqtt", "setup", "--config", str(CUA_NAM), "--out", str(tmp_path / "o"), *args, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert not (tmp_path / "o" / "passwd").exists()


def test_tls_setup_names_the_certificate_files(tmp_path: Path) -> None:
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    cert.write_text("x")
    key.write_text("x")
    done = letan("mqtt", "setup", "--config", str(CUA_NAM), "--out", str(tmp_path / "o"), "--tls-cert", str(cert),
                 "--tls-key", str(key), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    snippet = (tmp_path / "o" / "mosquitto-letan.conf").read_text()
    assert f"certfile {cert}" in snippet and "listener 8883" in snippet and "listener 1883 127.0.0.1" in snippet
    assert "mqtts://" in (tmp_path / "o" / "credentials.txt").read_text()


def test_password_lines_are_mosquittos_own_format() -> None:
    """The same line mosquitto_passwd writes for this salt (checked against the real tool)."""
    pwfile = Path(os.environ.get("TMPDIR", "/tmp")) / f"letan-pw-{uuid.uuid4().hex}"
    try:
        subprocess.run(["mosquitto_passwd", "-c", "-b", str(pwfile), "alice", "s3cret"], check=True,
                       capture_output=True)
        theirs = pwfile.read_text().strip()
    finally:
        pwfile.unlink(missing_ok=True)
    salt = __import__("base64").b64decode(theirs.split("$")[3])
    assert password_line("alice", "s3cret", salt=salt) == theirs
    assert check_password(theirs, "s3cret") and not check_password(theirs, "S3cret")
    with pytest.raises(ValueError):
        password_line("a:b", "x")


def _connects(link: MqttLink) -> bool:
    link.start()
    try:
        return link.wait_connected(3)
    finally:
        link.stop()


@pytest.mark.slow
def test_the_generated_broker_knows_every_user_and_nobody_else(setup_broker: SetupBroker) -> None:
    for user in setup_broker.accounts:
        assert _connects(setup_broker.link(user)), user
    assert not _connects(setup_broker.link("robot", "wrong-password"))
    anonymous = MqttLink(BrokerSettings.from_url(f"mqtt://127.0.0.1:{setup_broker.port}"), "t-anon",
                         reconnect_max_s=1)
    assert not _connects(anonymous)


class Counter:
    def __init__(self, broker: SetupBroker, number: int):
        self.number = number
        self.stamp = Stamper("cua-nam", "console", SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)))
        self.replies: queue.Queue[dict[str, object]] = queue.Queue()
        self.link = broker.link(f"counter{number}")
        self.link.subscribe(f"{ROOT}/counter/{number}/response", lambda t, p: self.replies.put(json.loads(p)))
        self.link.start()
        assert self.link.wait_connected(5) and self.link.subscribed.wait(5)

    def send(self, topic_counter: int, payload_counter: int, request_id: str, action: str, ticket: str | None,
             service: str | None) -> None:
        command = self.stamp.make(CounterCommand, counter=payload_counter, request_id=request_id, action=action,
                                  ticket=ticket, service=service)
        send(self.link, f"{ROOT}/counter/{topic_counter}/cmd", command.to_json())

    def reply_to(self, request_id: str, timeout: float = 10) -> dict[str, object]:
        while True:
            reply = self.replies.get(timeout=timeout)
            if reply["request_id"] == request_id:
                return reply


@pytest.fixture(scope="module")
def robot_and_counters(setup_broker: SetupBroker, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[tuple[QueueEngine, dict[int, Counter]]]:
    base = tmp_path_factory.mktemp("robot")
    centre = load_centre(CUA_NAM)
    clock = SimClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    engine = QueueEngine(centre, base / "queue.db", clock)
    robot = RobotMqtt(centre, clock, broker_url=setup_broker.url("robot"), engine=engine,
                      outbox_path=base / "outbox.db")
    robot.start()
    assert robot.link.wait_connected(5)
    counters = {n: Counter(setup_broker, n) for n in (1, 2, 3, 4)}  # 1, 2: chung_thuc; 3: ho_tich; 4: both
    deadline = time.monotonic() + 10  # the robot's subscription may come after its connection: ask until answered
    while True:
        probe = uuid.uuid4().hex
        counters[1].send(1, 1, probe, "recall", None, None)
        try:
            counters[1].reply_to(probe, timeout=0.5)
            break
        except queue.Empty:
            assert time.monotonic() < deadline, "the robot never answered a counter"
    yield engine, counters
    for console in counters.values():
        console.link.stop()
    robot.stop()
    engine.close()


STEP = st.tuples(
    st.sampled_from((1, 2, 3, 4)),  # the counter that sends
    st.sampled_from((*COUNTER_ACTIONS, "forged-counter", "other-topic")),
    st.integers(0, 7),  # which ticket it names (index into today's tickets), 7: none
    st.sampled_from(("chung_thuc", "ho_tich", None)),
    st.sampled_from(("new", "new", "another-counters-id", "own-last-id")),
)


@pytest.mark.slow
@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=5, max_size=25))
def test_no_counter_acts_on_another_counters_ticket(robot_and_counters: tuple[QueueEngine, dict[int, Counter]],
                                                     steps: list[tuple[int, str, int, str | None, str]]) -> None:
    engine, counters = robot_and_counters
    waiting = [t.service for t in engine.tickets() if t.status == TicketStatus.WAITING]
    for topped_up in ("chung_thuc", "chung_thuc", "ho_tich"):
        if waiting.count(topped_up) < 2:  # keep a few waiting without reaching a service's daily cap
            engine.issue(topped_up)
    used: dict[int, list[str]] = {n: [] for n in counters}
    answered: dict[tuple[int, str], dict[str, object]] = {}
    for sender, action, which, service, id_kind in steps:
        console = counters[sender]
        tickets = engine.tickets()
        named = tickets[-1 - which].number if which < 7 and len(tickets) > which else None
        others = [i for n, ids in used.items() if n != sender for i in ids]
        if id_kind == "another-counters-id" and others:
            request_id = others[-1]
        elif id_kind == "own-last-id" and used[sender]:
            request_id = used[sender][-1]
        else:
            request_id = uuid.uuid4().hex
        before = {t.number: (t.status, t.counter, t.service) for t in engine.tickets()}
        if action == "other-topic":  # the broker's ACL drops it: another counter's topic
            target, dropped = sender % 4 + 1, uuid.uuid4().hex
            console.send(target, target, dropped, "call-next", None, None)
            probe = uuid.uuid4().hex  # an own command after it: the robot works in order, so had the dropped one
            console.send(sender, sender, probe, "transfer", None, None)  # come through, it would have run first
            assert console.reply_to(probe)["status"] == "rejected"
            with engine.request(f"counter/{target}/{dropped}") as record:
                assert record.previous is None, "a command on another counter's topic was executed"
            assert {t.number: (t.status, t.counter, t.service) for t in engine.tickets()} == before
            continue
        forged = action == "forged-counter"
        real_action = "call-next" if forged else action
        console.send(sender, sender % 4 + 1 if forged else sender, request_id, real_action, named, service)
        reply = console.reply_to(request_id)
        assert reply["counter"] == sender
        if (sender, request_id) not in answered:  # another counter's id does not fetch that counter's reply
            assert reply["action"] == real_action
        if (sender, request_id) in answered:
            assert reply == answered[(sender, request_id)]  # a retry gets the stored reply, nothing runs again
        elif forged:
            assert (reply["status"], reply["reason"]) == ("rejected", "counter_mismatch")
        after = {t.number: (t.status, t.counter, t.service) for t in engine.tickets()}
        for number, (status, counter, svc) in before.items():
            if status in LIVE and counter != sender:
                assert after[number] == (status, counter, svc), \
                    f"counter {sender}'s {real_action} changed {number}, called at counter {counter}"
        if reply["status"] == "rejected":
            assert after == before, f"a rejected {real_action} changed the queue"
        answered[(sender, request_id)] = reply
        used[sender].append(request_id)
    for console in counters.values():  # a clean state for the next example: every counter frees its ticket
        current = engine.current(console.number)
        if current is not None:
            engine.no_show(current.number) if current.status == TicketStatus.CALLED else engine.done(current.number)
