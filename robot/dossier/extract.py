"""What a scanned payload names. Payloads are untrusted: they are checked, never opened as URLs.

Recognised, in this order:
- a letan ticket reference (`LETAN-T:...`, see robot/ticket_ref.py);
- an OpenCPS kiosk string `D-{secret}-{dossierId}`;
- a lookup URL (http/https) with an `MHS=` parameter holding a dossier code; every other
  parameter, notably `SGT=` (the citizen's ID number), is dropped here and never kept;
- a dossier code on its own (also what a CODE128 barcode of the code carries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from robot.ticket_ref import TicketRef, parse_ticket_ref

MAX_PAYLOAD_CHARS = 512
DOSSIER_CODE = re.compile(r"^\d{3}\.[0-9A-Z]{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
_OPENCPS = re.compile(r"^D-(?P<secret>[A-Za-z0-9]{4,64})-(?P<id>\d{1,12})$")
_URL_START = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class DossierCode:
    code: str
    via: str  # "code" (typed, or a barcode of the code) | "url"


@dataclass(frozen=True)
class OpenCpsKey:
    dossier_id: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class TicketScan:
    ref: TicketRef


@dataclass(frozen=True)
class Unreadable:
    reason: str  # English, for technicians; never quotes the payload


Extracted = DossierCode | OpenCpsKey | TicketScan | Unreadable


def is_dossier_code(text: str) -> bool:
    return DOSSIER_CODE.match(text) is not None


def _plain(text: str) -> bool:
    return all(32 <= ord(ch) < 127 for ch in text)


def _code_from_url(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    # Portals put the query in the fragment too (single-page apps): look in both.
    for part in (parts.query, parts.fragment.partition("?")[2] or parts.fragment):
        for key, value in parse_qsl(part, keep_blank_values=False):
            if key.upper() == "MHS":
                candidate = value.strip().upper()
                if is_dossier_code(candidate):
                    return candidate
    return None


def extract(payload: str) -> Extracted:
    """Classify a scanned or typed payload."""
    text = payload.strip()
    if not text:
        return Unreadable("empty payload")
    if len(text) > MAX_PAYLOAD_CHARS:
        return Unreadable(f"payload longer than {MAX_PAYLOAD_CHARS} characters")
    if not _plain(text):
        return Unreadable("payload has control or non-ASCII characters")
    ticket = parse_ticket_ref(text)
    if ticket is not None:
        return TicketScan(ticket)
    opencps = _OPENCPS.match(text)
    if opencps:
        return OpenCpsKey(opencps["id"], opencps["secret"])
    if _URL_START.match(text):
        code = _code_from_url(text)
        return DossierCode(code, "url") if code else Unreadable("URL without a valid MHS dossier code")
    if is_dossier_code(text.upper()):
        return DossierCode(text.upper(), "code")
    return Unreadable("not a dossier code, lookup URL, OpenCPS key or letan ticket")
