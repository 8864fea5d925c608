"""Queue ticket content, its raster image (Pillow, a font with every Vietnamese glyph) and its
ESC/POS bytes (through drivers.printer)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from dialogs.catalogue import Procedure
from drivers.printer import encode_ticket, profile_width
from robot.config import CentreConfig, PrinterDevice
from robot.fonts import find_vietnamese_font, missing_glyphs
from robot.queue import Ticket
from robot.ticket_ref import TicketRef

# What to bring, per service (short: one or two printed lines). Others get the generic line.
_PREPARE = {
    "chung_thuc": "Mang bản chính giấy tờ cần chứng thực và thẻ căn cước.",
    "ho_tich": "Mang thẻ căn cước và giấy tờ hộ tịch liên quan, như giấy chứng sinh, trích lục.",
    "van_hoa_xa_hoi": "Mang thẻ căn cước và giấy tờ chứng minh hoàn cảnh, nếu có.",
    "kinh_te_do_thi": "Mang thẻ căn cước, giấy tờ về đất, nhà hoặc hộ kinh doanh.",
    "cu_tru": "Mang thẻ căn cước và giấy tờ chứng minh chỗ ở hợp pháp.",
}
_PREPARE_DEFAULT = "Chuẩn bị sẵn thẻ căn cước và giấy tờ của thủ tục cần làm."


class TicketFontError(Exception):
    """No usable font: the ticket would print boxes or '?' (English, for technicians)."""


@dataclass(frozen=True)
class TicketContent:
    centre_name: str
    point_name: str
    number: str
    service_name: str
    counters: tuple[int, ...]
    issued_at: datetime
    people_ahead: int
    wait_minutes: int | None
    prepare: str
    qr_text: str
    priority: bool = False
    # The papers of the procedure the citizen came for, each with its condition (the catalogue's citizen text):
    # printed in full, since the robot says only a summary.
    procedure_name: str = ""
    documents: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Every text printed on the ticket (for the glyph check and for tests)."""
        return [
            self.centre_name, self.point_name, "Số thứ tự", self.number, self.service_name, counters_line(self),
            wait_line(self), f"Lấy số lúc {self.issued_at:%H:%M} ngày {self.issued_at:%d/%m/%Y}", self.prepare,
            "ƯU TIÊN" if self.priority else "", _QR_CAPTION, documents_heading(self) if self.documents else "",
            *(f"- {line}" for line in self.documents),
        ]


def documents_heading(content: TicketContent) -> str:
    return f"Giấy tờ cần mang để làm {content.procedure_name}:"


def with_documents(content: TicketContent, procedure: Procedure) -> TicketContent:
    """The ticket with the procedure's papers in place of the service's one-line reminder."""
    lines = tuple(f"{d.when[:1].upper()}{d.when[1:]}: {d.text}" if d.when else d.text
                  for d in procedure.citizen.documents)
    return replace(content, procedure_name=procedure.short_name, documents=lines)


_QR_CAPTION = "Quét mã này ở rô bốt để xem còn bao nhiêu người trước mình"


def counters_line(content: TicketContent) -> str:
    if not content.counters:
        return "Mời chờ gọi số trên màn hình"
    if len(content.counters) == 1:
        return f"Mời đến quầy số {content.counters[0]}"
    return "Mời đến quầy số " + ", ".join(str(c) for c in content.counters)


def wait_line(content: TicketContent) -> str:
    ahead = f"Phía trước: {content.people_ahead} người"
    if content.wait_minutes is None:
        return ahead
    if content.wait_minutes <= 0 or content.people_ahead == 0:
        return f"{ahead} · sắp đến lượt"
    return f"{ahead} · chờ khoảng {content.wait_minutes} phút"


