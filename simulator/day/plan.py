"""The plan of a simulated day: who comes when, for which procedure, saying what, and how long they take at the
counter; and the what-if centre with more or fewer counters. Pure: a seeded random generator, the same seed
gives the same day."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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


def counters_per_service(centre: CentreConfig, point_id: str | None = None) -> dict[str, int]:
    """How many open counters serve each service of the centre."""
    return {s.id: len(centre.counters_for_service(s.id, point_id)) for s in centre.services}
