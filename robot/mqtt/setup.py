"""A centre's broker setup (`letan mqtt setup`): accounts with strong passwords, mosquitto's password file,
the ACL, a mosquitto config snippet and a credentials sheet (docs/mqtt.md, "Setting up the broker").

Pure functions: the command line writes the files. The password file uses mosquitto's own format
(`$7$`: PBKDF2-SHA512, 101 iterations, 12-byte salt, as `mosquitto_passwd` writes it since mosquitto 2.0).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from robot.mqtt.acl import acl_text

PBKDF2_ITERATIONS = 101  # mosquitto_passwd's default
PASSWORD_BYTES = 18  # 24 URL-safe characters, 144 bits


@dataclass(frozen=True)
class Account:
    user: str
    password: str
    role: str  # robot, counter, board, monitor, supervisor, admin
    purpose: str  # for the technician reading the sheet (English)


@dataclass(frozen=True)
class Listener:
    port: int = 1883
    bind: str | None = None  # None: every interface
    tls_port: int = 8883
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_ca: Path | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None and self.tls_key is not None


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def accounts_for(counters: Iterable[int], *, robot_user: str = "robot") -> list[Account]:
    """Every user of one site's broker, each with a fresh password."""
    accounts = [
        Account(robot_user, new_password(), "robot",
                "the robot application (letan run) and letan queue commands: writes queue and robot topics"),
        Account("board", new_password(), "board", "the waiting-room board: reads the queue and robot status"),
        Account("monitor", new_password(), "monitor", "letan monitor and the manager page: reads everything"),
        Account("supervisor", new_password(), "supervisor",
                "staff commands to robots (pause, resume, dispense...): reads everything, writes robot cmd"),
        Account("admin", new_password(), "admin", "maintenance and bridges only: reads and writes everything"),
    ]
    accounts += [Account(f"counter{n}", new_password(), "counter",
                         f"counter {n}'s console (letan counter {n}, the staff page): its own commands only")
                 for n in sorted(set(counters))]
    return accounts


def password_line(user: str, password: str, salt: bytes | None = None,
                  iterations: int = PBKDF2_ITERATIONS) -> str:
    """One line of mosquitto's password file for this user."""
    if ":" in user or not user or any(c.isspace() for c in user):
        raise ValueError(f"an MQTT user name may not be empty or contain ':' or spaces: {user!r}")
    salt = secrets.token_bytes(12) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return f"{user}:$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def password_file(accounts: Iterable[Account]) -> str:
    return "".join(password_line(a.user, a.password) + "\n" for a in accounts)


def check_password(line: str, password: str) -> bool:
    """Whether a password-file line accepts this password (for tests and `letan doctor`)."""
    _user, _, hashed = line.strip().partition(":")
    parts = hashed.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), base64.b64decode(parts[3]), int(parts[2]), 64)
    return secrets.compare_digest(base64.b64encode(digest).decode(), parts[4])


def mosquitto_snippet(listener: Listener, password_path: Path, acl_path: Path) -> str:
    """A file for /etc/mosquitto/conf.d/: listeners, logins only, the ACL, persistence on.

    Debian's main mosquitto.conf already sets `persistence_location`; a second one is an error there, so the
    snippet only switches persistence on and sets how often it is saved.
    """
    plain_bind = listener.bind if listener.bind is not None else ("127.0.0.1" if listener.tls else None)
    lines = [
        "# letan broker setup (letan mqtt setup; docs/mqtt.md). Include from mosquitto.conf, e.g. as",
        "# /etc/mosquitto/conf.d/letan.conf. Every client logs in; the ACL says what each user may do.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {password_path}",
        f"acl_file {acl_path}",
        "",
        "# Plain MQTT" + (" for the robot on this machine only (others use TLS below)." if listener.tls else "."),
        f"listener {listener.port}" + (f" {plain_bind}" if plain_bind else ""),
    ]
    if listener.tls:
        lines += ["", "# MQTT over TLS for the centre's network (mqtts://).", f"listener {listener.tls_port}",
                  f"certfile {listener.tls_cert}", f"keyfile {listener.tls_key}"]
        if listener.tls_ca is not None:
            lines.append(f"cafile {listener.tls_ca}")
    lines += [
        "",
        "# Queue events and retained states survive a broker restart.",
        "persistence true",
        "autosave_interval 60",
        "",
    ]
    return "\n".join(lines)


def broker_url(account: Account, host: str, listener: Listener) -> str:
    if listener.tls:
        return f"mqtts://{account.user}:{account.password}@{host}:{listener.tls_port}"
    return f"mqtt://{account.user}:{account.password}@{host}:{listener.port}"


def credentials_sheet(site_name: str, site_id: str, accounts: Iterable[Account], host: str,
                      listener: Listener) -> str:
    """The sheet a technician keeps (and hands each counter its own line): user, password, URL, purpose."""
    accounts = list(accounts)
    lines = [
        f"letan MQTT accounts for {site_name} ({site_id})",
        "Keep this sheet private. Each person gets only their own line. Passwords are not stored anywhere else;",
        "to change one, run `letan mqtt setup` again with --force (it makes new passwords for every user).",
        "",
    ]
    for account in accounts:
        lines += [f"{account.user}: {account.purpose}",
                  f"    password: {account.password}",
                  f"    broker:   {broker_url(account, host, listener)}", ""]
    robot = next(a for a in accounts if a.role == "robot")
    scheme = "mqtts" if listener.tls else "mqtt"
    port = listener.tls_port if listener.tls else listener.port
    lines += ["The robot's centre file (mqtt section):", "  mqtt:",
              f"    url: {scheme}://{host}:{port}", f"    username: {robot.user}", f"    password: {robot.password}"]
    if listener.tls and listener.tls_ca is not None:
        lines.append(f"    ca_file: {listener.tls_ca}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class BrokerSetup:
    """The files of one site's broker setup, by file name."""

    files: dict[str, str]
    secret_files: frozenset[str]
    accounts: tuple[Account, ...]

    @property
    def sheet(self) -> str:
        return self.files["credentials.txt"]


def broker_setup(site_id: str, site_name: str, counters: Iterable[int], out_dir: Path, *, host: str,
                 listener: Listener, topic_root: str = "letan/v1", discovery_prefix: str = "homeassistant",
                 robot_user: str = "robot") -> BrokerSetup:
    """Everything `letan mqtt setup` writes into `out_dir` (the snippet names files by their path there)."""
    counters = sorted(set(counters))
    accounts = accounts_for(counters, robot_user=robot_user)
    out_dir = out_dir.resolve()
    files = {
        "passwd": password_file(accounts),
        "acl": acl_text(site_id, counters, root=topic_root, discovery_prefix=discovery_prefix,
                        robot_user=robot_user),
        "mosquitto-letan.conf": mosquitto_snippet(listener, out_dir / "passwd", out_dir / "acl"),
        "credentials.txt": credentials_sheet(site_name, site_id, accounts, host, listener),
        "credentials.json": json.dumps({"site": site_id, "host": host,
                                        "port": listener.tls_port if listener.tls else listener.port,
                                        "tls": listener.tls,
                                        "accounts": [{"user": a.user, "password": a.password, "role": a.role}
                                                     for a in accounts]}, ensure_ascii=False, indent=2) + "\n",
    }
    return BrokerSetup(files, frozenset({"passwd", "credentials.txt", "credentials.json"}), tuple(accounts))
