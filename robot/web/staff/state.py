"""What the staff pages show, built from the MQTT messages they receive (no I/O here).

`StaffState` wraps the terminal monitor's `DashboardState` (snapshots, robots, alerts) and keeps what the
pages need beyond it: the last calls (board), each counter's current ticket and its last finished tickets
(console, rating tablet), the ratings seen (manager). Only numbers, services, counters and times: no message
carries anything about a citizen. Thread-safe: messages arrive on paho's thread, pages read on the web loop's.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from robot.config import CentreConfig
from robot.mqtt.client import Deduplicator
from robot.mqtt.dashboard import DashboardState
from robot.mqtt.messages import (
    CounterRating,
    Message,
    QueueSnapshot,
    QueueStats,
    RobotStatus,
    TicketEvent,
)

CALLS_KEPT = 12
DONE_KEPT = 20
FINISHING = ("queue.ticket.done", "queue.ticket.no_show", "queue.ticket.transferred", "queue.ticket.cancelled",
             "queue.ticket.parked")
STATUS_WORDS = {"called": "Đã gọi", "serving": "Đang phục vụ"}
MODE_WORDS = {"starting": "Đang khởi động", "idle": "Sẵn sàng", "serving": "Đang tiếp công dân",
              "guiding": "Đang dẫn đường", "returning": "Đang về vị trí chờ", "navigating": "Đang di chuyển",
              "paused": "Tạm dừng", "docked": "Đang sạc", "error": "Lỗi"}
DEVICE_WORDS = {"ok": "Tốt", "fault": "Lỗi", "offline": "Mất kết nối", "none": "Không có", "unknown": "Chưa rõ",
                "near_end": "Sắp hết", "out": "Hết"}
ALERT_WORDS = {"paper_out": "Hết giấy in", "paper_near_end": "Giấy in sắp hết", "printer_offline": "Máy in mất kết nối",
               "navigation_stuck": "Robot bị kẹt", "navigation_aborted": "Robot dừng giữa đường",
               "low_stock": "Sắp hết nước, kẹo", "help_requested": "Công dân cần cán bộ hỗ trợ",
               "scanner_disconnected": "Máy quét mất kết nối", "camera_disconnected": "Camera mất kết nối",
               "battery_low": "Pin yếu", "error": "Lỗi"}
URGENT_HELP = "Công dân cần hỗ trợ gấp (ngất, ngã, khó thở...)"  # help_requested, reason urgent
SEVERITY_WORDS = {"info": "Thông tin", "warning": "Cảnh báo", "critical": "Nghiêm trọng"}
RATING_WORDS = {"very_satisfied": "Rất hài lòng", "satisfied": "Hài lòng", "unsatisfied": "Chưa hài lòng"}
REASON_WORDS = {"waited_long": "Chờ lâu", "unclear_guidance": "Hướng dẫn chưa rõ", "staff_attitude": "Thái độ cán bộ",
                "more_papers": "Phải bổ sung giấy tờ nhiều lần", "other": "Lý do khác"}


@dataclass(frozen=True)
class Call:
    seq: int  # increasing per StaffState: the board plays each call once, in order
    ticket: str
    counter: int
    service: str
    point: str | None
    ts: str
    recalled: bool


def _time(ts: str) -> datetime | None:
    try:
        return datetime.fromisoformat(ts)
    except ValueError:
        return None


class StaffState:
    """Everything the pages show. `apply` takes every message once (duplicates dropped by event id)."""

    def __init__(self, centre: CentreConfig):
        self.centre = centre
        self.dashboard = DashboardState(dedup=Deduplicator(1))  # messages are deduplicated here, before it
        self.calls: deque[Call] = deque(maxlen=CALLS_KEPT)
        self.current: dict[int, dict[str, Any]] = {}  # counter -> {"ticket", "service", "status", "since"}
        self.finished: dict[int, deque[dict[str, Any]]] = {}  # counter -> last tickets done there, newest last
        self.ratings: dict[str, CounterRating] = {}  # ticket -> the rating seen (manager page)
        self.stats: QueueStats | None = None  # the robot's figures of the day (retained)
        self.version = 0  # +1 at every change
        self._seq = 0
        self._offset: timedelta | None = None  # the robot's clock minus ours (messages are never early)
        self._dedup = Deduplicator(20_000)
        self._lock = threading.RLock()

    # --- input ---------------------------------------------------------------------------------

    def apply(self, message: Message) -> None:
        with self._lock:
            if not self._dedup.first_time(message.event_id):
                return
            if getattr(message, "robot", None) is not None:  # the robot's clock (not a console's or this server's)
                self._learn_offset(message.ts)
            self.dashboard.apply(message)
            if isinstance(message, TicketEvent):
                self._ticket(message)
            elif isinstance(message, CounterRating):
                self.ratings.setdefault(message.ticket, message)
            elif isinstance(message, QueueStats) and (self.stats is None or message.ts >= self.stats.ts):
                self.stats = message
            self.version += 1

    def _learn_offset(self, ts: str) -> None:
        moment = _time(ts)
        if moment is None or moment.tzinfo is None:
            return
        offset = moment - datetime.now(moment.tzinfo)
        if self._offset is None or offset > self._offset:
            self._offset = offset

    def _ticket(self, event: TicketEvent) -> None:
        kind = event.TYPE
        if kind in ("queue.ticket.called", "queue.ticket.recalled") and event.counter is not None:
            self._seq += 1
            self.calls.appendleft(Call(self._seq, event.ticket, event.counter, event.service, event.point, event.ts,
                                       kind.endswith("recalled")))
            since = self.current.get(event.counter, {}).get("since") if kind.endswith("recalled") else None
            self.current[event.counter] = {"ticket": event.ticket, "service": event.service, "status": "called",
                                           "since": since or event.ts}
        elif kind == "queue.ticket.serving" and event.counter is not None:
            mine = self.current.get(event.counter)
            if mine is not None and mine["ticket"] == event.ticket:
                mine["status"] = "serving"
        elif kind in FINISHING:
            for number, mine in list(self.current.items()):
                if mine["ticket"] == event.ticket:
                    del self.current[number]
            if kind == "queue.ticket.done" and event.counter is not None:
                done = self.finished.setdefault(event.counter, deque(maxlen=DONE_KEPT))
                done.append({"ticket": event.ticket, "service": event.service, "ts": event.ts})

    # --- reading -------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The robot's clock as well as we can tell (ours plus the offset its messages show)."""
        here = datetime.now(self.centre.site.tz)
        return here + self._offset if self._offset is not None else here

    def _age_s(self, ts: str) -> int | None:
        moment = _time(ts)
        return None if moment is None else max(0, int((self.now() - moment).total_seconds()))

    def service_name(self, service_id: str) -> str:
        try:
            return self.centre.service(service_id).name
        except Exception:
            return service_id

    def point_counters(self, point: str | None) -> set[int]:
        points = [p for p in self.centre.reception_points if point is None or p.id == point]
        return {c.number for p in points for c in p.counters}

    def board(self, point: str | None = None) -> dict[str, Any]:
        """The calling board: the last calls (newest first), waiting and estimated wait per service."""
        counters = self.point_counters(point)
        with self._lock:
            calls = [c for c in self.calls if c.counter in counters and (point is None or c.point in (None, point))]
            served = {s for p in self.centre.reception_points if point is None or p.id == point
                      for c in p.counters for s in c.services}
            services = []
            for svc in self.centre.services:
                if svc.id not in served:
                    continue
                snap = self.dashboard.snapshots.get(svc.id)
                services.append({
                    "id": svc.id, "name": svc.name, "waiting": snap.waiting if snap else None,
                    "wait_min": None if snap is None or snap.estimated_wait_min is None
                    else round(snap.estimated_wait_min)})
            return {
                "calls": [{"seq": c.seq, "ticket": c.ticket, "counter": c.counter, "recalled": c.recalled,
                           "service": self.service_name(c.service)} for c in calls],
                "services": services, "version": self.version,
            }

    def counter(self, number: int) -> dict[str, Any]:
        """Counter `number`'s console: its current ticket and the waiting tickets of its services."""
        desk = next(c for p in self.centre.reception_points for c in p.counters if c.number == number)
        with self._lock:
            mine = self.current.get(number)
            current = None
            if mine is not None:
                current = {**mine, "age_s": self._age_s(mine["since"]), "status_words": STATUS_WORDS[mine["status"]],
                           "service_name": self.service_name(mine["service"])}
            waiting = []
            for service in desk.services:
                snap = self.dashboard.snapshots.get(service)
                for item in snap.waiting_tickets if snap else ():
                    waiting.append({"ticket": item["ticket"], "priority": item["priority"], "since": item["since"],
                                    "age_s": self._age_s(item["since"]), "service": self.service_name(service)})
            waiting.sort(key=lambda w: (not w["priority"], w["since"]))
            parked = sorted(({"ticket": item["ticket"], "since": item["since"], "service": self.service_name(service)}
                             for service in desk.services for snap in [self.dashboard.snapshots.get(service)]
                             for item in (snap.parked_tickets if snap else ())), key=lambda p: p["since"])
            return {"counter": number, "current": current, "waiting": waiting, "parked": parked,
                    "services": [{"id": s.id, "name": s.name} for s in self.centre.services],
                    "version": self.version}

    def rateable(self, number: int, within_s: float) -> dict[str, Any] | None:
        """The ticket counter `number` finished last, if within `within_s` and not rated yet: the tablet asks until
        `remaining_s` have passed (the window counts from the ticket's end, also for a page loaded meanwhile)."""
        with self._lock:
            done = self.finished.get(number)
            if not done:
                return None
            last = done[-1]
            moment = _time(last["ts"])
            age = None if moment is None else (self.now() - moment).total_seconds()
            if last["ticket"] in self.ratings or age is None or age >= within_s:
                return None
            return {"ticket": last["ticket"], "service": last["service"], "remaining_s": round(within_s - age, 3)}

    def finished_here(self, number: int, ticket: str) -> dict[str, Any] | None:
        with self._lock:
            return next((d for d in self.finished.get(number, ()) if d["ticket"] == ticket), None)

    def manager(self) -> dict[str, Any]:
        """The manager page: queues, counters, today's figures from the snapshots, robots, alerts in force."""
        d = self.dashboard
        with self._lock:
            queues = []
            for svc in self.centre.services:
                snap: QueueSnapshot | None = d.snapshots.get(svc.id)
                queues.append({
                    "name": svc.name, "waiting": snap.waiting if snap else None,
                    "wait_min": None if snap is None or snap.estimated_wait_min is None
                    else round(snap.estimated_wait_min),
                    "issued": snap.issued_today if snap else 0, "done": snap.done_today if snap else 0,
                    "no_show": snap.no_show_today if snap else 0})
            counters = []
            for point in self.centre.reception_points:
                for desk in point.counters:
                    mine = self.current.get(desk.number)
                    counters.append({
                        "counter": desk.number, "open": desk.open,
                        "services": ", ".join(self.service_name(s) for s in desk.services),
                        "current": mine["ticket"] if mine else None,
                        "status": STATUS_WORDS[mine["status"]] if mine else "Trống",
                        "last": d.counters.get(desk.number)})
            robots = []
            for robot_id in sorted(set(d.robots) | set(d.availability)):
                status: RobotStatus | None = d.robots.get(robot_id)
                robots.append({
                    "robot": robot_id, "online": d.availability.get(robot_id) == "online",
                    "mode": MODE_WORDS.get(status.mode, status.mode) if status else "Chưa rõ",
                    "battery": None if status is None or status.battery_pct is None else round(status.battery_pct),
                    "paper": DEVICE_WORDS.get(status.paper, status.paper) if status else "Chưa rõ",
                    "printer": DEVICE_WORDS.get(status.printer, status.printer) if status else "Chưa rõ",
                    "scanner": DEVICE_WORDS.get(status.scanner, status.scanner) if status else "Chưa rõ",
                    "motors": DEVICE_WORDS.get(status.motors, status.motors) if status else "Chưa rõ",
                    "water": status.water if status else None, "candy": status.candy if status else None})
            alerts = []
            for robot_id, state in sorted(d.active_alerts.items()):
                for item in state.active:
                    alerts.append({"robot": robot_id, "since": str(item.get("since", ""))[11:16],
                                   "code": str(item.get("kind")),
                                   "kind": URGENT_HELP if (item.get("kind"), item.get("reason")) == (
                                       "help_requested", "urgent") else ALERT_WORDS.get(str(item.get("kind")),
                                                                                        str(item.get("kind"))),
                                   "severity": SEVERITY_WORDS.get(str(item.get("severity")), "")})
            figures = self.stats.figures if self.stats is not None else None
            stored = (figures or {}).get("ratings", {}).get("total")
            ratings = stored or {key: sum(1 for r in self.ratings.values() if r.rating == key) for key in RATING_WORDS}
            return {"queues": queues, "counters": counters, "robots": robots, "alerts": alerts,
                    "ratings": [{"name": RATING_WORDS[k], "count": ratings.get(k, 0)} for k in RATING_WORDS],
                    "totals": {k: sum(q[k] for q in queues) for k in ("issued", "done", "no_show")},
                    "figures": self._figure_rows(figures), "hours": (figures or {}).get("hours", []),
                    "version": self.version}

    def _figure_rows(self, figures: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Per service and counter: tickets, served, no-shows, waiting and service times (minutes) and ratings."""
        if figures is None:
            return []
        by_counter = figures.get("ratings", {}).get("counters", {})
        rows = []
        for scope, groups in (("Dịch vụ", figures["services"]), ("Quầy", figures["counters"]),
                              ("Cả ngày", [figures["total"]])):
            for group in groups:
                key = str(group["key"])
                name = self.service_name(key) if scope == "Dịch vụ" else (f"Quầy {key}" if scope == "Quầy" else "Tổng")
                rated = by_counter.get(key, {}) if scope == "Quầy" else (
                    figures.get("ratings", {}).get("total", {}) if scope == "Cả ngày" else {})
                rows.append({
                    "scope": scope, "name": name, "tickets": group["tickets"], "served": group["served"],
                    "no_shows": group["no_shows"],
                    "wait": _minutes(group["waiting_time"]), "service": _minutes(group["service_time"]),
                    "ratings": " · ".join(f"{RATING_WORDS[k]} {v}" for k, v in rated.items() if v) or "—"})
        return rows


def _minutes(durations: dict[str, Any]) -> str:
    """'4.5 / 9.0' (median / p90, minutes) or '—'."""
    if durations.get("median_s") is None:
        return "—"
    return f"{durations['median_s'] / 60:.1f} / {(durations.get('p90_s') or 0) / 60:.1f}"


CSV_COLUMNS = ("day", "scope", "key", "tickets", "served", "no_shows", "cancelled", "unfinished", "waiting_count",
               "waiting_median_s", "waiting_p90_s", "service_count", "service_median_s", "service_p90_s",
               "very_satisfied", "satisfied", "unsatisfied")


def figures_csv_rows(figures: dict[str, Any]) -> list[list[Any]]:
    """The day's figures as CSV rows (CSV_COLUMNS): the same numbers as `letan queue stats --json`, one row for the
    whole day, one per service and one per counter (ratings for the day and per counter)."""
    ratings = figures.get("ratings", {})
    rows: list[list[Any]] = []
    for scope, groups in (("total", [figures["total"]]), ("service", figures["services"]),
                          ("counter", figures["counters"])):
        for group in groups:
            rated = ratings.get("total", {}) if scope == "total" else (
                ratings.get("counters", {}).get(str(group["key"]), {}) if scope == "counter" else None)
            wait, serve = group["waiting_time"], group["service_time"]
            rows.append([
                figures["day"], scope, group["key"], group["tickets"], group["served"], group["no_shows"],
                group["cancelled"], group["unfinished"], wait["count"], wait["median_s"], wait["p90_s"],
                serve["count"], serve["median_s"], serve["p90_s"],
                *((rated or {}).get(k, 0 if rated is not None else None) for k in RATING_WORDS)])
    return rows

