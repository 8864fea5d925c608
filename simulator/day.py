"""A simulated working day at a centre: citizens arrive, talk to the robot, take tickets, counters serve.

Everything goes through the real parts: each citizen's typed utterance goes to the real dialog
manager (with the real understander), whose queue desk is the real queue engine on a SQLite
file; counters call the next ticket on the same engine. Time is a `SimClock` moved from event to
event, so a day of 600 citizens takes seconds. The plan (arrivals, procedures, service times,
no-shows) is drawn from a seeded random generator: the same seed gives the same day.

Pure parts here: the calendar, the plan, the KPIs and the report texts. The run itself is
`simulate_day()`; the report folder (PNG chart + Markdown) is written by `write_report()`.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import statistics
import tempfile
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from dialogs.catalogue import Catalogue
from dialogs.ports import GuideResult
from robot.config import CentreConfig, Counter, ReceptionPoint
from robot.queue.policy import issuing_window

# Share of visits per procedure at a busy ward (field notes: chứng thực dominates, then hộ tịch,
# cư trú, social allowances, land). Procedures a centre does not handle are dropped and the rest
# renormalised; a procedure it refers elsewhere stays (the citizen is told where to go).
PROCEDURE_MIX: Mapping[str, float] = {
    "chung_thuc_ban_sao": 38.0,
    "chung_thuc_chu_ky": 10.0,
    "chung_thuc_hop_dong_giao_dich": 4.0,
    "chung_thuc_di_chuc": 0.5,
    "khai_sinh": 6.0,
    "ket_hon": 2.5,
    "khai_tu": 1.5,
    "xac_nhan_tinh_trang_hon_nhan": 4.0,
    "ban_sao_trich_luc_ho_tich": 3.0,
    "dang_ky_lai_khai_sinh": 0.5,
    "thay_doi_cai_chinh_ho_tich": 1.0,
    "nhan_cha_me_con": 0.3,
    "lien_thong_tre_duoi_6_tuoi": 2.0,
    "the_bhyt": 3.0,
    "tro_cap_xa_hoi_hang_thang": 2.0,
    "tro_cap_huu_tri_xa_hoi": 0.7,
    "ho_tro_mai_tang": 0.5,
    "xac_dinh_muc_do_khuyet_tat": 0.5,
    "ho_ngheo_can_ngheo": 0.7,
    "thanh_lap_ho_kinh_doanh": 1.5,
    "thay_doi_ho_kinh_doanh": 1.0,
    "cap_gcn_dat_lan_dau": 1.0,
    "dang_ky_bien_dong_dat": 2.0,
    "giay_phep_xay_dung_nha_o": 0.8,
    "dang_ky_thuong_tru": 3.5,
    "dang_ky_tam_tru": 4.0,
    "gia_han_tam_tru": 1.5,
    "tach_ho": 0.8,
    "khai_bao_tam_vang": 0.5,
    "can_cuoc_tre_duoi_6_tuoi": 1.2,
}

# Median minutes at the counter, by procedure (the rest: DEFAULT_SERVICE_MIN); log-normal spread.
SERVICE_MINUTES: Mapping[str, float] = {
    "chung_thuc_ban_sao": 3.0,
    "chung_thuc_chu_ky": 4.0,
    "chung_thuc_hop_dong_giao_dich": 15.0,
    "chung_thuc_di_chuc": 20.0,
    "khai_sinh": 10.0,
    "ket_hon": 12.0,
    "khai_tu": 10.0,
    "xac_nhan_tinh_trang_hon_nhan": 8.0,
    "ban_sao_trich_luc_ho_tich": 5.0,
    "lien_thong_tre_duoi_6_tuoi": 15.0,
    "the_bhyt": 6.0,
    "cap_gcn_dat_lan_dau": 18.0,
    "dang_ky_bien_dong_dat": 15.0,
    "dang_ky_thuong_tru": 10.0,
    "dang_ky_tam_tru": 7.0,
}
DEFAULT_SERVICE_MIN = 9.0
SERVICE_SPREAD = 0.45  # sigma of the log-normal

# Relative arrivals per half hour after opening, morning peak (08:00-10:00) then a quieter
# afternoon. Index 0 = first half hour of the session.
MORNING_PROFILE = (1.6, 2.2, 2.4, 2.0, 1.5, 1.1, 0.8, 0.45)
AFTERNOON_PROFILE = (1.0, 1.2, 1.1, 0.95, 0.8, 0.6, 0.45, 0.3)

ELDERLY_SHARE = 0.18  # say they are elderly / disabled / pregnant -> priority ticket
NO_SHOW_SHARE = 0.04  # left before being called
OFF_TOPIC_SHARE = 0.05  # ask for the toilet, water... then leave without a ticket
PRIORITY_OPENERS = ("bác già rồi, ", "tôi là người cao tuổi, ", "tôi đang mang thai, ", "tôi bị khuyết tật, ")
OFF_TOPIC = ("cho hỏi nhà vệ sinh ở đâu", "cho tôi xin cốc nước", "chỗ photo ở đâu em", "bãi gửi xe ở đâu")


@dataclass(frozen=True)
class Citizen:
    """One planned visit. The utterance is what they type; no personal data."""

    index: int
    arrives: datetime
    procedure: str | None  # None: an off-topic question, no ticket wanted
    utterance: str
    priority: bool
    service_min: float
    no_show: bool


@dataclass(frozen=True)
class DayPlan:
    centre: CentreConfig
    day: date
    citizens: tuple[Citizen, ...]
    seed: int


def procedure_mix(centre: CentreConfig, catalogue: Catalogue) -> dict[str, float]:
    """Weights of the procedures citizens of this centre come for (handled here or referred)."""
    known = {p.id for p in catalogue.procedures}
    handled = {p for s in centre.services for p in s.procedures} | set(centre.referrals)
    return {pid: w for pid, w in PROCEDURE_MIX.items() if pid in known and pid in handled}


def _arrival_slots(centre: CentreConfig, day: date) -> list[tuple[datetime, float]]:
    """Half-hour slots of the day with their relative arrival weight, up to each session's close."""
    hours = centre.opening_hours.for_date(day)
    if hours is None:
        raise ValueError(f"{centre.site.id} is closed on {day:%Y-%m-%d}")
    slots: list[tuple[datetime, float]] = []
    for session, profile in ((hours.morning, MORNING_PROFILE), (hours.afternoon, AFTERNOON_PROFILE)):
        if session is None:
            continue
        start = datetime.combine(day, session.opens, centre.site.tz)
        end = datetime.combine(day, session.closes, centre.site.tz)
        # Some people come a little before opening and queue at the door.
        slot_start, index = start - timedelta(minutes=15), 0
        slots.append((slot_start, profile[0] * 0.5))
        slot_start = start
        while slot_start < end:
            slots.append((slot_start, profile[min(index, len(profile) - 1)]))
            slot_start += timedelta(minutes=30)
            index += 1
    return slots


