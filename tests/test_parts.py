"""robot/parts/ (issue 15): typed part states, every alert kind with a decided staff alert, a part that cannot
start seen by staff on a real broker, and one reader of the queue's event log for the announcer and the bridge."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import get_args

from robot.app import Activity, Application
from robot.clock import SimClock
from robot.config import load_catalogue_checked, load_centre
from robot.mqtt.messages import AlertKind as StaffAlertKind
from robot.parts.alerts import AlertKind, Severity, staff_alert
from robot.parts.state import Health, PartState
from robot.queue import QueueEngine
from tests.conftest import CUA_NAM, bare_centre
from tests.mosquitto import MosquittoBroker
from tests.mqtt_support import Recorder
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)


def test_part_states_read_as_they_always_did() -> None:
    assert str(PartState.ok()) == "ok"
    assert str(PartState.ok("none configured")) == "ok (none configured)"
    assert str(PartState.starting("microphone (default)")) == "starting (microphone (default))"
    assert str(PartState.unavailable("no model")) == "unavailable: no model"
    assert str(PartState.degraded("ttyACM0 unplugged; retrying")) == "unavailable: ttyACM0 unplugged; retrying"
    assert PartState.ok("x").is_ok and not PartState.degraded("x").is_ok and not PartState.starting("x").is_ok
    assert PartState.ok("none configured").device_absent and not PartState.ok("serial /dev/pts/3").device_absent
    for state in (PartState.ok(), PartState.ok("a (b)"), PartState.starting("microphone 2"),
                  PartState.unavailable("cannot open q.db: disk I/O error")):
        assert PartState.parse(str(state)) == state
    assert PartState.parse(str(PartState.degraded("gone"))).health is Health.UNAVAILABLE  # the text form is one


def test_every_alert_kind_has_a_decided_staff_alert() -> None:
    """A member with no case falls into assert_never (AssertionError here, a mypy error in CI)."""
    kinds, severities = set(get_args(StaffAlertKind)), set(get_args(Severity))
    for kind in AlertKind:
        mapped = staff_alert(kind)
        assert mapped is None or (mapped[0] in kinds and mapped[1] in severities), (kind, mapped)
    assert {k for k in AlertKind if staff_alert(k) is None} == {AlertKind.PRINTER_MISSING, AlertKind.HELP_REQUESTED}
    for part in ("queue", "dialog", "mqtt", "voice", "listening", "dossiers", "printer"):
        assert staff_alert(AlertKind(part)) is not None, part


def _mypy(module: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=skip", "--ignore-missing-imports", "--no-error-summary",
         "--cache-dir", str(module.parent / "cache"), str(module)],
        capture_output=True, text=True, cwd=module.parent, timeout=300)


def test_an_alert_kind_added_without_a_staff_alert_is_a_type_error(tmp_path: Path) -> None:
    source = (ROOT / "robot" / "parts" / "alerts.py").read_text(encoding="utf-8")
    as_is = tmp_path / "alerts_as_is.py"
    as_is.write_text(source, encoding="utf-8")
    assert _mypy(as_is).returncode == 0, _mypy(as_is).stdout
    added = tmp_path / "alerts_added.py"
    marker = '    SCREEN = "screen"\n'
    assert marker in source
    added.write_text(source.replace(marker, marker + '    FORGOTTEN = "forgotten"\n'), encoding="utf-8")
    checked = _mypy(added)
    assert checked.returncode == 1 and "assert_never" in checked.stdout, checked.stdout


def _with_broker(broker: MosquittoBroker, tmp_path: Path, **queue: str) -> Application:
    centre = bare_centre(CENTRE, tmp_path)
    centre = centre.model_copy(update={
        "mqtt": centre.mqtt.model_copy(update={"url": broker.url_for("robot")}),
        "queue": centre.queue.model_copy(update=queue),
    })
    return Application.from_config(centre, catalogue=CATALOGUE, clock=SimClock(MORNING))


def test_a_queue_that_cannot_start_is_an_alert_staff_see(mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """The queue part starts before the bus: its alert waits and is published once the bus is up."""
    (tmp_path / "a-file").write_text("not a folder")
    app = _with_broker(mosquitto, tmp_path, db=str(tmp_path / "a-file" / "q.sqlite3"))
    root = CENTRE.mqtt.topic_root
    with Recorder(mosquitto, f"{root}/cua-nam/robot-1/alert", client_id="parts-alert") as alerts, app:
        assert app.parts()["queue"].startswith("unavailable: cannot open"), app.parts()
        assert app.part_states()["queue"].health is Health.UNAVAILABLE
        wait_until(lambda: any(str(a["reason"]).startswith("queue: unavailable: cannot open") for a in alerts.unique),
                   "the queue's alert on the broker")
        alert = next(a for a in alerts.unique if str(a["reason"]).startswith("queue: "))
        assert (alert["kind"], alert["severity"]) == ("error", "critical")


def test_one_reader_feeds_the_announcer_and_the_bridge(mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """A call made by another program on the queue database (as `letan queue call-next` does) is said by the robot
    and published once, both from the application's one reader of the event log (no bridge thread of its own)."""
    app = _with_broker(mosquitto, tmp_path)
    seen: list[Activity] = []
    app.subscribe(seen.append)
    root = CENTRE.mqtt.topic_root
    with Recorder(mosquitto, f"{root}/cua-nam/queue/ticket/#", client_id="parts-queue") as tickets, app:
        threads = {t.name for t in threading.enumerate()}
        assert "queue-events" in threads and "letan-queue-bridge" not in threads, threads
        assert app.mqtt is not None and app.mqtt.bridge is not None and app.queue_events is not None
        assert app.mqtt.bridge in app.queue_events.consumers
        other = QueueEngine(app.centre, app.centre.queue_db_path(), SimClock(MORNING))
        try:
            number = other.issue("chung_thuc").ticket.number
            called = other.call_next(1)
        finally:
            other.close()
        assert called is not None and called.number == number
        wait_until(lambda: any(a.kind == "called" and a.data["ticket"] == number for a in seen), "the call said")
        wait_until(lambda: [str(t["type"]) for t in tickets.unique] == ["queue.ticket.issued", "queue.ticket.called"],
                   "the ticket's events on the broker")
        positions = {consumer.position() for consumer in app.queue_events.consumers}
        assert positions == {max(int(str(t["queue_event_id"])) for t in tickets.unique)}
    assert len([a for a in seen if a.kind == "called" and a.data["ticket"] == number]) == 1
