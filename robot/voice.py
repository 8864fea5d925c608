"""The robot's mouth and ears in the application: one loudspeaker shared by the conversation and the counters'
calls, and the microphone loop that never hears the robot itself.

`Loudspeaker`: one worker thread renders and plays, in order, the conversation's sentences and the calls.
- A call never cuts into a turn: it waits until the dialog has finished the turn (`turn()`) and every sentence
  of it has been played, then plays; the conversation's next sentences wait for its end.
- With nobody at the robot a call is said `repeat` times (with a gap); in a session it is said once, and again
  only after the conversation has said something in between (never twice back to back).
- While anything plays the `TalkGate` is closed, and for its tail (the room's echo) after.
- `on_quiet` is called when the last sample queued has been played and no turn is open: the dialog's listen
  timeouts count from there (`DialogManager.played()`), not from when the text was produced.
- `interrupt()` (barge-in) stops the conversation's sentence being played (`stop_playing`, the sink's stop) and
  drops the sentences queued after it; the levels of what was played recently (`played_level()`) tell the
  microphone loop how loud the robot's own echo may be. Sentences' audio is kept (`cache_size`): a prompt said
  again is not synthesised again.

`Ears`: the microphone's frames -> voice activity and end-pointing (gated: nothing while the robot speaks or
the dialog does not listen) -> recognition -> `on_utterance`, on a thread of its own. A microphone that cannot
be opened or stops delivering is reported (`on_state`) and opened again every `retry_s`; a sound card that
delivers only zeros is reported once. With a streaming engine the end-pointer ends an utterance after a short
silence when its partial text is already a complete request (`complete`, dialogs/hearing.py).

Barge-in (`dialog.speech.barge_in`, off by default): while the robot says a sentence of the conversation and the
dialog would listen, `EchoGuard` compares each frame with the echo expected of what is being played (the
played level around that moment times the room's echo coupling, learned while the robot speaks). Speech well
above it (`BargeIn.margin`) for `BargeIn.min_ms` is a citizen: the sentence stops, the gate opens
(`ListenGate.barged_at`) and the end-pointer gets the frames that decided it, then the rest, until the utterance
ends.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from dialogs.announcer import Announcement
from dialogs.asr import AudioRecognizer, Recognition, recognise
from dialogs.hearing import judge, masked
from dialogs.numbers import ticket_parts
from dialogs.tts import Audio, concat, silence
from dialogs.vad import EndPointer, EndPointing, TalkGate
from drivers.audio import AudioDeviceError, FrameSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Played:
    """One thing the loudspeaker played, with the wall-clock (time.monotonic) span of its samples."""

    kind: str  # sentence | call
    text: str
    started: float
    ended: float
    times: int = 1  # a call: how many times it was said in this play
    interrupted: bool = False  # stopped by a citizen speaking over it (barge-in)


LEVEL_S = 0.01  # the played audio's level is kept per 10 ms


@dataclass
class _Sound:
    """Something being played or played lately: its level per LEVEL_S, where it sits in time."""

    kind: str
    levels: np.ndarray
    started: float
    ended: float | None = None
    interrupted: bool = False


def levels_of(audio: Audio) -> np.ndarray:
    """RMS of the audio per LEVEL_S block (16-bit scale)."""
    block = max(1, int(audio.sample_rate * LEVEL_S))
    samples = np.frombuffer(audio.pcm[: len(audio.pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    count = samples.size // block
    if count == 0:
        return np.zeros(1)
    return np.sqrt(np.mean(samples[: count * block].reshape(count, block) ** 2, axis=1))


@dataclass
class _Call:
    announcement: Announcement
    left: int
    after_turn: bool = False  # said once in this session: wait for the conversation to say something first


class Loudspeaker:
    def __init__(
        self,
        render_sentence: Callable[[str, str | None], Audio | None],
        render_call: Callable[[Announcement], Audio | None],
        play: Callable[[Audio], None],
        *,
        gate: TalkGate,
        in_session: Callable[[], bool] = lambda: False,
        on_quiet: Callable[[], None] = lambda: None,
        on_error: Callable[[Exception], None] = lambda exc: None,
        repeat: int = 2,
        gap_s: float = 0.8,
        stop_playing: Callable[[], None] | None = None,
        cache_size: int = 32,
    ):
        self.render_sentence = render_sentence
        self.render_call = render_call
        self._play = play
        self.gate = gate
        self.in_session = in_session
        self.on_quiet = on_quiet
        self.on_error = on_error
        self.repeat = repeat
        self.gap_s = gap_s
        self.stop_playing = stop_playing  # the sink's stop (barge-in); None: a sentence cannot be cut
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str | None], Audio] = OrderedDict()
        self._sounding: deque[_Sound] = deque(maxlen=4)
        self._now: _Sound | None = None
        self._cond = threading.Condition()
        self._sentences: deque[tuple[str, str | None]] = deque()
        self._calls: list[_Call] = []
        self._turns = 0
        self._playing = False
        self._unreported = False  # something was played since on_quiet was last called
        self._stopping = False
        self.log: deque[Played] = deque(maxlen=500)
        self._worker: threading.Thread | None = None

    # ------------------------------------------------------------------ what the application calls

    def say(self, text: str, key: str | None = None) -> None:
        """Queue a sentence of the conversation (returns at once)."""
        with self._cond:
            self._sentences.append((text, key))
            self._cond.notify_all()

    def call(self, ticket: str, counter: int) -> bool:
        """Queue a counter's call; False when the same call is still to be said. ValueError for a bad ticket."""
        item = Announcement(ticket.strip().upper(), counter)
        ticket_parts(item.ticket)
        with self._cond:
            if any(c.announcement == item for c in self._calls):
                return False
            self._calls.append(_Call(item, self.repeat))
            self._cond.notify_all()
        return True

    @contextmanager
    def turn(self) -> Iterator[None]:
        """The dialog is handling an input: calls wait for the end of the turn's sentences."""
        with self._cond:
            self._turns += 1
        try:
            yield
        finally:
            with self._cond:
                self._turns -= 1
                self._cond.notify_all()

    def interrupt(self) -> bool:
        """Barge-in: stop the conversation's sentence being played and drop the sentences queued after it. False
        (nothing done) when no sentence is playing, a turn is being handled or the sink cannot stop."""
        with self._cond:
            now = self._now
            if now is None or now.kind != "sentence" or self._turns or self.stop_playing is None:
                return False
            now.interrupted = True
            self._sentences.clear()
            stop = self.stop_playing
        try:
            stop()
        except Exception as exc:  # the sentence plays on; the microphone loop must not fail for it
            log.warning("the loudspeaker could not be stopped: %s", exc)
            now.interrupted = False
            return False
        return True

    def saying_sentence(self) -> bool:
        """A sentence of the conversation is being played now (not a call), outside a turn."""
        with self._cond:
            return self._now is not None and self._now.kind == "sentence" and not self._turns

    def played_level(self, start: float, end: float) -> float | None:
        """The loudest 10 ms the loudspeaker played between two moments (time.monotonic); None when it played
        nothing then."""
        loudest: float | None = None
        with self._cond:
            sounds = list(self._sounding)
        for sound in sounds:
            stop = sound.ended if sound.ended is not None else sound.started + sound.levels.size * LEVEL_S
            if stop <= start or sound.started >= end:
                continue
            lo = max(0, int((start - sound.started) / LEVEL_S))
            hi = min(sound.levels.size, math.ceil((end - sound.started) / LEVEL_S))
            if lo < hi:
                level = float(sound.levels[lo:hi].max())
                loudest = level if loudest is None else max(loudest, level)
        return loudest

    def busy(self) -> bool:
        """Something is being played or waits to be (a call that must wait for a turn does not count)."""
        with self._cond:
            return self._busy()

    def _busy(self) -> bool:
        return bool(self._sentences) or self._playing or self._turns > 0 or self._next_call(peek=True) is not None

    def pending_calls(self) -> int:
        with self._cond:
            return len(self._calls)

    def wait_quiet(self, timeout_s: float = 30.0, tail: bool = False) -> bool:
        """Block until everything queued has been played (and, with `tail`, the gate's echo tail is over)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._busy() or self._unreported:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
        while tail and not self.gate.is_open():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)  # the tail is a fixed hold after the last sample: nothing to be told about
        return True

    # ------------------------------------------------------------------ the worker

    def start(self) -> None:
        if self._worker is None:
            self._stopping = False
            self._worker = threading.Thread(target=self._run, name="loudspeaker", daemon=True)
            self._worker.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish what is queued (calls waiting for a turn are dropped), then stop."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout_s)
            self._worker = None

    def _next_call(self, peek: bool = False) -> tuple[Announcement, int] | None:
        if self._sentences or self._turns:
            return None
        in_session = self.in_session()
        for call in self._calls:
            if call.after_turn and in_session:
                continue
            if peek:
                return call.announcement, 0
            times = 1 if in_session else call.left
            call.left -= times
            call.after_turn = True
            if call.left <= 0:
                self._calls.remove(call)
            return call.announcement, times
        return None

    def _take(self) -> tuple[str, Any] | None:
        """The next thing to play, or ('quiet', None) when on_quiet is due; None to wait."""
        if self._sentences:
            return "sentence", self._sentences.popleft()
        call = self._next_call()
        if call is not None:
            return "call", call
        if self._unreported and self._turns == 0:
            self._unreported = False
            return "quiet", None
        if self._stopping:
            return "stop", None
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                while (item := self._take()) is None:
                    self._cond.wait(0.5)  # in_session() may change without a notification
                kind, what = item
                if kind == "stop":
                    return
                self._playing = kind != "quiet"
            if kind == "quiet":
                self._quiet()
                continue
            try:
                self._render_and_play(kind, what)
            except Exception as exc:  # the words are on the screen already
                log.warning("the loudspeaker failed: %s", exc)
                self.on_error(exc)
            finally:
                with self._cond:
                    self._playing = False
                    self._unreported = True
                    self._cond.notify_all()

    def _quiet(self) -> None:
        try:
            self.on_quiet()
        except Exception:
            log.exception("on_quiet failed")
        with self._cond:
            self._cond.notify_all()

    def _render_and_play(self, kind: str, what: Any) -> None:
        if kind == "sentence":
            text, key = what
            audio = self._sentence_audio(text, key)
            times = 1
        else:
            announcement, times = what
            text = announcement.text
            once = self.render_call(announcement)
            audio = None
            if once is not None:
                parts = [once]
                for _ in range(times - 1):
                    parts += [silence(self.gap_s, once.sample_rate), once]
                audio = concat(parts, once.sample_rate)
        if kind == "sentence":
            with self._cond:
                for call in self._calls:
                    call.after_turn = False  # the conversation said something: a call may be said again
        if audio is None or not audio.pcm:
            return
        levels = levels_of(audio)
        with self.gate.speaking():
            started = time.monotonic()
            sound = _Sound(kind, levels, started)
            with self._cond:
                self._sounding.append(sound)
                self._now = sound
            try:
                self._play(audio)
            finally:
                ended = time.monotonic()
                with self._cond:
                    sound.ended = ended
                    self._now = None
        self.log.append(Played(kind, text, started, ended, times, sound.interrupted))

    def _sentence_audio(self, text: str, key: str | None) -> Audio | None:
        """The sentence's audio, from the cache when the prompt was said before (greetings, offers, re-prompts)."""
        with self._cond:
            audio = self._cache.get((text, key))
            if audio is not None:
                self._cache.move_to_end((text, key))
                return audio
        audio = self.render_sentence(text, key)
        if audio is not None and audio.pcm and self.cache_size and key is not None:  # prompts, not dossier answers
            with self._cond:
                self._cache[(text, key)] = audio
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return audio


