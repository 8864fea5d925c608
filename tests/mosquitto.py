"""A real mosquitto broker for tests: free port, password file, ACL, stopped by its PID."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

# Users and passwords of the test broker. Roles follow the ACL documented in README.md.
USERS = {
    "robot": "robot-pass",
    "counter1": "counter1-pass",
    "counter2": "counter2-pass",
    "monitor": "monitor-pass",
    "admin": "admin-pass",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def acl_text(site: str = "+") -> str:
    """The documented ACL (see README.md, 'MQTT access control'), for one site or all ('+')."""
    return f"""\
# letan MQTT ACL: robot writes robot topics and the queue, counters command only their own counter,
# monitors only read.
user admin
topic readwrite #

user robot
topic readwrite letan/v1/{site}/#
topic readwrite homeassistant/#

pattern read letan/v1/{site}/#
pattern write letan/v1/{site}/counter/%c/cmd
"""


@dataclass
class MosquittoBroker:
    """A running mosquitto process. Counter users' client ids must be their counter number."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    persistence: bool = True

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def url_for(self, user: str) -> str:
        return f"mqtt://{user}:{self.users[user]}@127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        pwfile = self.workdir / "passwd"
        pwfile.write_text("")
        for user, password in self.users.items():
            subprocess.run(["mosquitto_passwd", "-b", str(pwfile), user, password], check=True, capture_output=True)
        aclfile = self.workdir / "acl"
        aclfile.write_text(acl_text())
        conf = self.workdir / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false",
            f"password_file {pwfile}",
            f"acl_file {aclfile}",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.workdir}/",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "max_queued_messages 0",
        ]
        if os.geteuid() == 0:
            # mosquitto drops to user 'mosquitto' when started as root and then cannot read files
            # in a private temp dir ("Unable to open pwfile").
            lines.append("user root")
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


def mosquitto_available() -> bool:
    return shutil.which("mosquitto") is not None and shutil.which("mosquitto_passwd") is not None
