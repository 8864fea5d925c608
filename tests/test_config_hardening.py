"""Issue 13: the config checker can neither be crashed nor fooled. Cases found by an adversarial pass, and
random mutations of the sample centres (Hypothesis): a ConfigError with lines, or a centre; nothing else."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.config import ConfigError, load_catalogue_checked, load_centre
from tests.conftest import CUA_NAM

CATALOGUE = load_catalogue_checked()
BASE = yaml.safe_load(CUA_NAM.read_text(encoding="utf-8"))
SECRET = "S3cretPassword"


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _set(data: dict[str, Any], dotted: str, value: object) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {}) if not key.isdigit() else node[int(key)]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return out


@pytest.mark.parametrize(("dotted", "value"), [
    ("robot.id", "queue"), ("robot.id", "counter"),
    ("mqtt.topic_root", "letan/#"), ("mqtt.topic_root", "letan/+/v1"), ("mqtt.discovery_prefix", "home/"),
    ("mqtt.url", "ftp://x"), ("mqtt.url", "not a url"), ("mqtt.url", "mqtt://host:99999"),
    ("mqtt.url", "mqtt://robot:pw@[::1"),
    ("devices.printer.port", 70000), ("devices.printer.port", -1), ("devices.printer.baudrate", -9600),
    ("devices.scanner.baudrate", 0), ("devices.drive.wheel_base_m", 0), ("devices.drive.wheel_radius_m", -0.1),
    ("dossier.provider", "http"), ("navigation.guide_speed_mps", 1.0),
    ("refreshments.low_stock", 99), ("opening_hours.monday.morning.last_ticket", "08:00"),
    ("reception_points.0.floor_map.locations.toilet.x", float("nan")),
    ("reception_points.0.floor_map.locations.toilet.y", float("inf")),
])
def test_wrongly_accepted_cases_are_refused(tmp_path: Path, dotted: str, value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        load_centre(_write(tmp_path, _set(BASE, dotted, value)), CATALOGUE)
    paths = [p.path for p in caught.value.problems]
    field, parent = dotted.split(".")[-1], dotted.rsplit(".", 1)[0].split(".")[-1]
    assert any(field in path or parent in path for path in paths), paths


def test_a_secret_in_the_wrong_place_is_never_echoed(tmp_path: Path) -> None:
    for dotted, value in (("mqtt.password", [SECRET]), ("dossier.token", {"x": SECRET}),
                          ("mqtt.url", f"ftp://robot:{SECRET}@host")):
        with pytest.raises(ConfigError) as caught:
            load_centre(_write(tmp_path, _set(BASE, dotted, value)), CATALOGUE)
        assert SECRET not in str(caught.value), dotted


@pytest.mark.parametrize("text", [
    "site: " + "[" * 900 + "]" * 900,
    "a: &a [" + ", ".join(['"lol"'] * 9) + "]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
    "site: {id: a}\nsite: {id: b}\n",
])
def test_hostile_yaml_is_refused_quickly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "centre.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load_centre(path, CATALOGUE)
    assert time.monotonic() - start < 2 and len(str(caught.value)) < 400


LEAVES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
              st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:3]):
            out += _paths(value, (*prefix, index))
    return out


PATHS = _paths(BASE)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(PATHS), value=LEAVES)
def test_random_mutations_give_a_centre_or_config_lines(tmp_path: Path, where: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(BASE)
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    start = time.monotonic()
    try:
        load_centre(path, CATALOGUE)
    except ConfigError as error:
        assert error.problems and all(len(str(p)) < 600 for p in error.problems)
    assert time.monotonic() - start < 5


def test_a_24_hour_centre_issues_until_the_last_second(tmp_path: Path) -> None:
    from datetime import datetime

    from robot.clock import FixedClock
    from robot.queue import QueueEngine

    day = {"morning": {"open": "00:00", "close": "23:59:59"}}
    data = _set(BASE, "opening_hours", {name: day for name in ("monday", "tuesday", "wednesday", "thursday",
                                                                 "friday", "saturday", "sunday")})
    centre = load_centre(_write(tmp_path, data), CATALOGUE)
    at = datetime(2026, 11, 25, 23, 59, 30, tzinfo=centre.site.tz)
    with QueueEngine(centre, tmp_path / "q.sqlite3", FixedClock(at)) as engine:
        assert engine.issue("chung_thuc").ticket.number == "A001"


@pytest.mark.slow
@pytest.mark.parametrize(("dotted", "value", "where"), [
    ("services.0.name", "Chứng thực 中文", "services[0].name"),
    ("site.name", "Trung tâm ✡ phường", None),  # a symbol the font has: accepted
    ("reception_points.0.name", "Điểm một 한국", "reception_points[0].name"),
])
def test_config_check_refuses_a_name_the_ticket_font_cannot_draw(tmp_path: Path, dotted: str, value: str,
                                                                  where: str | None) -> None:
    """Issue 13: a service whose name the ticket font cannot draw would fail every ticket: `config check` says so."""
    import subprocess
    import sys

    path = _write(tmp_path, _set(BASE, dotted, value))
    done = subprocess.run([sys.executable, "-m", "letan", "config", "check", str(path)], capture_output=True,
                          text=True, timeout=120)
    if where is None:
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{path}: {where}:" in lines[0] and "cannot draw" in lines[0]
