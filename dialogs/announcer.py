"""Queue-call announcements: "Xin mời công dân có số thứ tự A không một hai đến quầy số năm".

Each call is said twice. Calls go through one queue and are played one at a time, under a lock
the conversation's speaker can share, so announcements never cut each other (or the robot's
sentences) off. A call already waiting is not queued again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dialogs.numbers import DIGITS, LETTER_NAMES, counter_words, number_words, ticket_parts, ticket_words
from dialogs.prompts import render
from dialogs.tts import Audio, Segment, concat, silence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    ticket: str  # "A012"
    counter: int

    @property
    def text(self) -> str:
        return render("announce", ticket=ticket_words(self.ticket), counter=counter_words(self.counter)).text

    def segments(self) -> list[Segment]:
        """Pieces with voice-pack keys: recorded phrase, letters, digits, counter number."""
        prefix, digits = ticket_parts(self.ticket)
        return [
            Segment("Xin mời công dân có số thứ tự", "announce.call"),
            *(Segment(LETTER_NAMES.get(ch, ch), f"letter.{ch}") for ch in prefix),
            *(Segment(DIGITS[int(d)], f"digit.{d}") for d in digits),
            Segment("đến quầy số", "announce.to_counter"),
            Segment(number_words(self.counter) + ".", f"number.{self.counter}"),
        ]


class Announcer:
    def __init__(
        self,
        render_audio: Callable[[Sequence[Segment]], Audio],
        play: Callable[[Audio], None],
        repeat: int = 2,
        gap_s: float = 0.8,
        channel: threading.Lock | None = None,
    ):
        self.render_audio = render_audio
        self.play = play
        self.repeat = repeat
        self.gap_s = gap_s
        self.channel = channel or threading.Lock()  # share with the conversation's speaker
        self._queue: queue.Queue[Announcement | None] = queue.Queue()
        self._pending: set[Announcement] = set()
        self._pending_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.played: list[Announcement] = []

    def announce(self, ticket: str, counter: int) -> bool:
        """Queue a call; False when the same call is already waiting. Raises ValueError for a bad ticket."""
        item = Announcement(ticket.strip().upper(), counter)
        ticket_parts(item.ticket)
        with self._pending_lock:
            if item in self._pending:
                return False
            self._pending.add(item)
        self._queue.put(item)
        return True

    def pending(self) -> int:
        with self._pending_lock:
            return len(self._pending)

    def _say(self, item: Announcement) -> None:
        with self._pending_lock:
            self._pending.discard(item)
        once = self.render_audio(item.segments())
        parts = [once]
        for _ in range(self.repeat - 1):
            parts += [silence(self.gap_s, once.sample_rate), once]
        with self.channel:
            self.play(concat(parts, once.sample_rate))
        self.played.append(item)

    def pump(self) -> int:
        """Say every waiting call now, in this thread (single-threaded use). Returns how many."""
        count = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return count
            if item is not None:
                self._say(item)
                count += 1

    def start(self) -> None:
        """Say calls from a background thread as they come."""
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="announcer", daemon=True)
            self._worker.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the calls already queued, then stop the thread."""
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout)
            self._worker = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._say(item)
            except Exception:
                log.exception("announcement of a ticket failed")
