"""Motion figures: control-loop compute per tick, path planning per sample map, Modbus round trip over a pty."""

from __future__ import annotations

import math
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from drivers.drive import Pose, Zlac8015dDrive
from drivers.mcu_protocol import McuLink
from letan.bench import BenchReport, median, percentile, time_calls
from robot.config import FloorMap, NavigationSettings, load_centre
from robot.navigation.follower import Observation, PathFollower
from robot.navigation.planner import plan
from robot.paths import CONFIG_DIR


def _control_tick(report: BenchReport, repeat: int) -> None:
    fmap = load_centre(CONFIG_DIR / "centres" / "cua-nam.yaml").point().floor_map
    follower = PathFollower(NavigationSettings())
    follower.start(plan(fmap, "entrance", "counter_8"), 0.0)
    observations = [
        Observation(i * 0.05, Pose(12.0, 0.8 + i * 0.001, math.pi / 2 + 0.01), 0.45, 0.45,
                    clearance_m=None if i % 3 else 1.0)
        for i in range(repeat)
    ]
    it = iter(observations)
    times = time_calls(lambda: follower.step(next(it)), repeat)
    value = median(times)
    report.add("control-loop decision per tick (median)", value, "ms", target="<= 5 ms at 20 Hz", met=value <= 5,
               note=f"p99 {percentile(times, 99):.3f} ms over {repeat} ticks")


def _planning(report: BenchReport, repeat: int) -> None:
    for name in ("cua-nam", "phu-dinh"):
        centre = load_centre(CONFIG_DIR / "centres" / f"{name}.yaml")
        for point in centre.reception_points:
            fmap = point.floor_map
            goals = [c.location for c in point.counters]
            def plan_all(fmap: FloorMap = fmap, goals: list[str] = goals) -> None:
                for goal in goals:
                    plan(fmap, "entrance", goal)

            times = time_calls(plan_all, repeat)
            per_plan = [t / len(goals) for t in times]
            report.add(f"path planning {name}/{point.id} (median)", median(per_plan), "ms",
                       note=f"{len(fmap.locations)} locations, {len(fmap.edges)} edges, entrance to each counter")


def _modbus(report: BenchReport, repeat: int) -> None:
    from simulator.motors import SimMcu, SimZlac8015d
    from simulator.world import World

    fmap = load_centre(CONFIG_DIR / "centres" / "cua-nam.yaml").point().floor_map
    world = World(fmap, (12.0, 3.0, math.pi / 2), start_time=datetime(2026, 1, 5, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        sim = SimZlac8015d(world, Path(tmp) / "zlac")
        mcu = SimMcu(world, Path(tmp) / "mcu", drives_wheels=False)
        drive = Zlac8015dDrive(str(sim.path), timeout_s=0.5)
        link = McuLink(str(mcu.path), timeout_s=0.5)
        try:
            drive.enable()
            reads = time_calls(drive.read, repeat)
            report.add("Modbus RTU read round trip over pty (median)", median(reads), "ms",
                       note=f"ZLAC8015D sim (pymodbus server), 8 registers; p99 {percentile(reads, 99):.2f} ms")
            speeds = iter([0.1 + (i % 7) * 0.05 for i in range(repeat)])  # different values: no skipped writes
            writes = time_calls(lambda: drive.set_velocity(next(speeds), 0.0), repeat)
            report.add("Modbus RTU write round trip over pty (median)", median(writes), "ms",
                       note="target rpm L/R, function 0x10")
            lines = time_calls(link.safety, repeat)
            report.add("MCU line protocol round trip over pty (median)", median(lines), "ms",
                       note="`s` safety status, same run, for comparison")
            tick = median(reads) + median(lines) + median(writes)
            report.add("control tick with I/O, ZLAC + MCU (median sum)", tick, "ms", target="<= 50 ms at 20 Hz",
                       met=tick <= 50)
        finally:
            drive.close()
            link.close()
            sim.close()
            mcu.close()


def run(report: BenchReport, quick: bool) -> None:
    repeat = 200 if quick else 2000
    _control_tick(report, repeat)
    _planning(report, 20 if quick else 200)
    started = time.perf_counter()
    _modbus(report, 50 if quick else 300)
    report.add("motion bench duration", time.perf_counter() - started, "s")
