"""Drive base: one interface for the wheels, two real implementations, odometry and a watchdog.

`DriveBase` is what navigation uses: enable, set wheel velocities (m/s at the tyre), read wheel
state and faults, stop, emergency stop. `Zlac8015dDrive` talks Modbus RTU to a ZLAC8015D dual
hub-motor driver; `McuDrive` talks the line protocol of drivers/mcu_protocol.py.

Safety built into every drive:
- a watchdog thread stops the wheels when no velocity command came for `watchdog_s` (300 ms),
  so a hung controller cannot leave the robot rolling;
- communication errors (bad CRC, timeouts) are retried a bounded number of times, then the drive
  reports a `comm` fault and raises DriveError; the next call reopens the port by itself, and
  the fault clears when the driver answers again.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pymodbus.client import ModbusSerialClient
from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerType

from drivers.mcu_protocol import FAULT_ENCODER, FAULT_OVERCURRENT, LinkError, McuLink

# The driver retries a lost Modbus answer and reports it itself (LinkError, then the caller's alert); pymodbus's own
# error line with a dump of the last frames would otherwise go to stderr on every lost frame (the last-resort handler).
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)

WATCHDOG_S = 0.3
T = TypeVar("T")


class DriveError(Exception):
    """The drive did not do what was asked; `reason` is one of fault | comm | e_stop."""

    def __init__(self, message: str, reason: str = "comm"):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class DriveFaults:
    comm: str = ""  # last communication problem, "" when the link is healthy
    motor_left: int = 0  # driver fault code/bits, 0 = none
    motor_right: int = 0
    e_stop: bool = False  # emergency stop latched by emergency_stop() or the driver
    watchdog_trips: int = 0  # times the watchdog had to stop the wheels

    @property
    def any(self) -> bool:
        return bool(self.comm or self.motor_left or self.motor_right or self.e_stop)

    def describe(self) -> str:
        parts = []
        if self.comm:
            parts.append(f"communication: {self.comm}")
        if self.motor_left or self.motor_right:
            parts.append(f"motor fault codes L={self.motor_left:#x} R={self.motor_right:#x}")
        if self.e_stop:
            parts.append("emergency stop latched")
        return "; ".join(parts) or "no fault"


@dataclass(frozen=True)
class WheelState:
    """Wheel positions (metres travelled at the tyre) and velocities (m/s); forward is positive."""

    left_m: float
    right_m: float
    left_mps: float
    right_mps: float


@dataclass(frozen=True)
class Pose:
    x: float
    y: float
    theta: float  # radians, 0 = +x, counter-clockwise


class Odometry:
    """Pose from wheel positions (differential drive, midpoint integration). Pure: no I/O."""

    def __init__(self, wheel_base_m: float, start: Pose = Pose(0.0, 0.0, 0.0)):
        if wheel_base_m <= 0:
            raise ValueError("wheel base must be positive")
        self.wheel_base_m = wheel_base_m
        self.pose = start
        self._last: tuple[float, float] | None = None

    def reset(self, pose: Pose) -> None:
        self.pose = pose
        self._last = None

    def update(self, left_m: float, right_m: float) -> Pose:
        if self._last is None:
            self._last = (left_m, right_m)
            return self.pose
        d_left, d_right = left_m - self._last[0], right_m - self._last[1]
        self._last = (left_m, right_m)
        distance = (d_left + d_right) / 2
        d_theta = (d_right - d_left) / self.wheel_base_m
        mid = self.pose.theta + d_theta / 2
        theta = math.atan2(math.sin(self.pose.theta + d_theta), math.cos(self.pose.theta + d_theta))
        self.pose = Pose(self.pose.x + distance * math.cos(mid), self.pose.y + distance * math.sin(mid), theta)
        return self.pose


def wheel_speeds(linear_mps: float, angular_rps: float, wheel_base_m: float) -> tuple[float, float]:
    """Left and right tyre speeds for a body velocity (differential drive)."""
    half = angular_rps * wheel_base_m / 2
    return linear_mps - half, linear_mps + half


class DriveBase(ABC):
    """The wheels. Implementations do the I/O in `_write_velocities`, `_read_wheels` etc."""

    def __init__(
        self, wheel_radius_m: float, wheel_base_m: float, *,
        watchdog_s: float = WATCHDOG_S, monotonic: Callable[[], float] = time.monotonic,
    ):
        self.wheel_radius_m = wheel_radius_m
        self.wheel_base_m = wheel_base_m
        self.watchdog_s = watchdog_s
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._faults = DriveFaults()
        self._last_command_at: float | None = None
        self._moving = False
        self._watchdog_stop = threading.Event()
        self._watchdog_thread: threading.Thread | None = None
        self.odometry = Odometry(wheel_base_m)

    # -- the device-specific part ------------------------------------------------------------
    @abstractmethod
    def _connect(self) -> None: ...

    @abstractmethod
    def _disconnect(self) -> None: ...

    @abstractmethod
    def _enable(self) -> None: ...

    @abstractmethod
    def _write_velocities(self, left_mps: float, right_mps: float) -> None: ...

    @abstractmethod
    def _read_wheels(self) -> tuple[WheelState, int, int]:
        """Wheel state and the left/right motor fault codes."""

    @abstractmethod
    def _emergency_stop(self) -> None: ...

    @abstractmethod
    def _clear_faults(self) -> None: ...

    # -- the interface ------------------------------------------------------------------------
    @property
    def faults(self) -> DriveFaults:
        return self._faults

    def _io(self, action: Callable[[], T]) -> T:
        """Run one device exchange; turn link failures into a comm fault (and clear it on success)."""
        with self._lock:
            try:
                result = action()
            except (LinkError, ModbusException, OSError) as exc:
                self._faults = replace(self._faults, comm=str(exc) or type(exc).__name__)
                self._disconnect()
                raise DriveError(f"drive communication failed: {self._faults.comm}", "comm") from None
            if self._faults.comm:
                self._faults = replace(self._faults, comm="")
            return result

    def enable(self) -> None:
        self._io(self._connect)
        self._io(self._enable)
        self.start_watchdog()

    def set_wheel_velocities(self, left_mps: float, right_mps: float) -> None:
        if self._faults.e_stop and (left_mps or right_mps):
            raise DriveError("emergency stop is latched: clear_faults() first", "e_stop")
        with self._lock:
            self._last_command_at = self._monotonic()
            self._moving = bool(left_mps or right_mps)
            self._io(lambda: self._write_velocities(left_mps, right_mps))

    def set_velocity(self, linear_mps: float, angular_rps: float) -> None:
        self.set_wheel_velocities(*wheel_speeds(linear_mps, angular_rps, self.wheel_base_m))

    def read(self) -> WheelState:
        """Wheel state; also updates the odometry and the motor fault codes."""
        state, fault_left, fault_right = self._io(self._read_wheels)
        with self._lock:
            if (fault_left, fault_right) != (self._faults.motor_left, self._faults.motor_right):
                self._faults = replace(self._faults, motor_left=fault_left, motor_right=fault_right)
            self.odometry.update(state.left_m, state.right_m)
        return state

    def pose(self) -> Pose:
        return self.odometry.pose

    def stop(self) -> None:
        """Bring the wheels to zero velocity (normal deceleration)."""
        with self._lock:
            self._moving = False
            self._last_command_at = self._monotonic()
            self._io(lambda: self._write_velocities(0.0, 0.0))

    def emergency_stop(self) -> None:
        """Stop at once and latch until clear_faults(). Latched even if the link is down."""
        with self._lock:
            self._faults = replace(self._faults, e_stop=True)
            self._moving = False
            self._io(self._emergency_stop)

    def halt(self) -> None:
        """Shutdown: bring the wheels to zero velocity (normal deceleration, not the driver's emergency stop) and
        refuse any further motion, latched like an emergency stop (a walk in progress sees the fault and ends)."""
        with self._lock:
            self._faults = replace(self._faults, e_stop=True)
            self._moving = False
            self._last_command_at = self._monotonic()
            self._io(lambda: self._write_velocities(0.0, 0.0))

    def clear_faults(self) -> None:
        with self._lock:
            self._io(self._clear_faults)
            self._faults = replace(self._faults, e_stop=False, motor_left=0, motor_right=0)

    def close(self) -> None:
        self._watchdog_stop.set()
        if self._watchdog_thread is not None:
            self._watchdog_thread.join(timeout=1)
            self._watchdog_thread = None
        with self._lock:
            self._disconnect()

    # -- watchdog -----------------------------------------------------------------------------
    def start_watchdog(self) -> None:
        if self._watchdog_thread is None:
            self._watchdog_stop.clear()
            self._watchdog_thread = threading.Thread(target=self._watch, name="drive-watchdog", daemon=True)
            self._watchdog_thread.start()

    def watchdog_check(self) -> bool:
        """Stop the wheels if the last velocity command is older than the watchdog time. True if it did."""
        with self._lock:
            if not self._moving or self._last_command_at is None:
                return False
            if self._monotonic() - self._last_command_at < self.watchdog_s:
                return False
            self._moving = False
            self._faults = replace(self._faults, watchdog_trips=self._faults.watchdog_trips + 1)
            try:
                self._io(lambda: self._write_velocities(0.0, 0.0))
            except DriveError:
                self._moving = True  # try again on the next check
            return True

    def _watch(self) -> None:
        period = min(0.02, self.watchdog_s / 5)
        while not self._watchdog_stop.wait(period):
            self.watchdog_check()


# ---------------------------------------------------------------------------------------------
# ZLAC8015D over Modbus RTU

REG_MODE = 0x200D
REG_CONTROL = 0x200E
REG_ACCEL_LEFT = 0x2080  # 0x2080-0x2083: accel L, accel R, decel L, decel R (ms)
REG_TARGET_RPM = 0x2088  # 0x2088 L, 0x2089 R (signed rpm)
REG_FAULT = 0x20A5  # 0x20A5 L, 0x20A6 R; then positions 0x20A7-0x20AA, speeds 0x20AB-0x20AC
MODE_VELOCITY = 3
CONTROL_ENABLE = 0x08
CONTROL_STOP = 0x07
CONTROL_ESTOP = 0x05
CONTROL_CLEAR = 0x06
ZLAC_COUNTS_PER_REV = 4096


def to_u16(value: int) -> int:
    return value & 0xFFFF


def from_u16(value: int) -> int:
    return value - 0x10000 if value & 0x8000 else value


def from_u32(high: int, low: int) -> int:
    value = (high << 16) | low
    return value - 0x1_0000_0000 if value & 0x8000_0000 else value


class Zlac8015dDrive(DriveBase):
    """ZLAC8015D on RS485, velocity mode. The right motor is mirrored: forward is L +rpm, R -rpm."""

    def __init__(
        self, port: str, *, baudrate: int = 115200, device_id: int = 1, wheel_radius_m: float = 0.0825,
        wheel_base_m: float = 0.40, timeout_s: float = 0.1, retries: int = 2, accel_ms: int = 200,
        counts_per_rev: int = ZLAC_COUNTS_PER_REV, watchdog_s: float = WATCHDOG_S,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        super().__init__(wheel_radius_m, wheel_base_m, watchdog_s=watchdog_s, monotonic=monotonic)
        self.port = port
        self.device_id = device_id
        self.retries = retries
        self.accel_ms = accel_ms
        self.counts_per_rev = counts_per_rev
        self.errors = 0
        self._written_rpm: list[int] | None = None
        self._client = ModbusSerialClient(
            port, framer=FramerType.RTU, baudrate=baudrate, timeout=timeout_s, retries=0,
            reconnect_delay=0,
        )

    def _exchange(self, call: Callable[[], Any]) -> Any:
        problem = ""
        for _attempt in range(self.retries + 1):
            if not self._client.connected and not self._client.connect():
                raise LinkError(f"cannot open Modbus port {self.port}")
            try:
                response = call()
            except ModbusException as exc:
                problem = str(exc)
                self.errors += 1
                continue
            if getattr(response, "isError", lambda: False)():
                problem = f"driver answered with an exception: {response}"
                self.errors += 1
                continue
            return response
        raise LinkError(f"no valid Modbus answer after {self.retries + 1} tries: {problem}")

    def _write(self, address: int, values: list[int]) -> None:
        if len(values) == 1:
            self._exchange(lambda: self._client.write_register(address, values[0], device_id=self.device_id))
        else:
            self._exchange(lambda: self._client.write_registers(address, values, device_id=self.device_id))

    def _connect(self) -> None:
        if not self._client.connected and not self._client.connect():
            raise LinkError(f"cannot open Modbus port {self.port}")

    def _disconnect(self) -> None:
        self._written_rpm = None
        self._client.close()

    def _enable(self) -> None:
        self._write(REG_MODE, [MODE_VELOCITY])
        self._write(REG_ACCEL_LEFT, [self.accel_ms] * 4)
        self._write(REG_CONTROL, [CONTROL_ENABLE])

    def _rpm(self, mps: float) -> int:
        return round(mps / (2 * math.pi * self.wheel_radius_m) * 60)

    def _write_velocities(self, left_mps: float, right_mps: float) -> None:
        values = [to_u16(self._rpm(left_mps)), to_u16(-self._rpm(right_mps))]
        if values == self._written_rpm:
            return  # the driver holds its target; an identical frame would only load the bus
        self._written_rpm = None
        self._write(REG_TARGET_RPM, values)
        self._written_rpm = values

    def _read_wheels(self) -> tuple[WheelState, int, int]:
        response = self._exchange(
            lambda: self._client.read_holding_registers(REG_FAULT, count=8, device_id=self.device_id)
        )
        regs = list(response.registers)
        if len(regs) < 8:
            # a reply cut short on a loaded or broken line: a link fault (a comm DriveError), never an IndexError
            raise LinkError(f"short reply from the drive: {len(regs)} of 8 registers")
        metres_per_count = 2 * math.pi * self.wheel_radius_m / self.counts_per_rev
        mps_per_tenth_rpm = 2 * math.pi * self.wheel_radius_m / 600
        state = WheelState(
            left_m=from_u32(regs[2], regs[3]) * metres_per_count,
            right_m=-from_u32(regs[4], regs[5]) * metres_per_count,
            left_mps=from_u16(regs[6]) * mps_per_tenth_rpm,
            right_mps=-from_u16(regs[7]) * mps_per_tenth_rpm,
        )
        return state, regs[0], regs[1]

    def _emergency_stop(self) -> None:
        self._written_rpm = None
        self._write(REG_CONTROL, [CONTROL_ESTOP])

    def _clear_faults(self) -> None:
        self._written_rpm = None
        self._write(REG_CONTROL, [CONTROL_CLEAR])
        self._write(REG_CONTROL, [CONTROL_ENABLE])


# ---------------------------------------------------------------------------------------------
# Microcontroller line protocol


class McuDrive(DriveBase):
    """Wheels driven by the microcontroller (drivers/mcu_protocol.py); shares the link with the dispenser."""

    def __init__(
        self, link: McuLink, *, wheel_radius_m: float = 0.0825, wheel_base_m: float = 0.40,
        watchdog_s: float = WATCHDOG_S, monotonic: Callable[[], float] = time.monotonic,
    ):
        super().__init__(wheel_radius_m, wheel_base_m, watchdog_s=watchdog_s, monotonic=monotonic)
        self.link = link

    def _turns(self, mps: float) -> float:
        return mps / (2 * math.pi * self.wheel_radius_m)

    def _connect(self) -> None:
        self.link.command("p")

    def _disconnect(self) -> None:
        self.link.close()

    def _enable(self) -> None:
        self.link.command("e 1")

    def _write_velocities(self, left_mps: float, right_mps: float) -> None:
        self.link.command(f"w {self._turns(left_mps):.4f} {self._turns(right_mps):.4f}")

    def _read_wheels(self) -> tuple[WheelState, int, int]:
        reply = self.link.request("f")
        try:
            pos_l, vel_l, pos_r, vel_r, faults = (float(p) for p in reply.split())
        except ValueError:
            raise LinkError(f"feedback reply is not 5 numbers: {reply!r}") from None
        circumference = 2 * math.pi * self.wheel_radius_m
        state = WheelState(pos_l * circumference, pos_r * circumference, vel_l * circumference, vel_r * circumference)
        motor = int(faults) & (FAULT_OVERCURRENT | FAULT_ENCODER)
        return state, motor, motor

    def _emergency_stop(self) -> None:
        self.link.command("x")

    def _clear_faults(self) -> None:
        self.link.command("c")
        self.link.command("e 1")
