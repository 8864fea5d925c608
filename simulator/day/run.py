"""Running simulated days: the plan's citizens through the real dialog and the real queue engine on a
simulated clock moved from event to event (so a day of 600 citizens takes seconds), counters calling and
serving; then the KPIs, and the report folder for a baseline day and a what-if day."""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
import time as _time
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dialogs.catalogue import Catalogue
from robot.clock import SimClock
from robot.config import CentreConfig
from robot.queue import QueueEngine
from robot.queue.policy import issuing_window, next_opening
from simulator.day.conversation import DayDialog, VisitRecord
from simulator.day.kpis import DayRun, Visit, compute_kpis
from simulator.day.plan import DayPlan, counters_per_service, plan_day, with_counters
from simulator.day.report import DayReport, write_report

NO_SHOW_AFTER_MIN = 2.0  # a counter waits this long for a called citizen, then marks a no-show
WALK_MIN = 0.5  # from the waiting chairs to the counter


class DayError(Exception):
    """A day that cannot be simulated (closed day, bad what-if); for technicians, English."""


def first_opening(centre: CentreConfig, day: date) -> datetime:
    """When the centre opens on `day` (the queue policy's calendar); DayError when it is closed that day."""
    opens = next_opening(centre.opening_hours, datetime.combine(day, time(0), centre.site.tz), days=1)
    if opens is None:
        raise DayError(f"{centre.site.id} is closed on {day:%Y-%m-%d}; pick a working day with --at")
    return opens


def _cutoff_passed(centre: CentreConfig, moment: datetime) -> bool:
    """No more tickets at `moment`, and not because the day has yet to open."""
    window = issuing_window(centre.opening_hours, moment)
    return not window.open and window.reason != "before_opening"


def simulate_day(centre: CentreConfig, catalogue: Catalogue, plan: DayPlan, db_path: Path,
                 point_id: str | None = None) -> list[Visit]:
    """Run the planned day through the real dialog manager and the real queue engine."""
    first_open = first_opening(centre, plan.day)
    start = min([first_open, *(c.arrives for c in plan.citizens)])
    clock = SimClock(start)
    point = centre.point(point_id)
    engine = QueueEngine(centre, db_path, clock)
    try:
        dialog = DayDialog(centre, catalogue, engine, clock.monotonic)
        records = [VisitRecord(c) for c in plan.citizens]
        by_number: dict[str, VisitRecord] = {}
        counters = [c.number for c in point.counters if c.open]
        busy: dict[int, str | None] = dict.fromkeys(counters)
        queue: list[tuple[datetime, int, str, Any]] = []
        seq = 0
        for record in records:
            heapq.heappush(queue, (record.citizen.arrives, seq, "arrive", record))
            seq += 1
        heapq.heappush(queue, (first_open, seq, "open", None))
        while queue:
            moment, _, kind, payload = heapq.heappop(queue)
            if moment > clock.now():
                clock.set(moment)
            now = clock.now()
            if kind == "arrive":
                dialog.converse(payload, now, _cutoff_passed(centre, now))
                if payload.so_far.number:
                    by_number[payload.so_far.number] = payload
            elif kind == "serve":
                counter, number, minutes = payload
                engine.start_serving(number, point.id)
                heapq.heappush(queue, (now + timedelta(minutes=minutes), seq, "finish", (counter, number, False)))
                seq += 1
                continue
            elif kind == "finish":
                counter, number, no_show = payload
                (engine.no_show if no_show else engine.done)(number, point.id)
                if number in by_number:
                    by_number[number].note(finished=now)
                busy[counter] = None
            if now < first_open:
                continue
            for counter in counters:
                if busy[counter] is not None:
                    continue
                ticket = engine.call_next(counter, point.id)
                if ticket is None:
                    continue
                busy[counter] = ticket.number
                rec = by_number.get(ticket.number)
                if rec is not None:
                    rec.note(called=now, counter=counter)
                absent = rec is not None and rec.citizen.no_show
                if absent or rec is None:
                    heapq.heappush(queue, (now + timedelta(minutes=NO_SHOW_AFTER_MIN), seq, "finish",
                                           (counter, ticket.number, True)))
                else:
                    heapq.heappush(queue, (now + timedelta(minutes=WALK_MIN), seq, "serve",
                                           (counter, ticket.number, rec.citizen.service_min)))
                seq += 1
    finally:
        engine.close()
    return [r.visit() for r in records]


def run_day(centre: CentreConfig, catalogue: Catalogue, day: date, *, arrivals: int, seed: int, label: str,
            db_path: Path) -> DayRun:
    started = _time.perf_counter()
    plan = plan_day(centre, catalogue, day, arrivals, seed)
    visits = simulate_day(centre, catalogue, plan, db_path)
    kpis = compute_kpis(day, visits, counters_per_service(centre))
    return DayRun(label, kpis, tuple(visits), round(_time.perf_counter() - started, 3))


def scratch_dir() -> str:
    """A folder for the day's queue database: in memory-backed /dev/shm when there is one (no fsync cost)."""
    shm = Path("/dev/shm")
    return tempfile.mkdtemp(prefix="letan-day-", dir=str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None)


def run_day_report(
    centre: CentreConfig, catalogue: Catalogue, day: date, out: Path, *, seed: int, arrivals: int,
    what_if_counters: Mapping[str, int] | None = None, what_if_arrivals: int | None = None,
) -> DayReport:
    """Simulate the baseline day (and a what-if day with the same seed), write the report folder."""
    first_opening(centre, day)
    scratch = scratch_dir()
    try:
        runs = [run_day(centre, catalogue, day, arrivals=arrivals, seed=seed, label="baseline",
                        db_path=Path(scratch) / "baseline.sqlite3")]
        if what_if_counters or what_if_arrivals is not None:
            try:
                variant = with_counters(centre, what_if_counters or {})
            except (KeyError, ValueError) as exc:
                raise DayError(f"what-if counters: {exc}") from None
            runs.append(run_day(variant, catalogue, day, arrivals=what_if_arrivals or arrivals, seed=seed,
                                label="what-if", db_path=Path(scratch) / "what-if.sqlite3"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return write_report(out, runs, f"{centre.site.name}: simulated day {day:%Y-%m-%d}")
