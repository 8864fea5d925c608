"""The technician console of `letan sim`: type what the citizen says, or a /command.

Reads lines from a terminal or from piped standard input alike. Plain text is what the citizen
says; commands are the same actions as scenario steps (one table: simulator/commands.py), so the
console and the scripted scenarios drive the simulation the same way. What happens is shown as
it arrives: the robot's words, printed tickets (PNG path and text), navigation, MQTT events and
alerts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape

from simulator.commands import META, ConsoleError, console_commands, help_text
from simulator.scenario import Observation, Step

HELP = help_text()


@dataclass(frozen=True)
class Meta:
    """A console command that is not a simulation step: status, help, quit, nothing."""

    name: str


_META_BY_WORD = {word: name for name, (words, _) in META.items() for word in words}


def parse_line(line: str) -> Step | Meta:
    """One console line -> a scenario step or a meta command (simulator.commands). Raises ConsoleError."""
    text = line.strip()
    if not text or text.startswith("#"):
        return Meta("nothing")
    if not text.startswith("/"):
        return Step(say=text)
    name, _, rest = text[1:].partition(" ")
    name, rest = name.lower(), rest.strip()
    if name in _META_BY_WORD:
        return Meta(_META_BY_WORD[name])
    command = console_commands().get(name)
    if command is None:
        raise ConsoleError(f"unknown command /{name}; type /help")
    return Step.model_validate({name: command.read(name, rest)})


def render(obs: Observation) -> str:
    """One observation as a line of rich markup, readable at a glance."""
    clock = f"[dim]{obs.at[11:19]}[/dim] " if len(obs.at) >= 19 else ""
    text = escape(obs.text)
    if obs.kind == "said":
        return f"{clock}[bold cyan]Robot:[/bold cyan] {text}"
    if obs.kind == "printed":
        out = f"{clock}[bold green]Ticket printed[/bold green] {text}"
        png = obs.data.get("png")
        if png:
            out += f"  [dim]{escape(str(png))}[/dim]"
        lines = obs.data.get("lines")
        if lines:
            out += "\n" + "\n".join(f"    [green]│[/green] {escape(str(line))}" for line in lines)
        return out
    if obs.kind == "ticket":
        return f"{clock}[green]Ticket[/green] {text}"
    if obs.kind == "event":
        payload = obs.data.get("payload", "")
        short = str(payload)[:100] + ("…" if len(str(payload)) > 100 else "")
        return f"{clock}[dim]MQTT {text} {escape(short)}[/dim]"
    if obs.kind == "guide":
        return f"{clock}[magenta]Navigation:[/magenta] {text}"
    if obs.kind == "alert":
        return f"{clock}[bold red]Alert:[/bold red] {text}"
    if obs.kind == "citizen":
        return f"{clock}[bold yellow]Citizen:[/bold yellow] {text}"
    return f"{clock}[dim]{text}[/dim]"


def render_status(status: dict[str, Any]) -> str:
    lines = ["[bold]Status[/bold]"]
    for key, value in status.items():
        if isinstance(value, dict):
            lines.append(f"  {key}:")
            lines += [f"    {k}: {escape(str(v))}" for k, v in value.items()]
        else:
            lines.append(f"  {key}: {escape(str(value))}")
    return "\n".join(lines)


class ConsoleSession(Protocol):
    def perform(self, step: Step) -> None: ...

    def observations(self) -> list[Observation]: ...

    def status(self) -> dict[str, Any]: ...


class _Printer:
    """Prints new observations from a background thread as they arrive."""

    def __init__(self, session: ConsoleSession, out: Console):
        self.session = session
        self.out = out
        self.shown = len(session.observations())
        self.last_new = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="console-printer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.flush()

    def flush(self) -> None:
        with self._lock:
            seen = self.session.observations()
            for obs in seen[self.shown:]:
                self.out.print(render(obs))
            if len(seen) > self.shown:
                self.last_new = time.monotonic()
            self.shown = len(seen)

    def settle(self, quiet_s: float = 0.4, limit_s: float = 4.0) -> None:
        """Wait until nothing new has appeared for quiet_s (at most limit_s)."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            self.flush()
            if time.monotonic() - self.last_new >= quiet_s:
                return
            time.sleep(0.05)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.flush()


def run_console(
    session: ConsoleSession, lines: Iterable[str], out: Console, *, interactive: bool,
    prompt: Callable[[], None] | None = None,
) -> int:
    """Drive the session from lines of input until /quit or end of input. Returns 0."""
    printer = _Printer(session, out)
    printer.start()
    try:
        if prompt is not None:
            prompt()
        for line in lines:
            if not interactive and line.strip():
                out.print(f"[bold yellow]>[/bold yellow] {escape(line.rstrip())}")
            try:
                command = parse_line(line)
            except (ConsoleError, ValueError) as exc:
                out.print(f"[red]{escape(str(exc))}[/red]")
                command = Meta("nothing")
            if isinstance(command, Meta):
                if command.name == "quit":
                    break
                if command.name == "help":
                    out.print(HELP)
                elif command.name == "status":
                    printer.flush()
                    out.print(render_status(session.status()))
            else:
                try:
                    session.perform(command)
                except Exception as exc:  # the console keeps going; the technician sees why
                    out.print(f"[red]{command.describe()} failed: {escape(type(exc).__name__ + ': ' + str(exc))}[/red]")
                printer.settle()
            if prompt is not None:
                prompt()
    finally:
        printer.stop()
    return 0
