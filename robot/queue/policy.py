"""Queue rules as pure functions: numbering, opening hours, transitions, who is next, waiting estimates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from robot.config import OpeningHours, Service, Session
from robot.queue.models import TicketStatus

W, C, S, P = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED

# action -> {status before: status after}. Anything else is an illegal transition.
TRANSITIONS: dict[str, dict[TicketStatus, TicketStatus]] = {
    "call": {W: C},
    "recall": {C: C},
    "start_serving": {C: S},
    "done": {S: TicketStatus.DONE},
    "no_show": {C: TicketStatus.NO_SHOW},
    "cancel": {W: TicketStatus.CANCELLED, C: TicketStatus.CANCELLED, P: TicketStatus.CANCELLED},
    "transfer": {W: W, C: W, S: W, P: W},
    "park": {W: P, C: P, S: P},
    "unpark": {P: W},
}

# action -> event kind written to the log
EVENT_KIND = {
    "call": "called", "recall": "recalled", "start_serving": "serving", "done": "done", "no_show": "no_show",
    "cancel": "cancelled", "transfer": "transferred", "park": "parked", "unpark": "unparked",
}


ACTION_TEXT = {
    "call": "call", "recall": "recall", "start_serving": "start serving", "done": "finish", "no_show":
    "mark as no-show", "cancel": "cancel", "transfer": "transfer", "park": "park", "unpark": "unpark",
}


def next_status(action: str, status: TicketStatus) -> TicketStatus | None:
    """The status after `action`, or None when the action is not allowed from `status`."""
    return TRANSITIONS[action].get(status)


# ---------------------------------------------------------------------------------------------
# Numbering


def number_range(service: Service) -> int:
    """How many distinct numbers a service has in a day (start..wrap)."""
    return service.wrap - service.start + 1


def effective_cap(service: Service) -> int:
    """Tickets a service may issue in a day: its daily cap, but never so many that a number repeats."""
    return min(service.daily_cap, number_range(service))


def ticket_number(service: Service, seq: int) -> str:
    """The number of the seq-th ticket (1-based) of the day: prefix + zero-padded, wrapping after `wrap`."""
    value = service.start + (seq - 1) % number_range(service)
    return f"{service.prefix}{value:0{service.digits}d}"


# ---------------------------------------------------------------------------------------------
# Opening hours (the calendar rules: the engine, the dialog's hours, the simulator and the CLI use these)

LOOK_AHEAD_DAYS = 370  # a centre closed for longer than this has no next opening


@dataclass(frozen=True)
class Openness:
    open: bool
    reason: Literal["open", "closed_day", "before_opening", "between_sessions", "after_cutoff"]
    next_opening: datetime | None


def issuing_window(hours: OpeningHours, moment: datetime) -> Openness:
    """Whether tickets may be issued at `moment` (local, aware), and when issuing opens next."""
    local = moment.timetz().replace(tzinfo=None)
    sessions = _sessions(hours, moment.date())
    if any(session.opens <= local < session.cutoff for session in sessions):
        return Openness(True, "open", None)
    later = [s for s in sessions if s.opens > local]
    reason: Literal["closed_day", "before_opening", "between_sessions", "after_cutoff"]
    if later:
        reason = "before_opening" if later[0] is sessions[0] else "between_sessions"
    else:
        reason = "after_cutoff" if sessions else "closed_day"
    return Openness(False, reason, next_opening(hours, moment))


def next_opening(hours: OpeningHours, after: datetime, days: int = LOOK_AHEAD_DAYS) -> datetime | None:
    """The first session opening at or after `after` (aware, in the centre's time zone) within `days` days
    from its date; None when the centre stays closed that long."""
    local = after.timetz().replace(tzinfo=None)
    for ahead in range(days):
        day = after.date() + timedelta(days=ahead)
        for session in _sessions(hours, day):
            if ahead or session.opens >= local:
                return _at(after, day, session.opens)
    return None


def next_open_day(hours: OpeningHours, day: date, days: int = LOOK_AHEAD_DAYS) -> date | None:
    """The first day after `day`, at most `days` days after it, with at least one session."""
    return next((later for later in (day + timedelta(days=n) for n in range(1, days + 1))
                 if _sessions(hours, later)), None)


def _sessions(hours: OpeningHours, day: date) -> list[Session]:
    today = hours.for_date(day)
    return today.sessions() if today else []


def _at(moment: datetime, day: date, clock_time: time) -> datetime:
    tz = moment.tzinfo
    return datetime.combine(day, clock_time).replace(tzinfo=tz)


# ---------------------------------------------------------------------------------------------
# Who is called next


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the policy sees it. `order` is the queue order (oldest first)."""

    order: int
    priority: bool


def choose_next(
    waiting: Sequence[Candidate], normals_since_priority: int, mode: Literal["strict", "interleave"], every: int,
) -> Candidate | None:
    """The next ticket to call.

    strict: any waiting priority ticket first (oldest first), then normal tickets oldest first.
    interleave: normal tickets oldest first, but one priority ticket after every `every` normal ones
    (and priority tickets whenever no normal ticket waits).
    """
    priority = sorted((c for c in waiting if c.priority), key=lambda c: c.order)
    normal = sorted((c for c in waiting if not c.priority), key=lambda c: c.order)
    if not priority:
        return normal[0] if normal else None
    if not normal or mode == "strict" or normals_since_priority >= every:
        return priority[0]
    return normal[0]


def people_ahead(
    priority: bool, older_same_class: int, other_priority: int, other_normal: int,
    mode: Literal["strict", "interleave"], every: int,
) -> int:
    """How many waiting tickets of the same service are expected to be called before this one.

    `older_same_class`: waiting tickets of the same class (priority or not) issued before it;
    `other_priority` / `other_normal`: all other waiting tickets of each class.
    """
    if mode == "strict":
        return older_same_class + (0 if priority else other_priority)
    if priority:  # each priority ticket ahead costs one turn of up to `every` normal tickets
        return older_same_class + min(other_normal, (older_same_class + 1) * every)
    return older_same_class + min(other_priority, older_same_class // every + 1)


# ---------------------------------------------------------------------------------------------
# Waiting estimate


def estimate_wait_minutes(ahead: int, service_minutes: float, open_counters: int) -> int | None:
    """Minutes until a ticket with `ahead` people in front is called; None when no counter is open."""
    if open_counters <= 0:
        return None
    return math.ceil(ahead * service_minutes / open_counters)
