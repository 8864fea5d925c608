"""The path follower: one pure decision per control tick (no I/O, no clock of its own).

Given what the robot senses (`Observation`) it returns wheel commands and, when something
changes, a `NavStatus`. Safety rules, in order:
1. e-stop pressed -> aborted(e_stop) at once; a drive fault -> aborted(fault); a reading that
   failed (a link timeout, a garbled reply) -> stop and retry; aborted(fault) when readings fail
   again link_grace_s or more after the first failure, before link_grace_s of good readings gave
   the grace back (a pulled cable, or a link that fails every other tick);
2. bumper pressed or an obstacle within stop_distance_m ahead -> stop now; wait; after
   replan_after_s ask for another route (at most MAX_REPLANS times); after obstacle_timeout_s
   abort(obstacle). Moving on needs RESUME_CLEAR_S of clear sensor (no start-stop twitching);
3. someone within slow_distance_m -> speed limited to near_people_speed_mps, lower the closer;
4. wheels not turning as commanded for stuck_timeout_s -> aborted(stuck).
Every status carries a reason; nothing aborts silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from drivers.drive import Pose
from robot.config import NavigationSettings
from robot.navigation.planner import Route

State = Literal["started", "planning", "going", "arrived", "aborted"]
ABORT_REASONS = ("obstacle", "stuck", "e_stop", "unreachable", "fault")
MAX_REPLANS = 2
RESUME_CLEAR_S = 0.5
RESUME_MARGIN_M = 0.1
TURN_IN_PLACE_RAD = 0.6
WAYPOINT_PASS_M = 0.3
MAX_TURN_RPS = 0.8
ARRIVAL_DECEL_MPS2 = 0.5
CREEP_MPS = 0.08


@dataclass(frozen=True)
class NavStatus:
    state: State
    reason: str = ""  # when aborted: one of ABORT_REASONS
    detail: str = ""  # English, for technicians and logs
    at: float = 0.0  # clock.monotonic() of the event

    def __str__(self) -> str:
        head = f"{self.state}({self.reason})" if self.reason else self.state
        return f"{head}: {self.detail}" if self.detail else head


@dataclass(frozen=True)
class Observation:
    now: float
    pose: Pose
    left_mps: float = 0.0
    right_mps: float = 0.0
    clearance_m: float | None = None  # forward clearance from the robot's edge; None = nothing seen
    bumper: bool = False
    e_stop: bool = False
    fault: str = ""  # "" = no fault
    link_error: str = ""  # this tick's readings failed (the drive or MCU link); "" = read fine


@dataclass(frozen=True)
class Command:
    linear: float = 0.0
    angular: float = 0.0
    status: NavStatus | None = None
    replan_around: tuple[str, str] | None = None  # ask the navigator for a route avoiding this edge
    emergency: bool = False
    done: bool = False


def _wrap(angle: float) -> float:
    return math.atan2(math.sin(angle), math.cos(angle))


class PathFollower:
    def __init__(self, settings: NavigationSettings, speed_mps: float | None = None, wheel_base_m: float = 0.4):
        self.settings = settings
        self.wheel_base_m = wheel_base_m
        self.speed = min(speed_mps or settings.max_speed_mps, settings.max_speed_mps)
        self.route: Route | None = None
        self.index = 1
        self.last_node: str | None = None
        self.replans = 0
        self.blocked_since: float | None = None
        self._clear_since: float | None = None
        self._last_replan_at: float | None = None
        self._stall_since: float | None = None
        self._last_wheels = (0.0, 0.0)
        self._link_lost_since: float | None = None  # first failed reading of the current run of failures
        self._link_good_since: float | None = None  # first good reading after it
        self._link_said_back = False

    def start(self, route: Route, now: float) -> None:
        self.route = route
        self.index = 1
        self.last_node = route.nodes[0] if not route.nodes[0].startswith("@") else self.last_node
        self.replans = 0
        self.blocked_since = None
        self._clear_since = None
        self._last_replan_at = None
        self._stall_since = None

    def follow(self, route: Route, now: float) -> None:
        """Take a re-planned route; the obstacle timer keeps running."""
        blocked_since, replans = self.blocked_since, self.replans
        self.start(route, now)
        self.blocked_since, self.replans = blocked_since, replans
        self._last_replan_at = now
        self._clear_since = None

    def no_alternative(self, now: float) -> None:
        self._last_replan_at = now

    def _abort(self, reason: str, detail: str, now: float, emergency: bool = False) -> Command:
        return Command(status=NavStatus("aborted", reason, detail, now), emergency=emergency, done=True)

    def _link_lost(self, error: str, now: float) -> Command:
        """Stop while the readings fail (a loaded host, one garbled reply); give up when they keep failing."""
        status = None
        if self._link_lost_since is None:
            self._link_lost_since = now
            self._link_said_back = False
            status = NavStatus("going", "", f"holding: no reading ({error}); retrying", now)
        elif now - self._link_lost_since >= self.settings.link_grace_s:
            return self._abort("fault", f"link fault: readings failing for {now - self._link_lost_since:.1f} s: "
                                        f"{error}", now)
        self._link_good_since = None
        self._clear_since = None  # time without readings is not time of clear way
        return Command(status=status)  # the stall timer keeps running: a gap does not hide stuck wheels

    def _link_back(self, now: float) -> bool:
        """A good reading after failed ones: True the first time (a status); the grace is given back only after
        link_grace_s of good readings."""
        if self._link_lost_since is None:
            return False
        if self._link_good_since is None:
            self._link_good_since = now
        elif now - self._link_good_since >= self.settings.link_grace_s:
            self._link_lost_since = self._link_good_since = None
            return False
        said, self._link_said_back = self._link_said_back, True
        return not said

    def next_node(self) -> str | None:
        if self.route is None or self.index >= len(self.route.nodes):
            return None
        return self.route.nodes[self.index]

    def current_edge(self) -> tuple[str, str] | None:
        if self.route is None or self.index >= len(self.route.nodes):
            return None
        a, b = self.route.nodes[self.index - 1], self.route.nodes[self.index]
        if a.startswith("@"):
            a = self.last_node or ""
        return (a, b) if a and a != b else None

    def step(self, obs: Observation) -> Command:
        s = self.settings
        now = obs.now
        if obs.e_stop:
            return self._abort("e_stop", "emergency stop button pressed", now, emergency=True)
        if obs.fault:
            return self._abort("fault", f"drive fault: {obs.fault}", now)
        if obs.link_error:
            return self._link_lost(obs.link_error, now)
        link_back = self._link_back(now)
        if self.route is None:
            return self._abort("unreachable", "no route to follow", now)
        points, last = self.route.points, len(self.route.points) - 1
        pose = obs.pose
        # Pass waypoints.
        while self.index < last and math.dist((pose.x, pose.y), points[self.index]) < WAYPOINT_PASS_M:
            self.last_node = self.route.nodes[self.index]
            self.index += 1
        tx, ty = points[self.index]
        distance = math.hypot(tx - pose.x, ty - pose.y)
        if self.index == last and distance <= s.goal_tolerance_m:
            self.last_node = self.route.nodes[-1]
            return Command(status=NavStatus("arrived", "", f"at {self.route.goal}", now), done=True)
        error = _wrap(math.atan2(ty - pose.y, tx - pose.x) - pose.theta)
        forward = abs(error) <= TURN_IN_PLACE_RAD
        # Obstacles ahead and bumpers.
        status = NavStatus("going", "", "readings back", now) if link_back else None
        blocked = obs.bumper or (forward and obs.clearance_m is not None and obs.clearance_m <= s.stop_distance_m)
        if blocked:
            self._clear_since = None
            if self.blocked_since is None:
                self.blocked_since = now
                self._last_replan_at = now
                what = "bumper pressed" if obs.bumper else f"obstacle {obs.clearance_m:.2f} m ahead"
                status = NavStatus("going", "", f"stopped: {what}; waiting", now)
        elif self.blocked_since is not None:
            # Turning away (e.g. after a re-plan) is not towards the obstacle.
            clear_enough = (not forward or obs.clearance_m is None
                            or obs.clearance_m > s.stop_distance_m + RESUME_MARGIN_M)
            if not clear_enough:
                self._clear_since = None
            elif self._clear_since is None:
                self._clear_since = now
            elif now - self._clear_since >= RESUME_CLEAR_S:
                self.blocked_since = None
                self._clear_since = None
                status = NavStatus("going", "", "way is clear; moving on", now)
        if self.blocked_since is not None:
            waited = now - self.blocked_since
            if waited >= s.obstacle_timeout_s:
                return self._abort("obstacle", f"way blocked for {waited:.1f} s", now)
            edge = self.current_edge()
            last_try = self._last_replan_at if self._last_replan_at is not None else self.blocked_since
            if self.replans < MAX_REPLANS and now - last_try >= s.replan_after_s and edge is not None:
                self.replans += 1
                self._last_replan_at = now
                return Command(status=status, replan_around=edge)
            self._last_wheels = (0.0, 0.0)
            self._stall_since = None
            return Command(status=status)
        # Stall: wheels commanded but not turning.
        cmd_l, cmd_r = self._last_wheels
        expected = (abs(cmd_l) + abs(cmd_r)) / 2
        measured = (abs(obs.left_mps) + abs(obs.right_mps)) / 2
        if expected > 0.05 and measured < 0.25 * expected:
            if self._stall_since is None:
                self._stall_since = now
            elif now - self._stall_since >= s.stuck_timeout_s:
                return self._abort("stuck", f"wheels not turning for {now - self._stall_since:.1f} s", now)
        else:
            self._stall_since = None
        # Speed.
        limit = self.speed
        if obs.clearance_m is not None and obs.clearance_m < s.slow_distance_m:
            fraction = (obs.clearance_m - s.stop_distance_m) / max(1e-6, s.slow_distance_m - s.stop_distance_m)
            limit = min(limit, max(CREEP_MPS, s.near_people_speed_mps * min(1.0, fraction)))
        if self.index == last:
            limit = min(limit, max(0.05, math.sqrt(2 * ARRIVAL_DECEL_MPS2 * distance)))
        if forward:
            linear = limit * math.cos(error)
            angular = max(-MAX_TURN_RPS, min(MAX_TURN_RPS, 2.5 * error))
        else:
            linear = 0.0
            angular = math.copysign(min(MAX_TURN_RPS, max(0.3, 2.0 * abs(error))), error)
        half = angular * self.wheel_base_m / 2
        self._last_wheels = (linear - half, linear + half)
        return Command(linear, angular, status)
