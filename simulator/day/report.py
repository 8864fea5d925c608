"""The report of simulated days: the Markdown summary, the chart (PNG), the figures (JSON) and the lines the
command line prints; baseline beside what-if when there are two runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from simulator.day.kpis import DayKpis, DayRun, Visit, queue_lengths, sample_moments


@dataclass(frozen=True)
class DayReport:
    folder: Path
    runs: tuple[DayRun, ...]
    summary_lines: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"runs": [{"label": r.label, "seconds": r.seconds, "kpis": asdict(r.kpis)} for r in self.runs]}


def write_report(out: Path, runs: Sequence[DayRun], title: str) -> DayReport:
    """The report folder: summary.md and day.png of the last run (beside the baseline's figures and with
    baseline.png when there are two runs) and kpis.json of every run."""
    out.mkdir(parents=True, exist_ok=True)
    base = runs[0]
    last = runs[-1]
    compare = base.kpis if len(runs) > 1 else None
    (out / "summary.md").write_text(summary_markdown(last.kpis, title, compare), encoding="utf-8")
    plot_day(last.visits, str(out / "day.png"), title)
    if len(runs) > 1:
        plot_day(base.visits, str(out / "baseline.png"), title + " (baseline)")
    report = DayReport(out, tuple(runs), tuple(summary_lines(runs)))
    (out / "kpis.json").write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def summary_markdown(kpis: DayKpis, title: str, compare: DayKpis | None = None) -> str:
    """The day's KPIs as Markdown; with `compare`, a what-if table baseline vs this run."""
    lines = [f"# {title}", "", f"Day {kpis.day}: {kpis.arrivals} citizens, counters per service "
             + ", ".join(f"{k} {v}" for k, v in kpis.counters.items()), ""]
    lines += [
        "| KPI | value |", "|---|---|",
        f"| tickets issued | {kpis.tickets} |",
        f"| served | {kpis.served} |",
        f"| no-shows | {kpis.no_shows} |",
        f"| turned away at the cut-off | {kpis.turned_away} |",
        f"| referred elsewhere | {kpis.referred} |",
        f"| other questions, no ticket | {kpis.without_ticket} |",
        f"| handed to staff (not understood) | {kpis.handed_to_staff} |",
        f"| waiting time median / p90 | {kpis.wait_median_min} / {kpis.wait_p90_min} min |",
        f"| longest queue | {kpis.longest_queue} ({kpis.longest_queue_service}) |",
        f"| last citizen served | {kpis.last_finished} |",
        "",
        "## Per service", "",
        "| service | tickets | served | no-shows | wait median (min) | wait p90 (min) | longest queue |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {s.service} | {s.tickets} | {s.served} | {s.no_shows} | {s.wait_median_min} | {s.wait_p90_min} "
              f"| {s.longest_queue} |" for s in kpis.per_service]
    lines += ["", "## Tickets per hour", "", "| hour | tickets |", "|---|---|"]
    lines += [f"| {hour} | {n} |" for hour, n in kpis.tickets_per_hour.items()]
    if compare is not None:
        lines += ["", "## What if: baseline vs this run", "",
                  "| KPI | baseline | what-if |", "|---|---|---|"]
        lines += [f"| {name} | {a} | {b} |" for name, a, b in comparison_rows(compare, kpis)]
    lines += ["", "![queue length and waiting time](day.png)", ""]
    return "\n".join(lines)


def comparison_rows(base: DayKpis, other: DayKpis) -> list[tuple[str, str, str]]:
    rows = [
        ("counters", ", ".join(f"{k} {v}" for k, v in base.counters.items()),
         ", ".join(f"{k} {v}" for k, v in other.counters.items())),
        ("arrivals", str(base.arrivals), str(other.arrivals)),
        ("tickets", str(base.tickets), str(other.tickets)),
        ("turned away", str(base.turned_away), str(other.turned_away)),
        ("wait median (min)", str(base.wait_median_min), str(other.wait_median_min)),
        ("wait p90 (min)", str(base.wait_p90_min), str(other.wait_p90_min)),
        ("longest queue", f"{base.longest_queue} ({base.longest_queue_service})",
         f"{other.longest_queue} ({other.longest_queue_service})"),
        ("last served", base.last_finished, other.last_finished),
    ]
    theirs = {s.service: s for s in other.per_service}
    for svc in base.per_service:
        mine = theirs.get(svc.service)
        if mine is not None:
            rows.append((f"{svc.service} wait median / p90", f"{svc.wait_median_min} / {svc.wait_p90_min}",
                         f"{mine.wait_median_min} / {mine.wait_p90_min}"))
    return rows


def plot_day(visits: Sequence[Visit], path: str, title: str) -> None:
    """PNG: queue length (top) and waiting time of the tickets called (bottom), per service, over the day."""
    import matplotlib  # late: heavy, and only the report draws

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    moments = sample_moments(visits, 5)
    services = sorted({v.service for v in visits if v.service})
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    tz = moments[0].tzinfo if moments else None
    for svc in services:
        top.plot(moments, queue_lengths(visits, svc, moments), label=svc, linewidth=1.5)
        mine = [v for v in visits if v.service == svc]
        called = sorted((v.called, w) for v in mine if v.called and (w := v.wait_min) is not None)
        if called:
            bottom.plot([c for c, _ in called], [w for _, w in called], marker=".", linestyle="-", linewidth=0.8,
                        markersize=3, label=svc)
    top.set_ylabel("tickets waiting")
    top.set_title(title)
    top.legend(loc="upper right", fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_ylabel("wait when called (min)")
    bottom.grid(alpha=0.3)
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=tz))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def summary_lines(runs: Sequence[DayRun]) -> list[str]:
    lines = []
    for run in runs:
        k = run.kpis
        lines += [
            f"[bold]{run.label}[/bold] ({k.day}, {k.arrivals} citizens, simulated in {run.seconds:.2f} s)",
            f"  tickets {k.tickets}, served {k.served}, no-shows {k.no_shows}, turned away at cut-off "
            f"{k.turned_away}, referred {k.referred}, handed to staff {k.handed_to_staff}",
            f"  waiting time median {k.wait_median_min} min, p90 {k.wait_p90_min} min; longest queue "
            f"{k.longest_queue} ({k.longest_queue_service}); last served {k.last_finished}",
            "  tickets per hour: " + ", ".join(f"{h} {n}" for h, n in k.tickets_per_hour.items()),
        ]
        lines += [f"  {s.service}: {s.tickets} tickets, wait median {s.wait_median_min} / p90 {s.wait_p90_min} min,"
                  f" longest queue {s.longest_queue}" for s in k.per_service]
    if len(runs) > 1:
        lines.append("[bold]baseline vs what-if[/bold]")
        lines += [f"  {name}: {a} -> {b}" for name, a, b in comparison_rows(runs[0].kpis, runs[-1].kpis)]
    return lines
