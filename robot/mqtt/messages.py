"""Messages letan publishes and receives over MQTT, one frozen dataclass per message type.

Each message owns its topic and its JSON payload (the rhasspy-hermes pattern). Topics are versioned
and per site: ``{root}/{site}/{robot}/...`` for the robot, ``{root}/{site}/queue/...`` for the
centre's queue and ``{root}/{site}/counter/{n}/...`` for counters, with ``root`` = ``letan/v1`` by
default (``MqttSettings.topic_root``). Every payload carries ``type``, ``schema`` (version),
``event_id``, ``site``, ``ts`` (ISO 8601 with the centre's offset) and ``robot`` or ``counter``.
No message has a field for a citizen's words, name or ID number. A JSON Schema per type lives in
robot/schemas/ and `validate_payload` checks against it.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar

from robot.clock import Clock
from robot.paths import package_folder

SCHEMA_VERSION = 1
DEFAULT_ROOT = "letan/v1"
SCHEMA_DIR = package_folder("robot", "schemas")  # package data of the wheel
RESERVED_SEGMENTS = frozenset({"queue", "counter", "staff"})

M = TypeVar("M", bound="Message")


class MessageError(ValueError):
    """A payload that is not a valid letan message (for technicians, English)."""


def new_event_id() -> str:
    return uuid.uuid4().hex


def timestamp(clock: Clock) -> str:
    """ISO 8601 with the clock's (the centre's) UTC offset, milliseconds."""
    return clock.now().isoformat(timespec="milliseconds")


@dataclass(frozen=True, kw_only=True)
class Message:
    """Base of every message: the common header fields and the JSON codec."""

    TYPE: ClassVar[str] = ""
    RETAIN: ClassVar[bool] = False
    site: str
    ts: str
    event_id: str = dataclasses.field(default_factory=new_event_id)

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {"type": self.TYPE, "schema": SCHEMA_VERSION, **body}

    def to_json(self) -> bytes:
        return json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":")).encode()

    @property
    def retain(self) -> bool:
        return self.RETAIN

    @classmethod
    def from_payload(cls: type[M], data: dict[str, Any]) -> M:
        validate_payload(cls.TYPE, data)
        body = {k: v for k, v in data.items() if k not in ("type", "schema")}
        for f in dataclasses.fields(cls):
            if isinstance(body.get(f.name), list):
                body[f.name] = tuple(body[f.name])
        return cls(**body)


@dataclass(frozen=True, kw_only=True)
class RobotMessage(Message):
    robot: str
    SUFFIX: ClassVar[str] = ""

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/{self.robot}/{self.SUFFIX}"


# --- queue -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TicketEvent(Message):
    """A change of one ticket; published by the robot that runs the queue engine."""

    robot: str
    ticket: str
    service: str
    counter: int | None = None
    point: str | None = None  # reception point
    queue_event_id: int | None = None  # id in the engine's durable event log

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/queue/ticket/{self.TYPE.rsplit('.', 1)[1]}"


@dataclass(frozen=True, kw_only=True)
class TicketIssued(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.issued"
    priority: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketCalled(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.called"


@dataclass(frozen=True, kw_only=True)
class TicketRecalled(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.recalled"


@dataclass(frozen=True, kw_only=True)
class TicketServing(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.serving"


@dataclass(frozen=True, kw_only=True)
class TicketDone(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.done"


@dataclass(frozen=True, kw_only=True)
class TicketNoShow(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.no_show"


@dataclass(frozen=True, kw_only=True)
class TicketTransferred(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.transferred"
    to_service: str


@dataclass(frozen=True, kw_only=True)
class TicketParked(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.parked"


@dataclass(frozen=True, kw_only=True)
class TicketUnparked(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.unparked"


@dataclass(frozen=True, kw_only=True)
class TicketCancelled(TicketEvent):
    TYPE: ClassVar[str] = "queue.ticket.cancelled"


@dataclass(frozen=True, kw_only=True)
class QueueSnapshot(Message):
    """Retained state of one service: what the monitor and Home Assistant show."""

    TYPE: ClassVar[str] = "queue.snapshot"
    RETAIN: ClassVar[bool] = True
    robot: str
    service: str
    waiting: int
    estimated_wait_min: float | None
    last_called: dict[str, str]  # counter number (as text) -> ticket
    issued_today: int = 0
    done_today: int = 0
    no_show_today: int = 0
    # The waiting tickets in line order, for the counters' consoles (docs/staff.md): each {"ticket", "priority",
    # "since"} (issue time); numbers only, never who holds them.
    waiting_tickets: tuple[dict[str, Any], ...] = ()
    parked_tickets: tuple[dict[str, Any], ...] = ()  # the parked ones: each {"ticket", "since"} (when parked)

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/queue/snapshot/{self.service}"


@dataclass(frozen=True, kw_only=True)
class QueueStats(Message):
    """Retained figures of the day, all reception points: `figures` is exactly what `letan queue stats --json`
    prints (robot.queue.DayStats.to_json). For the manager page and its CSV export (docs/staff.md)."""

    TYPE: ClassVar[str] = "queue.stats"
    RETAIN: ClassVar[bool] = True
    robot: str
    figures: dict[str, Any]

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/queue/stats"


# --- counters ----------------------------------------------------------------------------------

CounterAction = Literal["call-next", "recall", "call", "done", "no-show", "transfer", "serve", "park", "unpark"]
COUNTER_ACTIONS: tuple[str, ...] = ("call-next", "recall", "call", "done", "no-show", "transfer", "serve", "park",
                                    "unpark")
ReplyStatus = Literal["accepted", "rejected"]


@dataclass(frozen=True, kw_only=True)
class CounterCommand(Message):
    """A command from counter `counter`'s console; `ticket` for call and unpark, `service` (target) for transfer."""

    TYPE: ClassVar[str] = "counter.command"
    counter: int
    request_id: str
    action: CounterAction
    ticket: str | None = None
    service: str | None = None

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/counter/{self.counter}/cmd"


