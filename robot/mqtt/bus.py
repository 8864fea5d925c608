"""EventBus: the publisher the application calls. `publish(message)` returns once the message is
committed to the SQLite outbox (durable), and a sender thread hands outbox rows to paho in order, at
most `window` at a time; a row is deleted after the broker's PUBACK arrives (`on_publish` by
message id), in batches.

Group commit: publish() calls from several threads that arrive while a commit is running are written
together in the next transaction, by the first of them (leader/follower, no extra thread). Each caller
still returns only after its own rows are committed, and nothing reaches paho before its commit.

While the broker is away paho keeps the `window` rows it was given and re-sends them after the
automatic reconnect; the rest wait in the outbox. After a restart the sender starts from the
oldest pending row, so every event arrives, in order per publisher. A row acknowledged just before
a crash may be sent twice: consumers drop duplicates by event id (see `Deduplicator`).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import paho.mqtt.client as mqtt

from robot.mqtt.client import MqttLink
from robot.mqtt.outbox import Entry, Outbox, OutgoingMessage, PendingMessage

MEMORY_ROWS = 20_000  # rows kept in memory for the sender; beyond, it reads them back from SQLite
DELETE_BATCH = 500  # acknowledged rows deleted in one transaction


class Publishable(Protocol):
    """A letan Message, or another payload that owns its topic (e.g. Home Assistant discovery)."""

    @property
    def retain(self) -> bool: ...

    def topic(self, root: str = ...) -> str: ...

    def to_json(self) -> bytes: ...


def outgoing(message: Publishable, root: str) -> OutgoingMessage:
    return OutgoingMessage(message.topic(root), message.to_json(), 1, message.retain)


@dataclass
class _Job:
    """One publish call waiting for its commit (fields set by the leader, read after `done`)."""

    entry: Entry
    seqs: list[int] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


class EventBus:
    def __init__(self, link: MqttLink, outbox: Outbox, topic_root: str = "letan/v1", window: int = 100,
                 memory_rows: int = MEMORY_ROWS, delete_batch: int = DELETE_BATCH, delete_after_s: float = 0.05):
        self.link = link
        self.outbox = outbox
        self.topic_root = topic_root
        self.window = window
        self.memory_rows = memory_rows
        self.delete_batch = delete_batch
        self.delete_after_s = delete_after_s
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()  # PUBACKed paho message ids, from the loop thread
        # Handing rows to paho (by publishers and the sender) is serialised by _send_lock, which guards:
        self._send_lock = threading.Lock()
        self._inflight: dict[int, int] = {}  # paho mid -> outbox seq
        self._acked: list[int] = []  # acknowledged rows not yet deleted
        self._acked_since = 0.0
        self._last_handed = 0
        # Group commit: jobs waiting for the next transaction; `_writing` while a leader commits.
        self._commit_cond = threading.Condition()
        self._jobs: list[_Job] = []
        self._writing = False
        self._concurrent = False  # the last transactions had several publishers' entries
        self._followed = False  # someone waited behind the current leader
        self.commits = 0  # transactions written by publish calls (for the bench and tests)
        # Rows this process wrote are also kept in memory (in seq order) so the sender need not read them back;
        # rows up to `_backlog_until` (an earlier run's, or ones not kept because memory was full) come from SQLite.
        self._fresh: deque[PendingMessage] = deque()
        self._fresh_lock = threading.Lock()
        self._backlog_until = outbox.last_seq()
        self._last_written = 0
        self._stopping = threading.Event()
        self._flushing = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._run, name="letan-mqtt-sender", daemon=True)
        link.client.on_publish = self._on_publish
        link.on_connect_hooks.append(self._wake.set)

    # --- the application's side --------------------------------------------------------------

    def publish(self, message: Publishable) -> int:
        """Commit to the outbox (returns after the commit) and wake the sender. Returns the outbox sequence number."""
        return self._commit(Entry((outgoing(message, self.topic_root),)))[0]

    def publish_many(self, messages: Sequence[Publishable], *, cursor: tuple[str, int] | None = None,
                     reply_for: str | None = None, cursor_was: int | None = None) -> list[int]:
        """Several messages in one transaction (with a cursor move or a stored reply); see `Entry`.

        Raises `CursorMoved` (nothing written) when `cursor_was` no longer matches the stored cursor."""
        return self.publish_raw_many([outgoing(m, self.topic_root) for m in messages], cursor=cursor,
                                     reply_for=reply_for, cursor_was=cursor_was)

    def publish_raw(self, message: OutgoingMessage, *, reply_for: str | None = None) -> int:
        return self.publish_raw_many([message], reply_for=reply_for)[0]

    def publish_raw_many(self, messages: Sequence[OutgoingMessage], *, cursor: tuple[str, int] | None = None,
                         reply_for: str | None = None, cursor_was: int | None = None) -> list[int]:
        return self._commit(Entry(tuple(messages), cursor, reply_for, cursor_was))

    def _commit(self, entry: Entry) -> list[int]:
        """Group commit: wait while another caller commits; the first caller to find no commit running
        writes every waiting entry (its own included) in one transaction."""
        job = _Job(entry)
        with self._commit_cond:
            self._jobs.append(job)
            while self._writing and not job.done:
                self._followed = True
                self._commit_cond.wait()
            leader = not job.done
            if leader:
                self._writing = True
        if leader:
            if self._concurrent:
                time.sleep(0)  # others publish too: let the runnable ones join this transaction
            with self._commit_cond:
                jobs, self._jobs = self._jobs, []
            self._concurrent, self._followed = len(jobs) > 1 or self._followed, False
            self._lead(jobs)
        if job.error is not None:
            raise job.error
        return job.seqs

    def _lead(self, jobs: list[_Job]) -> None:
        try:
            results = self.outbox.write([j.entry for j in jobs])
            self.commits += 1
            with self._fresh_lock:  # only one leader at a time: rows are kept in seq order
                self._idle.clear()
                for job, result in zip(jobs, results, strict=True):
                    if isinstance(result, BaseException):
                        job.error = result
                    else:
                        job.seqs = result
                        self._keep(result, job.entry.messages)
        except BaseException as error:
            for job in jobs:
                job.error = job.error or error
        finally:
            with self._commit_cond:
                for job in jobs:
                    job.done = True
                self._writing = False
                self._commit_cond.notify_all()
        self._pump()  # committed: hand the new rows to paho from this thread (no hop to the sender)
        if self._acks.qsize() >= self.window // 2:
            self._wake.set()

    def _keep(self, seqs: Sequence[int], messages: Sequence[OutgoingMessage]) -> None:
        """With _fresh_lock held: remember the new rows in memory, or leave them to be read from SQLite."""
        for seq, msg in zip(seqs, messages, strict=True):
            self._last_written = max(self._last_written, seq)
            if len(self._fresh) < self.memory_rows:
                self._fresh.append(PendingMessage(seq, msg.topic, msg.payload, msg.qos, msg.retain))
            else:
                self._backlog_until = max(self._backlog_until, seq)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._pump()
            with self._send_lock:
                done, self._acked = self._acked, []
            self.outbox.delete(done)  # the sender has stopped: acknowledged rows are deleted here

    def flush(self, timeout: float) -> bool:
        """Wait until every row this bus wrote, and every older row, is acknowledged by the broker."""
        with self._fresh_lock:
            up_to = max(self._last_written, self._backlog_until)
        deadline = time.monotonic() + timeout
        self._flushing.set()
        try:
            while time.monotonic() < deadline:
                if self.outbox.count(up_to) == 0:
                    return True
                self._wake.set()
                self._idle.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            return self.outbox.count(up_to) == 0
        finally:
            self._flushing.clear()

    # --- paho's loop thread --------------------------------------------------------------------

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int, reason: object, props: object) -> None:
        # Called with paho's message lock held: never take the bus's locks here (a publisher holds
        # `_send_lock` while it calls paho). The PUBACK is queued; a publisher or the sender reads it.
        self._acks.put(mid)
        if self._flushing.is_set() or self._acks.qsize() >= self.window // 2:
            self._wake.set()

    # --- handing rows to paho: publishers (after their commit) and the sender thread -----------

    def _pump(self) -> None:
        """Read the PUBACKs that arrived, then hand waiting rows to paho in outbox order (window permitting)."""
        with self._send_lock:
            while True:
                try:
                    mid = self._acks.get_nowait()
                except queue.Empty:
                    break
                seq = self._inflight.pop(mid, None)  # None: a message sent outside the outbox (availability)
                if seq is not None:
                    if not self._acked:
                        self._acked_since = time.monotonic()
                    self._acked.append(seq)
            if not self.link.ready_for_new_messages():
                return
            room = self.window - len(self._inflight)
            if room <= 0:
                return
            rows = self._next_rows(room)
            for row in rows:
                # The PUBACK may arrive before this returns; it is queued and read after the mapping is stored.
                info = self.link.client.publish(row.topic, row.payload, qos=row.qos, retain=row.retain)
                self._inflight[info.mid] = row.seq
                self._last_handed = row.seq
            if not rows and not self._inflight and not self._acked:
                self._idle.set()

    def _next_rows(self, room: int) -> list[PendingMessage]:
        """With _send_lock held."""
        with self._fresh_lock:
            while self._fresh and self._fresh[0].seq <= self._last_handed:
                self._fresh.popleft()  # already sent from SQLite
            if self._last_handed >= self._backlog_until:
                return [self._fresh.popleft() for _ in range(min(room, len(self._fresh)))]
        return self.outbox.pending(after=self._last_handed, limit=room)

    def _rows_waiting(self) -> bool:
        with self._fresh_lock:
            return bool(self._fresh) or self._last_handed < self._backlog_until

    # --- the sender thread ---------------------------------------------------------------------

    def _run(self) -> None:
        """Backlog, reconnects and deleting acknowledged rows; fresh rows usually go to paho from publish()."""
        while not self._stopping.is_set():
            busy = self._inflight or self._acked or not self._acks.empty()
            self._wake.wait(self.delete_after_s if busy else 0.5 if self.link.connected.is_set() else 0.05)
            self._wake.clear()
            self._pump()
            self._delete_due()
            if self.link.connected.is_set():
                if not self.link.ready_for_new_messages():
                    time.sleep(0.005)  # paho is still re-sending what it held: look again shortly
                    self._wake.set()
                elif self._rows_waiting() and len(self._inflight) < self.window:
                    self._wake.set()  # more rows than one window: keep feeding

    def _delete_due(self) -> None:
        """Acknowledged rows are deleted in batches: `delete_batch` rows, or after `delete_after_s`, or at once
        when someone waits in flush(). A crash in between only means those rows are sent again (same event id)."""
        with self._send_lock:
            due = bool(self._acked) and (len(self._acked) >= self.delete_batch or self._flushing.is_set()
                                         or time.monotonic() - self._acked_since >= self.delete_after_s)
            done: list[int] = []
            if due:
                done, self._acked = self._acked, []
        self.outbox.delete(done)
        if due and not self._inflight and not self._acked and not self._rows_waiting():
            self._idle.set()
