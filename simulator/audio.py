"""The simulated room's sound, in real time: a stand-in for the sounddevice module at the lowest layer.

`SimRoom` is given to the application as its sounddevice (`Application.audio_backend`): the real
`drivers.audio.SoundDeviceSink` plays through `play()`, which takes as long as the audio; the real
`drivers.audio.MicrophoneSource` opens `RawInputStream`, whose thread delivers 16 kHz blocks at real-time pace.
What the microphone hears is the citizen's WAV files (`say()`) mixed with what the loudspeaker plays at
`echo_level` (the robot hears itself through the room, as a real kiosk does). The microphone can be unplugged
(`unplug()`: an open stream stops delivering, opening fails) and plugged back, or deliver only zeros.

Every sample has a place on one timeline (sample n plays at epoch + n / 16000), so the echo is heard exactly
while the loudspeaker plays it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from drivers.audio import SAMPLE_RATE, AudioDeviceError, WavFileSource


def _to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE or not samples.size:
        return samples.astype(np.float64)
    count = round(samples.size * SAMPLE_RATE / rate)
    positions = np.linspace(0, samples.size - 1, count)
    return np.interp(positions, np.arange(samples.size), samples.astype(np.float64))


class _Track:
    """Sounds placed on the room's timeline (start sample index, 16 kHz float samples)."""

    def __init__(self) -> None:
        self.sounds: list[tuple[int, np.ndarray]] = []

    def add(self, start: int, samples: np.ndarray) -> int:
        self.sounds.append((start, samples))
        return start + samples.size

    def mix(self, start: int, count: int) -> np.ndarray:
        out = np.zeros(count)
        keep = []
        for begin, samples in self.sounds:
            end = begin + samples.size
            if end <= start:
                continue  # over: dropped
            keep.append((begin, samples))
            lo, hi = max(begin, start), min(end, start + count)
            if lo < hi:
                out[lo - start:hi - start] += samples[lo - begin:hi - begin]
        self.sounds = keep
        return out


class _InputStream:
    """sounddevice.RawInputStream of the room: a thread calls `callback(bytes, frames, time, status)` every block."""

    def __init__(self, room: SimRoom, blocksize: int, callback: Callable[..., None], rate: int = SAMPLE_RATE):
        self.room = room
        self.rate = rate
        self.native = blocksize  # samples per block at the card's rate
        blocksize = round(blocksize * SAMPLE_RATE / rate)  # the same time span on the room's 16 kHz timeline
        self.blocksize = blocksize
        self.callback = callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-microphone", daemon=True)

    def __enter__(self) -> _InputStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        index = self.room.now_index()
        while not self._stop.is_set():
            due = self.room.time_of(index + self.blocksize)
            if self._stop.wait(max(0.0, due - time.monotonic())):  # the sound card's own clock
                return
            block = self.room.heard(index, self.blocksize)
            index += self.blocksize
            if block is None:  # unplugged: nothing more comes from this stream
                return
            if self.rate != SAMPLE_RATE:
                samples = np.frombuffer(block, dtype="<i2").astype(np.float64)
                positions = np.linspace(0, samples.size - 1, self.native)
                block = np.rint(np.interp(positions, np.arange(samples.size), samples)).astype("<i2").tobytes()
            self.callback(block, self.native, None, None)


class SimRoom:
    """The room: one loudspeaker, one microphone, the citizen's voice. Thread-safe."""

    def __init__(self, echo_level: float = 0.3):
        self.echo_level = echo_level
        self.epoch = time.monotonic()
        self._lock = threading.Lock()
        self._speaker = _Track()
        self._citizen = _Track()
        self.plugged = True
        self.zeros = False  # a sound card that delivers only zeros
        self.native_rate = SAMPLE_RATE  # the only rate the simulated card records at (48000: a card without 16 kHz)
        self.played: list[tuple[float, float]] = []  # wall spans of the loudspeaker's plays (to where they stopped)
        self._halt = threading.Event()  # stop(): the blocking play returns
        self.loudest_heard = 0.0  # the loudest block (RMS) the microphone delivered

    # ------------------------------------------------------------------ the timeline

    def now_index(self) -> int:
        return int((time.monotonic() - self.epoch) * SAMPLE_RATE)

    def time_of(self, index: int) -> float:
        return self.epoch + index / SAMPLE_RATE

    def heard(self, start: int, count: int) -> bytes | None:
        """What the microphone picks up for samples [start, start + count); None when unplugged."""
        with self._lock:
            if not self.plugged:
                return None
            if self.zeros:
                return b"\x00\x00" * count
            mixed = self._citizen.mix(start, count) + self.echo_level * self._speaker.mix(start, count)
        samples = np.clip(np.rint(mixed), -32768, 32767).astype("<i2")
        if samples.size:
            self.loudest_heard = max(self.loudest_heard, float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))))
        return samples.tobytes()

    # ------------------------------------------------------------------ what the citizen does

    def say(self, path: Path, trailing_silence_ms: int = 0) -> float:
        """The citizen says a WAV file now (after what they are still saying). Returns when it ends (monotonic).
        Raises AudioDeviceError for a file that is not a 16-bit WAV."""
        pcm = WavFileSource(path, trailing_silence_ms=trailing_silence_ms).pcm  # any rate, resampled to 16 kHz
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
        with self._lock:
            busy_until = max((b + s.size for b, s in self._citizen.sounds), default=0)
            end = self._citizen.add(max(self.now_index() + 1, busy_until), samples)
        return self.time_of(end)

    def unplug(self) -> None:
        with self._lock:
            self.plugged = False

    def plug(self) -> None:
        with self._lock:
            self.plugged = True

    # ------------------------------------------------------------------ the sounddevice interface

    def RawInputStream(self, *, samplerate: int, blocksize: int, device: Any = None, channels: int = 1,
                       dtype: str = "int16", callback: Callable[..., None]) -> _InputStream:
        if not self.plugged:
            raise AudioDeviceError(f"no input device {device!r} (unplugged)")
        if samplerate != self.native_rate or channels != 1 or dtype != "int16":
            raise AudioDeviceError(f"Invalid sample rate: the simulated microphone records {self.native_rate} Hz "
                                   f"mono int16, not {samplerate} Hz {channels} channels {dtype}")
        return _InputStream(self, blocksize, callback, samplerate)

    def query_devices(self, device: Any = None, kind: str | None = None) -> dict[str, Any]:
        return {"name": str(device or "sim-microphone"), "default_samplerate": float(self.native_rate),
                "max_input_channels": 1, "max_output_channels": 1}

    def play(self, data: np.ndarray, samplerate: int, device: Any = None, blocking: bool = True) -> None:
        """The loudspeaker: the samples go into the room now and the call returns when the last one has played."""
        samples = _to_16k(np.asarray(data), samplerate)
        with self._lock:
            start = self.now_index() + 1
            end = self._speaker.add(start, samples)
            halt = self._halt = threading.Event()
        began = self.time_of(start)
        finished = self.time_of(end)
        if blocking:
            while (left := finished - time.monotonic()) > 0:
                if halt.wait(left):  # the loudspeaker takes as long as the audio it plays, unless stopped
                    finished = min(finished, time.monotonic())
                    break
        self.played.append((began, finished))

    def stop(self) -> None:
        """sounddevice.stop(): the loudspeaker falls silent now (what was to come is not heard) and play returns."""
        with self._lock:
            now = self.now_index()
            self._speaker.sounds = [(begin, samples[: now - begin]) for begin, samples in self._speaker.sounds
                                    if begin < now]
            self._halt.set()
