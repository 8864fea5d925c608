"""`letan run` (the robot on its devices) and `letan sim` (the same application on simulated devices).

`letan sim` is a group: without a sub-command it starts the interactive console (or runs a
scenario with --script, or the demo with --demo); `letan sim day` simulates a working day.
"""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from letan.cli.common import (
    CONFIG_OPTION,
    console,
    ensure_state_files,
    err_console,
    load_centre_or_exit,
    report_config_error,
)
from robot.config import CentreConfig, ConfigError, load_catalogue_checked
from robot.paths import DEFAULT_CENTRE, SCENARIOS_DIR

sim_app = typer.Typer(
    help="Run letan on simulated devices: console, scripted scenarios (--script), a simulated day (day).",
    invoke_without_command=True,
)

DEMO_SCENARIO = SCENARIOS_DIR / "demo.yaml"


def _fail(message: str, code: int) -> typer.Exit:
    err_console.print(f"[red]{escape(message)}[/red]")  # a message may hold brackets: "[user:pass@]"
    return typer.Exit(code)


def _check_broker(centre: CentreConfig | None, url: str | None) -> None:
    """Exit 2 at start with one line when the broker URL (--broker, else the config's mqtt.url) is unusable:
    the robot must not come up silently without MQTT."""
    from robot.mqtt.client import BrokerSettings, BrokerUrlError

    try:
        if centre is not None:
            BrokerSettings.from_config(centre.mqtt, url)
        elif url is not None:
            BrokerSettings.from_url(url)
    except BrokerUrlError as error:
        raise _fail(str(error), 2) from None


def _start_time(centre: CentreConfig, at: str | None, realtime: bool) -> datetime | None:
    """The simulated start (None = the wall clock). Exits 2 on a bad --at."""
    from robot.clock import parse_at
    from robot.queue.policy import next_opening

    if realtime:
        if at is not None:
            raise _fail("--at and --realtime exclude each other: --realtime uses the wall clock", 2)
        return None
    if at is not None:
        try:
            return parse_at(at, centre.site.tz)
        except ValueError as error:
            raise _fail(f"--at: {at!r}: {error}; expected an ISO time such as 2026-11-25T08:05", 2) from None
    start = next_opening(centre.opening_hours, datetime.combine(centre.now().date(), time(0), centre.site.tz)
                         + timedelta(days=1))
    if start is None:
        raise _fail(f"{centre.site.id} opens on no day of the coming year: give the start with --at", 2)
    return start


def _run(
    config: Path = CONFIG_OPTION,
    broker: str | None = typer.Option(None, "--broker", help="MQTT broker URL (default: the config's, else embedded)."),
) -> None:
    """Start the robot application with the devices of the config's device profile (Ctrl-C to stop)."""
    from robot.app import Application, AppStartError

    centre = load_centre_or_exit(config)
    _check_broker(centre, broker)
    ensure_state_files(centre)
    try:
        app = Application.from_config(centre, catalogue=load_catalogue_checked(), broker_url=broker)
    except AppStartError as exc:
        raise _fail(str(exc), 2) from None
    _stop_on_signals(True)  # SIGTERM (how systemd stops a service) takes Ctrl-C's way out
    try:
        try:
            app.start()
        except AppStartError as exc:
            raise _fail(str(exc), 1) from None
        app.subscribe(lambda event: console.print(f"[dim]{event.kind}[/dim] {event.text}"))
        for part, state in app.parts().items():
            console.print(f"  {part}: {state}")
        console.print(f"letan running at {centre.site.name}; Ctrl-C or SIGTERM to stop.")
        app.run_forever()
    except KeyboardInterrupt:
        console.print("letan stopping: motors, devices, then MQTT (outbox flushed, status offline)...")
    finally:
        _stop_on_signals(False)  # a second signal must not cut the clean stop short
        app.stop()
    console.print("letan stopped.")


