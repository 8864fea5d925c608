"""Queue bench: durable queue operations per second, issue-to-printer-bytes time, ticket size and print time."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

from letan.bench import BenchReport, median, percentile
from robot.clock import FixedClock
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from robot.paths import DEFAULT_CENTRE
from robot.queue import QueueEngine
from robot.ticket_print import render_ticket, ticket_bytes, ticket_content, ticket_width

BAUD = 115200
BITS_PER_BYTE = 10  # 8N1: start + 8 data + stop


def _centre() -> CentreConfig:
    centre = load_centre(DEFAULT_CENTRE, load_catalogue_checked())
    services = tuple(s.model_copy(update={"daily_cap": 9999, "wrap": 9999, "digits": 4}) for s in centre.services)
    return centre.model_copy(update={"services": services})


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def run(report: BenchReport, quick: bool) -> None:
    centre = _centre()
    at = datetime(2026, 11, 23, 9, 0, tzinfo=centre.site.tz)  # a Monday morning, open
    cycles = 40 if quick else 300
    with tempfile.TemporaryDirectory(prefix="letan-bench-queue-") as folder:
        engine = QueueEngine(centre, Path(folder) / "queue.sqlite3", FixedClock(at))
        issue_ms, call_ms, done_ms, cycle_ms = [], [], [], []
        for _ in range(cycles):
            start = time.perf_counter()
            number = engine.issue("chung_thuc").ticket.number
            issue_ms.append(_ms(start))
            t = time.perf_counter()
            engine.call_next(1)
            call_ms.append(_ms(t))
            engine.start_serving(number)
            t = time.perf_counter()
            engine.done(number)
            done_ms.append(_ms(t))
            cycle_ms.append(_ms(start))
        op = median(issue_ms + call_ms + done_ms)
        report.add("queue operations per second (durable, synchronous=FULL)", 1000 / op, "op/s",
                   note=f"median of issue, call-next and done: {op:.2f} ms each; {cycles} cycles")
        report.add("issue (median)", median(issue_ms), "ms")
        report.add("call-next (median)", median(call_ms), "ms")
        report.add("done (median)", median(done_ms), "ms")
        report.add("full ticket lifecycle per second", 1000 / median(cycle_ms), "tickets/s",
                   note="issue + call-next + serve + done, 4 transactions")

        device = centre.devices.printer
        width = ticket_width(device)
        repeat = 20 if quick else 100
        to_bytes: list[float] = []
        with_issue: list[float] = []
        data = b""
        for _ in range(repeat):
            start = time.perf_counter()
            issued = engine.issue("ho_tich")
            t = time.perf_counter()
            content = ticket_content(centre, issued.ticket, issued.people_ahead, issued.wait_minutes)
            data = ticket_bytes(content, device)
            to_bytes.append(_ms(t))
            with_issue.append(_ms(start))
        p95 = percentile(to_bytes, 95)
        note = f"render + ESC/POS encode of an issued ticket, {width} dots, {repeat} tickets"
        report.add("issued ticket to printer bytes ready (median)", median(to_bytes), "ms", note=note)
        report.add("issued ticket to printer bytes ready (p95)", p95, "ms", target="<= 50 ms", met=p95 <= 50,
                   note=note)
        report.add("issue call to printer bytes ready, incl. the durable commit (median)", median(with_issue), "ms")
        report.add("issue call to printer bytes ready, incl. the durable commit (p95)",
                   percentile(with_issue, 95), "ms")

        image_qr = ticket_bytes(content, device.model_copy(update={"native_qr": not device.native_qr}))
        native, as_image = (data, image_qr) if device.native_qr else (image_qr, data)
        plain = render_ticket(content, width, include_qr=True)
        plain_raster = plain.height * (width // 8)
        report.add("ticket size, native QR (GS ( k)", len(native), "bytes",
                   note="blank rows sent as paper feed (ESC J)")
        report.add("ticket size, QR as raster image", len(as_image), "bytes")
        report.add("ticket size, whole ticket as one raster (comparison)", plain_raster, "bytes",
                   note="without blank-row feeds")
        for name, size in (("native QR", len(native)), ("QR as image", len(as_image))):
            report.add(f"print time at {BAUD} baud, {name}", size * BITS_PER_BYTE / BAUD, "s", note="8N1")
        report.add("print time at 9600 baud, native QR (comparison)", len(native) * BITS_PER_BYTE / 9600, "s")
        engine.close()
