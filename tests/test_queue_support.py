"""Helpers shared by the queue, ticket and printer tests (no tests here)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from robot.clock import SimClock
from robot.config import CentreConfig, DayHours, OpeningHours, Session, load_catalogue_checked, load_centre
from robot.queue import QueueEngine
from tests.conftest import CUA_NAM

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
_ALL_DAY = DayHours(morning=Session(open="00:00", close="23:59"))


@cache
def cua_nam() -> CentreConfig:
    return load_centre(CUA_NAM, load_catalogue_checked())


def always_open(centre: CentreConfig, **service_changes: object) -> CentreConfig:
    """The centre open 00:00-23:59 every day, services optionally changed (e.g. daily_cap=2000)."""
    hours = OpeningHours(**{day: _ALL_DAY for day in (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")})
    services = tuple(s.model_copy(update=service_changes) for s in centre.services)
    return centre.model_copy(update={"opening_hours": hours, "services": services})


def local(text: str) -> datetime:
    """A local time in Asia/Ho_Chi_Minh from 'YYYY-MM-DDTHH:MM[:SS]'."""
    return datetime.fromisoformat(text).replace(tzinfo=HCM)


def engine_at(centre: CentreConfig, db: Path, at: str) -> tuple[QueueEngine, SimClock]:
    clock = SimClock(local(at))
    return QueueEngine(centre, db, clock), clock
