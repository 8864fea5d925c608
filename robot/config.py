"""Centre configuration: typed models, loading and cross-validation.

A centre file (config/centres/*.yaml) describes one ward/commune centre: the site, opening
hours, services, reception points with their counters and floor map, the robot's device
profile and the MQTT broker. `load_centre()` returns a validated `CentreConfig` or raises
`ConfigError` carrying one `ConfigProblem` per problem (file, field path, found, expected),
never a traceback.
"""

from __future__ import annotations

import math
import os
import re
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dialogs.catalogue import Catalogue, citizen_string_problems, find_citizen_text_problems, load_catalogue
from dialogs.referrals import parse_referrals
from robot.paths import DEFAULT_CATALOGUE

if TYPE_CHECKING:  # networkx is imported by graph() only: loading a centre file stays fast (issue 14)
    import networkx as nx

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")  # seconds allowed: a 24-hour centre closes 23:59:59


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# Robot ids that would collide with the site's own topics (letan/v1/{site}/queue/..., .../counter/...).
RESERVED_ROBOT_IDS = frozenset({"queue", "counter", "board", "staff"})


def _topic_prefix(value: str) -> str:
    """An MQTT topic prefix: levels separated by '/', none empty, no wildcard."""
    if not value or any(ch in value for ch in "#+\0") or any(not level for level in value.split("/")):
        raise ValueError("a topic prefix such as 'letan/v1': no '#', '+', empty level or leading/trailing '/'")
    return value


def _parse_hhmm(value: str) -> time:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"expected a time as HH:MM (or HH:MM:SS), found {value!r}")
    hours, minutes, *seconds = (int(part) for part in value.split(":"))
    return time(hours, minutes, seconds[0] if seconds else 0)


