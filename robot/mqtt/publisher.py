"""OutboxPublisher: the publisher the application calls. `publish(message)` returns once the message is
committed to the SQLite outbox (durable); rows are handed to paho in outbox order, at most `window` at
a time, and a row is deleted after the broker's PUBACK arrives (`on_publish` by message id), in batches.

Group commit: publish() calls from several threads that arrive while a commit is running are written
together in the next transaction, by the first of them (leader/follower, no extra thread). Each caller
still returns only after its own rows are committed, and nothing reaches paho before its commit.

Hand-off in bursts: after its commit a publisher hands the waiting rows to paho itself when none of the
bus's rows is in flight (an event on a quiet bus goes out at once) or when half a window is waiting;
otherwise they go, together, when the PUBACKs of those in flight have arrived (at most one round trip
later). paho's loop thread then sends and acknowledges many rows per wake-up instead of one.

While the broker is away paho keeps the `window` rows it was given and re-sends them after the
automatic reconnect; the rest wait in the outbox. After a restart the sender starts from the
oldest pending row, so every event arrives, in order per publisher. A row acknowledged just before
a crash may be sent twice: consumers drop duplicates by event id (see `Deduplicator`).
"""

from __future__ import annotations

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
CHECKPOINT_WRITES = 1_000  # write transactions between two WAL checkpoints (run by the sender thread)


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