def ticket_content(
    centre: CentreConfig, ticket: Ticket, people_ahead: int, wait_minutes: int | None,
) -> TicketContent:
    service = centre.service(ticket.service)
    point = centre.point(ticket.point)
    counters = tuple(c.number for c in centre.counters_for_service(service.id, point.id))
    ref = TicketRef(centre.site.id, point.id, ticket.day, ticket.number)
    return TicketContent(
        centre_name=centre.site.name,
        point_name=point.name if point.name != centre.site.name else "",
        number=ticket.number,
        service_name=service.name,
        counters=counters,
        issued_at=ticket.issued_at,
        people_ahead=people_ahead,
        wait_minutes=wait_minutes,
        prepare=_PREPARE.get(service.id, _PREPARE_DEFAULT),
        qr_text=ref.encode(),
        priority=ticket.priority,
    )


# ---------------------------------------------------------------------------------------------
# Fonts


@cache
def ticket_fonts() -> tuple[Path, Path]:
    """(regular, bold) fonts with every Vietnamese letter, or TicketFontError."""
    regular, bold = find_vietnamese_font(False), find_vietnamese_font(True)
    if regular is None:
        raise TicketFontError(
            "no font with every Vietnamese letter was found: install fonts-dejavu-core (apt-get install "
            "fonts-dejavu-core) so that tickets do not print boxes or '?'"
        )
    return regular, bold or regular


def check_glyphs(content: TicketContent) -> None:
    """Raise TicketFontError naming any character of the ticket the fonts cannot draw."""
    chars = "".join(sorted(set("".join(content.lines()))))
    for path in ticket_fonts():
        missing = _missing(path, chars)
        if missing:
            raise TicketFontError(f"font {path} has no glyph for {missing!r}: the ticket would print boxes")


def printed_texts(centre: CentreConfig, procedures: dict[str, Procedure]) -> dict[str, str]:
    """Every text of the centre file and catalogue that a ticket may print, by where it comes from."""
    texts = {"site.name": centre.site.name}
    texts.update({f"reception_points[{i}].name": p.name for i, p in enumerate(centre.reception_points)})
    for i, service in enumerate(centre.services):
        texts[f"services[{i}].name"] = service.name
        for pid in service.procedures:
            procedure = procedures.get(pid)
            if procedure is not None:
                texts[f"catalogue {pid}: short_name"] = procedure.short_name
                texts.update({f"catalogue {pid}: citizen.documents[{j}]": f"{d.when} {d.text}"
                              for j, d in enumerate(procedure.citizen.documents)})
    return texts


def font_problems(centre: CentreConfig, procedures: dict[str, Procedure]) -> list[str]:
    """One line per printed text with a character the ticket fonts cannot draw (English, for technicians);
    such a ticket would not print (check_glyphs refuses it)."""
    problems = []
    for where, text in printed_texts(centre, procedures).items():
        chars = "".join(sorted(set(text)))
        for path in dict.fromkeys(ticket_fonts()):
            missing = _missing(path, chars)
            if missing:
                problems.append(f"{where}: {text[:60]!r} has {missing!r}, which the ticket font {path.name} "
                                "cannot draw; every ticket printing it would fail: use Vietnamese letters only")
                break
    return problems


@cache
def _missing(path: Path, chars: str) -> str:
    return missing_glyphs(path, chars)


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    regular, bold_path = ticket_fonts()
    return ImageFont.truetype(str(bold_path if bold else regular), size)


# ---------------------------------------------------------------------------------------------
# Rendering


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


