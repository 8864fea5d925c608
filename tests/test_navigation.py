"""Planner, path follower decisions (pure) and `letan nav route`."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from drivers.drive import Pose
from letan.cli import app
from robot.config import NavigationSettings, load_centre
from robot.navigation.follower import Observation, PathFollower
from robot.navigation.planner import UnknownLocation, Unreachable, plan, resolve_place
from tests.conftest import CUA_NAM, PHU_DINH


def test_shortest_path_on_both_sample_maps() -> None:
    for path in (CUA_NAM, PHU_DINH):
        centre = load_centre(path)
        for point in centre.reception_points:
            for counter in point.counters:
                route = plan(point.floor_map, "entrance", counter.location)
                assert route.nodes[0] == "entrance" and route.nodes[-1] == counter.location
                straight = math.dist(route.points[0], route.points[-1])
                assert straight <= route.length_m < 3 * straight


def test_blocked_edges_and_unknown_names() -> None:
    fmap = load_centre(CUA_NAM).point().floor_map
    assert plan(fmap, "hall_c", "front_5").nodes == ("hall_c", "waiting_area", "front_5")
    detour = plan(fmap, "hall_c", "front_5", blocked=[("hall_c", "waiting_area")])
    assert "waiting_area" not in detour.nodes
    with pytest.raises(Unreachable):
        plan(fmap, "entrance", "counter_1", blocked=[("entrance", "hall_c")])
    with pytest.raises(UnknownLocation) as info:
        plan(fmap, "entrance", "counter_99")
    assert "counter_8" in info.value.valid
    point = load_centre(CUA_NAM).point()
    assert resolve_place(point, "counter", 7) == "counter_7"
    assert resolve_place(point, "toilet") == "toilet"


def _route_north() -> tuple[PathFollower, NavigationSettings]:
    fmap = load_centre(CUA_NAM).point().floor_map
    settings = NavigationSettings()
    follower = PathFollower(settings)
    follower.start(plan(fmap, "hall_c", "waiting_area"), 0.0)
    return follower, settings


def test_follower_stops_waits_and_aborts_on_a_standing_obstacle() -> None:
    follower, settings = _route_north()
    pose = Pose(12.0, 3.5, math.pi / 2)
    going = follower.step(Observation(0.0, pose, 0.4, 0.4, clearance_m=None))
    assert going.linear == pytest.approx(settings.max_speed_mps, rel=0.01)
    near = follower.step(Observation(0.05, pose, 0.4, 0.4, clearance_m=0.8))
    assert near.linear <= settings.near_people_speed_mps
    stop = follower.step(Observation(0.1, pose, 0.2, 0.2, clearance_m=0.25))
    assert stop.linear == 0 and stop.status is not None and stop.status.detail.startswith("stopped")
    replan = follower.step(Observation(3.2, pose, 0, 0, clearance_m=0.25))
    assert replan.replan_around == ("hall_c", "waiting_area")
    follower.no_alternative(3.2)
    t = 3.25
    while True:
        command = follower.step(Observation(t, pose, 0, 0, clearance_m=0.25))
        if command.done:
            break
        assert command.linear == 0 and command.angular == 0
        t += 0.05
    assert command.status is not None and command.status.reason == "obstacle"
    assert t == pytest.approx(0.1 + settings.obstacle_timeout_s, abs=0.06)


def test_follower_waits_for_a_clear_way_before_moving_on() -> None:
    follower, _ = _route_north()
    pose = Pose(12.0, 3.5, math.pi / 2)
    follower.step(Observation(0.0, pose, clearance_m=0.2))
    assert follower.step(Observation(0.05, pose, clearance_m=1.0)).linear == 0  # clear, but not for long enough
    assert follower.step(Observation(0.3, pose, clearance_m=0.2)).linear == 0  # someone again: timer restarts
    assert follower.step(Observation(0.35, pose, clearance_m=1.0)).linear == 0
    moving = follower.step(Observation(0.9, pose, clearance_m=1.0))
    assert moving.linear > 0 and moving.status is not None and "clear" in moving.status.detail


def test_follower_e_stop_fault_and_stall() -> None:
    follower, _ = _route_north()
    pose = Pose(12.0, 3.5, math.pi / 2)
    e_stop = follower.step(Observation(0.0, pose, e_stop=True))
    assert e_stop.done and e_stop.emergency and e_stop.status is not None and e_stop.status.reason == "e_stop"
    follower, _ = _route_north()
    fault = follower.step(Observation(0.0, pose, fault="communication: port lost"))
    assert fault.done and fault.status is not None and fault.status.reason == "fault"
    follower, settings = _route_north()
    t, command = 0.0, follower.step(Observation(0.0, pose))
    while not command.done and t < 10:
        t += 0.05
        command = follower.step(Observation(t, pose, 0.0, 0.0))  # wheels do not turn
    assert command.status is not None and command.status.reason == "stuck"
    assert t == pytest.approx(settings.stuck_timeout_s, abs=0.1)


def test_follower_rides_out_a_short_link_gap_and_gives_up_on_a_long_one() -> None:
    follower, settings = _route_north()
    pose = Pose(12.0, 3.5, math.pi / 2)
    assert follower.step(Observation(0.0, pose)).linear > 0
    held = follower.step(Observation(0.05, pose, link_error="no valid answer after 3 tries"))
    assert not held.done and held.linear == held.angular == 0  # stop while blind
    assert held.status is not None and held.status.detail.startswith("holding")
    again = follower.step(Observation(0.1, pose, link_error="no valid answer after 3 tries"))
    assert not again.done and again.status is None  # said once
    back = follower.step(Observation(0.15, pose, 0.3, 0.3))
    assert not back.done and back.linear > 0 and back.status is not None and back.status.detail == "readings back"
    t = 0.15
    while t < 0.7:  # good readings for link_grace_s give the grace back
        t += 0.05
        assert follower.step(Observation(t, pose, 0.3, 0.3)).status is None
    t, command = 0.75, follower.step(Observation(0.75, pose, link_error="port lost"))
    assert command.status is not None and command.status.detail.startswith("holding")  # a new gap
    while not command.done and t < 5:
        t += 0.05
        command = follower.step(Observation(t, pose, link_error="port lost"))
    assert command.status is not None and command.status.reason == "fault" and "port lost" in command.status.detail
    assert t - 0.75 == pytest.approx(settings.link_grace_s, abs=0.06)


def test_follower_gives_up_on_a_link_that_fails_every_other_tick() -> None:
    follower, settings = _route_north()
    pose = Pose(12.0, 3.5, math.pi / 2)
    t, command, statuses = 0.0, follower.step(Observation(0.0, pose)), []
    while not command.done and t < 5:
        t += 0.05
        failing = round(t / 0.05) % 2 == 1
        command = follower.step(Observation(t, pose, 0.3, 0.3, link_error="checksum" if failing else ""))
        statuses += [command.status.detail] if command.status is not None else []
    assert command.status is not None and command.status.reason == "fault"
    assert settings.link_grace_s <= t - 0.05 <= settings.link_grace_s + 0.11  # the next failing tick after it
    assert len(statuses) <= 3  # holding, readings back, the abort: not a status a tick


def test_a_link_gap_hides_neither_stuck_wheels_nor_an_e_stop_nor_counts_as_clear_way() -> None:
    follower, settings = _route_north()
    pose = Pose(12.0, 3.5, math.pi / 2)
    t, command = 0.0, follower.step(Observation(0.0, pose))
    while not command.done and t < 10:  # wheels that do not turn, a short gap every second
        t += 0.05
        gap = round(t / 0.05) % 20 == 0
        command = follower.step(Observation(t, pose, 0.0, 0.0, link_error="timeout" if gap else ""))
    assert command.status is not None and command.status.reason == "stuck"
    assert t == pytest.approx(settings.stuck_timeout_s, abs=0.1)
    follower, _ = _route_north()
    stop = follower.step(Observation(0.0, pose, e_stop=True, link_error="drive link lost"))
    assert stop.done and stop.emergency and stop.status is not None and stop.status.reason == "e_stop"
    follower, _ = _route_north()
    assert follower.step(Observation(0.0, pose, clearance_m=0.2)).linear == 0  # someone in the way
    assert follower.step(Observation(0.3, pose, clearance_m=1.0)).linear == 0  # clear: the timer starts
    for t in (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        assert follower.step(Observation(t, pose, link_error="timeout")).linear == 0
    assert follower.step(Observation(0.85, pose, clearance_m=1.0)).linear == 0  # blind time was not clear time
    moving = follower.step(Observation(1.4, pose, clearance_m=1.0))
    assert moving.linear > 0


def test_follower_arrives() -> None:
    follower, _ = _route_north()
    done = follower.step(Observation(0.0, Pose(12.0, 6.25, math.pi / 2)))
    assert done.done and done.status is not None and done.status.state == "arrived"


def test_nav_route_cli() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["nav", "route", "--config", str(CUA_NAM), "--to", "counter_3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"][0] == "entrance" and data["path"][-1] == "counter_3"
    assert data["length_m"] == pytest.approx(16.4, abs=0.1)
    assert data["walking_time_s"] == pytest.approx(data["length_m"] / 0.8, abs=0.1)
    text = runner.invoke(app, ["nav", "route", "--config", str(PHU_DINH), "--point", "diem-1", "--to", "toilet"])
    assert text.exit_code == 0 and "length: 7.7 m" in text.stdout
    bad = runner.invoke(app, ["nav", "route", "--config", str(CUA_NAM), "--to", "counter_99"])
    assert bad.exit_code == 2
    assert "unknown location 'counter_99'" in bad.stderr and "counter_8" in bad.stderr
    assert "Traceback" not in bad.output
