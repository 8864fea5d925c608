"""Statistics of one day: tickets, waiting and service times (median, p90), no-shows. Pure functions."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from robot.queue.models import Ticket, TicketStatus


@dataclass(frozen=True)
class Durations:
    """Seconds: count, median and 90th percentile (nearest rank); None when there is no sample."""

    count: int
    median_s: float | None
    p90_s: float | None

    @staticmethod
    def of(values: Sequence[float]) -> Durations:
        if not values:
            return Durations(0, None, None)
        ordered = sorted(values)
        rank = max(1, math.ceil(0.9 * len(ordered)))
        return Durations(len(ordered), round(statistics.median(ordered), 1), round(ordered[rank - 1], 1))

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "median_s": self.median_s, "p90_s": self.p90_s}


@dataclass(frozen=True)
class GroupStats:
    """Figures of one service or one counter (key) in a day."""

    key: str
    tickets: int
    served: int
    no_shows: int
    cancelled: int
    unfinished: int
    waiting: Durations  # issued -> called
    service: Durations  # serving -> done

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "tickets": self.tickets, "served": self.served, "no_shows": self.no_shows,
            "cancelled": self.cancelled, "unfinished": self.unfinished,
            "waiting_time": self.waiting.to_json(), "service_time": self.service.to_json(),
        }


@dataclass(frozen=True)
class DayStats:
    day: date
    total: GroupStats
    services: tuple[GroupStats, ...]
    counters: tuple[GroupStats, ...]
    # Satisfaction ratings (docs/staff.md): counts per rating, overall and per counter ("3" or "point/3").
    ratings: dict[str, int] = field(default_factory=dict)
    counter_ratings: dict[str, dict[str, int]] = field(default_factory=dict)
    # Per hour of the day with any activity: tickets issued, called and done in that hour (the manager's chart).
    hours: tuple[dict[str, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(), "total": self.total.to_json(),
            "services": [s.to_json() for s in self.services], "counters": [c.to_json() for c in self.counters],
            "ratings": {"total": self.ratings, "counters": self.counter_ratings},
            "hours": list(self.hours),
        }


def group_stats(key: str, tickets: Iterable[Ticket]) -> GroupStats:
    rows = list(tickets)
    waits = [(t.called_at - t.issued_at).total_seconds() for t in rows if t.called_at is not None]
    services = [
        (t.finished_at - t.serving_at).total_seconds()
        for t in rows
        if t.status == TicketStatus.DONE and t.serving_at is not None and t.finished_at is not None
    ]
    return GroupStats(
        key=key,
        tickets=len(rows),
        served=sum(1 for t in rows if t.status == TicketStatus.DONE),
        no_shows=sum(1 for t in rows if t.status == TicketStatus.NO_SHOW),
        cancelled=sum(1 for t in rows if t.status == TicketStatus.CANCELLED),
        unfinished=sum(1 for t in rows if t.status not in (TicketStatus.DONE, TicketStatus.NO_SHOW,
                                                            TicketStatus.CANCELLED)),
        waiting=Durations.of(waits),
        service=Durations.of(services),
    )


def _grouped(tickets: Sequence[Ticket], key: Callable[[Ticket], str | None]) -> tuple[GroupStats, ...]:
    keys = sorted({k for t in tickets if (k := key(t)) is not None})
    return tuple(group_stats(k, [t for t in tickets if key(t) == k]) for k in keys)


def day_stats(day: date, tickets: Sequence[Ticket], several_points: bool = False,
              ratings: Sequence[dict[str, Any]] = ()) -> DayStats:
    """Per service (the ticket's final service) and per counter (the last counter that handled it).

    Counters are keyed "3", or "point/3" when tickets of several reception points are mixed.
    """

    def counter_key(ticket: Ticket) -> str | None:
        if ticket.counter is None:
            return None
        return f"{ticket.point}/{ticket.counter}" if several_points else str(ticket.counter)

    return DayStats(
        day=day,
        total=group_stats("all", tickets),
        services=_grouped(tickets, lambda t: t.service),
        counters=_grouped(tickets, counter_key),
        ratings={r: sum(1 for x in ratings if x["rating"] == r) for r in RATINGS},
        counter_ratings={
            key: {r: sum(1 for x in ratings if x["rating"] == r and _rating_key(x, several_points) == key)
                  for r in RATINGS}
            for key in sorted({_rating_key(x, several_points) for x in ratings})},
        hours=hourly(tickets),
    )


def hourly(tickets: Sequence[Ticket]) -> tuple[dict[str, int], ...]:
    """Tickets issued, called and done in each hour (local time of the queue) that had any."""
    counts: dict[int, dict[str, int]] = {}
    for ticket in tickets:
        for kind, moment in (("issued", ticket.issued_at), ("called", ticket.called_at),
                             ("done", ticket.finished_at if ticket.status == TicketStatus.DONE else None)):
            if moment is not None:
                row = counts.setdefault(moment.hour, {"hour": moment.hour, "issued": 0, "called": 0, "done": 0})
                row[kind] += 1
    return tuple(counts[h] for h in sorted(counts))


RATINGS = ("very_satisfied", "satisfied", "unsatisfied")


def _rating_key(rating: dict[str, Any], several_points: bool) -> str:
    return f"{rating['point']}/{rating['counter']}" if several_points else str(rating["counter"])
