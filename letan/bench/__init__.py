"""`letan bench`: performance figures measured on this machine, quoted as medians.

Each area has a module here with `run(report: BenchReport, quick: bool) -> None` that adds
its figures. Suites are run in one process, one after another, so their comparisons come
from the same run.
"""

from __future__ import annotations

import importlib
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

SUITES = ("queue", "dialog", "speech", "mqtt", "qr", "motion", "sim", "cli", "screen", "web")


@dataclass(frozen=True)
class Figure:
    suite: str
    name: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None
    note: str = ""


@dataclass
class BenchReport:
    figures: list[Figure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    suite: str = ""
    # recordings of citizens' requests (`letan bench --voices DIR`): the speech suite's reply latency on real voices
    voices: Path | None = None

    def add(
        self, name: str, value: float, unit: str, *, target: str | None = None,
        met: bool | None = None, note: str = "",
    ) -> Figure:
        fig = Figure(self.suite, name, value, unit, target, met, note)
        self.figures.append(fig)
        return fig

    def as_json(self) -> dict[str, object]:
        return {
            "machine": {
                "python": platform.python_version(), "cpu_count": _cpu_count(), "platform": platform.platform(),
            },
            "figures": [asdict(f) for f in self.figures],
            "problems": self.problems,
        }


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def time_calls(func: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of each call in milliseconds."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run_suites(names: Sequence[str], quick: bool, voices: Path | None = None) -> BenchReport:
    report = BenchReport(voices=voices)
    for name in names:
        report.suite = name
        try:
            module = importlib.import_module(f"letan.bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"letan.bench.{name}":
                report.problems.append(f"{name}: no benchmark suite yet")
                continue
            raise
        try:
            module.run(report, quick)
        except Exception as exc:  # a broken suite must not hide the others' figures
            report.problems.append(f"{name}: failed: {type(exc).__name__}: {exc}")
    return report
