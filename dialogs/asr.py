"""Speech recognition: one engine interface, a Vosk engine and a typed-text engine.

Vosk runs in grammar mode by default: the recogniser may only return words of a grammar built
from the procedure catalogue's vocabulary plus the dialog's own words and "[unk]". When the
grammar gives nothing usable, the same audio is decoded again in free mode (slower). Audio is
16 kHz, 16-bit, mono PCM, as delivered by drivers/audio.py and cut by dialogs/vad.py.

viet-asr (PyPI `viet-asr`, import name `vietasr`) is the second audio engine: a Vietnamese ONNX
model embedded in the package, offline, free text only (no grammar mode), batch or streaming.

A missing or broken model raises `ModelMissing` at start-up with a message for technicians
(English) and one for citizens (Vietnamese); the robot then keeps working by touch and typing.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dialogs.catalogue import Catalogue
from dialogs.vad import EndPointer

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
UNK = "[unk]"

# Words of the conversation itself, beyond the catalogue's procedure names and keywords.
DIALOG_PHRASES = (
    "có", "không", "vâng", "dạ", "đúng rồi", "không phải", "cảm ơn", "xin chào", "chào em", "tạm biệt",
    "lấy số", "lấy số thứ tự", "xếp hàng", "tra cứu hồ sơ", "hồ sơ của tôi", "nhà vệ sinh", "phô tô",
    "gửi xe", "lối ra", "chỗ ngồi chờ", "nước uống", "cho tôi cốc nước", "gặp cán bộ", "nói lại",
    "giấy tờ gì", "cần mang gì", "lệ phí bao nhiêu", "mất bao lâu", "bao lâu", "quầy nào", "ở đâu",
    "làm", "muốn", "tôi", "bác", "cháu", "con", "em", "ông", "bà", "anh", "chị", "mới", "sinh", "đẻ", "mất",
)

CITIZEN_FALLBACK = "Em tạm thời chưa nghe được. Ông bà vui lòng bấm chọn hoặc gõ trên màn hình ạ."


class ModelMissing(Exception):
    """The recognition model cannot be used. `str()` is for technicians; `citizen_text` for the screen."""

    citizen_text = CITIZEN_FALLBACK


@dataclass(frozen=True)
class Recognition:
    text: str  # "" when nothing usable was recognised
    mode: str  # grammar | free | text
    confidence: float | None = None


class Recognizer(Protocol):
    def recognize(self, pcm: bytes) -> Recognition:
        """Decode one utterance of 16 kHz 16-bit mono PCM."""


def grammar_phrases(catalogue: Catalogue, extra: Iterable[str] = DIALOG_PHRASES) -> list[str]:
    """The grammar: procedure names and keywords, the dialog's words, every single word of those, and [unk]."""
    phrases: list[str] = []
    for proc in catalogue.procedures:
        phrases += [proc.short_name, *proc.keywords]
    phrases += list(extra)
    cleaned = [" ".join(p.lower().replace(",", " ").split()) for p in phrases]
    words = [w for p in cleaned for w in p.split()]
    out = list(dict.fromkeys(p for p in [*cleaned, *words] if p))
    return [*out, UNK]


def parse_result(raw: str) -> Recognition:
    """Parse a Vosk JSON result (`{"text": ...}`, with optional per-word `result` confidences)."""
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"recogniser returned text that is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("recogniser returned JSON that is not an object")
    words = [w for w in str(data.get("text", "")).split() if w != UNK]
    confs = [float(w["conf"]) for w in data.get("result", []) if isinstance(w, dict) and "conf" in w]
    confidence = sum(confs) / len(confs) if confs else None
    return Recognition(" ".join(words), "grammar", confidence)


def check_model_folder(path: Path) -> None:
    """Raise ModelMissing unless `path` looks like a Vosk model folder."""
    if not path.exists():
        raise ModelMissing(f"speech model folder {path} does not exist; set dialog.speech.model_path to an "
                           "unpacked Vosk model (e.g. vosk-model-small-vn-0.4); using touch and typing meanwhile")
    if not path.is_dir() or not (path / "am").is_dir() or not (path / "conf").is_dir():
        raise ModelMissing(f"{path} is not a Vosk model folder (expected am/ and conf/ inside); "
                           "using touch and typing meanwhile")


