"""A differential-drive robot in the centre's hall: walls, moving people, wheel slip, simulated time.

The world is physics only. The simulated devices (simulator/motors.py) read and write its wheel
targets and sensors, and the application talks to those devices over ptys exactly as it would
to hardware. `WorldClock` is the Clock the application gets in simulation: its `sleep(dt)`
advances the world by `dt`, so a control loop runs as fast as its I/O allows, faster than real
time.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from robot.clock import SimClock
from robot.config import FloorMap

ROBOT_RADIUS_M = 0.25
SENSOR_RANGE_M = 4.0
SENSOR_HALF_WIDTH_M = ROBOT_RADIUS_M + 0.03


@dataclass
class Person:
    """A person: a circle that walks back and forth along its waypoints (or stands)."""

    x: float
    y: float
    radius: float = 0.3
    speed: float = 0.0
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    _target: int = 0

    def step(self, dt: float) -> None:
        if not self.waypoints or self.speed <= 0:
            return
        tx, ty = self.waypoints[self._target]
        dx, dy = tx - self.x, ty - self.y
        dist = math.hypot(dx, dy)
        move = self.speed * dt
        if dist <= move:
            self.x, self.y = tx, ty
            self._target = (self._target + 1) % len(self.waypoints)
        else:
            self.x += dx / dist * move
            self.y += dy / dist * move


@dataclass
class Wheels:
    """Motor state: targets set by the simulated drivers, actual speeds and encoder positions (m)."""

    target_left: float = 0.0
    target_right: float = 0.0
    left_mps: float = 0.0
    right_mps: float = 0.0
    left_m: float = 0.0
    right_m: float = 0.0
    enabled: bool = False


def _segment_distance(px: float, py: float, seg: Sequence[float]) -> float:
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def _ray_segment(ox: float, oy: float, ux: float, uy: float, seg: Sequence[float]) -> float | None:
    """Distance along the unit ray (ox,oy)+t(ux,uy) to a segment, or None."""
    x1, y1, x2, y2 = seg
    ex, ey = x2 - x1, y2 - y1
    denom = ux * ey - uy * ex
    if abs(denom) < 1e-12:
        return None
    t = ((x1 - ox) * ey - (y1 - oy) * ex) / denom
    s = ((x1 - ox) * uy - (y1 - oy) * ux) / denom
    return t if t >= 0 and 0 <= s <= 1 else None


def _ray_circle(ox: float, oy: float, ux: float, uy: float, cx: float, cy: float, r: float) -> float | None:
    fx, fy = ox - cx, oy - cy
    b = fx * ux + fy * uy
    c = fx * fx + fy * fy - r * r
    disc = b * b - c
    if disc < 0:
        return None
    t = -b - math.sqrt(disc)
    return t if t >= 0 else (0.0 if c <= 0 else None)


class World:
    """The hall, the robot's true pose and wheels, the people; stepped in simulated time."""

    def __init__(
        self, floor_map: FloorMap, start: tuple[float, float, float], *, start_time: datetime,
        wheel_base_m: float = 0.40, slip: float = 0.01, seed: int = 7,
        accel_mps2: float = 1.0, decel_mps2: float = 3.0, max_step_s: float = 0.01,
    ):
        self.floor_map = floor_map
        self.walls = list(floor_map.walls)
        self.x, self.y, self.theta = start
        self.wheel_base_m = wheel_base_m
        self.slip = slip
        self.accel_mps2 = accel_mps2
        self.decel_mps2 = decel_mps2
        self.max_step_s = max_step_s
        self.clock = SimClock(start_time)
        self.wheels = Wheels()
        self.people: list[Person] = []
        self.e_stop = False  # the physical button
        self.stalled = False  # wheels blocked (caught on a cable or a threshold): motors cannot turn
        self.bumpers = 0
        self.trail: list[tuple[float, float]] = [(self.x, self.y)]
        self.collisions = 0
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self._hooks: list[Callable[[float], None]] = []
        self._trail_every = 0.25
        self._since_trail = 0.0

    @property
    def time(self) -> float:
        return self.clock.monotonic()

    def add_step_hook(self, hook: Callable[[float], None]) -> None:
        """Called after every physics step with the simulated time (for device firmware timers)."""
        self._hooks.append(hook)

    def add_person(self, person: Person) -> Person:
        with self.lock:
            self.people.append(person)
        return person

    def remove_person(self, person: Person) -> None:
        with self.lock:
            self.people.remove(person)

    def speed(self) -> float:
        with self.lock:
            return (abs(self.wheels.left_mps) + abs(self.wheels.right_mps)) / 2

    # -- devices ------------------------------------------------------------------------------
    def set_wheel_targets(self, left_mps: float, right_mps: float) -> None:
        with self.lock:
            if self.e_stop or not self.wheels.enabled:
                left_mps = right_mps = 0.0
            self.wheels.target_left, self.wheels.target_right = left_mps, right_mps

    def brake(self) -> None:
        """Emergency stop of the motors: speeds to zero at once (short brake)."""
        with self.lock:
            w = self.wheels
            w.target_left = w.target_right = w.left_mps = w.right_mps = 0.0

    def obstacle_clearance(self) -> float | None:
        """Forward clearance from the robot's front to the nearest wall or person in its path.

        Modelled as a row of forward-looking range sensors (ToF) across the robot's width: parallel
        rays over the robot's width plus a small margin, so a wall running alongside is not an obstacle.
        """
        with self.lock:
            best: float | None = None
            ux, uy = math.cos(self.theta), math.sin(self.theta)
            for k in range(-3, 4):
                offset = SENSOR_HALF_WIDTH_M * k / 3
                ox, oy = self.x - uy * offset, self.y + ux * offset
                hits = [_ray_segment(ox, oy, ux, uy, w) for w in self.walls]
                hits += [_ray_circle(ox, oy, ux, uy, p.x, p.y, p.radius) for p in self.people]
                for hit in hits:
                    if hit is not None and (best is None or hit < best):
                        best = hit
            if best is None or best - ROBOT_RADIUS_M > SENSOR_RANGE_M:
                return None
            return max(0.0, best - ROBOT_RADIUS_M)

    # -- physics ------------------------------------------------------------------------------
    def _collides(self, x: float, y: float) -> bool:
        if any(_segment_distance(x, y, w) < ROBOT_RADIUS_M for w in self.walls):
            return True
        return any(math.hypot(x - p.x, y - p.y) < ROBOT_RADIUS_M + p.radius for p in self.people)

    def _ramp(self, actual: float, target: float, dt: float) -> float:
        rate = self.accel_mps2 if abs(target) > abs(actual) and actual * target >= 0 else self.decel_mps2
        step = rate * dt
        return target if abs(target - actual) <= step else actual + math.copysign(step, target - actual)

    def _step(self, dt: float) -> None:
        w = self.wheels
        if self.e_stop:  # the e-stop button cuts motor power in hardware, whatever the software does
            w.target_left = w.target_right = w.left_mps = w.right_mps = 0.0
            w.enabled = False
        elif not w.enabled:
            w.target_left = w.target_right = 0.0
        w.left_mps = self._ramp(w.left_mps, w.target_left, dt)
        w.right_mps = self._ramp(w.right_mps, w.target_right, dt)
        if self.stalled:
            w.left_mps = w.right_mps = 0.0
        d_left, d_right = w.left_mps * dt, w.right_mps * dt
        w.left_m += d_left
        w.right_m += d_right
        # The floor moves the robot a little less than the wheels turned (slip).
        d_left *= 1 - self._rng.uniform(0, self.slip)
        d_right *= 1 - self._rng.uniform(0, self.slip)
        distance = (d_left + d_right) / 2
        d_theta = (d_right - d_left) / self.wheel_base_m
        mid = self.theta + d_theta / 2
        nx_, ny_ = self.x + distance * math.cos(mid), self.y + distance * math.sin(mid)
        for person in self.people:
            person.step(dt)
        if distance and self._collides(nx_, ny_):
            self.bumpers = 1 if distance > 0 else 2  # the bumper on the side it moved towards
            self.collisions += 1
        else:
            self.bumpers = 0
            self.x, self.y = nx_, ny_
        self.theta = math.atan2(math.sin(self.theta + d_theta), math.cos(self.theta + d_theta))
        self._since_trail += dt
        if self._since_trail >= self._trail_every:
            self._since_trail = 0.0
            self.trail.append((self.x, self.y))

    def advance(self, seconds: float) -> None:
        """Run the physics for `seconds` of simulated time, in small steps."""
        remaining = seconds
        while remaining > 1e-12:
            dt = min(self.max_step_s, remaining)
            with self.lock:
                self._step(dt)
                self.clock.advance(dt)
                now = self.clock.monotonic()
            for hook in self._hooks:
                hook(now)
            remaining -= dt

    # -- rendering ----------------------------------------------------------------------------
    def render_png(self, path: Path, planned: Sequence[tuple[float, float]] = (), title: str = "") -> Path:
        """Draw walls, locations, the walkable graph, the planned path, the trail and people to a PNG."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        fmap = self.floor_map
        fig, ax = plt.subplots(figsize=(fmap.width / 2 + 1, fmap.height / 2 + 1), dpi=80)
        try:
            for x1, y1, x2, y2 in self.walls:
                ax.plot([x1, x2], [y1, y2], color="black", linewidth=2)
            for a, b in fmap.edges:
                la, lb = fmap.locations[a], fmap.locations[b]
                ax.plot([la.x, lb.x], [la.y, lb.y], color="#cccccc", linewidth=1, zorder=1)
            for name, loc in fmap.locations.items():
                ax.plot(loc.x, loc.y, "o", color="#3366cc" if loc.kind != "waypoint" else "#aaaaaa", markersize=4)
                if loc.kind != "waypoint":
                    ax.annotate(name, (loc.x, loc.y), fontsize=6, xytext=(3, 3), textcoords="offset points")
            if planned:
                ax.plot([p[0] for p in planned], [p[1] for p in planned], "--", color="#2a9d8f", linewidth=2,
                        label="planned path")
            with self.lock:
                trail = [*list(self.trail), (self.x, self.y)]
                people = [(p.x, p.y, p.radius) for p in self.people]
                pose = (self.x, self.y, self.theta)
            ax.plot([p[0] for p in trail], [p[1] for p in trail], color="#e76f51", linewidth=1.5, label="trail")
            for px, py, pr in people:
                ax.add_patch(plt.Circle((px, py), pr, color="#f4a261", alpha=0.8))
            ax.add_patch(plt.Circle(pose[:2], ROBOT_RADIUS_M, color="#264653"))
            ax.arrow(pose[0], pose[1], 0.5 * math.cos(pose[2]), 0.5 * math.sin(pose[2]), width=0.05, color="white")
            ax.set_xlim(-0.5, fmap.width + 0.5)
            ax.set_ylim(-0.5, fmap.height + 0.5)
            ax.set_aspect("equal")
            ax.legend(loc="upper right", fontsize=6)
            if title:
                ax.set_title(title, fontsize=8)
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path)
        finally:
            plt.close(fig)
        return path


class WorldClock:
    """The Clock the application uses in simulation: sleeping advances the world."""

    def __init__(self, world: World):
        self.world = world

    def now(self) -> datetime:
        return self.world.clock.now()

    def monotonic(self) -> float:
        return self.world.clock.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.world.advance(seconds)


class RealTimeRunner:
    """Advance a world in real time from a background thread (for tests of real-time behaviour)."""

    def __init__(self, world: World, step_s: float = 0.005):
        self.world = world
        self.step_s = step_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="world-realtime", daemon=True)

    def __enter__(self) -> RealTimeRunner:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=1)

    def _run(self) -> None:
        import time

        last = time.monotonic()
        while not self._stop.wait(self.step_s):
            now = time.monotonic()
            self.world.advance(now - last)
            last = now
