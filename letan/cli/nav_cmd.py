"""`letan nav ...`: a technician's check of a floor map (planned route, length, walking time)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from letan.cli.common import CONFIG_OPTION, load_centre_or_exit
from robot.navigation.planner import UnknownLocation, Unreachable, plan

nav_app = typer.Typer(help="Navigation on the centre's floor map.", no_args_is_help=True)


@nav_app.command("route")
def route(
    config: Path = CONFIG_OPTION,
    start: str = typer.Option("entrance", "--from", help="Start location name."),
    to: str = typer.Option(..., "--to", help="Destination location name (e.g. counter_3, toilet)."),
    point: str | None = typer.Option(None, "--point", help="Reception point id (default: the robot's)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print the planned path between two locations, its length and the estimated walking time."""
    centre = load_centre_or_exit(config)
    try:
        reception = centre.point(point)
    except KeyError:
        valid = ", ".join(p.id for p in centre.reception_points)
        print(f"unknown reception point {point!r}; valid ids: {valid}", file=sys.stderr)
        raise typer.Exit(2) from None
    nav = centre.navigation
    try:
        found = plan(reception.floor_map, start, to)
    except UnknownLocation as exc:
        print(f"unknown location {exc.name!r} in {reception.id}; valid names: {', '.join(exc.valid)}", file=sys.stderr)
        raise typer.Exit(2) from None
    except Unreachable as exc:
        print(f"{exc} in {reception.id}: check floor_map.edges", file=sys.stderr)
        raise typer.Exit(1) from None
    data = {
        "point": reception.id,
        "from": start,
        "to": to,
        "path": list(found.nodes),
        "points": [list(p) for p in found.points],
        "length_m": round(found.length_m, 2),
        "walking_time_s": round(found.time_s(nav.walking_speed_mps), 1),
        "guided_time_s": round(found.time_s(nav.guide_speed_mps), 1),
    }
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    print(f"{reception.id}: {start} -> {to}")
    print("path: " + " -> ".join(found.nodes))
    print(f"length: {found.length_m:.1f} m")
    print(f"walking time: {data['walking_time_s']:.0f} s at {nav.walking_speed_mps} m/s; "
          f"led by the robot: {data['guided_time_s']:.0f} s at {nav.guide_speed_mps} m/s")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.add_typer(nav_app, name="nav")
