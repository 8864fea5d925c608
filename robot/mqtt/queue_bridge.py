"""Queue bridge: tails the queue engine's durable event log and publishes each event, then the
retained per-service snapshots. How far it has read is a cursor in the outbox database, moved in the
same transaction as the messages are written, so after a crash nothing is skipped or published twice
(except rows acknowledged just before the crash, which consumers drop by event id)."""

from __future__ import annotations

import logging
import uuid
import zlib
from collections import Counter as Tally
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from robot.mqtt.messages import (
    Message,
    QueueSnapshot,
    QueueStats,
    Stamper,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketEvent,
    TicketIssued,
    TicketNoShow,
    TicketParked,
    TicketRecalled,
    TicketServing,
    TicketTransferred,
    TicketUnparked,
)
from robot.mqtt.outbox import CursorMoved
from robot.mqtt.publisher import OutboxPublisher
from robot.queue import DayStats, QueueEvent, QueueStatus, Ticket, TicketStatus
from robot.queue.reader import QueueEventReader

log = logging.getLogger(__name__)

CURSOR = "queue-events"


def cursor_name(log: QueueLog) -> str:
    """The outbox cursor of one queue database's event log: another database (new, restored, moved) starts
    from its first event instead of being taken as already published. Re-published events keep their event
    ids, so consumers drop the copies."""
    return f"{CURSOR}:{log.log_id}"


# The cursor's stored position: the last published event's id in the high bits, a check of that event (its id and
# time) in the low 32. A database restored from an older copy has the same log id but other events under the
# same ids: the check no longer matches, and its events are published again from the first (same event ids for
# the events both copies share, so consumers drop those).
_CHECK_BITS = 32
_CHECK_MASK = (1 << _CHECK_BITS) - 1


def _check(event: QueueEvent) -> int:
    return zlib.crc32(f"{event.id}:{event.at}".encode())


def cursor_position(event: QueueEvent) -> int:
    """What the cursor stores once `event` is published."""
    return (event.id << _CHECK_BITS) | _check(event)


EVENT_TYPES: dict[str, type[TicketEvent]] = {
    "issued": TicketIssued, "called": TicketCalled, "recalled": TicketRecalled, "serving": TicketServing,
    "done": TicketDone, "no_show": TicketNoShow, "transferred": TicketTransferred, "parked": TicketParked,
    "unparked": TicketUnparked, "cancelled": TicketCancelled,
}


class QueueLog(Protocol):
    """What the bridge reads from the queue engine (robot.queue.QueueEngine)."""

    log_id: str

    def events_after(self, last_id: int, limit: int = 100) -> list[QueueEvent]: ...

    def status(self, point_id: str | None = None) -> QueueStatus: ...

    def stats(self, day: date | None = None, point_id: str | None = None) -> DayStats: ...

    def tickets(self, day: date | None = None, point_id: str | None = None) -> list[Ticket]: ...


def queue_event_id(site: str, event: QueueEvent) -> str:
    """The same event id every time one engine event is published (by the robot or by a `letan queue` command),
    so consumers drop the copies. The time is part of it: a new queue database starting again at id 1 differs."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"letan:{site}:queue-event:{event.id}:{event.at}").hex


def ticket_message(event: QueueEvent, stamp: Stamper) -> TicketEvent:
    cls = EVENT_TYPES[event.kind]
    common: dict[str, Any] = {
        "site": stamp.site, "robot": stamp.robot, "ts": event.at, "ticket": event.number, "counter": event.counter,
        "point": event.point, "queue_event_id": event.id, "event_id": queue_event_id(stamp.site, event),
    }
    if cls is TicketTransferred:
        return TicketTransferred(**common, service=event.from_service or event.service, to_service=event.service)
    if cls is TicketIssued:
        return TicketIssued(**common, service=event.service, priority=event.priority)
    return cls(**common, service=event.service)


def snapshot_messages(status: QueueStatus, tickets: Sequence[Ticket], stamp: Stamper,
                      services: Sequence[str] | None = None) -> list[QueueSnapshot]:
    """One retained snapshot per service (only `services` when given) of the status's reception point."""
    finished: Tally[tuple[str, str]] = Tally((t.service, str(t.status)) for t in tickets)
    out = []
    for svc in status.services:
        if services is not None and svc.service not in services:
            continue
        last_called = {
            str(c.counter): c.last_called for c in status.counters if svc.service in c.services and c.last_called
        }
        out.append(stamp.make(
            QueueSnapshot, service=svc.service, waiting=svc.waiting,
            estimated_wait_min=None if svc.estimated_wait_minutes is None else float(svc.estimated_wait_minutes),
            last_called=last_called, issued_today=svc.issued_today,
            done_today=finished[(svc.service, "done")], no_show_today=finished[(svc.service, "no_show")],
            waiting_tickets=tuple(
                {"ticket": t.number, "priority": t.priority, "since": t.issued_at.isoformat(timespec="milliseconds")}
                for t in tickets if t.service == svc.service and t.status == TicketStatus.WAITING),
            parked_tickets=tuple(
                {"ticket": t.number, "since": (t.parked_at or t.issued_at).isoformat(timespec="milliseconds")}
                for t in tickets if t.service == svc.service and t.status == TicketStatus.PARKED),
        ))
    return out


