"""Shared fixtures: the real mosquitto broker, paths to the sample config."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from robot.config import CentreConfig
from robot.paths import CONFIG_DIR
from tests.mosquitto import MosquittoBroker, free_port, mosquitto_available

CUA_NAM = CONFIG_DIR / "centres" / "cua-nam.yaml"
# The dialog manager's recording World and its fixtures (catalogue, understander, centre, clock, world, manager).
pytest_plugins = ["tests.dialog_world"]


def bare_centre(centre: CentreConfig, tmp_path: Path, **robot: Any) -> CentreConfig:
    """`centre` with no printer, scanner or motors, speech to WAV files, its files under `tmp_path` and an
    unreachable broker; `robot` overrides settings of its `robot` section."""
    return centre.model_copy(update={
        "devices": centre.devices.model_copy(update={
            "printer": centre.devices.printer.model_copy(update={"kind": "none"}),
            "scanner": centre.devices.scanner.model_copy(update={"kind": "none"}),
            "drive": centre.devices.drive.model_copy(update={"kind": "none"}),
            "audio": centre.devices.audio.model_copy(update={"output_dir": str(tmp_path / "audio")}),
        }),
        "queue": centre.queue.model_copy(update={"db": str(tmp_path / "q.sqlite3")}),
        "mqtt": centre.mqtt.model_copy(update={"url": "mqtt://127.0.0.1:9", "outbox": str(tmp_path / "o.sqlite3")}),
        "robot": centre.robot.model_copy(update=robot),
        "screen": None,
    })
PHU_DINH = CONFIG_DIR / "centres" / "phu-dinh.yaml"


@pytest.fixture(scope="session", autouse=True)
def letan_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The state directory (robot.paths.state_dir) of everything the tests run, commands started as processes
    included: queue databases, outboxes and kept runs go here, never into the checkout or ~/.local/state."""
    folder = tmp_path_factory.mktemp("state")
    before = os.environ.get("LETAN_STATE_DIR")
    os.environ["LETAN_STATE_DIR"] = str(folder)
    os.environ.setdefault("LETAN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))  # the trained model, once
    yield folder
    if before is None:
        os.environ.pop("LETAN_STATE_DIR", None)
    else:
        os.environ["LETAN_STATE_DIR"] = before


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
