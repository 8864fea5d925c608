"""The simulation's command table (simulator/commands.py) is the one list: the scenario step's fields, the
console's help and parser, and the session's handlers all come from it and cover the same commands."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from simulator.commands import ACTIONS, COMMANDS, META, TABLE, Performer, console_commands
from simulator.console import HELP, ConsoleError, Meta, parse_line
from simulator.scenario import Step
from simulator.session import SimSession

# One console line per slash command, as a technician types it; a command added to the table without a line
# here fails test_every_console_command_is_in_the_help_and_parses.
CONSOLE_LINES = {
    "arrive": "/arrive",
    "leave": "/leave",
    "wav": "/wav hello.wav",
    "qr": "/qr 000.A0.01.H26-210212-9090",
    "scan": "/scan receipt.jpg",
    "call": "/call 2",
    "fault": "/fault printer paper-out",
    "unplug": "/unplug scanner",
    "plug": "/plug scanner",
    "obstacle": "/obstacle on",
    "wait": "/wait 30",
}
SCENARIO_ONLY = {"spoken"}  # `spoken: true` in scenario files; not typed at the console


def _performer_methods() -> set[str]:
    return {name for name, value in vars(Performer).items() if callable(value) and not name.startswith("_")}


class Recorder:
    """A Performer that writes down which of its actions a command asked for (and with what): one method per
    member of the Performer protocol."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        for name in _performer_methods():
            setattr(self, name, self._noting(name))

    def _noting(self, name: str) -> Callable[..., None]:
        return lambda *args: self.calls.append((name, args))

    def performer(self) -> Performer:
        return cast(Performer, self)


def test_the_step_fields_are_the_commands() -> None:
    fields = set(Step.model_fields) - {"expect", "timeout"}
    assert fields == set(ACTIONS) == set(COMMANDS)
    assert len(TABLE) == len(COMMANDS)  # no name twice


def test_every_console_command_is_in_the_help_and_parses() -> None:
    typed = set(console_commands())
    assert typed == set(COMMANDS) - SCENARIO_ONLY - {"say"}
    assert set(CONSOLE_LINES) == typed
    for name, line in CONSOLE_LINES.items():
        usage = COMMANDS[name].usage
        assert usage and usage.split()[0] == f"/{name}" and f"  {usage} " in HELP, name
        step = parse_line(line)
        assert isinstance(step, Step) and step.action == name, line
    assert parse_line("tôi muốn chứng thực bản sao").action == "say"  # type: ignore[union-attr]
    for name, (words, line) in META.items():
        assert f"/{name}" in HELP and line in HELP
        assert {parse_line(f"/{word}") for word in words} == {Meta(name)}
    for name in SCENARIO_ONLY | {"say"}:
        assert f"/{name} " not in HELP
        with pytest.raises(ConsoleError, match=f"unknown command /{name}"):
            parse_line(f"/{name} x")


def test_the_console_keeps_its_usage_messages() -> None:
    for line, message in [("/call x", "usage: /call N"), ("/fault printer", "usage: /fault DEVICE KIND"),
                          ("/obstacle maybe", "usage: /obstacle on|off"), ("/wait soon", "usage: /wait SECONDS"),
                          ("/wait -1", r"SECONDS \(not negative\)"), ("/qr", "/qr needs an argument")]:
        with pytest.raises(ConsoleError, match=message):
            parse_line(line)
    assert parse_line("/OBSTACLE Off") == Step(obstacle=False)
    assert parse_line("/arrive now") == Step(arrive=True)


@pytest.mark.parametrize("name", ACTIONS)
def test_every_command_has_a_handler_that_the_session_implements(name: str) -> None:
    line = CONSOLE_LINES.get(name)
    parsed = parse_line(line) if line else Step.model_validate({name: "hello" if name == "say" else True})
    assert isinstance(parsed, Step)
    recorder = Recorder()
    COMMANDS[name].perform(recorder.performer(), parsed)
    assert len(recorder.calls) == 1, f"{name}: its handler asked for {recorder.calls}"
    method, _ = recorder.calls[0]
    assert method in _performer_methods()
    wanted = [p for p in inspect.signature(getattr(Performer, method)).parameters if p != "self"]
    have = list(inspect.signature(getattr(SimSession, method)).parameters)
    assert have[1:len(wanted) + 1] == wanted, f"SimSession.{method}{have} does not take {wanted}"


def test_handlers_pass_the_step_values_on() -> None:
    recorder = Recorder()
    for step in (Step(call=3), Step(fault="printer paper-out"), Step(leave=True), Step(arrive=True),
                 Step(obstacle=False), Step(wait=1.5), Step(spoken=True, timeout=2), Step(scan="a.jpg")):
        COMMANDS[step.action].perform(recorder.performer(), step)
    assert recorder.calls == [
        ("counter_next", (3,)), ("fault", ("printer", "paper-out")), ("arrive", (False,)), ("arrive", (True,)),
        ("obstacle", (False,)), ("advance", (1.5,)), ("wait_spoken", (62.0,)), ("hold_up", (Path("a.jpg"),)),
    ]
