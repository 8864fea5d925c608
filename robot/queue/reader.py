"""One reader of the queue engine's durable event log, fanning each event out to its consumers (the robot's
call announcer, the MQTT queue bridge).

Each consumer says how far it has taken the log (`position`: the id of its last event; the bridge's is its
durable outbox cursor, the announcer's is in memory); the reader reads once from the lowest position and
hands each consumer the events after its own, in order. A consumer that fails is logged and keeps its
position: it gets the same events at the next read."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Protocol

from robot.queue.models import QueueEvent

log = logging.getLogger(__name__)


class EventLog(Protocol):
    def events_after(self, last_id: int, limit: int = 100) -> list[QueueEvent]: ...


class QueueEventConsumer(Protocol):
    def position(self) -> int:
        """The id of the last event this consumer has taken (0: none)."""

    def take(self, events: Sequence[QueueEvent]) -> object:
        """The log's events after `position()`, in order."""


class QueueEventReader:
    def __init__(self, log: EventLog, consumers: Iterable[QueueEventConsumer] = (), *, limit: int = 500,
                 name: str = "queue-events"):
        self.log = log
        self.consumers = list(consumers)
        self.limit = limit
        self.name = name
        self._lock = threading.Lock()  # one read at a time (the thread, a drain at stop)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def pump(self) -> tuple[int, bool]:
        """Read the log once and hand the events out: (events read, every consumer took its own)."""
        with self._lock:
            positions = [consumer.position() for consumer in self.consumers]
            if not positions:
                return 0, True
            events = self.log.events_after(min(positions), self.limit)
            ok = True
            for consumer, after in zip(self.consumers, positions, strict=True):
                mine = [event for event in events if event.id > after]
                if not mine:
                    continue
                try:
                    consumer.take(mine)
                except Exception:
                    ok = False
                    log.exception("a consumer of the queue events failed")
            return len(events), ok

    def start(self, interval_s: float = 0.1) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(interval_s,), name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Read now rather than at the next poll (e.g. a counter command was just executed)."""
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            self._thread = None

    def _run(self, interval_s: float) -> None:
        while not self._stop.is_set():
            try:
                read, ok = self.pump()
            except Exception:  # the queue database may be busy or gone for a moment
                log.exception("reading the queue events failed")
                read, ok = 0, False
            if read < self.limit or not ok:  # more to read at once only after a full, successful batch
                self._wake.wait(interval_s)
                self._wake.clear()
