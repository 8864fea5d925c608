"""QR / barcode scanners: a camera with a software decoder, a serial (USB-CDC) handheld, a keyboard wedge.

Each scanner runs in its own thread, calls `on_scan(Scan)` once per code (the same text read
again within `debounce_s` is ignored) and reports its device state through `on_state(ScannerStatus)`.
A scanner that is unplugged goes to state "disconnected" and reopens its device by itself; no
error escapes the thread. Scanned texts are untrusted: this module never interprets them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TextIO

import numpy as np

from drivers.reconnect import keep_open

log = logging.getLogger(__name__)

DecoderName = Literal["zxing", "pyzbar", "opencv"]
DECODERS: tuple[DecoderName, ...] = ("zxing", "pyzbar", "opencv")
ScannerState = Literal["starting", "ready", "disconnected", "stopped"]
MAX_LINE_BYTES = 4096  # a serial "line" longer than this is garbage: dropped


@dataclass(frozen=True)
class Decoded:
    """One code found in an image. `format` is "qrcode", "code128", ... (lower case, no spaces)."""

    text: str
    format: str


@dataclass(frozen=True)
class Scan:
    """One code read by a scanner."""

    text: str
    format: str  # "qrcode", "code128", or "unknown" for handheld scanners that send only the text
    source: Literal["camera", "serial", "keyboard"]


@dataclass(frozen=True)
class ScannerStatus:
    state: ScannerState
    detail: str = ""  # English, for technicians


class ScannerError(Exception):
    """A scanner cannot be set up (unknown decoder, missing library...)."""


# ---------------------------------------------------------------------------------------------
# Decoders


class Decoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        """Codes found in a grayscale uint8 image."""


def _format_name(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


Symbology = Literal["qr", "code128"]
SYMBOLOGIES: tuple[Symbology, ...] = ("qr", "code128")


class ZxingDecoder:
    """zxing-cpp in passes, stopping at the first hit: QR with the local-average binarizer, QR with the
    global-histogram binarizer (large, blurred modules defeat the local one), QR on an unsharp-masked
    copy (small modules out of focus), then CODE128. A QR-only pass is several times faster than one
    pass looking for QR and 1D codes together, and most frames with a code are read by the first pass."""

    name = "zxing"

    def __init__(self, symbologies: tuple[Symbology, ...] = SYMBOLOGIES) -> None:
        import zxingcpp

        self._zx = zxingcpp
        local, histogram = zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram
        self._passes: list[tuple[Any, Any, bool]] = []  # formats, binarizer, sharpen first
        if "qr" in symbologies:
            qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            self._passes += [(qr, local, False), (qr, histogram, False), (qr, local, True)]
        if "code128" in symbologies:
            self._passes.append((zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128), local, False))

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        sharpened: np.ndarray | None = None
        for formats, binarizer, sharpen in self._passes:
            image = gray
            if sharpen:
                sharpened = unsharp(gray) if sharpened is None else sharpened
                image = sharpened
            found = self._zx.read_barcodes(image, formats=formats, binarizer=binarizer, try_invert=False)
            codes = [Decoded(b.text, _format_name(b.format.name)) for b in found if b.valid]
            if codes:
                return codes
        return []


class PyzbarDecoder:
    name = "pyzbar"

    def __init__(self, symbologies: tuple[Symbology, ...] = SYMBOLOGIES) -> None:
        try:
            from pyzbar import pyzbar
        except (ImportError, OSError) as exc:  # OSError: the libzbar0 shared library is missing
            raise ScannerError(f"pyzbar decoder unavailable ({exc}); install pyzbar and Debian libzbar0") from None
        self._pyzbar = pyzbar
        known = {"qr": pyzbar.ZBarSymbol.QRCODE, "code128": pyzbar.ZBarSymbol.CODE128}
        self._symbols = [known[s] for s in symbologies]

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        found = self._pyzbar.decode(gray, symbols=self._symbols)
        return [Decoded(r.data.decode("utf-8", errors="replace"), _format_name(r.type)) for r in found]


class OpenCvDecoder:
    """cv2.QRCodeDetector: QR codes only (OpenCV's barcode reader does not read CODE128)."""

    name = "opencv"

    def __init__(self, symbologies: tuple[Symbology, ...] = SYMBOLOGIES) -> None:
        import cv2

        self._detector = cv2.QRCodeDetector() if "qr" in symbologies else None

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        if self._detector is None:
            return []
        try:
            text, _points, _straight = self._detector.detectAndDecode(gray)
        except Exception as exc:  # OpenCV raises cv2.error on some degenerate detections
            log.debug("opencv decoder failed on a frame: %s", type(exc).__name__)
            return []
        return [Decoded(text, "qrcode")] if text else []


def make_decoder(name: str, symbologies: tuple[Symbology, ...] = SYMBOLOGIES) -> Decoder:
    """A decoder by name: "zxing" (default), "pyzbar" or "opencv"."""
    if name == "zxing":
        return ZxingDecoder(symbologies)
    if name == "pyzbar":
        return PyzbarDecoder(symbologies)
    if name == "opencv":
        return OpenCvDecoder(symbologies)
    raise ScannerError(f"unknown decoder {name!r}, expected one of {', '.join(DECODERS)}")


def to_gray(image: np.ndarray) -> np.ndarray:
    import cv2

    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def unsharp(gray: np.ndarray, sigma: float = 1.0, amount: float = 0.8) -> np.ndarray:
    """Unsharp mask: undoes part of a slight defocus blur."""
    import cv2

    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return np.asarray(cv2.addWeighted(gray, 1 + amount, blurred, -amount, 0), dtype=np.uint8)


def downscale(gray: np.ndarray, max_width: int) -> np.ndarray:
    import cv2

    height, width = gray.shape[:2]
    if width <= max_width:
        return gray
    scale = max_width / width
    return cv2.resize(gray, (max_width, max(1, round(height * scale))), interpolation=cv2.INTER_AREA)


# ---------------------------------------------------------------------------------------------
# Pure helpers: debounce, change detection, line splitting


class Debouncer:
    """Lets a text through once, then ignores it until `window_s` has passed without it."""

    def __init__(self, window_s: float):
        self.window_s = window_s
        self._last: dict[str, float] = {}

    def accept(self, text: str, now: float) -> bool:
        self._last = {t: seen for t, seen in self._last.items() if now - seen < self.window_s}
        fresh = text not in self._last
        self._last[text] = now  # seen again: the window restarts while the code stays in view
        return fresh


class ChangeGate:
    """Says whether a frame differs enough from the last decoded one to be worth decoding.

    Compares a 32x24 thumbnail (mean absolute difference in grey levels). A static scene with
    nobody in front of the camera is decoded once, then skipped until something moves.
    """

    def __init__(self, threshold: float = 3.0):
        self.threshold = threshold
        self._last: np.ndarray | None = None

    def changed(self, gray: np.ndarray) -> bool:
        import cv2

        thumb = cv2.resize(gray, (32, 24), interpolation=cv2.INTER_AREA).astype(np.int16)
        if self._last is not None and float(np.abs(thumb - self._last).mean()) < self.threshold:
            return False
        self._last = thumb
        return True

    def reset(self) -> None:
        self._last = None


class LineSplitter:
    """Splits a byte stream into lines ended by CR, LF or CRLF (empty lines dropped).

    pyserial's `readline()` waits for LF only, so a scanner configured with a CR suffix would
    block for the whole timeout: this splitter ends a line at either byte.
    """

    def __init__(self, max_bytes: int = MAX_LINE_BYTES):
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[str]:
        lines: list[str] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer and not self._overflow:
                    lines.append(self._buffer.decode("utf-8", errors="replace"))
                self._buffer.clear()
                self._overflow = False
            elif len(self._buffer) >= self.max_bytes:
                self._overflow = True  # drop the rest of this over-long line
            else:
                self._buffer.append(byte)
        return lines


# ---------------------------------------------------------------------------------------------
# Scanner threads


ScanHandler = Callable[[Scan], None]
StateHandler = Callable[[ScannerStatus], None]


class _ScannerThread:
    """Open the device, read codes, and on any failure report "disconnected" and reopen later."""

    source: Literal["camera", "serial", "keyboard"]

    def __init__(
        self, on_scan: ScanHandler, on_state: StateHandler | None, debounce_s: float, retry_s: float,
        monotonic: Callable[[], float],
    ):
        self._on_scan = on_scan
        self._on_state = on_state
        self._debouncer = Debouncer(debounce_s)
        self._retry_s = retry_s
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = ScannerStatus("stopped")

    @property
    def status(self) -> ScannerStatus:
        return self._status

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._set_state("starting")
        self._thread = threading.Thread(target=self._run, name=f"scanner-{self.source}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._set_state("stopped")

    def __enter__(self) -> _ScannerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _set_state(self, state: ScannerState, detail: str = "") -> None:
        status = ScannerStatus(state, detail)
        if status == self._status:
            return
        self._status = status
        log.info("%s scanner: %s%s", self.source, state, f" ({detail})" if detail else "")
        if self._on_state is not None:
            try:
                self._on_state(status)
            except Exception:
                log.exception("%s scanner: state handler failed", self.source)

    def _emit(self, text: str, fmt: str) -> None:
        if not text or not self._debouncer.accept(text, self._monotonic()):
            return
        try:
            self._on_scan(Scan(text, fmt, self.source))
        except Exception:
            log.exception("%s scanner: scan handler failed", self.source)

    def _run(self) -> None:
        keep_open(f"{self.source} scanner", self._stop, self._retry_s, self._open, self._read_until_stopped,
                  lambda _device: self._close(), self._set_state)

    def _read_until_stopped(self, _device: None) -> None:
        while not self._stop.is_set():
            for text, fmt in self._read():
                self._emit(text, fmt)

    def _open(self) -> None:
        raise NotImplementedError

    def _read(self) -> Iterable[tuple[str, str]]:
        """Block briefly; return the (text, format) pairs read. Raise when the device is gone."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class CameraScanner(_ScannerThread):
    """Frames from OpenCV `VideoCapture` (device index, file, image sequence or URL), decoded in software.

    CPU stays low while idle: frames are downscaled to `max_width`, a frame that has not changed
    since the last decoded one is skipped, and after `idle_after` skipped frames the loop slows
    to `idle_interval_s` between frames.
    """

    source = "camera"

    def __init__(
        self, device: str | int, on_scan: ScanHandler, on_state: StateHandler | None = None, *,
        decoder: str = "zxing", debounce_s: float = 3.0, retry_s: float = 2.0, max_width: int = 1280,
        frame_interval_s: float = 0.05, idle_interval_s: float = 0.25, idle_after: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        super().__init__(on_scan, on_state, debounce_s, retry_s, monotonic)
        self.device = int(device) if isinstance(device, str) and device.isdigit() else device
        self.decoder = make_decoder(decoder)
        self.max_width = max_width
        self.frame_interval_s = frame_interval_s
        self.idle_interval_s = idle_interval_s
        self.idle_after = idle_after
        self._gate = ChangeGate()
        self._capture: Any = None
        self._unchanged = 0
        self.frames_read = 0
        self.frames_decoded = 0

    def process(self, frame: np.ndarray) -> list[Decoded]:
        """Decode one frame unless it is unchanged since the last decoded one (then [])."""
        self.frames_read += 1
        gray = downscale(to_gray(frame), self.max_width)
        if not self._gate.changed(gray):
            self._unchanged += 1
            return []
        self._unchanged = 0
        self.frames_decoded += 1
        return self.decoder.decode(gray)

    def feed(self, frame: np.ndarray) -> None:
        """A frame from a camera read by someone else (`drivers.camera.CameraFeed` shared with presence):
        decoded like the scanner's own frames, each code passed to `on_scan` once (debounced)."""
        for found in self.process(frame):
            self._emit(found.text, found.format)

    def _open(self) -> None:
        import cv2

        capture = cv2.VideoCapture(self.device)
        if not capture.isOpened():
            capture.release()
            raise OSError(f"cannot open camera {self.device!r}")
        self._capture = capture
        self._gate.reset()

    def _read(self) -> Iterable[tuple[str, str]]:
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise OSError(f"camera {self.device!r} gives no frames (unplugged or end of stream)")
        found = [(d.text, d.format) for d in self.process(frame)]
        idle = self._unchanged >= self.idle_after
        self._stop.wait(self.idle_interval_s if idle else self.frame_interval_s)
        return found

    def _close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class SerialScanner(_ScannerThread):
    """A handheld scanner on a serial / USB-CDC port sending text ended by CR, LF or CRLF."""

    source = "serial"

    def __init__(
        self, port: str, on_scan: ScanHandler, on_state: StateHandler | None = None, *, baudrate: int = 9600,
        debounce_s: float = 3.0, retry_s: float = 1.0, monotonic: Callable[[], float] = time.monotonic,
    ):
        super().__init__(on_scan, on_state, debounce_s, retry_s, monotonic)
        self.port = port
        self.baudrate = baudrate
        self._serial: Any = None
        self._splitter = LineSplitter()

    def _open(self) -> None:
        import serial

        self._serial = serial.Serial(self.port, self.baudrate, timeout=0.1)
        self._splitter = LineSplitter()

    def _read(self) -> Iterable[tuple[str, str]]:
        data = self._serial.read(max(1, self._serial.in_waiting))
        return [(line.strip(), "unknown") for line in self._splitter.feed(data)]

    def _close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None


class KeyboardScanner(_ScannerThread):
    """A keyboard-wedge scanner: it "types" each code followed by Enter into a text stream.

    `opener` returns the stream (for example `lambda: open("/dev/ttyS1")`, a FIFO, or stdin);
    the end of the stream counts as the device going away, and it is reopened.
    """

    source = "keyboard"

    def __init__(
        self, opener: Callable[[], TextIO], on_scan: ScanHandler, on_state: StateHandler | None = None, *,
        debounce_s: float = 3.0, retry_s: float = 1.0, monotonic: Callable[[], float] = time.monotonic,
    ):
        super().__init__(on_scan, on_state, debounce_s, retry_s, monotonic)
        self._opener = opener
        self._stream: TextIO | None = None
        self._overflow = False

    def _open(self) -> None:
        self._stream = self._opener()
        self._overflow = False

    def _read(self) -> Iterable[tuple[str, str]]:
        assert self._stream is not None
        line = self._stream.readline(MAX_LINE_BYTES + 1)
        if line == "":
            raise EOFError("keyboard input closed")
        ended = line.endswith(("\n", "\r"))
        if self._overflow or not ended:  # an over-long line: drop it up to its end
            self._overflow = not ended
            return []
        text = line.strip("\r\n").strip()
        return [(text, "unknown")] if text else []

    def _close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
