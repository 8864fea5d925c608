"""Queue records and errors: frozen dataclasses and typed exceptions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    PARKED = "parked"


FINISHED = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED})


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset, to the millisecond (the one time format of the queue)."""
    return moment.isoformat(timespec="milliseconds") if moment is not None else None


@dataclass(frozen=True)
class Ticket:
    """One queue ticket of one day at one reception point."""

    id: int
    day: date
    point: str
    number: str  # "A012"
    seq: int  # 1 for the first ticket of (day, point, issued service)
    service: str  # current service (changes on transfer)
    issued_service: str
    priority: bool
    status: TicketStatus
    counter: int | None
    issued_at: datetime
    called_at: datetime | None = None
    serving_at: datetime | None = None
    finished_at: datetime | None = None
    parked_at: datetime | None = None
    call_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.number,
            "day": self.day.isoformat(),
            "point": self.point,
            "service": self.service,
            "issued_service": self.issued_service,
            "priority": self.priority,
            "status": str(self.status),
            "counter": self.counter,
            "issued_at": iso(self.issued_at),
            "called_at": iso(self.called_at),
            "serving_at": iso(self.serving_at),
            "finished_at": iso(self.finished_at),
            "parked_at": iso(self.parked_at),
            "call_count": self.call_count,
        }


@dataclass(frozen=True)
class IssuedTicket:
    """A newly issued ticket with its place in line."""

    ticket: Ticket
    people_ahead: int
    wait_minutes: int | None  # None when no counter is open for the service


@dataclass(frozen=True)
class Position:
    """Where a ticket stands: people ahead of it and the estimated wait (waiting or parked tickets)."""

    ticket: Ticket
    people_ahead: int
    wait_minutes: int | None

    def to_json(self) -> dict[str, Any]:
        return {**self.ticket.to_json(), "people_ahead": self.people_ahead, "wait_minutes": self.wait_minutes}


@dataclass(frozen=True)
class QueueEvent:
    """One row of the durable event log. No personal data: numbers, services, counters, times."""

    id: int
    kind: str  # issued called recalled serving done no_show cancelled transferred parked unparked
    at: str  # ISO 8601 with the centre's offset
    day: str  # YYYY-MM-DD, the centre's local day
    point: str
    service: str
    number: str
    counter: int | None
    priority: bool
    status: str  # the ticket's status after the change
    from_service: str | None = None  # transferred: the previous service
    call_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "at": self.at, "day": self.day, "point": self.point,
            "service": self.service, "ticket": self.number, "counter": self.counter, "priority": self.priority,
            "status": self.status, "from_service": self.from_service, "call_count": self.call_count,
        }


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    name: str
    prefix: str
    waiting: int
    priority_waiting: int
    parked: int
    in_service: int  # called or serving
    issued_today: int
    open_counters: tuple[int, ...]
    estimated_wait_minutes: int | None  # for a ticket issued now

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service, "name": self.name, "prefix": self.prefix, "waiting": self.waiting,
            "priority_waiting": self.priority_waiting, "parked": self.parked, "in_service": self.in_service,
            "issued_today": self.issued_today, "open_counters": list(self.open_counters),
            "estimated_wait_minutes": self.estimated_wait_minutes,
        }


@dataclass(frozen=True)
class CounterStatus:
    counter: int
    label: str
    services: tuple[str, ...]
    open: bool
    current: Ticket | None  # the ticket called or being served there
    last_called: str | None  # number of the last ticket called there today

    def to_json(self) -> dict[str, Any]:
        return {
            "counter": self.counter, "label": self.label, "services": list(self.services), "open": self.open,
            "current": self.current.number if self.current else None,
            "current_status": str(self.current.status) if self.current else None,
            "last_called": self.last_called,
        }


@dataclass(frozen=True)
class QueueStatus:
    day: date
    at: datetime
    point: str
    services: tuple[ServiceStatus, ...]
    counters: tuple[CounterStatus, ...]

    def service(self, service_id: str) -> ServiceStatus:
        return next(s for s in self.services if s.service == service_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(), "at": iso(self.at), "point": self.point,
            "services": [s.to_json() for s in self.services], "counters": [c.to_json() for c in self.counters],
        }


# ---------------------------------------------------------------------------------------------
# Errors: `str(error)` is English for technicians; `citizen_message` is Vietnamese where a citizen may see it.


class QueueError(Exception):
    citizen_message: str | None = None

    def __init__(self, message: str, citizen_message: str | None = None):
        super().__init__(message)
        if citizen_message is not None:
            self.citizen_message = citizen_message


class QueueClosed(QueueError):
    """Issuing is refused outside opening hours or after the cut-off."""

    def __init__(self, message: str, citizen_message: str, next_opening: datetime | None):
        super().__init__(message, citizen_message)
        self.next_opening = next_opening


class DailyCapReached(QueueError):
    pass


class UnknownService(QueueError):
    pass


class UnknownPoint(QueueError):
    pass


class UnknownCounter(QueueError):
    pass


class UnknownTicket(QueueError):
    pass


class IllegalTransition(QueueError):
    """The action is not allowed in the ticket's current status; nothing was changed."""

    def __init__(self, message: str, number: str, action: str, status: TicketStatus):
        super().__init__(message)
        self.number = number
        self.action = action
        self.status = status


class CounterBusy(QueueError):
    """The counter still has a called or serving ticket."""

    def __init__(self, message: str, current: str):
        super().__init__(message)
        self.current = current
