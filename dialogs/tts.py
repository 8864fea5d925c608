"""Speech synthesis to WAV: espeak-ng's Vietnamese voice through pyttsx3, overridden by a voice pack.

A voice pack is a folder of recorded WAV files named by key: prompt keys with the address
(`greet.ong_ba.wav`), `digit.0.wav` ... `digit.9.wav`, `letter.A.wav`, `number.5.wav` (counter
numbers) and the announcement parts (`announce.call.wav`, `announce.to_counter.wav`). A recorded
clip is used whenever one exists for a key; free text is synthesised. The result is `Audio`
(16-bit mono PCM) that the audio driver plays or writes.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dialogs.numbers import speakable


class TtsUnavailable(Exception):
    """The synthetic voice cannot be used (message for technicians)."""


@dataclass(frozen=True)
class Audio:
    pcm: bytes  # 16-bit little-endian mono
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate

    def samples(self) -> np.ndarray:
        return np.frombuffer(self.pcm, dtype="<i2")

    def rms(self) -> float:
        samples = self.samples().astype(np.float64)
        return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0

    def resampled(self, rate: int) -> Audio:
        if rate == self.sample_rate or not self.pcm:
            return Audio(self.pcm, rate)
        src = self.samples().astype(np.float64)
        count = round(src.size * rate / self.sample_rate)
        positions = np.linspace(0, src.size - 1, count)
        out = np.interp(positions, np.arange(src.size), src)
        return Audio(np.clip(np.rint(out), -32768, 32767).astype("<i2").tobytes(), rate)

    def to_wav(self) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(self.pcm)
        return buffer.getvalue()


def silence(seconds: float, rate: int) -> Audio:
    return Audio(b"\x00\x00" * round(seconds * rate), rate)


def concat(parts: Sequence[Audio], rate: int) -> Audio:
    return Audio(b"".join(p.resampled(rate).pcm for p in parts), rate)


def read_wav(path: Path) -> Audio:
    """Read a 16-bit PCM WAV (mono, or the first channel of stereo). Raises ValueError otherwise."""
    try:
        with wave.open(str(path), "rb") as src:
            width, channels, rate = src.getsampwidth(), src.getnchannels(), src.getframerate()
            data = src.readframes(src.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path}: not a readable WAV file ({exc})") from None
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit samples, found {8 * width}-bit")
    if channels > 1:
        data = np.frombuffer(data, dtype="<i2")[::channels].tobytes()
    return Audio(data, rate)


def _silence_pyttsx3_espeak_prints() -> None:
    """pyttsx3's espeak driver print()s "Audio saved to ..." after every WAV it writes.

    Swapping sys.stdout around each call would hide other threads' output too, so shadow `print`
    in that one module's namespace instead; nothing else in the process is affected.
    """
    import pyttsx3.drivers.espeak as espeak_driver

    espeak_driver.print = lambda *args, **kwargs: None


class EspeakTts:
    """pyttsx3 driving espeak-ng with a Vietnamese voice, writing WAV (no sound card needed)."""

    def __init__(self, voice: str = "vi", rate_wpm: int | None = None):
        try:
            import pyttsx3

            self._engine = pyttsx3.init("espeak")
            _silence_pyttsx3_espeak_prints()
        except Exception as exc:
            raise TtsUnavailable(f"pyttsx3/espeak-ng could not start ({exc}); install Debian espeak-ng") from None
        wanted = [v for v in self._engine.getProperty("voices") if v.id == voice or v.id.endswith("/" + voice)]
        if not wanted:
            raise TtsUnavailable(f"espeak-ng has no voice {voice!r}; expected vi, vi-vn-x-central or vi-vn-x-south")
        self.voice_id = wanted[0].id
        self._engine.setProperty("voice", self.voice_id)
        if rate_wpm is not None:
            self._engine.setProperty("rate", rate_wpm)
        self._lock = threading.Lock()
        # The very first synthesis of a process sometimes ends without writing any audio (seen with
        # long sentences); one short sentence at start-up takes that hit, not a citizen's answer.
        for _ in range(2):
            try:
                self.synthesize("a")
                break
            except TtsUnavailable:
                continue

    def synthesize(self, text: str) -> Audio:
        with self._lock, tempfile.TemporaryDirectory(prefix="letan-tts-") as folder:
            path = os.path.join(folder, "say.wav")
            self._engine.save_to_file(text, path)
            self._engine.runAndWait()
            if not os.path.exists(path):
                raise TtsUnavailable("espeak-ng wrote no audio")
            return read_wav(Path(path))


class VoicePack:
    """Recorded clips by key. Unreadable files are reported, not fatal."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.clips: dict[str, Path] = {}
        self.problems: list[str] = []
        if folder is None:
            return
        if not folder.is_dir():
            self.problems.append(f"voice pack folder {folder} does not exist; using the synthetic voice")
            return
        for path in sorted(folder.glob("*.wav")):
            self.clips[path.stem] = path

    def __contains__(self, key: object) -> bool:
        return key in self.clips

    def load(self, key: str) -> Audio | None:
        path = self.clips.get(key)
        if path is None:
            return None
        try:
            return read_wav(path)
        except ValueError as exc:
            self.problems.append(str(exc))
            del self.clips[key]
            return None


@dataclass(frozen=True)
class Segment:
    """A piece of a sentence: its text and the voice-pack key that may replace it."""

    text: str
    key: str | None = None


class Voice:
    """What the robot says, as audio: voice-pack clips where recorded, synthesis for the rest."""

    def __init__(self, tts: EspeakTts, pack: VoicePack | None = None, rate: int = 22050):
        self.tts = tts
        self.pack = pack or VoicePack(None)
        self.rate = rate

    def sentence(self, text: str, key: str | None = None) -> Audio:
        return self.segments([Segment(text, key)])

    def segments(self, segments: Sequence[Segment]) -> Audio:
        """Render in order; neighbouring segments without a clip are synthesised together."""
        parts: list[Audio] = []
        pending: list[str] = []
        for seg in segments:
            clip = self.pack.load(seg.key) if seg.key else None
            if clip is None:
                pending.append(seg.text)
                continue
            if pending:
                parts.append(self.tts.synthesize(speakable(" ".join(pending))))
                pending = []
            parts.append(clip)
        if pending:
            parts.append(self.tts.synthesize(speakable(" ".join(pending))))
        return concat(parts, self.rate)