def plan_day(centre: CentreConfig, catalogue: Catalogue, day: date, arrivals: int, seed: int) -> DayPlan:
    """Draw a day's visits: times by half-hour profile, procedure by mix, utterance from the catalogue."""
    if arrivals < 0:
        raise ValueError("arrivals must be >= 0")
    rng = random.Random(seed)
    slots = _arrival_slots(centre, day)
    mix = procedure_mix(centre, catalogue)
    if not mix:
        raise ValueError(f"{centre.site.id}: none of the simulated procedures is handled or referred here")
    procs, weights = list(mix), list(mix.values())
    slot_weights = [w for _, w in slots]
    times = []
    for _ in range(arrivals):
        start, _w = rng.choices(slots, weights=slot_weights)[0]
        length = 15 * 60 if start.minute % 30 == 15 else 30 * 60
        times.append(start + timedelta(seconds=rng.uniform(0, length)))
    times.sort()
    citizens = []
    for index, moment in enumerate(times):
        priority = rng.random() < ELDERLY_SHARE
        if rng.random() < OFF_TOPIC_SHARE:
            citizens.append(Citizen(index, moment, None, rng.choice(OFF_TOPIC), False, 0.0, False))
            continue
        proc_id = rng.choices(procs, weights=weights)[0]
        phrasings = catalogue.get(proc_id).phrasings or (catalogue.get(proc_id).short_name,)
        utterance = rng.choice(phrasings)
        if priority:
            utterance = rng.choice(PRIORITY_OPENERS) + utterance[0].lower() + utterance[1:]
        median = SERVICE_MINUTES.get(proc_id, DEFAULT_SERVICE_MIN)
        service = max(1.0, rng.lognormvariate(math.log(median), SERVICE_SPREAD))
        citizens.append(Citizen(index, moment, proc_id, utterance, priority, round(service, 2),
                                rng.random() < NO_SHOW_SHARE))
    return DayPlan(centre, day, tuple(citizens), seed)


