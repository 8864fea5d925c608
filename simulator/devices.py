"""Start the simulated devices of a centre and say where they are, as a technician would in the config.

`SimDevices.start(centre)` brings up, in a work folder:

- the QR scanner: a handheld serial (USB-CDC) scanner on a pty (`simulator.scanner.PtyScanner`) for `/qr CODE`;
- the camera: an IP camera serving MJPEG over HTTP on 127.0.0.1 (`simulator.camera.SimulatedCamera`),
  showing the empty hall, a person stepping up (`/arrive`, `/leave`) or a receipt held up (`/scan IMAGE`);
  the application notices people and reads codes with its own detectors on the frames it receives;
- the dossier database: a SQLite file loaded from config/dossiers-sample.csv;
- speech: the loudspeaker is a folder of WAV files, the microphone reads WAV files;
- (and the printer, motors and MCU as their simulators land).

`configure(centre)` returns the CentreConfig the application receives: the same centre with the
devices' concrete addresses (pty paths, host:port, folders). Nothing else tells the application
it is simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from robot.config import CentreConfig
from robot.mqtt.mosquitto import free_port
from robot.paths import CONFIG_DIR

SAMPLE_DOSSIERS = CONFIG_DIR / "dossiers-sample.csv"
SIM_PRESENCE_LEAVE_S = 1.5  # devices.presence_leave_s in simulation (the kiosk default is 3 s)


class DeviceError(Exception):
    """A simulated device cannot do what was asked (message for the technician)."""


@dataclass
class SimDevices:
    workdir: Path
    broker_url: str | None = None  # --broker: an existing broker instead of the simulator's embedded one
    scanner: Any = None
    camera: Any = None
    printer: Any = None
    broker: Any = None
    broker_link: Any = None  # simulator.netlink.TcpRelay between the robot and the embedded broker
    staff_broker_url: str | None = None  # the embedded broker itself, for the staff monitor
    world: Any = None
    mcu: Any = None
    zlac: Any = None
    obstacle: Any = None
    dossier_db: Path | None = None
    closers: list[Any] = field(default_factory=list)

    def start_motion(self, centre: CentreConfig, start_time: datetime) -> Any:
        """The hall and the robot's motors: a physics world, the MCU and the ZLAC8015D on ptys.

        Returns the world's clock (simulated time that moves when the application sleeps)."""
        from robot.navigation.navigator import FACING_HALL
        from simulator.motors import SimMcu, SimZlac8015d
        from simulator.world import World, WorldClock

        point = centre.point()
        fmap = point.floor_map
        base = centre.robot.base or fmap.first_of_kind("dock") or fmap.first_of_kind("entrance") or ""
        loc = fmap.locations[base]
        drive = centre.devices.drive
        self.world = World(fmap, (loc.x, loc.y, FACING_HALL), start_time=start_time, wheel_base_m=drive.wheel_base_m)
        dev = self.workdir / "dev"
        dev.mkdir(parents=True, exist_ok=True)
        refresh = centre.refreshments
        self.mcu = SimMcu(self.world, dev / "mcu", drives_wheels=drive.kind == "mcu",
                          wheel_radius_m=drive.wheel_radius_m, water=refresh.water_capacity,
                          candy=refresh.candy_capacity)
        self.closers.append(self.mcu.close)
        if drive.kind == "zlac8015d":
            self.zlac = SimZlac8015d(self.world, dev / "zlac8015d", wheel_radius_m=drive.wheel_radius_m)
            self.closers.append(self.zlac.close)
        self.base = base
        return WorldClock(self.world)

    def start(self, centre: CentreConfig) -> None:
        from robot.dossier.store import SqliteDossierStore
        from simulator.scanner import PtyScanner

        dev = self.workdir / "dev"
        dev.mkdir(parents=True, exist_ok=True)
        self.scanner = PtyScanner(dev / "qr-scanner")
        self.closers.append(self.scanner.close)
        from simulator.camera import SimulatedCamera

        counters = tuple(c.number for c in centre.point().counters)
        self.camera = SimulatedCamera(counters, port=free_port()).start()
        self.closers.append(self.camera.stop)
        from simulator.printer import SimulatedPrinter

        self.printer = SimulatedPrinter(self.workdir / "tickets", port=free_port(),
                                        width=centre.devices.printer.width_px).start()
        self.closers.append(self._stop_printer)
        self.dossier_db = self.workdir / "dossiers.sqlite3"
        store = SqliteDossierStore(self.dossier_db)
        if store.count() == 0:
            store.import_csv(SAMPLE_DOSSIERS)
        if self.broker_url is None:
            from robot.mqtt.broker import EmbeddedBroker
            from simulator.netlink import TcpRelay

            self.broker = EmbeddedBroker(free_port())
            self.broker.start()
            self.closers.append(self._stop_broker)
            # The robot reaches the broker through a relay that `/unplug broker` cuts; staff watch
            # the broker directly and stay connected, as on a centre's network.
            self.broker_link = TcpRelay((self.broker.host, self.broker.port), free_port()).start()
            self.closers.append(self.broker_link.stop)
            self.broker_url = f"mqtt://{self.broker.host}:{self.broker_link.port}"
            self.staff_broker_url = f"mqtt://{self.broker.host}:{self.broker.port}"

    def _stop_printer(self) -> None:
        if self.printer_plugged:
            self.printer.stop()

    @property
    def printer_plugged(self) -> bool:
        return self.printer is not None and self.printer._server is not None

    def _stop_broker(self) -> None:
        if self.broker is not None:
            self.broker.stop()

    @property
    def broker_plugged(self) -> bool:
        """The robot's link to the embedded broker is up (False when there is none)."""
        return self.broker_link is not None and self.broker_link.plugged

    @property
    def robot_link_up(self) -> bool:
        """The robot can reach its broker: the link is plugged, or the broker was given with --broker."""
        return self.broker_link is None or self.broker_link.plugged

    def configure(self, centre: CentreConfig) -> CentreConfig:
        """The centre config with the simulated devices' addresses and the session's files."""
        devices = centre.devices
        speech = centre.dialog.speech
        update: dict[str, Any] = {
            "devices": devices.model_copy(update={
                "profile": "sim",
                "scanner": devices.scanner.model_copy(update={"kind": "serial", "device": str(self.scanner.path)}),
                "camera": self.camera.url,
                "camera_reads_codes": True,
                # The simulated camera's scenes never flicker (no head turned away, nobody walking past), so
                # a shorter wait before "the citizen has gone" keeps runs with many citizens short.
                "presence_leave_s": min(devices.presence_leave_s, SIM_PRESENCE_LEAVE_S),
                "printer": devices.printer.model_copy(update={"kind": "network", "host": self.printer.host,
                                                              "port": self.printer.port}),
                **self._motion_addresses(centre),
                "audio": devices.audio.model_copy(update={"output_dir": str(self.workdir / "audio")}),
            }),
            "queue": centre.queue.model_copy(update={"db": str(self.workdir / "queue.sqlite3")}),
            "dossier": centre.dossier.model_copy(update={"provider": "sqlite", "db": str(self.dossier_db)}),
            "dialog": centre.dialog.model_copy(update={"speech": speech}),
            "mqtt": centre.mqtt.model_copy(update={"url": self.broker_url,
                                                   "outbox": str(self.workdir / "outbox.sqlite3")}),
        }
        return centre.model_copy(update=update)

    def _motion_addresses(self, centre: CentreConfig) -> dict[str, Any]:
        devices = centre.devices
        if self.world is None:
            return {"drive": devices.drive.model_copy(update={"kind": "none"}), "can_move": False}
        drive_port = str(self.zlac.path) if self.zlac is not None else None
        return {
            "drive": devices.drive.model_copy(update={"port": drive_port}),
            "mcu": devices.mcu.model_copy(update={"port": str(self.mcu.path)}),
        }

    # ------------------------------------------------------------------ what the technician does

    def set_obstacle(self, on: bool) -> str:
        """A person standing in the corridor out of the robot's base (its only way into the hall)."""
        from simulator.world import Person

        if self.world is None:
            raise DeviceError("no simulated hall: this centre's robot does not move")
        if not on:
            if self.obstacle is not None:
                self.world.remove_person(self.obstacle)
                self.obstacle = None
            return "corridor clear"
        if self.obstacle is None:
            fmap = self.world.floor_map
            here = fmap.locations[self.base]
            other = next(b if a == self.base else a for a, b in fmap.edges if self.base in (a, b))
            there = fmap.locations[other]
            self.obstacle = self.world.add_person(Person((here.x + there.x) / 2, (here.y + there.y) / 2, radius=0.35))
        return f"someone stands in the corridor between {self.base} and the hall"

    def scan_text(self, text: str) -> None:
        if not self.scanner.plugged:
            raise DeviceError("the QR scanner is unplugged (/plug scanner)")
        self.scanner.scan(text)

    def show_image(self, path: Path) -> None:
        """Hold an image (a receipt photo, a ticket) up to the camera; `lower_paper()` takes it away."""
        from simulator.camera import CameraError

        if not self.camera.plugged:
            raise DeviceError("the camera is unplugged (/plug camera)")
        try:
            self.camera.show_image(path)
        except CameraError as exc:
            raise DeviceError(str(exc)) from None

    def unplug(self, device: str) -> None:
        if device == "scanner":
            self.scanner.unplug()
        elif device == "camera":
            self.camera.unplug()
        elif device == "printer":
            self._stop_printer()
        elif device == "broker" and self.broker_link is not None:
            self.broker_link.unplug()
        else:
            raise DeviceError(f"cannot unplug {device!r}; expected scanner, camera, printer or broker (embedded)")

    def plug(self, device: str) -> None:
        if device == "scanner":
            self.scanner.replug()
        elif device == "camera":
            self.camera.replug()
        elif device == "printer":
            if not self.printer_plugged:
                self.printer.start()
        elif device == "broker" and self.broker_link is not None:
            self.broker_link.plug()
        else:
            raise DeviceError(f"cannot plug {device!r}; expected scanner, camera, printer or broker (embedded)")

    def fault(self, device: str, kind: str) -> None:
        """`printer paper-out|paper-near-end|cover-open|offline|no-answer|ok`, `dispenser water-empty|candy-empty`
        (the bin runs out: the MCU answers empty and its sensor says so)."""
        from simulator.printer import FAULTS

        if device == "dispenser":
            item = kind.removesuffix("-empty")
            if self.world is None or item not in self.mcu.stock or not kind.endswith("-empty"):
                raise DeviceError(f"unknown dispenser fault {kind!r}; expected water-empty or candy-empty"
                                  + ("" if self.world is not None else " (this robot has no dispenser)"))
            self.mcu.stock[item] = 0
            return
        if device != "printer":
            raise DeviceError(f"no faults for {device!r} here; expected printer or dispenser")
        name = kind.replace("-", "_")
        if name == "ok":
            self.printer.clear_faults()
        elif name in FAULTS:
            self.printer.set_fault(name)
        else:
            raise DeviceError(f"unknown printer fault {kind!r}; expected ok or one of "
                              f"{', '.join(f.replace('_', '-') for f in FAULTS)}")

    def status(self) -> dict[str, str]:
        out = {"scanner": f"{self.scanner.path} ({'plugged' if self.scanner.plugged else 'unplugged'})",
               "camera": self.camera.status()}
        faults = ", ".join(sorted(self.printer.faults)) or "no fault"
        state = "plugged" if self.printer_plugged else "unplugged"
        count = len(self.printer.printed)
        out["printer"] = f"{self.printer.host}:{self.printer.port} ({state}, {faults}, {count} printed)"
        if self.world is not None:
            w = self.world
            out["robot"] = f"x {w.x:.2f} m, y {w.y:.2f} m" + (", corridor blocked" if self.obstacle else "")
            out["dispenser"] = ", ".join(f"{k} {v}" for k, v in self.mcu.stock.items())
        if self.broker is not None:
            out["broker"] = f"{self.broker_url} ({'running' if self.broker_plugged else 'stopped'})"
        else:
            out["broker"] = f"{self.broker_url} (given with --broker)"
        return out

    def stop(self) -> None:
        while self.closers:
            self.closers.pop()()
