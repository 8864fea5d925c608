"""What the citizen's screen shows: the centre's fixed data, the screen's state, and its HTML.

`ScreenData` is built once from the centre file and the catalogue (fields and their procedures, each
procedure's citizen text and counters, places and the floor map, opening hours, referral topics).
`ScreenModel` is the state of the one screen (the view, what the citizen typed, the ticket, the last lines
said and heard); it lives in the application, never in the browser, and is replaced by a fresh one when the
screen goes idle. `render` turns both into the HTML fragment every browser on the screen URL shows.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dialogs.catalogue import Catalogue
from dialogs.normalize import normalize
from robot.config import CentreConfig, ScreenSettings
from robot.paths import package_folder
from robot.web.search import Hit

TEMPLATES = package_folder("robot.web", "templates")  # package data of the wheel

# The home screen's fields: id, label, catalogue fields (a catalogue field starting with one of them).
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ho_tich", "Hộ tịch", ("Hộ tịch", "Liên thông")),
    ("chung_thuc", "Chứng thực", ("Chứng thực",)),
    ("cu_tru", "Cư trú", ("Cư trú", "Căn cước")),
    ("dat_dai", "Đất đai – xây dựng", ("Đất đai", "Xây dựng")),
    ("xa_hoi", "Chính sách xã hội", ("Bảo trợ xã hội", "Giảm nghèo", "Bảo hiểm y tế")),
    ("kinh_doanh", "Kinh doanh", ("Hộ kinh doanh",)),
)
QUESTIONS = ("documents", "fee", "duration", "counter")
WEEKDAYS = (("monday", "Thứ hai"), ("tuesday", "Thứ ba"), ("wednesday", "Thứ tư"), ("thursday", "Thứ năm"),
            ("friday", "Thứ sáu"), ("saturday", "Thứ bảy"), ("sunday", "Chủ nhật"))
# Floor-map kinds a citizen may ask the way to (counters are reached from a procedure or a ticket).
PLACE_KINDS = ("help_desk", "waiting_area", "water_station", "toilet", "photocopy", "exit", "parking")
LINES_KEPT = 4
MAX_INPUT = 100
_DOSSIER_CHARS = re.compile(r"[^0-9A-Za-z.\-]")


@dataclass(frozen=True)
class ProcedureView:
    id: str
    name: str
    short_name: str
    field: str
    documents: tuple[tuple[str, str | None], ...]
    fee: str
    duration: str
    counters: tuple[int, ...]
    service: str | None
    referral: str | None


@dataclass(frozen=True)
class Place:
    id: str  # a floor-map location
    label: str
    x: float
    y: float
    kind: str


class ScreenData:
    """The centre's fixed data, as the screen shows it."""

    def __init__(self, centre: CentreConfig, catalogue: Catalogue):
        self.centre = centre
        self.catalogue = catalogue
        self.point = centre.point()
        self.procedures: dict[str, ProcedureView] = {}
        self.fields: list[tuple[str, str, list[str]]] = [(fid, label, []) for fid, label, _ in FIELDS]
        other: list[str] = []
        for proc in catalogue.procedures:
            service = centre.service_for_procedure(proc.id)
            counters = tuple(c.number for c in centre.counters_for_service(service.id)) if service else ()
            referral = None
            if service is None:
                referral = proc.citizen.referral or centre.referrals.get(proc.id) or proc.referral or ""
            self.procedures[proc.id] = ProcedureView(
                proc.id, proc.name, proc.short_name, proc.field,
                tuple((d.text, d.when) for d in proc.citizen.documents), proc.citizen.fee, proc.citizen.duration,
                counters, service.id if service else None, referral)
            for (_, _, prefixes), (_, _, ids) in zip(FIELDS, self.fields, strict=True):
                if proc.field.startswith(prefixes):
                    ids.append(proc.id)
                    break
            else:
                other.append(proc.id)
        self.other = other  # in no field of the home screen (found by the search box)
        self.field_ids = {fid for fid, _, _ in self.fields}
        fmap = self.point.floor_map
        self.places = [Place(name, loc.label or name, loc.x, loc.y, loc.kind) for name, loc in fmap.locations.items()
                       if loc.kind in PLACE_KINDS]
        self.place_ids = {p.id for p in self.places}
        self.counters = {c.number: c for c in self.point.counters}
        self.base = centre.robot.base or fmap.first_of_kind("dock") or next(iter(fmap.locations))
        self.topics = [(t.id, t.name, centre.referrals.get(t.id, t.where)) for t in catalogue.referrals.topics]
        self.topic_ids = {t for t, _, _ in self.topics}
        self.hours = self._hours()

    def _hours(self) -> list[tuple[str, str]]:
        rows = []
        hours = self.centre.opening_hours
        for key, label in WEEKDAYS:
            day = getattr(hours, key)
            sessions = [s for s in (day.morning, day.afternoon) if s is not None] if day is not None else []
            text = ", ".join(f"{s.open} – {s.close}" for s in sessions) or "Nghỉ"
            rows.append((label, text))
        return rows

    def last_tickets(self) -> str:
        """'Nhận phiếu số đến 11:30 và 16:30' from the first working day's sessions."""
        hours = self.centre.opening_hours
        for key, _ in WEEKDAYS:
            day = getattr(hours, key)
            if day is None:
                continue
            cuts = [s.last_ticket for s in (day.morning, day.afternoon) if s is not None and s.last_ticket]
            if cuts:
                return "Phát số thứ tự đến " + " và ".join(cuts) + " mỗi buổi."
        return ""

    def valid_choice(self, choice: str) -> bool:
        """A touch the dialog understands, naming only what exists here (anything else is ignored)."""
        parts = choice.split(":")
        head, rest = parts[0], parts[1:]
        if not rest:
            return head in ("yes", "no", "take_number", "human_help", "refreshment", "goodbye", "lookup_dossier",
                            "repeat", "centre_hours")
        if head == "procedure":
            return rest[0] in self.procedures and (len(rest) == 1 or (len(rest) == 2 and rest[1] in QUESTIONS))
        if head == "take_number":
            return len(rest) == 1 and rest[0] in self.procedures
        if head == "directions":
            if rest[0] == "counter":
                return len(rest) == 2 and rest[1].isdigit() and int(rest[1]) in self.counters
            return len(rest) == 1 and rest[0] in self.place_ids
        if head == "refreshment":
            return len(rest) == 1 and rest[0] in ("water", "candy")
        if head == "referral":
            return len(rest) == 1 and rest[0] in self.topic_ids
        return False

    def location_of(self, place: str) -> str | None:
        if place.startswith("counter:"):
            counter = self.counters.get(int(place.split(":")[1]))
            return counter.location if counter else None
        return place if place in self.place_ids else None

    def floor_map(self, goal: str | None) -> dict[str, Any]:
        """The floor map for an SVG: walls, labelled places, and the route from the robot's base to `goal`."""
        from robot.navigation.planner import UnknownLocation, Unreachable, plan

        fmap = self.point.floor_map
        height = fmap.height
        route: list[tuple[float, float]] = []
        if goal is not None:
            try:
                route = list(plan(fmap, self.base, goal).points)
            except (UnknownLocation, Unreachable):
                route = []
        numbers = {c.location: str(c.number) for c in self.point.counters}
        labelled = [(loc.x, height - loc.y, numbers.get(name, loc.label), name == goal)
                    for name, loc in fmap.locations.items() if loc.kind not in ("waypoint", "dock") and loc.label]
        base = fmap.locations[self.base]
        return {
            "width": fmap.width, "height": height,
            "walls": [(x1, height - y1, x2, height - y2) for x1, y1, x2, y2 in fmap.walls],
            "places": labelled,
            "route": " ".join(f"{x:.2f},{height - y:.2f}" for x, y in route),
            "here": (base.x, height - base.y),
        }


