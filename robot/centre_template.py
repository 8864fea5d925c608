"""A starter centre file for a new ward (`letan init`): pure functions from a few answers to YAML text.

The text is written by hand, not dumped, so that every section carries a comment for the technician
who edits it next. Vietnamese strings are written as YAML double-quoted scalars (UTF-8, not escaped).
The result is meant to pass `letan config check` as it is: every procedure the catalogue handles at
commune level goes to a chosen service or, when its service was not chosen, to `referrals`; each
service has at least one counter; the floor map is a placeholder laid out for the number of counters.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from dialogs.catalogue import Catalogue, Procedure

SITE_ID_RULE = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # the rule of robot.config.Site.id
CENTRE_PREFIX = "Trung tâm phục vụ hành chính công "
DEVICE_PROFILES = ("real", "sim")
MAX_COUNTERS = 99  # robot.config.Counter.number
MAX_TEXT = 200


@dataclass(frozen=True)
class StandardService:
    """One service (queue) a ward centre usually has, with the catalogue procedures that belong to it."""

    id: str
    name: str  # Vietnamese, on tickets and the screen
    label: str  # Vietnamese, a counter's label when it serves only this service
    belongs: Callable[[Procedure], bool]
    referral: str  # Vietnamese, said when this service is not at the centre; {police} = "Công an phường X"

    def procedures(self, catalogue: Catalogue) -> list[str]:
        return [p.id for p in catalogue.procedures if p.handled_at_commune and self.belongs(p)]


_ASK_THE_DESK = "Trung tâm không giải quyết thủ tục này; mời ông/bà hỏi bàn hướng dẫn."

# The services of the sample centres (config/centres/), in ticket-prefix order. Together they take every
# procedure of the catalogue: service_group is a closed set (dialogs.catalogue.ServiceGroup), and
# tu_phap_ho_tich is split by field into certification and civil status, as centres split their counters.
STANDARD_SERVICES: tuple[StandardService, ...] = (
    StandardService("chung_thuc", "Chứng thực", "Chứng thực",
                    lambda p: p.service_group == "tu_phap_ho_tich" and p.field == "Chứng thực", _ASK_THE_DESK),
    StandardService("ho_tich", "Tư pháp - Hộ tịch", "Hộ tịch",
                    lambda p: p.service_group == "tu_phap_ho_tich" and p.field != "Chứng thực", _ASK_THE_DESK),
    StandardService("van_hoa_xa_hoi", "Văn hóa - Xã hội", "Văn hóa - Xã hội",
                    lambda p: p.service_group == "van_hoa_xa_hoi", _ASK_THE_DESK),
    StandardService("kinh_te_do_thi", "Kinh tế - Hạ tầng - Đô thị", "Đất đai - Xây dựng - Kinh doanh",
                    lambda p: p.service_group == "kinh_te_do_thi", _ASK_THE_DESK),
    StandardService("cu_tru", "Cư trú - Căn cước", "Công an: cư trú",
                    lambda p: p.service_group == "cong_an_cu_tru",
                    "Thủ tục cư trú và căn cước làm tại {police}, hoặc nộp trực tuyến trên ứng dụng VNeID."),
    StandardService("huong_dan", "Hướng dẫn - Hỗ trợ nộp trực tuyến", "Hướng dẫn nộp trực tuyến",
                    lambda p: p.service_group == "huong_dan", _ASK_THE_DESK),
)
SERVICE_IDS = tuple(s.id for s in STANDARD_SERVICES)
# The catalogue's service groups, accepted as names for the services they cover.
SERVICE_ALIASES: dict[str, tuple[str, ...]] = {
    "tu_phap_ho_tich": ("chung_thuc", "ho_tich"),
    "cong_an_cu_tru": ("cu_tru",),
}


class TemplateError(ValueError):
    """An answer that cannot go into a centre file; the message is one English line for a technician."""


@dataclass(frozen=True)
class CentreAnswers:
    site_id: str
    name: str
    address: str
    counters: int
    services: tuple[str, ...]  # ids of STANDARD_SERVICES, in that order
    profile: str = "real"
    timezone: str = "Asia/Ho_Chi_Minh"
    robot_id: str = "robot-1"


def ascii_slug(text: str) -> str:
    """'phường Cửa Nam' -> 'phuong-cua-nam'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def locality(name: str) -> str | None:
    """The ward or commune a centre's name ends with: '... hành chính công phường Cửa Nam' -> 'phường Cửa Nam'."""
    match = re.search(r"\b((?:phường|xã|đặc khu)\s+\S.*)$", unicodedata.normalize("NFC", name), re.IGNORECASE)
    return match.group(1).strip() if match else None