class OutboxPublisher:
    def __init__(self, link: MqttLink, outbox: Outbox, topic_root: str = "letan/v1", window: int = 100,
                 memory_rows: int = MEMORY_ROWS, delete_batch: int = DELETE_BATCH, delete_after_s: float = 0.05,
                 checkpoint_writes: int = CHECKPOINT_WRITES):
        self.link = link
        self.outbox = outbox
        self.topic_root = topic_root
        self.window = window
        self.memory_rows = memory_rows
        self.delete_batch = delete_batch
        self.delete_after_s = delete_after_s
        self.checkpoint_writes = checkpoint_writes
        self._wake = threading.Event()
        self._acks: deque[int] = deque()  # PUBACKed paho message ids, appended by the loop thread
        # Handing rows to paho: one thread at a time holds _send_lock; a caller that finds it taken leaves its
        # request in _pump_wanted and the holder goes round once more (nobody waits for it). It guards:
        self._send_lock = threading.Lock()
        self._pump_wanted = False
        self._inflight: dict[int, int] = {}  # paho mid -> outbox seq
        self._last_handed = 0
        self._acked: deque[int] = deque()  # acknowledged rows not yet deleted (taken by the sender thread)
        self._acked_since = 0.0
        # Group commit: jobs waiting for the next transaction; `_leader` is held by the caller that writes them.
        self._jobs_lock = threading.Lock()
        self._jobs: list[_Job] = []
        self._leader = threading.Lock()
        self._concurrent = False  # the last transaction had several publishers' entries, or others were waiting
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
        """Commit to the outbox (returns after the commit). Returns the outbox sequence number."""
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
        with self._jobs_lock:
            self._jobs.append(job)
        with self._leader:
            led = not job.done
            if led:
                self._write_waiting()
        if led and (len(self._inflight) <= len(self._acks) or len(self._fresh) >= self.window // 2):
            self._pump()  # nothing of ours in flight, or half a window waiting: hand the rows to paho now
        if job.error is not None:
            raise job.error
        return job.seqs

    def _write_waiting(self) -> None:
        """With `_leader` held: every waiting entry in one transaction; the rows are kept in memory for paho."""
        if self._concurrent:
            time.sleep(0)  # others publish too: let the runnable ones join this transaction
        with self._jobs_lock:
            jobs, self._jobs = self._jobs, []
        try:
            results = self.outbox.write([j.entry for j in jobs])
            self.commits += 1
            with self._fresh_lock:  # only one leader at a time: rows are kept in seq order
                if self._idle.is_set():
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
            for job in jobs:
                job.done = True
            self._concurrent = len(jobs) > 1 or bool(self._jobs)

    def _keep(self, seqs: Sequence[int], messages: Sequence[OutgoingMessage]) -> None:
        """With _fresh_lock held: remember the new rows in memory, or leave them to be read from SQLite."""
        for seq, msg in zip(seqs, messages, strict=True):
            self._last_written = max(self._last_written, seq)
            if len(self._fresh) < self.memory_rows:
                self._fresh.append(PendingMessage(seq, msg.topic, msg.payload, msg.qos, msg.retain))
            else:
                self._backlog_until = max(self._backlog_until, seq)

    def start(self) -> None:
        self.outbox.autocheckpoint(0)  # the sender thread checkpoints, off the publishers' path
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._pump()
            self.outbox.delete(self._take_acked())  # the sender has stopped: acknowledged rows are deleted here
            self.outbox.checkpoint()
            self.outbox.autocheckpoint(1000)

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
        # Called with paho's message lock held: never wait for the bus's locks here (a publisher holds
        # `_send_lock` while it calls paho). The PUBACK is queued; a publisher or the sender reads it.
        self._acks.append(mid)
        acked = len(self._acks)
        if acked >= len(self._inflight) or acked >= self.window // 2 or self._flushing.is_set():
            self._wake.set()  # all in flight acknowledged (rows may wait for that), or half a window

    # --- handing rows to paho: publishers (after their commit) and the sender thread -----------

    def _pump(self) -> None:
        """Read the PUBACKs that arrived, then hand waiting rows to paho in outbox order (window permitting).

        Never waits: if another thread is handing rows, it goes round once more for this call."""
        self._pump_wanted = True
        while self._pump_wanted and self._send_lock.acquire(blocking=False):
            try:
                self._pump_wanted = False
                self._hand_rows()
            finally:
                self._send_lock.release()

    def _hand_rows(self) -> None:
        """With _send_lock held."""
        acks, inflight = self._acks, self._inflight
        while acks:
            seq = inflight.pop(acks.popleft(), None)  # None: a message sent outside the outbox (availability)
            if seq is not None:
                if not self._acked:
                    self._acked_since = time.monotonic()
                self._acked.append(seq)
        if not self.link.ready_for_new_messages():
            return
        room = self.window - len(inflight)
        if room <= 0:
            return
        rows = self._next_rows(room)
        publish = self.link.client.publish
        for row in rows:
            # The PUBACK may arrive before this returns; it is queued and read after the mapping is stored.
            inflight[publish(row.topic, row.payload, qos=row.qos, retain=row.retain).mid] = row.seq
        if rows:
            self._last_handed = rows[-1].seq
        elif not inflight and not self._acked:
            self._idle.set()

    def _next_rows(self, room: int) -> list[PendingMessage]:
        """With _send_lock held."""
        with self._fresh_lock:
            fresh = self._fresh
            while fresh and fresh[0].seq <= self._last_handed:
                fresh.popleft()  # already sent from SQLite
            if self._last_handed >= self._backlog_until:
                return [fresh.popleft() for _ in range(min(room, len(fresh)))]
        return self.outbox.pending(after=self._last_handed, limit=room)

    def _rows_waiting(self) -> bool:
        with self._fresh_lock:
            return bool(self._fresh) or self._last_handed < self._backlog_until

    def _in_backlog(self) -> bool:
        with self._fresh_lock:
            return self._last_handed < self._backlog_until

    # --- the sender thread ---------------------------------------------------------------------

    def _run(self) -> None:
        """Backlog, reconnects, rows left waiting for PUBACKs, deleting acknowledged rows and WAL checkpoints."""
        while not self._stopping.is_set():
            busy = self._inflight or self._acked or self._acks
            self._wake.wait(self.delete_after_s if busy else 0.5 if self.link.connected.is_set() else 0.05)
            self._wake.clear()
            self._pump()
            self._delete_due()
            if self.outbox.writes_since_checkpoint >= self.checkpoint_writes:
                self.outbox.checkpoint()
            if self.link.connected.is_set():
                if not self.link.ready_for_new_messages():
                    time.sleep(0.005)  # paho is still re-sending what it held: look again shortly
                    self._wake.set()
                elif self._in_backlog() and len(self._inflight) < self.window:
                    self._wake.set()  # rows read back from SQLite, room in the window: keep feeding
                # Fresh rows left waiting go when the PUBACKs in flight are in (_on_publish wakes this thread).

    def _take_acked(self) -> list[int]:
        acked = self._acked
        return [acked.popleft() for _ in range(len(acked))]

    def _delete_due(self) -> None:
        """Acknowledged rows are deleted in batches: `delete_batch` rows, or after `delete_after_s`, or at once
        when someone waits in flush(). A crash in between only means those rows are sent again (same event id)."""
        waiting = len(self._acked)
        if waiting and (waiting >= self.delete_batch or self._flushing.is_set()
                        or time.monotonic() - self._acked_since >= self.delete_after_s):
            self.outbox.delete(self._take_acked())
            if not self._inflight and not self._acked and not self._rows_waiting():
                self._idle.set()
