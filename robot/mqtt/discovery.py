"""Home Assistant MQTT discovery: retained config messages under `{discovery_prefix}/sensor/...` that
point Home Assistant at letan's retained robot status and queue snapshots, so a centre already running
Home Assistant sees the robot and the queue without configuration."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from robot.config import CentreConfig
from robot.mqtt.messages import QueueSnapshot, RobotAvailability, RobotStatus


@dataclass(frozen=True)
class DiscoveryConfig:
    """One Home Assistant entity config; publishable through the OutboxPublisher like a letan message."""

    config_topic: str
    config: dict[str, Any] = field(hash=False)
    retain: bool = True

    def topic(self, root: str = "") -> str:
        return self.config_topic

    def to_json(self) -> bytes:
        return json.dumps(self.config, ensure_ascii=False, separators=(",", ":")).encode()


# (key in the status payload, name, unit, device_class, state_class)
ROBOT_SENSORS: tuple[tuple[str, str, str | None, str | None, str | None], ...] = (
    ("battery_pct", "Battery", "%", "battery", "measurement"),
    ("mode", "Mode", None, None, None),
    ("paper", "Printer paper", None, None, None),
    ("printer", "Printer", None, None, None),
    ("scanner", "QR scanner", None, None, None),
    ("microphone", "Microphone", None, None, None),
    ("camera", "Camera", None, None, None),
    ("motors", "Motors", None, None, None),
    ("water", "Water stock", None, None, "measurement"),
    ("candy", "Candy stock", None, None, "measurement"),
)


def _node(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def discovery_messages(centre: CentreConfig, robot_id: str, root: str, prefix: str) -> list[DiscoveryConfig]:
    site = centre.site.id
    node = _node(f"letan_{site}_{robot_id}")
    sample_status = RobotStatus(site=site, robot=robot_id, ts="", mode="idle")
    availability = RobotAvailability(site=site, robot=robot_id, ts="", state="online")
    device = {
        "identifiers": [node], "name": f"letan {robot_id} ({centre.site.name})",
        "manufacturer": "letan", "model": "reception robot",
    }
    common = {
        "device": device,
        "availability_topic": availability.topic(root),
        "availability_template": "{{ value_json.state }}",
        "payload_available": "online", "payload_not_available": "offline",
    }
    out = []
    for key, name, unit, device_class, state_class in ROBOT_SENSORS:
        config: dict[str, Any] = {
            **common, "name": name, "unique_id": f"{node}_{key}", "object_id": f"{node}_{key}",
            "state_topic": sample_status.topic(root), "value_template": f"{{{{ value_json.{key} }}}}",
        }
        if unit:
            config["unit_of_measurement"] = unit
        if device_class:
            config["device_class"] = device_class
        if state_class:
            config["state_class"] = state_class
        out.append(DiscoveryConfig(f"{prefix}/sensor/{node}/{key}/config", config))
    for svc in centre.services:
        snapshot = QueueSnapshot(site=site, robot=robot_id, ts="", service=svc.id, waiting=0,
                                 estimated_wait_min=None, last_called={})
        for key, name, unit in (("waiting", "waiting", None), ("estimated_wait_min", "estimated wait", "min")):
            config = {
                **common, "name": f"{svc.name}: {name}", "unique_id": f"{node}_{svc.id}_{key}",
                "object_id": f"{node}_{svc.id}_{key}", "state_topic": snapshot.topic(root),
                "value_template": f"{{{{ value_json.{key} }}}}", "state_class": "measurement",
            }
            if unit:
                config["unit_of_measurement"] = unit
                config["device_class"] = "duration"
            out.append(DiscoveryConfig(f"{prefix}/sensor/{node}/{svc.id}_{key}/config", config))
    return out
