"""Speech output: TTS (+ the centre's voice pack) to the loudspeaker, or WAV files in devices.audio.output_dir.

One worker (robot.voice.Loudspeaker) plays the conversation's sentences and the counters' calls (a call never
inside a turn), the microphone deaf meanwhile and for the echo tail; listen timeouts count from the last
sample (robot/voice.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dialogs.announcer import Announcement
from dialogs.tts import Audio, EspeakTts, TtsUnavailable, Voice, VoicePack
from dialogs.vad import TalkGate
from drivers.audio import AplaySink, AudioDeviceError, AudioSink, SoundDeviceSink, WavFolderSink
from robot.cpu import native_work
from robot.parts.alerts import AlertKind
from robot.parts.context import PartContext
from robot.parts.state import PartState
from robot.voice import Loudspeaker, device_of

log = logging.getLogger(__name__)


class VoiceOut:
    def __init__(self, ctx: PartContext, *, in_session: Callable[[], bool], on_quiet: Callable[[], None]):
        self.ctx = ctx
        speech = ctx.centre.dialog.speech
        self.voice: Voice | None = None
        self.sink: AudioSink | None = None
        self.talk_gate = TalkGate(hold_s=speech.echo_tail_s)
        self.loudspeaker = Loudspeaker(
            self._sentence_audio, self._call_audio, self._play, gate=self.talk_gate, in_session=in_session,
            on_quiet=on_quiet, repeat=speech.announce_repeat,
            on_error=lambda exc: ctx.feed.emit("alert", f"speech output failed: {exc}", kind=AlertKind.SPEAKER.value))

    def start(self, audio_backend: object | None) -> None:
        """audio_backend: a stand-in for the sounddevice module (the simulator's room); None: the real one."""
        centre = self.ctx.centre
        audio, speech = centre.devices.audio, centre.dialog.speech
        try:
            pack = VoicePack(centre.resolve_path(speech.voice_pack)) if speech.voice_pack else None
            self.voice = Voice(EspeakTts(speech.voice), pack)
            if audio.output_dir:
                self.sink = WavFolderSink(centre.resolve_path(audio.output_dir))
                where = f"WAV files in {audio.output_dir}"
            else:
                try:
                    self.sink = SoundDeviceSink(device_of(audio.output), backend=audio_backend)
                except AudioDeviceError:
                    self.sink = AplaySink(audio.output)
                where = f"loudspeaker {audio.output or '(default)'}"
        except (TtsUnavailable, AudioDeviceError, OSError, ValueError) as exc:
            self.voice = self.sink = None
            self.ctx.parts.report(AlertKind.VOICE, PartState.unavailable(f"{exc}; sentences are shown on screen only"))
        else:
            self.ctx.parts.report(AlertKind.VOICE, PartState.ok(where))
        # barge-in cuts a sentence through the sink's stop; a sink without one (aplay, WAV files) cannot be cut
        self.loudspeaker.stop_playing = getattr(self.sink, "stop", None)
        self.loudspeaker.start()
        self.ctx.closers.append(self.loudspeaker.stop)

    def say_later(self, text: str, key: str | None) -> None:
        """Queue a sentence (returns at once); nothing when there is no voice."""
        if self.voice is not None:
            self.loudspeaker.say(text, key)

    def wait_spoken(self, timeout_s: float = 30.0, tail: bool = False) -> bool:
        return bool(self.loudspeaker.wait_quiet(timeout_s, tail=tail))

    def _call_audio(self, call: Announcement) -> Audio:
        if self.voice is None:
            return Audio(b"", 16000)
        with native_work():
            return self.voice.segments(call.segments())

    def _play(self, audio: Audio) -> None:
        if self.sink is not None and audio.pcm:
            self.sink.play(audio.pcm, audio.sample_rate)

    def _sentence_audio(self, text: str, key: str | None) -> Audio | None:
        if self.voice is None:
            return None
        try:
            with native_work():
                return self.voice.sentence(text, key)
        except TtsUnavailable as exc:  # the text is still shown; the voice problem goes to the technicians
            log.warning("speech synthesis failed: %s", exc)
            return None
