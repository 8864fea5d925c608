"""EventBus: the publisher the application calls. `publish(message)` writes the message to the
SQLite outbox (durable) and a sender thread hands outbox rows to paho in order, at most `window`
at a time; each row is deleted when the broker's PUBACK arrives (`on_publish` by message id).

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
from typing import Protocol

import paho.mqtt.client as mqtt

from robot.mqtt.client import MqttLink
from robot.mqtt.outbox import Outbox, OutgoingMessage, PendingMessage

MEMORY_ROWS = 20_000  # rows kept in memory for the sender; beyond, it reads them back from SQLite


class Publishable(Protocol):
    """A letan Message, or another payload that owns its topic (e.g. Home Assistant discovery)."""

    @property
    def retain(self) -> bool: ...

    def topic(self, root: str = ...) -> str: ...

    def to_json(self) -> bytes: ...


def outgoing(message: Publishable, root: str) -> OutgoingMessage:
    return OutgoingMessage(message.topic(root), message.to_json(), 1, message.retain)


class EventBus:
    def __init__(self, link: MqttLink, outbox: Outbox, topic_root: str = "letan/v1", window: int = 100,
                 memory_rows: int = MEMORY_ROWS):
        self.link = link
        self.outbox = outbox
        self.topic_root = topic_root
        self.window = window
        self.memory_rows = memory_rows
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._inflight: dict[int, int] = {}  # paho mid -> outbox seq; touched by the sender thread only
        self._last_handed = 0
        # Rows this process wrote are also kept in memory (in seq order) so the sender need not read them back;
        # rows up to `_backlog_until` (an earlier run's, or ones not kept because memory was full) come from SQLite.
        self._fresh: deque[PendingMessage] = deque()
        self._fresh_lock = threading.Lock()
        self._backlog_until = outbox.last_seq()
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._run, name="letan-mqtt-sender", daemon=True)
        link.client.on_publish = self._on_publish
        link.on_connect_hooks.append(self._wake.set)

    # --- the application's side --------------------------------------------------------------

    def publish(self, message: Publishable) -> int:
        """Write to the outbox (committed) and wake the sender. Returns the outbox sequence number."""
        out = outgoing(message, self.topic_root)
        with self._fresh_lock:
            seq = self.outbox.add(out)
            self._keep([seq], [out])
        self._wake.set()
        return seq

    def publish_many(self, messages: Sequence[Publishable], *, cursor: tuple[str, int] | None = None,
                     reply_for: str | None = None) -> list[int]:
        return self.publish_raw_many([outgoing(m, self.topic_root) for m in messages], cursor=cursor,
                                     reply_for=reply_for)

    def publish_raw(self, message: OutgoingMessage, *, reply_for: str | None = None) -> int:
        return self.publish_raw_many([message], reply_for=reply_for)[0]

    def publish_raw_many(self, messages: Sequence[OutgoingMessage], *, cursor: tuple[str, int] | None = None,
                         reply_for: str | None = None) -> list[int]:
        with self._fresh_lock:
            seqs = self.outbox.add_many(messages, cursor=cursor, reply_for=reply_for)
            self._keep(seqs, messages)
        self._wake.set()
        return seqs

    def _keep(self, seqs: Sequence[int], messages: Sequence[OutgoingMessage]) -> None:
        """With _fresh_lock held: remember the new rows in memory, or leave them to be read from SQLite."""
        self._idle.clear()
        for seq, msg in zip(seqs, messages, strict=True):
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

    def flush(self, timeout: float) -> bool:
        """Wait until the outbox is empty (every event acknowledged by the broker)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.count() == 0:
                return True
            self._wake.set()
            self._idle.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        return self.outbox.count() == 0

    # --- paho's loop thread --------------------------------------------------------------------

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int, reason: object, props: object) -> None:
        self._acks.put(mid)
        self._wake.set()

    # --- the sender thread ---------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(0.5 if self.link.connected.is_set() else 0.05)
            self._wake.clear()
            self._collect_acks()
            if self.link.ready_for_new_messages():
                self._feed()
            elif self.link.connected.is_set():
                self._wake.set()  # paho is still re-sending what it held: look again shortly
                time.sleep(0.005)

    def _collect_acks(self) -> None:
        done: list[int] = []
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                break
            seq = self._inflight.pop(mid, None)  # None: a message sent outside the outbox (availability)
            if seq is not None:
                done.append(seq)
        self.outbox.delete(done)

    def _feed(self) -> None:
        room = self.window - len(self._inflight)
        if room <= 0:
            return
        rows = self._next_rows(room)
        if not rows:
            if not self._inflight:
                self._idle.set()
            return
        for row in rows:
            # The PUBACK may arrive before this returns; it is queued and read by this thread after the mapping.
            info = self.link.client.publish(row.topic, row.payload, qos=row.qos, retain=row.retain)
            self._inflight[info.mid] = row.seq
            self._last_handed = row.seq
        self._wake.set()  # more rows may be waiting

    def _next_rows(self, room: int) -> list[PendingMessage]:
        with self._fresh_lock:
            while self._fresh and self._fresh[0].seq <= self._last_handed:
                self._fresh.popleft()  # already sent from SQLite
            if self._last_handed >= self._backlog_until:
                return [self._fresh.popleft() for _ in range(min(room, len(self._fresh)))]
        return self.outbox.pending(after=self._last_handed, limit=room)

