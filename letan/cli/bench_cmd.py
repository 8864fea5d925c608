"""`letan bench`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from letan.bench import SUITES, run_suites
from letan.cli.common import console


def _bench(
    only: list[str] = typer.Option(list(SUITES), "--only", help=f"Suites to run: {', '.join(SUITES)}."),
    quick: bool = typer.Option(False, "--quick", help="Fewer repetitions (a smoke run, not for quoting)."),
    out: Path | None = typer.Option(None, "--json", help="Also write the figures as JSON to this file."),
    voices: Path | None = typer.Option(
        None, "--voices", help="A folder of 16-bit WAV recordings of citizens' requests: the speech suite also "
                               "measures the reply latency on them (espeak-ng's voice is too unclear to recognise)."),
) -> None:
    """Measure letan's performance figures on this machine (medians, with targets and comparisons)."""
    unknown = [name for name in only if name not in SUITES]
    if unknown:
        console.print(f"[red]Unknown suite(s) {unknown}; expected some of {list(SUITES)}[/red]")
        raise typer.Exit(2)
    if voices is not None and not (voices.is_dir() and any(voices.glob("*.wav"))):
        console.print(f"[red]--voices {voices}: not a folder with .wav files (16-bit recordings of citizens' "
                      "requests)[/red]")
        raise typer.Exit(2)
    report = run_suites(only, quick, voices)
    table = Table(title="letan bench" + (" (quick)" if quick else ""))
    for col in ("suite", "figure", "value", "target", ""):
        table.add_column(col)
    for fig in report.figures:
        mark = {True: "[green]met[/green]", False: "[red]missed[/red]", None: ""}[fig.met]
        value = f"{fig.value:,.3f}".rstrip("0").rstrip(".") + f" {fig.unit}"
        table.add_row(fig.suite, fig.name + (f" [dim]({fig.note})[/dim]" if fig.note else ""), value,
                      fig.target or "", mark)
    console.print(table)
    for problem in report.problems:
        console.print(f"[yellow]{problem}[/yellow]")
    if out is not None:
        out.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    if any(p.startswith(tuple(f"{s}: failed" for s in SUITES)) for p in report.problems):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("bench")(_bench)
