"""Run a real mosquitto process (tests and `letan bench`): free port, password file, ACL, stopped by its PID."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free TCP port on loopback for a broker or a device that may be stopped and started again on it.

    Ports the kernel hands out (bind to 0) lie in the ephemeral range, where the application's own
    outgoing connections (e.g. an MQTT client reconnecting while the broker is unplugged) also take
    their local ports; one of them could hold the port when the device comes back. So pick a port
    below that range and check it is free (and not handed out before by this process: its first taker
    may not have bound it yet).
    """
    low, _ = _ephemeral_range()
    candidates = random.sample(range(20000, max(20001, min(low, 32768))), 200)
    for port in candidates:
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket() as sock:  # everything below the range is taken: fall back to the kernel's choice
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def mosquitto_available() -> bool:
    return shutil.which("mosquitto") is not None and shutil.which("mosquitto_passwd") is not None


@dataclass
class MosquittoBroker:
    """A mosquitto process on 127.0.0.1. With `users` empty it allows anonymous clients and has no ACL."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, str] = field(default_factory=dict)
    acl: str | None = None
    persistence: bool = True
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_port: int | None = None
    log_types: tuple[str, ...] = ("error", "warning")  # mosquitto's log_type lines (its log: workdir/mosquitto.log)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def url_for(self, user: str) -> str:
        return f"mqtt://{user}:{self.users[user]}@127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        lines = ["per_listener_settings false", f"listener {self.port} 127.0.0.1"]
        if self.tls_port is not None and self.tls_cert is not None and self.tls_key is not None:
            lines += [f"listener {self.tls_port} 127.0.0.1", f"certfile {self.tls_cert}", f"keyfile {self.tls_key}"]
        if self.users:
            pwfile = self.workdir / "passwd"
            pwfile.write_text("")
            for user, password in self.users.items():
                subprocess.run(["mosquitto_passwd", "-b", str(pwfile), user, password], check=True,
                               capture_output=True)
            lines += ["allow_anonymous false", f"password_file {pwfile}"]
        else:
            lines.append("allow_anonymous true")
        if self.acl is not None:
            aclfile = self.workdir / "acl"
            aclfile.write_text(self.acl)
            lines.append(f"acl_file {aclfile}")
        lines += [
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.workdir}/",
            "log_dest stderr", *(f"log_type {kind}" for kind in self.log_types),
            "max_queued_messages 0", "max_inflight_messages 0",
        ]
        if os.geteuid() == 0:
            # Started as root, mosquitto drops to user 'mosquitto' and cannot read files in a private temp dir.
            lines.append("user root")
        conf = self.workdir / "mosquitto.conf"
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def start(self, timeout: float = 5.0) -> None:
        conf = self.write_config()
        log = (self.workdir / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {(self.workdir / 'mosquitto.log').read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