def stats_message(engine: QueueLog, stamp: Stamper) -> QueueStats:
    """The day's figures of every reception point, as `letan queue stats --json` prints them (retained)."""
    return stamp.make(QueueStats, figures=engine.stats().to_json())


class QueueBridge:
    def __init__(self, engine: QueueLog, bus: OutboxPublisher, stamp: Stamper, point_id: str | None = None):
        self.engine = engine
        self.bus = bus
        self.stamp = stamp
        self.point_id = point_id
        self._stored = 0  # the cursor as stored when position() read it (the publish moves it from there)
        self._reader: QueueEventReader | None = None  # its own, when started alone

    def position(self) -> int:
        """The id of the last event published from this database (QueueEventConsumer): the durable cursor."""
        self._stored, last_id = self._read_position()
        return last_id

    def take(self, events: Sequence[QueueEvent]) -> int:
        """Publish `events`, the log's events after `position()` (QueueEventConsumer), then the affected snapshots.

        Another process tailing the same log into the same outbox (a `letan queue` command while the robot
        runs) may move the cursor first: then nothing is written and 0 is returned; the next read reads on."""
        if not events:
            return 0
        messages: list[Message] = [ticket_message(e, self.stamp) for e in events]
        touched = sorted({e.service for e in events} | {e.from_service for e in events if e.from_service})
        status = self.engine.status(self.point_id)
        tickets = self.engine.tickets(status.day, status.point)
        messages += snapshot_messages(status, tickets, self.stamp, touched)
        messages.append(stats_message(self.engine, self.stamp))
        try:
            self.bus.publish_many(messages, cursor=(cursor_name(self.engine), cursor_position(events[-1])),
                                  cursor_was=self._stored)
        except CursorMoved:
            return 0
        return len(events)

    def pump(self, limit: int = 500) -> int:
        """Publish the engine's events not yet published (at most `limit`), then the affected snapshots; 0 when
        there were none or another process published them first."""
        return self.take(self.engine.events_after(self.position(), limit))

    def _read_position(self) -> tuple[int, int]:
        """(the cursor as stored, the id of the last event published from this database). When the event at the
        cursor is not the one published (a database restored from an older copy, or a cursor from before the
        check), the database's events are published again from the first."""
        stored = self.bus.outbox.cursor(cursor_name(self.engine))
        last_id, check = stored >> _CHECK_BITS, stored & _CHECK_MASK
        if stored == 0:
            return 0, 0
        found = self.engine.events_after(last_id - 1, 1) if last_id > 0 else []
        if not found or found[0].id != last_id or _check(found[0]) != check:
            log.warning("the queue database's event log does not match what was published from it (restored from "
                        "an older copy?): publishing its events again from the first; consumers drop the copies")
            return stored, 0
        return stored, last_id

    def publish_snapshots(self) -> None:
        """All services' snapshots (e.g. at start-up, so retained state is fresh)."""
        status = self.engine.status(self.point_id)
        self.bus.publish_many([*snapshot_messages(status, self.engine.tickets(status.day, status.point), self.stamp),
                               stats_message(self.engine, self.stamp)])

    def drain(self) -> int:
        total = 0
        while (count := self.pump()) > 0 or self.engine.events_after(self._read_position()[1], 1):
            total += count
        return total

    def start(self, interval_s: float = 0.2) -> None:
        """Tail the log on a reader of its own (the robot application feeds the bridge from its one reader
        instead: RobotMqtt(tail_queue=False))."""
        self._reader = QueueEventReader(self.engine, [self], name="letan-queue-bridge")
        self._reader.start(interval_s)

    def stop(self) -> None:
        """Stop tailing; an event written since the last read (a ticket issued as the robot stops) still goes into
        the outbox, to be flushed with the rest."""
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        try:
            self.drain()
        except Exception:  # the queue database may be gone; its events are published on the next start
            log.exception("publishing the last queue events failed")

    def wake(self) -> None:
        """Read the log now rather than at the next poll (e.g. a counter command was just executed)."""
        if self._reader is not None:
            self._reader.wake()
