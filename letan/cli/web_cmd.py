"""`letan web`: the calling board, the counter consoles, the rating tablets and the manager page (docs/staff.md)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import typer

from letan.cli.common import CONFIG_OPTION, load_centre_or_exit


def web(
    config: Path = CONFIG_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8090, "--port", min=1, max=65535, help="Port to listen on."),
    broker: str | None = typer.Option(None, "--broker", help="mqtt[s]://board:PASSWORD@host:port: the board's own "
                                                               "connection (default: the config's mqtt.url)."),
) -> None:
    """Staff web pages over MQTT: /board (calling board), /counter/N, /rate/N, /manager."""
    import uvicorn

    from robot.mqtt.client import BrokerSettings, BrokerUrlError
    from robot.web.staff.app import StaffWeb

    centre = load_centre_or_exit(config)
    try:
        settings = BrokerSettings.from_config(centre.mqtt, broker)
    except BrokerUrlError as error:
        print(f"error: {error}", file=sys.stderr)
        raise typer.Exit(2) from None
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        print(f"error: cannot listen on {host}:{port} ({error.strerror or error})", file=sys.stderr)
        raise typer.Exit(2) from None
    staff = StaffWeb(centre, settings)
    shown = f"[{host}]" if ":" in host else host
    print(f"letan web: http://{shown}:{port}/board (broker {settings.display})", flush=True)
    server = uvicorn.Server(uvicorn.Config(staff.app, log_level="warning", access_log=False, lifespan="on",
                                           ws="websockets-sansio"))
    server.run(sockets=[sock])


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.command("web")(web)
