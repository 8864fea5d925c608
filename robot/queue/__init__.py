"""The queue engine: numbers per (reception point, service), lifecycle, priority policy, statistics.

Public API: `QueueEngine(centre, db_path, clock)`, its result dataclasses and typed errors.
"""

from robot.queue.engine import QueueEngine
from robot.queue.models import (
    CounterBusy,
    CounterStatus,
    DailyCapReached,
    IllegalTransition,
    IssuedTicket,
    Position,
    QueueClosed,
    QueueError,
    QueueEvent,
    QueueStatus,
    ServiceStatus,
    Ticket,
    TicketStatus,
    UnknownCounter,
    UnknownPoint,
    UnknownService,
    UnknownTicket,
)
from robot.queue.stats import DayStats, Durations, GroupStats

__all__ = [
    "CounterBusy",
    "CounterStatus",
    "DailyCapReached",
    "DayStats",
    "Durations",
    "GroupStats",
    "IllegalTransition",
    "IssuedTicket",
    "Position",
    "QueueClosed",
    "QueueEngine",
    "QueueError",
    "QueueEvent",
    "QueueStatus",
    "ServiceStatus",
    "Ticket",
    "TicketStatus",
    "UnknownCounter",
    "UnknownPoint",
    "UnknownService",
    "UnknownTicket",
]