@dataclass
class ScreenModel:
    """The one screen's state. Fresh (everything cleared) when the screen goes idle."""

    view: str = "attract"
    arg: str | None = None
    text: str = ""  # typed on the keyboard: the search box or the dossier code
    seq: int = 0  # the controller's last keyboard message handled
    results: list[Hit] = field(default_factory=list)
    ticket: dict[str, Any] | None = None
    dossier: str | None = None  # the answer to the last lookup
    awaiting_dossier: bool = False
    lines: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=LINES_KEPT))
    buttons: list[tuple[str, str]] = field(default_factory=list)
    large: bool = False
    guiding: bool = False
    called: str | None = None  # the last number a counter called

    def go(self, view: str, arg: str | None = None) -> None:
        if (view, arg) != (self.view, self.arg):
            self.text, self.results = "", []
        self.view, self.arg = view, arg

    def heard(self, text: str) -> None:
        shown = normalize(text[:MAX_INPUT]) or text[:MAX_INPUT]
        self.lines.append(("citizen", shown))

    def said(self, text: str, key: str | None) -> None:
        if key == "announce":
            self.called = text
            return
        self.lines.append(("robot", text))
        if self.awaiting_dossier:
            self.dossier, self.awaiting_dossier = text, False
        if self.view == "attract":
            self.go("home")


def dossier_text(text: str) -> str:
    """What may stand in the dossier code box: letters, digits, dots and dashes."""
    return _DOSSIER_CHARS.sub("", text.upper())[:40]


def offer_buttons(conversation: dict[str, Any] | None, data: ScreenData) -> list[tuple[str, str]] | None:
    """What the robot offers, as buttons (label, touch choice); None when the conversation is busy."""
    if conversation is None:
        return None
    offer, choices = conversation["offer"], conversation["choices"]
    if offer == "ticket":
        return [("Lấy số", "yes"), ("Không, cảm ơn", "no")]
    if offer == "procedures" and len(choices) >= 2:
        names = [(data.procedures[c].short_name.capitalize(), f"procedure:{c}") for c in choices
                 if c in data.procedures]
        return [*names, ("Không phải", "no")]
    if offer == "procedures":
        return [("Đúng rồi", "yes"), ("Không phải", "no")]
    if offer == "staff":
        return [("Gọi cán bộ", "yes"), ("Không cần", "no")]
    if conversation["active"] and conversation["state"] == "anything_else":
        return [("Có", "yes"), ("Không, cảm ơn", "goodbye")]
    return []


class Renderer:
    def __init__(self, data: ScreenData, settings: ScreenSettings):
        self.data = data
        self.settings = settings
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self._screen = self.env.get_template("screen.html")
        self._page = self.env.get_template("page.html")

    def page(self, mirror: bool) -> str:
        return self._page.render(settings=self.settings, site=self.data.centre.site, mirror=mirror)

    def screen(self, model: ScreenModel) -> str:
        data = self.data
        context: dict[str, Any] = {"m": model, "d": data, "site": data.centre.site}
        if model.view == "procedure" and model.arg in data.procedures:
            context["proc"] = data.procedures[model.arg]
        if model.view == "field":
            context["field"] = next((f for f in data.fields if f[0] == model.arg), None)
        if model.view == "directions":
            goal = data.location_of(model.arg) if model.arg else None
            context["map"] = data.floor_map(goal)
            context["goal"] = next((p for p in data.places if p.id == goal), None)
        if model.view == "referral":
            context["topic"] = next((t for t in data.topics if t[0] == model.arg), None)
        return self._screen.render(**context)
