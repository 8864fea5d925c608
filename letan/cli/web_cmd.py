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
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="Serve https with this certificate (PEM)."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="The certificate's private key (PEM)."),
) -> None:
    """Staff web pages over MQTT: /board (calling board), /counter/N, /rate/N, /manager."""
    import uvicorn

    from robot.mqtt.client import BrokerSettings, BrokerUrlError
    from robot.web.staff.app import StaffWeb

    centre = load_centre_or_exit(config)
    if (tls_cert is None) != (tls_key is None):
        print("error: --tls-cert and --tls-key go together", file=sys.stderr)
        raise typer.Exit(2)
    for what, path in (("--tls-cert", tls_cert), ("--tls-key", tls_key)):
        if path is not None and not path.is_file():
            print(f"error: {what} {path} is not a file", file=sys.stderr)
            raise typer.Exit(2)
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
    scheme = "https" if tls_cert is not None else "http"
    print(f"letan web: {scheme}://{shown}:{port}/board (broker {settings.display})", flush=True)
    server = uvicorn.Server(uvicorn.Config(
        staff.app, log_level="warning", access_log=False, lifespan="on", ws="websockets-sansio",
        timeout_graceful_shutdown=3,  # open pages (their sockets) do not hold up a stop
        ssl_certfile=str(tls_cert) if tls_cert else None, ssl_keyfile=str(tls_key) if tls_key else None))
    server.run(sockets=[sock])


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.command("web")(web)