@dataclass(frozen=True, kw_only=True)
class CounterReply(Message):
    """The answer to one CounterCommand: accepted, or rejected with a reason code and a Vietnamese message."""

    TYPE: ClassVar[str] = "counter.reply"
    counter: int
    robot: str
    request_id: str | None  # None: the command had no usable request id (an unreadable command)
    action: CounterAction | None  # None: the command's action is not one of COUNTER_ACTIONS
    status: ReplyStatus
    reason: str | None = None
    message: str = ""
    ticket: str | None = None

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/counter/{self.counter}/response"


RATINGS: tuple[str, ...] = ("very_satisfied", "satisfied", "unsatisfied")
RATING_REASONS: tuple[str, ...] = ("waited_long", "unclear_guidance", "staff_attitude", "more_papers", "other")


@dataclass(frozen=True, kw_only=True)
class CounterRating(Message):
    """A citizen's satisfaction with ticket `ticket` done at counter `counter` (the rating tablet, docs/staff.md):
    published by the staff web server as that counter's user; the robot stores it once per ticket. No identity."""

    TYPE: ClassVar[str] = "counter.rating"
    counter: int
    ticket: str
    service: str | None = None
    rating: Literal["very_satisfied", "satisfied", "unsatisfied"]
    reason: Literal["waited_long", "unclear_guidance", "staff_attitude", "more_papers", "other"] | None = None

    def topic(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.site}/counter/{self.counter}/rating"


# --- robot -------------------------------------------------------------------------------------

DeviceState = Literal["ok", "fault", "offline", "none", "unknown"]  # none: not fitted / not configured
PaperState = Literal["ok", "near_end", "out", "unknown"]
# guiding: leading a citizen; returning: going back to base; navigating: any other walk (refreshments, staff)
RobotMode = Literal["starting", "idle", "serving", "guiding", "returning", "navigating", "paused", "docked", "error"]


@dataclass(frozen=True, kw_only=True)
class RobotAvailability(RobotMessage):
    """Retained online/offline; the 'offline' one is the connection's Last Will."""

    TYPE: ClassVar[str] = "robot.availability"
    RETAIN: ClassVar[bool] = True
    SUFFIX: ClassVar[str] = "availability"
    state: Literal["online", "offline"]


@dataclass(frozen=True, kw_only=True)
class RobotStatus(RobotMessage):
    """Retained health of the robot. `None` / "unknown" when the robot does not know (e.g. the MCU protocol
    reports no battery), never a guessed value."""

    TYPE: ClassVar[str] = "robot.status"
    RETAIN: ClassVar[bool] = True
    SUFFIX: ClassVar[str] = "status"
    mode: RobotMode
    battery_pct: float | None = None
    charging: bool | None = None
    printer: DeviceState = "unknown"
    paper: PaperState = "unknown"
    scanner: DeviceState = "unknown"
    microphone: DeviceState = "unknown"
    camera: DeviceState = "unknown"
    motors: DeviceState = "unknown"
    water: int | None = None
    candy: int | None = None


AlertKind = Literal[
    "paper_out", "paper_near_end", "printer_offline", "navigation_stuck", "navigation_aborted",
    "low_stock", "help_requested", "scanner_disconnected", "camera_disconnected", "battery_low", "error",
]


@dataclass(frozen=True, kw_only=True)
class RobotAlert(RobotMessage):
    TYPE: ClassVar[str] = "robot.alert"
    SUFFIX: ClassVar[str] = "alert"
    kind: AlertKind
    severity: Literal["info", "warning", "critical"] = "warning"
    reason: str = ""  # technical reason code or short English text; never personal data
    location: str | None = None
    item: str | None = None


@dataclass(frozen=True, kw_only=True)
class RobotAlerts(RobotMessage):
    """Retained: the robot's alerts still in force (the latest of each kind), so a monitor that starts later
    sees them. Each item: kind, severity, reason, location, item, since (ts of the alert), alert_id (its
    event id). Republished when an alert is raised or resolved; `active` is empty when all are resolved."""

    TYPE: ClassVar[str] = "robot.alerts"
    RETAIN: ClassVar[bool] = True
    SUFFIX: ClassVar[str] = "alerts"
    active: tuple[dict[str, Any], ...] = ()


