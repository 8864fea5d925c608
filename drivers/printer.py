"""ESC/POS ticket printers through python-escpos: encoding, status (DLE EOT), reconnecting backends.

Knows nothing of queues or dialogs: it prints a 1-bit raster image (plus a QR code, natively
with GS ( k or as an image) and cuts. Backends: network (port 9100), serial, USB, file/device path.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from PIL import Image


def _capabilities_dir() -> Path:
    """python-escpos writes a capabilities pickle into a new temp folder on every import unless
    ESCPOS_CAPABILITIES_PICKLE_DIR names one; the folder must exist before the import."""
    configured = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = Path(configured) if configured else base / "letan" / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home (service user): one fixed folder per user in /tmp
        folder = Path(tempfile.gettempdir()) / f"letan-escpos-{os.getuid()}"
        folder.mkdir(parents=True, exist_ok=True)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    return folder


def _import_escpos() -> None:
    """Import python-escpos without its leaks: it evaluates `mkdtemp()` as the default of
    os.environ.get even when the variable is set, leaving an empty /tmp/tmpXXXX per process;
    during the import mkdtemp names the cache folder instead."""
    folder = str(_capabilities_dir())
    real_mkdtemp = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *args, **kwargs: folder  # type: ignore[assignment]
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        tempfile.mkdtemp = real_mkdtemp


_import_escpos()

from escpos import printer as escpos_printer  # noqa: E402  (after the pickle folder is set)
from escpos.capabilities import get_profile  # noqa: E402
from escpos.constants import QR_ECLEVEL_M  # noqa: E402
from escpos.escpos import Escpos  # noqa: E402

PaperState = Literal["ok", "near_end", "out", "unknown"]
BackendKind = Literal["network", "serial", "usb", "file"]

DLE_EOT = b"\x10\x04"
INIT = b"\x1b@"
CENTER = b"\x1ba\x01"
LEFT = b"\x1ba\x00"


class PrinterError(Exception):
    """Printing failed (unreachable, write error, bad configuration). English, for technicians."""


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer says about itself. None / "unknown" when it did not answer."""

    online: bool | None
    paper: PaperState
    cover_open: bool | None
    detail: str = ""

    @property
    def known(self) -> bool:
        return self.online is not None and self.paper != "unknown"

    def problem(self) -> str | None:
        """An alert kind for staff, or None when the printer reports it is fine."""
        if self.cover_open:
            return "printer_cover_open"
        if self.paper == "out":
            return "printer_paper_out"
        if self.online is False:
            return "printer_offline"
        if self.online is None or self.paper == "unknown":
            return "printer_status_unknown"
        if self.paper == "near_end":
            return "printer_paper_near_end"
        return None

    @property
    def blocks_printing(self) -> bool:
        """True when the printer said it cannot print now (unknown does not block: we try)."""
        return bool(self.cover_open) or self.paper == "out" or self.online is False


UNKNOWN = PrinterStatus(None, "unknown", None, "no answer")


class TicketPrinter(Protocol):
    def print_raster(self, image: Image.Image, qr_text: str | None, cut: bool = True) -> None:
        """Print a 1-bit image, then the QR code (if any), then cut. Raises PrinterError."""

    def status(self) -> PrinterStatus: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PrinterTarget:
    """Where and what the printer is (built from the centre config by robot.ticket_desk)."""

    kind: BackendKind
    host: str | None = None
    port: int = 9100
    device: str | None = None
    baudrate: int = 115200
    usb_vendor: int | None = None
    usb_product: int | None = None
    profile: str = "default"
    width_px: int = 576
    native_qr: bool = True
    timeout_s: float = 5.0
    status_timeout_s: float = 0.5

    def describe(self) -> str:
        if self.kind == "network":
            return f"network printer {self.host}:{self.port}"
        if self.kind == "usb":
            return f"USB printer {self.usb_vendor or 0:04x}:{self.usb_product or 0:04x}"
        return f"{self.kind} printer {self.device}"


# ---------------------------------------------------------------------------------------------
# Encoding


def profile_width(profile: str, width_px: int) -> int:
    """Dots per line: the profile's when it knows it, else the configured width."""
    try:
        pixels = get_profile(profile).profile_data["media"]["width"]["pixels"]
    except Exception as exc:
        raise PrinterError(f"unknown printer profile {profile!r}: {exc}") from None
    return int(pixels) if isinstance(pixels, int) else width_px


