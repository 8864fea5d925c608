"""`letan config check` and `letan procedures`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from letan.cli.common import console, report_config_error
from robot.config import CentreConfig, ConfigError, load_catalogue_checked, load_centre
from robot.paths import DEFAULT_CATALOGUE

if TYPE_CHECKING:
    from dialogs.catalogue import Catalogue

config_app = typer.Typer(help="Check centre configuration files.", no_args_is_help=True)


@config_app.command("check")
def check(
    path: Path = typer.Argument(..., help="Centre file, e.g. config/centres/cua-nam.yaml"),
    catalogue_path: Path = typer.Option(DEFAULT_CATALOGUE, "--catalogue", help="Procedure catalogue."),
) -> None:
    """Validate a centre file against the models and the procedure catalogue.

    Exit 0 and a short summary when valid; exit 2 and one line per problem
    (file: field path: found ...; expected ...) when not.
    """
    try:
        catalogue = load_catalogue_checked(catalogue_path)
        centre = load_centre(path, catalogue)
    except ConfigError as error:
        report_config_error(error)
        raise typer.Exit(2) from None
    if not _ticket_font_covers(path, centre, catalogue):
        raise typer.Exit(2)
    handled = {p for s in centre.services for p in s.procedures}
    referred = [p.id for p in catalogue.procedures if p.id not in handled]
    console.print(f"[green]OK[/green] {path}: {centre.site.name} ({centre.site.id}), {centre.site.timezone}")
    for point in centre.reception_points:
        console.print(
            f"  point {point.id}: {len(point.counters)} counters, "
            f"{len(point.floor_map.locations)} map locations"
        )
    for svc in centre.services:
        counters = sorted({c.number for p in centre.reception_points for c in p.counters if svc.id in c.services})
        console.print(
            f"  service {svc.prefix} {svc.id} ({svc.name}): {len(svc.procedures)} procedures, counters {counters}"
        )
    console.print(f"  procedures handled here: {len(handled)}; referred elsewhere: {len(referred)} {referred}")


def _ticket_font_covers(path: Path, centre: CentreConfig, catalogue: Catalogue) -> bool:
    """Every name a ticket prints can be drawn by the ticket font (else that service's tickets never print)."""
    import sys

    from robot.ticket_print import TicketFontError, font_problems

    try:
        problems = font_problems(centre, {p.id: p for p in catalogue.procedures})
    except TicketFontError as error:  # no font at all: the machine's problem, not the file's (letan doctor)
        print(f"warning: {error}", file=sys.stderr)
        return True
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    return not problems


def _procedures(as_json: bool = typer.Option(False, "--json", help="One JSON array instead of a table.")) -> None:
    """List the procedure catalogue (id, code, name, service group)."""
    try:
        catalogue = load_catalogue_checked()
    except ConfigError as error:
        report_config_error(error)
        raise typer.Exit(2) from None
    if as_json:
        rows = [
            {
                "id": p.id, "code": p.code, "name": p.name, "field": p.field,
                "service_group": p.service_group, "handled_at_commune": p.handled_at_commune,
            }
            for p in catalogue.procedures
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Procedure catalogue ({len(catalogue.procedures)})")
    for col in ("id", "code", "name", "service group"):
        table.add_column(col)
    for p in catalogue.procedures:
        group = p.service_group if p.handled_at_commune else f"[yellow]elsewhere[/yellow] ({p.service_group})"
        table.add_row(p.id, p.code, p.name, group)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.command("procedures")(_procedures)
