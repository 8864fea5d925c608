"""The `letan` command line: one Typer app, one module per area of commands."""

from __future__ import annotations

import importlib

import typer

from letan.cli.common import console

app = typer.Typer(
    name="letan",
    help="letan: the reception robot of a ward public administrative service centre.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"letan {version('letan')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """letan: the reception robot of a ward public administrative service centre."""


# Each module adds its commands to `app` with a `register(app)` function.
_COMMAND_MODULES = (
    "config_cmd",  # config check, procedures
    "doctor",  # doctor
    "queue_cmd",  # queue ..., ticket ...
    "dialog_cmd",  # understand
    "mqtt_cmd",  # monitor, counter
    "dossier_cmd",  # qr ..., dossier ...
    "nav_cmd",  # nav ...
    "run_cmd",  # run, sim
    "bench_cmd",  # bench
)
for _name in _COMMAND_MODULES:
    importlib.import_module(f"letan.cli.{_name}").register(app)


def main() -> None:
    app()
