"""What `letan monitor` shows, built from the messages it receives (no I/O here): per service waiting
count and estimated wait, last number called at each counter, today's totals, robot health, latest alerts."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table
from rich.text import Text

from robot.mqtt.client import Deduplicator
from robot.mqtt.messages import (
    Message,
    QueueSnapshot,
    RobotAlert,
    RobotAlerts,
    RobotAvailability,
    RobotStatus,
    TicketEvent,
)


@dataclass
class DashboardState:
    snapshots: dict[str, QueueSnapshot] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)  # counter -> last called ticket
    robots: dict[str, RobotStatus] = field(default_factory=dict)
    availability: dict[str, str] = field(default_factory=dict)
    alerts: deque[RobotAlert] = field(default_factory=lambda: deque(maxlen=8))  # live, newest first
    active_alerts: dict[str, RobotAlerts] = field(default_factory=dict)  # robot -> alerts in force (retained)
    received: int = 0
    dedup: Deduplicator = field(default_factory=lambda: Deduplicator(10_000))

    def apply(self, message: Message) -> None:
        if not self.dedup.first_time(message.event_id):
            return
        self.received += 1
        if isinstance(message, QueueSnapshot):
            self.snapshots[message.service] = message
            for counter, ticket in message.last_called.items():
                self.counters[int(counter)] = ticket
        elif isinstance(message, TicketEvent) and message.TYPE in ("queue.ticket.called", "queue.ticket.recalled"):
            if message.counter is not None:
                self.counters[message.counter] = message.ticket
        elif isinstance(message, RobotStatus):
            self.robots[message.robot] = message
        elif isinstance(message, RobotAvailability):
            self.availability[message.robot] = message.state
        elif isinstance(message, RobotAlert):
            self.alerts.appendleft(message)
        elif isinstance(message, RobotAlerts):
            self.active_alerts[message.robot] = message


def render(state: DashboardState, title: str) -> Group:
    queue = Table(title=f"Hàng chờ — {title}", expand=True)
    for column in ("Dịch vụ", "Đang chờ", "Chờ ước tính (phút)", "Đã cấp", "Xong", "Vắng"):
        queue.add_column(column)
    for svc in sorted(state.snapshots):
        s = state.snapshots[svc]
        wait = "—" if s.estimated_wait_min is None else f"{s.estimated_wait_min:.0f}"
        queue.add_row(svc, str(s.waiting), wait, str(s.issued_today), str(s.done_today), str(s.no_show_today))
    totals = [sum(getattr(s, f) for s in state.snapshots.values()) for f in ("issued_today", "done_today",
                                                                              "no_show_today")]
    queue.add_row(Text("Tổng hôm nay", style="bold"), "", "", *(str(t) for t in totals))
    counters = Table(title="Quầy: số vừa gọi", expand=True)
    counters.add_column("Quầy")
    counters.add_column("Số")
    for n in sorted(state.counters):
        counters.add_row(str(n), state.counters[n])
    robots = Table(title="Robot", expand=True)
    for column in ("Robot", "Kết nối", "Chế độ", "Pin %", "Giấy", "Máy in", "Máy quét", "Camera", "Micro",
                   "Động cơ", "Nước", "Kẹo"):
        robots.add_column(column)
    for robot_id in sorted(set(state.robots) | set(state.availability)):
        r = state.robots.get(robot_id)
        online = state.availability.get(robot_id, "?")
        if r is None:
            robots.add_row(robot_id, online, *("?" * 10))
            continue
        battery = "?" if r.battery_pct is None else f"{r.battery_pct:.0f}" + (" (sạc)" if r.charging else "")
        robots.add_row(robot_id, online, r.mode, battery, r.paper, r.printer, r.scanner, r.camera, r.microphone,
                       r.motors,
                       "?" if r.water is None else str(r.water), "?" if r.candy is None else str(r.candy))
    active = Table(title="Cảnh báo đang có", expand=True)
    for column in ("Từ lúc", "Robot", "Loại", "Mức", "Lý do"):
        active.add_column(column)
    for robot_id in sorted(state.active_alerts):
        for item in state.active_alerts[robot_id].active:
            active.add_row(str(item["since"])[11:19], robot_id, str(item["kind"]), str(item["severity"]),
                           str(item["reason"]))
    alerts = Table(title="Cảnh báo gần nhất", expand=True)
    for column in ("Lúc", "Robot", "Loại", "Mức", "Lý do"):
        alerts.add_column(column)
    for a in state.alerts:
        alerts.add_row(a.ts[11:19], a.robot, a.kind, a.severity, a.reason)
    return Group(queue, counters, robots, active, alerts)
