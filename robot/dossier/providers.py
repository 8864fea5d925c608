"""Where dossier statuses come from: one interface, and the field format shared by CSV exports and JSON.

Fields (the one-stop system's export names): ma_ho_so, trang_thai (1..10 or the status name),
ten_thu_tuc, nguoi_nop, ngay_tiep_nhan, ngay_hen_tra, ngay_hen_lai, ly_do_tre, quay, yeu_cau,
opencps_id, opencps_secret. Dates are DD/MM/YYYY or YYYY-MM-DD. Any other field (the citizen's ID
number, phone, address...) is ignored and never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from robot.dossier.extract import is_dossier_code
from robot.dossier.status import DossierRecord, parse_status

FIELDS = (
    "ma_ho_so", "trang_thai", "ten_thu_tuc", "nguoi_nop", "ngay_tiep_nhan", "ngay_hen_tra", "ngay_hen_lai",
    "ly_do_tre", "quay", "yeu_cau", "opencps_id", "opencps_secret",
)
MAX_TEXT = 300


class ProviderError(Exception):
    """The status source did not give a usable answer (English, for technicians)."""


class ProviderUnavailable(ProviderError):
    """The status source is switched off for now (circuit open)."""


class DossierProvider(Protocol):
    def by_code(self, code: str) -> DossierRecord | None:
        """The dossier with this code, None when unknown; ProviderError when the source fails."""

    def by_opencps(self, dossier_id: str, secret: str) -> DossierRecord | None:
        """The dossier with this OpenCPS id, only when the secret matches; None otherwise."""


def secret_digest(secret: str) -> str:
    """OpenCPS secrets are stored only as a SHA-256 digest."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if len(text) > MAX_TEXT:
        raise ValueError(f"{key}: longer than {MAX_TEXT} characters")
    return text


def parse_day(value: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {value!r} is not DD/MM/YYYY or YYYY-MM-DD")


def _day(fields: Mapping[str, Any], key: str) -> date | None:
    text = _text(fields, key)
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None


def record_from_fields(fields: Mapping[str, Any]) -> DossierRecord:
    """A record from export/JSON fields; ValueError naming the field when something is wrong."""
    code = _text(fields, "ma_ho_so").upper()
    if not is_dossier_code(code):
        raise ValueError(f"ma_ho_so: {code[:40]!r} is not a dossier code like 000.A0.01.H26-210212-9090")
    raw_status = fields.get("trang_thai")
    if raw_status is None or str(raw_status).strip() == "":
        raise ValueError("trang_thai: missing")
    try:
        status = parse_status(raw_status if isinstance(raw_status, int) else str(raw_status))
    except ValueError as exc:
        raise ValueError(f"trang_thai: {exc}") from None
    counter_text = _text(fields, "quay")
    if counter_text and not (counter_text.isdigit() and 1 <= int(counter_text) <= 99):
        raise ValueError(f"quay: {counter_text!r} is not a counter number 1..99")
    return DossierRecord(
        code=code,
        status=status,
        procedure=_text(fields, "ten_thu_tuc"),
        applicant=_text(fields, "nguoi_nop"),
        received_on=_day(fields, "ngay_tiep_nhan"),
        appointment=_day(fields, "ngay_hen_tra"),
        new_appointment=_day(fields, "ngay_hen_lai"),
        delay_reason=_text(fields, "ly_do_tre"),
        counter=int(counter_text) if counter_text else None,
        requirements=_text(fields, "yeu_cau"),
    )
