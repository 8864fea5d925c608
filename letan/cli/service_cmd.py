"""`letan service`: letan as a system service (systemd unit) and the citizen screen in a Chromium kiosk.

`letan service install` writes (or prints) two files:
- letan.service, a systemd system unit running `letan run --config FILE` as the user letan, restarted on
  failure, logging to journald, with its state in /var/lib/letan (StateDirectory, LETAN_STATE_DIR);
- letan-screen.desktop, an XDG autostart entry for the kiosk's desktop session that runs
  `letan service screen`: it waits until letan's screen answers, then becomes
  `chromium --kiosk --noerrdialogs --disable-translate --no-first-run http://127.0.0.1:PORT/`.
docs/install.md says where they go.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer

service_app = typer.Typer(help="Run letan as a system service: the systemd unit and the kiosk screen's autostart.",
                          no_args_is_help=True)

UNIT_NAME = "letan.service"
AUTOSTART_NAME = "letan-screen.desktop"
STATE_DIR = "/var/lib/letan"
DEFAULT_SCREEN_PORT = 8080
DEFAULT_USER = "letan"
# The groups that own the devices on Debian/Ubuntu: serial ports, sound, cameras, USB printers.
DEVICE_GROUPS = ("dialout", "audio", "video", "lp", "plugdev")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
KIOSK_FLAGS = ("--kiosk", "--noerrdialogs", "--disable-translate", "--no-first-run",
               "--disable-session-crashed-bubble")


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


def screen_url(centre: Any) -> tuple[str, str | None]:
    """The address of the citizen screen `letan run` serves, from the centre file's `screen` section (port 8080
    without one), and a warning for the technician when the kiosk could not reach it as configured."""
    screen = getattr(centre, "screen", None)
    if screen is None:
        return (f"http://127.0.0.1:{DEFAULT_SCREEN_PORT}/",
                f"the centre file has no screen section, so `letan run` serves no screen; add one "
                f"(screen: {{port: {DEFAULT_SCREEN_PORT}}}) for the kiosk")
    port = getattr(screen, "port", DEFAULT_SCREEN_PORT)
    host = str(getattr(screen, "host", "127.0.0.1") or "127.0.0.1")
    warning = None
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        warning = f"screen.port is {port!r} (any free port): give the kiosk a fixed port such as {DEFAULT_SCREEN_PORT}"
        port = DEFAULT_SCREEN_PORT
    if host in ("0.0.0.0", "::", "localhost", ""):
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/", warning


def _plain_line(value: str, what: str) -> str:
    if any(ch in value for ch in "\n\r\0"):
        raise ValueError(f"{what} {value!r} has a line break: expected a path on one line")
    return value


def systemd_quote(arg: str) -> str:
    """One argument of a unit's ExecStart: % and $ escaped (specifiers, variables), quoted when needed."""
    text = _plain_line(arg, "argument").replace("%", "%%").replace("$", "$$")
    if text and not any(ch in text for ch in " \t\"'\\;"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def desktop_quote(arg: str) -> str:
    """One argument of a .desktop Exec= (Desktop Entry Specification, "The Exec key")."""
    text = _plain_line(arg, "argument")
    if text and not any(ch in text for ch in " \t\"'\\><~|&;$*?#()`="):
        return text.replace("%", "%%")
    quoted = "".join("\\" + ch if ch in '"`$\\' else ch for ch in text)
    # The value of Exec is a string, in which a backslash is written twice.
    return ('"' + quoted + '"').replace("\\", "\\\\").replace("%", "%%")


def service_unit(*, letan: str, config: str, site: str, user: str = DEFAULT_USER) -> str:
    """The text of letan.service."""
    exec_start = " ".join(systemd_quote(a) for a in (letan, "run", "--config", config))
    return f"""\
# letan, the reception robot of the centre {site}, as a system service.
# Written by `letan service install`. Install it (docs/install.md):
#   sudo cp {UNIT_NAME} /etc/systemd/system/ && sudo systemctl daemon-reload
#   sudo systemctl enable --now letan
# Logs: journalctl -u letan -f. State (queue, outbox, dossiers): {STATE_DIR}.
# It runs as the user {user} (sudo useradd --system --home-dir {STATE_DIR} --shell /usr/sbin/nologin {user}).

[Unit]
Description=letan reception robot ({site})
Wants=network-online.target
After=network-online.target mosquitto.service

[Service]
Type=simple
User={user}
Group={user}
# Serial ports, sound, cameras and USB printers belong to these groups.
SupplementaryGroups={" ".join(DEVICE_GROUPS)}
ExecStart={exec_start}
# letan keeps its state here (systemd creates it, owned by {user}).
StateDirectory=letan
StateDirectoryMode=0750
Environment=LETAN_STATE_DIR={STATE_DIR}
CacheDirectory=letan
Environment=LETAN_CACHE_DIR=/var/cache/letan
Environment=PYTHONUNBUFFERED=1
WorkingDirectory={STATE_DIR}
StandardOutput=journal
StandardError=journal
SyslogIdentifier=letan
Restart=on-failure
RestartSec=5
# What `systemctl stop` sends; letan has TimeoutStopSec to stop its parts before SIGKILL.
KillSignal=SIGTERM
TimeoutStopSec=30
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=read-only
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
"""


def autostart_entry(*, letan: str, url: str) -> str:
    """The text of letan-screen.desktop (XDG autostart of the kiosk's desktop session)."""
    command = " ".join(desktop_quote(a) for a in (letan, "service", "screen", "--url", url))
    return f"""\
# The citizen screen of letan, full screen in Chromium, started with the kiosk's desktop session.
# Written by `letan service install`. Install it (docs/install.md) for every user:
#   sudo cp {AUTOSTART_NAME} /etc/xdg/autostart/
# or for the kiosk's user only: cp {AUTOSTART_NAME} ~/.config/autostart/
# `letan service screen` waits until letan answers on {url}, then runs
#   chromium {" ".join(KIOSK_FLAGS)} {url}
[Desktop Entry]
Type=Application
Name=letan screen
Comment=letan citizen screen (Chromium kiosk)
Exec={command}
Terminal=false
NoDisplay=true
X-GNOME-Autostart-enabled=true
"""


def _letan_executable(given: Path | None) -> str:
    if given is not None:
        path = given.expanduser().absolute()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise _fail(f"--letan {path} is not an executable file")
        return str(path)
    beside = Path(sys.executable).parent / "letan"  # the venv letan runs from, e.g. /opt/letan/bin/letan
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("letan")
    if found is None:
        raise _fail("cannot find the letan command; pass --letan PATH (e.g. /opt/letan/bin/letan)")
    return str(Path(found).absolute())


def _write_files(files: dict[Path, str], force: bool) -> None:
    existing = [str(path) for path in files if path.exists()]
    if existing and not force:
        raise _fail(f"{', '.join(existing)} already exist(s); pass --force to replace")
    for path, text in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.chmod(0o644)
            os.replace(tmp, path)
        except OSError as error:
            raise _fail(f"cannot write {path}: {error.strerror or error}") from None
        print(f"wrote {path}")


@service_app.command("install")
def install(
    config: Path = typer.Option(..., "--config", "-c", help="The centre file the service runs, e.g. "
                                                            "/etc/letan/centre.yaml (checked first)."),
    out: Path | None = typer.Option(None, "--out", help="Write the files into this folder (e.g. "
                                                        "/etc/systemd/system); default: print them."),
    autostart_dir: Path | None = typer.Option(None, "--autostart-dir", help="Write the screen's autostart entry "
                                                                            "here instead (e.g. /etc/xdg/autostart)."),
    user: str = typer.Option(DEFAULT_USER, "--user", help="The system user the service runs as."),
    letan: Path | None = typer.Option(None, "--letan", help="The letan command (default: the one running now)."),
    force: bool = typer.Option(False, "--force", help="Replace files that exist."),
) -> None:
    """The systemd unit of `letan run --config FILE` and the kiosk screen's autostart entry."""
    from letan.cli.common import load_centre_or_exit

    config_path = config.expanduser().absolute()
    centre = load_centre_or_exit(config_path)
    hidden = next((top for top in ("/tmp", "/var/tmp", "/home", "/root") if config_path.is_relative_to(top)), None)
    if hidden is not None:
        print(f"warning: {config_path} is under {hidden}, which the service does not see or cannot read (it has "
              "a private /tmp and no home); copy the file to /etc/letan/ and pass that path", file=sys.stderr)
    if not user or not all(ch.isalnum() or ch in "_-" for ch in user) or user[0] == "-":
        raise _fail(f"--user {user!r}: expected a user name such as letan")
    program = _letan_executable(letan)
    url, warning = screen_url(centre)
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        unit = service_unit(letan=program, config=str(config_path), site=centre.site.id, user=user)
        entry = autostart_entry(letan=program, url=url)
    except ValueError as error:
        raise _fail(str(error)) from None
    if out is None and autostart_dir is None:
        print(f"# ---- {UNIT_NAME}: copy to /etc/systemd/system/{UNIT_NAME}")
        print(unit)
        print(f"# ---- {AUTOSTART_NAME}: copy to /etc/xdg/autostart/{AUTOSTART_NAME}")
        print(entry, end="")
        return
    files: dict[Path, str] = {}
    if out is not None:
        files[out.expanduser() / UNIT_NAME] = unit
    files[(autostart_dir or out or Path()).expanduser() / AUTOSTART_NAME] = entry
    _write_files(files, force)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@service_app.command("screen")
def screen(
    url: str = typer.Option(f"http://127.0.0.1:{DEFAULT_SCREEN_PORT}/", "--url", help="The screen's address."),
    chromium: str | None = typer.Option(None, "--chromium", help="The browser (default: chromium or "
                                                                  "chromium-browser on PATH)."),
    wait: float = typer.Option(120.0, "--wait", min=0, help="Seconds to wait for letan's screen to answer; then "
                                                              "the browser starts anyway."),
) -> None:
    """Wait until letan's screen answers, then show it full screen (Chromium kiosk). Started at login."""
    parts = urlsplit(url)
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        raise _fail(f"--url {url!r}: expected an address such as http://127.0.0.1:{DEFAULT_SCREEN_PORT}/")
    if chromium is not None:
        browser = shutil.which(chromium)
        if browser is None:
            raise _fail(f"--chromium {chromium}: no such program")
    else:
        browser = next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)
        if browser is None:
            raise _fail("Chromium is not installed: sudo apt-get install -y chromium (or pass --chromium)")
    deadline = time.monotonic() + wait
    while not _answers(host, port):
        if time.monotonic() >= deadline:
            print(f"letan screen: nothing answers on {host}:{port} after {wait:g} s; starting the browser anyway",
                  file=sys.stderr)
            break
        time.sleep(0.5)  # polling a port that is not open yet: there is nothing to wait on instead
    sys.stdout.flush()
    os.execv(browser, [browser, *KIOSK_FLAGS, url])


def register(app: typer.Typer) -> None:
    app.add_typer(service_app, name="service")
