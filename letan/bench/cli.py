"""Command-line bench: how long light commands take to start, as a new process each time (issue 14, item 7).

Median of 10 cold starts (new processes; the files are in the page cache, as on a kiosk that has run a
command before) of `letan --version`, `letan --help` and `letan queue status` on the sample centre with a
fresh database, against a bare `python -c pass` in the same run. The commands take turns, so a busy moment
of the machine weighs on all of them alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from letan.bench import BenchReport, median
from robot.paths import DEFAULT_CENTRE

TARGET_MS = 300.0


def letan_command() -> list[str]:
    """The `letan` script beside this Python (what a technician runs), else `python -m letan`."""
    script = Path(sys.executable).with_name("letan")
    return [str(script)] if script.is_file() and os.access(script, os.X_OK) else [sys.executable, "-m", "letan"]


def commands(folder: Path) -> dict[str, list[str]]:
    letan = letan_command()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "letan --version": [*letan, "--version"],
        "letan --help": [*letan, "--help"],
        "letan queue status": [*letan, "queue", "status", "--config", str(DEFAULT_CENTRE),
                               "--db", str(folder / "queue.sqlite3")],
    }


def _start_ms(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=60)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-3:])} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace').strip()[-200:]}")
    return elapsed


def run(report: BenchReport, quick: bool) -> None:
    repeat = 3 if quick else 10
    with tempfile.TemporaryDirectory(prefix="letan-bench-cli-") as name:
        folder = Path(name)
        env = {**os.environ, "LETAN_STATE_DIR": str(folder / "state"), "COLUMNS": "100"}
        runs = commands(folder)
        times: dict[str, list[float]] = {label: [] for label in runs}
        for argv in runs.values():
            _start_ms(argv, env)  # once untimed: bytecode caches written, files in the page cache
        for _ in range(repeat):
            for label, argv in runs.items():
                times[label].append(_start_ms(argv, env))
    bare = median(times["python -c pass"])
    report.add("python -c pass (median)", bare, "ms", note=f"bare interpreter start, {repeat} runs")
    for label in runs:
        if label == "python -c pass":
            continue
        value = median(times[label])
        report.add(f"{label} (median)", value, "ms", target=f"<= {TARGET_MS:.0f} ms", met=value <= TARGET_MS,
                   note=f"{value - bare:.0f} ms more than bare python; {repeat} cold starts, "
                        f"min {min(times[label]):.0f} ms")
