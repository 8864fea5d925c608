"""The OutboxPublisher hands rows to paho in bursts and checkpoints the WAL off the publishing path (real mosquitto)."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import pytest

from robot.clock import SimClock
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import NavigationProgress, Stamper
from robot.mqtt.outbox import Outbox
from robot.mqtt.publisher import OutboxPublisher
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import START, PublisherStack, Recorder

TOPIC = "letan/v1/cua-nam/robot-1/navigation"


def _event(stack: PublisherStack, goal: str) -> NavigationProgress:
    return stack.stamp.make(NavigationProgress, goal_id=goal, target="dock", status="going")


def test_an_event_on_a_quiet_bus_goes_out_at_once(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """Nothing in flight: the publisher hands its row to paho itself, it does not wait for the sender's timer
    (0.5 s when idle), so each isolated event reaches a subscriber in milliseconds."""
    with Recorder(fresh_mosquitto, TOPIC) as rec, PublisherStack(fresh_mosquitto, tmp_path / "out.db") as stack:
        assert stack.link.wait_connected(5)
        delays = []
        for i in range(15):
            sent = time.monotonic()
            stack.bus.publish(_event(stack, f"q{i}"))
            data = rec.arrived.get(timeout=5)
            delays.append(time.monotonic() - sent)
            assert data["goal_id"] == f"q{i}"
            time.sleep(0.03)
    assert statistics.median(delays) < 0.1, delays
    assert max(delays) < 0.45, delays


@pytest.mark.slow
def test_rows_left_waiting_for_pubacks_follow_in_order(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """Published faster than PUBACKs come back: rows wait and go in bursts; after the last publish() nothing else
    happens, yet every event arrives in order and the outbox empties (no flush() needed)."""
    with Recorder(fresh_mosquitto, TOPIC) as rec, PublisherStack(fresh_mosquitto, tmp_path / "out.db") as stack:
        assert stack.link.wait_connected(5)
        for i in range(2000):
            stack.bus.publish(_event(stack, str(i)))
        last_published = time.monotonic()
        got = rec.wait_unique(2000, 20)
        arrived_after = time.monotonic() - last_published
        deadline = time.monotonic() + 5
        while stack.outbox.count() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stack.outbox.count() == 0
    assert [int(str(m["goal_id"])) for m in got] == list(range(2000))
    assert arrived_after < 5


def test_wal_is_checkpointed_by_the_sender_thread(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """SQLite's automatic checkpoint (run by the committing publisher) is off while the bus runs; the sender
    thread checkpoints every `checkpoint_writes` transactions, so the WAL stays well under the ~24 MB it reaches
    without checkpoints (under load the publisher runs ahead of the sender between checkpoints: 8 MB was seen)."""
    path = tmp_path / "out.db"
    wal = Path(f"{path}-wal")
    link = MqttLink(BrokerSettings.from_url(fresh_mosquitto.url_for("robot")), "robot-1")
    outbox = Outbox(path)
    bus = OutboxPublisher(link, outbox, checkpoint_writes=100)
    link.start()
    bus.start()
    biggest = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal biggest
        while not stop.is_set():
            biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert link.wait_connected(5)
        stamp = Stamper("cua-nam", "robot-1", SimClock(START))
        for i in range(3000):  # one transaction each: about 24 MB of WAL frames without a checkpoint
            bus.publish(stamp.make(NavigationProgress, goal_id=str(i), target="dock", status="going"))
        assert bus.flush(30)
    finally:
        stop.set()
        watcher.join()
        bus.stop()
        link.stop()
    assert 0 < biggest < 12_000_000, biggest
    assert outbox.count() == 0
    outbox.close()
