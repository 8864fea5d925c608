"""`letan run`'s part states are honest: a device is "ok" only once it answered (the application on the
simulator's devices over their real channels, and the real mosquitto)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from robot.app import Application
from robot.clock import SimClock, SystemClock
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from simulator.devices import free_port
from simulator.printer import SimulatedPrinter
from simulator.scanner import PtyScanner
from tests.conftest import CUA_NAM, bare_centre
from tests.mosquitto import MosquittoBroker

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)


def with_devices(centre: CentreConfig, *, printer_port: int, scanner: str, broker: str) -> CentreConfig:
    devices = centre.devices
    return centre.model_copy(update={
        "devices": devices.model_copy(update={
            "printer": devices.printer.model_copy(update={"kind": "network", "host": "127.0.0.1",
                                                          "port": printer_port}),
            "scanner": devices.scanner.model_copy(update={"kind": "serial", "device": scanner}),
        }),
        "mqtt": centre.mqtt.model_copy(update={"url": broker}),
    })


def parts_of(centre: CentreConfig, check: Any = None, clock: Any = None) -> dict[str, str]:
    app = Application.from_config(centre, catalogue=CATALOGUE, clock=clock or SimClock(MORNING))
    started = time.monotonic()
    with app:
        took = time.monotonic() - started
        if check is not None:
            check(app)
        parts = app.parts()
    assert took < 15, took
    return parts


@pytest.mark.slow
def test_devices_that_answer_are_ok(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    printer = SimulatedPrinter(tmp_path / "tickets", port=0).start()
    scanner = PtyScanner(tmp_path / "qr-scanner")
    try:
        assert printer.port
        centre = with_devices(bare_centre(CENTRE, tmp_path), printer_port=printer.port, scanner=scanner.path,
                              broker=mosquitto.url_for("robot"))
        parts = parts_of(centre)
    finally:
        printer.stop()
        scanner.close()
    assert parts["printer"] == f"ok (network 127.0.0.1:{printer.port}; ready)"
    assert parts["scanner"] == f"ok (serial {scanner.path})"
    assert parts["mqtt"] == f"ok (mqtt://robot@127.0.0.1:{mosquitto.port})"


@pytest.mark.slow
def test_devices_that_do_not_answer_are_unavailable(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    """Nothing on the printer's port, the scanner unplugged, the broker refusing the login: none is "ok", and
    the start does not hang on them."""
    scanner = PtyScanner(tmp_path / "qr-scanner")
    scanner.unplug()
    port = free_port()
    refused = mosquitto.url_for("robot").replace("robot-pass", "wrong-pass")
    centre = with_devices(bare_centre(CENTRE, tmp_path), printer_port=port, scanner=scanner.path, broker=refused)
    parts = parts_of(centre)
    assert parts["printer"].startswith(f"unavailable: network 127.0.0.1:{port} does not answer (cannot connect")
    assert parts["scanner"].startswith("unavailable: ") and "retrying" in parts["scanner"]
    assert parts["mqtt"].startswith(f"unavailable: mqtt://robot@127.0.0.1:{mosquitto.port}: the broker refused")
    assert "wrong-pass" not in parts["mqtt"]


@pytest.mark.slow
def test_a_printer_that_answers_later_becomes_ok(tmp_path: Path, mosquitto: MosquittoBroker) -> None:
    """The printer switched on after the robot: the next status check (the heartbeat, every
    mqtt.status_period_s) finds it, and the part says so."""
    port = free_port()
    scanner = PtyScanner(tmp_path / "qr-scanner")
    centre = with_devices(bare_centre(CENTRE, tmp_path), printer_port=port, scanner=scanner.path,
                          broker=mosquitto.url_for("robot"))
    centre = centre.model_copy(update={"mqtt": centre.mqtt.model_copy(update={"status_period_s": 0.2})})
    printer = SimulatedPrinter(tmp_path / "tickets", port=port)

    def switch_on(app: Application) -> None:
        assert app.parts()["printer"].startswith("unavailable")
        printer.set_fault("paper_out")
        printer.start()
        deadline = time.monotonic() + 10
        while not app.parts()["printer"].startswith("ok") and time.monotonic() < deadline:
            time.sleep(0.02)

    try:
        parts = parts_of(centre, switch_on, SystemClock(CENTRE.site.tz))
    finally:
        printer.stop()
        scanner.close()
    assert parts["printer"] == f"ok (network 127.0.0.1:{port}; paper out)"
