"""The queue engine: issuing, calling and finishing tickets in a shared SQLite file.

Every change is one BEGIN IMMEDIATE transaction that also appends a row to the `events` table,
so the event log and the tickets can never disagree. Several processes (robot, kiosks, staff
tools) may use the same file at once; one engine may be used from several threads.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dialogs.numbers import clock_words, date_words
from robot.clock import Clock
from robot.config import CentreConfig, Counter, ReceptionPoint, Service
from robot.queue import policy, store
from robot.queue.models import (
    CounterBusy,
    CounterStatus,
    DailyCapReached,
    IllegalTransition,
    IssuedTicket,
    Position,
    QueueClosed,
    QueueEvent,
    QueueStatus,
    ServiceStatus,
    Ticket,
    TicketStatus,
    UnknownCounter,
    UnknownPoint,
    UnknownService,
    UnknownTicket,
    iso,
)
from robot.queue.stats import DayStats, day_stats
from robot.ticket_ref import TicketRef

_WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_ACTIVE = (TicketStatus.CALLED, TicketStatus.SERVING)


def vietnamese_moment(moment: datetime, today: date) -> str:
    """For a citizen, in words: 'một giờ rưỡi chiều hôm nay' or 'tám giờ sáng thứ Hai, ngày ba mươi tháng mười
    một'."""
    said = clock_words(f"{moment:%H:%M}")
    if moment.date() == today:
        return f"{said} hôm nay"
    return f"{said} {_WEEKDAYS_VI[moment.weekday()]}, {date_words(moment.day, moment.month)}"


@dataclass
class RequestRecord:
    """What `QueueEngine.request` knows of one request id: the outcome stored the first time (`previous`), or
    None for a new request, whose caller sets `outcome` (JSON-able) to have it stored with its changes."""

    request_id: str
    previous: dict[str, Any] | None
    outcome: dict[str, Any] | None = None


