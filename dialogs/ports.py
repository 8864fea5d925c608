"""What the dialog manager needs from the world, as small interfaces.

The robot application (robot/) implements these with the queue engine, the dossier lookup,
navigation and the devices; tests and the typed console implement them too. Nothing here
knows about devices, MQTT or SQLite. All texts returned to the manager are Vietnamese and
ready to be spoken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class TicketResult:
    """Outcome of asking for a queue ticket."""

    ok: bool
    number: str | None = None  # "A012"
    service_name: str = ""
    counters: tuple[int, ...] = ()
    people_ahead: int = 0
    wait_minutes: int | None = None
    printed: bool = False
    refused_reason: str | None = None  # Vietnamese, when not ok (closed, cap reached...)


@dataclass(frozen=True)
class DossierAnswer:
    """What to tell the citizen after a scan or a dossier-code lookup."""

    ok: bool
    text: str  # Vietnamese, ready to speak; never contains an ID number or a full name
    kind: str = "dossier"  # dossier | ticket | unreadable | not_found | unavailable


@dataclass(frozen=True)
class GuideResult:
    arrived: bool
    reason: str = ""  # obstacle | stuck | e_stop | unreachable | fault | not_allowed | ""
    pointed: bool = False  # the guide showed the way from where it stands (and said so)


@dataclass(frozen=True)
class ProcedureRoute:
    """Where a procedure is handled at this centre."""

    handled_here: bool
    service_id: str | None = None
    service_name: str = ""
    counters: tuple[int, ...] = ()
    referral: str | None = None  # Vietnamese: where to go instead


@dataclass(frozen=True)
class DayOpening:
    """A day's opening hours, for the citizen: ("08:00", "12:00") per session, none when closed."""

    date: str  # ISO date
    weekday: int  # 0 Monday .. 6 Sunday
    sessions: tuple[tuple[str, str], ...] = ()
    last_ticket: str | None = None  # the last ticket of the day is issued at (HH:MM), when earlier than closing
    holiday: bool = False  # a closed date of the centre (public holiday)


@dataclass(frozen=True)
class CentreHours:
    """What the dialog may tell about opening hours: the day asked about and, when closed, the next open day."""

    now: str  # "HH:MM" local time now
    asked: DayOpening
    is_today: bool
    next_open: DayOpening | None = None  # the next day that opens, after `asked`


class CentreInfo(Protocol):
    def hours(self, day: str | None = None) -> CentreHours:
        """`day`: None or "today", "tomorrow", "monday" .. "sunday" (the next such day)."""


class Speaker(Protocol):
    def say(self, text: str, key: str | None = None) -> None:
        """Speak (and show) a sentence. `key` names a fixed prompt for a recorded voice pack."""


class QueueDesk(Protocol):
    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        """A ticket for the service; `procedure`, when known, puts its list of papers on the ticket."""

    def route(self, procedure_id: str) -> ProcedureRoute: ...

    def standing(self, number: str) -> str | None:
        """Where today's ticket `number` of this reception point stands in line, ready to say for "ông/bà" ("Dạ,
        số B không không một của ông/bà đang chờ; phía trước còn hai người. ..."); None when it is not known."""


class DossierDesk(Protocol):
    def lookup(self, payload: str) -> DossierAnswer: ...


class Guide(Protocol):
    def guide_to(self, place: str, counter: int | None = None, address: str = "ông/bà",
                 with_ticket: bool = True) -> GuideResult:
        """Lead the citizen to a place (toilet, counter with a number...) or point there.

        The guide says what only it knows, addressing the citizen with `address` ("bác", "anh/chị"...):
        the lead-in when it starts moving, the arrival line, why it stopped, where to look when it points.
        It stays where it arrived: the dialog says goodbye there, ends the session, then calls
        `return_to_base()`. `with_ticket` False: the citizen has no ticket, so at a counter the guide does
        not tell them to wait for their number to be called.
        """

    def return_to_base(self) -> None:
        """Go back to the robot's base after a guided walk (nothing for a robot that does not move)."""


class Refreshments(Protocol):
    def dispense(self, item: str) -> bool:
        """Hand out 'water' or 'candy'; False when out of stock or failed."""


class SessionEvents(Protocol):
    def session_started(self, session_id: str) -> None: ...

    def session_ended(self, session_id: str, reason: str, intent: str | None, procedure: str | None) -> None: ...

    def help_requested(self, session_id: str, reason: str) -> None: ...
