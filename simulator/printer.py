"""A virtual ESC/POS ticket printer on a TCP port (like port 9100) and/or a pty.

It parses the byte stream (ESC @, ESC a/J/d, GS v 0 raster, GS ( k QR, GS V cut, DLE EOT status
and the usual one-byte settings), answers status queries like an Epson printer, renders each cut
ticket to a PNG and keeps the decoded QR payloads and text. Faults: paper_near_end, paper_out,
cover_open, offline (answers but does not print) and no_answer (prints but never answers status).
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

FAULTS = ("paper_near_end", "paper_out", "cover_open", "offline", "no_answer")
_BLOCKING = frozenset({"paper_out", "cover_open", "offline"})
_LINE = 30  # dots per text line / ESC d line

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
# ESC/GS commands followed by a fixed number of parameter bytes (and no data)
_ESC_PARAMS = {ord(c): n for c, n in {
    "@": 0, "2": 0, "a": 1, "J": 1, "d": 1, "!": 1, "E": 1, "-": 1, "M": 1, "t": 1, "G": 1, "{": 1, "V": 1,
    "r": 1, "R": 1, "3": 1, "c": 2, "p": 3, "B": 2, "$": 2, "\\": 2, "D": 0, "e": 1, "U": 1, "S": 0, "L": 0,
}.items()}
_GS_PARAMS = {ord(c): n for c, n in {
    "!": 1, "B": 1, "b": 1, "H": 1, "f": 1, "h": 1, "w": 1, "L": 2, "W": 2, "a": 1, "r": 1, "P": 2, "I": 1,
}.items()}


@dataclass(frozen=True)
class PrintedTicket:
    """One cut ticket: its PNG, the QR payloads it carried, its text lines and size on the wire."""

    png: Path
    qr_payloads: tuple[str, ...]
    text: str
    raster_images: int
    size_bytes: int
    width: int
    height: int


@dataclass
class _Page:
    blocks: list[Image.Image] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    text_lines: list[str] = field(default_factory=list)
    rasters: int = 0
    size_bytes: int = 0
    rejected: bool = False


class EscposParser:
    """Incremental ESC/POS parser of one connection. `feed()` returns the bytes to answer."""

    def __init__(self, printer: SimulatedPrinter):
        self.printer = printer
        self.buffer = bytearray()
        self.page = _Page()
        self.align = 0
        self.text = bytearray()
        self.qr_store = b""
        self.qr_size = 3
        self.unknown: list[int] = []
        self.cut_pending = False

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        answers = bytearray()
        pos = 0
        while pos < len(self.buffer):
            end = self._command(pos, answers)
            if end is None:
                break
            self.page.size_bytes += end - pos
            pos = end
            if self.cut_pending:
                self.cut_pending = False
                self._cut()
        del self.buffer[:pos]
        return bytes(answers)

    # Returns the end of the command starting at pos, or None when more bytes are needed.
    def _command(self, pos: int, answers: bytearray) -> int | None:
        buf = self.buffer
        first = buf[pos]
        if first == DLE:
            if pos + 3 > len(buf):
                return None
            if buf[pos + 1] == 0x04:
                answer = self.printer.status_byte(buf[pos + 2])
                if answer is not None:
                    answers.append(answer)
                return pos + 3
            return pos + 3 if buf[pos + 1] != 0x14 else (pos + 5 if pos + 5 <= len(buf) else None)
        if first == ESC:
            return self._esc(pos)
        if first == GS:
            return self._gs(pos)
        if first == LF:
            self._end_line()
            return pos + 1
        if first >= 0x20:
            self.text.append(first)
        return pos + 1

    def _esc(self, pos: int) -> int | None:
        buf = self.buffer
        if pos + 1 >= len(buf):
            return None
        cmd = buf[pos + 1]
        if cmd == ord("*"):  # column bit image: skip it
            if pos + 5 > len(buf):
                return None
            m, count = buf[pos + 2], buf[pos + 3] + 256 * buf[pos + 4]
            end = pos + 5 + count * (3 if m in (32, 33) else 1)
            return end if end <= len(buf) else None
        params = _ESC_PARAMS.get(cmd, 0)
        if cmd not in _ESC_PARAMS:
            self.unknown.append(cmd)
        end = pos + 2 + params
        if end > len(buf):
            return None
        arg = buf[pos + 2] if params else 0
        if cmd == ord("@"):
            self.align = 0
        elif cmd == ord("a"):
            self.align = arg if arg < 3 else arg - 48
        elif cmd == ord("J"):
            self._flush_text()
            self._blank(arg)
        elif cmd == ord("d"):
            self._end_line()
            self._blank(_LINE * max(0, arg - 1))
        return end

    def _gs(self, pos: int) -> int | None:
        buf = self.buffer
        if pos + 1 >= len(buf):
            return None
        cmd = buf[pos + 1]
        if cmd == ord("v"):  # GS v 0 m xL xH yL yH d...
            if pos + 8 > len(buf):
                return None
            width_bytes = buf[pos + 4] + 256 * buf[pos + 5]
            height = buf[pos + 6] + 256 * buf[pos + 7]
            end = pos + 8 + width_bytes * height
            if end > len(buf):
                return None
            self._flush_text()
            image = Image.frombytes("1", (width_bytes * 8, height), bytes(buf[pos + 8:end]))
            self._add(Image.eval(image.convert("L"), lambda v: 255 - v).convert("1"))
            self.page.rasters += 1
            return end
        if cmd == ord("("):  # GS ( fn pL pH ...
            if pos + 5 > len(buf):
                return None
            length = buf[pos + 3] + 256 * buf[pos + 4]
            end = pos + 5 + length
            if end > len(buf):
                return None
            if buf[pos + 2] == ord("k"):
                self._two_d(bytes(buf[pos + 5:end]))
            return end
        if cmd == ord("V"):  # cut: GS V m, or GS V m n for m >= 65
            if pos + 3 > len(buf):
                return None
            end = pos + 4 if buf[pos + 2] >= 65 else pos + 3
            if end > len(buf):
                return None
            self.cut_pending = True  # after its bytes are counted in the page
            return end
        if cmd == ord("k"):  # barcode: skip
            if pos + 3 > len(buf):
                return None
            m = buf[pos + 2]
            if m <= 6:
                nul = buf.find(b"\x00", pos + 3)
                return None if nul < 0 else nul + 1
            if pos + 4 > len(buf):
                return None
            end = pos + 4 + buf[pos + 3]
            return end if end <= len(buf) else None
        params = _GS_PARAMS.get(cmd, 0)
        if cmd not in _GS_PARAMS:
            self.unknown.append(cmd)
        end = pos + 2 + params
        return end if end <= len(buf) else None

    def _two_d(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != ord("1"):
            return
        fn = body[1]
        if fn == 67 and len(body) > 2:
            self.qr_size = body[2]
        elif fn == 80:
            self.qr_store = body[3:]
        elif fn == 81 and self.qr_store:
            self._flush_text()
            payload = self.qr_store.decode("utf-8", "replace")
            code = qrcode.QRCode(box_size=max(1, self.qr_size), border=2,
                                 error_correction=qrcode.constants.ERROR_CORRECT_M)
            code.add_data(payload)
            code.make(fit=True)
            self._add(code.make_image().get_image().convert("1"))
            self.page.qr_payloads.append(payload)

    def _end_line(self) -> None:
        line = self.text.decode("latin-1")
        self.text.clear()
        self.page.text_lines.append(line)
        if not line:
            self._blank(_LINE)
            return
        image = Image.new("1", (self.printer.width, _LINE), 1)
        ImageDraw.Draw(image).text((0, 4), line, fill=0, font=ImageFont.load_default(20))
        self._add(image)

    def _flush_text(self) -> None:
        if self.text:
            self._end_line()

    def _blank(self, dots: int) -> None:
        if dots > 0:
            self.page.blocks.append(Image.new("1", (self.printer.width, dots), 1))

    def _add(self, image: Image.Image) -> None:
        if self.printer.blocked():
            self.page.rejected = True
            return
        width = self.printer.width
        if image.width >= width or self.align == 0:
            self.page.blocks.append(image.crop((0, 0, width, image.height)))
            return
        line = Image.new("1", (width, image.height), 1)
        x = (width - image.width) // 2 if self.align == 1 else width - image.width
        line.paste(image, (x, 0))
        self.page.blocks.append(line)

    def _cut(self) -> None:
        self._flush_text()
        page, self.page = self.page, _Page()
        if page.rejected or self.printer.blocked():
            self.printer.note_rejected()
            return
        if page.blocks:
            self.printer.store(page)


class SimulatedPrinter:
    """The virtual printer. `start()` listens (TCP on `port`, 0 = a free one; a pty when asked) in a
    background thread; `stop()` closes everything (like unplugging it); `start()` again plugs it back
    on the same port."""

    def __init__(self, out_dir: Path, *, host: str = "127.0.0.1", port: int | None = 0, pty: bool = False,
                 width: int = 576):
        self.out_dir = out_dir
        self.host = host
        self.port = port
        self.use_pty = pty
        self.width = width
        self.pty_path: str | None = None
        self.printed: list[PrintedTicket] = []
        self.rejected = 0
        self.received_bytes = 0
        self._faults: set[str] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._listeners: list[Callable[[PrintedTicket], None]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: socket.socket | None = None
        self._pty_fds: tuple[int, int] | None = None

    # -- control ---------------------------------------------------------------------------

    def start(self) -> SimulatedPrinter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        if self.port is not None:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((self.host, self.port))
            server.listen(4)
            server.settimeout(0.1)
            self.port = server.getsockname()[1]
            self._server = server
            self._spawn(self._serve_tcp, server)
        if self.use_pty:
            master, slave = os.openpty()
            tty.setraw(slave)
            self._pty_fds = (master, slave)
            self.pty_path = os.ttyname(slave)
            self._spawn(self._serve_pty, master)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._pty_fds is not None:
            for fd in self._pty_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._pty_fds = None

    def __enter__(self) -> SimulatedPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_fault(self, name: str, on: bool = True) -> None:
        if name not in FAULTS:
            raise ValueError(f"unknown printer fault {name!r}; expected one of {FAULTS}")
        with self._lock:
            (self._faults.add if on else self._faults.discard)(name)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._faults)

    def on_printed(self, listener: Callable[[PrintedTicket], None]) -> None:
        """Call `listener` with each ticket once it is cut and stored (in the thread serving the connection)."""
        self._listeners.append(listener)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[PrintedTicket]:
        """Wait until at least `count` tickets were printed; return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.printed) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.printed)} tickets printed, {count} expected")
                self._changed.wait(left)
            return list(self.printed)

    # -- printer state, used by the parser --------------------------------------------------

    def blocked(self) -> bool:
        return bool(self.faults & _BLOCKING)

    def status_byte(self, n: int) -> int | None:
        faults = self.faults
        if "no_answer" in faults:
            return None
        out, cover, offline = "paper_out" in faults, "cover_open" in faults, "offline" in faults
        if n == 1:
            return 0x12 | (0x08 if out or cover or offline else 0)
        if n == 2:
            return 0x12 | (0x04 if cover else 0) | (0x20 if out else 0) | (0x40 if offline else 0)
        if n == 4:
            return 0x12 | (0x0C if out or "paper_near_end" in faults else 0) | (0x60 if out else 0)
        return 0x12

    def note_rejected(self) -> None:
        with self._changed:
            self.rejected += 1
            self._changed.notify_all()

    def store(self, page: _Page) -> None:
        height = sum(b.height for b in page.blocks)
        image = Image.new("1", (self.width, height), 1)
        y = 0
        for block in page.blocks:
            image.paste(block, (0, y))
            y += block.height
        with self._changed:
            path = self.out_dir / f"ticket-{len(self.printed) + 1:04d}.png"
            image.save(path)
            ticket = PrintedTicket(
                png=path, qr_payloads=tuple(page.qr_payloads), text="\n".join(page.text_lines).strip(),
                raster_images=page.rasters, size_bytes=page.size_bytes, width=self.width, height=height,
            )
            self.printed.append(ticket)
            self._changed.notify_all()
        for listener in list(self._listeners):
            listener(ticket)

    # -- channels ---------------------------------------------------------------------------

    def _spawn(self, target: object, arg: object) -> None:
        thread = threading.Thread(target=target, args=(arg,), daemon=True, name="sim-printer")  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _serve_tcp(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                self._serve(conn.fileno(), conn.sendall)

    def _serve_pty(self, master: int) -> None:
        self._serve(master, lambda answer: os.write(master, answer))

    def _serve(self, fd: int, reply: Callable[[bytes], object]) -> None:
        """Read one channel until it closes or the printer stops; answer status queries."""
        parser = EscposParser(self)
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.received_bytes += len(data)
            answer = parser.feed(data)
            if answer:
                with contextlib.suppress(OSError):
                    reply(answer)