def with_counters(centre: CentreConfig, wanted: Mapping[str, int], point_id: str | None = None) -> CentreConfig:
    """A copy of the centre where `service -> n` open counters serve each named service.

    Extra counters are added (dedicated to that service, standing at an existing counter's
    location); surplus ones are closed, dedicated counters first.
    """
    point = centre.point(point_id)
    counters = list(point.counters)
    for service_id, n in wanted.items():
        centre.service(service_id)  # KeyError for an unknown service
        if n < 1:
            raise ValueError(f"{service_id}: at least one counter must stay open")
        serving = [c for c in counters if service_id in c.services and c.open]
        next_number = max(c.number for c in counters) + 1
        while len(serving) < n:
            anchor = serving[0] if serving else counters[0]
            extra = Counter(number=next_number, label=f"Quầy thêm {next_number}", services=(service_id,),
                            location=anchor.location)
            counters.append(extra)
            serving.append(extra)
            next_number += 1
        surplus = sorted(serving, key=lambda c: len(c.services))[: max(0, len(serving) - n)]
        counters = [c.model_copy(update={"open": False}) if c in surplus else c for c in counters]
    new_point: ReceptionPoint = point.model_copy(update={"counters": tuple(counters)})
    points = tuple(new_point if p.id == point.id else p for p in centre.reception_points)
    return centre.model_copy(update={"reception_points": points})


# ---------------------------------------------------------------------------------------------
# Records and KPIs


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


# ---------------------------------------------------------------------------------------------
# Report


def summary_markdown(kpis: DayKpis, title: str, compare: DayKpis | None = None) -> str:
    """The day's KPIs as Markdown; with `compare`, a what-if table baseline vs this run."""
    lines = [f"# {title}", "", f"Day {kpis.day}: {kpis.arrivals} citizens, counters per service "
             + ", ".join(f"{k} {v}" for k, v in kpis.counters.items()), ""]
    lines += [
        "| KPI | value |", "|---|---|",
        f"| tickets issued | {kpis.tickets} |",
        f"| served | {kpis.served} |",
        f"| no-shows | {kpis.no_shows} |",
        f"| turned away at the cut-off | {kpis.turned_away} |",
        f"| referred elsewhere | {kpis.referred} |",
        f"| other questions, no ticket | {kpis.without_ticket} |",
        f"| handed to staff (not understood) | {kpis.handed_to_staff} |",
        f"| waiting time median / p90 | {kpis.wait_median_min} / {kpis.wait_p90_min} min |",
        f"| longest queue | {kpis.longest_queue} ({kpis.longest_queue_service}) |",
        f"| last citizen served | {kpis.last_finished} |",
        "",
        "## Per service", "",
        "| service | tickets | served | no-shows | wait median (min) | wait p90 (min) | longest queue |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {s.service} | {s.tickets} | {s.served} | {s.no_shows} | {s.wait_median_min} | {s.wait_p90_min} "
              f"| {s.longest_queue} |" for s in kpis.per_service]
    lines += ["", "## Tickets per hour", "", "| hour | tickets |", "|---|---|"]
    lines += [f"| {hour} | {n} |" for hour, n in kpis.tickets_per_hour.items()]
    if compare is not None:
        lines += ["", "## What if: baseline vs this run", "",
                  "| KPI | baseline | what-if |", "|---|---|---|"]
        lines += [f"| {name} | {a} | {b} |" for name, a, b in comparison_rows(compare, kpis)]
    lines += ["", "![queue length and waiting time](day.png)", ""]
    return "\n".join(lines)


def comparison_rows(base: DayKpis, other: DayKpis) -> list[tuple[str, str, str]]:
    rows = [
        ("counters", ", ".join(f"{k} {v}" for k, v in base.counters.items()),
         ", ".join(f"{k} {v}" for k, v in other.counters.items())),
        ("arrivals", str(base.arrivals), str(other.arrivals)),
        ("tickets", str(base.tickets), str(other.tickets)),
        ("turned away", str(base.turned_away), str(other.turned_away)),
        ("wait median (min)", str(base.wait_median_min), str(other.wait_median_min)),
        ("wait p90 (min)", str(base.wait_p90_min), str(other.wait_p90_min)),
        ("longest queue", f"{base.longest_queue} ({base.longest_queue_service})",
         f"{other.longest_queue} ({other.longest_queue_service})"),
        ("last served", base.last_finished, other.last_finished),
    ]
    theirs = {s.service: s for s in other.per_service}
    for svc in base.per_service:
        mine = theirs.get(svc.service)
        if mine is not None:
            rows.append((f"{svc.service} wait median / p90", f"{svc.wait_median_min} / {svc.wait_p90_min}",
                         f"{mine.wait_median_min} / {mine.wait_p90_min}"))
    return rows


