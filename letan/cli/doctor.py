"""`letan doctor`: what this machine has for a robot, each line with its fix."""

from __future__ import annotations

import glob
import importlib
import shutil
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.table import Table

from letan.cli.common import CONFIG_OPTION, console, load_centre_or_exit
from robot.config import CentreConfig
from robot.fonts import find_vietnamese_font

APT = "sudo apt-get install -y"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def _font() -> Check:
    path = find_vietnamese_font()
    if path:
        return Check("Font with every Vietnamese glyph", True, str(path))
    return Check("Font with every Vietnamese glyph", False, "none of the known fonts has all 178 letters",
                 f"{APT} fonts-dejavu-core")


def _espeak() -> Check:
    exe = shutil.which("espeak-ng")
    if not exe:
        return Check("espeak-ng with a Vietnamese voice", False, "espeak-ng not found", f"{APT} espeak-ng")
    try:
        out = subprocess.run([exe, "--voices=vi"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("espeak-ng with a Vietnamese voice", False, f"espeak-ng failed: {exc}", f"{APT} espeak-ng")
    voices = [line.split()[3] for line in out.splitlines()[1:] if len(line.split()) > 3]
    if not voices:
        return Check("espeak-ng with a Vietnamese voice", False, "no 'vi' voice", f"{APT} espeak-ng-data")
    return Check("espeak-ng with a Vietnamese voice", True, ", ".join(voices))


def _python_module(label: str, module: str, fix: str, required: bool = True) -> Check:
    try:
        importlib.import_module(module)
    except Exception as exc:  # ImportError, OSError for a missing shared library
        return Check(label, False, f"{type(exc).__name__}: {exc}"[:90], fix, required)
    return Check(label, True, f"import {module}", required=required)


def _asr(centre: CentreConfig) -> Check:
    speech = centre.dialog.speech
    required = speech.engine == "vosk"
    if speech.engine == "text":
        detail = "speech engine 'text' (typed/touch input); no model needed"
        return Check("Speech recognition model", True, detail, required=False)
    if speech.engine == "viet-asr":
        return _python_module("Speech recognition (viet-asr)", "vietasr", "pip install viet-asr")
    if not speech.model_path:
        return Check("Speech recognition model (Vosk)", False, "dialog.speech.model_path is not set",
                     "download vosk-model-small-vn-0.4, unpack it, set dialog.speech.model_path", required)
    path = centre.resolve_path(speech.model_path)
    if not (path / "am").is_dir() and not (path / "final.mdl").exists():
        return Check("Speech recognition model (Vosk)", False, f"{path} is not a Vosk model folder",
                     "unpack vosk-model-small-vn-0.4 there (it has am/, conf/, graph/)", required)
    return Check("Speech recognition model (Vosk)", True, str(path), required=required)


def _tcp(host: str, port: int, timeout: float = 1.5) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _simulated_devices() -> Check:
    ports = sorted(glob.glob("/dev/ttyUSB*") + glob.glob("/dev/ttyACM*"))
    cams = sorted(glob.glob("/dev/video*"))
    return Check("Devices", True, f"simulated profile: letan sim starts its own; present here: {len(ports)} serial, "
                 f"{len(cams)} camera", required=False)


def _python_cpu(centre: CentreConfig) -> Check:
    from robot import cpu

    name, setting = "CPU for the Python threads", centre.robot.python_cpu
    cpus = cpu.available_cpus()
    try:
        chosen = cpu.choose_cpu(setting, cpus)
    except ValueError as exc:
        return Check(name, False, str(exc)[:90], "set robot.python_cpu to auto, off or one of these CPUs",
                     required=False)
    if chosen is None or not cpu.supported():
        return Check(name, True, f"every CPU ({len(cpus)}; robot.python_cpu {setting})", required=False)
    return Check(name, True, f"CPU {chosen} of {len(cpus)}; camera and speech on every CPU", required=False)


def run_checks(centre: CentreConfig, broker: str | None = None) -> list[Check]:
    checks: list[Check] = [_font(), _espeak()]
    checks.append(_python_module("Text-to-speech (pyttsx3)", "pyttsx3", "pip install 'letan[speech]'"))
    checks.append(_asr(centre))
    checks.append(_python_module("QR decoder zxing-cpp", "zxingcpp", "pip install zxing-cpp"))
    checks.append(_python_module("QR decoder pyzbar", "pyzbar.pyzbar", f"{APT} libzbar0", required=False))
    checks.append(_python_module("Camera (OpenCV)", "cv2", "pip install opencv-python-headless"))
    checks.append(_python_module("Microphone (sounddevice)", "sounddevice", f"{APT} libportaudio2",
                                 required=centre.devices.profile == "real" and centre.dialog.speech.engine != "text"))
    if centre.devices.profile == "sim":
        checks.append(_simulated_devices())
    from letan.cli.device_probes import device_checks

    checks.extend(device_checks(centre, broker))  # each configured device (real profile) and the broker, probed
    checks.append(_python_cpu(centre))
    return checks


def _doctor(
    config: Path = CONFIG_OPTION,
    broker: str | None = typer.Option(None, "--broker", help="mqtt://[user:pass@]host:port to check instead."),
) -> None:
    """Check this machine for everything the robot needs; exit 0 when all required parts are there."""
    centre = load_centre_or_exit(config)
    checks = run_checks(centre, broker)
    table = Table(title=f"letan doctor: {centre.site.id}, profile '{centre.devices.profile}'")
    for col in ("", "part", "found", "fix"):
        table.add_column(col)
    for check in checks:
        if check.ok:
            mark = "[green]OK[/green]"
        else:
            mark = "[red]MISSING[/red]" if check.required else "[yellow]optional[/yellow]"
        table.add_row(mark, check.name, check.detail, "" if check.ok else check.fix)
    console.print(table)
    failed = [c for c in checks if c.required and not c.ok]
    if failed:
        console.print(f"[red]{len(failed)} required part(s) missing.[/red]")
        raise typer.Exit(1)
    console.print("[green]All required parts are present.[/green]")


def register(app: typer.Typer) -> None:
    doctor: Callable[..., None] = _doctor
    app.command("doctor")(doctor)
