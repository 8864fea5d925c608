"""TicketDesk (the dialog's QueueDesk): issue + print through the simulated printer, faults, routes, glyphs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer import EscposPrinter, PrinterTarget
from robot.clock import FixedClock
from robot.config import PrinterDevice, load_catalogue_checked, load_centre
from robot.queue import QueueEngine, TicketStatus
from robot.ticket_desk import TicketDesk, printer_from_config, printer_target
from robot.ticket_print import TicketContent, TicketFontError, render_ticket, ticket_content, with_documents
from simulator.printer import SimulatedPrinter
from tests.conftest import PHU_DINH
from tests.test_queue_support import cua_nam, local


def test_every_printer_setting_reaches_the_driver() -> None:
    """devices.printer and the driver's PrinterTarget share their fields: each configured value arrives."""
    device = PrinterDevice(kind="usb", host="10.0.0.9", port=9101, device="/dev/usb/lp0", baudrate=38400,
                           usb_vendor=0x04B8, usb_product=0x0E15, profile="TM-T20II", width_px=512, native_qr=False)
    target = printer_target(device)
    assert target is not None
    assert {name: getattr(target, name) for name in PrinterDevice.model_fields} == device.model_dump()
    assert printer_target(PrinterDevice(kind="none")) is None


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatedPrinter]:
    printer = SimulatedPrinter(tmp_path / "out", port=0).start()
    yield printer
    printer.stop()


@pytest.fixture
def desk(tmp_path: Path, sim: SimulatedPrinter) -> Iterator[tuple[TicketDesk, list[tuple[str, str]]]]:
    centre = cua_nam()
    device = centre.devices.printer.model_copy(update={"port": sim.port})
    centre = centre.model_copy(update={"devices": centre.devices.model_copy(update={"printer": device})})
    engine = QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T10:00")))
    printer = printer_from_config(device)
    assert isinstance(printer, EscposPrinter)
    printer.target = PrinterTarget(**{**printer.target.__dict__, "status_timeout_s": 0.3})
    alerts: list[tuple[str, str]] = []
    yield TicketDesk(centre, engine, printer, load_catalogue_checked(), lambda k, d: alerts.append((k, d))), alerts
    printer.close()
    engine.close()


def test_issue_prints_a_ticket_the_robot_can_read_back(desk: tuple[TicketDesk, list], sim: SimulatedPrinter) -> None:
    ticket_desk, alerts = desk
    first = ticket_desk.issue("ho_tich")
    second = ticket_desk.issue("ho_tich", priority=True)
    assert first.ok and first.printed and first.number == "B001" and first.counters == (3, 4)
    assert first.service_name == "Tư pháp - Hộ tịch"
    assert second.number == "B002"
    printed = sim.wait_for(2)
    assert printed[0].qr_payloads == ("LETAN-T:cua-nam:trung-tam:20261123:B001",)
    assert alerts == []


@pytest.mark.parametrize(
    ("fault", "printed", "alert"),
    [
        ("paper_out", False, "printer_paper_out"),
        ("cover_open", False, "printer_cover_open"),
        ("offline", False, "printer_offline"),
        ("paper_near_end", True, "printer_paper_near_end"),
        ("no_answer", True, None),  # status unknown: it tries, and the printer did print
    ],
)
def test_printer_faults_never_lose_the_ticket(
    desk: tuple[TicketDesk, list], sim: SimulatedPrinter, fault: str, printed: bool, alert: str | None,
) -> None:
    ticket_desk, alerts = desk
    sim.set_fault(fault)
    result = ticket_desk.issue("chung_thuc")
    assert result.ok and result.number == "A001" and result.printed is printed
    assert [kind for kind, _ in alerts] == ([alert] if alert else [])
    assert all("A001" in detail or "paper" in detail for _, detail in alerts)
    assert ticket_desk.engine.ticket("A001").status == TicketStatus.WAITING  # still issued
    if not printed:
        assert sim.printed == []
        sim.clear_faults()
        assert ticket_desk.reprint("A001")
        (ticket,) = sim.wait_for(1)
        assert ticket.qr_payloads[0].endswith(":A001")
    else:
        assert len(sim.wait_for(1)) == 1


def test_unplugged_printer_alerts_and_reconnects(desk: tuple[TicketDesk, list], sim: SimulatedPrinter) -> None:
    ticket_desk, alerts = desk
    assert ticket_desk.issue("chung_thuc").printed
    sim.wait_for(1)
    sim.stop()
    result = ticket_desk.issue("chung_thuc")
    assert result.ok and result.number == "A002" and not result.printed
    assert alerts[-1][0] == "printer_offline"
    sim.start()
    assert ticket_desk.issue("chung_thuc").printed
    assert len(sim.wait_for(2)) == 2


