"""The camera scanner reading real image sequences through cv2.VideoCapture."""

from __future__ import annotations

import queue
import time
from pathlib import Path

import numpy as np
import pytest

from drivers.scanner import CameraScanner, ChangeGate, Debouncer, Scan, ScannerError, ScannerStatus, make_decoder
from simulator.qr_frames import empty_frame, make_frame, write_frames

CODE = "000.A0.01.H26-210212-9090"


def test_camera_scans_once_per_code_and_reports_end_of_stream(tmp_path: Path) -> None:
    frames = [empty_frame(640, 480, seed=1)] * 3
    frames += [make_frame(CODE, 640, 480, "easy", seed=s) for s in range(4)]  # held in view: one trigger
    frames += [make_frame("D-abcd1234-77", 640, 480, "easy", seed=9)]
    pattern = write_frames(tmp_path / "cam", frames)
    scans: queue.Queue[Scan] = queue.Queue()
    states: list[ScannerStatus] = []
    scanner = CameraScanner(pattern, scans.put, states.append, debounce_s=60, retry_s=30,
                            frame_interval_s=0.0, idle_interval_s=0.0)
    scanner.start()
    first, second = scans.get(timeout=10), scans.get(timeout=10)
    deadline = time.monotonic() + 10
    while scanner.status.state != "disconnected" and time.monotonic() < deadline:
        time.sleep(0.02)
    scanner.stop()
    assert (first.text, first.format, first.source) == (CODE, "qrcode", "camera")
    assert second.text == "D-abcd1234-77"
    assert scans.empty()
    assert "end of stream" in next(s for s in states if s.state == "disconnected").detail


def test_unchanged_frames_are_not_decoded() -> None:
    scanner = CameraScanner(0, lambda s: None, max_width=640)
    still = empty_frame(1280, 720, seed=2)
    for _ in range(10):
        scanner.process(still)
    assert (scanner.frames_read, scanner.frames_decoded) == (10, 1)
    found = scanner.process(make_frame(CODE, 1280, 720, "easy", seed=1))  # someone shows a receipt
    assert [d.text for d in found] == [CODE] and scanner.frames_decoded == 2


def test_missing_camera_is_a_state(tmp_path: Path) -> None:
    scanner = CameraScanner(str(tmp_path / "no-such-video.avi"), lambda s: None, retry_s=0.05)
    scanner.start()
    deadline = time.monotonic() + 5
    while scanner.status.state != "disconnected" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert scanner.status.state == "disconnected"
    scanner.stop()


def test_debouncer_window() -> None:
    debounce = Debouncer(3.0)
    assert debounce.accept("a", 0.0)
    assert not debounce.accept("a", 1.0)
    assert debounce.accept("b", 1.5)
    assert not debounce.accept("a", 3.5)  # still in view: the window restarted at 1.0
    assert debounce.accept("a", 7.0)


def test_change_gate_threshold() -> None:
    gate = ChangeGate(threshold=3.0)
    frame = np.full((480, 640), 100, np.uint8)
    assert gate.changed(frame)
    assert not gate.changed(frame + 1)
    assert gate.changed(frame + 20)


def test_unknown_decoder_is_a_clear_error() -> None:
    with pytest.raises(ScannerError, match="expected one of zxing, pyzbar, opencv"):
        make_decoder("tesseract")
