"""The dialog manager's surroundings for tests: a World that records what the robot said, issued, guided and
handed out (queue on the real centre config, dossier desk, guide, tray), and fixtures that build a manager
with the real understander and catalogue. Registered as a plugin by tests/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from dialogs.catalogue import Catalogue
from dialogs.manager import DialogManager, ManagerSettings
from dialogs.nlu import Understander
from dialogs.ports import DossierAnswer, GuideResult, ProcedureRoute, TicketResult
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from tests.conftest import CUA_NAM


@dataclass
class World:
    """The robot's surroundings: a queue on the real centre config, a dossier desk, a guide, a tray."""

    centre: CentreConfig
    said: list[tuple[str, str | None]] = field(default_factory=list)
    issued: list[tuple[str, bool]] = field(default_factory=list)
    guided: list[tuple[str, int | None]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # the form of address each guide_to was given
    with_ticket: list[bool] = field(default_factory=list)  # whether the citizen had a ticket, each guide_to
    procedures: list[str | None] = field(default_factory=list)  # the procedure each ticket was issued for
    dispensed: list[str] = field(default_factory=list)
    lookups: int = 0
    events: list[tuple[object, ...]] = field(default_factory=list)
    guide_arrives: bool = True
    guide_points: bool = False  # a robot that must not move: it shows the way from where it stands
    dossier_text: str = "Hồ sơ của ông bà đang được xử lý, hẹn trả ngày 12 tháng 3."
    queue_broken: bool = False
    stock: int = 1
    ahead_now: str = "hai"  # what standing() says of a ticket issued here
    numbers: list[str] = field(default_factory=list)  # the numbers issue() gave

    # Speaker
    def say(self, text: str, key: str | None = None) -> None:
        self.said.append((text, key))

    # QueueDesk
    def route(self, procedure_id: str) -> ProcedureRoute:
        if procedure_id in self.centre.referrals:
            return ProcedureRoute(False, referral=self.centre.referrals[procedure_id])
        service = self.centre.service_for_procedure(procedure_id)
        if service is None:
            return ProcedureRoute(False, referral="Ông bà hỏi bàn hướng dẫn ạ.")
        counters = tuple(c.number for c in self.centre.counters_for_service(service.id))
        return ProcedureRoute(True, service.id, service.name, counters)

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        self.procedures.append(procedure)
        if self.queue_broken:
            raise OSError("database is locked")
        self.issued.append((service_id, priority))
        service = self.centre.service(service_id)
        counters = tuple(c.number for c in self.centre.counters_for_service(service_id))
        self.numbers.append(f"{service.prefix}{len(self.issued) + 11:03d}")
        return TicketResult(True, self.numbers[-1], service.name, counters, people_ahead=3, wait_minutes=15,
                            printed=True)

    def standing(self, number: str) -> str | None:
        if self.queue_broken:
            raise OSError("database is locked")
        if number not in self.numbers:
            return None
        return f"Dạ, số {number} của ông/bà đang chờ; phía trước còn {self.ahead_now} người."

    # DossierDesk
    def lookup(self, payload: str) -> DossierAnswer:
        self.lookups += 1
        return DossierAnswer(True, self.dossier_text)

    # Guide
    def guide_to(self, place: str, counter: int | None = None, address: str = "ông/bà",
                 with_ticket: bool = True) -> GuideResult:
        self.guided.append((place, counter))
        self.with_ticket.append(with_ticket)
        self.addresses.append(address)
        if self.guide_points:
            return GuideResult(False, "not_allowed", pointed=True)
        return GuideResult(True) if self.guide_arrives else GuideResult(False, "obstacle")

    def return_to_base(self) -> None:
        self.events.append(("returned",))

    # Refreshments
    def dispense(self, item: str) -> bool:
        self.dispensed.append(item)
        self.stock -= 1
        return self.stock >= 0

    # SessionEvents
    def session_started(self, session_id: str) -> None:
        self.events.append(("started", session_id))

    def session_ended(self, session_id: str, reason: str, intent: str | None, procedure: str | None) -> None:
        self.events.append(("ended", session_id, reason, intent, procedure))

    def help_requested(self, session_id: str, reason: str) -> None:
        self.events.append(("help", session_id, reason))

    @property
    def texts(self) -> list[str]:
        return [t for t, _ in self.said]

    def ended(self) -> tuple[object, ...]:
        return next(e for e in reversed(self.events) if e[0] == "ended")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_checked()


@pytest.fixture(scope="module")
def understander(catalogue: Catalogue) -> Understander:
    return Understander(catalogue)


@pytest.fixture(scope="module")
def centre(catalogue: Catalogue) -> CentreConfig:
    return load_centre(CUA_NAM, catalogue)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(centre: CentreConfig) -> World:
    return World(centre)


def make(catalogue: Catalogue, understander: Understander, world: World, clock: Clock,
         **settings: object) -> DialogManager:
    ids = iter(f"s{i}" for i in range(1, 100))
    return DialogManager(
        catalogue, understander, speaker=world, queue=world, dossiers=world, guide=world, refreshments=world,
        events=world, settings=ManagerSettings(**settings),  # type: ignore[arg-type]
        clock_fn=clock, new_id=lambda: next(ids),
    )


@pytest.fixture
def manager(catalogue: Catalogue, understander: Understander, world: World, clock: Clock) -> DialogManager:
    return make(catalogue, understander, world, clock)