def test_refusals_come_back_in_vietnamese(tmp_path: Path) -> None:
    centre = cua_nam()
    engine = QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T21:00")))
    alerts: list[tuple[str, str]] = []
    result = TicketDesk(centre, engine, None, on_alert=lambda k, d: alerts.append((k, d))).issue("chung_thuc")
    assert not result.ok and result.number is None
    assert result.refused_reason and "tám giờ sáng thứ Ba" in result.refused_reason
    engine.close()


def test_without_a_printer_the_ticket_is_issued_and_staff_alerted(tmp_path: Path) -> None:
    centre = cua_nam()
    engine = QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T09:00")))
    alerts: list[tuple[str, str]] = []
    result = TicketDesk(centre, engine, None, on_alert=lambda k, d: alerts.append((k, d))).issue("chung_thuc")
    assert result.ok and not result.printed and alerts[0][0] == "printer_missing"
    engine.close()


def test_a_ticket_s_standing_follows_the_line(tmp_path: Path) -> None:
    """QueueDesk.standing: what the dialog says to "bao giờ tới lượt tôi" after its ticket, from the queue as it moves;
    None for a number the queue does not know (nothing raised into the conversation)."""
    centre = cua_nam()
    engine = QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T09:00")))
    desk = TicketDesk(centre, engine, None, on_alert=lambda k, d: None)
    desk.issue("ho_tich")
    mine = desk.issue("ho_tich").number
    assert mine == "B002"
    standing = desk.standing(mine)
    assert standing is not None and standing.startswith("Dạ, số B không không hai của ông/bà đang chờ; phía trước "
                                                         "còn một người.")
    engine.call_next(3)
    assert desk.standing(mine) == "Dạ, số B không không hai của ông/bà là số tiếp theo, ông/bà chú ý nghe gọi ạ."
    engine.call_next(4)
    assert desk.standing(mine) == ("Dạ, số B không không hai đã được mời đến quầy số bốn. Ông/bà vui lòng đến quầy số"
                                   " bốn ngay ạ.")
    assert desk.standing("B099") is None and desk.standing("không phải số") is None
    engine.close()


def test_routes(tmp_path: Path) -> None:
    catalogue = load_catalogue_checked()
    centre = cua_nam()
    engine = QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T09:00")))
    ticket_desk = TicketDesk(centre, engine, None, catalogue)
    route = ticket_desk.route("khai_sinh")
    assert route.handled_here and route.service_id == "ho_tich" and route.counters == (3, 4)
    elsewhere = ticket_desk.route("ly_lich_tu_phap")
    assert not elsewhere.handled_here and elsewhere.referral == catalogue.get("ly_lich_tu_phap").referral
    unknown = ticket_desk.route("no_such_procedure")
    assert not unknown.handled_here and unknown.referral and "bàn hướng dẫn" in unknown.referral
    phu_dinh = load_centre(PHU_DINH, catalogue)
    engine2 = QueueEngine(phu_dinh, tmp_path / "p.sqlite3", FixedClock(local("2026-11-23T09:00")))
    referred = TicketDesk(phu_dinh, engine2, None, catalogue).route("dang_ky_thuong_tru")
    assert not referred.handled_here and referred.referral and "Công an phường Phú Định" in referred.referral
    engine.close()
    engine2.close()


def test_a_missing_glyph_is_a_clear_error_not_a_box(tmp_path: Path) -> None:
    centre = cua_nam()
    engine = QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T09:00")))
    issued = engine.issue("chung_thuc")
    content = ticket_content(centre, issued.ticket, 0, 0)
    render_ticket(content)  # every Vietnamese letter is there
    odd = TicketContent(**{**content.__dict__, "service_name": "Chứng thực 證明"})
    with pytest.raises(TicketFontError, match="no glyph"):
        render_ticket(odd)
    engine.close()


def test_the_ticket_lists_the_papers_of_the_procedure(desk: tuple[TicketDesk, list], sim: SimulatedPrinter) -> None:
    """The robot says a summary of the papers; the ticket prints them all, each with its condition."""
    ticket_desk, alerts = desk
    assert ticket_desk.issue("ho_tich").printed
    assert ticket_desk.issue("ho_tich", procedure="khai_sinh").printed
    plain, listed = sim.wait_for(2)
    catalogue = load_catalogue_checked()
    papers = catalogue.get("khai_sinh").citizen.documents
    assert listed.height > plain.height + 40 * len(papers)  # one printed line or more per paper
    ticket = ticket_desk.engine.position("B002", ticket_desk.point.id).ticket
    content = ticket_desk._image(ticket, 1, 5, "khai_sinh")
    assert content[1] == "LETAN-T:cua-nam:trung-tam:20261123:B002"
    lines = with_documents(ticket_content(ticket_desk.centre, ticket, 1, 5), catalogue.get("khai_sinh")).lines()
    assert "Giấy tờ cần mang để làm khai sinh:" in lines
    for paper in papers:
        assert any(paper.text in line and (paper.when is None or paper.when[1:] in line) for line in lines)
    assert alerts == []
