"""The simulation's commands, written once: the scenario step's action, the console's /command, its help
line, how the console reads its argument, and which action of the running simulation performs it.

`simulator.scenario.Step` has one field per command (a scenario file names the command as the key,
`call: 1`); the console (simulator/console.py) types the same commands as `/call 1`, plain text for
`say`; `SimSession.perform` (simulator/session.py) looks the step's command up here and runs its
handler on the session, which implements `Performer`. Adding a command is one `Command` below, a
field of `Step` and, for a new kind of action, a `Performer` method (tests/test_sim_commands.py checks
that the table, the step, the console and the session agree).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the step model imports this table; the handlers only need its type
    from simulator.scenario import Step


class ConsoleError(ValueError):
    """A line the console cannot understand (message for the technician, in English)."""


class Performer(Protocol):
    """What the commands do to a running simulation (simulator.session.SimSession)."""

    def say(self, text: str) -> None: ...

    def arrive(self, someone: bool) -> None: ...

    def hear_wav(self, path: Path) -> None: ...

    def scan_code(self, text: str) -> None: ...

    def hold_up(self, path: Path) -> None: ...

    def counter_next(self, counter: int) -> None: ...

    def fault(self, device: str, kind: str) -> None: ...

    def unplug(self, device: str) -> None: ...

    def plug(self, device: str) -> None: ...

    def obstacle(self, blocked: bool) -> None: ...

    def advance(self, seconds: float) -> None: ...

    def wait_spoken(self, timeout_s: float) -> None: ...


# ---------------------------------------------------------------------------------------------
# The console's argument readers: the text after /name -> the value of the step's field


def _nothing(name: str, rest: str) -> bool:
    return True


def _text(name: str, rest: str) -> str:
    if not rest:
        raise ConsoleError(f"/{name} needs an argument; see /help")
    return rest


def _device_and_kind(name: str, rest: str) -> str:
    if len(rest.split()) != 2:
        raise ConsoleError("usage: /fault DEVICE KIND, e.g. /fault printer paper-out")
    return rest


def _counter(name: str, rest: str) -> int:
    if not rest.isdigit():
        raise ConsoleError("usage: /call N, where N is a counter number")
    return int(rest)


def _on_off(name: str, rest: str) -> bool:
    if rest.lower() not in ("on", "off"):
        raise ConsoleError("usage: /obstacle on|off")
    return rest.lower() == "on"


def _seconds(name: str, rest: str) -> float:
    try:
        seconds = float(rest)
    except ValueError:
        raise ConsoleError("usage: /wait SECONDS") from None
    if seconds < 0:
        raise ConsoleError("usage: /wait SECONDS (not negative)")
    return seconds


def _fault(session: Performer, step: Step) -> None:
    device, _, kind = str(step.fault).partition(" ")
    session.fault(device, kind.strip())


@dataclass(frozen=True)
class Command:
    """One command. `usage` is how the console types it ("" for `say`, which is plain text; None for a command
    only scenario files use); `read` turns the console's argument into the step's value."""

    name: str
    usage: str | None
    help: str
    perform: Callable[[Performer, Step], None]
    read: Callable[[str, str], Any] = _nothing


SAY_HELP = "Type what the citizen says, e.g. [bold]tôi muốn chứng thực bản sao[/bold], or a command:"

# In the order of the console's help (and of the scenario's error message naming the actions).
TABLE: tuple[Command, ...] = (
    Command("say", "", SAY_HELP, lambda s, step: s.say(str(step.say))),
    Command("arrive", "/arrive", "a citizen steps up to the camera (after whoever stood there walks away)",
            lambda s, step: s.arrive(bool(step.arrive))),
    Command("leave", "/leave", "the citizen in front of the camera walks away",
            lambda s, step: s.arrive(False)),
    Command("wav", "/wav FILE", "speak a WAV file through the recogniser",
            lambda s, step: s.hear_wav(Path(str(step.wav))), _text),
    Command("qr", "/qr CODE", "the handheld QR scanner reads CODE (a dossier code or ticket reference)",
            lambda s, step: s.scan_code(str(step.qr)), _text),
    Command("scan", "/scan IMAGE", "hold an image (receipt, ticket) up to the camera",
            lambda s, step: s.hold_up(Path(str(step.scan))), _text),
    Command("call", "/call N", "counter N calls the next ticket",
            lambda s, step: s.counter_next(int(step.call or 0)), _counter),
    Command("fault", "/fault DEVICE KIND", "e.g. /fault printer paper-out, /fault printer ok, /fault printer offline",
            _fault, _device_and_kind),
    Command("unplug", "/unplug DEVICE", "scanner, camera, printer or broker (microphone with --audio-realtime)",
            lambda s, step: s.unplug(str(step.unplug)), _text),
    Command("plug", "/plug DEVICE", "put an unplugged device back",
            lambda s, step: s.plug(str(step.plug)), _text),
    Command("obstacle", "/obstacle on|off", "block or clear the corridor in front of the robot",
            lambda s, step: s.obstacle(bool(step.obstacle)), _on_off),
    Command("wait", "/wait SECONDS", "let simulated time pass",
            lambda s, step: s.advance(float(step.wait or 0.0)), _seconds),
    Command("spoken", None, "wait until the robot has finished speaking (scenario files only)",
            lambda s, step: s.wait_spoken(step.timeout + 60.0)),
)

COMMANDS: Mapping[str, Command] = {command.name: command for command in TABLE}
ACTIONS: tuple[str, ...] = tuple(COMMANDS)  # the step fields that are actions

# The console's own commands (not simulation steps): name -> (what the technician may type, help line).
META: Mapping[str, tuple[tuple[str, ...], str]] = {
    "status": (("status",), "queue, devices and robot state"),
    "help": (("help", "h", "?"), "this help"),
    "quit": (("quit", "exit", "q"), "stop the simulation"),
}


def console_commands() -> dict[str, Command]:
    """The commands typed with a slash at the console, by name."""
    return {c.name: c for c in TABLE if c.usage}


def help_text() -> str:
    """The console's /help, from the table."""
    rows = [(c.usage or "", c.help) for c in TABLE if c.usage]
    rows += [(f"/{name}", line) for name, (_, line) in META.items()]
    return "\n".join([SAY_HELP, *(f"  {usage:<21} {line}" for usage, line in rows)])