@lru_cache(maxsize=1024)
def _text_block(text: str, size: int, bold: bool, width: int, margin: int, gap: int) -> Image.Image:
    """Centred, wrapped lines of text as a grey image `width` wide (cached: most lines repeat)."""
    font = _font(bold, size)
    scratch = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines = []
    for line in _wrap(text, font, width - 2 * margin):
        left, top, right, bottom = scratch.textbbox((0, 0), line, font=font)
        lines.append((line, int(left), int(top), int(right - left), int(bottom - top)))
    height = sum(h + gap for *_, h in lines) + gap
    block = Image.new("L", (width, max(1, height)), 255)
    draw = ImageDraw.Draw(block)
    y = 0
    for line, left, top, line_width, line_height in lines:
        draw.text(((width - line_width) // 2 - left, y - top), line, font=font, fill=0)
        y += line_height + gap
    return block


class _Canvas:
    def __init__(self, width: int):
        self.width = width
        self.margin = max(8, width // 36)
        self.image = Image.new("L", (width, 2400), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = self.margin

    def text(self, text: str, size: int, bold: bool = False, gap: int = 6) -> None:
        block = _text_block(text, size, bold, self.width, self.margin, gap)
        self.image.paste(block, (0, self.y))
        self.y += block.height

    def rule(self) -> None:
        self.y += 6
        self.draw.line((self.margin, self.y, self.width - self.margin, self.y), fill=0, width=3)
        self.y += 16

    def boxed(self, text: str, size: int) -> None:
        font = _font(True, size)
        left, top, right, bottom = (int(v) for v in self.draw.textbbox((0, 0), text, font=font))
        pad = 10
        x = (self.width - (right - left)) // 2
        self.draw.rectangle((x - pad, self.y, x + (right - left) + pad, self.y + (bottom - top) + 2 * pad), fill=0)
        self.draw.text((x - left, self.y + pad - top), text, font=font, fill=255)
        self.y += (bottom - top) + 2 * pad + 12

    def paste(self, image: Image.Image) -> None:
        self.image.paste(image, ((self.width - image.width) // 2, self.y))
        self.y += image.height + 8

    def result(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y + self.margin)).point(lambda v: 0 if v < 160 else 255, "1")


def qr_image(text: str, box: int = 6) -> Image.Image:
    code = qrcode.QRCode(box_size=box, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def render_ticket(content: TicketContent, width: int = 576, include_qr: bool = True) -> Image.Image:
    """The ticket as a 1-bit image `width` dots wide, the QR code last. For printing, leave the QR out:
    the driver adds it (GS ( k, or as an image), so that one image serves every printer."""
    check_glyphs(content)
    scale = width / 576
    canvas = _Canvas(width)

    def px(size: int) -> int:
        return max(12, round(size * scale))

    canvas.text(content.centre_name, px(26), bold=True)
    if content.point_name:
        canvas.text(content.point_name, px(24))
    canvas.rule()
    canvas.text("SỐ THỨ TỰ", px(30), bold=True, gap=2)
    number_size = px(190)
    while number_size > 40 and _font(True, number_size).getlength(content.number) > width - 2 * canvas.margin:
        number_size -= 10  # four-digit numbers (A0001) still fit the paper
    canvas.text(content.number, number_size, bold=True, gap=4)
    if content.priority:
        canvas.boxed("ƯU TIÊN", px(36))
    canvas.text(content.service_name, px(36), bold=True)
    canvas.text(counters_line(content), px(40), bold=True)
    canvas.rule()
    canvas.text(wait_line(content), px(30))
    canvas.text(f"Lấy số lúc {content.issued_at:%H:%M} ngày {content.issued_at:%d/%m/%Y}", px(26))
    if content.documents:
        canvas.rule()
        canvas.text(documents_heading(content), px(26), bold=True)
        for line in content.documents:
            canvas.text(f"- {line}", px(24))
        canvas.rule()
    else:
        canvas.text(content.prepare, px(26))
    canvas.text(_QR_CAPTION, px(22))
    if include_qr:
        canvas.paste(qr_image(content.qr_text, box=max(3, round(8 * scale))))
    return canvas.result()


def ticket_width(device: PrinterDevice) -> int:
    return profile_width(device.profile, device.width_px)


def ticket_bytes(content: TicketContent, device: PrinterDevice) -> bytes:
    """The exact ESC/POS stream the configured printer receives for this ticket."""
    image = render_ticket(content, ticket_width(device), include_qr=False)
    return encode_ticket(image, content.qr_text, profile=device.profile, width_px=ticket_width(device),
                         native_qr=device.native_qr)
