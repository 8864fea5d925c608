"""Speech input: the configured recogniser (or typing and touch only, said clearly at start-up), and the
microphone at devices.audio.input -> VAD -> recognition -> the dialog (robot/voice.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager

from dialogs.asr import AudioRecognizer, ModelMissing, VietAsrRecognizer, grammar_phrases, open_recognizer, recognise
from dialogs.hearing import complete_request, known_phrases
from dialogs.manager import DialogManager
from dialogs.vad import EndPointer
from drivers.audio import MicrophoneSource
from robot.cpu import native_work
from robot.parts.alerts import AlertKind
from robot.parts.context import PartContext
from robot.parts.state import PartState
from robot.parts.voice_out import VoiceOut
from robot.voice import Ears, EchoGuard, Hearing, ListenGate, device_of


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
        """The microphone loop, on a real robot (devices.profile real) or wherever a stand-in for sounddevice is
        given (the simulator's room); nothing without a recogniser (start_recogniser said why: the robot serves
        by screen and typing)."""
        centre = self.ctx.centre
        if self.recognizer is None:
            return
        if centre.devices.profile != "real" and audio_backend is None:
            self.ctx.parts.report(AlertKind.MICROPHONE, PartState.ok(
                "none: simulated devices; WAV files through the recogniser with /wav"))
            return
        device = device_of(centre.devices.audio.input)
        where = f"microphone {device if device is not None else '(default)'}"

        def on_state(state: str, detail: str) -> None:
            if state == "ok":
                self.ctx.parts.report(AlertKind.MICROPHONE, PartState.ok(where))
                self.ctx.feed.emit("info", f"{where} ready")
            else:
                self.ctx.parts.report(AlertKind.MICROPHONE, PartState.unavailable(
                    f"{detail}; serving by screen and typing, retrying"))

        def open_source() -> MicrophoneSource:
            return MicrophoneSource(device, backend=audio_backend)

        gate = ListenGate(self.voice.talk_gate, self.voice.loudspeaker, self.listening)
        barge, on_barge_in = self._barge_in()
        self.ears = Ears(open_source, self.recognizer, gate, self.hearing, on_state, native=native_work,
                         complete=self._complete_check(), barge=barge, on_barge_in=on_barge_in)
        self.ctx.parts.report(AlertKind.MICROPHONE, PartState.starting(where))
        self.ears.start()
        self.ctx.closers.append(self.ears.stop)

    def _complete_check(self) -> Callable[[str], bool] | None:
        """For a streaming engine: is a partial text already a complete request (dialogs.hearing.complete_request)?
        Vosk decodes each utterance at its end: no partial text to judge."""
        if not isinstance(self.recognizer, VietAsrRecognizer):
            return None
        min_support = self.ctx.centre.dialog.speech.min_known_share

        def complete(text: str) -> bool:
            manager = self.manager()
            return manager is not None and complete_request(text, self.hearing.known, manager.understander.understand,
                                                            min_support)

        return complete

    def _barge_in(self) -> tuple[EchoGuard | None, Callable[[], None]]:
        """The echo guard when dialog.speech.barge_in is on and the loudspeaker can stop mid-sentence."""
        def barged() -> None:
            self.ctx.feed.emit("info", "barge-in: the citizen spoke over the robot; its sentence stopped",
                               barge_in=True)

        if not self.ctx.centre.dialog.speech.barge_in:
            return None, barged
        if self.voice.loudspeaker.stop_playing is None:
            self.ctx.feed.emit("info", "barge-in is on but this loudspeaker cannot be stopped mid-sentence: off")
            return None, barged
        return EchoGuard(self.voice.loudspeaker), barged

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
