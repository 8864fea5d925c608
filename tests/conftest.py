"""Shared fixtures: the real mosquitto broker, paths to the sample config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from robot.paths import CONFIG_DIR
from tests.mosquitto import MosquittoBroker, free_port, mosquitto_available

CUA_NAM = CONFIG_DIR / "centres" / "cua-nam.yaml"
PHU_DINH = CONFIG_DIR / "centres" / "phu-dinh.yaml"


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoBroker]:
    """A real mosquitto broker with a password file and the documented ACL, for the whole session."""
    if not mosquitto_available():
        pytest.fail("mosquitto is not installed: run scripts/setup.sh (it installs Debian's mosquitto)")
    broker = MosquittoBroker(port=free_port(), workdir=tmp_path_factory.mktemp("mosquitto"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def fresh_mosquitto(tmp_path: Path) -> Iterator[MosquittoBroker]:
    """A broker of the test's own, which the test may stop and restart."""
    if not mosquitto_available():
        pytest.fail("mosquitto is not installed: run scripts/setup.sh (it installs Debian's mosquitto)")
    broker = MosquittoBroker(port=free_port(), workdir=tmp_path / "mosquitto")
    broker.start()
    yield broker
    broker.stop()
