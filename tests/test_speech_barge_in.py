"""Barge-in and the quick end of an utterance (issue 16), with real espeak-ng audio through the simulator's room in
real time (simulator/audio.py: the loudspeaker takes as long as its audio, the microphone hears the citizen's WAV
mixed with the loudspeaker's echo), the real drivers and viet-asr.

- barge-in off (the default): a citizen talking over the robot's long answer is not heard, nothing is cut;
- barge-in on: the robot's sentence stops within a bounded time (1.5 s here; ~0.3-0.5 s on a quiet machine), the
  rest of the answer is dropped, the citizen's request is heard and acted on (a ticket);
- barge-in on, the robot's own echo alone (loud: 0.8): never a barge-in, nothing heard, 0 actions;
- the quick end: a partial text that is a complete request ends the utterance after a short silence, a citizen
  pausing after "tôi muốn" is not cut off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dialogs.asr import VietAsrRecognizer, recognise
from dialogs.hearing import complete_request, known_phrases
from dialogs.tts import Audio
from dialogs.vad import EndPointer, TalkGate
from drivers.audio import SAMPLE_RATE, WavFileSource
from robot.config import CentreConfig
from robot.understander import make_understander
from robot.voice import Loudspeaker
from simulator.scenario import Step
from simulator.session import SimOptions, SimSession
from tests.test_voice import CATALOGUE, CENTRE, MORNING, Timeline, _espeak, _wait

REQUEST = "tôi muốn lấy số thứ tự"  # viet-asr hears espeak-ng's voice as "dù muốn lấy số cứ": take_number
QUICK = "tôi muốn lấy số"  # heard as a request more often ("rủi một lấy số", "bùi muốn lấy số")
KNOWN = known_phrases(CATALOGUE)
UNDERSTANDER = make_understander(CATALOGUE)


def _centre(barge_in: bool) -> CentreConfig:
    speech = CENTRE.dialog.speech.model_copy(update={"engine": "viet-asr", "barge_in": barge_in})
    dialog = CENTRE.dialog.model_copy(update={"silence_timeout_s": 30.0, "speech": speech})
    return CENTRE.model_copy(update={"dialog": dialog})


def _voiced_end_s(path: Path) -> float:
    samples = np.frombuffer(WavFileSource(path).pcm, dtype="<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 500)
    return float(loud[-1] + 1) / SAMPLE_RATE


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Callable[[bool, float], tuple[SimSession, Timeline]]]:
    sessions: list[SimSession] = []

    def start(barge_in: bool, echo_level: float) -> tuple[SimSession, Timeline]:
        sessions.append(SimSession(SimOptions(
            centre=_centre(barge_in), start=MORNING, workdir=tmp_path / f"w{len(sessions)}", speech="viet-asr",
            audio_realtime=True, echo_level=echo_level), CATALOGUE))
        sessions[-1].start()
        app = sessions[-1].app
        assert app is not None
        app.subscribe(timeline := Timeline())
        assert _wait(lambda: app.parts()["microphone"].startswith("ok"), 10)
        return sessions[-1], timeline

    yield start
    for session in sessions:
        session.stop()


def _barge_ins(timeline: Timeline) -> list[Any]:
    return [e for _, e in timeline.of("info") if e.data.get("barge_in")]


def _long_answer(session: SimSession) -> float:
    """The citizen arrives (the greeting plays: the echo's level is learned), then asks for khai sinh's papers:
    a long answer starts playing. Returns when it was asked."""
    app = session.app
    assert app is not None
    session.perform(Step(arrive=True))
    session.perform(Step(spoken=True))
    asked = time.monotonic()
    session.perform(Step(say="khai sinh cần giấy tờ gì"))
    assert _wait(lambda: app.loudspeaker.saying_sentence(), 10)
    return asked


@pytest.mark.slow
@pytest.mark.parametrize("barge_in", [False, True])
def test_a_citizen_talking_over_the_robot(room: Any, tmp_path: Path, barge_in: bool) -> None:
    """1.5 s into the robot's long answer the citizen asks for a number, the robot's echo at 0.15 of what it plays
    (a citizen clearly louder than the echo; at 0.3 the first second of the request is mixed with the echo and
    viet-asr cannot make espeak-ng's voice out of it). Barge-in off: not heard, the answer is
    played to its end, no ticket. On: the sentence stops within 1.5 s of the citizen's first word, the rest of
    the answer is dropped, the request is heard and a ticket issued (the citizen says it again over the robot's
    question when it was not acted on, at most twice)."""
    request = _espeak(tmp_path, QUICK, "request")
    session, timeline = room(barge_in, 0.15)
    app, sim = session.app, session.room
    asked = _long_answer(session)
    sentences = len([e for t, e in timeline.of("said", asked)])
    time.sleep(1.5)  # the citizen lets the robot speak a moment (no synchronisation stands on it)
    assert app.loudspeaker.saying_sentence()
    spoke_at = time.monotonic()
    sim.say(request)
    if not barge_in:
        assert app.wait_spoken(90)
        played = [p for p in app.loudspeaker.log if p.kind == "sentence" and p.started >= asked]
        assert len(played) >= sentences >= 2 and not any(p.interrupted for p in played)
        assert played[-1].ended - spoke_at > 3.0, "the answer went on long after the citizen spoke"
        assert not timeline.of("heard", asked) and not _barge_ins(timeline)
        assert not timeline.of("ticket") and app.manager.session.intent != "take_number"
        return
    assert _wait(lambda: bool(_barge_ins(timeline)), 5), "the citizen was not heard over the robot"
    assert _wait(lambda: any(p.interrupted for p in app.loudspeaker.log), 5)
    cut = next(p for p in app.loudspeaker.log if p.interrupted)
    assert 0.1 < cut.ended - spoke_at <= 1.5, cut.ended - spoke_at  # ~0.3 s on a quiet machine
    before_reply = [p for p in app.loudspeaker.log if asked <= p.started <= cut.started]
    assert len(before_reply) < sentences, "the rest of the answer was dropped"
    for attempt in range(1, 4):
        assert _wait(lambda: len(timeline.of("heard", asked)) >= attempt, 15)  # noqa: B023
        if timeline.of("heard", asked)[-1][1].data["accepted"]:
            break
        # Not acted on (about 1 time in 7, what viet-asr makes of espeak-ng's voice mixed with the robot's): the
        # robot asks again, and the citizen says it again over the question.
        assert _wait(app.loudspeaker.saying_sentence, 10)
        sim.say(request)
    assert _wait(lambda: bool(timeline.of("ticket")), 20), [e.text for _, e in timeline.of("heard", asked)]
    assert 1 <= app.ears.barge_ins <= attempt


@pytest.mark.slow
def test_the_robots_own_echo_never_barges_in(room: Any) -> None:
    """Barge-in on, the echo loud (0.8 of what is played), nobody speaking: the greeting and the long answer
    play to their end, no barge-in, nothing heard, no action. The guard did learn the room's echo (it was
    watching: the test above shows it fires on a citizen)."""
    session, timeline = room(True, 0.8)
    app = session.app
    asked = _long_answer(session)
    assert app.wait_spoken(90)
    played = [p for p in app.loudspeaker.log if p.kind == "sentence"]
    assert len([p for p in played if p.started >= asked]) >= 2 and not any(p.interrupted for p in played)
    assert app.ears.barge_ins == 0 and not _barge_ins(timeline)
    assert not timeline.of("heard") and not timeline.of("ticket") and not timeline.of("guide")
    guard = app.ears.barge
    assert guard is not None and guard.coupling is not None and 0.4 < guard.coupling <= 0.8 + 1e-6


# ---------------------------------------------------------------------------------------------- the quick end


def _complete(text: str) -> bool:
    return complete_request(text, KNOWN, UNDERSTANDER.understand)


@pytest.mark.parametrize(("text", "complete"), [
    ("dù muốn lấy số cứ", True),  # viet-asr on espeak's "tôi muốn lấy số thứ tự"
    ("tôi muốn lấy số thứ tự", True),
    ("dạ có lấy số cho tôi", True),  # a yes that asks for the ticket: that ticket request
    ("có", False),  # yes and no often open a longer sentence ("không, tôi cần khai sinh"): the long wait
    ("không", False),
    ("rồi", False),  # viet-asr on espeak's "tôi muốn"
    ("nhà vệ sinh ở đâu", True),
    ("dù muốn", False),  # "tôi muốn...": the citizen has not said what yet
    ("tôi muốn", False),
    ("khai sinh", False),  # a procedure named, the understander not sure enough: the long wait
    ("rồi nói rồi", False),  # garbage the understander reads as yes: no known word
    ("", False),
])
def test_a_complete_request(text: str, complete: bool) -> None:
    assert _complete(text) is complete


def _frames_until_result(pcm: bytes, complete: Callable[[str], bool] | None,
                         engine: VietAsrRecognizer) -> list[tuple[float, str, str | None]]:
    """Each utterance's text, when (seconds of audio consumed) it came out, and the partial text it closed on."""
    consumed = [0]

    def frames() -> Iterator[bytes]:
        for start in range(0, len(pcm) - 959, 960):
            consumed[0] += 1
            yield pcm[start:start + 960]

    pointer = EndPointer()
    pointer.complete = complete
    return [(consumed[0] * 0.03, r.text, pointer.closed_early) for r in recognise(frames(), pointer, engine)]


@pytest.fixture(scope="module")
def engine() -> Iterator[VietAsrRecognizer]:
    yield VietAsrRecognizer()


def test_a_complete_request_ends_after_a_short_silence(tmp_path: Path, engine: VietAsrRecognizer) -> None:
    """The same espeak-ng request with 900 ms of silence after it: with the check the utterance ends 210-300 ms
    after the last voiced sample (its partial text is the result); without it, after the 600 ms wait."""
    wav = _espeak(tmp_path, REQUEST, "request")
    pcm = WavFileSource(wav).pcm + b"\x00\x00" * int(0.9 * SAMPLE_RATE)
    voiced_end = _voiced_end_s(wav)
    [(quick_at, quick_text, early)] = _frames_until_result(pcm, _complete, engine)
    [(slow_at, slow_text, late)] = _frames_until_result(pcm, None, engine)
    assert early == quick_text and late is None
    assert 0.2 <= quick_at - voiced_end <= 0.3, quick_at - voiced_end
    assert slow_at - voiced_end >= 0.6
    assert UNDERSTANDER.understand(quick_text).intent == "take_number" == UNDERSTANDER.understand(slow_text).intent


def test_a_citizen_pausing_mid_sentence_is_not_cut_off(tmp_path: Path, engine: VietAsrRecognizer) -> None:
    """"tôi muốn", 400 ms of silence, "lấy số thứ tự": the partial text at the pause is no request, so the
    end-pointer keeps the long wait and the whole sentence is one utterance (viet-asr hears "tôi" as "rồi": what
    it makes of espeak-ng's voice is not the point)."""
    first = WavFileSource(_espeak(tmp_path, "tôi muốn", "first")).pcm
    second = WavFileSource(_espeak(tmp_path, "lấy số thứ tự", "second")).pcm
    trim = np.flatnonzero(np.abs(np.frombuffer(first, dtype="<i2").astype(np.int32)) > 500)[-1] + 1
    pause = b"\x00\x00" * int(0.4 * SAMPLE_RATE)
    pcm = first[: trim * 2] + pause + second + b"\x00\x00" * SAMPLE_RATE
    results = _frames_until_result(pcm, _complete, engine)
    assert len(results) == 1, results
    [(at, text, _)] = results
    assert "muốn lấy" in text and at > (len(first[: trim * 2] + pause + second)) / 2 / SAMPLE_RATE, results


@pytest.mark.slow
def test_the_application_ends_complete_requests_early(room: Any, tmp_path: Path) -> None:
    """In the application in real time with viet-asr: the microphone loop's end-pointer has the check (a complete
    request ends early, garbage does not), and the reply's first sample comes as the way the utterance was closed
    says: under 0.6 s after the citizen's last voiced sample when closed early, later after the long wait. (What
    viet-asr makes of espeak-ng's voice through the room varies with where the frames fall: "rủi một lấy số" is a
    complete request, "vùi muốn nói dối" is not; the dialogs-level tests above are the deterministic ones.)"""
    request = _espeak(tmp_path, "tôi muốn lấy số", "request")
    voiced = _voiced_end_s(request)
    length = len(WavFileSource(request).pcm) / 2 / SAMPLE_RATE
    session, _ = room(False, 0.3)
    app, sim = session.app, session.room
    session.perform(Step(arrive=True))
    session.perform(Step(spoken=True))
    ears = app.ears
    assert ears.complete is not None and ears._endpointer is not None and ears._endpointer.complete is ears.complete
    assert ears.complete("rủi một lấy số") and not ears.complete("vùi muốn nói dối")
    played = len(sim.played)
    ends = sim.say(request)
    assert _wait(lambda: len(sim.played) > played, 15)
    reply_after = sim.played[played][0] - (ends - (length - voiced))
    if ears.early_ends:
        assert reply_after < 0.6, reply_after
    else:
        assert reply_after >= 0.6, reply_after


def test_prompts_are_synthesised_once() -> None:
    """The loudspeaker keeps a prompt's audio: said again, it is not rendered again (sentences without a key, such
    as dossier answers, are not kept)."""
    rendered: list[str] = []

    def render(text: str, key: str | None) -> Audio:
        rendered.append(text)
        return Audio(b"\x01\x00" * 160, 16000)

    speaker = Loudspeaker(render, lambda call: None, lambda audio: None, gate=TalkGate(hold_s=0.0))
    speaker.start()
    try:
        for _ in range(2):
            speaker.say("Dạ, em chào ông bà.", "greet")
            speaker.say("Hồ sơ của ông bà đang xử lý.", None)
        assert speaker.wait_quiet(5)
        assert rendered == ["Dạ, em chào ông bà.", "Hồ sơ của ông bà đang xử lý.", "Hồ sơ của ông bà đang xử lý."]
    finally:
        speaker.stop()
