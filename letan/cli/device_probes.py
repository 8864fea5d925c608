"""`letan doctor`'s device probes: each device the centre's profile configures is asked to answer.

The printer answers DLE EOT (real-time status) over its transport, the scanner's serial port opens,
a camera gives a frame, the ZLAC8015D answers a Modbus register read, the microcontroller answers a
ping, the microphone and loudspeaker exist for PortAudio, the broker accepts the configured login
(CONNACK). A device that is configured but not set up, or that does not answer, is a red line with
its fix. Probes run at once, each with short timeouts, so the doctor takes about two seconds at most.

Heavy modules (escpos, pymodbus, cv2, paho, sounddevice) are imported inside each probe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from letan.cli.doctor import APT, Check, _python_module, _tcp
from robot.config import CentreConfig

TIMEOUT_S = 2.0  # connecting to a printer, a camera or a broker
ANSWER_S = 0.3  # one serial/Modbus/status answer
SERIAL_FIX = "plug it in; check the path (ls /dev/serial/by-id); add this user to the 'dialout' group"


def _one_line(exc: BaseException) -> str:
    text = " ".join((str(exc) or type(exc).__name__).split())
    return text if len(text) <= 140 else text[:137] + "..."


# ------------------------------------------------------------------------------------------- printer


def printer_check(centre: CentreConfig, timeout_s: float = TIMEOUT_S) -> Check:
    """The configured ticket printer answers DLE EOT 1, 2 and 4, and says it can print."""
    device = centre.devices.printer
    name = f"Ticket printer ({device.kind})"
    if device.kind == "none":
        return Check(name, False, "no printer configured", "set devices.printer (network, serial or usb)")
    missing = {"network": ("host", device.host), "serial": ("device", device.device),
               "file": ("device", device.device)}.get(device.kind)
    if missing is not None and not missing[1]:
        return Check(name, False, f"devices.printer.{missing[0]} is not set",
                     f"set devices.printer.{missing[0]} in the centre file")
    if device.kind == "usb" and (device.usb_vendor is None or device.usb_product is None):
        return Check(name, False, "devices.printer.usb_vendor/usb_product are not set",
                     "set them from `lsusb` (e.g. usb_vendor: 0x04b8)")
    fix = {"network": "check the printer's power, network cable and devices.printer.host/port",
           "serial": "check the printer's power and cable, devices.printer.device and baudrate; add this user "
                     "to the 'dialout' group",
           "usb": f"check the printer's power and USB cable, usb_vendor/usb_product; {APT} libusb-1.0-0",
           "file": "check the printer's power and cable; add this user to the 'lp' group"}[device.kind]
    from dataclasses import replace

    from drivers.printer import EscposPrinter, open_backend
    from robot.ticket_desk import printer_target

    target = printer_target(device)
    assert target is not None
    target = replace(target, timeout_s=timeout_s, status_timeout_s=min(0.5, timeout_s))
    where = target.describe()
    if device.kind == "file":  # a device file cannot answer: it must be there and writable
        import os

        path = Path(device.device or "")
        ok = path.exists() and os.access(path, os.W_OK)
        return Check(name, ok, f"{path} " + ("writable (no status over a file)" if ok else "missing or not writable"),
                     fix)
    if device.kind == "network":  # the socket's own words (python-escpos wraps them in a long message)
        error = _tcp(device.host or "", device.port, timeout_s)
        if error is not None:
            return Check(name, False, f"{where}: unreachable: {error}", fix)
    try:
        backend = open_backend(target)
    except Exception as exc:
        return Check(name, False, f"{where}: cannot connect: {_one_line(exc)}", fix)
    printer = EscposPrinter(target, opener=lambda _target: backend)
    try:
        status = printer.status()
    finally:
        printer.close()
    problem = status.problem()
    if status.online is None and status.paper == "unknown":
        return Check(name, False, f"{where}: no answer to DLE EOT status ({status.detail})", fix)
    if problem is None or problem == "printer_paper_near_end":
        paper = "near its end" if problem else "ok"
        return Check(name, True, f"{where} answers DLE EOT: online, paper {paper}")
    what, remedy = {
        "printer_paper_out": ("paper out", "load a paper roll"),
        "printer_cover_open": ("cover open", "close the printer's cover"),
        "printer_offline": ("offline", "check the printer's error light, paper and cover; switch it off and on"),
    }.get(problem, (f"answered in part ({status.detail})", "use an ESC/POS printer with real-time status (DLE EOT)"))
    return Check(name, False, f"{where} answers DLE EOT: {what}", remedy)


# ------------------------------------------------------------------------------------------- scanner, camera


def _camera_frame(label: str, source: str, timeout_s: float, fix: str) -> Check:
    try:
        from drivers.camera import open_capture

        capture = open_capture(source, timeout_s)
    except ImportError as exc:
        return Check(label, False, f"OpenCV missing: {_one_line(exc)}", "pip install opencv-python-headless")
    except Exception as exc:
        return Check(label, False, f"{source}: {_one_line(exc)}", fix)
    try:
        ok, frame = capture.read()
    finally:
        capture.release()
    if not ok or frame is None:
        return Check(label, False, f"{source}: opens but gives no frame", fix)
    return Check(label, True, f"{source}: a {frame.shape[1]}x{frame.shape[0]} frame")


CAMERA_FIX = "plug the camera in; check devices.camera (index, /dev/videoN or the IP camera's URL)"


def scanner_check(centre: CentreConfig, timeout_s: float = TIMEOUT_S) -> Check:
    scanner = centre.devices.scanner
    name = f"QR scanner ({scanner.kind})"
    if scanner.kind == "none":
        return Check(name, True, "none configured: QR receipts are not read", required=False)
    if scanner.kind == "keyboard":
        where = scanner.device or "standard input"
        return Check(name, True, f"keyboard wedge: codes typed into {where}", required=False)
    if scanner.kind == "camera":
        source = scanner.device or centre.devices.camera or "0"
        return _camera_frame(name, source, timeout_s, CAMERA_FIX)
    if not scanner.device:
        return Check(name, False, "devices.scanner.device is not set",
                     "set devices.scanner.device to the scanner's port (ls /dev/serial/by-id)")
    import serial

    try:
        port = serial.Serial(scanner.device, scanner.baudrate, timeout=0)
    except (serial.SerialException, OSError) as exc:
        return Check(name, False, f"{scanner.device}: cannot open: {_one_line(exc)}", SERIAL_FIX)
    port.close()
    return Check(name, True, f"{scanner.device} opens ({scanner.baudrate} baud)")


def camera_check(centre: CentreConfig, timeout_s: float = TIMEOUT_S) -> Check | None:
    """The presence camera, unless it is the camera scanner already probed (None then, or when none is set)."""
    devices = centre.devices
    if not devices.camera:
        return None
    if devices.scanner.kind == "camera" and devices.scanner.device in (None, devices.camera):
        return None
    return _camera_frame("Camera", devices.camera, timeout_s, CAMERA_FIX)


# ------------------------------------------------------------------------------------------- motors, MCU


def drive_check(centre: CentreConfig, answer_s: float = ANSWER_S) -> Check | None:
    drive = centre.devices.drive
    name = f"Drive motors ({drive.kind})"
    if drive.kind == "none":
        return Check("Drive motors", True, "none configured: the robot points the way", required=False)
    if drive.kind == "mcu":
        if not centre.devices.mcu.port:
            return Check(name, False, "drive.kind mcu but devices.mcu.port is not set",
                         "set devices.mcu.port to the microcontroller's port (ls /dev/serial/by-id)")
        return None  # the MCU check below asks the microcontroller
    if not drive.port:
        return Check(name, False, "devices.drive.port is not set",
                     "set devices.drive.port to the RS485 adapter's port (ls /dev/serial/by-id)")
    from drivers.drive import DriveError, Zlac8015dDrive

    motors = Zlac8015dDrive(drive.port, baudrate=drive.baudrate, timeout_s=answer_s, retries=1,
                            wheel_radius_m=drive.wheel_radius_m, wheel_base_m=drive.wheel_base_m)
    try:
        motors.read()  # holding registers 0x20A5-0x20AC: fault codes, positions, speeds
    except DriveError as exc:
        return Check(name, False, f"{drive.port}: no Modbus answer ({_one_line(exc)})",
                     "check the driver's power, the RS485 cable (A/B), devices.drive.port and baudrate")
    finally:
        motors.close()
    faults = motors.faults
    if faults.motor_left or faults.motor_right:
        return Check(name, False, f"{drive.port} answers Modbus: {faults.describe()}",
                     "clear the fault: check the wheels are free, then switch the driver off and on")
    if not centre.devices.can_move:
        return Check(name, True, f"{drive.port} answers Modbus (devices.can_move false: it will not drive)")
    return Check(name, True, f"{drive.port} answers Modbus, no fault")


def mcu_check(centre: CentreConfig, answer_s: float = ANSWER_S) -> Check | None:
    mcu = centre.devices.mcu
    if not mcu.port:
        return None
    from drivers.mcu_protocol import LinkError, McuLink

    link = McuLink(mcu.port, mcu.baudrate, timeout_s=answer_s, retries=1)
    try:
        link.command("p")
    except LinkError as exc:
        return Check("Microcontroller (MCU)", False, f"{mcu.port}: no answer to ping ({_one_line(exc)})",
                     "check the microcontroller's USB cable and power, devices.mcu.port and baudrate")
    finally:
        link.close()
    return Check("Microcontroller (MCU)", True, f"{mcu.port} answers ping")


# ------------------------------------------------------------------------------------------- audio


def _sound_device(label: str, device: str | None, kind: str, fix: str) -> Check:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing
        return Check(label, False, f"PortAudio cannot start: {_one_line(exc)}", f"{APT} libportaudio2")
    try:
        found: Any = sounddevice.query_devices(int(device) if device and device.isdigit() else device, kind)
    except Exception as exc:  # ValueError: no such name; PortAudioError: no default device
        return Check(label, False, f"{device or 'default ' + kind}: {_one_line(exc)}",
                     f"{fix}; {kind} devices here: {_sound_devices(sounddevice, kind)}")
    return Check(label, True, f"{found['name']} ({found[f'max_{kind}_channels']} channels)")


def _sound_devices(sounddevice: Any, kind: str) -> str:
    """The devices PortAudio lists for `kind` (input or output): index and name, as devices.audio takes them."""
    try:
        devices = list(sounddevice.query_devices())
    except Exception:
        return "none (PortAudio lists nothing)"
    names = [f"{index} {d['name']!r}" for index, d in enumerate(devices) if d.get(f"max_{kind}_channels", 0) > 0]
    return ", ".join(names) or "none"


def microphone_check(centre: CentreConfig) -> Check:
    engine = centre.dialog.speech.engine
    if engine == "text":
        return Check("Microphone", True, "not used: dialog.speech.engine is text (touch/typed input)", required=False)
    return _sound_device("Microphone", centre.devices.audio.input, "input",
                         "plug the microphone in; set devices.audio.input to a name from `python -m sounddevice`")


def speaker_check(centre: CentreConfig) -> Check:
    audio = centre.devices.audio
    if audio.output_dir:
        return Check("Loudspeaker", True, f"not used: speech goes to WAV files in {audio.output_dir}",
                     required=False)
    return _sound_device("Loudspeaker", audio.output, "output",
                         "plug the loudspeaker in; set devices.audio.output to a name from `python -m sounddevice`")


# ------------------------------------------------------------------------------------------- broker


def broker_check(centre: CentreConfig, broker: str | None, timeout_s: float = TIMEOUT_S) -> Check:
    """The broker accepts the configured login: TCP first (fails fast), then MQTT CONNECT -> CONNACK."""
    url = broker or centre.mqtt.url
    if not url:
        check = _python_module("MQTT broker", "amqtt", "pip install amqtt")
        detail = "embedded broker (amqtt) on 127.0.0.1" if check.ok else check.detail
        return Check("MQTT broker", check.ok, detail, check.fix)
    from robot.mqtt.client import BrokerSettings, BrokerUrlError, MqttLink

    try:
        settings = BrokerSettings.from_config(centre.mqtt, broker)
    except BrokerUrlError as exc:
        return Check("MQTT broker", False, str(exc)[:100], "fix mqtt.url or --broker: mqtt://[user:pass@]host:port")
    where = settings.display
    error = _tcp(settings.host, settings.port, timeout_s)
    if error is not None:
        return Check("MQTT broker", False, f"{where}: unreachable: {error}", "start the broker or fix mqtt.url")
    link = MqttLink(settings, f"letan-doctor-{uuid.uuid4().hex[:8]}")
    try:
        link.start()
        connected = link.wait_connected(timeout_s)
    except Exception as exc:  # TLS settings that cannot be used
        return Check("MQTT broker", False, f"{where}: {_one_line(exc)}", "check mqtt.tls and mqtt.ca_file")
    finally:
        link.stop()
    if connected:
        return Check("MQTT broker", True, f"{where} accepts the login (CONNACK)")
    if link.last_refusal is not None:
        return Check("MQTT broker", False, f"{where} refuses the login: {link.last_refusal}",
                     "check mqtt.username/password (or user:pass in the URL) against the broker's password file")
    return Check("MQTT broker", False, f"{where}: no CONNACK within {timeout_s:g} s",
                 "check that it is an MQTT broker and the TLS settings (mqtts://, mqtt.ca_file)")


# ------------------------------------------------------------------------------------------- all


def device_checks(centre: CentreConfig, broker: str | None = None) -> list[Check]:
    """Every device the profile configures, and the broker, probed at once (a simulated profile: the broker
    only; `letan sim` starts its own devices)."""
    probes: list[Callable[[], Check | None]] = []
    if centre.devices.profile == "real":
        probes += [
            lambda: printer_check(centre), lambda: scanner_check(centre), lambda: camera_check(centre),
            lambda: drive_check(centre), lambda: mcu_check(centre), lambda: microphone_check(centre),
            lambda: speaker_check(centre),
        ]
    probes.append(lambda: broker_check(centre, broker))
    with ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="doctor") as pool:
        results = list(pool.map(lambda probe: probe(), probes))
    return [check for check in results if check is not None]
