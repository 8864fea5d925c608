"""The microcontroller line protocol (ODrive-ASCII style, with a mandatory checksum) and its serial link.

One microcontroller (Arduino/STM32) on a USB-serial line drives the wheels (for `drive.kind: mcu`),
the water and candy dispenser, and reads the safety inputs (emergency-stop button, bumpers,
forward obstacle distance). Every line, in both directions, is

    <body>*<XX>\\n        XX = XOR of all bytes of <body>, two upper-case hex digits

Host -> MCU commands and their replies (axis 0 = left wheel, 1 = right wheel; velocities in wheel
turns per second, positions in wheel turns, forward is positive on both axes):

    v <axis> <turns/s>     set one wheel velocity                      -> ok
    w <left> <right>       set both wheel velocities at once           -> ok
    f <axis>               feedback of one wheel                       -> <pos> <vel>
    f                      feedback of both wheels                     -> <posL> <velL> <posR> <velR> <faults>
    e 1 | e 0              enable / disable (coast) the motors         -> ok
    x                      emergency stop: motors off, latched         -> ok
    c                      clear latched faults (not a held e-stop)    -> ok
    s                      safety status                               -> <estop 0|1> <bumpers> <obstacle_mm> <faults>
    d water | d candy      dispense one item                           -> ok | err empty | err jam
    k                      stock sensors (1 = items present)           -> <water 0|1> <candy 0|1>
    b                      battery (gauge of the power board)          -> <millivolts> <percent> <charging 0|1>
    p                      ping                                        -> ok

`bumpers` is a bit mask (1 front, 2 rear), `obstacle_mm` the forward clearance from the robot's
edge (65535 = nothing seen), `faults` a bit mask (FAULT_* below). The MCU answers a line with a
wrong checksum `err crc` and an unknown command `err cmd`. MCU-side watchdog: when no `v`/`w`
command arrives for 300 ms the MCU stops the wheels itself and sets FAULT_WATCHDOG until the
next velocity command. The e-stop button and the front bumper stop the wheels in the MCU at once.

This module has no knowledge of what the robot does with the answers: `McuLink` only frames
lines, retries a bounded number of times on bad checksums and timeouts, and reopens an unplugged
port by itself.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

import serial

FAULT_WATCHDOG = 1
FAULT_OVERCURRENT = 2
FAULT_ESTOP_LATCHED = 4
FAULT_ENCODER = 8
BUMPER_FRONT = 1
BUMPER_REAR = 2
NOTHING_SEEN_MM = 65535


class ProtocolError(Exception):
    """A line that is not a valid protocol line (bad checksum, no checksum, not ASCII)."""


class LinkError(Exception):
    """The MCU did not give a valid answer after the bounded retries, or the port is gone."""


def checksum(body: str) -> int:
    value = 0
    for byte in body.encode("ascii"):
        value ^= byte
    return value


def encode_line(body: str) -> bytes:
    """Frame one command or reply: body, '*', two hex digits of the XOR checksum, newline."""
    if "\n" in body or "*" in body:
        raise ValueError(f"a protocol line cannot contain '*' or a newline: {body!r}")
    return f"{body}*{checksum(body):02X}\n".encode("ascii")


def decode_line(raw: bytes) -> str:
    """The body of one received line, or ProtocolError if it is damaged."""
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ProtocolError("line is not ASCII") from None
    body, star, digits = text.rpartition("*")
    if not star or len(digits) != 2:
        raise ProtocolError(f"line has no checksum: {text!r}")
    try:
        expected = int(digits, 16)
    except ValueError:
        raise ProtocolError(f"checksum is not hex: {text!r}") from None
    try:
        actual = checksum(body)
    except UnicodeEncodeError:
        raise ProtocolError("line is not ASCII") from None
    if actual != expected:
        raise ProtocolError(f"checksum mismatch: {text!r}")
    return body


@dataclass(frozen=True)
class SafetyInputs:
    """What the MCU's safety inputs say right now."""

    e_stop: bool
    bumpers: int
    obstacle_m: float | None  # forward clearance in metres; None when nothing is seen
    faults: int

    @property
    def bumper_pressed(self) -> bool:
        return self.bumpers != 0


def parse_safety(reply: str) -> SafetyInputs:
    parts = reply.split()
    if len(parts) != 4:
        raise ProtocolError(f"status reply needs 4 fields: {reply!r}")
    try:
        estop, bumpers, obstacle_mm, faults = (int(p) for p in parts)
    except ValueError:
        raise ProtocolError(f"status reply is not numeric: {reply!r}") from None
    obstacle = None if obstacle_mm >= NOTHING_SEEN_MM else obstacle_mm / 1000
    return SafetyInputs(e_stop=estop != 0, bumpers=bumpers, obstacle_m=obstacle, faults=faults)


