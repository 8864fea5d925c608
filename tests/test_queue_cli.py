"""`letan queue ...` and `letan ticket render` in process (Typer's runner), with a real SQLite file."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from letan.cli import app
from robot.mqtt.messages import validate_payload
from robot.ticket_ref import parse_ticket_ref
from simulator.printer import SimulatedPrinter
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import Recorder

runner = CliRunner()


def letan(db: Path, at: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--config", str(CUA_NAM), "--db", str(db), "--at", at])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_staff_day_in_json(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    code, out, _ = letan(db, "2026-11-23T09:00", "queue", "issue", "--service", "chung_thuc", "--json")
    assert code == 0
    issued = json.loads(out)
    assert issued["ticket"] == "A001" and issued["status"] == "waiting"
    assert issued["issued_at"] == "2026-11-23T09:00:00.000+07:00" and issued["people_ahead"] == 0
    letan(db, "2026-11-23T09:01", "queue", "issue", "--service", "chung_thuc", "--priority")
    code, out, _ = letan(db, "2026-11-23T09:05", "queue", "call-next", "--counter", "2", "--json")
    assert code == 0 and json.loads(out)["ticket"] == "A001" and json.loads(out)["counter"] == 2
    assert letan(db, "2026-11-23T09:06", "queue", "recall", "--counter", "2")[0] == 0
    assert letan(db, "2026-11-23T09:07", "queue", "serve", "--counter", "2")[0] == 0
    code, out, _ = letan(db, "2026-11-23T09:17", "queue", "done", "--ticket", "A001", "--json")
    assert code == 0 and json.loads(out)["finished_at"] == "2026-11-23T09:17:00.000+07:00"
    assert letan(db, "2026-11-23T09:18", "queue", "call", "--ticket", "A002", "--counter", "1")[0] == 0
    assert letan(db, "2026-11-23T09:19", "queue", "transfer", "--ticket", "A002", "--service", "ho_tich")[0] == 0
    assert letan(db, "2026-11-23T09:19", "queue", "park", "--ticket", "A002")[0] == 0
    assert letan(db, "2026-11-23T09:20", "queue", "unpark", "--ticket", "A002")[0] == 0
    assert letan(db, "2026-11-23T09:21", "queue", "call-next", "--counter", "3")[0] == 0
    assert letan(db, "2026-11-23T09:25", "queue", "no-show", "--counter", "3")[0] == 0
    code, out, _ = letan(db, "2026-11-23T09:30", "queue", "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["at"] == "2026-11-23T09:30:00.000+07:00"
    counter3 = next(c for c in status["counters"] if c["counter"] == 3)
    assert counter3["last_called"] == "A002" and counter3["current"] is None
    code, out, _ = letan(db, "2026-11-24T08:30", "queue", "stats", "--date", "2026-11-23", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["day"] == "2026-11-23"
    assert stats["total"]["tickets"] == 2 and stats["total"]["served"] == 1 and stats["total"]["no_shows"] == 1
    assert stats["total"]["service_time"]["median_s"] == 600.0
    code, out, _ = letan(db, "2026-11-23T09:30", "queue", "events", "--after", "0")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == ["issued", "issued", "called", "recalled", "serving", "done", "called", "transferred",
                     "parked", "unparked", "called", "no_show"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("queue", "issue", "--service", "visa"), 2, "no service 'visa'"),
        (("queue", "call-next", "--counter", "99"), 2, "no counter 99"),
        (("queue", "done", "--ticket", "A777"), 1, "no ticket A777"),
        (("queue", "done"), 2, "either --ticket or --counter"),
        (("queue", "stats", "--date", "yesterday"), 2, "expected a date"),
    ],
)
def test_bad_input_gives_a_clear_message_and_exit_code(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str,
) -> None:
    got, out, err = letan(tmp_path / "q.sqlite3", "2026-11-23T09:00", *args)
    assert got == code and message in err and "Traceback" not in out + err


def test_closed_refusal_and_illegal_step(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    code, _, err = letan(db, "2026-11-23T18:00", "queue", "issue", "--service", "chung_thuc")
    assert code == 1 and "after cutoff" in err and "tám giờ sáng thứ Ba" in err
    letan(db, "2026-11-23T09:00", "queue", "issue", "--service", "chung_thuc")
    code, _, err = letan(db, "2026-11-23T09:00", "queue", "done", "--ticket", "A001")
    assert code == 1 and "cannot finish ticket A001: it is waiting" in err
    result = runner.invoke(app, ["queue", "status", "--config", str(CUA_NAM), "--db", str(db), "--at", "noon"])
    assert result.exit_code == 2 and "--at 'noon'" in result.stderr


def test_print_to_writes_the_bytes_a_printer_prints(tmp_path: Path) -> None:
    db, out = tmp_path / "q.sqlite3", tmp_path / "ticket.bin"
    code, _, _ = letan(db, "2026-11-23T09:00", "queue", "issue", "--service", "ho_tich", "--print-to", str(out))
    assert code == 0
    data = out.read_bytes()
    with SimulatedPrinter(tmp_path / "sim", port=0) as sim, socket.create_connection(("127.0.0.1", sim.port)) as s:
        s.sendall(data)
        (printed,) = sim.wait_for(1)
    assert printed.qr_payloads == ("LETAN-T:cua-nam:trung-tam:20261123:B001",)
    assert printed.size_bytes == len(data)
    # reprint of the same ticket gives the same bytes (same place in line)
    again = tmp_path / "again.bin"
    code, _, _ = letan(db, "2026-11-23T09:00", "queue", "reprint", "--ticket", "B001", "--print-to", str(again))
    assert code == 0 and again.read_bytes() == data


def test_ticket_render_png_has_a_readable_qr(tmp_path: Path) -> None:
    db, png = tmp_path / "q.sqlite3", tmp_path / "t.png"
    letan(db, "2026-11-23T09:00", "queue", "issue", "--service", "cu_tru", "--priority")
    code, out, _ = letan(db, "2026-11-23T09:01", "ticket", "render", "--ticket", "E001", "--out", str(png))
    assert code == 0 and "E001" in out
    image = Image.open(png)
    assert image.width == 576
    (barcode,) = zxingcpp.read_barcodes(image)
    ref = parse_ticket_ref(barcode.text)
    assert ref is not None and ref.number == "E001"


# ---------------------------------------------------------------------------------------------
# Publishing the queue events over MQTT (a real mosquitto)


def _centre_file(tmp_path: Path, url: str | None = None) -> Path:
    """cua-nam.yaml with the outbox (and optionally mqtt.url) in the test's folder."""
    import yaml

    data = yaml.safe_load(CUA_NAM.read_text(encoding="utf-8"))
    data["mqtt"] = {"url": url, "outbox": str(tmp_path / "outbox.sqlite3")}
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _queue(config: Path, db: Path, at: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--config", str(config), "--db", str(db), "--at", at])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_queue_commands_publish_their_events(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    config, db = _centre_file(tmp_path), tmp_path / "q.sqlite3"
    url = fresh_mosquitto.url_for("robot")
    with Recorder(fresh_mosquitto, "letan/v1/cua-nam/queue/#") as rec:
        code, _, err = _queue(config, db, "2026-11-23T09:00", "queue", "issue", "--service", "chung_thuc",
                              "--broker", url)
        assert code == 0, err
        issued = rec.arrived.get(timeout=5)
        code, _, err = _queue(config, db, "2026-11-23T09:05", "queue", "call-next", "--counter", "2", "--broker", url)
        assert code == 0, err
        got = rec.wait_unique(6, 5)  # issued + snapshot + the day's figures, called + snapshot + figures
    assert issued["_topic"] == "letan/v1/cua-nam/queue/ticket/issued"
    validate_payload("queue.ticket.issued", {k: v for k, v in issued.items() if k != "_topic"})
    assert issued["ticket"] == "A001" and issued["service"] == "chung_thuc"
    assert issued["ts"] == "2026-11-23T09:00:00.000+07:00"
    kinds = [str(m["type"]) for m in got]
    assert kinds == ["queue.ticket.issued", "queue.snapshot", "queue.stats", "queue.ticket.called", "queue.snapshot",
                     "queue.stats"]
    assert got[3]["ticket"] == "A001" and got[3]["counter"] == 2
    assert got[4]["last_called"] == {"2": "A001"} and got[4]["waiting"] == 0
    assert got[5]["figures"]["total"]["tickets"] == 1


@pytest.mark.slow
def test_a_new_queue_database_publishes_its_own_events(fresh_mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """Issue 14: the outbox's cursor on the queue's event log belongs to one database. Events of a fresh,
    restored or moved database were taken as already published (exit 0, nothing sent)."""
    config, url = _centre_file(tmp_path), fresh_mosquitto.url_for("robot")
    with Recorder(fresh_mosquitto, "letan/v1/cua-nam/queue/ticket/#") as rec:
        for minute in range(3):
            code, _, err = _queue(config, tmp_path / "first.sqlite3", f"2026-11-23T09:0{minute}", "queue", "issue",
                                  "--service", "chung_thuc", "--broker", url)
            assert code == 0, err
        assert [m["ticket"] for m in rec.wait_unique(3, 5)] == ["A001", "A002", "A003"]
        code, _, err = _queue(config, tmp_path / "second.sqlite3", "2026-11-23T09:10", "queue", "issue",
                              "--service", "ho_tich", "--broker", url)
        assert code == 0, err
        fresh = rec.wait_unique(4, 5)[3]
        assert (fresh["ticket"], fresh["service"]) == ("B001", "ho_tich")
        code, _, err = _queue(config, tmp_path / "first.sqlite3", "2026-11-23T09:11", "queue", "issue",
                              "--service", "chung_thuc", "--broker", url)  # back to the first: on from where it was
        assert code == 0, err
        assert [m["ticket"] for m in rec.wait_unique(5, 5)][3:] == ["B001", "A004"]


@pytest.mark.slow
def test_queue_events_wait_in_the_outbox_while_the_broker_is_away(fresh_mosquitto: MosquittoBroker,
                                                                   tmp_path: Path) -> None:
    config, db = _centre_file(tmp_path, url=fresh_mosquitto.url_for("robot")), tmp_path / "q.sqlite3"
    with Recorder(fresh_mosquitto, "letan/v1/cua-nam/queue/ticket/#") as rec:
        fresh_mosquitto.stop()
        code, out, err = _queue(config, db, "2026-11-23T09:00", "queue", "issue", "--service", "chung_thuc")
        assert code == 0 and "A001" in out  # the ticket is issued all the same
        assert "kept in" in err and "outbox.sqlite3" in err and "Traceback" not in err
        fresh_mosquitto.start()
        code, _, err = _queue(config, db, "2026-11-23T09:01", "queue", "issue", "--service", "chung_thuc")
        assert code == 0 and err == ""
        got = rec.wait_unique(2, 10)
    assert [m["ticket"] for m in got] == ["A001", "A002"]  # the first one too, in order


@pytest.mark.slow
def test_a_bad_broker_url_changes_nothing(tmp_path: Path) -> None:
    config, db = _centre_file(tmp_path), tmp_path / "q.sqlite3"
    code, _, err = _queue(config, db, "2026-11-23T09:00", "queue", "issue", "--service", "chung_thuc",
                          "--broker", "http://example.org")
    assert code == 2 and "expected mqtt://" in err and "Traceback" not in err
    code, out, _ = _queue(config, db, "2026-11-23T09:00", "queue", "events")
    assert code == 0 and out == ""


@pytest.mark.slow
def test_a_database_restored_from_an_older_copy_publishes_its_new_events(fresh_mosquitto: MosquittoBroker,
                                                                         tmp_path: Path) -> None:
    """Issue 14: a restored copy has the same log id, and its new events reuse ids already published for other
    events. The cursor checks the event it points at, so they are published (not taken as already sent)."""
    import shutil

    config, db, url = _centre_file(tmp_path), tmp_path / "q.sqlite3", fresh_mosquitto.url_for("robot")
    with Recorder(fresh_mosquitto, "letan/v1/cua-nam/queue/ticket/#") as rec:
        for minute in (0, 1):
            assert _queue(config, db, f"2026-11-23T09:0{minute}", "queue", "issue", "--service", "chung_thuc",
                          "--broker", url)[0] == 0
        assert len(rec.wait_unique(2, 5)) == 2
        shutil.copy(db, tmp_path / "backup.sqlite3")  # the nightly copy
        assert _queue(config, db, "2026-11-23T09:02", "queue", "issue", "--service", "chung_thuc",
                      "--broker", url)[0] == 0
        assert len(rec.wait_unique(3, 5)) == 3
        shutil.copy(tmp_path / "backup.sqlite3", db)  # the disk died: the copy is put back
        code, out, err = _queue(config, db, "2026-11-23T09:30", "queue", "issue", "--service", "ho_tich",
                                "--broker", url)
        assert code == 0 and "B001" in out, err
        got = rec.wait_unique(4, 10)
    assert [(m["ticket"], m["ts"][11:16]) for m in got] == [
        ("A001", "09:00"), ("A002", "09:01"), ("A003", "09:02"), ("B001", "09:30")]
    assert got[3]["queue_event_id"] == got[2]["queue_event_id"]  # the same event id in the queue, another event


@pytest.mark.slow
def test_the_robot_and_queue_commands_publish_at_once_without_loss_or_copy(fresh_mosquitto: MosquittoBroker,
                                                                          tmp_path: Path) -> None:
    """The robot's bridge tails the queue database while `letan queue issue` processes write to it and publish
    through the same outbox: every event reaches the broker, each once (by event id)."""
    import subprocess
    import sys
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from robot.clock import SimClock
    from robot.config import load_centre
    from robot.mqtt.client import BrokerSettings, MqttLink
    from robot.mqtt.messages import Stamper
    from robot.mqtt.outbox import Outbox
    from robot.mqtt.publisher import OutboxPublisher
    from robot.mqtt.queue_bridge import QueueBridge
    from robot.queue import QueueEngine

    config, db, url = _centre_file(tmp_path), tmp_path / "q.sqlite3", fresh_mosquitto.url_for("robot")
    centre = load_centre(config)
    clock = SimClock(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    engine = QueueEngine(centre, db, clock)
    link = MqttLink(BrokerSettings.from_url(url), "robot-bridge", reconnect_max_s=1)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    bus = OutboxPublisher(link, outbox)
    bridge = QueueBridge(engine, bus, Stamper("cua-nam", "robot-1", clock))
    with Recorder(fresh_mosquitto, "letan/v1/cua-nam/queue/ticket/#") as rec:
        link.start()
        bus.start()
        bridge.start(interval_s=0.01)
        try:
            commands = [subprocess.Popen(
                [sys.executable, "-m", "letan", "queue", "issue", "--service", "chung_thuc", "--config", str(config),
                 "--db", str(db), "--at", f"2026-11-23T09:{10 + n:02d}", "--broker", url],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(4)]
            for _ in range(6):  # the robot issues too, meanwhile
                engine.issue("ho_tich")
            for command in commands:
                _out, err = command.communicate(timeout=120)
                assert command.returncode == 0, err.decode()
            got = rec.wait_unique(10, 20)
        finally:
            bridge.stop()
            bus.stop()
            link.stop()
            outbox.close()
            engine.close()
    assert sorted(m["ticket"] for m in got) == [*(f"A00{n}" for n in range(1, 5)), *(f"B00{n}" for n in range(1, 7))]
    assert len({m["queue_event_id"] for m in got}) == 10