class ListenGate:
    """Open only when the loudspeaker's gate is open (nothing playing, tail over), nothing waits to be played
    and the dialog listens."""

    def __init__(self, talk: TalkGate, loudspeaker: Loudspeaker | None, listening: Callable[[], bool]):
        self.talk = talk
        self.loudspeaker = loudspeaker
        self.listening = listening
        self.barged_at: float | None = None  # a citizen spoke over the robot (time.monotonic): open till it ends

    def is_open(self) -> bool:
        if self.barged_at is not None:
            return self.listening()
        if not self.talk.is_open():
            return False
        if self.loudspeaker is not None and self.loudspeaker.busy():
            return False
        return self.listening()


ZEROS_ALERT_S = 5.0  # a sound card delivering exact zeros this long is reported


@dataclass(frozen=True)
class BargeIn:
    """How a citizen speaking over the robot is told apart from the robot's own echo (levels: 16-bit RMS)."""

    margin: float = 2.0  # the microphone this many times louder than the echo expected of what plays...
    min_ms: int = 240  # ...in this much of the last 2 x min_ms, webrtcvad calling it speech too
    floor: float = 300.0  # and never below this level (about -40 dBFS)
    look_back_s: float = 0.1  # a frame may hold the echo of samples played this long before it was recorded
    look_ahead_s: float = 0.02  # or this long after (the loudspeaker's and the microphone's buffers)
    learn_frames: int = 30  # frames of loud playback to learn the echo coupling from before barge-in is possible
    loud: float = 500.0  # played audio at least this loud teaches the coupling
    replay_ms: int = 450  # the audio before the first frame found louder than the echo goes to the end-pointer too
    wait_s: float = 1.5  # the gate stays open this long for the utterance to start (then it closes again)


