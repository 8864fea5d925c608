"""The QR scanner at devices.scanner and the camera at devices.camera: presence (someone steps up: greeted
once) and, when the camera is also the QR scanner (or devices.camera_reads_codes), the codes held up to it.
One capture, frames dropped; nobody's image or face is kept."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from drivers.camera import CameraFeed, CameraStatus
from drivers.presence import PersonDetector, PresenceError, PresenceTracker, PresenceWatcher
from drivers.scanner import CameraScanner, Scan, ScannerError, ScannerStatus
from robot.cpu import native_work
from robot.dossier.scanning import Scanner, open_scanner
from robot.parts.alerts import AlertKind
from robot.parts.context import DEVICE_WAIT_S, PartContext
from robot.parts.state import PartState

FrameConsumer = Callable[[np.ndarray], None]


def _on_every_cpu(consumer: FrameConsumer) -> FrameConsumer:
    """A camera consumer run with its thread on every CPU (OpenCV detection and decoding are native work)."""

    def consume(frame: np.ndarray) -> None:
        with native_work():
            consumer(frame)

    return consume


class Sensors:
    def __init__(self, ctx: PartContext, *, scanned: Callable[[str], None], presence: Callable[[str], None]):
        self.ctx = ctx
        self.scanned = scanned
        self.presence_edge = presence
        self.scanner: Scanner | CameraFeed | None = None  # the camera when it reads the codes
        self.scanner_ok: PartState | None = None  # the scanner's state once its link is up
        self.camera: CameraFeed | None = None
        self.presence: PresenceWatcher | None = None
        self._camera_uses = ""

    def camera_is_scanner(self) -> bool:
        """devices.scanner is the camera at devices.camera: one capture serves presence and QR codes."""
        devices = self.ctx.centre.devices
        return bool(devices.camera) and devices.scanner.kind == "camera" and devices.scanner.device in (
            None, devices.camera)

    def start_scanner(self) -> None:
        """The QR scanner at devices.scanner: each code read goes to the conversation."""
        ctx = self.ctx
        settings = ctx.centre.devices.scanner
        self.scanner = None
        self.scanner_ok = None
        if self.camera_is_scanner():
            return  # the camera part reads the codes from the frames it shares with presence
        try:
            scanner = open_scanner(settings, self._on_scan, self._on_scanner_state, monotonic=ctx.clock.monotonic)
        except (ValueError, ImportError) as exc:
            ctx.parts.report(AlertKind.SCANNER, PartState.unavailable(str(exc)))
            return
        if scanner is None:
            ctx.parts.report(AlertKind.SCANNER, PartState.ok("none configured"))
            return
        self.scanner = scanner
        self.scanner_ok = PartState.ok(f"{settings.kind} {settings.device or 'stdin'}")
        scanner.start()
        ctx.closers.append(scanner.stop)
        deadline = time.monotonic() + DEVICE_WAIT_S  # "ok" only once the port opened
        while scanner.status.state == "starting" and time.monotonic() < deadline:
            time.sleep(0.01)
        status = scanner.status
        if status.state == "ready":
            ctx.parts.set(AlertKind.SCANNER, self.scanner_ok)
        elif status.state == "disconnected":  # the scanner's own alert (scanner_disconnected) is raised already
            ctx.parts.set(AlertKind.SCANNER, PartState.degraded(f"{status.detail}; retrying"))
        else:
            ctx.parts.report(AlertKind.SCANNER, PartState.degraded(
                f"{settings.device} did not open within {DEVICE_WAIT_S:g} s; retrying"))

    def start_camera(self) -> None:
        ctx = self.ctx
        devices = ctx.centre.devices
        self.camera = None
        self.presence = None
        if not devices.camera:
            ctx.parts.report(AlertKind.CAMERA, PartState.ok("none configured: conversations start on touch or speech"))
            return
        consumers: list[FrameConsumer] = []
        uses: list[str] = []
        if devices.presence != "none":
            try:
                detector = PersonDetector(devices.presence)
            except PresenceError as exc:
                ctx.parts.report(AlertKind.PRESENCE, PartState.unavailable(str(exc)))
            else:
                # Frames arrive in real time: the tracker's debounce runs on the wall clock (its default).
                tracker = PresenceTracker(arrive_s=0.5, leave_s=devices.presence_leave_s)
                self.presence = PresenceWatcher(detector, tracker, self._on_presence)
                consumers.append(self.presence)
                uses.append(f"presence {devices.presence}")
        if self.camera_is_scanner() or devices.camera_reads_codes:
            settings = devices.scanner
            try:
                codes = CameraScanner(devices.camera, self._on_scan, decoder=settings.decoder,
                                      debounce_s=settings.debounce_s, max_width=settings.max_width,
                                      monotonic=ctx.clock.monotonic)
            except (ScannerError, ImportError) as exc:
                part = AlertKind.SCANNER if self.camera_is_scanner() else AlertKind.CAMERA_CODES
                ctx.parts.report(part, PartState.unavailable(str(exc)))
            else:
                consumers.append(codes.feed)
                uses.append("QR codes")
        if not consumers:
            ctx.parts.report(AlertKind.CAMERA,
                             PartState.ok(f"{devices.camera} configured, nothing uses it: presence none"))
            return
        self._camera_uses = ", ".join(uses)
        camera = self.camera = CameraFeed(devices.camera, [_on_every_cpu(c) for c in consumers], self._on_camera_state)
        if self.camera_is_scanner():
            self.scanner = camera  # its status is the scanner's
            ctx.parts.report(AlertKind.SCANNER, PartState.ok(f"camera {devices.camera}"))
        state = camera.start(wait_s=camera.timeout_s + 1)
        ctx.closers.append(camera.stop)
        if state.state != "ready":
            ctx.parts.report(AlertKind.CAMERA, PartState.degraded(
                f"{state.detail or state.state}; retrying; greeting starts on touch or speech meanwhile"))

    def _on_camera_state(self, status: CameraStatus) -> None:
        ctx = self.ctx
        if status.state == "ready":
            ctx.parts.set(AlertKind.CAMERA, PartState.ok(f"{ctx.centre.devices.camera}: {self._camera_uses}"))
            ctx.feed.emit("info", "camera ready")
            ctx.staff.resolve_alert("camera_disconnected")
        elif status.state == "disconnected" and ctx.parts.is_ok(AlertKind.CAMERA):
            ctx.parts.report(AlertKind.CAMERA, PartState.degraded(f"{status.detail}; retrying"))
        ctx.changed()

    def _on_presence(self, edge: str) -> None:
        """A presence edge from the camera: counts only (nobody's image or face is kept)."""
        self.presence_edge(edge)
        self.ctx.feed.emit("info", f"camera: somebody {'stepped up' if edge == 'arrived' else 'left'}", presence=edge)

    def _on_scan(self, scan: Scan) -> None:
        self.ctx.feed.emit("info", f"code read by the {scan.source} scanner ({scan.format})")
        self.scanned(scan.text)

    def _on_scanner_state(self, status: ScannerStatus) -> None:
        ctx = self.ctx
        if status.state == "disconnected":
            ctx.parts.set(AlertKind.SCANNER, PartState.degraded(f"{status.detail}; retrying"))
            ctx.feed.emit("alert", f"QR scanner disconnected: {status.detail}", kind=AlertKind.SCANNER.value,
                          reason=f"disconnected: {status.detail}"[:120])
        elif status.state == "ready":
            if self.scanner_ok is not None:
                ctx.parts.set(AlertKind.SCANNER, self.scanner_ok)
            ctx.feed.emit("info", "QR scanner ready")
            ctx.staff.resolve_alert("scanner_disconnected")
        ctx.changed()

    def link_states(self) -> tuple[str | None, str | None]:
        """The scanner's and the camera's driver states (ready, disconnected...), None when not running."""
        return (self.scanner.status.state if self.scanner is not None else None,
                self.camera.status.state if self.camera is not None else None)
