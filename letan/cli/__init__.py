"""The `letan` command line: one Typer app, one module per area of commands.

TO ADD A COMMAND: write it in a module letan/cli/<area>_cmd.py with a `register(app)` function (as the
others), then add ONE LINE PER TOP-LEVEL COMMAND it registers to COMMANDS below:
    "name": ("module", "the one-line help shown by `letan --help`"),
A module is imported only when one of its commands runs (or `letan NAME --help`), so `letan --version`,
`letan --help` and the light commands start fast (issue 14: <= 0.3 s, `letan bench --only cli`). Keep this
file free of imports beyond the standard library (no typer at module level: `letan --version` answers
before typer is imported); put heavy imports (numpy, networkx, paho, simulator...) inside the command
functions that need them. tests/test_cli_lazy.py checks that COMMANDS matches what the modules register.
"""

from __future__ import annotations

import sys
from typing import Any

# name -> (module in letan/cli, one-line help). The order is the order of `letan --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("config_cmd", "Check centre configuration files."),
    "procedures": ("config_cmd", "List the procedure catalogue (id, code, name, service group)."),
    "doctor": ("doctor", "Check this machine for everything the robot needs; exit 0 when all required parts are "
                         "there."),
    "queue": ("queue_cmd", "Queue tickets: issue, call, finish, status and statistics."),
    "ticket": ("queue_cmd", "Queue ticket images."),
    "understand": ("dialog_cmd", 'Print what letan understands from TEXT: {"intent", "procedure", "question", '
                                 '"place", "confidence"}.'),
    "monitor": ("mqtt_cmd", "Live dashboard: waiting per service, last calls per counter, today's totals, robot "
                            "health, alerts."),
    "counter": ("mqtt_cmd", "Counter console: call next, recall, call a number, done, no-show, transfer. Reads a "
                            "terminal or piped stdin."),
    "mqtt": ("mqtt_setup_cmd", "Set up the centre's MQTT broker (mosquitto)."),
    "web": ("web_cmd", "Staff web pages over MQTT: /board (calling board), /counter/N, /rate/N, /manager."),
    "qr": ("dossier_cmd", "Read QR codes and barcodes."),
    "dossier": ("dossier_cmd", "Dossier status: import the one-stop export, look a dossier up."),
    "nav": ("nav_cmd", "Navigation on the centre's floor map."),
    "run": ("run_cmd", "Start the robot application with the devices of the config's device profile (Ctrl-C to "
                       "stop)."),
    "sim": ("run_cmd", "Run letan on simulated devices: console, scripted scenarios (--script), a simulated day "
                       "(day)."),
    "init": ("init_cmd", "Write a starter centre file for a new ward, with a comment on each section."),
    "service": ("service_cmd", "Run letan as a system service: the systemd unit and the kiosk screen's autostart."),
    "speech": ("speech_cmd", "Speech recognition: install a Vosk model."),
    "bench": ("bench_cmd", "Measure letan's performance figures on this machine (medians, with targets and "
                           "comparisons)."),
}


def version() -> str:
    from importlib.metadata import version as dist_version

    return dist_version("letan")


def __getattr__(name: str) -> Any:
    """`from letan.cli import app`: the Typer app, built on first use (letan/cli/lazy.py)."""
    if name == "app":
        from letan.cli.lazy import build_app

        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # answered before typer and rich are imported
        print(f"letan {version()}")
        return
    from letan.cli.lazy import build_app

    build_app()()
