"""Voice activity detection and end-pointing over 16 kHz, 16-bit, mono frames (webrtcvad).

`EndPointer.feed(frame)` returns a whole utterance (PCM bytes, with a little audio before the
speech started) once the speaker has been quiet long enough: `end_silence_ms`, or only `quick_end_ms` when a
streaming recogniser's partial text (`hypothesis`) is already a complete request (`complete`, given by the
application), as voice assistants do; `closed_early` then holds that text. A `TalkGate` keeps the robot from
listening to itself: while the robot speaks, and for a short hold after, frames are dropped.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

SAMPLE_RATE = 16000
BYTES_PER_SAMPLE = 2


def frame_bytes(frame_ms: int, sample_rate: int = SAMPLE_RATE) -> int:
    return sample_rate * frame_ms // 1000 * BYTES_PER_SAMPLE


class Gate(Protocol):
    def is_open(self) -> bool:
        """True when the microphone's frames may be listened to."""


class TalkGate:
    """Closed while the robot speaks and `hold_s` after (the room's echo tail); thread-safe."""

    def __init__(self, clock_fn: Callable[[], float] = time.monotonic, hold_s: float = 0.3):
        self.clock_fn = clock_fn
        self.hold_s = hold_s
        self._speaking = 0
        self._until = float("-inf")
        self._lock = threading.Lock()

    @contextmanager
    def speaking(self) -> Iterator[None]:
        with self._lock:
            self._speaking += 1
        try:
            yield
        finally:
            with self._lock:
                self._speaking -= 1
                self._until = self.clock_fn() + self.hold_s

    def is_open(self) -> bool:
        with self._lock:
            return self._speaking == 0 and self.clock_fn() >= self._until


@dataclass(frozen=True)
class EndPointing:
    aggressiveness: int = 2  # webrtcvad 0 (lenient) .. 3 (strict)
    frame_ms: int = 30  # 10, 20 or 30
    preroll_ms: int = 300  # audio kept from before speech started; also the start window
    start_ratio: float = 0.6  # share of voiced frames in the start window that starts an utterance
    end_silence_ms: int = 600  # quiet time that ends an utterance
    quick_end_ms: int = 210  # quiet time that ends an utterance whose partial text is complete (needs `complete`)
    flush_ms: int = 60  # quiet time after which a streaming recogniser decodes the words it holds back (0: never)
    quiet_share: float = 0.05  # a frame this much quieter than the utterance's loudest is quiet, whatever the VAD
    max_ms: int = 15000  # an utterance is cut here whatever happens


class EndPointer:
    def __init__(self, settings: EndPointing = EndPointing(), gate: Gate | None = None):
        import webrtcvad

        if settings.frame_ms not in (10, 20, 30):
            raise ValueError(f"frame_ms must be 10, 20 or 30, found {settings.frame_ms}")
        self.settings = settings
        self.gate = gate
        self._vad = webrtcvad.Vad(settings.aggressiveness)
        self.frame_size = frame_bytes(settings.frame_ms)
        self._window: deque[tuple[bytes, bool]] = deque(maxlen=max(1, settings.preroll_ms // settings.frame_ms))
        self._voiced: list[bytes] = []
        self._quiet_frames = 0
        self.in_speech = False
        # the quick end: the recogniser's partial text so far, and a check that it is a complete request
        self.complete: Callable[[str], bool] | None = None
        self.hypothesis = ""
        self.closed_early: str | None = None  # the partial text the last utterance was closed on, if closed early
        self._loudest = 0.0  # the utterance's loudest frame (RMS)
        self._checked: tuple[str, bool] = ("", False)

    def reset(self) -> None:
        self._window.clear()
        self._voiced = []
        self._quiet_frames = 0
        self.in_speech = False
        self.hypothesis = ""
        self._loudest = 0.0

    def feed(self, frame: bytes) -> bytes | None:
        """Take one frame; return an utterance when one has just ended."""
        if len(frame) != self.frame_size:
            raise ValueError(f"expected {self.frame_size}-byte frames ({self.settings.frame_ms} ms), got {len(frame)}")
        self.closed_early = None
        if self.gate is not None and not self.gate.is_open():
            self.reset()
            return None
        voiced = self._vad.is_speech(frame, SAMPLE_RATE)
        if not self.in_speech:
            self._window.append((frame, voiced))
            full = len(self._window) == self._window.maxlen
            if full and sum(v for _, v in self._window) >= self.settings.start_ratio * len(self._window):
                self.in_speech = True
                self._voiced = [f for f, _ in self._window]
                self._window.clear()
                self._quiet_frames = 0
                self.hypothesis = ""
                self._loudest = max(_rms(f) for f in self._voiced)
            return None
        self._voiced.append(frame)
        # Quiet: the VAD hears no speech, or the frame is far below the utterance's loudest (the VAD holds on to
        # speech ~150 ms after it has ended: that is not silence the citizen left)
        level = _rms(frame)
        self._loudest = max(self._loudest, level)
        quiet = not voiced or level < self.settings.quiet_share * self._loudest
        self._quiet_frames = self._quiet_frames + 1 if quiet else 0
        quiet_ms = self._quiet_frames * self.settings.frame_ms
        spoken_ms = len(self._voiced) * self.settings.frame_ms
        if quiet_ms >= self.settings.end_silence_ms or spoken_ms >= self.settings.max_ms:
            return self._finish()
        if self.settings.quick_end_ms and quiet_ms >= self.settings.quick_end_ms and self._complete_now():
            text = self.hypothesis
            pcm = self._finish()
            self.closed_early = text
            return pcm
        return None

    def _complete_now(self) -> bool:
        """The partial text so far is a complete request (checked once per partial text)."""
        if self.complete is None or not self.hypothesis:
            return False
        if self._checked[0] != self.hypothesis:
            assert self.complete is not None
            self._checked = (self.hypothesis, self.complete(self.hypothesis))
        return self._checked[1]

    @property
    def quiet_ms(self) -> int:
        """How long the utterance in progress has been quiet (0 while the citizen speaks)."""
        return self._quiet_frames * self.settings.frame_ms

    @property
    def voiced(self) -> tuple[bytes, ...]:
        """The frames of the utterance in progress so far (its pre-roll first); empty outside speech."""
        return tuple(self._voiced)

    def flush(self) -> bytes | None:
        """End of input: the utterance in progress, if any."""
        return self._finish() if self.in_speech else None

    def _finish(self) -> bytes:
        pcm = b"".join(self._voiced)
        self.reset()
        return pcm


def _rms(frame: bytes) -> float:
    import numpy as np

    samples = np.frombuffer(frame, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0


def utterances(frames: Iterable[bytes], endpointer: EndPointer) -> Iterator[bytes]:
    """Every utterance found in a stream of frames."""
    for frame in frames:
        pcm = endpointer.feed(frame)
        if pcm is not None:
            yield pcm
    last = endpointer.flush()
    if last is not None:
        yield last
