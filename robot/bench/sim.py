"""Sim bench: wall time of a simulated working day (600 citizens through the real dialog and queue engine).

Compared in the same run: the same day on a disk-backed database file (synchronous=FULL fsyncs)
against the memory-backed /dev/shm file `letan sim day` uses.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from robot.bench import BenchReport, median
from robot.config import load_catalogue_checked, load_centre
from robot.paths import DEFAULT_CENTRE, PROJECT_ROOT
from simulator.day import plan_day, scratch_dir, simulate_day

CITIZENS = 600
DAY = date(2026, 11, 25)  # a Wednesday


def run(report: BenchReport, quick: bool) -> None:
    catalogue = load_catalogue_checked()
    centre = load_centre(DEFAULT_CENTRE, catalogue)
    repeat = 1 if quick else 5
    plan = plan_day(centre, catalogue, DAY, CITIZENS, seed=1)
    shm_s, disk_s = [], []
    for index in range(repeat):
        scratch = Path(scratch_dir())
        try:
            start = time.perf_counter()
            visits = simulate_day(centre, catalogue, plan, scratch / f"day-{index}.sqlite3")
            shm_s.append(time.perf_counter() - start)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    tickets = sum(1 for v in visits if v.outcome == "ticket")
    report.add(f"day of {CITIZENS} citizens (median of {repeat})", median(shm_s), "s", target="< 10 s",
               met=median(shm_s) < 10, note=f"{tickets} tickets, memory-backed SQLite file")
    report.add("per citizen", median(shm_s) / CITIZENS * 1000, "ms")
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="letan-bench-day-", dir=PROJECT_ROOT / "var") as folder:
        start = time.perf_counter()
        simulate_day(centre, catalogue, plan, Path(folder) / "day.sqlite3")
        disk_s.append(time.perf_counter() - start)
    report.add(f"day of {CITIZENS} citizens, database on disk (1 run)", disk_s[0], "s",
               note="same plan; every queue change fsynced")
