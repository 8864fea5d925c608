"""Audio in and out: microphone and speaker through sounddevice (or aplay), and WAV-file stand-ins.

Sources yield fixed-size frames of 16 kHz, 16-bit, mono PCM (the format of the voice activity
detector and the recogniser). Sinks take 16-bit mono PCM with its sample rate and return when
the sound has been played (or written). On a machine without a sound card the WAV-file source
and the folder sink are the lowest layer: the rest of the program cannot tell the difference.
"""

from __future__ import annotations

import contextlib
import queue
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SAMPLE_RATE = 16000


class AudioDeviceError(Exception):
    """An audio device cannot be used (message for technicians)."""


class FrameSource(Protocol):
    frame_ms: int

    def frames(self) -> Iterator[bytes]:
        """Frames of frame_ms of 16 kHz 16-bit mono PCM, until the source ends or is closed."""


class AudioSink(Protocol):
    def play(self, pcm: bytes, sample_rate: int) -> None:
        """Play 16-bit mono PCM and return when done."""


def _to_mono_16k(data: bytes, rate: int, channels: int) -> bytes:
    samples = np.frombuffer(data, dtype="<i2")
    if channels > 1:
        samples = samples[::channels]
    if rate != SAMPLE_RATE and samples.size:
        count = round(samples.size * SAMPLE_RATE / rate)
        positions = np.linspace(0, samples.size - 1, count)
        samples = np.rint(np.interp(positions, np.arange(samples.size), samples.astype(np.float64))).astype("<i2")
    return samples.astype("<i2").tobytes()


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing
        raise AudioDeviceError(f"sounddevice cannot start ({exc}); install Debian libportaudio2") from None
    return sounddevice


class WavFileSource:
    """Frames read from a WAV file (any rate, mono or stereo, 16-bit), as a microphone would give them."""

    def __init__(self, path: Path, frame_ms: int = 30, trailing_silence_ms: int = 0):
        self.path = path
        self.frame_ms = frame_ms
        self.trailing_silence_ms = trailing_silence_ms
        try:
            with wave.open(str(path), "rb") as src:
                if src.getsampwidth() != 2:
                    raise AudioDeviceError(f"{path}: expected 16-bit PCM, found {8 * src.getsampwidth()}-bit")
                self.pcm = _to_mono_16k(src.readframes(src.getnframes()), src.getframerate(), src.getnchannels())
        except (wave.Error, EOFError, FileNotFoundError) as exc:
            raise AudioDeviceError(f"{path}: cannot read as WAV ({exc})") from None

    def frames(self) -> Iterator[bytes]:
        size = SAMPLE_RATE * self.frame_ms // 1000 * 2
        pcm = self.pcm + b"\x00" * (SAMPLE_RATE * self.trailing_silence_ms // 1000 * 2)
        for start in range(0, len(pcm) - size + 1, size):
            yield pcm[start:start + size]


class MicrophoneSource:
    """The robot's microphone through sounddevice (PortAudio).

    `backend` stands in for the sounddevice module (the simulator's room: a stream that delivers WAV samples
    in real time); None is the real one. A stream that delivers nothing for `stall_s` (the microphone was
    unplugged) ends `frames()` with AudioDeviceError, so the caller can say so and open it again. A sample
    rate the device refuses is one clear error (the frames are always 16 kHz 16-bit mono)."""

    def __init__(self, device: str | int | None = None, frame_ms: int = 30, backend: object = None,
                 stall_s: float = 2.0):
        self._sd: Any = backend if backend is not None else _sounddevice()
        self.device = device
        self.frame_ms = frame_ms
        self.stall_s = stall_s
        self._closed = threading.Event()

    def frames(self) -> Iterator[bytes]:
        blocks: queue.Queue[bytes] = queue.Queue(maxsize=200)

        def callback(indata: object, frames: int, time_info: object, status: object) -> None:
            # When the consumer is too slow, drop audio rather than block the audio thread.
            with contextlib.suppress(queue.Full):
                blocks.put_nowait(bytes(indata))  # type: ignore[call-overload]

        rate = SAMPLE_RATE
        try:
            stream = self._open(rate, callback)
        except Exception as exc:  # a card that cannot record 16 kHz: its own rate, resampled here
            try:
                rate = int(self._sd.query_devices(self.device, "input")["default_samplerate"])
                if rate == SAMPLE_RATE:
                    raise
                stream = self._open(rate, callback)
            except Exception:
                name = "(default)" if self.device is None else repr(self.device)
                raise AudioDeviceError(f"cannot open microphone {name} at 16 kHz mono: {exc}") from None
        size = SAMPLE_RATE * self.frame_ms // 1000 * 2
        with stream:
            silent_since = time.monotonic()
            while not self._closed.is_set():
                try:
                    block = blocks.get(timeout=0.1)
                except queue.Empty:
                    if time.monotonic() - silent_since >= self.stall_s:
                        raise AudioDeviceError(f"microphone {self.device!r} stopped delivering audio "
                                               f"(unplugged?)") from None
                    continue
                silent_since = time.monotonic()
                if rate != SAMPLE_RATE:
                    block = _to_mono_16k(block, rate, 1)
                if len(block) == size:
                    yield block

    def _open(self, rate: int, callback: Any) -> Any:
        return self._sd.RawInputStream(samplerate=rate, blocksize=rate * self.frame_ms // 1000, device=self.device,
                                       channels=1, dtype="int16", callback=callback)

    def close(self) -> None:
        self._closed.set()


class WavFolderSink:
    """Writes each utterance to <folder>/utterance-NNNN.wav (the speaker where there is none)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(folder.glob("utterance-*.wav")))
        self.written: list[Path] = []

    def play(self, pcm: bytes, sample_rate: int) -> None:
        self.count += 1
        path = self.folder / f"utterance-{self.count:04d}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            out.writeframes(pcm)
        self.written.append(path)


class SoundDeviceSink:
    """The loudspeaker through sounddevice (`backend`: a stand-in for the module, as for MicrophoneSource)."""

    def __init__(self, device: str | int | None = None, backend: object = None):
        self._sd: Any = backend if backend is not None else _sounddevice()
        self.device = device

    def play(self, pcm: bytes, sample_rate: int) -> None:
        try:
            self._sd.play(np.frombuffer(pcm, dtype="<i2"), sample_rate, device=self.device, blocking=True)
        except Exception as exc:
            raise AudioDeviceError(f"cannot play on {self.device!r}: {exc}") from None

    def stop(self) -> None:
        """Stop what is playing now (from another thread): `play()` returns (a citizen spoke over the robot)."""
        try:
            self._sd.stop()
        except Exception as exc:
            raise AudioDeviceError(f"cannot stop {self.device!r}: {exc}") from None


class AplaySink:
    """The loudspeaker through ALSA's aplay; fails loudly when aplay is missing or fails."""

    def __init__(self, device: str | None = None):
        if shutil.which("aplay") is None:
            raise AudioDeviceError("aplay not found: install Debian alsa-utils")
        self.device = device

    def play(self, pcm: bytes, sample_rate: int) -> None:
        cmd = ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(sample_rate)]
        if self.device:
            cmd += ["-D", self.device]
        result = subprocess.run(cmd, input=pcm, capture_output=True, check=False)
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip().splitlines()
            raise AudioDeviceError(f"aplay failed ({message[-1] if message else result.returncode})")
