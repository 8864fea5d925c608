"""Serial and keyboard-wedge scanners against a real pty / pipe, with each line ending, unplug and replug."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from drivers.scanner import KeyboardScanner, LineSplitter, Scan, ScannerStatus, SerialScanner
from simulator.scanner import ENDINGS, PtyScanner
from tests.waiting import wait_until

CODE = "000.A0.01.H26-210212-9090"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[PtyScanner, SerialScanner, queue.Queue[Scan], list[ScannerStatus]]]:
    sim = PtyScanner(tmp_path / "ttyACM0", "\r")
    scans: queue.Queue[Scan] = queue.Queue()
    states: list[ScannerStatus] = []
    scanner = SerialScanner(sim.path, scans.put, states.append, debounce_s=2.0, retry_s=0.05)
    scanner.start()
    wait_until(lambda: scanner.status.state == "ready", "the scanner ready", 5)
    yield sim, scanner, scans, states
    scanner.stop()
    sim.close()


@pytest.mark.parametrize("ending", ["CR", "LF", "CRLF"])
def test_each_line_ending_gives_the_code_at_once(rig, ending: str) -> None:
    sim, _scanner, scans, _states = rig
    start = time.monotonic()
    sim.scan(CODE, ENDINGS[ending])
    scan = scans.get(timeout=2)
    assert (scan.text, scan.source) == (CODE, "serial")
    # The CR-only readline() trap would wait for the whole read timeout: here the line ends at the CR.
    assert time.monotonic() - start < 0.5
    sim.scan("second-code", ENDINGS[ending])
    assert scans.get(timeout=2).text == "second-code"
    assert scans.empty()  # CRLF does not produce an extra empty scan


def test_bytes_split_across_writes_and_crlf_across_chunks(rig) -> None:
    sim, _scanner, scans, _states = rig
    # Pauses between the writes so that the scanner reads them apart: the split is what is tested (the result
    # is waited for below; a shorter pause would only make the test weaker, never wrong).
    sim.send(CODE[:5].encode())
    time.sleep(0.15)
    sim.send(CODE[5:].encode() + b"\r")
    time.sleep(0.15)
    sim.send(b"\nnext\r\n")
    assert [scans.get(timeout=2).text, scans.get(timeout=2).text] == [CODE, "next"]


def test_same_code_within_debounce_triggers_once(rig) -> None:
    sim, _scanner, scans, _states = rig
    for _ in range(3):
        sim.scan(CODE)
    sim.scan("other")
    assert scans.get(timeout=2).text == CODE
    assert scans.get(timeout=2).text == "other"
    assert scans.empty()


def test_unplug_is_a_state_and_replug_reconnects(rig) -> None:
    sim, scanner, scans, states = rig
    sim.unplug()
    wait_until(lambda: scanner.status.state == "disconnected", "the scanner disconnected", 5)
    assert scanner.status.detail  # the reason, for technicians
    time.sleep(0.2)  # unplugged for a while (the elapsed time is the subject): failed reopens, still no crash
    sim.replug()
    wait_until(lambda: scanner.status.state == "ready", "the scanner ready", 5)
    sim.scan("after-replug", "\r\n")
    assert scans.get(timeout=2).text == "after-replug"
    assert [s.state for s in states][:3] == ["starting", "ready", "disconnected"]


def test_missing_port_at_start_is_reported_not_raised(tmp_path: Path) -> None:
    states: list[ScannerStatus] = []
    scanner = SerialScanner(str(tmp_path / "nothing"), lambda s: None, states.append, retry_s=0.05)
    scanner.start()
    wait_until(lambda: scanner.status.state == "disconnected", "the scanner disconnected", 5)
    scanner.stop()
    assert scanner.status.state == "stopped"


def test_a_failing_handler_does_not_stop_the_scanner(rig) -> None:
    sim, scanner, scans, _states = rig
    calls: list[str] = []

    def bad_handler(scan: Scan) -> None:
        calls.append(scan.text)
        raise RuntimeError("handler bug")

    scanner._on_scan = bad_handler
    sim.scan("one")
    wait_until(lambda: calls == ["one"], "the first code", 5)
    scanner._on_scan = scans.put
    sim.scan("two")
    assert scans.get(timeout=2).text == "two"
    assert scanner.status.state == "ready"


def test_line_splitter_drops_overlong_lines() -> None:
    splitter = LineSplitter(max_bytes=10)
    assert splitter.feed(b"x" * 50 + b"\rok\n") == ["ok"]
    assert splitter.feed(b"\r\n\r\n") == []
    assert splitter.feed(b"caf\xc3") == [] and splitter.feed(b"\xa9\r") == ["café"]


def test_keyboard_wedge_reads_lines_and_reopens_after_eof(tmp_path: Path) -> None:
    fifo = tmp_path / "wedge"
    os.mkfifo(fifo)
    scans: queue.Queue[Scan] = queue.Queue()

    def open_wedge() -> TextIO:
        return open(fifo, encoding="utf-8")

    scanner = KeyboardScanner(open_wedge, scans.put, debounce_s=0, retry_s=0.05)
    scanner.start()
    with open(fifo, "w", encoding="utf-8") as typist:  # opening blocks until the scanner opened it
        typist.write(CODE + "\n")
        typist.flush()
        assert scans.get(timeout=2) == Scan(CODE, "unknown", "keyboard")
    # The writer closed (EOF): the scanner reports it and opens the input again.
    wait_until(lambda: scanner.status.state == "disconnected", "the scanner disconnected", 5)
    with open(fifo, "w", encoding="utf-8") as typist:
        typist.write("x" * 10_000 + "\n")  # garbage longer than any code: dropped whole
        typist.write("D-abcd1234-42\r\n")
    assert scans.get(timeout=2).text == "D-abcd1234-42"
    scanner.stop()


def test_open_scanner_from_the_device_profile(tmp_path: Path) -> None:
    from robot.config import ScannerDevice
    from robot.dossier.scanning import open_scanner

    assert open_scanner(ScannerDevice(kind="none"), lambda s: None) is None
    with pytest.raises(ValueError, match="serial port"):
        open_scanner(ScannerDevice(kind="serial"), lambda s: None)
    with PtyScanner(tmp_path / "ttyACM9", "\r\n") as sim:
        scans: queue.Queue[Scan] = queue.Queue()
        scanner = open_scanner(ScannerDevice(kind="serial", device=sim.path), scans.put)
        assert isinstance(scanner, SerialScanner)
        scanner.start()
        wait_until(lambda: scanner.status.state == "ready", "the scanner ready", 5)
        sim.scan(CODE)
        assert scans.get(timeout=2).text == CODE
        scanner.stop()
