"""Tickets: the queue engine and the printer at devices.printer (a ticket is never lost to the printer), the
printer's part state from what it last said about itself, and the periodic check that raises a problem
before a citizen meets it."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from dialogs.ports import QueueDesk
from drivers.printer import PrinterError, PrinterStatus, TicketPrinter
from robot.parts.adapters import ConfigRoutes, FeedQueueDesk, NoQueue
from robot.parts.alerts import PRINTER_CHECK_ALERTS, AlertKind, staff_alert
from robot.parts.context import PartContext
from robot.parts.state import PartState
from robot.queue import QueueEngine
from robot.telemetry import printer_states
from robot.ticket_desk import TicketDesk, printer_from_config


class WatchedPrinter:
    """The ticket printer (drivers.printer.TicketPrinter), remembering what it last said about itself: the
    robot's status shows it without asking the printer again. `on_change` is called after each answer."""

    def __init__(self, printer: TicketPrinter, on_change: Callable[[], None]):
        self.printer = printer
        self.on_change = on_change
        self.last: PrinterStatus | None = None  # None until asked
        self.failed = False  # the last print could not reach the printer

    @property
    def problem(self) -> str | None:
        """The alert kind the printer's state means (as TicketDesk names them), None when fine or not asked."""
        if self.failed:
            return AlertKind.PRINTER_UNREACHABLE.value
        return self.last.problem() if self.last is not None else None

    def status(self) -> PrinterStatus:
        status = self.printer.status()
        self.last = status
        if status.online:
            self.failed = False
        self.on_change()
        return status

    def print_raster(self, image: Image.Image, qr_text: str | None, cut: bool = True) -> None:
        try:
            self.printer.print_raster(image, qr_text, cut)
        except PrinterError:
            self.failed = True
            self.on_change()
            raise
        if self.failed:
            self.failed = False
            self.on_change()

    def close(self) -> None:
        self.printer.close()


def printer_answered(status: PrinterStatus, kind: str) -> bool:
    """The printer said something about itself (DLE EOT: even "paper out"), not only "cannot connect"; a printer
    behind a device file cannot answer, it counts once the file opens."""
    if status.detail.startswith("cannot connect"):
        return False
    return kind == "file" or status.online is not None or status.paper != "unknown" or status.cover_open is not None


def _staff_kind(problem: str | None) -> str:
    mapped = staff_alert(AlertKind(problem)) if problem else None
    return mapped[0] if mapped is not None else ""


class PrinterPart:
    def __init__(self, ctx: PartContext, routes: ConfigRoutes):
        self.ctx = ctx
        self.routes = routes
        self.watch: WatchedPrinter | None = None
        self.ticket_desk: TicketDesk | None = None
        self._where = ""

    def start(self, engine: QueueEngine | None) -> QueueDesk:
        """The dialog's QueueDesk: tickets on the queue engine, printed; NoQueue when there is no engine."""
        ctx = self.ctx
        self.watch = None
        if engine is None:
            return NoQueue(self.routes, "queue engine not available")
        device = ctx.centre.devices.printer
        printer: TicketPrinter | None
        try:
            printer = printer_from_config(device)
        except Exception as exc:  # a bad printer setting must not stop the queue
            ctx.parts.report(AlertKind.PRINTER, PartState.unavailable(str(exc)))
            printer = None
        else:
            places = {"network": f"{device.host}:{device.port}", "serial": str(device.device),
                      "usb": f"{device.usb_vendor}:{device.usb_product}", "file": str(device.device)}
            self._where = f"{device.kind} {places.get(device.kind, '')}"
            if printer is None:
                ctx.parts.report(AlertKind.PRINTER, PartState.ok("none configured"))
        if printer is not None:
            self.watch = WatchedPrinter(printer, self._on_status)
            self.check()  # "ok" only once it answered DLE EOT; a problem it reports is raised at once
        self.ticket_desk = TicketDesk(ctx.centre, engine, self.watch, ctx.catalogue, on_alert=self.alert,
                                      point_id=ctx.centre.robot.point)
        return FeedQueueDesk(self.ticket_desk, ctx.feed)

    def alert(self, kind: str, detail: str) -> None:
        self.ctx.feed.emit("alert", f"{kind.replace('_', ' ')}: {detail}", kind=AlertKind(kind).value, reason=kind)

    def _on_status(self) -> None:
        """The printer answered (or failed): its part and the status show it; a status with printer and paper ok
        resolves the printer's alerts in robot.alerts (robot.mqtt.alerts.AlertBoard)."""
        watch = self.watch
        if watch is not None and watch.last is not None:
            status, problem = watch.last, (watch.last.problem() or "printer_ready")
            if printer_answered(status, self.ctx.centre.devices.printer.kind):
                state = PartState.ok(f"{self._where}; {problem.removeprefix('printer_').replace('_', ' ')}")
            else:
                state = PartState.degraded(
                    f"{self._where} does not answer ({' '.join(status.detail.split())}); "
                    "tickets are issued and told without paper until it does")
            self.ctx.parts.set(AlertKind.PRINTER, state)  # no part alert: the printer's own alerts say it
        self.ctx.changed()

    def check(self) -> None:
        """Periodic check: ask the printer how it is; a new problem is raised before a citizen meets it."""
        watch = self.watch
        if watch is None:
            return
        before = _staff_kind(watch.problem)
        status = watch.status()
        problem = status.problem()
        if problem is not None and AlertKind(problem) in PRINTER_CHECK_ALERTS and _staff_kind(problem) != before:
            self.alert(problem, f"periodic check: {status.detail or problem}")

    def states(self) -> tuple[str, str]:
        """robot.status's printer and paper fields."""
        state = self.ctx.parts.get(AlertKind.PRINTER)
        if state is not None and not state.is_ok:
            return "fault", "unknown"
        watch = self.watch
        return printer_states(watch is not None, watch.last if watch else None, watch.failed if watch else False)