def format_safety(inputs: SafetyInputs) -> str:
    mm = NOTHING_SEEN_MM if inputs.obstacle_m is None else min(NOTHING_SEEN_MM - 1, round(inputs.obstacle_m * 1000))
    return f"{int(inputs.e_stop)} {inputs.bumpers} {mm} {inputs.faults}"


@dataclass(frozen=True)
class BatteryReading:
    """What the power board's gauge says: charge in percent (0-100), pack voltage, whether it is charging."""

    percent: float
    volts: float
    charging: bool


def parse_battery(reply: str) -> BatteryReading:
    parts = reply.split()
    if len(parts) != 3:
        raise ProtocolError(f"battery reply needs 3 fields: {reply!r}")
    try:
        millivolts, percent, charging = int(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ProtocolError(f"battery reply is not numeric: {reply!r}") from None
    if not 0 <= percent <= 100 or millivolts < 0 or charging not in (0, 1):
        raise ProtocolError(f"battery reply out of range: {reply!r}")
    return BatteryReading(percent=percent, volts=millivolts / 1000, charging=charging == 1)


def format_battery(reading: BatteryReading) -> str:
    return f"{round(reading.volts * 1000)} {reading.percent:.1f} {int(reading.charging)}"


class McuLink:
    """A serial line to the microcontroller: one request, one reply, thread-safe.

    Bad checksums, `err crc` answers and timeouts are retried `retries` times; then a LinkError is
    raised. A port that disappears (cable pulled) is closed and reopened on a later request.
    """

    def __init__(self, port: str, baudrate: int = 115200, timeout_s: float = 0.1, retries: int = 2):
        self.port = port
        self.baudrate = baudrate
        self.timeout_s = timeout_s
        self.retries = retries
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()
        self.errors = 0  # damaged or missing replies seen (for diagnostics)

    @property
    def connected(self) -> bool:
        return self._serial is not None

    def _open(self) -> serial.Serial:
        if self._serial is None:
            try:
                self._serial = serial.Serial(self.port, self.baudrate, timeout=self.timeout_s, exclusive=True)
            except (serial.SerialException, OSError) as exc:
                raise LinkError(f"cannot open MCU port {self.port}: {exc}") from None
        return self._serial

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._serial.close()
            self._serial = None

    def request(self, body: str) -> str:
        """Send one command and return the body of its reply (which may be 'err ...')."""
        with self._lock:
            problem = ""
            for _attempt in range(self.retries + 1):
                port = self._open()
                try:
                    port.reset_input_buffer()
                    port.write(encode_line(body))
                    raw = port.read_until(b"\n")
                except (serial.SerialException, OSError) as exc:
                    self._drop()
                    raise LinkError(f"MCU port {self.port} lost: {exc}") from None
                if not raw.endswith(b"\n"):
                    problem = f"no reply to {body.split()[0]!r} within {self.timeout_s}s"
                    self.errors += 1
                    continue
                try:
                    reply = decode_line(raw)
                except ProtocolError as exc:
                    problem = str(exc)
                    self.errors += 1
                    continue
                if reply == "err crc":
                    problem = "MCU received a damaged line"
                    self.errors += 1
                    continue
                return reply
            raise LinkError(f"MCU gave no valid answer after {self.retries + 1} tries: {problem}")

    def command(self, body: str) -> None:
        """Send a command that must be answered `ok`."""
        reply = self.request(body)
        if reply != "ok":
            raise LinkError(f"MCU refused {body.split()[0]!r}: {reply}")

    def safety(self) -> SafetyInputs:
        try:
            return parse_safety(self.request("s"))
        except ProtocolError as exc:
            raise LinkError(str(exc)) from None

    def battery(self) -> BatteryReading | None:
        """The battery gauge, or None when this MCU's firmware has none (it answers `err cmd`)."""
        reply = self.request("b")
        if reply == "err cmd":
            return None
        try:
            return parse_battery(reply)
        except ProtocolError as exc:
            raise LinkError(str(exc)) from None


def wait_for_port(link: McuLink, timeout_s: float) -> bool:
    """Ping until the MCU answers or the time is up (for start-up after plugging in)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            link.command("p")
            return True
        except LinkError:
            time.sleep(0.05)
    return False
