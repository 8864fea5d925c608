"""The navigation loop: plan, then at control_hz read the wheels and safety inputs, decide, command.

All I/O of navigation is here; the decisions are in follower.py. Time comes from a Clock: the
real one on the robot, the simulated world's clock in the simulator (its sleep advances the
world, so the loop runs faster than real time there).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.drive import DriveBase, DriveError, Pose
from drivers.mcu_protocol import LinkError, SafetyInputs
from robot.clock import Clock
from robot.config import FloorMap, NavigationSettings
from robot.navigation.follower import Command, NavStatus, Observation, PathFollower
from robot.navigation.planner import Route, UnknownLocation, Unreachable, plan_from

SafetySource = Callable[[], SafetyInputs]
FACING_HALL = math.pi / 2  # sample maps: the hall is towards +y from the entrance and the dock


@dataclass(frozen=True)
class NavResult:
    arrived: bool
    reason: str = ""  # abort reason when not arrived
    detail: str = ""
    route: Route | None = None
    statuses: tuple[NavStatus, ...] = field(default=())


class Navigator:
    def __init__(
        self, floor_map: FloorMap, drive: DriveBase, clock: Clock, settings: NavigationSettings, *,
        safety: SafetySource | None = None, on_status: Callable[[NavStatus], None] | None = None,
        on_blocked: Callable[[], None] | None = None,
    ):
        self.floor_map = floor_map
        self.drive = drive
        self.clock = clock
        self.settings = settings
        self.safety = safety
        self.on_status = on_status
        self.on_blocked = on_blocked  # e.g. say "xin nhường đường" once per stop
        self.location: str | None = None
        self.compute_ms: list[float] = []  # decision time per tick (bench)
        self.last_route: Route | None = None

    def localise(self, location: str, theta: float = FACING_HALL) -> None:
        """Tell odometry where the robot is (docked at base, or placed at the entrance)."""
        loc = self.floor_map.locations[location]
        self.drive.odometry.reset(Pose(loc.x, loc.y, theta))
        self.location = location

    def pose(self) -> Pose:
        return self.drive.pose()

    def _observe(self) -> Observation:
        """The wheels and the safety inputs, each read on its own: an e-stop pressed while the drive's link fails
        is still seen at once. A failed read is a link error (the follower stops, retries, and aborts if it lasts)."""
        now = self.clock.monotonic()
        errors: list[str] = []
        left = right = 0.0
        fault = ""
        try:
            wheels = self.drive.read()
            left, right = wheels.left_mps, wheels.right_mps
            fault = self.drive.faults.describe() if self.drive.faults.any else ""  # the motors' own fault codes
        except (DriveError, LinkError) as exc:
            errors.append(f"wheels: {exc}")
        inputs: SafetyInputs | None = None
        if self.safety is not None:
            try:
                inputs = self.safety()
            except (DriveError, LinkError) as exc:
                errors.append(f"safety inputs: {exc}")
        seen = (inputs.obstacle_m, inputs.bumper_pressed, inputs.e_stop) if inputs is not None else (None, False, False)
        return Observation(now, self.drive.pose(), left, right, *seen, fault, link_error="; ".join(errors))

    def _emit(self, history: list[NavStatus], status: NavStatus) -> None:
        history.append(status)
        if self.on_status is not None:
            self.on_status(status)

    def _halt(self, emergency: bool) -> None:
        # If the link is down, the drive's own watchdog and the MCU stop the wheels.
        with contextlib.suppress(DriveError):
            if emergency:
                self.drive.emergency_stop()
            else:
                self.drive.stop()

    def go_to(self, goal: str, speed_mps: float | None = None) -> NavResult:
        history: list[NavStatus] = []
        now = self.clock.monotonic()
        self._emit(history, NavStatus("started", "", f"to {goal}", now))
        self._emit(history, NavStatus("planning", "", f"from {self.location or 'current pose'}", now))
        pose = self.drive.pose()
        try:
            route = plan_from(self.floor_map, pose.x, pose.y, goal, previous=self.location)
        except (UnknownLocation, Unreachable) as exc:
            status = NavStatus("aborted", "unreachable", str(exc), now)
            self._emit(history, status)
            return NavResult(False, "unreachable", str(exc), None, tuple(history))
        self.last_route = route
        follower = PathFollower(self.settings, speed_mps, wheel_base_m=self.drive.wheel_base_m)
        follower.last_node = self.location
        follower.start(route, now)
        self._emit(history, NavStatus("going", "", f"{' -> '.join(route.nodes)} ({route.length_m:.1f} m)", now))
        blocked_edges: list[tuple[str, str]] = []
        period = 1 / self.settings.control_hz
        while True:
            tick_start = self.clock.monotonic()
            obs = self._observe()
            t0 = time.perf_counter()
            command = follower.step(obs)
            self.compute_ms.append((time.perf_counter() - t0) * 1000)
            if command.replan_around is not None:
                command = self._replan(follower, command, blocked_edges, goal, history)
            if command.status is not None:
                self._emit(history, command.status)
                if command.status.detail.startswith("stopped") and self.on_blocked is not None:
                    self.on_blocked()
            if command.done:
                self._halt(command.emergency)
                status = command.status or NavStatus("aborted", "fault", "stopped without a status", obs.now)
                if status.state == "arrived":
                    self.location = goal
                else:
                    self.location = follower.last_node
                return NavResult(status.state == "arrived", status.reason, status.detail, follower.route,
                                 tuple(history))
            with contextlib.suppress(DriveError):  # a failed command shows as a fault in the next observation
                self.drive.set_velocity(command.linear, command.angular)
            self.clock.sleep(period - (self.clock.monotonic() - tick_start))

    def _replan(
        self, follower: PathFollower, command: Command, blocked: list[tuple[str, str]], goal: str,
        history: list[NavStatus],
    ) -> Command:
        assert command.replan_around is not None
        blocked.append(command.replan_around)
        pose = self.drive.pose()
        now = self.clock.monotonic()
        self._emit(history, NavStatus("planning", "", f"way blocked on {'-'.join(command.replan_around)}", now))
        try:
            route = plan_from(self.floor_map, pose.x, pose.y, goal, blocked, previous=follower.last_node,
                              ahead=follower.next_node())
        except (UnknownLocation, Unreachable):
            follower.no_alternative(now)
            return Command(status=NavStatus("going", "", "no other way; waiting for the way to clear", now))
        follower.follow(route, now)
        self.last_route = route
        return Command(status=NavStatus("going", "", f"re-planned: {' -> '.join(route.nodes)}", now))

    def turn_towards(self, x: float, y: float, timeout_s: float = 8.0) -> bool:
        """Rotate in place to face a point. True when facing it (within 0.1 rad)."""
        period = 1 / self.settings.control_hz
        deadline = self.clock.monotonic() + timeout_s
        try:
            while self.clock.monotonic() < deadline:
                self.drive.read()
                pose = self.drive.pose()
                error = math.atan2(math.sin(math.atan2(y - pose.y, x - pose.x) - pose.theta),
                                   math.cos(math.atan2(y - pose.y, x - pose.x) - pose.theta))
                if abs(error) < 0.1:
                    self.drive.stop()
                    return True
                self.drive.set_velocity(0.0, math.copysign(min(0.6, max(0.2, 1.5 * abs(error))), error))
                self.clock.sleep(period)
        except DriveError:
            return False
        self._halt(False)
        return False
