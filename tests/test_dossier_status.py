"""Extraction of scanned payloads, every status sentence, overdue, name masking."""

from __future__ import annotations

from datetime import date

import pytest

from robot.dossier.extract import MAX_PAYLOAD_CHARS, DossierCode, OpenCpsKey, TicketScan, Unreadable, extract
from robot.dossier.privacy import mask_name, redact
from robot.dossier.status import STATUS_NAMES, DossierRecord, Status, describe, is_overdue, parse_status, status_name

CODE = "000.A0.01.H26-210212-9090"
TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (CODE, DossierCode(CODE, "code")),
        (f"  {CODE.lower()}\r\n", DossierCode(CODE, "code")),
        (f"https://dvc.hanoi.gov.vn/portaldvc/tra-cuu?SGT=001203004567&MHS={CODE}", DossierCode(CODE, "url")),
        (f"HTTPS://x.example/#/tra-cuu?mhs={CODE}&sgt=001203004567", DossierCode(CODE, "url")),
        ("D-a1B2c3D4-98765", OpenCpsKey("98765", "a1B2c3D4")),
    ],
)
def test_extract_recognised(payload: str, expected: object) -> None:
    assert extract(payload) == expected


def test_extract_ticket_reference() -> None:
    found = extract("LETAN-T:cua-nam:trung-tam:20261124:A012")
    assert isinstance(found, TicketScan) and found.ref.number == "A012"


@pytest.mark.parametrize(
    "payload",
    [
        "", "   ", "hello", "000.A0.01.H26-210212-909", f"{CODE}X", "https://evil.example/?SGT=001203004567",
        f"https://x/?MHS={CODE}x", "x" * (MAX_PAYLOAD_CHARS + 1), f"{CODE}\x00", f"Mã {CODE}",
        "javascript:alert(1)", "D--1", "LETAN-T:cua-nam:trung-tam:20261399:A012",
    ],
)
def test_extract_rejects(payload: str) -> None:
    assert isinstance(extract(payload), Unreadable)


def test_opencps_secret_not_in_repr() -> None:
    assert "a1B2c3D4" not in repr(extract("D-a1B2c3D4-98765"))


def record(status: Status, **kw: object) -> DossierRecord:
    fields: dict[str, object] = {"procedure": "Đăng ký thường trú", "applicant": "Nguyễn Văn An",
                                 "appointment": date(2026, 3, 20), "counter": 3}
    fields.update(kw)
    return DossierRecord(CODE, status, **fields)  # type: ignore[arg-type]


EXPECTED_NEXT = {
    Status.NEW: "chờ cán bộ kiểm tra",
    Status.RECEIVED: "Ngày hẹn trả kết quả là 20/03/2026",
    Status.REJECTED: "không được tiếp nhận",
    Status.PROCESSING: "Ngày hẹn trả kết quả là 20/03/2026",
    Status.NEEDS_DOCUMENTS: "cần bổ sung: bản sao sổ đỏ. Ông/bà vui lòng mang đến quầy số 3",
    Status.NEEDS_PAYMENT: "nộp tại quầy số 3",
    Status.WITHDRAWN: "nhận lại giấy tờ tại quầy số 3",
    Status.STOPPED: "dừng xử lý",
    Status.DONE: "đến quầy số 3 để nhận kết quả",
    Status.RETURNED: "Kết quả đã được trả",
}


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_a_sentence(status: Status) -> None:
    rec = record(status, requirements="bản sao sổ đỏ")
    text = describe(rec, TODAY)
    assert STATUS_NAMES[status] in text
    assert EXPECTED_NEXT[status] in text
    assert "Nguyễn V** A" in text and "Nguyễn Văn An" not in text
    assert status_name(rec, TODAY) == STATUS_NAMES[status]
    assert parse_status(str(int(status))) == status == parse_status(STATUS_NAMES[status])


def test_overdue_with_new_date_and_reason() -> None:
    rec = record(Status.PROCESSING, appointment=date(2026, 3, 1), new_appointment=date(2026, 3, 25),
                 delay_reason="cần xác minh thêm")
    assert is_overdue(rec, TODAY) and status_name(rec, TODAY) == "Quá hạn"
    text = describe(rec, TODAY)
    assert "quá ngày hẹn trả 01/03/2026" in text
    assert "phiếu xin lỗi và hẹn lại" in text
    assert "Ngày hẹn mới là 25/03/2026" in text and "Lý do: cần xác minh thêm." in text


def test_overdue_without_new_date_sends_to_the_counter() -> None:
    text = describe(record(Status.RECEIVED, appointment=date(2026, 3, 9), counter=None), TODAY)
    assert "phiếu xin lỗi" in text and "chưa được cập nhật" in text and "quầy tiếp nhận và trả kết quả" in text


def test_finished_or_waiting_on_citizen_is_not_overdue() -> None:
    for status in (Status.DONE, Status.RETURNED, Status.NEEDS_DOCUMENTS, Status.WITHDRAWN):
        assert not is_overdue(record(status, appointment=date(2026, 1, 1)), TODAY)
    assert not is_overdue(record(Status.PROCESSING, appointment=TODAY), TODAY)  # due today is not late


def test_parse_status_accents_optional_and_errors() -> None:
    assert parse_status("dang xu ly") == Status.PROCESSING
    assert parse_status(" Đã trả  kết quả ") == Status.RETURNED
    for bad in ("0", "11", "đang chờ"):
        with pytest.raises(ValueError):
            parse_status(bad)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Nguyễn Văn An", "Nguyễn V** A"), ("Trần Thị Minh Khai", "Trần T** M** K"), ("Lê Bình", "Lê B"),
     ("Hoa", "H**"), ("  ", "")],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_redact_hides_id_numbers() -> None:
    text = redact(f"https://x/?SGT=001203004567&MHS={CODE} cmnd 123456789")
    assert "001203004567" not in text and "123456789" not in text and CODE in text
