"""The national public-service portal's dossier statuses, overdue, and what the robot says about them.

No I/O here: `describe()` turns a record and today's date into Vietnamese sentences, ready to speak.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from robot.dossier.privacy import mask_name


class Status(IntEnum):
    NEW = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    REJECTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    NEEDS_DOCUMENTS = 5  # Yêu cầu bổ sung giấy tờ
    NEEDS_PAYMENT = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


STATUS_NAMES: dict[Status, str] = {
    Status.NEW: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REJECTED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.NEEDS_DOCUMENTS: "Yêu cầu bổ sung giấy tờ",
    Status.NEEDS_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DONE: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}
OVERDUE_NAME = "Quá hạn"
# Statuses in which the centre still owes the citizen a result: these can become overdue.
IN_PROGRESS = frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().split())


_BY_NAME = {_fold(name): status for status, name in STATUS_NAMES.items()}


def parse_status(value: str | int) -> Status:
    """A status from its number (1..10) or its Vietnamese name (accents optional). ValueError otherwise."""
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if 1 <= number <= 10:
            return Status(number)
        raise ValueError(f"status number {number} is not in 1..10")
    status = _BY_NAME.get(_fold(value))
    if status is None:
        raise ValueError(f"unknown status {value!r}, expected 1..10 or a name such as 'Đang xử lý'")
    return status


@dataclass(frozen=True)
class DossierRecord:
    """One dossier as the one-stop system knows it. `applicant` is stored, but only shown masked."""

    code: str
    status: Status
    procedure: str = ""
    applicant: str = ""
    received_on: date | None = None
    appointment: date | None = None  # ngày hẹn trả
    new_appointment: date | None = None  # ngày hẹn lại, from the apology slip
    delay_reason: str = ""
    counter: int | None = None  # where to go for this dossier
    requirements: str = ""  # what to bring or pay (statuses 5 and 6), or the reason (3, 8)


def is_overdue(record: DossierRecord, today: date) -> bool:
    return record.status in IN_PROGRESS and record.appointment is not None and record.appointment < today


def status_name(record: DossierRecord, today: date) -> str:
    return OVERDUE_NAME if is_overdue(record, today) else STATUS_NAMES[record.status]


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _where(record: DossierRecord) -> str:
    return f"quầy số {record.counter}" if record.counter is not None else "quầy tiếp nhận và trả kết quả"


def _appointment(record: DossierRecord) -> str:
    return f"Ngày hẹn trả kết quả là {_day(record.appointment)}." if record.appointment else ""


def _overdue_note(record: DossierRecord) -> str:
    assert record.appointment is not None
    parts = [
        f"Hồ sơ đã quá ngày hẹn trả {_day(record.appointment)}. Trung tâm thành thật xin lỗi ông/bà;"
        " hồ sơ này được áp dụng phiếu xin lỗi và hẹn lại ngày trả kết quả.",
    ]
    if record.delay_reason:
        parts.append(f"Lý do: {record.delay_reason.rstrip('.')}.")
    if record.new_appointment:
        parts.append(f"Ngày hẹn mới là {_day(record.new_appointment)}.")
    else:
        parts.append(f"Ngày hẹn mới chưa được cập nhật; ông/bà vui lòng hỏi {_where(record)} để nhận phiếu.")
    return " ".join(parts)


def _next_step(record: DossierRecord) -> str:
    where = _where(record)
    need = record.requirements.rstrip(".")
    match record.status:
        case Status.NEW:
            return "Hồ sơ đang chờ cán bộ kiểm tra và tiếp nhận; ông/bà chưa cần làm gì thêm."
        case Status.RECEIVED | Status.PROCESSING:
            return f"Ông/bà chưa cần làm gì thêm. {_appointment(record)}".strip()
        case Status.REJECTED:
            reason = f" Lý do: {need}." if need else ""
            return f"Hồ sơ không được tiếp nhận.{reason} Ông/bà vui lòng đến {where} để được hướng dẫn."
        case Status.NEEDS_DOCUMENTS:
            bring = f"ông/bà cần bổ sung: {need}" if need else "ông/bà cần bổ sung giấy tờ"
            return f"Để tiếp tục, {bring}. Ông/bà vui lòng mang đến {where}."
        case Status.NEEDS_PAYMENT:
            pay = f": {need}" if need else ""
            return f"Ông/bà cần nộp phí, lệ phí hoặc nghĩa vụ tài chính{pay}. Ông/bà vui lòng nộp tại {where}."
        case Status.WITHDRAWN:
            return f"Hồ sơ đã được rút theo yêu cầu. Ông/bà có thể nhận lại giấy tờ tại {where}."
        case Status.STOPPED:
            reason = f" Lý do: {need}." if need else ""
            return f"Hồ sơ đã dừng xử lý.{reason} Ông/bà vui lòng đến {where} để được giải thích."
        case Status.DONE:
            return (f"Kết quả đã sẵn sàng. Ông/bà mang giấy biên nhận và giấy tờ tùy thân đến {where}"
                    " để nhận kết quả.")
        case Status.RETURNED:
            return f"Kết quả đã được trả. Nếu ông/bà chưa nhận được, vui lòng hỏi {where}."
    return ""


def describe(record: DossierRecord, today: date) -> str:
    """What the robot says about a dossier: status, appointment, what to do next, and the apology when late."""
    subject = f"hồ sơ {record.procedure}" if record.procedure else "hồ sơ"
    owner = f" của người nộp {mask_name(record.applicant)}" if record.applicant.strip() else ""
    if is_overdue(record, today):
        return f"Dạ, {subject}{owner} hiện {STATUS_NAMES[record.status].lower()}. {_overdue_note(record)}"
    return f"Dạ, {subject}{owner} có trạng thái: {STATUS_NAMES[record.status]}. {_next_step(record)}"