def _encoder(profile: str, width: int) -> escpos_printer.Dummy:
    dummy = escpos_printer.Dummy(profile=profile)
    data = dict(dummy.profile.profile_data)
    data["media"] = {**data.get("media", {}), "width": {"mm": "Unknown", "pixels": width}}
    dummy.profile.profile_data = data  # instance copy: no "width unknown" print, no shared state
    return dummy


def black_dots(image: Image.Image) -> np.ndarray:
    """A boolean array (rows x columns), True where the image is black."""
    return np.asarray(image.convert("L")) < 128


def blank_rows(image: Image.Image) -> list[bool]:
    """For each row of a 1-bit image: True when it has no black dot."""
    return _blank(black_dots(image))


def _blank(dots: np.ndarray) -> list[bool]:
    return [not row for row in np.asarray(dots.any(axis=1)).tolist()]


FRAGMENT_ROWS = 960  # as python-escpos: the printer's buffer takes raster images of this height at most


def raster_bits(dots: np.ndarray) -> bytes:
    """GS v 0 (normal density) commands for a block of dots, split in fragments like python-escpos
    `image(impl="bitImageRaster")` does, byte for byte; numpy packs the bits in one pass."""
    out = []
    for top in range(0, dots.shape[0], FRAGMENT_ROWS):
        part = np.packbits(dots[top:top + FRAGMENT_ROWS], axis=1)
        rows, width_bytes = part.shape
        out.append(b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little") + part.tobytes())
    return b"".join(out)


def blank_runs(rows: list[bool], min_rows: int = 8) -> list[tuple[int, int]]:
    """(start, end) of each run of at least `min_rows` blank rows: sent as paper feed, not as dots."""
    runs = []
    y = 0
    while y < len(rows):
        if rows[y]:
            start = y
            while y < len(rows) and rows[y]:
                y += 1
            if y - start >= min_rows:
                runs.append((start, y))
        else:
            y += 1
    return runs


def encode_ticket(
    image: Image.Image, qr_text: str | None, *, profile: str = "default", width_px: int = 576,
    native_qr: bool = True, cut: bool = True, qr_size: int = 8,
) -> bytes:
    """The exact ESC/POS byte stream for a ticket: init, raster bands (GS v 0) with blank runs sent
    as paper feeds (ESC J), the QR (GS ( k, or an image), feed and cut (GS V)."""
    width = profile_width(profile, width_px)
    if image.width > width:
        raise PrinterError(f"image is {image.width} dots wide but the printer takes {width}")
    out = _encoder(profile, width)
    out._raw(INIT)
    dots = black_dots(image)
    position = 0
    for start, end in blank_runs(_blank(dots)):
        if start > position:
            out._raw(raster_bits(dots[position:start]))
        for offset in range(0, end - start, 255):
            out._raw(b"\x1bJ" + bytes([min(255, end - start - offset)]))
        position = end
    if position < image.height:
        out._raw(raster_bits(dots[position:]))
    if qr_text:
        out._raw(CENTER)
        out.qr(qr_text, ec=QR_ECLEVEL_M, size=qr_size, native=native_qr, center=False)
        out._raw(LEFT)
    if cut:
        out.cut()
    return out.output


# ---------------------------------------------------------------------------------------------
# Status


def _valid(byte: int) -> bool:
    """Epson real-time status bytes have bits 1 and 4 set and bits 0 and 7 clear."""
    return byte & 0x93 == 0x12


def parse_status(printer: int | None, offline_cause: int | None, paper: int | None) -> PrinterStatus:
    """Decode the answers to DLE EOT 1, 2 and 4 (None = no answer)."""
    online = None if printer is None or not _valid(printer) else not printer & 0x08
    cover = None if offline_cause is None or not _valid(offline_cause) else bool(offline_cause & 0x04)
    state: PaperState = "unknown"
    if paper is not None and _valid(paper):
        state = "out" if paper & 0x60 else "near_end" if paper & 0x0C else "ok"
    if offline_cause is not None and _valid(offline_cause) and offline_cause & 0x20:
        state = "out"
    missing = [name for name, value in (("1", printer), ("2", offline_cause), ("4", paper)) if value is None]
    detail = f"no answer to DLE EOT {', '.join(missing)}" if missing else ""
    return PrinterStatus(online, state, cover, detail)


# ---------------------------------------------------------------------------------------------
# The printer


class EscposPrinter:
    """A TicketPrinter on python-escpos. Opens on first use; after any failure it drops the
    connection and opens it again on the next call (printer unplugged and plugged back)."""

    def __init__(self, target: PrinterTarget, opener: Callable[[PrinterTarget], Escpos] | None = None):
        self.target = target
        self.width = profile_width(target.profile, target.width_px)
        self._opener = opener or open_backend
        self._device: Escpos | None = None
        self._lock = threading.Lock()

    def encode(self, image: Image.Image, qr_text: str | None, cut: bool = True) -> bytes:
        return encode_ticket(image, qr_text, profile=self.target.profile, width_px=self.width,
                             native_qr=self.target.native_qr, cut=cut)

    def print_raster(self, image: Image.Image, qr_text: str | None, cut: bool = True) -> None:
        self.send(self.encode(image, qr_text, cut))

    def send(self, data: bytes) -> None:
        """Write bytes, reconnecting once if the connection was lost. Raises PrinterError."""
        with self._lock:
            last: Exception | None = None
            for _attempt in range(2):
                try:
                    device = self._connected()
                    device._raw(data)
                    flush = getattr(device, "flush", None)
                    if callable(flush):
                        flush()
                    return
                except Exception as exc:  # any backend failure: drop the connection and retry once
                    last = exc
                    self._drop()
            raise PrinterError(f"{self.target.describe()}: cannot print: {last}") from None

    def status(self) -> PrinterStatus:
        with self._lock:
            try:
                device = self._connected()
            except Exception as exc:
                self._drop()
                return PrinterStatus(False, "unknown", None, f"cannot connect: {exc}")
            answers: list[int | None] = []
            for n in (1, 2, 4):
                try:
                    answers.append(self._query(device, n))
                except NotImplementedError:
                    return PrinterStatus(None, "unknown", None, f"the {self.target.kind} backend cannot read status")
                except Exception:
                    self._drop()
                    return UNKNOWN
            return parse_status(*answers)

    def _query(self, device: Escpos, n: int) -> int | None:
        raw_device: Any = device.device
        if isinstance(raw_device, socket.socket):
            raw_device.settimeout(self.target.status_timeout_s)
        elif hasattr(raw_device, "timeout") and self.target.kind == "serial":
            raw_device.timeout = self.target.status_timeout_s
        try:
            answer = device.query_status(DLE_EOT + bytes([n]))
        except TimeoutError:
            return None
        finally:
            if isinstance(raw_device, socket.socket):
                raw_device.settimeout(self.target.timeout_s)
        if not answer:
            return None
        return answer[-1]

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connected(self) -> Escpos:
        if self._device is not None and not _alive(self._device):
            self._drop()
        if self._device is None:
            self._device = self._opener(self.target)
        return self._device

    def _drop(self) -> None:
        if self._device is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may fail; it is gone anyway
                self._device.close()
            self._device = None


def _alive(device: Escpos) -> bool:
    """False when a network printer closed the connection (unplugged, restarted); drops stale bytes."""
    raw: Any = device._device
    if not isinstance(raw, socket.socket):
        return True
    timeout = raw.gettimeout()
    raw.setblocking(False)  # with a timeout set, recv waits for data first even with MSG_DONTWAIT
    try:
        while True:
            data = raw.recv(4096)
            if not data:
                return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            raw.settimeout(timeout)


def open_backend(target: PrinterTarget) -> Escpos:
    """Open the python-escpos backend of a target (raises on failure)."""
    device: Escpos
    if target.kind == "network":
        if not target.host:
            raise PrinterError("network printer without a host")
        device = escpos_printer.Network(target.host, target.port, timeout=target.timeout_s, profile=target.profile)
    elif target.kind == "serial":
        if not target.device:
            raise PrinterError("serial printer without a device path")
        device = escpos_printer.Serial(target.device, baudrate=target.baudrate, timeout=target.timeout_s,
                                       dsrdtr=False, profile=target.profile)
    elif target.kind == "usb":
        if target.usb_vendor is None or target.usb_product is None:
            raise PrinterError("USB printer without usb_vendor and usb_product")
        device = escpos_printer.Usb(target.usb_vendor, target.usb_product, timeout=int(target.timeout_s * 1000),
                                    profile=target.profile)
    elif target.kind == "file":
        if not target.device:
            raise PrinterError("file printer without a path")
        device = escpos_printer.File(target.device, profile=target.profile)
    else:
        raise PrinterError(f"unknown printer kind {target.kind!r}")
    device.open()
    return device
