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

`Ears`: the microphone's frames -> voice activity and end-pointing (gated: nothing while the robot speaks or
the dialog does not listen) -> recognition -> `on_utterance`, on a thread of its own. A microphone that cannot
be opened or stops delivering is reported (`on_state`) and opened again every `retry_s`; a sound card that
delivers only zeros is reported once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from dialogs.announcer import Announcement
from dialogs.asr import AudioRecognizer, Recognition, recognise
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
            audio = self.render_sentence(text, key)
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
        with self.gate.speaking():
            started = time.monotonic()
            self._play(audio)
            ended = time.monotonic()
        self.log.append(Played(kind, text, started, ended, times))


class ListenGate:
    """Open only when the loudspeaker's gate is open (nothing playing, tail over), nothing waits to be played
    and the dialog listens."""

    def __init__(self, talk: TalkGate, loudspeaker: Loudspeaker | None, listening: Callable[[], bool]):
        self.talk = talk
        self.loudspeaker = loudspeaker
        self.listening = listening

    def is_open(self) -> bool:
        if not self.talk.is_open():
            return False
        if self.loudspeaker is not None and self.loudspeaker.busy():
            return False
        return self.listening()


ZEROS_ALERT_S = 5.0  # a sound card delivering exact zeros this long is reported


class _TimedEndPointer(EndPointer):
    """An end-pointer that remembers when it last closed an utterance (time.monotonic), for the figures."""

    closed_at = 0.0

    def feed(self, frame: bytes) -> bytes | None:
        pcm = super().feed(frame)
        if pcm is not None:
            self.closed_at = time.monotonic()
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
    ):
        self.open_source = open_source
        self.recognizer = recognizer
        self.gate = gate
        self.on_utterance = on_utterance
        self.on_state = on_state
        self.endpointing = endpointing
        self.native = native
        self.retry_s = retry_s
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
        """An utterance is under way (its end not reached yet): the dialog's listen timeout waits for it."""
        endpointer = self._endpointer
        return endpointer is not None and endpointer.in_speech

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
                self._endpointer = _TimedEndPointer(self.endpointing, self.gate)
                for result in recognise(self._watched(self._source.frames()), self._endpointer, self.recognizer,
                                        self.native):
                    self.on_utterance(result)
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
        from dialogs.hearing import judge, masked

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


def start_ears(app: Any, native: Callable[[], AbstractContextManager[object]]) -> Ears | None:
    """The microphone loop of an application whose recogniser started: on a real robot (devices.profile real)
    or wherever a stand-in for sounddevice is given (the simulator's room). None when not started."""
    from drivers.audio import MicrophoneSource

    centre = app.centre
    if app.recognizer is None:
        return None  # the listening part says why; the robot serves by screen and typing
    if centre.devices.profile != "real" and app.audio_backend is None:
        app._part("microphone", "ok (none: simulated devices; WAV files through the recogniser with /wav)")
        return None
    device = device_of(centre.devices.audio.input)
    where = f"microphone {device if device is not None else '(default)'}"

    def on_state(state: str, detail: str) -> None:
        if state == "ok":
            app._part("microphone", f"ok ({where})")
            app.feed.emit("info", f"{where} ready")
        else:
            app._part("microphone", f"unavailable: {detail}; serving by screen and typing, retrying")

    def open_source() -> MicrophoneSource:
        return MicrophoneSource(device, backend=app.audio_backend)

    gate = ListenGate(app.talk_gate, app.loudspeaker, lambda: app.manager is not None and app.manager.listening)
    ears = Ears(open_source, app.recognizer, gate, app.hearing, on_state, native=native)
    app._parts["microphone"] = f"starting ({where})"
    ears.start()
    return ears
