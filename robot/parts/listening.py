"""Speech input: the configured recogniser (or typing and touch only, said clearly at start-up), and the
microphone at devices.audio.input -> VAD -> recognition -> the dialog (robot/voice.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager

from dialogs.asr import AudioRecognizer, ModelMissing, grammar_phrases, open_recognizer, recognise
from dialogs.hearing import known_phrases
from dialogs.manager import DialogManager
from dialogs.vad import EndPointer
from robot.cpu import native_work
from robot.parts.alerts import AlertKind
from robot.parts.context import PartContext
from robot.parts.state import PartBoard, PartState
from robot.parts.voice_out import VoiceOut
from robot.voice import Ears, Hearing, ListenGate, start_ears


class Listening:
    def __init__(self, ctx: PartContext, voice: VoiceOut, *, manager: Callable[[], DialogManager | None],
                 to_dialog: Callable[[str], None], lock: AbstractContextManager[object]):
        self.ctx = ctx
        self.voice = voice
        self.manager = manager
        speech = ctx.centre.dialog.speech
        self.recognizer: AudioRecognizer | None = None
        self.ears: Ears | None = None
        self.hearing = Hearing(known_phrases(ctx.catalogue), speech.min_confidence, speech.min_known_share,
                               ctx.feed.emit, self.listening, to_dialog, lock, speech.engine)

    def listening(self) -> bool:
        manager = self.manager()
        return manager is not None and manager.listening

    def start_recogniser(self) -> None:
        speech = self.ctx.centre.dialog.speech
        if speech.engine == "text":
            self.ctx.parts.report(AlertKind.LISTENING,
                                  PartState.ok("typed or touch input; dialog.speech.engine is text"))
            return
        try:
            model = str(self.ctx.centre.resolve_path(speech.model_path)) if speech.model_path else None
            self.recognizer = open_recognizer(speech.engine, model, grammar_phrases(self.ctx.catalogue))
        except ModelMissing as exc:
            self.ctx.parts.report(AlertKind.LISTENING, PartState.unavailable(str(exc)))
        else:
            where = "embedded Vietnamese model" if speech.engine == "viet-asr" else f"model {speech.model_path}"
            self.ctx.parts.report(AlertKind.LISTENING, PartState.ok(f"{speech.engine} {where}"))

    def start_microphone(self, audio_backend: object | None) -> None:
        self.ears = start_ears(_EarsHost(self, audio_backend), native_work)
        if self.ears is not None:
            self.ctx.closers.append(self.ears.stop)

    def listen(self, frames: Iterable[bytes]) -> int:
        """Recognise each utterance in a stream of audio frames (microphone or WAV file). Returns how many."""
        if self.recognizer is None:
            self.ctx.feed.emit("alert", f"no speech recogniser: {self.ctx.parts.get(AlertKind.LISTENING) or ''}",
                               kind=AlertKind.LISTENING.value)
            return 0
        count = 0
        gate = ListenGate(self.voice.talk_gate, self.voice.loudspeaker, self.listening)
        for result in recognise(frames, EndPointer(gate=gate), self.recognizer, native_work):
            self.hearing(result)
            count += 1
        return count


class _TextStates:
    """`parts[name] = "starting (...)"`, as robot.voice.start_ears writes its state."""

    def __init__(self, board: PartBoard):
        self.board = board

    def __setitem__(self, name: str, text: str) -> None:
        self.board.set(AlertKind(name), PartState.parse(text))


class _EarsHost:
    """What robot.voice.start_ears reads from the application it starts the microphone for."""

    def __init__(self, listening: Listening, audio_backend: object | None):
        self._listening = listening
        ctx = listening.ctx
        self.centre = ctx.centre
        self.feed = ctx.feed
        self.recognizer = listening.recognizer
        self.audio_backend = audio_backend
        self.talk_gate = listening.voice.talk_gate
        self.loudspeaker = listening.voice.loudspeaker
        self.hearing = listening.hearing
        self._parts = _TextStates(ctx.parts)

    @property
    def manager(self) -> DialogManager | None:
        return self._listening.manager()

    def _part(self, name: str, text: str) -> None:
        self._listening.ctx.parts.report(AlertKind(name), PartState.parse(text))
