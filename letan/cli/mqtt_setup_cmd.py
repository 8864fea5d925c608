"""`letan mqtt setup`: the files of a centre's mosquitto broker (users, passwords, ACL, config, credentials)."""

from __future__ import annotations

import grp
import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import typer

from letan.cli.common import CONFIG_OPTION, load_centre_or_exit

mqtt_app = typer.Typer(help="Set up the centre's MQTT broker (mosquitto).", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


def _readable_file(path: Path | None, what: str) -> Path | None:
    if path is None:
        return None
    path = path.expanduser().resolve()
    if not path.is_file():
        raise _fail(f"{what} {path} is not a file")
    return path


@mqtt_app.command("setup")
def setup(
    config: Path = CONFIG_OPTION,
    out: Path = typer.Option(..., "--out", help="Folder for the files (created; e.g. /etc/mosquitto/letan)."),
    host: str | None = typer.Option(None, "--host", help="The broker's name or address as counters reach it "
                                                         "(default: the host of mqtt.url, else this machine's name)."),
    port: int = typer.Option(1883, "--port", min=1, max=65535, help="Plain MQTT port."),
    bind: str | None = typer.Option(None, "--bind", help="Address of the plain listener (default: every interface; "
                                                         "127.0.0.1 when TLS is set up)."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="Server certificate (PEM): adds a TLS listener."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="Its private key (PEM)."),
    tls_ca: Path | None = typer.Option(None, "--tls-ca", help="CA certificate clients check the server against."),
    tls_port: int = typer.Option(8883, "--tls-port", min=1, max=65535, help="TLS port."),
    force: bool = typer.Option(False, "--force", help="Replace existing files (every password changes)."),
    quiet: bool = typer.Option(False, "--quiet", help="Do not print the credentials sheet (it is in the folder)."),
) -> None:
    """Write mosquitto's password file and ACL, a config snippet and the credentials sheet for this centre.

    Users: robot, one per counter (counterN), board, monitor, supervisor, admin, each with a new strong
    password. The sheet is printed once and kept in OUT/credentials.txt (readable by root only).
    """
    from robot.mqtt.setup import Listener, broker_setup

    centre = load_centre_or_exit(config)
    if (tls_cert is None) != (tls_key is None):
        raise _fail("--tls-cert and --tls-key go together")
    if tls_ca is not None and tls_cert is None:
        raise _fail("--tls-ca needs --tls-cert and --tls-key")
    listener = Listener(port=port, bind=bind, tls_port=tls_port, tls_cert=_readable_file(tls_cert, "--tls-cert"),
                        tls_key=_readable_file(tls_key, "--tls-key"), tls_ca=_readable_file(tls_ca, "--tls-ca"))
    if listener.tls and tls_port == port:
        raise _fail(f"--tls-port and --port are both {port}")
    if host is None:
        configured = urlsplit(centre.mqtt.url).hostname if centre.mqtt.url else None
        host = configured or socket.gethostname()
    counters = sorted({c.number for p in centre.reception_points for c in p.counters})
    out = out.expanduser()
    made = broker_setup(centre.site.id, centre.site.name, counters, out, host=host, listener=listener,
                        topic_root=centre.mqtt.topic_root, discovery_prefix=centre.mqtt.discovery_prefix)
    try:
        out.mkdir(parents=True, exist_ok=True)
        existing = sorted(name for name in made.files if (out / name).exists())
        if existing and not force:
            raise _fail(f"{out} already has {', '.join(existing)}; pass --force to replace them (new passwords)")
        for name, text in made.files.items():
            _write(out / name, text, secret=name in made.secret_files)
    except OSError as error:
        raise _fail(f"cannot write into {out}: {error.strerror or error}") from None
    if not quiet:
        sys.stdout.write(made.sheet)
    print(f"\nWrote {', '.join(made.files)} into {out.resolve()}.\n"
          f"Include the broker config:  ln -s {out.resolve() / 'mosquitto-letan.conf'} /etc/mosquitto/conf.d/letan.conf"
          "  && systemctl restart mosquitto", file=sys.stderr)


def _write(path: Path, text: str, *, secret: bool) -> None:
    """Secrets are readable by root (and by group mosquitto when it exists, so the broker can read its files)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640 if secret else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    if secret:
        broker_readable = path.name == "passwd"
        try:
            gid = grp.getgrnam("mosquitto").gr_gid if broker_readable and os.geteuid() == 0 else None
        except KeyError:
            gid = None
        if gid is not None:
            os.chown(tmp, 0, gid)
        os.chmod(tmp, 0o640 if gid is not None else 0o600)
    os.replace(tmp, path)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.add_typer(mqtt_app, name="mqtt")
