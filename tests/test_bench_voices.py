"""`letan bench --voices DIR` (issue 16): the speech suite's reply latency on recordings of real voices, where the
end of speech must be found under room noise. Real espeak-ng audio, real WAV files, the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from drivers.audio import SAMPLE_RATE, WavFileSource
from letan.bench.speech_live import _voiced_end_s


def _espeak(path: Path, text: str) -> Path:
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(path), text], check=True)
    return path


def _write(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes())
    return path


def test_the_end_of_synthetic_speech_is_its_last_loud_sample(tmp_path: Path) -> None:
    wav = _espeak(tmp_path / "a.wav", "tôi muốn lấy số")
    samples = np.frombuffer(WavFileSource(wav).pcm, dtype="<i2").astype(np.int32)
    last_loud = int(np.flatnonzero(np.abs(samples) > 500)[-1])
    assert _voiced_end_s(wav) == pytest.approx((last_loud + 1) / SAMPLE_RATE)


def test_the_end_of_a_noisy_recording_is_found_never_late(tmp_path: Path) -> None:
    """A recording: room noise before and after the speech (white noise ~35 dB under it), 0.8 s of it at the end."""
    speech = np.frombuffer(WavFileSource(_espeak(tmp_path / "a.wav", "tôi muốn lấy số thứ tự")).pcm,
                           dtype="<i2").astype(np.float64)
    voiced = np.flatnonzero(np.abs(speech) > 500)
    speech = speech[voiced[0]:voiced[-1] + 1]  # the voice only
    rng = np.random.default_rng(7)
    lead, tail = int(0.4 * SAMPLE_RATE), int(0.8 * SAMPLE_RATE)
    recording = np.concatenate([np.zeros(lead), speech, np.zeros(tail)])
    recording += rng.normal(0.0, 0.018 * float(np.sqrt(np.mean(speech ** 2))), recording.size)
    true_end = (lead + speech.size) / SAMPLE_RATE
    found = _voiced_end_s(_write(tmp_path / "noisy.wav", recording))
    assert true_end - 0.08 <= found <= true_end  # the latency measured from it is never flattered


def test_a_recording_of_silence_has_no_speech(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    assert _voiced_end_s(_write(tmp_path / "room.wav", rng.normal(0.0, 40.0, SAMPLE_RATE))) <= 1.0
    assert _voiced_end_s(_write(tmp_path / "zeros.wav", np.zeros(SAMPLE_RATE))) == 0.0


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_voices_must_be_a_folder_of_wav_files(tmp_path: Path, make: str) -> None:
    folder = tmp_path / "voices"
    if make == "empty":
        folder.mkdir()
        (folder / "notes.txt").write_text("no recordings yet", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "letan", "bench", "--only", "speech", "--voices", str(folder)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--voices" in result.stdout and "not a folder with .wav files" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_the_speech_suite_measures_the_recorded_voices(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    _espeak(folder / "lay-so.wav", "tôi muốn lấy số")
    (folder / "broken.wav").write_bytes(b"RIFF not a wav")
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "letan", "bench", "--only", "speech", "--quick", "--voices",
                             str(folder), "--json", str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    figures = {f["name"]: f for f in report["figures"]}
    recorded = figures["end of citizen speech -> first reply sample played, recorded voices (--voices)"]
    assert 0 < recorded["value"] < 5000 and recorded["target"] == "<= 300 ms"
    assert "to 1 recordings" in recorded["note"]
    assert any("broken.wav skipped" in problem for problem in report["problems"])
