"""Simulated motor hardware on ptys: a ZLAC8015D Modbus RTU driver and the robot's microcontroller.

Each device sits behind a `HostPty`: the application opens `host.path` (a stable symlink to the
pty, like /dev/serial/by-id/...) with its ordinary serial code. The cable can be pulled
(`unplug()`, the path disappears and open ports get I/O errors) and plugged back (`plug()`), and
replies can be corrupted or swallowed, to test retries, faults and reconnection.

- `SimZlac8015d`: a real pymodbus 3.16 Modbus RTU server (SimDevice/SimData) on its own pty; a
  relay thread joins it to the host pty. Writing the control word or target rpm sets the world's
  wheel targets; reading 0x20A5-0x20AC returns faults, encoder counts and speeds from the world.
- `SimMcu`: the line protocol of drivers/mcu_protocol.py, with the firmware's 300 ms velocity
  watchdog, e-stop and front-bumper cut-off, safety inputs from the world and a dispenser stock.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import select
import threading
import tty
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pymodbus.framer import FramerRTU, FramerType
from pymodbus.server import ModbusSerialServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.dispenser import Dispenser
from drivers.drive import (
    CONTROL_CLEAR,
    CONTROL_ENABLE,
    CONTROL_ESTOP,
    CONTROL_STOP,
    REG_CONTROL,
    REG_FAULT,
    REG_TARGET_RPM,
    ZLAC_COUNTS_PER_REV,
    DriveBase,
    McuDrive,
    Zlac8015dDrive,
    from_u16,
    to_u16,
)
from drivers.mcu_protocol import (
    BUMPER_FRONT,
    FAULT_ESTOP_LATCHED,
    FAULT_WATCHDOG,
    BatteryReading,
    McuLink,
    ProtocolError,
    SafetyInputs,
    decode_line,
    encode_line,
    format_battery,
    format_safety,
)
from robot.config import CentreConfig
from robot.navigation.behaviours import MAKE_WAY, Behaviours
from robot.navigation.follower import NavStatus
from robot.navigation.navigator import FACING_HALL, Navigator
from robot.navigation.stock import StockTracker
from simulator.world import World, WorldClock

MCU_WATCHDOG_S = 0.3
MODBUS_READ_HOLDING = 0x03
# Simulated battery, % per second of simulated time: about 7 %/h switched on, 36 %/h more while driving,
# and a full charge in about 1.5 h on the dock.
BATTERY_IDLE_PCT_S = 0.002
BATTERY_MOVING_PCT_S = 0.01
BATTERY_CHARGE_PCT_S = 0.018


class HostPty:
    """The application's end of a simulated cable: a pty reachable at a stable symlink path."""

    def __init__(self, path: Path):
        self.path = path
        self.master: int | None = None
        self._slave: int | None = None
        self.corrupt_replies = 0  # damage the next N replies (one flipped byte each)
        self.short_replies = 0  # answer the next N Modbus register reads with two registers only (a valid frame)
        self.silent = False  # swallow replies (a hung device)
        self.lock = threading.Lock()
        self.plug()

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def plug(self) -> None:
        with self.lock:
            if self.master is not None:
                return
            master, slave = os.openpty()
            tty.setraw(slave)
            tmp = self.path.with_name(self.path.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(os.ttyname(slave))
            tmp.replace(self.path)
            self.master, self._slave = master, slave

    def unplug(self) -> None:
        """Pull the cable: the path disappears and an open port sees a hang-up."""
        with self.lock:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            for fd in (self.master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self.master = self._slave = None

    def read(self, timeout: float) -> bytes:
        master = self.master
        if master is None:
            threading.Event().wait(timeout)
            return b""
        try:
            ready, _, _ = select.select([master], [], [], timeout)
            return os.read(master, 4096) if ready else b""
        except (OSError, ValueError):
            return b""

    def write_reply(self, data: bytes) -> None:
        if self.silent or not data:
            return
        if self.short_replies > 0 and len(data) > 9 and data[1] == MODBUS_READ_HOLDING:
            self.short_replies -= 1
            body = data[:2] + bytes([4]) + data[3:7]
            data = body + FramerRTU.compute_CRC(body).to_bytes(2, "big")
        if self.corrupt_replies > 0:
            self.corrupt_replies -= 1
            index = len(data) // 2
            data = data[:index] + bytes([data[index] ^ 0x5A]) + data[index + 1:]
        master = self.master
        if master is not None:
            with contextlib.suppress(OSError):
                os.write(master, data)

    def close(self) -> None:
        self.unplug()


class SimMcu:
    """The robot's microcontroller: wheels (when drive.kind is mcu), safety inputs and the dispenser."""

    def __init__(
        self, world: World, path: Path, *, drives_wheels: bool = True, wheel_radius_m: float = 0.0825,
        water: int = 20, candy: int = 30, battery_pct: float = 86.0,
    ):
        self.world = world
        self.drives_wheels = drives_wheels
        self.host = HostPty(path)
        self.circumference = 2 * math.pi * wheel_radius_m
        self.stock = {"water": water, "candy": candy}
        self.jammed = False
        self.faults = 0
        # Battery gauge: drains while switched on, faster while the wheels turn; charges on the dock.
        self.battery_pct = battery_pct
        self.has_battery_gauge = True  # False: firmware without the `b` command (answers `err cmd`)
        self._battery_at = world.time
        self.hung = False  # firmware stuck: reads but never answers
        self.lines_handled = 0
        self._last_velocity_at = world.time
        self._stop = threading.Event()
        world.add_step_hook(self._firmware_tick)
        self._thread = threading.Thread(target=self._serve, name="sim-mcu", daemon=True)
        self._thread.start()

    @property
    def path(self) -> Path:
        return self.host.path

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        self.host.close()

    # -- firmware -----------------------------------------------------------------------------
    def on_dock(self) -> bool:
        """The robot stands within 0.3 m of the floor map's dock (its charging contacts touch)."""
        world = self.world
        dock = world.floor_map.first_of_kind("dock")
        if dock is None:
            return False
        where = world.floor_map.locations[dock]
        return math.hypot(world.x - where.x, world.y - where.y) <= 0.3

    def battery(self) -> BatteryReading:
        pct = self.battery_pct
        return BatteryReading(percent=pct, volts=round(22.0 + 0.05 * pct, 3), charging=self.on_dock() and pct < 100)

    def _firmware_tick(self, now: float) -> None:
        world = self.world
        with world.lock:
            dt, self._battery_at = now - self._battery_at, now
            wheels = world.wheels
            moving = bool(wheels.target_left or wheels.target_right)
            if self.on_dock():
                self.battery_pct = min(100.0, self.battery_pct + BATTERY_CHARGE_PCT_S * dt)
            else:
                drain = BATTERY_IDLE_PCT_S + (BATTERY_MOVING_PCT_S if moving else 0.0)
                self.battery_pct = max(0.0, self.battery_pct - drain * dt)
            if world.e_stop:
                self.faults |= FAULT_ESTOP_LATCHED
            elif not self.drives_wheels:
                return
            elif world.bumpers & BUMPER_FRONT and (wheels.target_left + wheels.target_right) > 0:
                world.brake()
            elif moving and now - self._last_velocity_at > MCU_WATCHDOG_S:
                wheels.target_left = wheels.target_right = 0.0
                self.faults |= FAULT_WATCHDOG

    def safety(self) -> SafetyInputs:
        world = self.world
        return SafetyInputs(world.e_stop, world.bumpers, world.obstacle_clearance(), self.faults)

    def handle(self, body: str) -> str:
        """One command line body -> reply body."""
        parts = body.split()
        if not parts:
            return "err cmd"
        cmd, args = parts[0], parts[1:]
        world = self.world
        try:
            if cmd == "p":
                return "ok"
            if cmd in ("v", "w", "f", "e", "x") and not self.drives_wheels:
                return "err cmd"
            if cmd in ("v", "w"):
                if cmd == "v":
                    axis, vel = int(args[0]), float(args[1])
                    left = vel if axis == 0 else world.wheels.target_left / self.circumference
                    right = vel if axis == 1 else world.wheels.target_right / self.circumference
                else:
                    left, right = float(args[0]), float(args[1])
                self._last_velocity_at = world.time
                self.faults &= ~FAULT_WATCHDOG
                if self.faults & FAULT_ESTOP_LATCHED:
                    return "err estop"
                world.set_wheel_targets(left * self.circumference, right * self.circumference)
                return "ok"
            if cmd == "f":
                with world.lock:
                    w = world.wheels
                    c = self.circumference
                    values = [(w.left_m / c, w.left_mps / c), (w.right_m / c, w.right_mps / c)]
                if args:
                    pos, vel = values[int(args[0])]
                    return f"{pos:.5f} {vel:.5f}"
                return f"{values[0][0]:.5f} {values[0][1]:.5f} {values[1][0]:.5f} {values[1][1]:.5f} {self.faults}"
            if cmd == "e":
                with world.lock:
                    world.wheels.enabled = args[0] == "1" and not (self.faults & FAULT_ESTOP_LATCHED)
                    if not world.wheels.enabled:
                        world.wheels.target_left = world.wheels.target_right = 0.0
                return "ok" if args[0] == "0" or world.wheels.enabled else "err estop"
            if cmd == "x":
                with world.lock:
                    world.brake()
                    world.wheels.enabled = False
                self.faults |= FAULT_ESTOP_LATCHED
                return "ok"
            if cmd == "c":
                if not world.e_stop:
                    self.faults = 0
                return "ok"
            if cmd == "s":
                return format_safety(self.safety())
            if cmd == "d":
                item = args[0]
                if item not in self.stock:
                    return "err arg"
                if self.jammed:
                    return "err jam"
                if self.stock[item] <= 0:
                    return "err empty"
                self.stock[item] -= 1
                return "ok"
            if cmd == "k":
                return f"{int(self.stock['water'] > 0)} {int(self.stock['candy'] > 0)}"
            if cmd == "b" and self.has_battery_gauge:
                return format_battery(self.battery())
        except (IndexError, ValueError):
            return "err arg"
        return "err cmd"

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            chunk = self.host.read(0.02)
            if not self.host.plugged:
                buffer = b""
                continue
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                if self.hung:
                    continue
                try:
                    reply = self.handle(decode_line(raw + b"\n"))
                except ProtocolError:
                    reply = "err crc"
                self.lines_handled += 1
                self.host.write_reply(encode_line(reply))


class SimZlac8015d:
    """A ZLAC8015D: pymodbus Modbus RTU server on an internal pty, relayed to the host pty."""

    FIRST_REGISTER = 0x2000
    REGISTER_COUNT = 0xC0

    def __init__(self, world: World, path: Path, *, wheel_radius_m: float = 0.0825, device_id: int = 1):
        self.world = world
        self.host = HostPty(path)
        self.device_id = device_id
        self.circumference = 2 * math.pi * wheel_radius_m
        self.fault_left = 0
        self.fault_right = 0
        self.requests = 0
        self._rpm = [0, 0]
        self._stop = threading.Event()
        master, slave = os.openpty()
        tty.setraw(slave)
        self._server_master, self._server_slave = master, slave
        self._server_path = os.ttyname(slave)
        self._loop = asyncio.new_event_loop()
        self._server: ModbusSerialServer | None = None
        self._ready = threading.Event()
        self._server_thread = threading.Thread(target=self._run_server, name="sim-zlac", daemon=True)
        self._server_thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("simulated ZLAC8015D did not start")
        self._relay_thread = threading.Thread(target=self._relay, name="sim-zlac-relay", daemon=True)
        self._relay_thread.start()

    @property
    def path(self) -> Path:
        return self.host.path

    def _device(self) -> SimDevice:
        return SimDevice(
            id=self.device_id,
            simdata=[SimData(address=self.FIRST_REGISTER, count=self.REGISTER_COUNT, values=0,
                             datatype=DataType.REGISTERS)],
            action=self._action,
        )

    def _run_server(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = ModbusSerialServer(
                self._device(), framer=FramerType.RTU, port=self._server_path, baudrate=115200,
            )
            await self._server.serve_forever(background=True)
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    async def _action(
        self, function_code: int, start_address: int, address: int, count: int,
        registers: list[int], set_values: list[int] | list[bool] | None,
    ) -> None:
        self.requests += 1
        world = self.world
        if set_values is not None and function_code in (6, 16):
            for offset, value in enumerate(set_values):
                self._write(address + offset, int(value))
            return None
        with world.lock:
            w = world.wheels
            counts_left = round(w.left_m / self.circumference * ZLAC_COUNTS_PER_REV)
            counts_right = round(-w.right_m / self.circumference * ZLAC_COUNTS_PER_REV)
            tenth_rpm_left = round(w.left_mps / self.circumference * 600)
            tenth_rpm_right = round(-w.right_mps / self.circumference * 600)
        base = REG_FAULT - start_address
        registers[base:base + 8] = [
            self.fault_left, self.fault_right,
            (counts_left >> 16) & 0xFFFF, counts_left & 0xFFFF,
            (counts_right >> 16) & 0xFFFF, counts_right & 0xFFFF,
            to_u16(tenth_rpm_left), to_u16(tenth_rpm_right),
        ]
        return None

    def _write(self, register: int, value: int) -> None:
        world = self.world
        if register == REG_CONTROL:
            with world.lock:
                if value == CONTROL_ENABLE and not world.e_stop:
                    world.wheels.enabled = True
                elif value == CONTROL_STOP:
                    self._rpm = [0, 0]
                    world.set_wheel_targets(0.0, 0.0)
                elif value == CONTROL_ESTOP:
                    self._rpm = [0, 0]
                    world.brake()
                    world.wheels.enabled = False
                elif value == CONTROL_CLEAR:
                    self.fault_left = self.fault_right = 0
            return
        if register in (REG_TARGET_RPM, REG_TARGET_RPM + 1):
            self._rpm[register - REG_TARGET_RPM] = from_u16(value)
            left = self._rpm[0] / 60 * self.circumference
            right = -self._rpm[1] / 60 * self.circumference
            world.set_wheel_targets(left, right)

    def _relay(self) -> None:
        server = self._server_master
        while not self._stop.is_set():
            host = self.host.master
            fds = [server] + ([host] if host is not None else [])
            try:
                ready, _, _ = select.select(fds, [], [], 0.02)
            except (OSError, ValueError):
                continue
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    continue
                if fd == server:
                    self.host.write_reply(data)
                else:
                    with contextlib.suppress(OSError):
                        os.write(server, data)

    def close(self) -> None:
        self._stop.set()
        self._relay_thread.join(timeout=1)
        if self._server is not None:
            fut = asyncio.run_coroutine_threadsafe(self._server.shutdown(), self._loop)
            with contextlib.suppress(Exception):
                fut.result(timeout=2)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._server_thread.join(timeout=2)
        with contextlib.suppress(Exception):
            self._loop.close()
        for fd in (self._server_master, self._server_slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.host.close()


class MotionRig:
    """The whole motion stack in simulation: world, simulated devices on ptys, real drivers, navigation.

    The drivers, navigator and behaviours are the application's own classes, talking to the
    simulated devices over ptys; only the clock is the world's (`WorldClock`).
    """

    def __init__(
        self, centre: CentreConfig, directory: Path, *, point: str | None = None, start: str = "entrance",
        drive_kind: str | None = None, say: Callable[[str], None] | None = None, slip: float = 0.01,
        water: int = 20, candy: int = 30, on_low_stock: Callable[[str, int], None] | None = None,
    ):
        self.centre = centre
        self.point = centre.point(point)
        fmap = self.point.floor_map
        loc = fmap.locations[start]
        self.world = World(
            fmap, (loc.x, loc.y, FACING_HALL), start_time=datetime(2026, 1, 5, 8, 0, tzinfo=centre.site.tz),
            wheel_base_m=centre.devices.drive.wheel_base_m, slip=slip,
        )
        self.clock = WorldClock(self.world)
        radius = centre.devices.drive.wheel_radius_m
        self.drive_kind = drive_kind or centre.devices.drive.kind
        self.sim_mcu = SimMcu(self.world, directory / "mcu", drives_wheels=self.drive_kind == "mcu",
                              wheel_radius_m=radius, water=water, candy=candy)
        self.sim_zlac = SimZlac8015d(self.world, directory / "zlac", wheel_radius_m=radius) \
            if self.drive_kind == "zlac8015d" else None
        # Generous timeouts: the simulated devices are Python threads on a machine that may be busy.
        self.link = McuLink(str(self.sim_mcu.path), timeout_s=0.3)
        drive_settings = centre.devices.drive
        self.drive: DriveBase
        if self.sim_zlac is not None:
            self.drive = Zlac8015dDrive(str(self.sim_zlac.path), wheel_radius_m=radius, timeout_s=0.3,
                                        wheel_base_m=drive_settings.wheel_base_m, monotonic=self.clock.monotonic)
        else:
            self.drive = McuDrive(self.link, wheel_radius_m=radius, wheel_base_m=drive_settings.wheel_base_m,
                                  monotonic=self.clock.monotonic)
        self.drive.enable()
        self.said: list[str] = []
        self.arrows: list[tuple[float, str]] = []
        self.statuses: list[NavStatus] = []
        self.navigator = Navigator(fmap, self.drive, self.clock, centre.navigation, safety=self.link.safety,
                                   on_status=self.statuses.append)
        self.navigator.localise(start)
        refresh = centre.refreshments
        self.stock = StockTracker({"water": refresh.water_capacity, "candy": refresh.candy_capacity},
                                  refresh.low_stock, on_low_stock)
        self.dispenser = Dispenser(self.link)
        self.behaviours = Behaviours(
            centre, say or self.said.append, navigator=self.navigator, show_arrow=self._arrow,
            dispenser=self.dispenser, stock=self.stock,
        )
        self.navigator.on_blocked = lambda: self.behaviours.say(MAKE_WAY)

    def _arrow(self, bearing: float, label: str) -> None:
        self.arrows.append((bearing, label))

    def close(self) -> None:
        self.drive.close()
        self.link.close()
        if self.sim_zlac is not None:
            self.sim_zlac.close()
        self.sim_mcu.close()

    def __enter__(self) -> MotionRig:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
