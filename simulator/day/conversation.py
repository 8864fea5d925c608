"""One citizen of a simulated day at the robot: the real dialog manager (real understander, the robot's own
ticket desk on the day's queue engine) hears what they came for, they accept the ticket and say goodbye;
what came of it is written into their `VisitRecord`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from dialogs.catalogue import Catalogue
from dialogs.manager import DialogManager, State
from dialogs.ports import GuideResult, ProcedureRoute, QueueDesk, TicketResult
from robot.config import CentreConfig
from robot.parts.adapters import NoDossiers, NoRefreshments
from robot.queue import QueueEngine
from robot.ticket_desk import TicketDesk
from robot.understander import make_understander
from simulator.day.kpis import Visit
from simulator.day.plan import Citizen

CONFIRM_TICKET = "vâng, cho tôi lấy số"
DECLINE_MORE = "không, cảm ơn em"
AGREE = "vâng"


class VisitRecord:
    """One visit during the run: the citizen and what has happened so far (a Visit, replaced as it goes)."""

    def __init__(self, citizen: Citizen):
        self.citizen = citizen
        self.so_far = Visit(citizen.index, citizen.arrives, citizen.procedure, "no_ticket")

    def note(self, **changes: Any) -> None:
        self.so_far = replace(self.so_far, **changes)

    def visit(self) -> Visit:
        """The visit at the end of the day (a no-show only when the ticket was called)."""
        return replace(self.so_far, no_show=self.citizen.no_show and self.so_far.called is not None)


class RecordingDesk:
    """The dialog's QueueDesk, watched: remembers the last ticket result for the day's bookkeeping."""

    def __init__(self, desk: QueueDesk):
        self.desk = desk
        self.last: tuple[str, bool, TicketResult] | None = None

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        result = self.desk.issue(service_id, priority, procedure)
        self.last = (service_id, priority, result)
        return result

    def route(self, procedure_id: str) -> ProcedureRoute:
        return self.desk.route(procedure_id)

    def standing(self, number: str) -> str | None:
        return self.desk.standing(number)


class EndReason:
    """SessionEvents that keeps the last end reason."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def session_started(self, session_id: str) -> None:
        self.reason = None

    def session_ended(self, session_id: str, reason: str, intent: str | None, procedure: str | None) -> None:
        self.reason = reason

    def help_requested(self, session_id: str, reason: str) -> None:
        return None


class Quiet:
    """The day is about the queue: nothing is spoken."""

    def say(self, text: str, key: str | None = None) -> None:
        return None


class PointingGuide:
    """Citizens asking the way during a simulated day are shown it from the robot's post."""

    def guide_to(self, place: str, counter: int | None = None, address: str = "ông/bà",
                 with_ticket: bool = True) -> GuideResult:
        return GuideResult(False, "not_allowed", pointed=True)

    def return_to_base(self) -> None:
        """The robot never left its post."""


class DayDialog:
    """The robot's dialog for a simulated day: the real manager on the day's queue engine, no printer (the
    day is about the queue), no dossiers, no voice."""

    def __init__(self, centre: CentreConfig, catalogue: Catalogue, engine: QueueEngine,
                 clock_fn: Callable[[], float]):
        self.catalogue = catalogue
        self.desk = RecordingDesk(TicketDesk(centre, engine, None, catalogue, on_alert=lambda kind, detail: None))
        self.ended = EndReason()
        self.manager = DialogManager(
            catalogue, make_understander(catalogue), speaker=Quiet(), queue=self.desk, dossiers=NoDossiers(),
            guide=PointingGuide(), refreshments=NoRefreshments(), events=self.ended, clock_fn=clock_fn,
        )

    def converse(self, record: VisitRecord, now: datetime, cutoff_passed: bool) -> None:
        """One citizen at the robot: say what they came for, accept the ticket, say goodbye."""
        manager, desk, citizen, catalogue = self.manager, self.desk, record.citizen, self.catalogue
        desk.last = None
        manager.person_arrived()
        manager.heard(citizen.utterance)
        clarified = False
        for _ in range(6):
            if manager.session is None or not manager.session.active:
                break
            state, offer = manager.state, manager.offer
            if state is State.CONFIRM and offer is not None:
                if offer.kind == "ticket":
                    manager.heard(CONFIRM_TICKET)
                elif offer.kind == "procedures" and citizen.procedure is not None:
                    manager.heard(catalogue.get(citizen.procedure).short_name)
                else:
                    manager.heard(AGREE)
            elif state is State.ANYTHING_ELSE:
                manager.heard(DECLINE_MORE)
            elif not clarified and citizen.procedure is not None:
                clarified = True
                manager.heard(catalogue.get(citizen.procedure).name)
            else:
                break
        if manager.session is not None and manager.session.active:
            manager.person_left()
        else:
            manager.person_present = False
        if desk.last is not None:
            service_id, priority, result = desk.last
            if result.ok:
                record.note(outcome="ticket", service=service_id, number=result.number, priority=priority,
                            issued=now)
            else:
                record.note(outcome="turned_away" if cutoff_passed else "no_ticket")
        elif self.ended.reason == "handed_over":
            record.note(outcome="handed_to_staff")
        elif citizen.procedure is not None and not manager.queue.route(citizen.procedure).handled_here:
            record.note(outcome="referred")
        elif citizen.procedure is not None:
            record.note(outcome="handed_to_staff")
