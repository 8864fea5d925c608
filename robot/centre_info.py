"""dialogs.ports.CentreInfo from the centre file: opening hours of a day, lunch break, next opening."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from dialogs.ports import CentreHours, DayOpening
from robot.config import WEEKDAYS, CentreConfig
from robot.queue.policy import next_open_day

# How many days ahead the next opening is looked for (a centre closed longer than this says nothing of it).
LOOK_AHEAD_DAYS = 30


class ConfigCentreInfo:
    """Opening hours as the dialog tells them, read from `centre.opening_hours` at the time `now()` gives."""

    def __init__(self, centre: CentreConfig, now: Callable[[], datetime]):
        self.centre = centre
        self.now = now

    def day(self, day: date) -> DayOpening:
        hours = self.centre.opening_hours
        today = hours.for_date(day)
        sessions = tuple((s.open, s.close) for s in today.sessions()) if today else ()
        cutoffs = [s.last_ticket for s in today.sessions() if s.last_ticket] if today else []
        last = cutoffs[-1] if cutoffs and sessions and cutoffs[-1] < sessions[-1][1] else None
        return DayOpening(day.isoformat(), day.weekday(), sessions, last, holiday=day in hours.closed_dates)

    def hours(self, day: str | None = None) -> CentreHours:
        moment = self.now()
        today = moment.date()
        asked = _resolve(today, day)
        opening = self.day(asked)
        after = next_open_day(self.centre.opening_hours, asked, LOOK_AHEAD_DAYS)
        return CentreHours(moment.strftime("%H:%M"), opening, asked == today, self.day(after) if after else None)


def _resolve(today: date, day: str | None) -> date:
    """'tomorrow' -> the next day; 'saturday' -> the next Saturday (today when it is one); else today."""
    if day == "tomorrow":
        return today + timedelta(days=1)
    if day in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(day) - today.weekday()) % 7)
    return today
