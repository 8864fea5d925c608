"""Drive base: frames on the wire, odometry, watchdog, retries, faults and reconnection (simulated devices on ptys)."""

from __future__ import annotations

import math
import os
import threading
import time
import tty
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drivers.drive import DriveError, McuDrive, Odometry, Pose, Zlac8015dDrive, wheel_speeds
from drivers.mcu_protocol import FAULT_WATCHDOG, LinkError, McuLink, ProtocolError, decode_line, encode_line
from robot.config import load_centre
from simulator.motors import SimMcu, SimZlac8015d
from simulator.world import RealTimeRunner, World
from tests.conftest import CUA_NAM


def crc16_modbus(frame: bytes) -> bytes:
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])


def test_crc_matches_the_documented_frames() -> None:
    assert crc16_modbus(bytes.fromhex("01 06 20 0E 00 08")) == bytes.fromhex("E2 0F")
    assert crc16_modbus(bytes.fromhex("01 10 20 88 00 02 04 00 64 FF 9C")) == bytes.fromhex("63 EE")


def test_zlac_driver_sends_the_documented_bytes() -> None:
    """The real driver on a raw pty: the bytes it writes are the frames of the hardware notes."""
    master, slave = os.openpty()
    tty.setraw(slave)
    received: list[bytes] = []

    def device() -> None:  # answers every request like the ZLAC would (echo of a write)
        for _ in range(5):
            data = b""
            while len(data) < 8 or (data[1] == 0x10 and len(data) < 9 + data[6]):
                data += os.read(master, 64)
            received.append(data)
            reply = data[:6] if data[1] in (0x06, 0x10) else data
            os.write(master, reply + crc16_modbus(reply))

    thread = threading.Thread(target=device, daemon=True)
    thread.start()
    drive = Zlac8015dDrive(os.ttyname(slave), wheel_radius_m=0.0825)
    try:
        drive.enable()
        rpm_100 = 100 / 60 * 2 * math.pi * 0.0825
        drive.set_wheel_velocities(rpm_100, rpm_100)  # both wheels forward; the right motor is mirrored
        thread.join(timeout=3)
    finally:
        drive.close()
        os.close(master)
        os.close(slave)
    assert received[2] == bytes.fromhex("01 06 20 0E 00 08 E2 0F")
    assert received[3] == bytes.fromhex("01 10 20 88 00 02 04 00 64 FF 9C 63 EE")


def test_odometry_straight_and_turning() -> None:
    odo = Odometry(0.4, Pose(1.0, 2.0, math.pi / 2))
    odo.update(0.0, 0.0)
    pose = odo.update(1.0, 1.0)
    assert pose.x == pytest.approx(1.0) and pose.y == pytest.approx(3.0)
    quarter = math.pi / 2 * 0.2  # each wheel travels a quarter circle of radius 0.2 in opposite directions
    pose = odo.update(1.0 - quarter, 1.0 + quarter)
    assert pose.theta == pytest.approx(math.pi) and pose.y == pytest.approx(3.0)
    assert wheel_speeds(0.5, 1.0, 0.4) == pytest.approx((0.3, 0.7))


def test_mcu_lines_carry_a_checksum() -> None:
    assert encode_line("w 0.5 -0.5") == b"w 0.5 -0.5*" + f"{_xor(b'w 0.5 -0.5'):02X}".encode() + b"\n"
    assert decode_line(encode_line("f")) == "f"
    with pytest.raises(ProtocolError):
        decode_line(b"w 0.5 0.5*00\n")
    with pytest.raises(ProtocolError):
        decode_line(b"w 0.5 0.5\n")


def _xor(data: bytes) -> int:
    value = 0
    for b in data:
        value ^= b
    return value


@pytest.fixture
def world() -> World:
    fmap = load_centre(CUA_NAM).point().floor_map
    return World(fmap, (12.0, 3.0, math.pi / 2), start_time=datetime(2026, 1, 5, 1, tzinfo=UTC), slip=0.0)


def test_zlac_velocity_and_odometry_over_modbus(world: World, tmp_path: Path) -> None:
    sim = SimZlac8015d(world, tmp_path / "zlac")
    drive = Zlac8015dDrive(str(sim.path), monotonic=lambda: world.time)
    try:
        drive.enable()
        drive.odometry.reset(Pose(12.0, 3.0, math.pi / 2))
        drive.read()
        drive.set_velocity(0.4, 0.0)
        world.advance(2.0)
        state = drive.read()
        assert state.left_mps == pytest.approx(0.4, abs=0.01) and state.right_mps == pytest.approx(0.4, abs=0.01)
        assert drive.pose().y == pytest.approx(world.y, abs=0.01)
        assert world.y > 3.5
    finally:
        drive.close()
        sim.close()


