"""Delivery that loses nothing, against a real mosquitto: outage, broker restart, publisher killed -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from robot.mqtt.messages import NavigationProgress
from robot.mqtt.outbox import Outbox
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import PublisherStack, Recorder

TOPIC = "letan/v1/cua-nam/robot-1/navigation"


def _publish(stack: PublisherStack, first: int, count: int, step_s: float = 0.0) -> None:
    for i in range(first, first + count):
        stack.bus.publish(stack.stamp.make(NavigationProgress, goal_id=str(i), target="dock", status="going"))
        if step_s:
            stack.clock.advance(step_s)


def _goal_ids(messages: list[dict[str, object]]) -> list[int]:
    return [int(str(m["goal_id"])) for m in messages]


def test_events_arrive_in_order_and_outbox_empties(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    with Recorder(fresh_mosquitto, TOPIC) as rec, PublisherStack(fresh_mosquitto, tmp_path / "out.db") as stack:
        _publish(stack, 0, 500)
        assert stack.bus.flush(20)
        got = rec.wait_unique(500, 10)
    assert _goal_ids(got) == list(range(500))
    assert got[0]["ts"] == "2026-03-02T08:00:00.000+07:00"


@pytest.mark.slow
def test_broker_down_for_an_hour(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """An hour of events (simulated clock, one every 0.36 s) while the broker is down, then it comes back.

    Only 1,000 rows fit in the sender's memory: the rest are read back from SQLite, in order."""
    with Recorder(fresh_mosquitto, TOPIC) as rec:
        fresh_mosquitto.stop()
        with PublisherStack(fresh_mosquitto, tmp_path / "out.db", memory_rows=1000) as stack:
            _publish(stack, 0, 10_000, step_s=0.36)
            assert stack.clock.now().hour == 9
            time.sleep(0.5)  # the sender runs half a second with the broker down (the outage is the subject)
            assert stack.outbox.count() == 10_000  # nothing acknowledged, nothing dropped
            fresh_mosquitto.start()
            assert stack.bus.flush(60), f"{stack.outbox.count()} events still in the outbox"
        got = rec.wait_unique(10_000, 30)
    assert _goal_ids(got) == list(range(10_000))


@pytest.mark.slow
def test_broker_restarted_while_publishing(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    with Recorder(fresh_mosquitto, TOPIC) as rec, PublisherStack(fresh_mosquitto, tmp_path / "out.db") as stack:
        _publish(stack, 0, 2000)
        fresh_mosquitto.restart()
        _publish(stack, 2000, 2000)
        fresh_mosquitto.restart()
        _publish(stack, 4000, 1000)
        assert stack.bus.flush(60), f"{stack.outbox.count()} events still in the outbox"
        got = rec.wait_unique(5000, 30)
    assert _goal_ids(got) == list(range(5000))


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from robot.mqtt.messages import NavigationProgress
    from tests.mosquitto import MosquittoBroker
    from tests.mqtt_support import PublisherStack
    broker = MosquittoBroker(port={port}, workdir=Path({workdir!r}))
    first, count = int(sys.argv[1]), int(sys.argv[2])
    with PublisherStack(broker, Path({outbox!r})) as stack:
        for i in range(first, first + count):
            stack.bus.publish(stack.stamp.make(NavigationProgress, goal_id=str(i), target="dock", status="going"))
            print(i, flush=True)
        stack.bus.flush(60)
        print("flushed", flush=True)
""")


def _child(broker: MosquittoBroker, outbox: Path, first: int, count: int) -> subprocess.Popen[str]:
    root = str(Path(__file__).resolve().parent.parent)
    code = CHILD.format(root=root, port=broker.port, workdir=str(broker.workdir), outbox=str(outbox))
    return subprocess.Popen([sys.executable, "-c", code, str(first), str(count)], stdout=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_publisher_killed_with_sigkill_and_restarted(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    outbox = tmp_path / "out.db"
    with Recorder(fresh_mosquitto, TOPIC) as rec:
        child = _child(fresh_mosquitto, outbox, 0, 100_000)
        assert child.stdout is not None
        last = -1
        for line in child.stdout:
            last = int(line)
            if last >= 3000:
                break
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL
        left = Outbox(outbox)
        pending = left.count()
        left.close()
        # Restarted: replays what the killed one left, then publishes new events.
        second = _child(fresh_mosquitto, outbox, 200_000, 500)
        out, _ = second.communicate(timeout=120)
        assert out.rstrip().endswith("flushed")
        got = rec.wait_unique(last + 1 + 500, 60)
    ids = _goal_ids(got)
    first_run = [i for i in ids if i < 200_000]
    assert first_run == list(range(len(first_run)))  # in order, no gap
    assert len(first_run) >= last + 1  # every event the killed publisher had reported written
    assert ids[len(first_run):] == list(range(200_000, 200_500))
    assert len(rec.raw) >= len(ids)
    print(f"pending at kill: {pending}, duplicates dropped: {len(rec.raw) - len(ids)}")


@pytest.mark.slow
def test_killed_during_an_outage_replays_the_backlog_after_restart(
    fresh_mosquitto: MosquittoBroker, tmp_path: Path,
) -> None:
    outbox = tmp_path / "out.db"
    with Recorder(fresh_mosquitto, TOPIC) as rec:
        fresh_mosquitto.stop()
        child = _child(fresh_mosquitto, outbox, 0, 100_000)
        assert child.stdout is not None
        for line in child.stdout:
            if int(line) >= 1999:
                break
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        left = Outbox(outbox)
        backlog = left.count()
        left.close()
        assert backlog >= 2000
        fresh_mosquitto.start()
        second = _child(fresh_mosquitto, outbox, 200_000, 100)
        out, _ = second.communicate(timeout=120)
        assert out.rstrip().endswith("flushed")
        got = rec.wait_unique(backlog + 100, 60)
    assert _goal_ids(got) == [*range(backlog), *range(200_000, 200_100)]


def test_group_commit_keeps_each_publishers_order(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """Four threads publish at once: their rows share transactions, and each thread's events arrive in its order."""
    import threading

    def worker(stack: PublisherStack, thread: int) -> None:
        for i in range(500):
            stack.bus.publish(stack.stamp.make(NavigationProgress, goal_id=f"{thread}-{i}", target="dock",
                                               status="going"))

    with Recorder(fresh_mosquitto, TOPIC) as rec, PublisherStack(fresh_mosquitto, tmp_path / "out.db") as stack:
        threads = [threading.Thread(target=worker, args=(stack, t)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert stack.bus.flush(30)
        got = rec.wait_unique(2000, 20)
        commits = stack.bus.commits
    assert len(got) == 2000
    for thread in range(4):
        mine = [int(str(m["goal_id"]).split("-")[1]) for m in got if str(m["goal_id"]).startswith(f"{thread}-")]
        assert mine == list(range(500))
    assert commits <= 2000
    print(f"2000 events in {commits} transactions")


def test_a_moved_cursor_writes_nothing(tmp_path: Path) -> None:
    from robot.mqtt.outbox import CursorMoved, Entry, OutgoingMessage

    outbox = Outbox(tmp_path / "out.db")
    msg = OutgoingMessage("t", b"{}")
    assert outbox.add_many([msg], cursor=("log", 5), cursor_was=0) == [1]
    results = outbox.write([Entry((msg,), ("log", 9), cursor_was=0), Entry((msg, msg))])
    assert isinstance(results[0], CursorMoved) and results[1] == [2, 3]  # the other entry is still written
    assert outbox.cursor("log") == 5 and outbox.count() == 3
    outbox.close()
