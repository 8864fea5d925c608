"""The simulated world: driving, slip, walls and people, sensors, rendering."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from robot.config import load_centre
from simulator.world import Person, World, WorldClock
from tests.conftest import CUA_NAM


def _world(slip: float = 0.0) -> World:
    fmap = load_centre(CUA_NAM).point().floor_map
    world = World(fmap, (12.0, 3.0, math.pi / 2), start_time=datetime(2026, 1, 5, tzinfo=UTC), slip=slip)
    world.wheels.enabled = True
    return world


def test_drives_straight_and_the_clock_advances() -> None:
    world = _world()
    clock = WorldClock(world)
    world.set_wheel_targets(0.5, 0.5)
    clock.sleep(2.0)
    assert clock.monotonic() == 2.0 and world.time == 2.0
    assert abs(world.y - (3.0 + 0.125 + 0.75)) < 0.01  # 0.5 s ramp at 1 m/s² then 1.5 s at 0.5 m/s


def test_wheel_slip_makes_odometry_overestimate() -> None:
    world = _world(slip=0.05)
    world.set_wheel_targets(0.5, 0.5)
    world.advance(4.0)
    travelled = world.y - 3.0
    assert world.wheels.left_m > travelled > 0.9 * world.wheels.left_m


def test_wall_stops_the_robot_and_presses_the_bumper() -> None:
    world = _world()
    world.theta = math.pi  # facing west along y=3
    world.x = 0.6
    world.set_wheel_targets(0.3, 0.3)
    world.advance(2.0)
    assert world.x > 0.25 and world.bumpers == 1 and world.collisions > 0


def test_obstacle_clearance_sees_people_in_the_path_only() -> None:
    world = _world()
    assert world.obstacle_clearance() is None or world.obstacle_clearance() > 1.5  # type: ignore[operator]
    person = world.add_person(Person(12.0, 4.5, radius=0.3))
    assert abs(world.obstacle_clearance() - (1.5 - 0.3 - 0.25)) < 0.01  # type: ignore[operator]
    person.x = 13.0  # beside the path, not in it
    clearance = world.obstacle_clearance()
    assert clearance is None or clearance > 1.5


def test_people_walk_their_waypoints() -> None:
    world = _world()
    person = world.add_person(Person(5.0, 8.0, speed=1.0, waypoints=[(7.0, 8.0), (5.0, 8.0)]))
    world.advance(1.0)
    assert abs(person.x - 6.0) < 0.01
    world.advance(2.0)
    assert abs(person.x - 6.0) < 0.02  # reached 7.0 and came back half way


def test_render_png(tmp_path: Path) -> None:
    world = _world()
    world.add_person(Person(10.0, 8.0))
    world.set_wheel_targets(0.4, 0.4)
    world.advance(3.0)
    path = world.render_png(tmp_path / "map.png", planned=[(12.0, 3.0), (12.0, 6.3)], title="test")
    image = Image.open(path).convert("RGB")
    assert image.size[0] > 500
    colours = set(image.getdata())
    assert any(r > 200 and 90 < g < 140 and b < 110 for r, g, b in colours)  # the trail's orange