class QueueEngine:
    """The whole ticket lifecycle of one centre. All results are frozen dataclasses."""

    def __init__(self, centre: CentreConfig, db_path: Path, clock: Clock):
        self.centre = centre
        self.clock = clock
        self.db_path = db_path
        self.tz = centre.site.tz
        self._lock = threading.RLock()
        self._conn = store.connect(db_path)
        # Which event log this is: a new, restored or moved database has its own (see store.create_schema).
        try:
            self.log_id = store.create_schema(self._conn, db_path)
        except BaseException:
            self._conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> QueueEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -----------------------------------------------------------------------------------------
    # Lookups in the configuration

    def now(self) -> datetime:
        return self.clock.now().astimezone(self.tz)

    def point(self, point_id: str | None = None) -> ReceptionPoint:
        try:
            return self.centre.point(point_id)
        except KeyError:
            known = [p.id for p in self.centre.reception_points]
            raise UnknownPoint(f"no reception point {point_id!r}; expected one of {known}") from None

    def service(self, service_id: str) -> Service:
        try:
            return self.centre.service(service_id)
        except KeyError:
            known = [s.id for s in self.centre.services]
            raise UnknownService(
                f"no service {service_id!r}; expected one of {known}", "Không có dịch vụ này tại trung tâm."
            ) from None

    def counter(self, number: int, point_id: str | None = None) -> Counter:
        point = self.point(point_id)
        for counter in point.counters:
            if counter.number == number:
                return counter
        known = [c.number for c in point.counters]
        raise UnknownCounter(f"no counter {number} at point {point.id!r}; expected one of {known}")

    def _service_at(self, service_id: str, point: ReceptionPoint) -> Service:
        service = self.service(service_id)
        if not any(service.id in c.services for c in point.counters):
            raise UnknownService(
                f"service {service.id!r} has no counter at point {point.id!r}",
                f"Dịch vụ {service.name} không có tại {point.name}.",
            )
        return service

    def _open_counters(self, service_id: str, point: ReceptionPoint) -> tuple[int, ...]:
        return tuple(c.number for c in point.counters if service_id in c.services and c.open)

    # -----------------------------------------------------------------------------------------
    # Issuing

    def issue(self, service_id: str, point_id: str | None = None, priority: bool = False) -> IssuedTicket:
        """Issue the next number of a service, or raise QueueClosed / DailyCapReached (nothing changed)."""
        point = self.point(point_id)
        service = self._service_at(service_id, point)
        now = self.now()
        self._check_open(now)
        day = now.date().isoformat()
        with self._lock, store.transaction(self._conn) as conn:
            (seq,) = conn.execute(
                "INSERT INTO number_counters (day, point, service, seq) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (day, point, service) DO UPDATE SET seq = seq + 1 RETURNING seq",
                (day, point.id, service.id),
            ).fetchone()
            cap = policy.effective_cap(service)
            if seq > cap:
                raise DailyCapReached(
                    f"daily cap of {cap} tickets reached for service {service.id!r} at point {point.id!r}",
                    f"Đã hết số thứ tự của dịch vụ {service.name} trong hôm nay. "
                    "Mời ông/bà quay lại vào ngày làm việc tiếp theo.",
                )
            number = policy.ticket_number(service, seq)
            (tid,) = conn.execute(
                "INSERT INTO tickets (day, point, number, seq, service, issued_service, priority, status, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (day, point.id, number, seq, service.id, service.id, int(priority), TicketStatus.WAITING,
                 iso(now)),
            ).fetchone()
            ticket = Ticket(tid, now.date(), point.id, number, seq, service.id, service.id, priority,
                            TicketStatus.WAITING, None, now)
            self._log(conn, "issued", ticket, now)
            ahead, wait = self._place(conn, ticket, point)
        return IssuedTicket(ticket, ahead, wait)

    def _check_open(self, now: datetime) -> None:
        window = policy.issuing_window(self.centre.opening_hours, now)
        if window.open:
            return
        nxt = window.next_opening
        when = vietnamese_moment(nxt, now.date()) if nxt else None
        citizen = {
            "closed_day": "Hôm nay trung tâm không làm việc.",
            "before_opening": "Chưa đến giờ phát số thứ tự.",
            "between_sessions": "Đã hết giờ phát số buổi sáng.",
            "after_cutoff": "Đã hết giờ phát số thứ tự hôm nay.",
        }[window.reason]
        if when:
            citizen += f" Mời ông/bà quay lại lúc {when}."
        raise QueueClosed(
            f"issuing refused at {iso(now)}: {window.reason.replace('_', ' ')}; next opening {iso(nxt) or 'unknown'}",
            citizen, nxt,
        )

    # -----------------------------------------------------------------------------------------
    # Calling and the rest of the lifecycle

    def call_next(self, counter: int, point_id: str | None = None) -> Ticket | None:
        """Call the next waiting ticket for this counter's services (priority policy, then oldest first).

        None when nobody waits. CounterBusy when the counter still has a called or serving ticket.
        """
        point = self.point(point_id)
        desk = self._usable_counter(counter, point)
        now = self.now()
        settings = self.centre.queue
        with self._lock, store.transaction(self._conn) as conn:
            self._check_free(conn, now.date(), point, desk)
            waiting = self._waiting(conn, now.date(), point.id, desk.services)
            streak = self._normals_since_priority(conn, now.date(), point.id, desk.services, settings.priority_every)
            chosen = policy.choose_next(
                [policy.Candidate(t.id, t.priority) for t in waiting], streak, settings.priority_mode,
                settings.priority_every,
            )
            if chosen is None:
                return None
            ticket = next(t for t in waiting if t.id == chosen.order)
            return self._apply(conn, "call", ticket, now, counter=desk.number, called_at=iso(now),
                               call_count=ticket.call_count + 1)

    def call(self, number: str, counter: int, point_id: str | None = None) -> Ticket:
        """Call one waiting ticket out of order at a counter that serves its service."""
        point = self.point(point_id)
        desk = self._usable_counter(counter, point)
        now = self.now()
        with self._lock, store.transaction(self._conn) as conn:
            ticket = self._get(conn, now.date(), point.id, number)
            self._check_action("call", ticket)
            if ticket.service not in desk.services:
                raise UnknownCounter(
                    f"counter {desk.number} does not serve {ticket.service!r} (ticket {ticket.number}); "
                    f"it serves {list(desk.services)}"
                )
            self._check_free(conn, now.date(), point, desk)
            return self._apply(conn, "call", ticket, now, counter=desk.number, called_at=iso(now),
                               call_count=ticket.call_count + 1)

    def recall(self, counter: int, point_id: str | None = None) -> Ticket:
        """Call the ticket currently called at this counter again."""
        point = self.point(point_id)
        desk = self.counter(counter, point.id)
        now = self.now()
        with self._lock, store.transaction(self._conn) as conn:
            current = self._current(conn, now.date(), point.id, desk.number)
            if current is None:
                raise UnknownTicket(f"counter {desk.number} has no called ticket to recall")
            self._check_action("recall", current)
            return self._apply(conn, "recall", current, now, call_count=current.call_count + 1)

    def start_serving(self, number: str, point_id: str | None = None) -> Ticket:
        return self._simple("start_serving", number, point_id, "serving_at")

    def done(self, number: str, point_id: str | None = None) -> Ticket:
        return self._simple("done", number, point_id, "finished_at")

    def no_show(self, number: str, point_id: str | None = None) -> Ticket:
        return self._simple("no_show", number, point_id, "finished_at")

    def cancel(self, number: str, point_id: str | None = None) -> Ticket:
        return self._simple("cancel", number, point_id, "finished_at")

    def park(self, number: str, point_id: str | None = None) -> Ticket:
        """Set a ticket aside (e.g. while the citizen fills in a form); it frees its counter."""
        return self._simple("park", number, point_id, "parked_at", counter=None)

    def unpark(self, number: str, point_id: str | None = None) -> Ticket:
        """Put a parked ticket back in line at its original place."""
        return self._simple("unpark", number, point_id, None)

    def transfer(self, number: str, service_id: str, point_id: str | None = None) -> Ticket:
        """Move a ticket to another service keeping its number; it waits there at its original place."""
        point = self.point(point_id)
        target = self._service_at(service_id, point)
        now = self.now()
        with self._lock, store.transaction(self._conn) as conn:
            ticket = self._get(conn, now.date(), point.id, number)
            self._check_action("transfer", ticket)
            if ticket.service == target.id:
                raise IllegalTransition(
                    f"ticket {ticket.number} is already in service {target.id!r}", ticket.number, "transfer",
                    ticket.status,
                )
            return self._apply(conn, "transfer", ticket, now, service=target.id, counter=None, called_at=None,
                               serving_at=None, from_service=ticket.service)

    def current(self, counter: int, point_id: str | None = None) -> Ticket | None:
        """The ticket called or being served at a counter today."""
        point = self.point(point_id)
        desk = self.counter(counter, point.id)
        with self._lock:
            return self._current(self._conn, self.now().date(), point.id, desk.number)

    def _simple(self, action: str, number: str, point_id: str | None, stamp: str | None, **extra: Any) -> Ticket:
        point = self.point(point_id)
        now = self.now()
        with self._lock, store.transaction(self._conn) as conn:
            ticket = self._get(conn, now.date(), point.id, number)
            self._check_action(action, ticket)
            if stamp is not None:
                extra[stamp] = iso(now)
            return self._apply(conn, action, ticket, now, **extra)

    def _usable_counter(self, counter: int, point: ReceptionPoint) -> Counter:
        desk = self.counter(counter, point.id)
        if not desk.open:
            raise UnknownCounter(f"counter {desk.number} at point {point.id!r} is closed in the configuration")
        return desk

    def _check_action(self, action: str, ticket: Ticket) -> None:
        if policy.next_status(action, ticket.status) is None:
            allowed = sorted(str(s) for s in policy.TRANSITIONS[action])
            raise IllegalTransition(
                f"cannot {policy.ACTION_TEXT[action]} ticket {ticket.number}: it is {ticket.status}; "
                f"expected a ticket that is {' or '.join(allowed)}",
                ticket.number, action, ticket.status,
            )

    def _check_free(self, conn: sqlite3.Connection, day: date, point: ReceptionPoint, desk: Counter) -> None:
        busy = self._current(conn, day, point.id, desk.number)
        if busy is not None:
            raise CounterBusy(
                f"counter {desk.number} still has ticket {busy.number} ({busy.status}); "
                "mark it done, no-show, park or transfer it first",
                busy.number,
            )

    def _apply(self, conn: sqlite3.Connection, action: str, ticket: Ticket, now: datetime, *,
               from_service: str | None = None, **columns: Any) -> Ticket:
        status = policy.next_status(action, ticket.status)
        assert status is not None
        columns["status"] = str(status)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        changed = conn.execute(
            f"UPDATE tickets SET {assignments} WHERE id = ? AND status = ?",
            (*columns.values(), ticket.id, str(ticket.status)),
        ).rowcount
        if changed != 1:  # cannot happen inside BEGIN IMMEDIATE; refuse rather than log a wrong event
            raise IllegalTransition(f"ticket {ticket.number} changed meanwhile", ticket.number, action, ticket.status)
        updated = self._by_id(conn, ticket.id)
        self._log(conn, policy.EVENT_KIND[action], updated, now, from_service=from_service)
        return updated

    def rate(self, number: str, counter: int, rating: str, reason: str | None = None,
             point_id: str | None = None) -> bool:
        """Store a citizen's satisfaction rating of today's ticket `number`, done at `counter` (the rating tablet,
        docs/staff.md): no identity, once per ticket. False (nothing stored) when the ticket was already rated;
        IllegalTransition when it was not served (done) or UnknownCounter when another counter finished it."""
        point = self.point(point_id)
        now = self.now()
        with self._lock, store.transaction(self._conn) as conn:
            ticket = self._get(conn, now.date(), point.id, number)
            if ticket.status != TicketStatus.DONE:
                raise IllegalTransition(f"cannot rate ticket {number}: it is {ticket.status}", number, "rate",
                                        ticket.status)
            if ticket.counter != counter:
                raise UnknownCounter(f"ticket {number} was done at counter {ticket.counter}, not {counter}")
            cursor = conn.execute(
                "INSERT OR IGNORE INTO ratings (day, point, number, service, counter, rating, reason, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now.date().isoformat(), point.id, number, ticket.service, counter, rating, reason, iso(now)))
            return cursor.rowcount == 1

    def ratings(self, day: date | None = None, point_id: str | None = None) -> list[dict[str, Any]]:
        """The day's ratings (default today; all points unless one is given), oldest first."""
        wanted = (day or self.now().date()).isoformat()
        query = "SELECT point, number, service, counter, rating, reason, at FROM ratings WHERE day = ?"
        args: tuple[str, ...] = (wanted,)
        if point_id is not None:
            query, args = query + " AND point = ?", (wanted, self.point(point_id).id)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY at, number", args).fetchall()
        keys = ("point", "ticket", "service", "counter", "rating", "reason", "at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # -----------------------------------------------------------------------------------------
    # Reading

    def ticket(self, number: str, point_id: str | None = None, day: date | None = None) -> Ticket:
        """One ticket (default: today's, at the robot's point), e.g. to reprint it."""
        point = self.point(point_id)
        with self._lock:
            return self._get(self._conn, day or self.now().date(), point.id, number)

    def position(self, number: str, point_id: str | None = None, day: date | None = None) -> Position:
        """People ahead and estimated wait; 0 and None for tickets no longer waiting or of another day."""
        point = self.point(point_id)
        with self._lock:
            ticket = self._get(self._conn, day or self.now().date(), point.id, number)
            if ticket.day != self.now().date() or ticket.status not in (TicketStatus.WAITING, TicketStatus.PARKED):
                return Position(ticket, 0, None)
            ahead, wait = self._place(self._conn, ticket, point)
            return Position(ticket, ahead, wait)

    def position_of(self, ref: TicketRef) -> Position:
        """The place in line of the ticket named by a scanned QR reference (robot.ticket_ref)."""
        if ref.site != self.centre.site.id:
            raise UnknownTicket(
                f"ticket reference of site {ref.site!r}, this is {self.centre.site.id!r}",
                "Phiếu này không phải của trung tâm này.",
            )
        return self.position(ref.number, ref.point, ref.day)

    def tickets(self, day: date | None = None, point_id: str | None = None) -> list[Ticket]:
        """All tickets of a day (default today), at one point or all points, in issuing order."""
        wanted = (day or self.now().date()).isoformat()
        with self._lock:
            if point_id is None:
                rows = self._conn.execute(
                    f"SELECT {store.TICKET_COLUMNS} FROM tickets WHERE day = ? ORDER BY id", (wanted,)
                ).fetchall()
            else:
                rows = self._conn.execute(
                    f"SELECT {store.TICKET_COLUMNS} FROM tickets WHERE day = ? AND point = ? ORDER BY id",
                    (wanted, self.point(point_id).id),
                ).fetchall()
        return [store.ticket_from_row(r) for r in rows]

    def status(self, point_id: str | None = None) -> QueueStatus:
        """Snapshot per service (waiting, estimated wait) and per counter (current, last called)."""
        point = self.point(point_id)
        now = self.now()
        today = now.date()
        with self._lock:
            tickets = [t for t in self.tickets(today, point.id)]
            services = []
            for svc in self.centre.services:
                if not any(svc.id in c.services for c in point.counters):
                    continue
                mine = [t for t in tickets if t.service == svc.id]
                waiting = [t for t in mine if t.status == TicketStatus.WAITING]
                open_counters = self._open_counters(svc.id, point)
                minutes = self._service_minutes(self._conn, point.id, svc.id)
                services.append(ServiceStatus(
                    service=svc.id, name=svc.name, prefix=svc.prefix, waiting=len(waiting),
                    priority_waiting=sum(1 for t in waiting if t.priority),
                    parked=sum(1 for t in mine if t.status == TicketStatus.PARKED),
                    in_service=sum(1 for t in mine if t.status in _ACTIVE),
                    issued_today=sum(1 for t in tickets if t.issued_service == svc.id),
                    open_counters=open_counters,
                    estimated_wait_minutes=policy.estimate_wait_minutes(len(waiting), minutes, len(open_counters)),
                ))
            counters = []
            for desk in point.counters:
                last = self._conn.execute(
                    "SELECT number FROM events WHERE day = ? AND point = ? AND counter = ? "
                    "AND kind IN ('called', 'recalled') ORDER BY id DESC LIMIT 1",
                    (today.isoformat(), point.id, desk.number),
                ).fetchone()
                counters.append(CounterStatus(
                    counter=desk.number, label=desk.label, services=desk.services, open=desk.open,
                    current=self._current(self._conn, today, point.id, desk.number),
                    last_called=last[0] if last else None,
                ))
        return QueueStatus(today, now, point.id, tuple(services), tuple(counters))

    def stats(self, day: date | None = None, point_id: str | None = None) -> DayStats:
        """Figures of one day (default today) per service and counter; all points unless one is given."""
        wanted = day or self.now().date()
        tickets = self.tickets(wanted, point_id)
        several_points = point_id is None and len(self.centre.reception_points) > 1
        return day_stats(wanted, tickets, several_points, self.ratings(wanted, point_id))

    @contextmanager
    def request(self, request_id: str) -> Iterator[RequestRecord]:
        """At most once per request id (commands that may arrive twice, e.g. over MQTT).

        The engine changes made inside the block and the `outcome` set on the record are ONE transaction:
        both are kept or neither. A request id seen before gets `record.previous` (its stored outcome); the
        caller then changes nothing and answers with it. An exception inside the block undoes everything."""
        with self._lock, store.transaction(self._conn) as conn:
            row = conn.execute("SELECT outcome FROM requests WHERE request_id = ?", (request_id,)).fetchone()
            record = RequestRecord(request_id, json.loads(row[0]) if row else None)
            yield record
            if row is None and record.outcome is not None:
                conn.execute("INSERT INTO requests (request_id, at, outcome) VALUES (?, ?, ?)",
                             (request_id, iso(self.now()), json.dumps(record.outcome, ensure_ascii=False)))

    def events_after(self, last_id: int, limit: int = 100) -> list[QueueEvent]:
        """Events with id > last_id, oldest first (at most `limit`): the durable log to publish from."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {store.EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?", (last_id, limit)
            ).fetchall()
        return [store.event_from_row(r) for r in rows]

    # -----------------------------------------------------------------------------------------
    # SQL helpers (called with the lock held)

    def _by_id(self, conn: sqlite3.Connection, tid: int) -> Ticket:
        row = conn.execute(f"SELECT {store.TICKET_COLUMNS} FROM tickets WHERE id = ?", (tid,)).fetchone()
        return store.ticket_from_row(row)

    def _get(self, conn: sqlite3.Connection, day: date, point_id: str, number: str) -> Ticket:
        wanted = number.strip().upper()
        row = conn.execute(
            f"SELECT {store.TICKET_COLUMNS} FROM tickets WHERE day = ? AND point = ? AND number = ?",
            (day.isoformat(), point_id, wanted),
        ).fetchone()
        if row is None:
            raise UnknownTicket(
                f"no ticket {wanted} on {day.isoformat()} at point {point_id!r}",
                f"Không tìm thấy phiếu số {wanted} của ngày {day:%d/%m/%Y}.",
            )
        return store.ticket_from_row(row)

    def _current(self, conn: sqlite3.Connection, day: date, point_id: str, counter: int) -> Ticket | None:
        row = conn.execute(
            f"SELECT {store.TICKET_COLUMNS} FROM tickets WHERE day = ? AND point = ? AND counter = ? "
            "AND status IN ('called', 'serving') ORDER BY id DESC LIMIT 1",
            (day.isoformat(), point_id, counter),
        ).fetchone()
        return store.ticket_from_row(row) if row else None

    def _waiting(self, conn: sqlite3.Connection, day: date, point_id: str, services: tuple[str, ...]) -> list[Ticket]:
        """The oldest waiting ticket of each class (normal, priority): the only candidates to call."""
        marks = ", ".join("?" for _ in services)
        found = []
        for priority in (0, 1):
            row = conn.execute(
                f"SELECT {store.TICKET_COLUMNS} FROM tickets WHERE day = ? AND point = ? AND status = 'waiting' "
                f"AND priority = ? AND service IN ({marks}) ORDER BY id LIMIT 1",
                (day.isoformat(), point_id, priority, *services),
            ).fetchone()
            if row is not None:
                found.append(store.ticket_from_row(row))
        return found

    def _normals_since_priority(
        self, conn: sqlite3.Connection, day: date, point_id: str, services: tuple[str, ...], every: int,
    ) -> int:
        marks = ", ".join("?" for _ in services)
        rows = conn.execute(
            f"SELECT priority FROM events WHERE day = ? AND point = ? AND kind = 'called' AND service IN ({marks}) "
            "ORDER BY id DESC LIMIT ?",
            (day.isoformat(), point_id, *services, every),
        ).fetchall()
        streak = 0
        for (priority,) in rows:
            if priority:
                break
            streak += 1
        return streak

    def _service_minutes(self, conn: sqlite3.Connection, point_id: str, service_id: str) -> float:
        settings = self.centre.queue
        rows = conn.execute(
            "SELECT serving_at, finished_at FROM tickets WHERE point = ? AND service = ? AND status = 'done' "
            "AND serving_at IS NOT NULL ORDER BY id DESC LIMIT ?",
            (point_id, service_id, settings.recent_services),
        ).fetchall()
        if not rows:
            return settings.default_service_minutes
        seconds = [(datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() for a, b in rows]
        return max(0.5, statistics.median(seconds) / 60)

    def _place(self, conn: sqlite3.Connection, ticket: Ticket, point: ReceptionPoint) -> tuple[int, int | None]:
        settings = self.centre.queue
        counts = {False: (0, 0), True: (0, 0)}  # class -> (all others, older)
        for priority, others, older in conn.execute(
            "SELECT priority, COUNT(*), SUM(id < ?) FROM tickets WHERE day = ? AND point = ? AND service = ? "
            "AND status = 'waiting' AND id != ? GROUP BY priority",
            (ticket.id, ticket.day.isoformat(), point.id, ticket.service, ticket.id),
        ):
            counts[bool(priority)] = (int(others), int(older or 0))
        ahead = policy.people_ahead(
            ticket.priority, counts[ticket.priority][1], counts[True][0], counts[False][0],
            settings.priority_mode, settings.priority_every,
        )
        minutes = self._service_minutes(conn, point.id, ticket.service)
        open_counters = len(self._open_counters(ticket.service, point))
        return ahead, policy.estimate_wait_minutes(ahead, minutes, open_counters)

    def _log(self, conn: sqlite3.Connection, kind: str, ticket: Ticket, now: datetime,
             from_service: str | None = None) -> None:
        conn.execute(
            "INSERT INTO events (kind, at, day, point, service, number, counter, priority, status, from_service, "
            "call_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, iso(now), ticket.day.isoformat(), ticket.point, ticket.service, ticket.number, ticket.counter,
             int(ticket.priority), str(ticket.status), from_service, ticket.call_count),
        )


__all__ = ["QueueEngine", "RequestRecord", "vietnamese_moment"]
