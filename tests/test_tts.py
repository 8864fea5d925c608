"""Synthesis with espeak-ng's Vietnamese voice through pyttsx3, and voice-pack overrides."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from dialogs.prompts import render
from dialogs.tts import Audio, EspeakTts, Segment, Voice, VoicePack, read_wav, silence
from drivers.audio import WavFolderSink


@pytest.fixture(scope="module")
def tts() -> EspeakTts:
    return EspeakTts("vi")


def test_vietnamese_voice_writes_a_non_silent_wav(tts: EspeakTts, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert tts.voice_id.endswith("/vi")
    audio = tts.synthesize("Dạ, em chào ông bà. Ông bà cần làm thủ tục gì ạ?")
    assert capsys.readouterr().out == ""  # pyttsx3's "Audio saved to ..." stays out of stdout
    assert audio.sample_rate == 22050
    assert 1.5 < audio.seconds < 8
    assert audio.rms() > 500  # speech, not silence (full scale 32767)
    sink = WavFolderSink(tmp_path / "out")
    sink.play(audio.pcm, audio.sample_rate)
    with wave.open(str(sink.written[0]), "rb") as out:
        assert (out.getnchannels(), out.getsampwidth(), out.getframerate()) == (1, 2, 22050)
    assert read_wav(sink.written[0]).rms() == pytest.approx(audio.rms())


def test_unknown_voice_is_a_clear_error() -> None:
    from dialogs.tts import TtsUnavailable

    with pytest.raises(TtsUnavailable, match="no voice 'xx'"):
        EspeakTts("xx")


def _tone_wav(path: Path, rate: int, seconds: float) -> Audio:
    import numpy as np

    t = np.arange(round(rate * seconds)) / rate
    audio = Audio((8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes(), rate)
    path.write_bytes(audio.to_wav())
    return audio


def test_voice_pack_clip_replaces_synthesis(tts: EspeakTts, tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    greet = render("greet", "ông/bà")
    assert greet.key == "greet.ong_ba"
    _tone_wav(pack_dir / f"{greet.key}.wav", 16000, 1.0)
    (pack_dir / "digit.5.wav").write_bytes(b"broken")
    voice = Voice(tts, VoicePack(pack_dir))
    clip = voice.sentence(greet.text, greet.key)
    assert clip.sample_rate == 22050 and clip.seconds == pytest.approx(1.0, abs=0.01)  # the recording, resampled
    synthetic = voice.sentence(greet.text, None)
    assert synthetic.seconds > 2  # no key: the synthetic voice says the whole sentence
    # A broken clip is reported and synthesis takes over.
    digit = voice.segments([Segment("năm", "digit.5")])
    assert digit.rms() > 500
    assert any("digit.5" in p for p in voice.pack.problems)


def test_segments_mix_clips_and_synthesis(tts: EspeakTts, tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    _tone_wav(pack_dir / "announce.call.wav", 44100, 0.5)
    voice = Voice(tts, VoicePack(pack_dir))
    mixed = voice.segments([Segment("Xin mời công dân có số thứ tự", "announce.call"), Segment("A không một hai")])
    alone = tts.synthesize("A không một hai")
    assert mixed.seconds == pytest.approx(0.5 + alone.seconds, abs=0.02)
    assert silence(0.5, 16000).rms() == 0
    assert VoicePack(tmp_path / "nope").problems


def test_voice_never_reads_slashes_or_masked_names(tts: EspeakTts) -> None:
    voice = Voice(tts)
    shown = "Hồ sơ của người nộp Lê V** T đang xử lý. Ông/bà chưa cần làm gì."
    said = voice.sentence(shown).seconds
    clean = voice.sentence("Hồ sơ của người nộp hồ sơ đang xử lý. Ông bà chưa cần làm gì.").seconds
    assert said == pytest.approx(clean, abs=0.05)  # espeak-ng is not sample-exact from run to run
    assert tts.synthesize(shown).seconds > said + 0.3  # espeak-ng alone spells out "V sao sao T", "gạch chéo"