def test_watchdog_stops_the_motors_when_the_controller_hangs(world: World, tmp_path: Path) -> None:
    sim = SimZlac8015d(world, tmp_path / "zlac")
    drive = Zlac8015dDrive(str(sim.path))  # real time: the world runs in real time too
    try:
        with RealTimeRunner(world):
            drive.enable()
            drive.set_velocity(0.3, 0.0)
            hung_at = time.monotonic()  # the controller sends nothing more
            while world.wheels.target_left != 0 and time.monotonic() - hung_at < 2:
                time.sleep(0.005)
            stopped_after = time.monotonic() - hung_at
        assert world.wheels.target_left == 0 and world.wheels.target_right == 0
        assert 0.28 <= stopped_after <= 0.45
        assert drive.faults.watchdog_trips == 1
    finally:
        drive.close()
        sim.close()


def test_mcu_firmware_watchdog_when_the_host_dies(world: World, tmp_path: Path) -> None:
    sim = SimMcu(world, tmp_path / "mcu")
    link = McuLink(str(sim.path))
    try:
        world.wheels.enabled = True
        link.command("w 0.5 0.5")
        world.advance(0.25)
        assert world.wheels.target_left > 0
        world.advance(0.1)  # 350 ms without a velocity command
        assert world.wheels.target_left == 0
        assert link.safety().faults & FAULT_WATCHDOG
    finally:
        link.close()
        sim.close()


def test_crc_errors_are_retried_then_a_fault_then_recovery(world: World, tmp_path: Path) -> None:
    sim = SimZlac8015d(world, tmp_path / "zlac")
    drive = Zlac8015dDrive(str(sim.path), retries=2, timeout_s=0.05)
    try:
        drive.enable()
        sim.host.corrupt_replies = 2  # two damaged answers: the third try succeeds
        drive.read()
        assert drive.errors == 2 and not drive.faults.comm
        sim.host.corrupt_replies = 10  # persistently damaged: a fault after 3 tries
        with pytest.raises(DriveError) as info:
            drive.read()
        assert info.value.reason == "comm" and "3 tries" in drive.faults.comm
        sim.host.corrupt_replies = 0
        drive.read()
        assert not drive.faults.comm and not drive.faults.any
    finally:
        drive.close()
        sim.close()


def test_a_short_reply_is_a_link_fault_not_a_crash(world: World, tmp_path: Path) -> None:
    """A well-formed reply with fewer registers than asked (a stale answer on a loaded line) is a comm fault the
    navigator handles; it was an IndexError that crashed guiding."""
    sim = SimZlac8015d(world, tmp_path / "zlac")
    drive = Zlac8015dDrive(str(sim.path), retries=0, timeout_s=0.05)
    try:
        drive.enable()
        sim.host.short_replies = 1
        with pytest.raises(DriveError) as info:
            drive.read()
        assert info.value.reason == "comm" and "short reply" in drive.faults.comm
        drive.read()
        assert not drive.faults.comm
    finally:
        drive.close()
        sim.close()


def test_pulled_zlac_cable_gives_a_fault_and_reconnects(world: World, tmp_path: Path) -> None:
    sim = SimZlac8015d(world, tmp_path / "zlac")
    drive = Zlac8015dDrive(str(sim.path), timeout_s=0.05)
    try:
        drive.enable()
        drive.set_velocity(0.2, 0.0)
        sim.host.unplug()
        with pytest.raises(DriveError):
            drive.read()
        assert drive.faults.comm
        with pytest.raises(DriveError):  # still unplugged: the port cannot be opened
            drive.read()
        sim.host.plug()
        drive.read()
        drive.set_velocity(0.3, 0.0)
        assert not drive.faults.comm
        assert world.wheels.target_left == pytest.approx(0.3, abs=0.01)
    finally:
        drive.close()
        sim.close()