class VoskRecognizer:
    """Vosk (Kaldi) recognition, grammar mode with a free-mode fallback."""

    def __init__(self, model_path: Path, phrases: Sequence[str] | None = None, free_fallback: bool = True):
        check_model_folder(model_path)
        try:
            import vosk
        except ImportError:
            raise ModelMissing("the vosk package is not installed (pip install vosk); "
                               "using touch and typing meanwhile") from None
        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_path))
        except Exception as exc:
            raise ModelMissing(f"Vosk could not load the model in {model_path} ({exc}); "
                               "using touch and typing meanwhile") from None
        self._vosk = vosk
        self.grammar = json.dumps(list(phrases), ensure_ascii=False) if phrases else None
        self.free_fallback = free_fallback

    def with_grammar(self, phrases: Sequence[str] | None, free_fallback: bool = True) -> VoskRecognizer:
        """Another recogniser sharing this loaded model (None: free mode only)."""
        other = object.__new__(VoskRecognizer)
        other._model, other._vosk = self._model, self._vosk
        other.grammar = json.dumps(list(phrases), ensure_ascii=False) if phrases else None
        other.free_fallback = free_fallback
        return other

    def _decode(self, pcm: bytes, grammar: str | None) -> Recognition:
        rec = (self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE, grammar) if grammar
               else self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE))
        rec.SetWords(True)
        step = SAMPLE_RATE  # half a second of 16-bit samples
        for start in range(0, len(pcm), step):
            rec.AcceptWaveform(pcm[start:start + step])
        result = parse_result(rec.FinalResult())
        return Recognition(result.text, "grammar" if grammar else "free", result.confidence)

    def recognize(self, pcm: bytes) -> Recognition:
        result = self._decode(pcm, self.grammar)
        if not result.text and self.grammar and self.free_fallback:
            result = self._decode(pcm, None)
        return result


class TextRecognizer:
    """Typed input in place of speech: each line is one utterance (a console, a scenario, a test)."""

    def __init__(self, lines: Iterable[str]):
        self._lines: Iterator[str] = iter(lines)

    def listen(self) -> Recognition | None:
        """The next typed line, or None when input has ended."""
        line = next(self._lines, None)
        return None if line is None else Recognition(line.strip(), "text", 1.0)

    def recognize(self, pcm: bytes) -> Recognition:
        """Audio means nothing here: the next typed line stands for it."""
        return self.listen() or Recognition("", "text", None)


