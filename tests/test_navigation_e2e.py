"""Navigation end to end in the simulator: real drivers over ptys to simulated devices, the world's clock."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dialogs.numbers import counter_words
from robot.config import load_centre
from robot.navigation.behaviours import RobotGuide
from simulator.motors import HostPty, MotionRig
from simulator.world import Person
from tests.conftest import CUA_NAM, PHU_DINH

CENTRES = {"cua-nam": CUA_NAM, "phu-dinh": PHU_DINH}


def _cases() -> list[tuple[str, str, int]]:
    cases = []
    for name, path in CENTRES.items():
        centre = load_centre(path)
        for point in centre.reception_points:
            cases += [(name, point.id, c.number) for c in point.counters]
    return cases


def _true_distance(rig: MotionRig, location: str) -> float:
    loc = rig.point.floor_map.locations[location]
    return math.hypot(rig.world.x - loc.x, rig.world.y - loc.y)


@pytest.mark.slow
@pytest.mark.parametrize(("centre_name", "point_id", "number"), _cases())
def test_guide_to_every_counter(tmp_path: Path, centre_name: str, point_id: str, number: int) -> None:
    centre = load_centre(CENTRES[centre_name])
    with MotionRig(centre, tmp_path, point=point_id) as rig:
        result = rig.behaviours.guide_to_counter(number, return_to_base=False, address="bác")
        assert result.arrived, (result, [str(s) for s in rig.statuses])
        counter = next(c for c in rig.point.counters if c.number == number)
        assert _true_distance(rig, counter.location) < 0.4  # where the robot really is, not its odometry
        assert rig.said[0] == f"Dạ, mời bác đi theo cháu đến {counter_words(number)}."
        assert rig.said[-1].startswith(f"Dạ, đến {counter_words(number)} rồi ạ. Bác chờ cán bộ gọi số")
        assert not any("ông" in t or "/" in t for t in rig.said)  # the citizen's form of address only
        assert [s.state for s in rig.statuses][:3] == ["started", "planning", "going"]
        assert rig.statuses[-1].state == "arrived"
        assert rig.world.collisions == 0
        assert rig.world.wheels.target_left == rig.world.wheels.target_right == 0  # stopped on arrival
        rig.world.advance(0.1)
        assert rig.world.speed() == 0


@pytest.mark.slow
def test_guide_then_return_to_base_and_render(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    with MotionRig(centre, tmp_path) as rig:
        guide = RobotGuide(rig.behaviours)  # the dialog's port
        result = guide.guide_to("counter", 2, address="anh/chị")
        assert result.arrived
        assert rig.navigator.location == "counter_2"  # stays for the dialog's goodbye
        assert rig.said == ["Dạ, mời anh chị đi theo em đến quầy số hai.",
                            "Dạ, đến quầy số hai rồi ạ. Anh chị chờ cán bộ gọi số thứ tự giúp em ạ."]
        guide.return_to_base()
        assert rig.navigator.location == "dock"
        assert _true_distance(rig, "dock") < 0.5
        png = rig.world.render_png(tmp_path / "trail.png", rig.navigator.last_route.points)  # type: ignore[union-attr]
        assert png.stat().st_size > 5000
        assert rig.world.time > 30  # simulated seconds, run faster than real time


def test_obstacle_stops_within_0_3_s_and_aborts_if_it_stays(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    with MotionRig(centre, tmp_path) as rig:
        world = rig.world
        appeared: list[float] = []
        stopped: list[float] = []

        def watch(now: float) -> None:
            # A person steps in front of the robot once it drives at speed on the dead-end entrance corridor.
            if not appeared and world.y > 1.6 and world.speed() > 0.3:
                world.add_person(Person(world.x, world.y + 0.25 + 0.3 + 0.2, radius=0.3))  # 0.2 m clearance
                appeared.append(now)
            if appeared and not stopped and world.speed() < 1e-6:
                stopped.append(now)

        world.add_step_hook(watch)
        result = rig.navigator.go_to("counter_5", speed_mps=0.45)
        assert appeared and stopped
        assert stopped[0] - appeared[0] <= 0.3
        assert not result.arrived and result.reason == "obstacle"
        assert world.collisions == 0
        details = [s.detail for s in rig.statuses]
        assert any(d.startswith("stopped: obstacle") for d in details)
        assert rig.statuses[-1].state == "aborted" and rig.statuses[-1].reason == "obstacle"
        assert rig.said.count("Xin phép cho em đi nhờ một chút ạ.") == 1  # asked once, no twitching
        assert result.detail.startswith("way blocked for 12")


@pytest.mark.slow
def test_person_passing_by_only_delays_the_robot(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    with MotionRig(centre, tmp_path) as rig:
        # Someone crosses the corridor in front of the robot and walks on.
        rig.world.add_person(Person(10.5, 2.2, radius=0.3, speed=0.4, waypoints=[(16.0, 2.2), (16.0, 2.21)]))
        result = rig.navigator.go_to("waiting_area")
        assert result.arrived, [str(s) for s in rig.statuses]
        assert rig.world.collisions == 0


@pytest.mark.slow
def test_blocked_corridor_replans_another_way(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    with MotionRig(centre, tmp_path, start="hall_c") as rig:
        # Someone stands between the waiting area and counter 5's front: the robot goes round by the west side.
        rig.world.add_person(Person(12.0, 5.6, radius=0.35))
        result = rig.navigator.go_to("counter_5")
        assert result.arrived, [str(s) for s in rig.statuses]
        assert any(s.state == "planning" and "blocked" in s.detail for s in rig.statuses)
        assert "hall_w" in rig.navigator.last_route.nodes or "hall_e" in rig.navigator.last_route.nodes  # type: ignore[union-attr]


def test_e_stop_aborts_at_once(tmp_path: Path) -> None:
    centre = load_centre(PHU_DINH)
    with MotionRig(centre, tmp_path) as rig:
        world = rig.world
        world.add_step_hook(lambda now: setattr(world, "e_stop", True) if world.y > 2.0 else None)
        result = rig.navigator.go_to("counter_3")
        assert not result.arrived and result.reason == "e_stop"
        assert world.speed() == 0
        assert rig.drive.faults.e_stop


def test_stalled_wheels_abort_with_stuck(tmp_path: Path) -> None:
    centre = load_centre(PHU_DINH)
    with MotionRig(centre, tmp_path) as rig:
        world = rig.world
        world.add_step_hook(lambda now: setattr(world, "stalled", True) if world.y > 2.0 else None)
        result = rig.navigator.go_to("counter_1")
        assert not result.arrived and result.reason == "stuck"
        assert "wheels not turning" in result.detail


def test_unreachable_is_reported(tmp_path: Path) -> None:
    centre = load_centre(PHU_DINH)
    with MotionRig(centre, tmp_path) as rig:
        result = rig.navigator.go_to("roof")
        assert not result.arrived and result.reason == "unreachable"
        assert "valid names" in result.detail


@pytest.mark.slow
def test_pulled_cable_gives_fault_then_recovery(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    with MotionRig(centre, tmp_path) as rig:
        world = rig.world
        assert rig.sim_zlac is not None
        zlac = rig.sim_zlac
        world.add_step_hook(lambda now: zlac.host.unplug() if world.y > 2.0 and zlac.host.plugged else None)
        result = rig.navigator.go_to("waiting_area")
        assert not result.arrived and result.reason == "fault"
        assert rig.drive.faults.comm
        zlac.host.plug()
        world._hooks.clear()
        rig.drive.read()  # reopens the port by itself
        assert not rig.drive.faults.comm
        result = rig.navigator.go_to("waiting_area")
        assert result.arrived, [str(s) for s in rig.statuses]


def _walk_with_a_gap(rig: MotionRig, host: HostPty) -> list[str]:
    """Walk to the waiting area with `host`'s cable pulled for 0.2 s of the world's time once the robot has gone
    2 m; the walk must arrive. The statuses' details."""
    world, gap = rig.world, list[float]()

    def flaky(now: float) -> None:
        if world.y > 2.0 and not gap:
            gap.append(now)
            host.unplug()
        elif gap and host.plugged is False and now - gap[0] >= 0.2:
            host.plug()

    world.add_step_hook(flaky)
    result = rig.navigator.go_to("waiting_area")
    assert gap, "the cable was never pulled"
    assert result.arrived, [str(s) for s in rig.statuses]
    return [s.detail for s in rig.statuses]


