"""`letan doctor` probes the devices of a real profile: here the simulator's devices on their real channels
(ESC/POS printer on TCP, scanner, ZLAC8015D and MCU on ptys, MJPEG camera on HTTP) and the real mosquitto.
All present: every line green, exit 0. One unplugged, silent or not configured: that line red, exit 1."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from letan.cli.doctor import Check, run_checks
from robot.config import CentreConfig, load_catalogue_checked, parse_centre
from robot.navigation.navigator import FACING_HALL
from simulator.camera import SimulatedCamera
from simulator.motors import SimMcu, SimZlac8015d
from simulator.printer import SimulatedPrinter
from simulator.scanner import PtyScanner
from simulator.world import World
from tests.conftest import CUA_NAM
from tests.mosquitto import MosquittoBroker

CATALOGUE = load_catalogue_checked()
DEVICE_LINES = ("Ticket printer", "QR scanner", "Camera", "Drive motors", "Microcontroller", "MQTT broker")


@dataclass
class Rig:
    """The simulated devices of one robot, and the centre file (profile real) that names their addresses."""

    printer: SimulatedPrinter
    scanner: PtyScanner
    camera: SimulatedCamera
    zlac: SimZlac8015d
    mcu: SimMcu
    data: dict[str, Any]
    folder: Path

    def centre(self, change: Callable[[dict[str, Any]], None] | None = None) -> CentreConfig:
        data = yaml.safe_load(yaml.safe_dump(self.data))
        if change is not None:
            change(data)
        return parse_centre(data, CATALOGUE, "real.yaml")

    def write(self, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
        data = yaml.safe_load(yaml.safe_dump(self.data))
        if change is not None:
            change(data)
        path = self.folder / "real.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path


@pytest.fixture
def rig(tmp_path: Path, mosquitto: MosquittoBroker) -> Iterator[Rig]:
    data = yaml.safe_load(CUA_NAM.read_text(encoding="utf-8"))
    centre = parse_centre(data, CATALOGUE, str(CUA_NAM))
    fmap = centre.point().floor_map
    base = fmap.locations[centre.robot.base or fmap.first_of_kind("dock") or "entrance"]
    world = World(fmap, (base.x, base.y, FACING_HALL), start_time=datetime(2026, 3, 2, 8, 0, tzinfo=centre.site.tz))
    printer = SimulatedPrinter(tmp_path / "tickets", port=0).start()
    scanner = PtyScanner(tmp_path / "qr-scanner")
    camera = SimulatedCamera((1, 2, 3)).start()
    zlac = SimZlac8015d(world, tmp_path / "zlac8015d")
    mcu = SimMcu(world, tmp_path / "mcu", drives_wheels=False)
    data["devices"] = {
        "profile": "real",
        "printer": {"kind": "network", "host": printer.host, "port": printer.port},
        "scanner": {"kind": "serial", "device": scanner.path},
        "camera": camera.url,
        "drive": {"kind": "zlac8015d", "port": str(zlac.path)},
        "mcu": {"port": str(mcu.path)},
        "audio": {"output_dir": str(tmp_path / "audio")},
    }
    data["mqtt"] = {"url": mosquitto.url_for("robot"), "outbox": str(tmp_path / "outbox.sqlite3")}
    yield Rig(printer, scanner, camera, zlac, mcu, data, tmp_path)
    for stop in (printer.stop, scanner.close, camera.stop, zlac.close, mcu.close):
        stop()


def doctor(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "letan", "doctor", "--config", str(path)], capture_output=True,
                          text=True, timeout=60, env={"COLUMNS": "250", "PATH": "/usr/bin:/bin"})


def named(label: str, name: str) -> bool:
    """"Camera" is the camera probe, not "Camera (OpenCV)"; "Ticket printer" is "Ticket printer (network)"."""
    exact = name in ("Camera", "Microphone", "Loudspeaker", "MQTT broker")
    return label == name or (not exact and label.startswith(name + " ("))


def line(output: str, name: str) -> str:
    """The table row of a check: its cells are separated by the table's vertical rules."""
    rows = [text for text in output.splitlines() if any(named(cell.strip(), name) for cell in text.split("\u2502"))]
    assert len(rows) == 1, (name, output)
    return rows[0]


def by_name(checks: list[Check], name: str) -> Check:
    (found,) = [check for check in checks if named(check.name, name)]
    return found


