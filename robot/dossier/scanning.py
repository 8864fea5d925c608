"""The scanner named by the centre's device profile (devices.scanner), ready to start."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from drivers.scanner import CameraScanner, KeyboardScanner, ScanHandler, SerialScanner, StateHandler
from robot.config import ScannerDevice

Scanner = CameraScanner | SerialScanner | KeyboardScanner


def open_scanner(
    device: ScannerDevice, on_scan: ScanHandler, on_state: StateHandler | None = None, *,
    monotonic: Callable[[], float] = time.monotonic,
) -> Scanner | None:
    """A scanner for `devices.scanner` (not started), or None for kind "none". ValueError when misconfigured.

    camera: `device` is a V4L2 index ("0"), a video file, an image sequence pattern or a URL;
    serial: `device` is the port (/dev/ttyACM0, /dev/serial/by-id/...); keyboard: `device` is a text
    input to read lines from (default: standard input).
    """
    if device.kind == "none":
        return None
    if device.kind == "camera":
        return CameraScanner(device.device or "0", on_scan, on_state, decoder=device.decoder,
                             debounce_s=device.debounce_s, max_width=device.max_width, monotonic=monotonic)
    if device.kind == "serial":
        if not device.device:
            raise ValueError("devices.scanner.device must name the serial port, e.g. /dev/ttyACM0")
        return SerialScanner(device.device, on_scan, on_state, baudrate=device.baudrate, debounce_s=device.debounce_s,
                             monotonic=monotonic)
    path = device.device

    def opener() -> TextIO:
        if path is None or path == "-":
            return open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)
        return open(path, encoding="utf-8", errors="replace")

    return KeyboardScanner(opener, on_scan, on_state, debounce_s=device.debounce_s, monotonic=monotonic)
