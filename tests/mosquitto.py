"""The test broker: robot.mqtt.mosquitto's real mosquitto with the test users and the documented ACL."""

from __future__ import annotations

from dataclasses import dataclass, field

from robot.mqtt.acl import acl_text
from robot.mqtt.mosquitto import MosquittoBroker as _Mosquitto
from robot.mqtt.mosquitto import free_port, mosquitto_available

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
