"""SQLite outbox: every message is written here before it is published, and deleted only when the
broker acknowledges it. Rows keep their order (a sequence number that is never reused), so after a
reconnect or a restart the pending rows are replayed oldest first.

Sequence numbers: a new row gets one more than the highest of the rows still there and the `outbox_floor`,
the highest number ever deleted (moved up in the same transaction as the deletes). That gives the
guarantee of SQLite's AUTOINCREMENT without its cost: AUTOINCREMENT rewrites the `sqlite_sequence` page in
every commit, a second 4 KiB page in the WAL for each one-event transaction. A file made with the older
AUTOINCREMENT layout is converted when it is opened.

The database runs in WAL mode with synchronous=NORMAL: a committed row survives the process being
killed (-9); `synchronous="FULL"` also survives a power cut, at the cost of one fsync per commit
(see docs/mqtt.md for why NORMAL is the default). `write()` commits several publishers' entries in
one transaction (the OutboxPublisher's group commit).
The same file keeps named cursors (e.g. how far the queue bridge has read the engine's event log)
and the replies to commands already executed (idempotency by request id), each written in the same
transaction as the outgoing messages.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_OUTBOX_TABLE = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    qos INTEGER NOT NULL DEFAULT 1,
    retain INTEGER NOT NULL DEFAULT 0
);
"""
_SCHEMA = _OUTBOX_TABLE + """
CREATE TABLE IF NOT EXISTS outbox_floor (seq INTEGER NOT NULL);
INSERT INTO outbox_floor (seq) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM outbox_floor);
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS replies (request_id TEXT PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS requests_started (request_id TEXT PRIMARY KEY);
"""
# The rowid b-tree gives max(seq) from its last page, which the insert writes anyway; the floor is one cached row.
_NEXT_SEQ = "max(coalesce((SELECT max(seq) FROM outbox), 0), (SELECT seq FROM outbox_floor)) + 1"
_INSERT = f"INSERT INTO outbox (seq, topic, payload, qos, retain) VALUES ({_NEXT_SEQ}, ?, ?, ?, ?)"
_LAST_SEQ = f"SELECT {_NEXT_SEQ} - 1"


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False


@dataclass(frozen=True)
class Entry:
    """What one publish call writes: messages, and optionally a cursor move or the reply to a request id.

    With `cursor_was`, the cursor is only moved if it is still there (several processes may tail the
    same log into the same outbox: the first one wins, the other reads again)."""

    messages: tuple[OutgoingMessage, ...]
    cursor: tuple[str, int] | None = None
    reply_for: str | None = None
    cursor_was: int | None = None


class CursorMoved(Exception):
    """Another publisher moved the cursor first: nothing of this entry was written."""


@dataclass(frozen=True)
class PendingMessage:
    seq: int
    topic: str
    payload: bytes
    qos: int
    retain: bool


