"""The root Typer app of `letan`, whose commands are imported only when they run.

`letan --help` lists the commands from the table letan.cli.COMMANDS (name, module, one-line help) without
importing their modules; running `letan NAME ...` imports NAME's module, lets it `register` its commands
on a Typer app of its own and runs the real command.
"""

from __future__ import annotations

import importlib

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup
from typer.main import get_group

from letan.cli import COMMANDS, version

HELP = "letan: the reception robot of a ward public administrative service centre."


class _Placeholder(TyperCommand):
    """A command not imported yet: its name and help, for `letan --help`."""


def module_commands(module: str) -> dict[str, _click.Command]:
    """The top-level commands that letan/cli/<module>.py registers, as click commands."""
    sub = typer.Typer(rich_markup_mode="rich", pretty_exceptions_enable=False)  # as the root app
    importlib.import_module(f"letan.cli.{module}").register(sub)
    return dict(get_group(sub).commands)


class LazyGroup(TyperGroup):
    """The root group: commands of the table are loaded on first use."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = _Placeholder(cmd_name, help=COMMANDS[cmd_name][1])
        return command

    def load(self, cmd_name: str) -> _click.Command | None:
        """The real command: imported from its module (or, for a name missing from the table, from all of them,
        so that a command registered but not yet listed still runs)."""
        every = dict.fromkeys(module for module, _ in COMMANDS.values())
        modules = [COMMANDS[cmd_name][0]] if cmd_name in COMMANDS else list(every)
        for module in modules:
            for name, command in module_commands(module).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            self.load(args[0])
        return super().resolve_command(ctx, args)


def _version(value: bool) -> None:
    if value:
        print(f"letan {version()}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="letan",
        help=HELP,
        cls=LazyGroup,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    ) -> None:
        """letan: the reception robot of a ward public administrative service centre."""

    return app