@pytest.mark.slow
def test_every_device_answers_so_every_line_is_green(rig: Rig) -> None:
    started = time.monotonic()
    result = doctor(rig.write())
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "answers DLE EOT: online, paper ok" in line(out, "Ticket printer")
    assert "opens" in line(out, "QR scanner")
    assert "640x480 frame" in line(out, "Camera")
    assert "answers Modbus, no fault" in line(out, "Drive motors")
    assert "answers ping" in line(out, "Microcontroller")
    assert "accepts the login (CONNACK)" in line(out, "MQTT broker")
    for name in DEVICE_LINES:
        assert "OK" in line(out, name), name
    assert "robot-pass" not in out  # the broker's password is never printed
    assert time.monotonic() - started < 20


@pytest.mark.slow
def test_an_unplugged_printer_is_the_red_line(rig: Rig) -> None:
    rig.printer.stop()
    result = doctor(rig.write())
    assert result.returncode == 1
    red = line(result.stdout, "Ticket printer")
    assert "MISSING" in red and "Connection refused" in red and "check the printer's power" in red
    for name in DEVICE_LINES[1:]:
        assert "OK" in line(result.stdout, name), name


def unplug_scanner(rig: Rig) -> None:
    rig.scanner.unplug()


def silence_drive(rig: Rig) -> None:
    rig.zlac.host.silent = True  # powered off: the port is there, nothing answers


def silence_mcu(rig: Rig) -> None:
    rig.mcu.host.silent = True


def unplug_camera(rig: Rig) -> None:
    rig.camera.stop()


def printer_without_answers(rig: Rig) -> None:
    rig.printer.set_fault("no_answer")


def printer_out_of_paper(rig: Rig) -> None:
    rig.printer.set_fault("paper_out")


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "name", "detail"), [
    (unplug_scanner, "QR scanner", "cannot open"),
    (silence_drive, "Drive motors", "no Modbus answer"),
    (silence_mcu, "Microcontroller", "no answer to ping"),
    (unplug_camera, "Camera", "cannot open camera"),
    (printer_without_answers, "Ticket printer", "no answer to DLE EOT"),
    (printer_out_of_paper, "Ticket printer", "paper out"),
])
def test_a_device_that_does_not_answer_is_red_and_the_others_green(
    rig: Rig, fault: Callable[[Rig], None], name: str, detail: str,
) -> None:
    fault(rig)
    checks = run_checks(rig.centre())
    red = by_name(checks, name)
    assert not red.ok and red.required and detail in red.detail and red.fix, red
    for other in DEVICE_LINES:
        if other != name:
            assert by_name(checks, other).ok, by_name(checks, other)


def no_scanner_port(data: dict[str, Any]) -> None:
    data["devices"]["scanner"] = {"kind": "serial"}


def no_drive_port(data: dict[str, Any]) -> None:
    data["devices"]["drive"] = {"kind": "zlac8015d"}


def no_printer(data: dict[str, Any]) -> None:
    data["devices"]["printer"] = {"kind": "none"}


def mcu_drive_without_mcu(data: dict[str, Any]) -> None:
    data["devices"]["drive"] = {"kind": "mcu"}
    data["devices"]["mcu"] = {}


def wrong_broker_password(data: dict[str, Any]) -> None:
    data["mqtt"]["url"] = data["mqtt"]["url"].replace("robot-pass", "not-the-password")


def missing_speaker(data: dict[str, Any]) -> None:
    data["devices"]["audio"] = {"output": "no-such-loudspeaker"}


def missing_microphone(data: dict[str, Any]) -> None:
    data["devices"]["audio"]["input"] = "no-such-microphone"
    data["dialog"]["speech"] = {"engine": "vosk", "model_path": "models/vosk"}


@pytest.mark.slow
@pytest.mark.parametrize(("change", "name", "detail", "fix"), [
    (no_scanner_port, "QR scanner", "devices.scanner.device is not set", "ls /dev/serial/by-id"),
    (no_drive_port, "Drive motors", "devices.drive.port is not set", "devices.drive.port"),
    (no_printer, "Ticket printer", "no printer configured", "devices.printer"),
    (mcu_drive_without_mcu, "Drive motors", "devices.mcu.port is not set", "devices.mcu.port"),
    (wrong_broker_password, "MQTT broker", "refuses the login", "password"),
    (missing_speaker, "Loudspeaker", "no-such-loudspeaker", "devices.audio.output"),
    (missing_microphone, "Microphone", "no-such-microphone", "devices.audio.input"),
])
def test_a_required_device_not_configured_is_red_with_its_fix(
    rig: Rig, change: Callable[[dict[str, Any]], None], name: str, detail: str, fix: str,
) -> None:
    checks = run_checks(rig.centre(change))
    red = by_name(checks, name)
    assert not red.ok and red.required and detail in red.detail and fix in red.fix, red
    assert "not-the-password" not in red.detail