class Session(_Model):
    """One opening session (morning or afternoon) of a day."""

    open: str
    close: str
    last_ticket: str | None = Field(default=None, description="Cut-off for issuing tickets (default: close)")

    @field_validator("open", "close", "last_ticket")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_hhmm(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Session:
        if _parse_hhmm(self.open) >= _parse_hhmm(self.close):
            raise ValueError(f"session opens at {self.open} but closes at {self.close}: expected open < close")
        if self.last_ticket is not None and not (
            _parse_hhmm(self.open) < _parse_hhmm(self.last_ticket) <= _parse_hhmm(self.close)
        ):
            raise ValueError(f"last_ticket {self.last_ticket} is outside {self.open}-{self.close}")
        return self

    @property
    def opens(self) -> time:
        return _parse_hhmm(self.open)

    @property
    def closes(self) -> time:
        return _parse_hhmm(self.close)

    @property
    def cutoff(self) -> time:
        return _parse_hhmm(self.last_ticket or self.close)


class DayHours(_Model):
    morning: Session | None = None
    afternoon: Session | None = None

    @model_validator(mode="after")
    def _morning_before_afternoon(self) -> DayHours:
        if self.morning and self.afternoon and self.morning.closes > self.afternoon.opens:
            raise ValueError(
                f"morning closes at {self.morning.close} after the afternoon opens at {self.afternoon.open}"
            )
        return self

    def sessions(self) -> list[Session]:
        return [s for s in (self.morning, self.afternoon) if s is not None]


class OpeningHours(_Model):
    monday: DayHours | None = None
    tuesday: DayHours | None = None
    wednesday: DayHours | None = None
    thursday: DayHours | None = None
    friday: DayHours | None = None
    saturday: DayHours | None = None
    sunday: DayHours | None = None
    closed_dates: tuple[date, ...] = Field(default=(), description="Public holidays and other closed days")

    def for_date(self, day: date) -> DayHours | None:
        if day in self.closed_dates:
            return None
        hours: DayHours | None = getattr(self, WEEKDAYS[day.weekday()])
        return hours


class Site(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Used in MQTT topics")
    name: str
    address: str
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, expected an IANA name such as Asia/Ho_Chi_Minh") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Service(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    prefix: str = Field(pattern=r"^[A-Z]$", description="Ticket prefix letter")
    daily_cap: int = Field(default=500, ge=1, le=9999)
    start: int = Field(default=1, ge=0)
    wrap: int = Field(default=999, ge=1, le=9999, description="Highest number before wrapping to start")
    digits: int = Field(default=3, ge=1, le=4)
    procedures: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _range(self) -> Service:
        if self.start >= self.wrap:
            raise ValueError(f"start {self.start} must be below wrap {self.wrap}")
        if self.wrap >= 10**self.digits:
            raise ValueError(f"wrap {self.wrap} does not fit in {self.digits} digits")
        return self


class Location(_Model):
    x: float
    y: float
    kind: Literal[
        "entrance", "counter", "waiting_area", "water_station", "toilet", "photocopy",
        "exit", "dock", "parking", "help_desk", "waypoint",
    ] = "waypoint"
    label: str = ""


class FloorMap(_Model):
    """Named locations (metres) and the walkable graph between them."""

    width: float = Field(gt=0)
    height: float = Field(gt=0)
    locations: dict[str, Location]
    edges: tuple[tuple[str, str], ...]
    walls: tuple[tuple[float, float, float, float], ...] = Field(
        default=(), description="Wall segments x1,y1,x2,y2 for rendering and the simulated world"
    )

    def graph(self) -> nx.Graph:
        import networkx as nx

        graph = nx.Graph()
        for name, loc in self.locations.items():
            graph.add_node(name, x=loc.x, y=loc.y)
        for a, b in self.edges:
            if a in self.locations and b in self.locations:
                la, lb = self.locations[a], self.locations[b]
                graph.add_edge(a, b, weight=math.hypot(la.x - lb.x, la.y - lb.y))
        return graph

    def reachable_from(self, start: str) -> set[str]:
        """The locations reachable from `start` along the edges (start included)."""
        neighbours: dict[str, set[str]] = {}
        for a, b in self.edges:
            if a in self.locations and b in self.locations:
                neighbours.setdefault(a, set()).add(b)
                neighbours.setdefault(b, set()).add(a)
        seen, todo = {start}, [start]
        while todo:
            for there in neighbours.get(todo.pop(), set()) - seen:
                seen.add(there)
                todo.append(there)
        return seen

    def first_of_kind(self, kind: str) -> str | None:
        return next((name for name, loc in self.locations.items() if loc.kind == kind), None)


class Counter(_Model):
    number: int = Field(ge=1, le=99)
    label: str = ""
    services: tuple[str, ...] = Field(min_length=1)
    location: str
    open: bool = True


class ReceptionPoint(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    address: str = ""
    counters: tuple[Counter, ...] = Field(min_length=1)
    floor_map: FloorMap


class PrinterDevice(_Model):
    kind: Literal["network", "serial", "usb", "file", "none"] = "none"
    host: str | None = None
    port: int = Field(default=9100, ge=1, le=65535)
    device: str | None = None
    baudrate: int = Field(default=115200, gt=0, le=4_000_000)
    usb_vendor: int | None = None
    usb_product: int | None = None
    profile: str = "default"
    width_px: Literal[384, 512, 576] = 576
    native_qr: bool = True


class ScannerDevice(_Model):
    kind: Literal["camera", "serial", "keyboard", "none"] = "none"
    device: str | None = None
    baudrate: int = Field(default=9600, gt=0, le=4_000_000)
    decoder: Literal["zxing", "pyzbar", "opencv"] = "zxing"
    debounce_s: float = Field(default=3.0, ge=0, description="The same code within this time triggers once")
    max_width: int = Field(default=1280, ge=160, description="Camera: frames are downscaled to this width")


class AudioDevice(_Model):
    input: str | None = None
    output: str | None = None
    output_dir: str | None = Field(default=None, description="Write spoken WAV files here instead of playing")


class DriveDevice(_Model):
    kind: Literal["zlac8015d", "mcu", "none"] = "none"
    port: str | None = None
    baudrate: int = Field(default=115200, gt=0, le=4_000_000)
    wheel_radius_m: float = Field(default=0.0825, gt=0, le=1)
    wheel_base_m: float = Field(default=0.40, gt=0, le=3)


class McuDevice(_Model):
    port: str | None = None
    baudrate: int = Field(default=115200, gt=0, le=4_000_000)


class Devices(_Model):
    profile: Literal["sim", "real"] = "sim"
    printer: PrinterDevice = PrinterDevice()
    scanner: ScannerDevice = ScannerDevice()
    camera: str | None = Field(default=None, description="Presence camera: device index, path or URL")
    presence: Literal["face", "person", "motion", "none"] = Field(
        default="face", description="How the camera notices someone stepping up (drivers/presence.py); none: touch")
    presence_leave_s: float = Field(default=3.0, gt=0, le=60,
                                    description="Nobody seen this long: the person has gone (the next is greeted)")
    camera_reads_codes: bool = Field(
        default=False, description="Also decode QR codes held up to the camera, besides devices.scanner")
    audio: AudioDevice = AudioDevice()
    drive: DriveDevice = DriveDevice()
    mcu: McuDevice = McuDevice()
    can_move: bool = True


class MqttSettings(_Model):
    url: str | None = Field(default=None, description="mqtt://[user:pass@]host:port; none = embedded broker")
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str | None = None
    topic_root: str = "letan/v1"
    discovery_prefix: str = "homeassistant"
    embedded_port: int = Field(default=1883, ge=1, le=65535, description="Port of the embedded broker (no url)")
    outbox: str | None = Field(
        default=None,
        description="SQLite outbox of unacknowledged events (default: {site}-outbox.sqlite3 in the state directory)",
    )
    outbox_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL", description="Outbox durability: NORMAL survives kill -9, FULL also a power cut (docs/mqtt.md)"
    )
    status_period_s: float = Field(
        default=30.0, gt=0, le=3600,
        description="Heartbeat of the retained robot status (seconds of the robot's clock); changes go out at once",
    )

    @field_validator("topic_root", "discovery_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return _topic_prefix(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            parts = urlsplit(value.strip())
            port = parts.port
            host = parts.hostname
        except ValueError as error:
            raise ValueError(f"mqtt://[user:pass@]host:port ({error})") from None
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not host or (port is not None and port < 1):
            raise ValueError("mqtt://[user:pass@]host:port (or mqtts:// for TLS)")
        return value


class QueueSettings(_Model):
    db: str | None = Field(
        default=None, description="Queue database (default: {site}-queue.sqlite3 in the state directory)"
    )
    priority_mode: Literal["strict", "interleave"] = "interleave"
    priority_every: int = Field(default=3, ge=1, description="Interleave: one priority ticket after N normal")
    default_service_minutes: float = Field(
        default=6.0, gt=0, le=240, description="Service time assumed for waiting estimates until real ones exist"
    )
    recent_services: int = Field(default=20, ge=1, description="Finished services the waiting estimate uses")


class SpeechSettings(_Model):
    engine: Literal["text", "vosk", "viet-asr"] = "text"
    model_path: str | None = None
    voice: str = "vi"
    voice_pack: str | None = None
    echo_tail_s: float = Field(default=0.4, ge=0, le=5, description="The microphone stays deaf this long after "
                               "the robot's last sample (the room's echo)")
    min_confidence: float = Field(default=0.5, ge=0, le=1, description="An utterance the engine is less sure of "
                                  "is not acted on (engines that give a confidence: Vosk)")
    min_known_share: float = Field(default=0.6, ge=0, le=1, description="Share of an utterance's words that must "
                                   "belong to phrases the robot knows for it to be acted on")
    announce_repeat: int = Field(default=2, ge=1, le=5, description="How many times a counter's call is said")
    barge_in: bool = Field(default=False, description="A citizen speaking over the robot stops its sentence and is "
                           "heard (off: the robot finishes its sentence first)")


class DialogSettings(_Model):
    address: Literal["ông/bà", "anh/chị", "bác", "auto"] = "auto"
    min_confidence: float = Field(default=0.6, ge=0, le=1)
    silence_timeout_s: float = Field(default=8.0, gt=0)
    max_misses: int = Field(default=3, ge=1)
    speech: SpeechSettings = SpeechSettings()


class DossierSettings(_Model):
    provider: Literal["sqlite", "http"] = "sqlite"
    db: str | None = Field(
        default=None, description="SQLite dossier store (default: {site}-dossiers.sqlite3 in the state directory)"
    )
    url_template: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    timeout_s: float = Field(default=3.0, gt=0)
    rate_limit_per_minute: int = Field(default=20, ge=1)
    opencps_url_template: str | None = Field(default=None, description="HTTP: URL with {id} for OpenCPS D-keys")
    username: str | None = None
    password: str | None = None
    token: str | None = Field(default=None, description="HTTP: bearer token (instead of username/password)")
    retries: int = Field(default=1, ge=0, le=5)
    breaker_failures: int = Field(default=3, ge=1, description="HTTP: failures in a row that open the circuit")
    breaker_reset_s: float = Field(default=30.0, gt=0, description="HTTP: seconds before trying a dead server")

    @model_validator(mode="after")
    def _http_needs_a_url(self) -> DossierSettings:
        if self.provider == "http" and not self.url_template:
            raise ValueError("provider http needs url_template (the status URL with {code})")
        return self


class NavigationSettings(_Model):
    """Motion limits and patience of the path follower (robot/navigation/)."""

    max_speed_mps: float = Field(default=0.5, gt=0, le=1.2, description="Indoor speed limit")
    near_people_speed_mps: float = Field(default=0.25, gt=0, description="Limit when someone is within slow_distance_m")
    guide_speed_mps: float = Field(default=0.45, gt=0, description="Pace when leading a citizen")
    walking_speed_mps: float = Field(default=0.8, gt=0, description="A citizen's own pace, for route estimates")
    slow_distance_m: float = Field(default=1.2, gt=0, description="Clearance where slowing down starts")
    stop_distance_m: float = Field(default=0.3, gt=0, description="Clearance where the robot stops and waits")
    replan_after_s: float = Field(default=3.0, gt=0, description="Blocked this long: look for another way")
    obstacle_timeout_s: float = Field(default=12.0, gt=0, description="Blocked this long: abort (obstacle)")
    stuck_timeout_s: float = Field(default=4.0, gt=0, description="Wheels not turning as commanded this long: abort")
    link_grace_s: float = Field(
        default=0.5, gt=0, le=2.0,
        description="Drive or MCU readings failing this long: abort (fault); a shorter gap: stop and retry",
    )
    control_hz: float = Field(default=20.0, ge=5, le=100)
    goal_tolerance_m: float = Field(default=0.15, gt=0)

    @model_validator(mode="after")
    def _within_the_limit(self) -> NavigationSettings:
        for name in ("guide_speed_mps", "near_people_speed_mps"):
            if getattr(self, name) > self.max_speed_mps:
                raise ValueError(f"{name} {getattr(self, name)} is above max_speed_mps {self.max_speed_mps}")
        return self


class RefreshmentSettings(_Model):
    water_capacity: int = Field(default=20, ge=0, description="Cups of water when full")
    candy_capacity: int = Field(default=30, ge=0, description="Candies when full")
    low_stock: int = Field(default=3, ge=0, description="Raise the low-stock alert at this many left")

    @model_validator(mode="after")
    def _low_below_full(self) -> RefreshmentSettings:
        full = [c for c in (self.water_capacity, self.candy_capacity) if c > 0]
        if full and self.low_stock >= min(full):
            raise ValueError(f"low_stock {self.low_stock} is not below the smallest capacity {min(full)}")
        return self


class StaffSettings(_Model):
    """The staff pages and the waiting-room board served by `letan web` (robot/web/staff, docs/staff.md)."""

    notice: str = Field(default="", max_length=300, description="One line shown at the foot of the calling board")
    session_minutes: float = Field(default=600, gt=0, le=24 * 60,
                                   description="A staff login expires after this long (a working day by default)")
    rating_idle_s: float = Field(default=90, gt=0, le=3600,
                                 description="The rating tablet goes back to its welcome after this long")


class ScreenSettings(_Model):
    """The citizen's touch screen (robot/web), served by the application itself."""

    host: str = Field(default="127.0.0.1", description="Address to bind; 127.0.0.1 keeps it on this machine")
    port: int = Field(default=8080, ge=0, le=65535, description="0: any free port (the URL is printed)")
    orientation: Literal["portrait", "landscape", "tablet"] = Field(
        default="portrait", description="portrait 1080x1920, landscape 1920x1080, tablet 800x1280")
    idle_timeout_s: float = Field(default=60.0, gt=0, le=3600,
                                  description="No touch for this long: back to the attract screen, everything cleared")


class RobotSettings(_Model):
    id: str = Field(default="robot-1", pattern=r"^[a-z0-9][a-z0-9-]*$")

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_ROBOT_IDS:
            raise ValueError(f"a robot id other than {sorted(RESERVED_ROBOT_IDS)} (they are the site's own topics)")
        return value

    point: str | None = Field(default=None, description="Reception point the robot stands in (default: first)")
    base: str | None = Field(default=None, description="Floor-map location of its base (default: the dock)")
    python_cpu: int | Literal["auto", "off"] = Field(
        default="auto",
        description="CPU for the interpreter's threads while the application runs: 'auto' (the last CPU of a machine "
                    "with two or more), a CPU number, or 'off' (see robot/cpu.py and docs/mqtt.md)",
    )
    battery_low_pct: float = Field(default=20.0, ge=0, le=100,
                                   description="Alert staff (battery_low) when the battery is at or below this "
                                               "percentage off the dock (needs an MCU with a battery gauge)")

    @field_validator("python_cpu", mode="before")
    @classmethod
    def _auto_off_or_cpu(cls, value: object) -> object:
        if value in ("auto", "off") or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            return value
        raise ValueError("'auto', 'off' or a CPU number (0, 1, ...)")


class CentreConfig(_Model):
    site: Site
    opening_hours: OpeningHours
    services: tuple[Service, ...] = Field(min_length=1)
    reception_points: tuple[ReceptionPoint, ...] = Field(min_length=1)
    referrals: dict[str, str] = Field(
        default_factory=dict, description="Procedure id -> where to go instead, for procedures not handled here"
    )
    robot: RobotSettings = RobotSettings()
    devices: Devices = Devices()
    mqtt: MqttSettings = MqttSettings()
    queue: QueueSettings = QueueSettings()
    dialog: DialogSettings = DialogSettings()
    dossier: DossierSettings = DossierSettings()
    navigation: NavigationSettings = NavigationSettings()
    refreshments: RefreshmentSettings = RefreshmentSettings()
    screen: ScreenSettings | None = Field(default=None, description="The citizen's touch screen; none: no screen")
    staff: StaffSettings = StaffSettings()

    # Filled by load_centre, not read from YAML.
    source: Path | None = Field(default=None, exclude=True)

    def service(self, service_id: str) -> Service:
        for svc in self.services:
            if svc.id == service_id:
                return svc
        raise KeyError(service_id)

    def point(self, point_id: str | None = None) -> ReceptionPoint:
        wanted = point_id or self.robot.point
        if wanted is None:
            return self.reception_points[0]
        for pt in self.reception_points:
            if pt.id == wanted:
                return pt
        raise KeyError(wanted)

    def service_for_procedure(self, procedure_id: str) -> Service | None:
        return next((s for s in self.services if procedure_id in s.procedures), None)

    def counters_for_service(self, service_id: str, point_id: str | None = None) -> list[Counter]:
        return [c for c in self.point(point_id).counters if service_id in c.services and c.open]

    def resolve_path(self, value: str) -> Path:
        """A path from the config: absolute (`~` expanded), or relative to the centre file's folder (to the state
        directory for a config not read from a file), never to the working directory or letan's own folder."""
        from robot.paths import state_dir

        path = Path(value).expanduser()
        if path.is_absolute():
            return path
        base = self.source.parent if self.source is not None else state_dir()
        return base / path

    def _state_file(self, value: str | None, name: str) -> Path:
        from robot.paths import state_dir

        return self.resolve_path(value) if value else state_dir() / f"{self.site.id}-{name}"

    def queue_db_path(self) -> Path:
        """The queue database: queue.db, else {site}-queue.sqlite3 in the state directory."""
        return self._state_file(self.queue.db, "queue.sqlite3")

    def dossier_db_path(self) -> Path:
        """The SQLite dossier store: dossier.db, else {site}-dossiers.sqlite3 in the state directory."""
        return self._state_file(self.dossier.db, "dossiers.sqlite3")

    def outbox_path(self) -> Path:
        """The MQTT outbox: mqtt.outbox, else {site}-outbox.sqlite3 in the state directory."""
        return self._state_file(self.mqtt.outbox, "outbox.sqlite3")

    def now(self) -> datetime:
        return datetime.now(self.site.tz)


# ---------------------------------------------------------------------------------------------
# Problems and loading


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration file, for technicians."""

    file: str
    path: str
    found: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: found {self.found}; expected {self.expected}"


class ConfigError(Exception):
    def __init__(self, problems: Iterable[ConfigProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 3, 4, 4, 50, 50, 30
# A password inside a URL ("mqtt://robot:pw@host"), up to the last "@" before a space: it may hold "@" or ":".
_URL_PASSWORD = re.compile(r"(//[^:/@\s]*):\S*@")


def redact_url(text: str) -> str:
    """Text with the password of any URL in it hidden: 'mqtt://robot:pw@host' -> 'mqtt://robot:***@host'."""
    return _URL_PASSWORD.sub(r"\1:***@", text)
# Fields whose value is never shown in a message.
SECRET_FIELDS = frozenset({"password", "token", "username"})


def _short(value: Any, limit: int = 60) -> str:
    """The value for a message, shortened before it is turned into text: a huge or deeply nested value (an
    alias bomb) costs nothing to show."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def problems_from_validation(file: str, error: ValidationError) -> list[ConfigProblem]:
    problems = []
    for err in error.errors():
        loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-")))
        kind = err["type"]
        if kind == "missing":
            found, expected = "nothing", "this field"
        elif kind == "extra_forbidden":
            found, expected = "an unknown field", "only the documented fields (check the spelling)"
        elif any(part in SECRET_FIELDS for part in loc if isinstance(part, str)):
            found, expected = "a value that is not accepted (not shown: a secret)", err["msg"].removeprefix(
                "Value error, ")
        else:
            value = err.get("input")
            found = _short(redact_url(value) if isinstance(value, str) else value)
            expected = err["msg"].removeprefix("Value error, ")
        problems.append(ConfigProblem(file, _field_path(loc), found, expected))
    return problems


MAX_YAML_CHARS = 1_000_000
MAX_YAML_DEPTH = 40
MAX_YAML_ALIASES = 20


class _TooComplex(yaml.YAMLError):
    def __init__(self, where: str, found: str, expected: str):
        super().__init__(found)
        self.where, self.found, self.expected = where, found, expected


class _NoDuplicateKeys:
    """Refuses a key given twice in one mapping (the second would silently win)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise _TooComplex(_mark(key_node), f"the key {_short(key)} a second time in one mapping",
                                  "each key once (the second would silently replace the first)")
            seen.add(key) if isinstance(key, (str, int, float, bool)) else None
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _LimitedLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """yaml.SafeLoader that refuses what no centre file needs and what could exhaust the machine: nesting
    deeper than MAX_YAML_DEPTH, more than MAX_YAML_ALIASES aliases (an alias bomb), and a key given twice in
    one mapping (the second would silently win)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _TooComplex(_mark(self.peek_event()), f"more than {MAX_YAML_ALIASES} aliases",
                                  "a plain file (aliases sparingly)")
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _TooComplex(_mark(self.peek_event()), f"nesting deeper than {MAX_YAML_DEPTH} levels",
                                  "the documented structure")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


def _fast_load(text: str) -> tuple[bool, Any]:
    """(True, data) when libyaml reads the text and it is plainly within the limits; (False, None) otherwise,
    and then the pure-Python _LimitedLoader reads it and says what is wrong and where. libyaml reads the
    catalogue about five times faster, which is most of the start of `letan queue ...` (issue 14)."""
    if _CSafeLoader is None:
        return False, None

    class FastLoader(_NoDuplicateKeys, _CSafeLoader):
        pass

    depth = 0
    try:
        for event in yaml.parse(text, Loader=_CSafeLoader):  # events first: no nesting is built yet
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth >= MAX_YAML_DEPTH - 1:
                    return False, None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                return False, None  # aliases are rare in centre files: counted by _LimitedLoader
        return True, yaml.load(text, Loader=FastLoader)
    except yaml.YAMLError:
        return False, None


def _mark(item: Any) -> str:
    mark = getattr(item, "start_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def read_yaml(path: Path) -> Any:
    """Read a YAML file, turning every failure into a ConfigError."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(name, "", "no such file", "an existing YAML file")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(name, "", f"bytes that are not UTF-8 ({exc.reason})", "UTF-8 text")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(name, "", exc.strerror or str(exc), "a readable file")]) from None
    if len(text) > MAX_YAML_CHARS:
        raise ConfigError([ConfigProblem(name, "", f"a file of {len(text):,} characters",
                                         f"at most {MAX_YAML_CHARS:,} characters")])
    done, data = _fast_load(text)
    if done:
        return data
    try:
        return yaml.load(text, Loader=_LimitedLoader)  # a SafeLoader with limits
    except _TooComplex as exc:
        raise ConfigError([ConfigProblem(name, exc.where, exc.found, exc.expected)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([ConfigProblem(name, where, f"invalid YAML ({problem})", "well-formed YAML")]) from None


def load_catalogue_checked(path: Path = DEFAULT_CATALOGUE) -> Catalogue:
    """The procedure catalogue with the referrals file beside it (referrals.yaml), when there is one."""
    data = read_yaml(path)
    try:
        catalogue = load_catalogue_data(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(str(path), exc)) from None
    citizen_problems = citizen_text_config_problems(catalogue, str(path))
    if citizen_problems:
        raise ConfigError(citizen_problems)
    referrals_path = path.parent / "referrals.yaml"
    if not referrals_path.is_file():
        return catalogue
    referrals_data = read_yaml(referrals_path)
    try:
        referrals = parse_referrals(referrals_data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(str(referrals_path), exc)) from None
    spoken = [
        ConfigProblem(str(referrals_path), f"topics[{index}].where", f"{found} (topic {topic.id!r})", expected)
        for index, topic in enumerate(referrals.topics)
        for found, expected in citizen_string_problems(topic.where)
    ]
    if spoken:
        raise ConfigError(spoken)
    return catalogue.model_copy(update={"referrals": referrals})


def load_catalogue_data(data: Any) -> Catalogue:
    return Catalogue.model_validate(data)


def citizen_text_config_problems(catalogue: Catalogue, file: str) -> list[ConfigProblem]:
    """What citizens would hear or read that they should not (digits, source tags, citations, English...)."""
    return [
        ConfigProblem(file, f"procedures[{p.index}].{p.field}", f"{p.found} (procedure {p.procedure!r})", p.expected)
        for p in find_citizen_text_problems(catalogue)
    ]


def cross_check(centre: CentreConfig, catalogue: Catalogue, file: str) -> list[ConfigProblem]:
    """Checks that span several parts of the config and the catalogue."""
    problems: list[ConfigProblem] = []

    def add(path: str, found: str, expected: str) -> None:
        problems.append(ConfigProblem(file, path, found, expected))

    service_ids = [s.id for s in centre.services]
    prefixes: dict[str, str] = {}
    for i, svc in enumerate(centre.services):
        if service_ids.count(svc.id) > 1:
            add(f"services[{i}].id", repr(svc.id), "a service id used only once")
        if svc.prefix in prefixes:
            add(f"services[{i}].prefix", repr(svc.prefix), f"a prefix not already used by {prefixes[svc.prefix]}")
        prefixes.setdefault(svc.prefix, svc.id)
        for j, proc_id in enumerate(svc.procedures):
            if proc_id not in catalogue:
                add(f"services[{i}].procedures[{j}]", repr(proc_id), "a procedure id from the catalogue")
            else:
                proc = catalogue.get(proc_id)
                if not proc.handled_at_commune:
                    add(f"services[{i}].procedures[{j}]", repr(proc_id),
                        "a procedure handled at commune level (this one is referred elsewhere)")
    handled = {p for s in centre.services for p in s.procedures}
    for proc_id in centre.referrals:
        if proc_id in catalogue.referrals.ids():
            continue  # this city's office for a matter the ward does not handle (config/referrals.yaml)
        if proc_id not in catalogue:
            add(f"referrals.{proc_id}", repr(proc_id), "a procedure id from the catalogue or a referral topic id")
        elif proc_id in handled:
            add(f"referrals.{proc_id}", "a procedure that a service also handles", "either handled or referred")
    for proc in catalogue.procedures:
        if proc.handled_at_commune and proc.id not in handled and proc.id not in centre.referrals:
            add("services", f"no service for procedure {proc.id!r}",
                f"a service that handles {proc.id!r}, or an entry in referrals saying where to go")

    point_ids = [p.id for p in centre.reception_points]
    for pi, point in enumerate(centre.reception_points):
        base = f"reception_points[{pi}]"
        if point_ids.count(point.id) > 1:
            add(f"{base}.id", repr(point.id), "a reception point id used only once")
        fmap = point.floor_map
        for name, loc in fmap.locations.items():
            if not (0 <= loc.x <= fmap.width and 0 <= loc.y <= fmap.height):
                add(f"{base}.floor_map.locations.{name}", f"({loc.x}, {loc.y})",
                    f"a point inside the {fmap.width} x {fmap.height} m floor")
        for ei, (a, b) in enumerate(fmap.edges):
            for side, end in ((0, a), (1, b)):
                if end not in fmap.locations:
                    add(f"{base}.floor_map.edges[{ei}][{side}]", repr(end), "a location named in floor_map.locations")
        entrance = fmap.first_of_kind("entrance")
        reachable = fmap.reachable_from(entrance) if entrance is not None else set()
        if entrance is None:
            add(f"{base}.floor_map.locations", "no location of kind 'entrance'", "exactly one entrance")
        numbers = [c.number for c in point.counters]
        for ci, counter in enumerate(point.counters):
            cbase = f"{base}.counters[{ci}]"
            if numbers.count(counter.number) > 1:
                add(f"{cbase}.number", str(counter.number), "a counter number used only once in this point")
            for si, svc_id in enumerate(counter.services):
                if svc_id not in service_ids:
                    add(f"{cbase}.services[{si}]", repr(svc_id), f"one of the services {service_ids}")
            if counter.location not in fmap.locations:
                add(f"{cbase}.location", repr(counter.location), "a location named in floor_map.locations")
            elif entrance is not None and counter.location not in reachable:
                add(f"{cbase}.location", f"{counter.location!r} not reachable from {entrance!r}",
                    "a counter reachable from the entrance along floor_map.edges")
    # Every service must have at least one open counter somewhere.
    for i, svc in enumerate(centre.services):
        if not any(svc.id in c.services and c.open for p in centre.reception_points for c in p.counters):
            add(f"services[{i}]", f"no open counter for service {svc.id!r}", "at least one open counter serving it")

    if centre.robot.point is not None and centre.robot.point not in point_ids:
        add("robot.point", repr(centre.robot.point), f"one of the reception points {point_ids}")
    else:
        point = centre.point()
        if centre.robot.base is not None and centre.robot.base not in point.floor_map.locations:
            add("robot.base", repr(centre.robot.base), "a location named in the robot's floor map")
    if not any(centre.opening_hours.for_date(date(2026, 1, 5) + timedelta(days=d)) for d in range(7)):
        add("opening_hours", "no open weekday", "at least one weekday with a session")
    return problems


def parse_centre(data: Any, catalogue: Catalogue, file: str = "<config>") -> CentreConfig:
    """Validate parsed YAML data against the models and the catalogue, or raise ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(file, "", f"a {type(data).__name__}", "a mapping of centre settings")])
    try:
        centre = CentreConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(file, exc)) from None
    problems = cross_check(centre, catalogue, file)
    if problems:
        raise ConfigError(problems)
    return centre


def load_centre(path: Path, catalogue: Catalogue | None = None) -> CentreConfig:
    """Load and validate a centre file (and the catalogue, unless given)."""
    catalogue = catalogue if catalogue is not None else load_catalogue_checked()
    centre = parse_centre(read_yaml(path), catalogue, str(path))
    return centre.model_copy(update={"source": Path(os.path.abspath(path))})  # relative paths: from its folder


__all__ = [
    "Catalogue",
    "CentreConfig",
    "ConfigError",
    "ConfigProblem",
    "load_catalogue",
    "load_catalogue_checked",
    "load_centre",
    "parse_centre",
]