def free_text(text: str) -> str:
    """A free-mode transcript as the understander expects it: NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


VIETASR_QUIET = 3  # viet-asr native log level: warnings and errors only (no per-utterance debug lines)


FLUSH_PAD = bytes(SAMPLE_RATE)  # half a second of silence: viet-asr then decodes the words it holds back
FLUSH_MAX_BYTES = 4 * SAMPLE_RATE * 2  # a twin out of step is brought back only for utterances this short (4 s)


class VietAsrStream:
    """One utterance decoded while it is spoken: `feed()` 16 kHz 16-bit mono frames, `finish()` at its end.

    viet-asr decodes in chunks: its partial text lags the audio by up to a chunk (~0.4 s), so when the citizen
    stops, the last words are not in it yet. `peek()` gives them: a twin session, fed the same frames, is given
    half a second of silence and its text read (~50 ms). The real session never gets that silence: if the citizen
    goes on, the final text is the one without the peek; the twin, out of step, is fed the utterance again at the
    next peek."""

    def __init__(self, session: Any, lock: threading.Lock, pipeline: Any, twin: Any = None):
        self._session = session
        self._twin = twin
        self._lock = lock
        self._pipeline = pipeline  # the session uses the pipeline's model: keep it alive as long
        self._audio: list[bytes] = []  # the utterance so far (for the twin)
        self._audio_bytes = 0
        self._twin_fed = True  # the twin has had exactly the utterance so far, no silence added

    def feed(self, frame: bytes) -> str:
        """Take a frame of audio (any length, whole samples); return the partial transcript so far."""
        with self._lock:
            self._session.accept(frame)
            if self._twin is not None:
                self._audio.append(frame)
                self._audio_bytes += len(frame)
                if self._twin_fed:
                    self._twin.accept(frame)
            return free_text(self._session.partial().text)

    def peek(self) -> str | None:
        """The text of the utterance so far as if it had ended here (its held-back words decoded), without
        touching the utterance; None without a twin or when the utterance is too long to feed the twin again."""
        with self._lock:
            if self._twin is None:
                return None
            if not self._twin_fed:
                if self._audio_bytes > FLUSH_MAX_BYTES:
                    return None
                self._twin.reset()
                self._twin.accept(b"".join(self._audio))
            self._twin.accept(FLUSH_PAD)
            self._twin_fed = False
            return free_text(self._twin.partial().text)

    def _restart(self) -> None:
        self._session.reset()
        if self._twin is not None:
            self._twin.reset()
        self._audio = []
        self._audio_bytes = 0
        self._twin_fed = True

    def finish(self) -> Recognition:
        """The final transcript; the stream is then ready for the next utterance."""
        with self._lock:
            text = free_text(self._session.final().text)
            self._restart()
        return Recognition(text, "free", None)

    def drop(self) -> None:
        """Forget the utterance without decoding its end (it was acted on by its partial text)."""
        with self._lock:
            self._restart()

    def close(self) -> None:
        with self._lock:
            self._session.close()
            if self._twin is not None:
                self._twin.close()


class VietAsrRecognizer:
    """viet-asr: the Vietnamese model embedded in the `viet-asr` package, free text, offline.

    The engine takes 16 kHz 16-bit mono as delivered here (it resamples other rates itself). It gives
    no confidence. Loading takes about a second and ~220 MB; share one instance.
    """

    def __init__(self, preset: str = "transcribe"):
        try:
            import vietasr
            from vietasr.ffi import native
        except ImportError:
            raise ModelMissing("the viet-asr package is not installed (pip install viet-asr, or the letan[vietasr] "
                               "extra); using touch and typing meanwhile") from None
        except OSError as exc:  # cffi could not open libvietasr or its onnxruntime
            raise ModelMissing(f"viet-asr could not load its native library ({exc}); reinstall viet-asr; "
                               "using touch and typing meanwhile") from None
        try:
            native.lib.vietasr_set_log_level(VIETASR_QUIET)
            self._pipeline = vietasr.Pipeline.preset(preset)
        except Exception as exc:  # vietasr.pipeline.PipelineError, MemoryError...
            raise ModelMissing(f"viet-asr could not load its embedded model (preset {preset!r}: {exc}); "
                               "using touch and typing meanwhile") from None
        self.preset = preset
        self._lock = threading.Lock()

    def recognize(self, pcm: bytes) -> Recognition:
        import numpy as np

        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype=np.int16)
        if samples.size == 0:
            return Recognition("", "free", None)
        try:
            with self._lock:
                result = self._pipeline.transcribe(samples, float(SAMPLE_RATE))
        except RuntimeError as exc:  # PipelineError: the engine refused this audio; the dialog reprompts
            log.warning("viet-asr could not decode an utterance of %.1f s: %s", samples.size / SAMPLE_RATE, exc)
            return Recognition("", "free", None)
        return Recognition(free_text(result.text), "free", None)

    def stream(self, twin: bool = False) -> VietAsrStream:
        """A streaming session on the loaded model (decodes as audio arrives; `finish()` is then quick); with a
        twin session for `VietAsrStream.peek()` (it doubles the decoding while the citizen speaks)."""
        with self._lock:
            session = self._pipeline.stream(float(SAMPLE_RATE))
            other = self._pipeline.stream(float(SAMPLE_RATE)) if twin else None
        return VietAsrStream(session, self._lock, self._pipeline, other)


AudioRecognizer = VoskRecognizer | VietAsrRecognizer


def recognise(frames: Iterable[bytes], endpointer: EndPointer, recognizer: AudioRecognizer,
              native: Callable[[], AbstractContextManager[object]] = nullcontext) -> Iterator[Recognition]:
    """Each utterance in a stream of frames, recognised.

    An engine that streams (viet-asr) gets the utterance's frames as they arrive, its pre-roll first, so when the
    citizen stops only the end of decoding is left (`letan bench --only speech`: 81 against 383 ms); it gets
    exactly the audio the whole-utterance decode would, so the text is the same. Vosk gets each whole utterance at
    its end (grammar mode is quick already). An utterance the talk gate drops (the robot started speaking) is
    thrown away. `native` wraps each call into the engine (the application lets it use every CPU).

    The stream's partial text goes to `endpointer.hypothesis`: an end-pointer given a `complete` check closes an
    utterance whose partial text is a complete request after a short silence, and that text is the result (the
    end is not decoded: the citizen waits for neither the long silence nor the last chunk). As the partial text
    lags by up to a chunk, with such a check the stream has a twin: after `EndPointing.flush_ms` of quiet the
    hypothesis is the twin's text with the held-back words decoded (`VietAsrStream.peek`), until speech resumes."""
    flush_ms = endpointer.settings.flush_ms if endpointer.complete is not None else 0
    stream = recognizer.stream(twin=bool(flush_ms)) if isinstance(recognizer, VietAsrRecognizer) else None
    peeked = False  # the hypothesis is the stream's peek at the start of this quiet stretch
    try:
        for frame in frames:
            was_speaking = endpointer.in_speech
            if not was_speaking:
                peeked = False
            pcm = endpointer.feed(frame)
            if stream is not None:
                if endpointer.in_speech and not was_speaking:
                    with native():
                        for voiced in endpointer.voiced:  # the pre-roll, this frame included
                            endpointer.hypothesis = stream.feed(voiced)
                elif was_speaking and endpointer.in_speech:
                    with native():
                        partial = stream.feed(frame)  # a frame of the utterance
                        quiet_ms = endpointer.quiet_ms
                        if not quiet_ms or not peeked:
                            endpointer.hypothesis, peeked = partial, False
                        if flush_ms and quiet_ms >= flush_ms and not peeked:
                            # quiet begins: the words viet-asr holds back, for the quick end to judge
                            text = stream.peek()
                            if text is not None:
                                endpointer.hypothesis, peeked = text or partial, True
                elif was_speaking and pcm is not None and endpointer.closed_early is None:
                    with native():
                        stream.feed(frame)  # the utterance's last frame
                elif was_speaking and pcm is None:
                    stream.finish()  # dropped by the talk gate: start the next utterance afresh
            if pcm is not None:
                with native():
                    if stream is not None and endpointer.closed_early is not None:
                        stream.drop()
                        result = Recognition(endpointer.closed_early, "free", None)
                    else:
                        result = stream.finish() if stream is not None else recognizer.recognize(pcm)
                yield result
        last = endpointer.flush()
        if last is not None:
            with native():
                result = stream.finish() if stream is not None else recognizer.recognize(last)
            yield result
    finally:
        if stream is not None:
            stream.close()


def open_recognizer(engine: str, model_path: str | None, phrases: Sequence[str] | None) -> AudioRecognizer:
    """Start the configured audio engine or raise ModelMissing with a clear start-up message.

    vosk needs `model_path` (an unpacked model folder) and uses `phrases` as its grammar; viet-asr
    embeds its model and has no grammar mode, so both are ignored for it.
    """
    if engine == "viet-asr":
        return VietAsrRecognizer()
    if engine != "vosk":
        raise ModelMissing(f"speech engine {engine!r} has no audio recogniser here; using touch and typing")
    if not model_path:
        raise ModelMissing("dialog.speech.model_path is not set; using touch and typing meanwhile")
    return VoskRecognizer(Path(model_path), phrases)