def site_id_from_name(name: str) -> str:
    """A site id from a centre's name: the ward's name without its kind ('phường Cửa Nam' -> 'cua-nam')."""
    place = locality(name)
    if place is not None:
        place = re.sub(r"^(phường|xã|đặc khu)\s+", "", place, flags=re.IGNORECASE)
    return ascii_slug(place if place else name)


def check_site_id(value: str) -> str:
    if not SITE_ID_RULE.match(value):
        raise TemplateError(
            f"site id {value!r} is not valid: expected lower-case letters a-z, digits and '-', starting with a "
            "letter or digit (e.g. cua-nam); it names the centre in MQTT topics")
    return value


def check_text(what: str, value: str, *, required: bool = True) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise TemplateError(f"{what} is empty: expected Vietnamese text, e.g. {CENTRE_PREFIX}phường Cửa Nam")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise TemplateError(f"{what} contains control characters: expected plain text on one line")
    if len(text) > MAX_TEXT:
        raise TemplateError(f"{what} has {len(text)} characters: expected at most {MAX_TEXT}")
    return text


def parse_services(value: str) -> tuple[str, ...]:
    """'chung_thuc, ho_tich' -> the chosen service ids in the standard order; 'all' -> all of them."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not names:
        raise TemplateError(f"no services given: expected a comma-separated list of {', '.join(SERVICE_IDS)}")
    chosen: set[str] = set()
    for name in names:
        if name == "all":
            chosen.update(SERVICE_IDS)
        elif name in SERVICE_IDS:
            chosen.add(name)
        elif name in SERVICE_ALIASES:
            chosen.update(SERVICE_ALIASES[name])
        else:
            raise TemplateError(f"unknown service {name!r}: expected some of {', '.join(SERVICE_IDS)} (or all)")
    return tuple(s for s in SERVICE_IDS if s in chosen)


def check_counters(value: int) -> int:
    if not 1 <= value <= MAX_COUNTERS:
        raise TemplateError(f"{value} counters: expected 1 to {MAX_COUNTERS}")
    return value


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it), UTF-8 kept as it is."""
    return json.dumps(text, ensure_ascii=False)


def _num(value: float) -> str:
    return f"{round(value, 2):g}" if value != int(value) else f"{int(value)}.0"


def counter_services(counters: int, services: Sequence[str]) -> list[list[str]]:
    """Services of each counter: each service gets at least one counter; more counters than services repeat
    the services in order, fewer counters share them (counter i serves services i, i + counters, ...)."""
    return [list(services[i::counters]) if counters < len(services) else [services[i % len(services)]]
            for i in range(counters)]


def _holidays(year: int) -> list[str]:
    """Public holidays on fixed solar dates (Tết and the Hùng Kings' day follow the lunar calendar)."""
    return [f"{y}-{md}" for y in (year, year + 1) for md in ("01-01", "04-30", "05-01", "09-02")]