def plot_day(visits: Sequence[Visit], path: str, title: str) -> None:
    """PNG: queue length (top) and waiting time of the tickets called (bottom), per service, over the day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    moments = sample_moments(visits, 5)
    services = sorted({v.service for v in visits if v.service})
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    tz = moments[0].tzinfo if moments else None
    for svc in services:
        top.plot(moments, queue_lengths(visits, svc, moments), label=svc, linewidth=1.5)
        mine = [v for v in visits if v.service == svc]
        called = sorted((v.called, w) for v in mine if v.called and (w := v.wait_min) is not None)
        if called:
            bottom.plot([c for c, _ in called], [w for _, w in called], marker=".", linestyle="-", linewidth=0.8,
                        markersize=3, label=svc)
    top.set_ylabel("tickets waiting")
    top.set_title(title)
    top.legend(loc="upper right", fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_ylabel("wait when called (min)")
    bottom.grid(alpha=0.3)
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=tz))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# The run: real dialog manager + real queue engine on a simulated clock


class DayError(Exception):
    """A day that cannot be simulated (closed day, bad what-if); for technicians, English."""


CONFIRM_TICKET = "vâng, cho tôi lấy số"
DECLINE_MORE = "không, cảm ơn em"
AGREE = "vâng"
NO_SHOW_AFTER_MIN = 2.0  # a counter waits this long for a called citizen, then marks a no-show
WALK_MIN = 0.5  # from the waiting chairs to the counter


@dataclass
class _Record:
    """Mutable bookkeeping of one visit during the run (frozen into a Visit at the end)."""

    citizen: Citizen
    outcome: str = "no_ticket"
    service: str | None = None
    number: str | None = None
    priority: bool = False
    issued: datetime | None = None
    called: datetime | None = None
    counter: int | None = None
    finished: datetime | None = None

    def visit(self) -> Visit:
        c = self.citizen
        return Visit(c.index, c.arrives, c.procedure, self.outcome, self.service, self.number, self.priority,
                     self.issued, self.called, self.counter, self.finished, c.no_show and self.called is not None)


class _RecordingDesk:
    """The dialog's QueueDesk, watched: remembers the last ticket result for the day's bookkeeping."""

    def __init__(self, desk: Any):
        self.desk = desk
        self.last: tuple[str, bool, Any] | None = None

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> Any:
        result = self.desk.issue(service_id, priority, procedure)
        self.last = (service_id, priority, result)
        return result

    def route(self, procedure_id: str) -> Any:
        return self.desk.route(procedure_id)


class _Ended:
    """SessionEvents that keeps the last end reason."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def session_started(self, session_id: str) -> None:
        self.reason = None

    def session_ended(self, session_id: str, reason: str, intent: str | None, procedure: str | None) -> None:
        self.reason = reason

    def help_requested(self, session_id: str, reason: str) -> None:
        return None


class _Quiet:
    def say(self, text: str, key: str | None = None) -> None:
        return None


def _converse(manager: Any, desk: _RecordingDesk, ended: _Ended, citizen: Citizen, record: _Record,
              catalogue: Catalogue, now: datetime, cutoff_passed: bool) -> None:
    """One citizen at the robot: say what they came for, accept the ticket, say goodbye."""
    from dialogs.manager import State

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
            record.outcome, record.service, record.number = "ticket", service_id, result.number
            record.priority, record.issued = priority, now
        else:
            record.outcome = "turned_away" if cutoff_passed else "no_ticket"
    elif ended.reason == "handed_over":
        record.outcome = "handed_to_staff"
    elif citizen.procedure is not None and not manager.queue.route(citizen.procedure).handled_here:
        record.outcome = "referred"
    elif citizen.procedure is not None:
        record.outcome = "handed_to_staff"


def _cutoff_passed(centre: CentreConfig, moment: datetime) -> bool:
    """No more tickets at `moment`, and not because the day has yet to open."""
    window = issuing_window(centre.opening_hours, moment)
    return not window.open and window.reason != "before_opening"


