"""The SQLite file of the queue: schema, connection settings, transactions, row conversion.

WAL journal with synchronous=FULL (a committed ticket survives kill -9 and power loss), every
write inside BEGIN IMMEDIATE so that several processes sharing the file serialise their writes.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from robot.queue.models import QueueEvent, Ticket, TicketStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS number_counters (
    day TEXT NOT NULL, point TEXT NOT NULL, service TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (day, point, service)
);
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL, point TEXT NOT NULL, number TEXT NOT NULL, seq INTEGER NOT NULL,
    service TEXT NOT NULL, issued_service TEXT NOT NULL, priority INTEGER NOT NULL, status TEXT NOT NULL,
    counter INTEGER, issued_at TEXT NOT NULL, called_at TEXT, serving_at TEXT, finished_at TEXT, parked_at TEXT,
    call_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (day, point, number),
    UNIQUE (day, point, issued_service, seq)
);
CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets (day, point, status, service);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL, point TEXT NOT NULL, service TEXT NOT NULL,
    number TEXT NOT NULL, counter INTEGER, priority INTEGER NOT NULL, status TEXT NOT NULL,
    from_service TEXT, call_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_called ON events (day, point, kind, service);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, at TEXT NOT NULL, outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ratings (
    day TEXT NOT NULL, point TEXT NOT NULL, number TEXT NOT NULL, service TEXT NOT NULL, counter INTEGER NOT NULL,
    rating TEXT NOT NULL, reason TEXT, at TEXT NOT NULL,
    PRIMARY KEY (day, point, number)
);
"""

# PRAGMA user_version of the files this letan writes. A file of a newer letan is refused, not misread; 0 is a file
# made before versions were kept (the same schema as version 1) or a new one.
SCHEMA_VERSION = 1


class NewerSchema(Exception):
    """The queue database was written by a newer letan (one line for the technician)."""


TICKET_COLUMNS = (
    "id, day, point, number, seq, service, issued_service, priority, status, counter, issued_at, called_at, "
    "serving_at, finished_at, parked_at, call_count"
)
EVENT_COLUMNS = "id, kind, at, day, point, service, number, counter, priority, status, from_service, call_count"


def connect(path: Path, busy_timeout_s: float = 30.0) -> sqlite3.Connection:
    """Open (and create) the queue database with the settings every process must use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def create_schema(conn: sqlite3.Connection, path: Path | str = "the queue database") -> str:
    """Create what is missing; return the database's log id: a random id given once, when the file gets its
    schema, so that a reader of the event log (the MQTT bridge) can tell this log from another database's.
    NewerSchema for a file whose schema version is newer than this letan's."""
    with transaction(conn):
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise NewerSchema(f"queue database {path} has schema version {version}, newer than this letan's "
                              f"({SCHEMA_VERSION}): upgrade letan, or use another database (--db)")
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('log_id', ?)", (uuid.uuid4().hex,))
        (log_id,) = conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()
    return str(log_id)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception.

    Inside a transaction already (QueueEngine.request), a savepoint of it: undone alone on an exception."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def ticket_from_row(row: tuple[Any, ...]) -> Ticket:
    (tid, day, point, number, seq, service, issued_service, priority, status, counter, issued_at, called_at,
     serving_at, finished_at, parked_at, call_count) = row
    return Ticket(
        id=int(tid),
        day=date.fromisoformat(str(day)),
        point=str(point),
        number=str(number),
        seq=int(seq),
        service=str(service),
        issued_service=str(issued_service),
        priority=bool(priority),
        status=TicketStatus(str(status)),
        counter=int(counter) if counter is not None else None,
        issued_at=datetime.fromisoformat(issued_at),
        called_at=_time(called_at),
        serving_at=_time(serving_at),
        finished_at=_time(finished_at),
        parked_at=_time(parked_at),
        call_count=int(call_count),
    )


def event_from_row(row: tuple[Any, ...]) -> QueueEvent:
    eid, kind, at, day, point, service, number, counter, priority, status, from_service, call_count = row
    return QueueEvent(
        id=int(eid),
        kind=str(kind), at=str(at), day=str(day), point=str(point), service=str(service), number=str(number),
        counter=int(counter) if counter is not None else None,
        priority=bool(priority), status=str(status),
        from_service=str(from_service) if from_service is not None else None,
        call_count=int(call_count),
    )