class FrameClock:
    """When each frame of a microphone stream was recorded: the frames may reach the listening thread late and in
    bursts (a busy machine), but the card records them one after the other. The n-th frame ends at the stream's
    start + (n + 1) frames, the start being the earliest any frame's arrival allows; it may creep later by
    100 ppm (a sound card's clock slower than the machine's)."""

    def __init__(self, frame_s: float):
        self.frame_s = frame_s
        self.count = 0
        self._start = math.inf

    def tick(self, received: float) -> float:
        self._start = min(self._start + self.frame_s * 1e-4, received - (self.count + 1) * self.frame_s)
        self.count += 1
        return self._start + self.count * self.frame_s


class EchoGuard:
    """Barge-in detection on the microphone's frames (see the module's docstring). The echo coupling (microphone
    level / played level) is the 90th percentile of the last 300 loud frames' ratios that were not a citizen;
    it is kept across sentences and sessions (the room does not change)."""

    def __init__(self, loudspeaker: Loudspeaker, settings: BargeIn = BargeIn(), frame_ms: int = 30):
        import webrtcvad  # a native extension, loaded only when barge-in is on (as dialogs/vad.py does)

        self.loudspeaker = loudspeaker
        self.settings = settings
        self.frame_s = frame_ms / 1000
        self._vad = webrtcvad.Vad(2)
        self._ratios: deque[float] = deque(maxlen=300)
        self.coupling: float | None = None  # None until learned
        need = max(1, math.ceil(settings.min_ms / frame_ms))
        self._need = need
        self._suspects: deque[bool] = deque(maxlen=2 * need)
        self.window_frames = 2 * need  # a barge-in is decided on this many frames
        self.onset_frames = 0  # at a barge-in: how many frames ago the first frame louder than the echo came

    def hear(self, frame: bytes, at: float, eligible: bool) -> bool:
        """One frame whose last sample was recorded at `at` (time.monotonic; see `FrameClock`); True when a citizen
        is speaking over the robot (and `eligible`: a sentence plays and the dialog would listen)."""
        settings = self.settings
        played = self.loudspeaker.played_level(at - self.frame_s - settings.look_back_s, at + settings.look_ahead_s)
        if played is None:
            self._suspects.clear()
            return False
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float64)
        level = float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0
        suspect = False
        if self.coupling is not None:
            suspect = level > max(settings.floor, settings.margin * self.coupling * played) and \
                self._vad.is_speech(frame, 16000)
        if played >= settings.loud and not suspect:
            self._ratios.append(level / played)
            if len(self._ratios) >= settings.learn_frames:
                self.coupling = float(np.percentile(np.fromiter(self._ratios, dtype=np.float64), 90))
        self._suspects.append(suspect and eligible)
        if eligible and sum(self._suspects) >= self._need:
            self.onset_frames = len(self._suspects) - list(self._suspects).index(True)
            self._suspects.clear()
            return True
        return False


