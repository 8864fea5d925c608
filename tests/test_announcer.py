"""Queue-call announcements: the words, said twice, never overlapping, rendered with the real voice."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from dialogs.announcer import Announcement, Announcer
from dialogs.tts import Audio, EspeakTts, Voice, VoicePack, read_wav
from drivers.audio import WavFolderSink


def test_text_and_voice_pack_keys() -> None:
    call = Announcement("A012", 5)
    assert call.text == "Xin mời công dân có số thứ tự A không một hai đến quầy số năm."
    keys = [s.key for s in call.segments()]
    assert keys == ["announce.call", "letter.A", "digit.0", "digit.1", "digit.2", "announce.to_counter", "number.5"]


def test_said_twice_with_the_real_voice(tmp_path: Path) -> None:
    voice = Voice(EspeakTts("vi"), VoicePack(None))
    sink = WavFolderSink(tmp_path)
    announcer = Announcer(voice.segments, lambda a: sink.play(a.pcm, a.sample_rate), repeat=2, gap_s=0.5)
    assert announcer.announce("A012", 5)
    assert not announcer.announce("a012", 5)  # the same call is already waiting
    assert announcer.announce("B003", 2)
    assert announcer.pump() == 2
    once = voice.segments(Announcement("A012", 5).segments())
    said = read_wav(sink.written[0])
    assert said.seconds == pytest.approx(2 * once.seconds + 0.5, abs=0.05)  # twice, with a gap
    assert said.rms() > 500
    assert [a.ticket for a in announcer.played] == ["A012", "B003"]


def test_calls_from_many_threads_never_overlap() -> None:
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def render(segments: object) -> Audio:
        return Audio(b"\x01\x00" * 160, 16000)

    def play(audio: Audio) -> None:
        start = time.perf_counter()
        time.sleep(0.02)
        with lock:
            spans.append((start, time.perf_counter()))

    channel = threading.Lock()
    announcer = Announcer(render, play, channel=channel)
    announcer.start()
    threads = [threading.Thread(target=announcer.announce, args=(f"A{i:03d}", i % 4 + 1)) for i in range(12)]
    for t in threads:
        t.start()
    # The conversation's speaker shares the channel: its sentence is not cut off either.
    with channel:
        start = time.perf_counter()
        time.sleep(0.03)
        spans.append((start, time.perf_counter()))
    for t in threads:
        t.join()
    announcer.stop()
    assert len(spans) == 13
    ordered = sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(ordered))
    assert announcer.pending() == 0