def test_mcu_drive_crc_and_cable(world: World, tmp_path: Path) -> None:
    sim = SimMcu(world, tmp_path / "mcu")
    link = McuLink(str(sim.path), timeout_s=0.05, retries=2)
    drive = McuDrive(link, monotonic=lambda: world.time)
    try:
        drive.enable()
        drive.set_velocity(0.25, 0.0)
        world.advance(0.25)
        drive.set_velocity(0.25, 0.0)  # within the MCU's 300 ms watchdog
        world.advance(0.25)
        assert drive.read().left_mps == pytest.approx(0.25, abs=0.01)
        sim.host.corrupt_replies = 1
        drive.read()
        assert link.errors == 1
        sim.host.corrupt_replies = 3
        with pytest.raises(DriveError):
            drive.read()
        assert drive.faults.comm
        sim.host.unplug()
        with pytest.raises(DriveError):
            drive.set_velocity(0.25, 0.0)
        sim.host.plug()
        drive.set_velocity(0.25, 0.0)
        drive.read()
        assert not drive.faults.comm
    finally:
        drive.close()
        sim.close()


def test_emergency_stop_latches_until_cleared(world: World, tmp_path: Path) -> None:
    sim = SimMcu(world, tmp_path / "mcu")
    drive = McuDrive(McuLink(str(sim.path)), monotonic=lambda: world.time)
    try:
        drive.enable()
        drive.set_velocity(0.4, 0.0)
        world.advance(1.0)
        drive.emergency_stop()
        assert world.speed() == 0
        with pytest.raises(DriveError) as info:
            drive.set_velocity(0.2, 0.0)
        assert info.value.reason == "e_stop"
        drive.clear_faults()
        drive.set_velocity(0.2, 0.0)
        world.advance(0.25)
        assert world.speed() > 0.1
    finally:
        drive.close()
        sim.close()


def test_link_error_when_no_device_answers(tmp_path: Path) -> None:
    link = McuLink(str(tmp_path / "nothing-here"))
    with pytest.raises(LinkError, match="cannot open"):
        link.request("p")


def test_battery_replies_parse_and_bad_ones_are_refused() -> None:
    from drivers.mcu_protocol import BatteryReading, format_battery, parse_battery

    reading = parse_battery("25150 86.5 1")
    assert reading == BatteryReading(percent=86.5, volts=25.15, charging=True)
    assert parse_battery(format_battery(reading)) == reading
    for bad in ("25150 86.5", "25150 abc 0", "25150 101 0", "25150 50 2", "-1 50 0"):
        with pytest.raises(ProtocolError):
            parse_battery(bad)


def test_battery_gauge_over_the_pty_drains_while_driving_and_charges_on_the_dock(world: World,
                                                                                 tmp_path: Path) -> None:
    sim = SimMcu(world, tmp_path / "mcu", battery_pct=50.0)
    link = McuLink(str(sim.path))
    try:
        first = link.battery()
        assert first is not None and first.percent == 50.0 and not first.charging  # (12, 3): off the dock
        world.advance(100)  # switched on, standing
        idle = link.battery()
        assert idle is not None and 49.7 < idle.percent < 49.9
        world.wheels.enabled = True
        for _ in range(120):  # 30 s of driving, velocity commands every 250 ms (the MCU watchdog)
            link.command("w 0.2 -0.2")
            world.advance(0.25)
        driving = link.battery()
        assert driving is not None and idle.percent - driving.percent >= 0.3  # 0.012 %/s while driving
        link.command("w 0 0")
        with world.lock:
            world.x, world.y = 1.2, 1.3  # on the dock's contacts
        world.advance(60)
        docked = link.battery()
        assert docked is not None and docked.charging and docked.percent > driving.percent + 1
        sim.has_battery_gauge = False  # older firmware: `b` is an unknown command
        assert link.battery() is None
    finally:
        link.close()
        sim.close()


def test_halt_at_shutdown_stops_the_wheels_and_refuses_motion(world: World, tmp_path: Path) -> None:
    """`letan run` stopping (SIGTERM, Ctrl-C): the wheels go to zero with a normal stop (not the driver's
    emergency brake), and a walk still running gets no further velocity through."""
    sim = SimZlac8015d(world, tmp_path / "zlac")
    drive = Zlac8015dDrive(str(sim.path), monotonic=lambda: world.time)
    try:
        drive.enable()
        drive.set_velocity(0.4, 0.0)
        world.advance(1.0)
        assert world.speed() > 0.3
        drive.halt()
        assert world.wheels.target_left == 0 and world.wheels.target_right == 0
        assert world.wheels.enabled  # a normal stop: the driver was not sent its emergency stop
        with pytest.raises(DriveError):
            drive.set_velocity(0.4, 0.0)
        world.advance(1.0)
        assert world.speed() == 0
    finally:
        drive.close()
        sim.close()
