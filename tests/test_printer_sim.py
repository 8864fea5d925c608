"""The real driver (python-escpos) talking to the simulated ESC/POS printer over TCP and a pty."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from drivers.printer import EscposPrinter, PrinterError, PrinterTarget, encode_ticket
from robot.clock import FixedClock
from robot.queue import QueueEngine
from robot.ticket_print import render_ticket, ticket_content
from robot.ticket_ref import parse_ticket_ref
from simulator.printer import PrintedTicket, SimulatedPrinter
from tests.test_queue_support import cua_nam, local


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatedPrinter]:
    printer = SimulatedPrinter(tmp_path / "out", port=0, pty=True).start()
    yield printer
    printer.stop()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    eng = QueueEngine(cua_nam(), tmp_path / "q.sqlite3", FixedClock(local("2026-11-23T09:15")))
    yield eng
    eng.close()


def network(sim: SimulatedPrinter, native_qr: bool = True) -> EscposPrinter:
    assert sim.port
    return EscposPrinter(PrinterTarget("network", host="127.0.0.1", port=sim.port, native_qr=native_qr,
                                       timeout_s=2, status_timeout_s=0.3))


def decode(png: Path) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(png))]


@pytest.mark.parametrize("native_qr", [True, False])
def test_printed_ticket_qr_decodes_back_to_the_ticket(
    sim: SimulatedPrinter, engine: QueueEngine, native_qr: bool,
) -> None:
    centre = engine.centre
    for _ in range(2):
        engine.issue("chung_thuc")
    issued = engine.issue("chung_thuc")
    content = ticket_content(centre, issued.ticket, issued.people_ahead, issued.wait_minutes)
    driver = network(sim, native_qr)
    driver.print_raster(render_ticket(content, 576, include_qr=False), content.qr_text)
    driver.close()
    (printed,) = sim.wait_for(1)
    assert printed.png.is_file() and printed.width == 576 and printed.height > 500
    assert printed.raster_images >= 3  # bands separated by paper feeds
    if native_qr:
        assert printed.qr_payloads == (content.qr_text,)
    else:
        assert printed.qr_payloads == ()
    # what a scanner reads on the printed ticket names the ticket and its place in line
    (payload,) = decode(printed.png)
    ref = parse_ticket_ref(payload)
    assert ref is not None and (ref.site, ref.point, ref.number) == ("cua-nam", "trung-tam", "A003")
    assert engine.position_of(ref).people_ahead == 2


def test_listeners_get_each_ticket_as_it_is_cut(sim: SimulatedPrinter, engine: QueueEngine) -> None:
    heard: list[PrintedTicket] = []
    both = threading.Event()

    def hear(ticket: PrintedTicket) -> None:
        heard.append(ticket)
        if len(heard) == 2:
            both.set()

    sim.on_printed(hear)
    driver = network(sim)
    for _ in range(2):
        issued = engine.issue("chung_thuc")
        content = ticket_content(engine.centre, issued.ticket, issued.people_ahead, issued.wait_minutes)
        driver.print_raster(render_ticket(content, 576, include_qr=False), content.qr_text)
    driver.close()
    assert both.wait(5)
    assert heard == sim.printed and [t.qr_payloads for t in heard] != [(), ()]


@pytest.mark.parametrize(
    ("fault", "online", "paper", "cover", "problem"),
    [
        (None, True, "ok", False, None),
        ("paper_near_end", True, "near_end", False, "printer_paper_near_end"),
        ("paper_out", False, "out", False, "printer_paper_out"),
        ("cover_open", False, "ok", True, "printer_cover_open"),
        ("offline", False, "ok", False, "printer_offline"),
        ("no_answer", None, "unknown", None, "printer_status_unknown"),
    ],
)
def test_status_through_dle_eot(
    sim: SimulatedPrinter, fault: str | None, online: bool | None, paper: str, cover: bool | None,
    problem: str | None,
) -> None:
    if fault:
        sim.set_fault(fault)
    driver = network(sim)
    status = driver.status()
    assert (status.online, status.paper, status.cover_open) == (online, paper, cover)
    assert status.problem() == problem
    assert status.known == (fault != "no_answer")
    driver.close()


def test_unreachable_printer_is_not_ok_and_driver_reconnects(sim: SimulatedPrinter, engine: QueueEngine) -> None:
    driver = network(sim)
    image = Image.new("1", (576, 40), 0)
    driver.print_raster(image, None)
    sim.wait_for(1)
    sim.stop()  # unplugged
    with pytest.raises(PrinterError, match="cannot print"):
        driver.print_raster(image, None)
    status = driver.status()
    assert status.online is False and status.paper == "unknown"
    sim.start()  # plugged back on the same port
    driver.print_raster(image, None)
    assert len(sim.wait_for(2)) == 2
    driver.close()


def test_blocking_faults_print_nothing(sim: SimulatedPrinter) -> None:
    driver = network(sim)
    sim.set_fault("paper_out")
    driver.print_raster(Image.new("1", (576, 40), 0), None)
    driver.status()  # a round trip: the printer has seen the whole ticket
    assert sim.printed == [] and sim.rejected == 1
    driver.close()


@pytest.mark.slow
def test_serial_backend_on_a_pty(sim: SimulatedPrinter, engine: QueueEngine) -> None:
    assert sim.pty_path
    driver = EscposPrinter(PrinterTarget("serial", device=sim.pty_path, baudrate=115200, status_timeout_s=0.3))
    assert driver.status().problem() is None
    issued = engine.issue("ho_tich")
    content = ticket_content(engine.centre, issued.ticket, 0, 0)
    driver.print_raster(render_ticket(content, 576, include_qr=False), content.qr_text)
    (printed,) = sim.wait_for(1)
    assert printed.qr_payloads == (content.qr_text,)
    sim.set_fault("cover_open")
    assert driver.status().problem() == "printer_cover_open"
    driver.close()


def test_file_backend_writes_the_exact_stream_and_status_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "lp0"
    path.touch()
    driver = EscposPrinter(PrinterTarget("file", device=str(path)))
    image = Image.new("1", (576, 100), 1)
    image.paste(0, (0, 0, 576, 20))
    driver.print_raster(image, "LETAN-T:x:y:20261123:A001")
    driver.close()
    expected = encode_ticket(image, "LETAN-T:x:y:20261123:A001")
    assert path.read_bytes() == expected
    assert expected.startswith(b"\x1b@\x1dv0")
    assert b"\x1d(k" in expected and b"LETAN-T:x:y:20261123:A001" in expected
    assert b"\x1bJP" in expected  # 80 blank rows sent as one paper feed, not as dots
    assert expected.endswith(b"\x1dV\x00")
    status = EscposPrinter(PrinterTarget("file", device=str(path))).status()
    assert status.online is None and status.paper == "unknown" and not status.known


def test_image_wider_than_the_printer_is_refused() -> None:
    with pytest.raises(PrinterError, match="512"):
        encode_ticket(Image.new("1", (576, 10), 1), None, profile="TM-T88V")


@pytest.mark.slow
def test_importing_the_driver_leaves_no_temp_folder(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    temp, cache = tmp_path / "tmp", tmp_path / "cache"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(TMPDIR=str(temp), XDG_CACHE_HOME=str(cache))
    for _ in range(2):
        subprocess.run([sys.executable, "-c", "import drivers.printer"], env=env, check=True, timeout=60,
                       cwd=Path(__file__).resolve().parent.parent)
    assert list(temp.iterdir()) == []
    assert [p.name for p in (cache / "letan" / "escpos").iterdir()] == [f"{sys.version.split()[0]}.capabilities.pickle"]


def test_raster_bands_are_the_bytes_python_escpos_sends() -> None:
    from escpos.printer import Dummy

    from drivers.printer import black_dots, raster_bits

    image = Image.effect_noise((576, 1000), 90).point(lambda v: 0 if v < 128 else 255).convert("1")
    reference = Dummy()
    reference.image(image, center=False)
    assert raster_bits(black_dots(image)) == reference.output
