"""What happened to each citizen of a simulated day (`Visit`) and the day's figures: tickets, waits, queue
lengths, per service. Pure."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Visit:
    """What happened to one citizen, from the engine's answers."""

    index: int
    arrived: datetime
    procedure: str | None
    outcome: str  # ticket | turned_away | referred | no_ticket | handed_to_staff
    service: str | None = None
    number: str | None = None
    priority: bool = False
    issued: datetime | None = None
    called: datetime | None = None
    counter: int | None = None
    finished: datetime | None = None
    no_show: bool = False

    @property
    def wait_min(self) -> float | None:
        if self.issued is None or self.called is None:
            return None
        return (self.called - self.issued).total_seconds() / 60


@dataclass(frozen=True)
class ServiceKpi:
    service: str
    tickets: int
    served: int
    no_shows: int
    wait_median_min: float
    wait_p90_min: float
    longest_queue: int


@dataclass(frozen=True)
class DayKpis:
    day: str
    arrivals: int
    tickets: int
    served: int
    no_shows: int
    turned_away: int
    referred: int
    without_ticket: int
    handed_to_staff: int
    tickets_per_hour: dict[str, int]
    wait_median_min: float
    wait_p90_min: float
    longest_queue: int
    longest_queue_service: str
    last_finished: str
    per_service: tuple[ServiceKpi, ...]
    counters: dict[str, int] = field(default_factory=dict)


def _pct(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return round(ordered[rank - 1], 1)


def queue_lengths(visits: Sequence[Visit], service: str | None, moments: Sequence[datetime]) -> list[int]:
    """Tickets waiting (issued, not yet called) at each moment, for one service or all."""
    spans = [(v.issued, v.called) for v in visits
             if v.issued is not None and (service is None or v.service == service)]
    out = []
    for moment in moments:
        out.append(sum(1 for issued, called in spans if issued <= moment and (called is None or called > moment)))
    return out


def sample_moments(visits: Sequence[Visit], step_min: int = 5) -> list[datetime]:
    times = [v.arrived for v in visits] + [v.finished for v in visits if v.finished]
    if not times:
        return []
    start, end = min(times), max(times)
    out, moment = [], start
    while moment <= end:
        out.append(moment)
        moment += timedelta(minutes=step_min)
    return out


def compute_kpis(day: date, visits: Sequence[Visit], counters: Mapping[str, int]) -> DayKpis:
    tickets = [v for v in visits if v.outcome == "ticket"]
    served = [v for v in tickets if v.called is not None and not v.no_show]
    waits = [w for v in tickets if (w := v.wait_min) is not None]
    per_hour: dict[str, int] = {}
    for v in tickets:
        if v.issued is not None:
            key = f"{v.issued:%H}:00"
            per_hour[key] = per_hour.get(key, 0) + 1
    moments = sample_moments(visits, 1)
    services = sorted({v.service for v in tickets if v.service})
    per_service = []
    longest, longest_service = 0, ""
    for svc in services:
        mine = [v for v in tickets if v.service == svc]
        svc_waits = [w for v in mine if (w := v.wait_min) is not None]
        lengths = queue_lengths(mine, svc, moments)
        peak = max(lengths, default=0)
        if peak > longest:
            longest, longest_service = peak, svc
        per_service.append(ServiceKpi(
            svc, len(mine), sum(1 for v in mine if v.called and not v.no_show), sum(1 for v in mine if v.no_show),
            round(statistics.median(svc_waits), 1) if svc_waits else 0.0, _pct(svc_waits, 90), peak,
        ))
    finished = [v.finished for v in tickets if v.finished is not None]
    return DayKpis(
        day=day.isoformat(),
        arrivals=len(visits),
        tickets=len(tickets),
        served=len(served),
        no_shows=sum(1 for v in tickets if v.no_show),
        turned_away=sum(1 for v in visits if v.outcome == "turned_away"),
        referred=sum(1 for v in visits if v.outcome == "referred"),
        without_ticket=sum(1 for v in visits if v.outcome == "no_ticket"),
        handed_to_staff=sum(1 for v in visits if v.outcome == "handed_to_staff"),
        tickets_per_hour=dict(sorted(per_hour.items())),
        wait_median_min=round(statistics.median(waits), 1) if waits else 0.0,
        wait_p90_min=_pct(waits, 90),
        longest_queue=longest,
        longest_queue_service=longest_service,
        last_finished=f"{max(finished):%H:%M}" if finished else "",
        per_service=tuple(per_service),
        counters=dict(counters),
    )


@dataclass(frozen=True)
class DayRun:
    """One simulated day: its KPIs and visits."""

    label: str
    kpis: DayKpis
    visits: tuple[Visit, ...]
    seconds: float