def simulate_day(centre: CentreConfig, catalogue: Catalogue, plan: DayPlan, db_path: Path,
                 point_id: str | None = None) -> list[Visit]:
    """Run the planned day through the real dialog manager and the real queue engine."""
    import heapq

    from dialogs.manager import DialogManager
    from robot.app import NoDossiers, NoRefreshments
    from robot.clock import SimClock
    from robot.queue import QueueEngine

    hours = centre.opening_hours.for_date(plan.day)
    if hours is None or not hours.sessions():
        raise DayError(f"{centre.site.id} is closed on {plan.day:%Y-%m-%d}; pick a working day with --at")
    first_open = datetime.combine(plan.day, hours.sessions()[0].opens, centre.site.tz)
    start = min([first_open, *(c.arrives for c in plan.citizens)])
    clock = SimClock(start)
    point = centre.point(point_id)
    engine = QueueEngine(centre, db_path, clock)
    try:
        desk = _RecordingDesk(_day_queue_desk(centre, catalogue, engine))
        ended = _Ended()
        manager = DialogManager(
            catalogue, _understander(catalogue), speaker=_Quiet(), queue=desk, dossiers=NoDossiers(),
            guide=_PointingGuide(), refreshments=NoRefreshments(), events=ended, clock_fn=clock.monotonic,
        )
        records = [_Record(c) for c in plan.citizens]
        by_number: dict[str, _Record] = {}
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
                _converse(manager, desk, ended, payload.citizen, payload, catalogue, now, _cutoff_passed(centre, now))
                if payload.number:
                    by_number[payload.number] = payload
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
                    by_number[number].finished = now
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
                    rec.called, rec.counter = now, counter
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


class _PointingGuide:
    """Citizens asking the way during a simulated day are shown it from the robot's post."""

    def guide_to(self, place: str, counter: int | None = None, address: str = "ông/bà",
                 with_ticket: bool = True) -> GuideResult:
        return GuideResult(False, "not_allowed", pointed=True)

    def return_to_base(self) -> None:
        """The robot never left its post."""


def _understander(catalogue: Catalogue) -> Any:
    from robot.understander import make_understander

    return make_understander(catalogue)


def _day_queue_desk(centre: CentreConfig, catalogue: Catalogue, engine: Any) -> Any:
    """The robot's own ticket desk on the day's engine; no printer (the day is about the queue)."""
    from robot.ticket_desk import TicketDesk

    return TicketDesk(centre, engine, None, catalogue, on_alert=lambda kind, detail: None)


@dataclass(frozen=True)
class DayRun:
    """One simulated day: its KPIs and visits."""

    label: str
    kpis: DayKpis
    visits: tuple[Visit, ...]
    seconds: float


@dataclass(frozen=True)
class DayReport:
    folder: Path
    runs: tuple[DayRun, ...]
    summary_lines: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"runs": [{"label": r.label, "seconds": r.seconds, "kpis": asdict(r.kpis)} for r in self.runs]}


def counters_per_service(centre: CentreConfig, point_id: str | None = None) -> dict[str, int]:
    return {s.id: len(centre.counters_for_service(s.id, point_id)) for s in centre.services}


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
    if centre.opening_hours.for_date(day) is None:
        raise DayError(f"{centre.site.id} is closed on {day:%Y-%m-%d}; pick a working day with --at")
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
    out.mkdir(parents=True, exist_ok=True)
    base = runs[0]
    last = runs[-1]
    title = f"{centre.site.name}: simulated day {day:%Y-%m-%d}"
    compare = base.kpis if len(runs) > 1 else None
    (out / "summary.md").write_text(summary_markdown(last.kpis, title, compare), encoding="utf-8")
    plot_day(last.visits, str(out / "day.png"), title)
    if len(runs) > 1:
        plot_day(base.visits, str(out / "baseline.png"), title + " (baseline)")
    report = DayReport(out, tuple(runs), tuple(summary_lines(runs)))
    (out / "kpis.json").write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def summary_lines(runs: Sequence[DayRun]) -> list[str]:
    lines = []
    for run in runs:
        k = run.kpis
        lines += [
            f"[bold]{run.label}[/bold] ({k.day}, {k.arrivals} citizens, simulated in {run.seconds:.2f} s)",
            f"  tickets {k.tickets}, served {k.served}, no-shows {k.no_shows}, turned away at cut-off "
            f"{k.turned_away}, referred {k.referred}, handed to staff {k.handed_to_staff}",
            f"  waiting time median {k.wait_median_min} min, p90 {k.wait_p90_min} min; longest queue "
            f"{k.longest_queue} ({k.longest_queue_service}); last served {k.last_finished}",
            "  tickets per hour: " + ", ".join(f"{h} {n}" for h, n in k.tickets_per_hour.items()),
        ]
        lines += [f"  {s.service}: {s.tickets} tickets, wait median {s.wait_median_min} / p90 {s.wait_p90_min} min,"
                  f" longest queue {s.longest_queue}" for s in k.per_service]
    if len(runs) > 1:
        lines.append("[bold]baseline vs what-if[/bold]")
        lines += [f"  {name}: {a} -> {b}" for name, a, b in comparison_rows(runs[0].kpis, runs[-1].kpis)]
    return lines