def _stop_on_signals(on: bool) -> None:
    """on: SIGINT and SIGTERM raise KeyboardInterrupt in the main thread (one shutdown path); off: both ignored."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, interrupt if on else signal.SIG_IGN)


@sim_app.callback()
def _sim(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Centre configuration file (default: the scenario's centre, else cua-nam)."
    ),
    speech: str = typer.Option("text", "--speech", help="text (typed), vosk or viet-asr (WAVs via that engine)."),
    at: str | None = typer.Option(None, "--at", help="Simulated start, ISO time (default: next opening)."),
    realtime: bool = typer.Option(False, "--realtime", help="Use the wall clock instead of simulated time."),
    script: Path | None = typer.Option(None, "--script", help="Run a scenario file and exit 0 when it passes."),
    report: Path | None = typer.Option(None, "--report", help="With --script: write the run as JSON here."),
    demo: bool = typer.Option(False, "--demo", help="Run the demo scenario, then the console (on a terminal)."),
    broker: str | None = typer.Option(None, "--broker", help="MQTT broker URL (default: embedded broker)."),
    workdir: Path | None = typer.Option(
        None, "--workdir", "--out", help="Where tickets, audio and databases go (kept; default: a temporary folder)."
    ),
    keep: bool = typer.Option(False, "--keep", help="Keep the run's files in the state directory's sim/ folder."),
    audio_realtime: bool = typer.Option(
        False, "--audio-realtime", help="The room's sound in real time: the loudspeaker takes as long as its audio, "
        "the microphone hears WAV steps and the loudspeaker's echo (on for scenarios with audio_realtime: true)."),
) -> None:
    """Start the application on simulated devices with a technician console (reads a terminal or a pipe)."""
    if ctx.invoked_subcommand is not None:
        return
    if speech not in ("text", "vosk", "viet-asr"):
        raise _fail(f"--speech: {speech!r} is not one of text, vosk, viet-asr", 2)
    if report is not None and script is None:
        raise _fail("--report needs --script", 2)
    if broker is not None:
        _check_broker(None, broker)
    from simulator.scenario import load_scenarios
    from simulator.session import SimOptions, run_interactive, run_scripted, run_suite

    scenario = None
    if script is not None or demo:
        try:
            scenarios = load_scenarios(script or DEMO_SCENARIO)
        except ConfigError as error:
            report_config_error(error)
            raise typer.Exit(2) from None
        if len(scenarios) > 1 and not demo:
            base = _run_folder(workdir, keep)

            def options_for(one: Any, index: int) -> SimOptions:
                centre = load_centre_or_exit(config or one.centre_path() or DEFAULT_CENTRE)
                start = _start_time(centre, one.at if one.at and at is None else at, realtime)
                folder = base / f"{index:03d}" if base is not None else None
                return SimOptions(centre=centre, start=start, speech=speech, broker_url=broker, workdir=folder,
                                  audio_realtime=audio_realtime or one.audio_realtime)

            out = Console(file=sys.stdout, highlight=False)
            raise _kept(run_suite(options_for, scenarios, out, report), base)
        scenario = scenarios[0]
        config = config or scenario.centre_path()
    centre = load_centre_or_exit(config or DEFAULT_CENTRE)
    start = _start_time(centre, scenario.at if scenario and scenario.at and at is None else at, realtime)
    folder = _run_folder(workdir, keep)
    options = SimOptions(centre=centre, start=start, speech=speech, broker_url=broker, workdir=folder,
                         audio_realtime=audio_realtime or bool(scenario and scenario.audio_realtime))
    if scenario is not None and not demo:
        code = run_scripted(options, scenario, Console(file=sys.stdout, highlight=False), report)
        raise _kept(code, folder)
    import dataclasses

    interactive = sys.stdin.isatty()
    # Bound to the real stdout now: the speech synthesiser briefly redirects sys.stdout while it works.
    out = Console(file=sys.stdout, highlight=False, width=None if interactive else max(console.width, 140))
    options = dataclasses.replace(options, screen=True)  # the console and the citizen's screen: one conversation
    code = run_interactive(options, out, demo=scenario, stdin=sys.stdin, interactive=interactive)
    raise _kept(code, folder)


def _run_folder(workdir: Path | None, keep: bool) -> Path | None:
    """Where a simulator run's files go: --workdir (kept), else with --keep a new folder in the state directory's
    sim/ (kept), else None: a temporary folder that the session removes when it stops. Exit 2 if not writable."""
    from robot.paths import StateDirError, kept_run_dir, writable_dir

    try:
        if workdir is not None:
            return writable_dir(workdir.absolute(), "--workdir folder")
        return kept_run_dir("sim") if keep else None
    except StateDirError as error:
        print(error, file=sys.stderr)  # one line, never wrapped: it names a folder
        raise typer.Exit(2) from None


def _kept(code: int, folder: Path | None) -> typer.Exit:
    """The exit of a simulator run, after saying where its kept files are."""
    if folder is not None:
        print(f"Run files kept in {folder}", flush=True)  # plain: a long path is never wrapped
    return typer.Exit(code)


def scenario_options(scenario: Any, index: int = 0, workdir: Path | None = None) -> Any:
    """SimOptions for one scripted conversation: its centre (or the default one), its start time (or the
    centre's next opening), simulated time, typed speech."""
    from robot.config import load_centre
    from simulator.session import SimOptions

    centre = load_centre(scenario.centre_path() or DEFAULT_CENTRE, load_catalogue_checked())
    start = _start_time(centre, scenario.at, False)
    folder = workdir / f"{index:03d}" if workdir is not None else None
    return SimOptions(centre=centre, start=start, workdir=folder)


def _parse_counters(values: list[str], centre: CentreConfig) -> dict[str, int]:
    wanted: dict[str, int] = {}
    ids = [s.id for s in centre.services]
    for value in values:
        service, sep, number = value.partition("=")
        if not sep or not number.strip().isdigit():
            raise _fail(f"--counters: {value!r}: expected SERVICE=N, e.g. chung_thuc=4", 2)
        if service not in ids:
            raise _fail(f"--counters: unknown service {service!r}; expected one of {ids}", 2)
        if int(number) < 1:
            raise _fail(f"--counters: {value!r}: at least one counter per service", 2)
        wanted[service] = int(number)
    return wanted


@sim_app.command("day")
def _day(
    config: Path = CONFIG_OPTION,
    counters: list[str] = typer.Option([], "--counters", help="What if: SERVICE=N open counters (repeatable)."),
    arrivals: int | None = typer.Option(None, "--arrivals", help="What if: this many citizens instead."),
    base_arrivals: int = typer.Option(400, "--base-arrivals", help="Citizens in the baseline day."),
    out: Path | None = typer.Option(
        None, "--out", help="Report folder (PNG chart, summary, JSON; default: sim-day/ in the state directory)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives the same day."),
    at: str | None = typer.Option(None, "--at", help="Day to simulate, ISO date (default: next working day)."),
) -> None:
    """Simulate a working day: arrivals, the robot's dialog, the real queue engine, counters. KPIs + report."""
    from robot.paths import StateDirError, state_dir, writable_dir
    from robot.queue.policy import next_open_day
    from simulator.day import DayError, run_day_report

    centre = load_centre_or_exit(config)
    wanted = _parse_counters(counters, centre)
    if (arrivals is not None and arrivals < 0) or base_arrivals < 0:
        raise _fail("--arrivals: expected a number of citizens >= 0", 2)
    if at is not None:
        try:
            day = datetime.fromisoformat(at).date()
        except ValueError:
            raise _fail(f"--at: {at!r} is not an ISO date such as 2026-11-25", 2) from None
    else:
        working_day = next_open_day(centre.opening_hours, centre.now().date())
        if working_day is None:
            raise _fail(f"{centre.site.id} opens on no day of the coming year: give the day with --at", 2)
        day = working_day
    try:
        out = writable_dir(out.absolute(), "--out folder") if out is not None else writable_dir(
            state_dir() / "sim-day", "state directory")
    except StateDirError as error:
        print(error, file=sys.stderr)  # one line, never wrapped: it names a folder
        raise typer.Exit(2) from None
    try:
        result = run_day_report(
            centre, load_catalogue_checked(), day, out, seed=seed, arrivals=base_arrivals,
            what_if_counters=wanted or None, what_if_arrivals=arrivals,
        )
    except DayError as exc:
        raise _fail(str(exc), 2) from None
    for line in result.summary_lines:
        console.print(line)
    console.print(f"Report: {out / 'summary.md'}, chart {out / 'day.png'}, figures {out / 'kpis.json'}")


def register(app: typer.Typer) -> None:
    app.command("run")(_run)
    app.add_typer(sim_app, name="sim")