class _TimedEndPointer(EndPointer):
    """An end-pointer that remembers when it last closed an utterance (time.monotonic), for the figures; the
    end of an utterance heard by barge-in closes the gate it opened."""

    closed_at = 0.0
    early = 0  # utterances closed early (their partial text a complete request)
    delivering = False  # an utterance has ended and its text is not yet with the dialog (being decoded)

    def _finish(self) -> bytes:
        self.delivering = True  # before in_speech drops: a reader sees one or the other
        return super()._finish()

    def feed(self, frame: bytes) -> bytes | None:
        pcm = super().feed(frame)
        if pcm is not None:
            self.closed_at = time.monotonic()
            self.early += self.closed_early is not None
            if isinstance(self.gate, ListenGate):
                self.gate.barged_at = None
        return pcm


class Ears:
    """The microphone loop on its own thread (see the module's docstring)."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        recognizer: AudioRecognizer,
        gate: ListenGate,
        on_utterance: Callable[[Recognition], None],
        on_state: Callable[[str, str], None],
        *,
        endpointing: EndPointing = EndPointing(),
        native: Callable[[], AbstractContextManager[object]] = nullcontext,
        retry_s: float = 2.0,
        complete: Callable[[str], bool] | None = None,
        barge: EchoGuard | None = None,
        on_barge_in: Callable[[], None] = lambda: None,
    ):
        self.open_source = open_source
        self.recognizer = recognizer
        self.gate = gate
        self.on_utterance = on_utterance
        self.on_state = on_state
        self.endpointing = endpointing
        self.native = native
        self.retry_s = retry_s
        self.complete = complete  # a streaming engine's partial text is a complete request: end early
        self.barge = barge
        self.on_barge_in = on_barge_in
        self.barge_ins = 0
        self._stopping = threading.Event()
        self._source: Any = None
        self._endpointer: _TimedEndPointer | None = None
        self._thread: threading.Thread | None = None
        self.frames_seen = 0
        self.state = "starting"

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="microphone", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        source = self._source
        if source is not None and hasattr(source, "close"):
            source.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @property
    def citizen_speaking(self) -> bool:
        """An utterance is under way, or has ended and its text has not reached the dialog yet (the recogniser
        is still decoding it): the dialog's listen timeout waits for it. Without the second half a citizen who
        spoke past the timeout was asked "are you still there?" while their words were being decoded."""
        endpointer = self._endpointer
        return endpointer is not None and (endpointer.in_speech or endpointer.delivering)

    @property
    def early_ends(self) -> int:
        """Utterances of this microphone stream closed after the short silence (complete partial text)."""
        endpointer = self._endpointer
        return endpointer.early if endpointer is not None else 0

    @property
    def utterance_closed_at(self) -> float:
        """When the end-pointer last closed an utterance (time.monotonic; 0 before the first)."""
        endpointer = self._endpointer
        return endpointer.closed_at if endpointer is not None else 0.0

    def _set(self, state: str, detail: str) -> None:
        if state != self.state:
            self.state = state
            self.on_state(state, detail)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._source = self.open_source()
                self._endpointer = endpointer = _TimedEndPointer(self.endpointing, self.gate)
                endpointer.complete = self.complete
                frames = self._watched(self._source.frames())
                if self.barge is not None:
                    frames = self._barging(frames, self.barge)
                try:
                    for result in recognise(frames, endpointer, self.recognizer, self.native):
                        self.on_utterance(result)
                        endpointer.delivering = False
                finally:
                    endpointer.delivering = False  # the engine failed on it: nothing is coming
            except AudioDeviceError as exc:
                if self._stopping.is_set():
                    return
                self._set("unavailable", str(exc))
                self._stopping.wait(self.retry_s)
            except Exception as exc:  # the engine failed on an utterance: say so, keep listening
                log.exception("listening failed")
                self._set("unavailable", f"listening failed: {type(exc).__name__}")
                self._stopping.wait(self.retry_s)
            else:
                if not self._stopping.is_set():  # the source ended by itself
                    self._set("unavailable", "the microphone stream ended")
                    self._stopping.wait(self.retry_s)

    def _watched(self, frames: Iterator[bytes]) -> Iterator[bytes]:
        """The frames, reporting the microphone ready at the first and a card that delivers only zeros."""
        zeros = 0.0
        reported_zeros = False
        for frame in frames:
            if self._stopping.is_set():
                return
            self.frames_seen += 1
            if self.state != "ok":
                self._set("ok", "")
            if frame.count(0) == len(frame):
                zeros += self.endpointing.frame_ms / 1000
                if zeros >= ZEROS_ALERT_S and not reported_zeros:
                    reported_zeros = True
                    self.on_state("zeros", f"the microphone has delivered only zeros for {ZEROS_ALERT_S:g} s "
                                           "(muted, or a broken sound card?)")
            else:
                if reported_zeros:
                    self.on_state("ok", "sound again")
                zeros, reported_zeros = 0.0, False
            yield frame

    def _barging(self, frames: Iterator[bytes], guard: EchoGuard) -> Iterator[bytes]:
        """The frames, with barge-in: a citizen heard over the robot's sentence stops it, opens the gate and the
        end-pointer gets again the audio from `replay_ms` before the first frame louder than the echo (the gate had
        dropped it), then what follows."""
        gate = self.gate
        before = max(1, guard.settings.replay_ms // self.endpointing.frame_ms)
        recent: deque[bytes] = deque(maxlen=before + guard.window_frames)
        clock = FrameClock(self.endpointing.frame_ms / 1000)
        for frame in frames:
            at = clock.tick(time.monotonic())
            barged = gate.barged_at
            if barged is not None:
                endpointer = self._endpointer
                if at - barged > guard.settings.wait_s and (endpointer is None or not endpointer.in_speech):
                    gate.barged_at = None  # no utterance came of it: the gate is itself again
                else:
                    yield frame
                    continue
            recent.append(frame)
            loudspeaker = gate.loudspeaker
            eligible = loudspeaker is not None and loudspeaker.saying_sentence() and gate.listening()
            if guard.hear(frame, at, eligible) and loudspeaker is not None and loudspeaker.interrupt():
                gate.barged_at = at
                self.barge_ins += 1
                try:
                    self.on_barge_in()
                except Exception:
                    log.exception("on_barge_in failed")
                replay = list(recent)[-(guard.onset_frames + before):]
                recent.clear()
                yield from replay
            else:
                yield frame


class Hearing:
    """What becomes of each recognised utterance: judged (dialogs/hearing.py), shown on the feed without its
    words unless acted on (and then without profanity), fed to the dialog only while it listens. The words
    are never logged, and `heard` events carry them only in `words` for the citizen's screen."""

    def __init__(self, known: frozenset[tuple[str, ...]], min_confidence: float, min_support: float,
                 emit: Callable[..., None], listening: Callable[[], bool], to_dialog: Callable[[str], None],
                 lock: AbstractContextManager[Any], engine: str = ""):
        self.known = known
        self.min_confidence = min_confidence
        self.min_support = min_support
        self.emit = emit
        self.listening = listening
        self.to_dialog = to_dialog
        self.lock = lock
        self.engine = engine
        self.verdicts: deque[Any] = deque(maxlen=100)  # dialogs.hearing.Verdict: no words in them

    def __call__(self, result: Recognition) -> None:
        verdict = judge(result, self.known, self.min_confidence, self.min_support)
        self.verdicts.append(verdict)
        with self.lock:
            if not self.listening():
                self.emit("info", f"{verdict.describe()}; dropped: the robot was not listening", listening=False)
                return
            self.emit("heard", verdict.describe(), words=masked(result.text) if verdict.accepted else "",
                      accepted=verdict.accepted, reason=verdict.reason, confidence=verdict.confidence,
                      support=round(verdict.support, 2), engine=self.engine)
            self.to_dialog(result.text if verdict.accepted else "")


def device_of(setting: str | None) -> str | int | None:
    """devices.audio.input/output: a device name, or its index as PortAudio lists it ("2" -> 2)."""
    if setting is None or not setting.strip():
        return None
    return int(setting) if setting.strip().isdigit() else setting.strip()
