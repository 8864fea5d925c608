"""`letan run` as systemd runs it: SIGTERM (and Ctrl-C's SIGINT) stop every part cleanly. The robot is a real
`python -m letan run` process on the real mosquitto; a ticket issued just before the signal reaches the broker
(the outbox is flushed), the retained availability reads "offline" as the robot's own last message (not the
Last Will from an earlier moment), and the process exits 0 within seconds."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from robot.clock import FixedClock
from robot.config import load_catalogue_checked, load_centre
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.outbox import Outbox
from robot.queue import QueueEngine
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import Recorder
from tests.waiting import wait_until

SITE = "letan/v1/cua-nam"


def centre_file(tmp_path: Path, broker: MosquittoBroker, *, always_open: bool = False) -> Path:
    """Cửa Nam for `letan run` in a test: no devices, speech to WAV files, state in `tmp_path`, this broker
    (always_open: issuing every day at every hour)."""
    data = yaml.safe_load(CUA_NAM.read_text(encoding="utf-8"))
    if always_open:
        every_day = {"morning": {"open": "00:00", "close": "23:59"}}
        data["opening_hours"] = {day: every_day for day in (
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
    data["devices"] = {"profile": "real", "printer": {"kind": "none"}, "scanner": {"kind": "none"},
                       "drive": {"kind": "none"}, "audio": {"output_dir": str(tmp_path / "audio")}}
    data["queue"]["db"] = str(tmp_path / "queue.sqlite3")
    data["dossier"] = {"provider": "sqlite", "db": str(tmp_path / "dossiers.sqlite3")}
    data["mqtt"] = {"url": broker.url_for("robot"), "outbox": str(tmp_path / "outbox.sqlite3"),
                    "status_period_s": 3600}
    path = tmp_path / "robot.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def retained(broker: MosquittoBroker, topic: str) -> dict[str, Any]:
    """The retained message of a topic, as a newcomer reads it."""
    got: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    link = MqttLink(BrokerSettings.from_url(broker.url_for("monitor")), f"reader-{os.getpid()}-{time.monotonic_ns()}")
    link.subscribe(topic, lambda _topic, payload: got.put(payload))
    link.start()
    try:
        data: dict[str, Any] = json.loads(got.get(timeout=5))
    finally:
        link.stop()
    return data


def stamp(message: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(message["ts"]))


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_letan_run_cleanly(mosquitto: MosquittoBroker, tmp_path: Path, signum: int) -> None:
    config = centre_file(tmp_path, mosquitto)
    centre = load_centre(config, load_catalogue_checked())
    with Recorder(mosquitto, f"{SITE}/#", client_id=f"recorder-{signum}") as recorder:
        robot = subprocess.Popen(
            [sys.executable, "-m", "letan", "run", "--config", str(config)], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "COLUMNS": "200", "LETAN_STATE_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"},
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(robot.stdout or []), daemon=True)
        reader.start()
        try:
            wait_until(lambda: any("letan running" in line for line in lines), "letan run to start", 60)
            online = wait_until(lambda: next((m for m in recorder.unique if m.get("state") == "online"
                                              and m["_topic"] == f"{SITE}/robot-1/availability"), None),
                                "the robot online", 5)
            # A ticket issued in the queue database the robot follows, just before the signal.
            engine = QueueEngine(centre, centre.queue_db_path(), FixedClock(datetime(2026, 3, 2, 9, 0,
                                                                                    tzinfo=centre.site.tz)))
            ticket = engine.issue("chung_thuc").ticket.number
            engine.close()
            signalled = datetime.now(UTC)
            robot.send_signal(signum)
            code = robot.wait(timeout=10)
        finally:
            if robot.poll() is None:
                robot.kill()
                robot.wait()
        took = datetime.now(UTC) - signalled
        reader.join(timeout=5)
        assert code == 0, "".join(lines)
        assert took < timedelta(seconds=5), took
        issued = wait_until(lambda: [m for m in recorder.unique if m["_topic"] == f"{SITE}/queue/ticket/issued"
                                     and m["ticket"] == ticket], "the ticket issued before the signal", 5)
        assert len(issued) == 1
    output = "".join(lines)
    assert "letan stopped." in output and "Traceback" not in output, output
    assert "  mqtt: ok (mqtt://robot@127.0.0.1" in output  # connected before it said so
    status = retained(mosquitto, f"{SITE}/robot-1/availability")
    assert status["state"] == "offline"
    # The robot's own goodbye, sent after the signal: the Last Will was stamped when the robot started.
    assert stamp(status) >= signalled - timedelta(milliseconds=1) > stamp(online)
    outbox = Outbox(centre.outbox_path())
    try:
        assert outbox.count() == 0, "events left unsent in the outbox"
    finally:
        outbox.close()
