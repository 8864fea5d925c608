"""The reference printed as a QR code on letan's queue tickets, read back by the scanner.

Format: ``LETAN-T:{site}:{point}:{YYYYMMDD}:{number}``, e.g. ``LETAN-T:cua-nam:trung-tam:20261124:A012``.
It names a ticket without any personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PREFIX = "LETAN-T"
_PATTERN = re.compile(
    r"^LETAN-T:(?P<site>[a-z0-9][a-z0-9-]{0,39}):(?P<point>[a-z0-9][a-z0-9-]{0,39}):"
    r"(?P<day>\d{8}):(?P<number>[A-Z]\d{1,4})$"
)


@dataclass(frozen=True)
class TicketRef:
    site: str
    point: str
    day: date
    number: str

    def encode(self) -> str:
        return f"{PREFIX}:{self.site}:{self.point}:{self.day:%Y%m%d}:{self.number}"


def parse_ticket_ref(text: str) -> TicketRef | None:
    """The ticket named by a scanned text, or None when it is not a letan ticket reference."""
    match = _PATTERN.match(text.strip())
    if not match:
        return None
    try:
        day = date(int(match["day"][:4]), int(match["day"][4:6]), int(match["day"][6:]))
    except ValueError:
        return None
    return TicketRef(match["site"], match["point"], day, match["number"])
