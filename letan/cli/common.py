"""Shared pieces of the command line: console, config loading with clean errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from robot.config import CentreConfig, ConfigError, load_catalogue_checked, load_centre
from robot.paths import DEFAULT_CENTRE

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console


def __getattr__(name: str) -> Any:
    """`console` and `err_console` are made on first use: rich takes a while to import, and the queue
    commands print plain lines (issue 14: light commands start fast)."""
    if name in ("console", "err_console"):
        from rich.console import Console

        globals().update(console=Console(highlight=False), err_console=Console(stderr=True, highlight=False))
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

CONFIG_OPTION = typer.Option(DEFAULT_CENTRE, "--config", "-c", help="Centre configuration file (YAML).")


def report_config_error(error: ConfigError) -> None:
    """Print one line per problem on stderr (plain, no markup)."""
    for problem in error.problems:
        print(str(problem), file=sys.stderr)


def ensure_state_files(centre: CentreConfig) -> None:
    """Exit 2 with one line naming the folder when a state file of the centre (queue database, outbox, dossier
    store: by default in the state directory) could not be written there."""
    from robot.paths import StateDirError, ensure_parent

    paths = [centre.queue_db_path(), centre.outbox_path()]
    if centre.dossier.provider == "sqlite":
        paths.append(centre.dossier_db_path())
    try:
        for path in paths:
            ensure_parent(path)
    except StateDirError as error:
        print(str(error), file=sys.stderr)
        raise typer.Exit(2) from None


def load_centre_or_exit(path: Path) -> CentreConfig:
    """Load a centre file; on any problem print them and exit with code 2."""
    try:
        return load_centre(path, load_catalogue_checked())
    except ConfigError as error:
        report_config_error(error)
        raise typer.Exit(2) from None