@pytest.mark.slow
def test_a_cable_that_drops_for_a_moment_does_not_end_the_walk(tmp_path: Path) -> None:
    with MotionRig(load_centre(CUA_NAM), tmp_path) as rig:
        assert rig.sim_zlac is not None
        details = _walk_with_a_gap(rig, rig.sim_zlac.host)
        assert any(d.startswith("holding: no reading (wheels: ") for d in details)  # the read that failed
        assert "readings back" in details
        assert not rig.said  # a link gap is not somebody in the way


@pytest.mark.slow
def test_a_gap_on_the_safety_board_is_named_as_such(tmp_path: Path) -> None:
    with MotionRig(load_centre(CUA_NAM), tmp_path) as rig:
        assert rig.sim_zlac is not None  # the wheels on their own link: only the safety board's read fails
        details = _walk_with_a_gap(rig, rig.sim_mcu.host)
        assert any(d.startswith("holding: no reading (safety inputs: ") for d in details), details
        assert not any("wheels: " in d for d in details)


@pytest.mark.slow
def test_an_e_stop_pressed_while_the_drive_link_is_down_is_seen_at_once(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    with MotionRig(centre, tmp_path) as rig:
        world = rig.world
        assert rig.sim_zlac is not None
        zlac = rig.sim_zlac
        pressed: list[float] = []

        def both(now: float) -> None:
            if world.y > 2.0 and not pressed:
                pressed.append(now)
                zlac.host.unplug()
                world.e_stop = True

        world.add_step_hook(both)
        result = rig.navigator.go_to("waiting_area")
        assert pressed and not result.arrived and result.reason == "e_stop", [str(s) for s in rig.statuses]
        assert rig.statuses[-1].at - pressed[0] < 0.3  # not after the link's grace


def test_point_to_when_the_robot_must_not_move(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    centre = centre.model_copy(update={"devices": centre.devices.model_copy(update={"can_move": False})})
    with MotionRig(centre, tmp_path) as rig:
        result = rig.behaviours.guide("counter", 1)
        assert not result.arrived and result.reason == "not_allowed"
        bearing, label = rig.arrows[-1]
        assert abs(bearing) < 6  # turned in place to face counter 1
        assert label.startswith("quầy số 1")
        assert result.pointed
        assert rig.said[-1].startswith("Quầy số một ở ngay phía trước, cách khoảng")
        assert math.hypot(rig.world.x - 12.0, rig.world.y - 0.8) < 0.05  # did not drive away


def test_serve_refreshments_goes_to_the_water_station_and_back(tmp_path: Path) -> None:
    centre = load_centre(PHU_DINH)
    with MotionRig(centre, tmp_path, point="diem-1", start="waiting_area") as rig:
        result = rig.behaviours.serve_refreshments("water")
        assert result.served
        assert rig.sim_mcu.stock["water"] == 19
        assert rig.navigator.location == "waiting_area"
        assert "Dạ, mời ông bà dùng nước ạ." in rig.said
