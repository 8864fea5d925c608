"""TicketDesk: the dialog's QueueDesk on the queue engine and the ticket printer.

A ticket is committed before it is printed, so a printer failure never loses it: the result says
printed=False, staff get an alert through `on_alert(kind, detail)`, and the number is told to the
citizen by voice and screen by the dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PIL import Image

from dialogs.catalogue import Catalogue
from dialogs.ports import ProcedureRoute, TicketResult
from drivers.printer import EscposPrinter, PrinterError, PrinterTarget, TicketPrinter
from robot.config import CentreConfig, PrinterDevice
from robot.dossier.ticket_status import ticket_standing
from robot.queue import IssuedTicket, QueueEngine, QueueError, Ticket
from robot.ticket_print import TicketFontError, render_ticket, ticket_content, ticket_width, with_documents

log = logging.getLogger(__name__)

AlertCallback = Callable[[str, str], None]


def printer_target(device: PrinterDevice) -> PrinterTarget | None:
    """The driver's view of the configured printer (every field of `devices.printer` is one of the driver's
    PrinterTarget, by the same name); None when there is no printer (kind: none)."""
    if device.kind == "none":
        return None
    return PrinterTarget(**device.model_dump())


def printer_from_config(device: PrinterDevice) -> EscposPrinter | None:
    """Build the printer driver from `devices.printer` (it connects on first use)."""
    target = printer_target(device)
    return EscposPrinter(target) if target is not None else None


def _no_alert(kind: str, detail: str) -> None:
    log.warning("alert %s: %s", kind, detail)


class TicketDesk:
    """Implements dialogs.ports.QueueDesk for the robot's reception point."""

    def __init__(
        self, centre: CentreConfig, engine: QueueEngine, printer: TicketPrinter | None,
        catalogue: Catalogue | None = None, on_alert: AlertCallback = _no_alert, point_id: str | None = None,
    ):
        self.centre = centre
        self.engine = engine
        self.printer = printer
        self.catalogue = catalogue
        self.on_alert = on_alert
        self.point = centre.point(point_id)

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        """Issue and print; the ticket lists the papers of `procedure` when the dialog knows it."""
        try:
            issued = self.engine.issue(service_id, self.point.id, priority)
        except QueueError as error:
            return TicketResult(ok=False, refused_reason=error.citizen_message or "Xin lỗi, chưa lấy được số.")
        ticket = issued.ticket
        return TicketResult(
            ok=True, number=ticket.number, service_name=self.centre.service(ticket.service).name,
            counters=tuple(c.number for c in self.centre.counters_for_service(ticket.service, self.point.id)),
            people_ahead=issued.people_ahead, wait_minutes=issued.wait_minutes,
            printed=self.print_ticket(issued, procedure),
        )

    def standing(self, number: str) -> str | None:
        """Where today's ticket `number` of this point stands in line, as a scanned ticket is answered."""
        return ticket_standing(self.engine, number, self.point.id)

    def reprint(self, number: str) -> bool:
        """Print today's ticket `number` again (with its current place in line)."""
        position = self.engine.position(number, self.point.id)
        return self.print_ticket(IssuedTicket(position.ticket, position.people_ahead, position.wait_minutes))

    def print_ticket(self, issued: IssuedTicket, procedure: str | None = None) -> bool:
        """Render and print; on any problem alert staff and return False (the ticket stays issued)."""
        if self.printer is None:
            self.on_alert("printer_missing", f"no printer configured; ticket {issued.ticket.number} not printed")
            return False
        status = self.printer.status()
        if status.blocks_printing:
            kind = status.problem() or "printer_offline"
            self.on_alert(kind, f"ticket {issued.ticket.number} not printed: {status.detail or kind}")
            return False
        try:
            self.printer.print_raster(*self._image(issued.ticket, issued.people_ahead, issued.wait_minutes, procedure))
        except (PrinterError, TicketFontError) as error:
            kind = "printer_font_missing" if isinstance(error, TicketFontError) else "printer_unreachable"
            self.on_alert(kind, f"ticket {issued.ticket.number} not printed: {error}")
            return False
        if status.problem() == "printer_paper_near_end":
            self.on_alert("printer_paper_near_end", "paper is near its end: change the roll soon")
        return True

    def _image(self, ticket: Ticket, ahead: int, wait: int | None,
               procedure: str | None = None) -> tuple[Image.Image, str]:
        device = self.centre.devices.printer
        content = ticket_content(self.centre, ticket, ahead, wait)
        if procedure is not None and self.catalogue is not None and procedure in self.catalogue:
            content = with_documents(content, self.catalogue.get(procedure))
        image = render_ticket(content, ticket_width(device), include_qr=False)
        return image, content.qr_text

    def route(self, procedure_id: str) -> ProcedureRoute:
        service = self.centre.service_for_procedure(procedure_id)
        if service is not None:
            counters = tuple(c.number for c in self.centre.counters_for_service(service.id, self.point.id))
            referral = None
            if not counters:
                elsewhere = [p for p in self.centre.reception_points
                             if self.centre.counters_for_service(service.id, p.id)]
                if elsewhere:
                    referral = f"Thủ tục này được giải quyết tại {elsewhere[0].name}."
            return ProcedureRoute(handled_here=bool(counters), service_id=service.id, service_name=service.name,
                                  counters=counters, referral=referral)
        referral = self.centre.referrals.get(procedure_id)
        if referral is None and self.catalogue is not None and procedure_id in self.catalogue:
            referral = self.catalogue.get(procedure_id).referral
        return ProcedureRoute(
            handled_here=False,
            referral=referral or "Trung tâm không giải quyết thủ tục này; mời ông/bà hỏi bàn hướng dẫn.",
        )
