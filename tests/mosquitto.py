"""The test broker: robot.mqtt.mosquitto's real mosquitto with the test users and the documented ACL."""

from __future__ import annotations

from dataclasses import dataclass, field

from robot.mqtt.acl import acl_text
from robot.mqtt.mosquitto import MosquittoBroker as _Mosquitto
from robot.mqtt.mosquitto import free_port, mosquitto_available
from tests.waiting import wait_until

__all__ = ["USERS", "MosquittoBroker", "acl_text", "free_port", "mosquitto_available"]

# Users and passwords of the test broker; roles follow the ACL in robot/mqtt/acl.py (docs/mqtt.md).
USERS = {
    "robot": "robot-pass",
    "counter1": "counter1-pass",
    "counter2": "counter2-pass",
    "counter3": "counter3-pass",
    "monitor": "monitor-pass",
    "board": "board-pass",
    "supervisor": "supervisor-pass",
    "admin": "admin-pass",
}


def standard_acl() -> str:
    """The ACL of the test broker: every site ('+'), counters 1 to 9."""
    return acl_text("+", range(1, 10))


@dataclass
class MosquittoBroker(_Mosquitto):
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    acl: str | None = field(default_factory=standard_acl)
    log_types: tuple[str, ...] = ("error", "warning", "subscribe")

    def wait_subscribed(self, client_prefix: str, topic_filter: str, timeout_s: float = 30.0) -> None:
        """Until the broker logged a subscription to `topic_filter` by a client whose id starts with
        `client_prefix`: mosquitto handles one packet at a time, so a message published after this reaches it."""
        log = self.workdir / "mosquitto.log"

        def logged() -> bool:
            return any(f": {client_prefix}" in line and line.endswith(f" {topic_filter}")
                       for line in log.read_text(errors="replace").splitlines())

        wait_until(logged, f"a subscription of {client_prefix}... to {topic_filter}", timeout_s)
