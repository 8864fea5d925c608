"""robot/cpu.py and `robot.python_cpu`: the interpreter's threads on one CPU while the application runs,
native work (camera, speech) on every CPU. Real sched_setaffinity, read back from /proc."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from robot import cpu
from robot.app import Application
from robot.clock import SimClock
from robot.config import RobotSettings, load_catalogue_checked, load_centre
from tests.conftest import CUA_NAM, bare_centre

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)


def allowed(tid: int | str) -> set[int]:
    """The CPUs a thread of this process may run on, as the kernel reports them."""
    for line in Path(f"/proc/self/task/{tid}/status").read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            cpus: set[int] = set()
            for part in line.split(":")[1].strip().split(","):
                first, _, last = part.partition("-")
                cpus.update(range(int(first), int(last or first) + 1))
            return cpus
    raise AssertionError("no Cpus_allowed_list")


def every_thread() -> dict[str, set[int]]:
    threads = {}
    for task in Path("/proc/self/task").iterdir():
        with suppress(FileNotFoundError):  # ended meanwhile
            threads[task.name] = allowed(task.name)
    return threads


@pytest.fixture
def two_cpus() -> Iterator[frozenset[int]]:
    cpus = cpu.available_cpus()
    if len(cpus) < 2:
        pytest.skip("needs a machine with two CPUs or more")
    yield cpus
    while cpu.pinned_cpu() is not None:  # whatever a failing test left behind
        cpu.unpin_interpreter()


def test_choose_cpu() -> None:
    assert cpu.choose_cpu("auto", frozenset({0, 1})) == 1
    assert cpu.choose_cpu("auto", frozenset({0})) is None  # nothing to gain on one CPU
    assert cpu.choose_cpu("off", frozenset({0, 1})) is None
    assert cpu.choose_cpu(0, frozenset({0, 1})) == 0
    with pytest.raises(ValueError, match=r"CPU 5 is not available to letan here \(CPUs 0, 1\)"):
        cpu.choose_cpu(5, frozenset({0, 1}))


def test_setting_accepts_auto_off_or_a_cpu_number() -> None:
    assert RobotSettings().python_cpu == "auto"
    assert RobotSettings(python_cpu=1).python_cpu == 1
    assert RobotSettings(python_cpu="off").python_cpu == "off"
    for bad in ("two", -1, True):
        with pytest.raises(ValidationError, match=r"'auto', 'off' or a CPU number \(0, 1, ...\)"):
            RobotSettings(python_cpu=bad)


def test_pin_moves_every_thread_new_threads_follow_and_native_work_gets_every_cpu(two_cpus: frozenset[int]) -> None:
    before = every_thread()
    release = threading.Event()
    earlier = threading.Thread(target=release.wait, daemon=True)
    earlier.start()
    seen: dict[str, set[int]] = {}

    def later() -> None:
        tid = threading.get_native_id()
        seen["later"] = allowed(tid)
        with cpu.native_work():
            seen["native"] = allowed(tid)
        seen["after native"] = allowed(tid)

    target = max(two_cpus)
    try:
        assert cpu.pin_interpreter(target)
        assert cpu.pinned_cpu() == target
        assert all(cpus == {target} for cpus in every_thread().values())
        thread = threading.Thread(target=later)
        thread.start()
        thread.join()
        assert seen == {"later": {target}, "native": set(two_cpus), "after native": {target}}
    finally:
        cpu.unpin_interpreter()
        release.set()
        earlier.join()
    assert cpu.pinned_cpu() is None
    now = every_thread()
    assert all(now[tid] == cpus for tid, cpus in before.items() if tid in now)


def test_threads_get_their_cpus_back_when_the_last_user_unpins(two_cpus: frozenset[int]) -> None:
    me = threading.get_native_id()
    assert cpu.pin_interpreter(max(two_cpus)) and cpu.pin_interpreter(max(two_cpus))  # e.g. two applications
    cpu.unpin_interpreter()
    assert allowed(me) == {max(two_cpus)}  # the other one still runs
    cpu.unpin_interpreter()
    assert allowed(me) == set(two_cpus)


def test_native_work_changes_nothing_when_not_pinned(two_cpus: frozenset[int]) -> None:
    me = threading.get_native_id()
    before = allowed(me)
    with cpu.native_work():
        assert allowed(me) == before
    assert allowed(me) == before


@pytest.mark.slow
def test_application_keeps_its_threads_on_one_cpu_while_it_runs(two_cpus: frozenset[int], tmp_path: Path) -> None:
    me = threading.get_native_id()
    app = Application.from_config(bare_centre(CENTRE, tmp_path), catalogue=CATALOGUE, clock=SimClock(MORNING))
    with app:
        assert app.parts()["cpu"].startswith(f"ok (Python threads on CPU {max(two_cpus)} of {len(two_cpus)}")
        assert all(cpus == {max(two_cpus)} for cpus in every_thread().values())
    assert allowed(me) == set(two_cpus)  # given back when it stops


@pytest.mark.slow
def test_off_or_an_unavailable_cpu_leaves_threads_where_they_are(two_cpus: frozenset[int], tmp_path: Path) -> None:
    me = threading.get_native_id()
    for setting, expected in (("off", "ok (threads on every CPU: off in the config)"),
                              (99, "unavailable: robot.python_cpu: CPU 99 is not available to letan here")):
        events: list[Any] = []
        app = Application.from_config(bare_centre(CENTRE, tmp_path / str(setting), python_cpu=setting),
                                      catalogue=CATALOGUE, clock=SimClock(MORNING))
        app.subscribe(events.append)
        with app:
            assert app.parts()["cpu"].startswith(expected)
            assert allowed(me) == set(two_cpus)
        if setting == 99:  # a technician sees why, in English
            assert any(e.kind == "alert" and "CPU 99" in e.text for e in events)


def test_doctor_says_where_the_python_threads_will_run(two_cpus: frozenset[int], tmp_path: Path) -> None:
    from letan.cli.doctor import run_checks

    def cpu_check(setting: object) -> tuple[bool, str]:
        centre = bare_centre(CENTRE, tmp_path, python_cpu=setting)
        (check,) = [c for c in run_checks(centre) if c.name == "CPU for the Python threads"]
        return check.ok, check.detail

    assert cpu_check("auto") == (True, f"CPU {max(two_cpus)} of {len(two_cpus)}; camera and speech on every CPU")
    assert cpu_check("off") == (True, f"every CPU ({len(two_cpus)}; robot.python_cpu off)")
    ok, detail = cpu_check(99)
    assert not ok and "CPU 99 is not available" in detail