# The dialog manager's own reasons (dialogs.manager.END_REASONS): done (served, or walked away after asking),
# timeout (silence), handed_over (out of scope or not understood: a staff member was called), aborted (walked
# away before asking anything, or staff paused the robot), error.
EndReason = Literal["done", "timeout", "handed_over", "aborted", "error"]


@dataclass(frozen=True, kw_only=True)
class DialogSessionStarted(RobotMessage):
    TYPE: ClassVar[str] = "dialog.session.started"
    SUFFIX: ClassVar[str] = "dialog/started"
    session_id: str
    trigger: Literal["presence", "touch", "voice", "scan"] = "presence"


@dataclass(frozen=True, kw_only=True)
class DialogSessionEnded(RobotMessage):
    """End of a dialog: the reason, intent and procedure only (never what the citizen said)."""

    TYPE: ClassVar[str] = "dialog.session.ended"
    SUFFIX: ClassVar[str] = "dialog/ended"
    session_id: str
    reason: EndReason
    intent: str | None = None
    procedure: str | None = None
    turns: int = 0
    duration_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class NavigationProgress(RobotMessage):
    TYPE: ClassVar[str] = "navigation.progress"
    SUFFIX: ClassVar[str] = "navigation"
    goal_id: str
    target: str
    status: Literal["start", "calculating", "going", "complete", "abort"]
    progress: float = 0.0
    remaining_m: float | None = None
    reason: str | None = None


RobotAction = Literal["pause", "resume", "go-to-base", "announce", "dispense", "refill", "ack-alert"]
ROBOT_ACTIONS: tuple[str, ...] = ("pause", "resume", "go-to-base", "announce", "dispense", "refill", "ack-alert")


@dataclass(frozen=True, kw_only=True)
class RobotCommand(RobotMessage):
    """A staff command to the robot: `text` for announce, `item`/`quantity`/`location` for dispense (quantity
    default 1), `item`/`quantity` for refill (how many are in the bin now; default: full), `kind` for ack-alert
    (the alert kind staff have dealt with)."""

    TYPE: ClassVar[str] = "robot.command"
    SUFFIX: ClassVar[str] = "cmd"
    request_id: str
    action: RobotAction
    text: str | None = None
    item: Literal["water", "candy"] | None = None
    quantity: int | None = None
    location: str | None = None
    kind: str | None = None


@dataclass(frozen=True, kw_only=True)
class RobotReply(RobotMessage):
    TYPE: ClassVar[str] = "robot.reply"
    SUFFIX: ClassVar[str] = "response"
    request_id: str
    action: RobotAction
    status: ReplyStatus
    reason: str | None = None
    message: str = ""


MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.TYPE: cls
    for cls in (
        TicketIssued, TicketCalled, TicketRecalled, TicketServing, TicketDone, TicketNoShow, TicketTransferred,
        TicketParked, TicketUnparked, TicketCancelled, QueueSnapshot, QueueStats, CounterCommand, CounterReply,
        CounterRating,
        RobotAvailability, RobotStatus, RobotAlert, RobotAlerts,
        DialogSessionStarted, DialogSessionEnded, NavigationProgress, RobotCommand, RobotReply,
    )
}


@cache
def schema_for(type_name: str) -> dict[str, Any]:
    path = SCHEMA_DIR / f"{type_name}.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def validate_payload(type_name: str, data: Any) -> None:
    """Check a decoded payload against its JSON Schema; raise MessageError naming the first problem."""
    import jsonschema

    if type_name not in MESSAGE_TYPES:
        raise MessageError(f"unknown message type {type_name!r}")
    try:
        jsonschema.validate(data, schema_for(type_name))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "payload"
        raise MessageError(f"{type_name}: {where}: {exc.message}") from None


def parse_message(payload: bytes) -> Message:
    """Decode and validate any letan message; raise MessageError (English) on bad input."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MessageError(f"payload is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise MessageError("payload is not a JSON object with a 'type'")
    if data.get("schema") != SCHEMA_VERSION:
        raise MessageError(f"schema version {data.get('schema')!r} is not supported (expected {SCHEMA_VERSION})")
    cls = MESSAGE_TYPES.get(data["type"])
    if cls is None:
        raise MessageError(f"unknown message type {data['type']!r}")
    return cls.from_payload(data)


@dataclass(frozen=True)
class Stamper:
    """Fills the header (site, robot, event id, timestamp) of the messages one publisher makes."""

    site: str
    robot: str
    clock: Clock

    def __post_init__(self) -> None:
        if self.robot in RESERVED_SEGMENTS:
            raise ValueError(f"robot id {self.robot!r} is reserved in the topic tree")

    def make(self, cls: type[M], **fields: Any) -> M:
        header: dict[str, Any] = {"site": self.site, "ts": timestamp(self.clock)}
        if any(f.name == "robot" for f in dataclasses.fields(cls)):
            header["robot"] = self.robot
        return cls(**header, **fields)
