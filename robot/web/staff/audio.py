"""The calling board's sound: a chime, then the call said twice in Vietnamese ("Xin mời công dân có số thứ tự A
không không một đến quầy số một"), rendered here with the robot's voice (voice pack clips where recorded,
espeak-ng for the rest: dialogs.tts) as one WAV the browser plays. Rendered once per call and kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from dialogs.announcer import Announcement
from dialogs.numbers import ticket_parts
from dialogs.tts import Audio, EspeakTts, Voice, VoicePack, concat, silence

RATE = 22050
KEPT = 64


def chime(rate: int = RATE) -> Audio:
    """Two soft bell tones (E5 then C5), 0.9 s."""
    parts = []
    for freq, seconds in ((659.25, 0.35), (523.25, 0.55)):
        t = np.arange(int(rate * seconds)) / rate
        tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t)
        envelope = np.exp(-3.5 * t / seconds) * np.minimum(1.0, t / 0.01)
        parts.append((0.35 * 32767 / 1.3 * tone * envelope).astype(np.int16))
    return Audio(np.concatenate(parts).tobytes(), rate)


class CallAudio:
    """WAV bytes of one call (ticket, counter); espeak-ng starts on first use."""

    def __init__(self, voice: str = "vi", pack: Path | None = None, repeat: int = 2):
        self.voice_name = voice
        self.pack = pack
        self.repeat = repeat
        self._voice: Voice | None = None
        self._cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def _get_voice(self) -> Voice:
        if self._voice is None:
            self._voice = Voice(EspeakTts(self.voice_name), VoicePack(self.pack), RATE)
        return self._voice

    def wav(self, ticket: str, counter: int) -> bytes:
        """ValueError for a ticket that is not a ticket number; TtsUnavailable without espeak-ng."""
        ticket = ticket.strip().upper()
        ticket_parts(ticket)
        key = (ticket, counter)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            once = self._get_voice().segments(Announcement(ticket, counter).segments()).resampled(RATE)
            parts = [chime(), silence(0.3, RATE), once]
            for _ in range(self.repeat - 1):
                parts += [silence(0.8, RATE), once]
            data = concat(parts, RATE).to_wav()
            self._cache[key] = data
            if len(self._cache) > KEPT:
                self._cache.popitem(last=False)
            return data
