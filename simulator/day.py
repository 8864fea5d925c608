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

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dialogs.catalogue import Catalogue
from robot.config import CentreConfig, Counter, ReceptionPoint

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


def next_opening(centre: CentreConfig, after: datetime) -> datetime:
    """The first session opening at or after `after` (in the centre's time zone)."""
    local = after.astimezone(centre.site.tz)
    for offset in range(0, 60):
        day = local.date() + timedelta(days=offset)
        hours = centre.opening_hours.for_date(day)
        if hours is None:
            continue
        for session in hours.sessions():
            opens = datetime.combine(day, session.opens, centre.site.tz)
            if opens >= local:
                return opens
    raise ValueError(f"{centre.site.id}: no opening in the 60 days after {local:%Y-%m-%d}")


def next_working_day(centre: CentreConfig, after: datetime) -> date:
    """The next day (after today) with at least one session."""
    local = after.astimezone(centre.site.tz)
    return next_opening(centre, datetime.combine(local.date() + timedelta(days=1), time(0), centre.site.tz)).date()


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