class Outbox:
    """Thread-safe. Two connections to the same file: one writes (inserts, cursor moves, replies, deletes), guarded
    by a lock; the other reads (the sender's backlog, counts) and checkpoints, so neither waits for the writer."""

    def __init__(self, path: Path | str, synchronous: Literal["NORMAL", "FULL"] = "NORMAL"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = self._connect(synchronous)
        self._create_or_convert()
        self._insert = self._db.cursor()  # one cursor and one cached statement for every single-row insert
        self._read_lock = threading.Lock()
        self._reader = self._connect(synchronous)
        self.writes_since_checkpoint = 0  # write transactions since the last checkpoint() (see autocheckpoint)

    def _connect(self, synchronous: str) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={synchronous}")
        return db

    def _create_or_convert(self) -> None:
        """Create the tables; convert an outbox table made with AUTOINCREMENT (its last number becomes the floor)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()[0]
            if "AUTOINCREMENT" in sql.upper():
                last = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
                db.execute("ALTER TABLE outbox RENAME TO outbox_autoincrement")
                db.execute(_OUTBOX_TABLE)
                db.execute("INSERT INTO outbox SELECT seq, topic, payload, qos, retain FROM outbox_autoincrement")
                db.execute("DROP TABLE outbox_autoincrement")
                db.execute("UPDATE outbox_floor SET seq = max(seq, ?)", (int(last[0]) if last else 0,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def add(self, message: OutgoingMessage) -> int:
        """One row in its own transaction."""
        return self.add_many([message])[0]

    def add_many(
        self, messages: Sequence[OutgoingMessage], *, cursor: tuple[str, int] | None = None,
        reply_for: str | None = None, cursor_was: int | None = None,
    ) -> list[int]:
        """Insert in one transaction, optionally moving a cursor or recording the reply to a request."""
        (result,) = self.write([Entry(tuple(messages), cursor, reply_for, cursor_was)])
        if isinstance(result, BaseException):
            raise result
        return result

    def write(self, entries: Sequence[Entry]) -> list[list[int] | CursorMoved]:
        """Several publishers' entries in ONE transaction (group commit), oldest first.

        An entry whose cursor was moved meanwhile (`cursor_was` no longer matches) writes nothing and gets
        `CursorMoved`; the others are committed. A database error rolls back (and raises for) all of them."""
        results: list[list[int] | CursorMoved] = []
        if len(entries) == 1 and len(entries[0].messages) == 1 and entries[0].cursor is entries[0].reply_for is None:
            msg = entries[0].messages[0]
            with self._lock:  # one row: one statement in its own implicit transaction (fewer round trips)
                self._insert.execute(_INSERT, (msg.topic, msg.payload, msg.qos, msg.retain))
                self.writes_since_checkpoint += 1
                return [[self._insert.lastrowid or 0]]
        with self._lock:
            self.writes_since_checkpoint += 1
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for entry in entries:
                    results.append(self._write_entry(entry))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return results

    def _write_entry(self, entry: Entry) -> list[int] | CursorMoved:
        """With the lock held, inside a transaction."""
        if entry.cursor is not None and entry.cursor_was is not None:
            row = self._db.execute("SELECT position FROM cursors WHERE name = ?", (entry.cursor[0],)).fetchone()
            if (int(row[0]) if row else 0) != entry.cursor_was:
                return CursorMoved(f"cursor {entry.cursor[0]!r} was moved by another publisher")
        seqs = []
        for msg in entry.messages:
            self._insert.execute(_INSERT, (msg.topic, msg.payload, msg.qos, msg.retain))
            seqs.append(self._insert.lastrowid or 0)
        if entry.cursor is not None:
            self._db.execute(
                "INSERT INTO cursors (name, position) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET position = excluded.position", entry.cursor,
            )
        if entry.reply_for is not None and entry.messages:
            self._db.execute(
                "INSERT OR REPLACE INTO replies (request_id, topic, payload) VALUES (?, ?, ?)",
                (entry.reply_for, entry.messages[-1].topic, entry.messages[-1].payload),
            )
        return seqs

    def pending(self, after: int = 0, limit: int = 500) -> list[PendingMessage]:
        """Rows not yet acknowledged with seq > after, oldest first."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT seq, topic, payload, qos, retain FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
            ).fetchall()
        return [PendingMessage(seq, topic, bytes(data), qos, bool(retain)) for seq, topic, data, qos, retain in rows]

    def delete(self, seqs: Iterable[int]) -> None:
        """Delete acknowledged rows (one statement per run of consecutive numbers) and raise the floor past them."""
        runs = _runs(sorted(set(seqs)))
        if not runs:
            return
        with self._lock:
            self.writes_since_checkpoint += 1
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("DELETE FROM outbox WHERE seq BETWEEN ? AND ?", runs)
                self._db.execute("UPDATE outbox_floor SET seq = max(seq, ?)", (runs[-1][1],))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def count(self, up_to: int | None = None) -> int:
        """Rows not yet acknowledged (only those with seq <= up_to when given)."""
        with self._read_lock:
            if up_to is None:
                return int(self._reader.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
            return int(self._reader.execute("SELECT COUNT(*) FROM outbox WHERE seq <= ?", (up_to,)).fetchone()[0])

    def last_seq(self) -> int:
        """The highest sequence number written so far (0 for a new outbox)."""
        with self._read_lock:
            return int(self._reader.execute(_LAST_SEQ).fetchone()[0])

    def cursor(self, name: str) -> int:
        with self._read_lock:
            row = self._reader.execute("SELECT position FROM cursors WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def reply(self, request_id: str) -> OutgoingMessage | None:
        """The reply already sent for a request id (commands are idempotent), if any."""
        with self._read_lock:
            row = self._reader.execute(
                "SELECT topic, payload FROM replies WHERE request_id = ?", (request_id,)).fetchone()
        return OutgoingMessage(row[0], bytes(row[1])) if row else None

    def start_request(self, request_id: str) -> bool:
        """Note, durably, that a command is about to be executed. False if it was noted before: an earlier run
        started it and stopped (crashed) before its reply was stored, so it may have been carried out already."""
        with self._lock:
            self.writes_since_checkpoint += 1
            cursor = self._db.execute("INSERT OR IGNORE INTO requests_started (request_id) VALUES (?)", (request_id,))
            return cursor.rowcount == 1

    def autocheckpoint(self, pages: int) -> None:
        """SQLite's own checkpoint after a commit that grows the WAL beyond `pages` (its default: 1000); 0 turns it
        off, for an owner that calls `checkpoint()` itself off the publishing path
        (the OutboxPublisher's sender thread)."""
        with self._lock:
            self._db.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")

    def checkpoint(self) -> None:
        """Copy the WAL into the database file on the reading connection, so a publisher's commit never pays for it.

        First PASSIVE while writers go on (the bulk of the copy and its fsyncs), then once more holding the write
        lock, which only copies the few frames committed meanwhile: the checkpoint is then complete and the next
        commit starts the WAL again from its beginning (a checkpoint that always lags behind the writers would let
        the WAL grow without end)."""
        with self._read_lock:
            self.writes_since_checkpoint = 0
            self._reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            with self._lock:
                self._reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        with self._read_lock, self._lock:  # the same order as checkpoint()
            self._reader.close()
            self._db.close()


def _runs(seqs: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted distinct numbers as (first, last) runs of consecutive ones: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and runs[-1][1] == seq - 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs
