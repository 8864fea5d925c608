"""TLS where configured: letan's MQTT link against a real mosquitto with a TLS listener and passwords.

The certificates are made for the test with openssl (a CA, and a server certificate for 127.0.0.1)."""

from __future__ import annotations

import json
import queue
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from robot.clock import SimClock
from robot.config import MqttSettings
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import NavigationProgress, Stamper
from robot.mqtt.outbox import Outbox
from robot.mqtt.publisher import OutboxPublisher
from tests.mosquitto import MosquittoBroker, free_port
from tests.mqtt_support import START

USERS = {"robot": "pw-robot", "monitor": "pw-monitor"}


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate for IP 127.0.0.1, server key), EC P-256, valid 2 days."""
    folder.mkdir(parents=True, exist_ok=True)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=letan test CA",
             cwd=folder)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "san.cnf", cwd=folder)
    return folder / "ca.crt", folder / "server.crt", folder / "server.key"


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[tuple[MosquittoBroker, Path]]:
    ca, cert, key = make_certificates(tmp_path / "certs")
    broker = MosquittoBroker(port=free_port(), workdir=tmp_path / "mosquitto", users=dict(USERS),
                             tls_cert=cert, tls_key=key, tls_port=free_port())
    broker.start()
    yield broker, ca
    broker.stop()


def _settings(broker: MosquittoBroker, user: str, password: str, ca: Path | None) -> BrokerSettings:
    """As the application builds them: the centre file's mqtt section with an mqtts:// URL and its CA file."""
    url = f"mqtts://{user}:{password}@127.0.0.1:{broker.tls_port}"
    return BrokerSettings.from_config(MqttSettings(url=url, ca_file=str(ca) if ca else None))


def test_events_go_through_the_tls_listener(tls_broker: tuple[MosquittoBroker, Path], tmp_path: Path) -> None:
    broker, ca = tls_broker
    got: queue.SimpleQueue[dict[str, object]] = queue.SimpleQueue()
    monitor = MqttLink(_settings(broker, "monitor", USERS["monitor"], ca), "tls-monitor")
    monitor.subscribe("letan/v1/#", lambda topic, payload: got.put(json.loads(payload)))
    link = MqttLink(_settings(broker, "robot", USERS["robot"], ca), "tls-robot")
    assert link.settings.tls and link.settings.display == f"mqtts://robot@127.0.0.1:{broker.tls_port}"
    outbox = Outbox(tmp_path / "outbox.db")
    bus = OutboxPublisher(link, outbox)
    monitor.start()
    link.start()
    bus.start()
    try:
        assert monitor.wait_connected(10) and monitor.subscribed.wait(5)
        assert link.wait_connected(10)
        stamp = Stamper("cua-nam", "robot-1", SimClock(START))
        event = stamp.make(NavigationProgress, goal_id="g-1", target="quay-1", status="going")
        bus.publish(event)
        assert bus.flush(10)
        assert got.get(timeout=5)["event_id"] == event.event_id
    finally:
        bus.stop()
        link.stop()
        monitor.stop()
        outbox.close()


@pytest.mark.slow
def test_a_server_not_signed_by_the_configured_ca_is_refused(tls_broker: tuple[MosquittoBroker, Path],
                                                              tmp_path: Path) -> None:
    broker, _ = tls_broker
    other_ca, _, _ = make_certificates(tmp_path / "other")
    for ca in (other_ca, None):  # another CA, or the system's CAs only
        link = MqttLink(_settings(broker, "robot", USERS["robot"], ca), f"tls-untrusting-{ca is None}")
        link.start()
        try:
            assert not link.wait_connected(3)
        finally:
            link.stop()


@pytest.mark.slow
def test_a_wrong_password_is_refused_over_tls(tls_broker: tuple[MosquittoBroker, Path]) -> None:
    broker, ca = tls_broker
    link = MqttLink(_settings(broker, "robot", "not-the-password", ca), "tls-wrong-password")
    link.start()
    try:
        assert not link.wait_connected(5)
        assert link.last_refusal is not None
    finally:
        link.stop()