def centre_yaml(answers: CentreAnswers, catalogue: Catalogue, *, today: date) -> str:
    """The starter centre file's text."""
    by_id = {s.id: s for s in STANDARD_SERVICES}
    chosen = [by_id[s] for s in answers.services]
    skipped = [s for s in STANDARD_SERVICES if s.id not in answers.services]
    place = locality(answers.name)
    police = f"Công an {place}" if place else "Công an phường, xã nơi cư trú"
    point_id = "trung-tam"
    n = answers.counters
    width = float(max(12, 3 * n + 1))
    height = 12.0
    xs = [width / 2] if n == 1 else [2.0 + i * (width - 4.0) / (n - 1) for i in range(n)]
    mid = width / 2
    assigned = counter_services(n, answers.services)
    label = {s.id: s.label for s in STANDARD_SERVICES}

    out: list[str] = []
    add = out.append
    add(f"# Centre file: {answers.name}")
    add(f"# Written by `letan init` on {today.isoformat()}. After every edit run: letan config check <this file>")
    add("# Every field is described in README.md, \"Configure a new centre\". Keep this file UTF-8: names, labels")
    add("# and referrals are what citizens read and hear, in plain Vietnamese with full diacritics.")
    add("")
    add("# The centre. `id` names it in MQTT topics (letan/v1/<id>/...): lower-case letters, digits and '-'.")
    add("# `name` and `address` are printed on tickets and shown on the screen.")
    add("site:")
    add(f"  id: {answers.site_id}")
    add(f"  name: {_q(answers.name)}")
    add(f"  address: {_q(answers.address)}")
    add(f"  timezone: {answers.timezone}")
    add("")
    add("# When citizens can take a ticket: per weekday a morning and/or afternoon session, HH:MM.")
    add("# `last_ticket` is the last time a ticket is issued. Put the centre's published hours here; a day that")
    add("# is not listed is closed. closed_dates: public holidays; add Tết and the Hùng Kings' day every year.")
    add("opening_hours:")
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        add(f"  {day}:")
        add("    morning: {open: '08:00', close: '12:00', last_ticket: '11:30'}")
        add("    afternoon: {open: '13:30', close: '17:00', last_ticket: '16:30'}")
    add("  saturday:")
    add("    morning: {open: '08:00', close: '12:00', last_ticket: '11:30'}")
    add(f"  closed_dates: [{', '.join(repr(d) for d in _holidays(today.year))}]")
    add("")
    add("# Services: one queue each. `prefix` is the ticket's letter (A012), one capital letter used once;")
    add("# `daily_cap` the most tickets a day; `procedures` the catalogue's procedures it handles")
    add("# (`letan procedures` lists them). Move a procedure between services, or to referrals, as the centre works.")
    add("services:")
    for index, svc in enumerate(chosen):
        add(f"- id: {svc.id}")
        add(f"  name: {_q(svc.name)}")
        add(f"  prefix: {chr(ord('A') + index)}")
        add("  daily_cap: 300")
        add(f"  procedures: [{', '.join(svc.procedures(catalogue))}]")
    add("")
    add("# Procedures this centre does not handle: what the robot tells the citizen instead (where to go), in")
    add("# plain Vietnamese without digits. Every procedure of the catalogue handled by a ward is either in a")
    add("# service above or here. Replace the general sentences below with the real place.")
    referrals = [(pid, svc.referral.format(police=police)) for svc in skipped for pid in svc.procedures(catalogue)]
    if referrals:
        add("referrals:")
        for pid, text in referrals:
            add(f"  {pid}: {_q(text)}")
    else:
        add("referrals: {}")
    add("")
    add("# Reception points: the centre's hall (and satellite points, if any). Each counter has its number, the")
    add("# label shown on the screen, the services it serves and its place on the floor map; `open: false`")
    add(f"# closes it. The floor map is a placeholder for {n} counter(s) along the back wall of a")
    add(f"# {_num(width)} x {_num(height)} m hall: measure the real hall and correct it. x and y are metres from the")
    add("# left corner of the entrance wall; `edges` are the walkable lines between locations (the robot only")
    add("# moves along them); `walls` are drawn and used by the simulator. Check a route with")
    add("# `letan nav route --config <this file> --to counter_1`.")
    add("reception_points:")
    add(f"- id: {point_id}")
    add(f"  name: {_q(answers.name)}")
    add(f"  address: {_q(answers.address)}")
    add("  counters:")
    for i, services in enumerate(assigned, start=1):
        add(f"  - number: {i}")
        add(f"    label: {_q(' - '.join(label[s] for s in services))}")
        add(f"    services: [{', '.join(services)}]")
        add(f"    location: counter_{i}")
    add("  floor_map:")
    add(f"    width: {_num(width)}")
    add(f"    height: {_num(height)}")
    add("    locations:")
    places = [
        ("entrance", mid, 0.8, "entrance", "Cửa ra vào"),
        ("exit", mid + 2.0, 0.8, "exit", "Lối ra"),
        ("dock", 1.2, 1.2, "dock", "Chỗ sạc của robot"),
        ("help_desk", max(1.0, mid - 4.0), 2.0, "help_desk", "Bàn hướng dẫn"),
        ("water_station", width - 1.5, 1.5, "water_station", "Khu nước uống"),
        ("photocopy", 1.5, 5.4, "photocopy", "Máy phô tô"),
        ("toilet", width - 1.2, 5.4, "toilet", "Nhà vệ sinh"),
        ("waiting_area", mid, 5.4, "waiting_area", "Ghế chờ"),
    ]
    for name, x, y, kind, text in places:
        add(f"      {name}: {{x: {_num(x)}, y: {_num(y)}, kind: {kind}, label: {_q(text)}}}")
    for name, x in (("hall_w", 2.5), ("hall_c", mid), ("hall_e", width - 2.5)):
        add(f"      {name}: {{x: {_num(x)}, y: 3.0, kind: waypoint}}")
    for i, x in enumerate(xs, start=1):
        add(f"      front_{i}: {{x: {_num(x)}, y: 8.0, kind: waypoint}}")
        add(f"      counter_{i}: {{x: {_num(x)}, y: 9.2, kind: counter, label: {_q(f'Quầy số {i}')}}}")
    add("    edges:")
    edges = [(f"front_{i}", f"counter_{i}") for i in range(1, n + 1)]
    edges += [(f"front_{i}", f"front_{i + 1}") for i in range(1, n)]
    edges += [("entrance", "hall_c"), ("exit", "hall_c"), ("dock", "hall_w"), ("help_desk", "hall_c"),
              ("hall_w", "hall_c"), ("hall_c", "hall_e"), ("water_station", "hall_e"), ("hall_w", "photocopy"),
              ("hall_e", "toilet"), ("hall_c", "waiting_area"), ("photocopy", "front_1"), ("toilet", f"front_{n}"),
              ("waiting_area", f"front_{(n + 1) // 2}")]
    for a, b in edges:
        add(f"    - [{a}, {b}]")
    add("    walls:")
    w, h = _num(width), _num(height)
    for wall in (f"0, 0, {w}, 0", f"{w}, 0, {w}, {h}", f"{w}, {h}, 0, {h}", f"0, {h}, 0, 0"):
        add(f"    - [{wall}]")
    for x in xs:
        add(f"    - [{_num(x - 0.9)}, 9.8, {_num(x + 0.9)}, 9.8]")
    add("")
    add("# The robot: its id in MQTT topics, the reception point it stands in and its base (the charging dock).")
    add(f"robot: {{id: {answers.robot_id}, point: {point_id}, base: dock}}")
    add("")
    add("# Devices. profile real: the devices below, on this machine (`letan run`); `letan sim` always replaces")
    add("# them with simulated ones. Fill in each device the robot has, then run `letan doctor --config <this file>`")
    add("# and fix every red line.")
    add("devices:")
    add(f"  profile: {answers.profile}")
    add("  # Ticket printer (ESC/POS), one of: {kind: network, host: 192.168.1.50, port: 9100}")
    add("  #   {kind: usb, usb_vendor: 0x0416, usb_product: 0x5011}   {kind: serial, device: /dev/ttyUSB0}")
    add("  # width_px: 576 for 80 mm paper, 384 for 58 mm.")
    add("  printer: {kind: none, width_px: 576}")
    add("  # QR scanner for dossier receipts: {kind: serial, device: /dev/ttyACM0, baudrate: 9600},")
    add("  #   {kind: camera, device: /dev/video0} or {kind: keyboard}.")
    add("  scanner: {kind: none}")
    add("  # Presence camera (greets people stepping up): a device such as /dev/video0, an index or a URL.")
    add("  # camera: /dev/video0")
    add("  # Drive motors: {kind: zlac8015d, port: /dev/ttyUSB1} or {kind: mcu}; none for a kiosk that stays put.")
    add("  drive: {kind: none}")
    add("  # Microcontroller (battery, bumpers, dispenser): {port: /dev/ttyUSB2, baudrate: 115200}")
    add("  # mcu: {port: /dev/ttyUSB2}")
    add("  # Sound: ALSA device names (`aplay -L`, `arecord -L`); none = the default devices.")
    add("  # audio: {input: default, output: default}")
    add("")
    add("# MQTT, for centre staff (monitor, counters). url null: a broker embedded in letan on this machine.")
    add("# For the centre's mosquitto broker run `letan mqtt setup --config <this file> --out DIR` and put the")
    add("# mqtt section its credentials sheet ends with (url, username, password) here (docs/install.md).")
    add("mqtt:")
    add("  url: null")
    add("")
    add("# Queue: priority tickets (elderly, disabled, pregnant) are called one after every `priority_every`")
    add("# normal ones (interleave) or always first (strict). `db` would name the queue database; leave it out:")
    add("# it is then <site id>-queue.sqlite3 in letan's state directory (/var/lib/letan under the service).")
    add("# Relative paths in this file are relative to the file's folder.")
    add("queue:")
    add("  priority_mode: interleave")
    add("  priority_every: 3")
    add("")
    add("# Conversation: how the robot addresses citizens (auto, ông/bà, anh/chị, bác); speech engine text =")
    add("# typed or touch input; vosk or viet-asr listen on the microphone (see docs/conversation.md);")
    add("# barge_in: true lets a citizen speaking over the robot stop its sentence and be heard.")
    add("dialog:")
    add("  address: auto")
    add("  speech: {engine: text, barge_in: false}")
    add("")
    add("# The citizen's touch screen, served by letan on this machine. The kiosk's Chromium")
    add("# shows it: `letan service install` reads this port (docs/install.md). orientation: portrait (1080x1920),")
    add("# landscape (1920x1080) or tablet (800x1280); after idle_timeout_s without a touch it starts over.")
    add("screen:")
    add("  host: 127.0.0.1")
    add("  port: 8080")
    add("  orientation: portrait")
    add("  idle_timeout_s: 60")
    add("")
    add("# Dossier lookup from the QR code on a receipt: sqlite = statuses imported with `letan dossier import`;")
    add("# http = the province's service (url_template with {code}; see docs/qr-dossier.md).")
    add("dossier:")
    add("  provider: sqlite")
    return "\n".join(out) + "\n"


__all__ = [
    "SERVICE_IDS",
    "STANDARD_SERVICES",
    "CentreAnswers",
    "TemplateError",
    "centre_yaml",
    "check_site_id",
    "check_text",
    "parse_services",
    "site_id_from_name",
]
