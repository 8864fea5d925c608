"""The application's alert kinds, and the staff alert (robot.alert on MQTT) each one becomes.

`staff_alert` is a match over every `AlertKind` ending in `assert_never`: a kind added without deciding
what staff see is a mypy error (and tests/test_parts.py calls it for every member)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, assert_never

from robot.mqtt.messages import AlertKind as StaffAlertKind

Severity = Literal["info", "warning", "critical"]


class AlertKind(StrEnum):
    """What went wrong, as the feed's alert activities name it (`data["kind"]`)."""

    # the ticket printer (drivers.printer.PrinterStatus.problem, robot.ticket_desk.TicketDesk)
    PRINTER_PAPER_OUT = "printer_paper_out"
    PRINTER_PAPER_NEAR_END = "printer_paper_near_end"
    PRINTER_OFFLINE = "printer_offline"
    PRINTER_COVER_OPEN = "printer_cover_open"
    PRINTER_UNREACHABLE = "printer_unreachable"
    PRINTER_STATUS_UNKNOWN = "printer_status_unknown"
    PRINTER_FONT_MISSING = "printer_font_missing"
    PRINTER_MISSING = "printer_missing"
    # while serving
    NAVIGATION_ABORTED = "navigation_aborted"
    NAVIGATION_STUCK = "navigation_stuck"
    LOW_STOCK = "low_stock"
    BATTERY_LOW = "battery_low"
    HELP_REQUESTED = "help_requested"
    SPEAKER = "speaker"  # a sentence could not be played
    # a part that could not start or stopped working (named as in Application.parts())
    CPU = "cpu"
    VOICE = "voice"
    LISTENING = "listening"
    MICROPHONE = "microphone"
    QUEUE = "queue"
    MQTT = "mqtt"
    PRINTER = "printer"
    DOSSIERS = "dossiers"
    NAVIGATION = "navigation"
    DIALOG = "dialog"
    SCANNER = "scanner"
    CAMERA = "camera"
    CAMERA_CODES = "camera codes"
    PRESENCE = "presence"
    SCREEN = "screen"


StaffAlert = tuple[StaffAlertKind, Severity]


def staff_alert(kind: AlertKind) -> StaffAlert | None:
    """The robot.alert kind and severity staff get for `kind`; None where a deliberate choice says none."""
    match kind:
        case AlertKind.PRINTER_PAPER_OUT:
            return "paper_out", "critical"
        case AlertKind.PRINTER_PAPER_NEAR_END:
            return "paper_near_end", "warning"
        case AlertKind.PRINTER_OFFLINE | AlertKind.PRINTER_COVER_OPEN | AlertKind.PRINTER_UNREACHABLE:
            return "printer_offline", "critical"
        case AlertKind.PRINTER_STATUS_UNKNOWN:
            return "printer_offline", "warning"
        case AlertKind.PRINTER_FONT_MISSING:
            return "error", "critical"
        case AlertKind.PRINTER_MISSING:
            return None  # the centre file has no printer on purpose (the printer part: "ok (none configured)")
        case AlertKind.NAVIGATION_ABORTED:
            return "navigation_aborted", "warning"
        case AlertKind.NAVIGATION_STUCK:
            return "navigation_stuck", "critical"
        case AlertKind.LOW_STOCK:
            return "low_stock", "warning"
        case AlertKind.BATTERY_LOW:
            return "battery_low", "warning"
        case AlertKind.HELP_REQUESTED:
            return None  # published by the session telemetry with the dialog's reason (robot/parts/sessions.py)
        case AlertKind.SCANNER:
            return "scanner_disconnected", "warning"
        case AlertKind.CAMERA:
            return "camera_disconnected", "warning"
        case AlertKind.PRINTER:
            return "printer_offline", "critical"
        case AlertKind.QUEUE | AlertKind.DIALOG:
            return "error", "critical"  # no tickets / no conversation
        case (AlertKind.VOICE | AlertKind.SPEAKER | AlertKind.LISTENING | AlertKind.MICROPHONE | AlertKind.MQTT
              | AlertKind.DOSSIERS | AlertKind.NAVIGATION | AlertKind.CAMERA_CODES | AlertKind.PRESENCE
              | AlertKind.SCREEN):
            return "error", "warning"
        case AlertKind.CPU:
            return "error", "info"  # the robot works; its threads are only not pinned
        case _:
            assert_never(kind)


# Printer problems a periodic check raises (TicketDesk raises them when a ticket does not print).
PRINTER_CHECK_ALERTS = frozenset({AlertKind.PRINTER_PAPER_OUT, AlertKind.PRINTER_PAPER_NEAR_END,
                                  AlertKind.PRINTER_OFFLINE, AlertKind.PRINTER_COVER_OPEN})
