"""The composition root: one application built from a centre configuration, for a kiosk or the simulator.

`Application.from_config(centre, ...)` composes the parts of robot/parts/, each built from the config: the
queue engine on its SQLite file, the ticket printer at `devices.printer`, the QR scanner at
`devices.scanner`, the drive and MCU at `devices.drive`/`devices.mcu`, speech output and input, the MQTT bus
(the config's broker, `--broker`, or the embedded one), the dossier lookup, navigation, and the dialog
manager whose ports are implemented by robot/ adapters. There is one code path: the simulator starts
virtual devices and passes their addresses in the config, exactly as a technician writes the addresses of
real devices. The application itself keeps only the lifecycle (start, stop) and the routing of inputs.

Inputs come from the devices (scanner thread, microphone, presence) and from the kiosk's touch screen or
keyboard (`typed`). Everything the application does is published to subscribers as `Activity`s (what it
said, tickets, navigation, alerts): the kiosk screen, `letan run`'s log and the simulator's console read
the same feed.

A part that cannot start (a missing device, a model not installed, a part not built) is reported in
`parts()` with the reason, an alert is raised (for staff too, once the bus is up), and the robot keeps
serving with what works.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dialogs.catalogue import Catalogue
from dialogs.manager import DialogManager
from dialogs.vad import TalkGate
from drivers.camera import CameraFeed
from drivers.presence import PresenceWatcher
from robot.clock import Clock, SystemClock
from robot.config import CentreConfig
from robot.dossier.scanning import Scanner
from robot.mqtt.service import RobotMqtt
from robot.parts.activity import Activity, ActivityFeed, Subscriber
from robot.parts.adapters import ConfigRoutes, FeedSessionEvents, FeedSpeaker
from robot.parts.alerts import AlertKind
from robot.parts.announcer import CallAnnouncer
from robot.parts.bus import start_bus
from robot.parts.context import PartContext
from robot.parts.listening import Listening
from robot.parts.motion import Motion
from robot.parts.printer import PrinterPart
from robot.parts.sensors import Sensors
from robot.parts.services import build_dialog, start_cpu, start_dossiers, start_queue, start_screen
from robot.parts.sessions import SessionTelemetry
from robot.parts.staff_commands import StaffCommands
from robot.parts.staff_link import StaffLink
from robot.parts.state import PartBoard, PartState
from robot.parts.status import StatusReporter
from robot.parts.voice_out import VoiceOut
from robot.queue import QueueEngine
from robot.queue.reader import QueueEventReader
from robot.voice import Ears, Loudspeaker
from robot.web.part import ScreenPart

__all__ = ["Activity", "AppStartError", "Application"]

log = logging.getLogger(__name__)

PAUSED_TEXT = "Dạ, em đang tạm nghỉ. Mời ông/bà hỏi cán bộ ở bàn hướng dẫn ạ."


class AppStartError(Exception):
    """The application cannot start (for technicians, English)."""


class Application:
    """The robot: every part built from the centre config, one lock around the conversation."""

    def __init__(
        self, centre: CentreConfig, *, catalogue: Catalogue, clock: Clock, broker_url: str | None = None,
        state_dir: Path | None = None,
    ):
        self.centre = centre
        self.catalogue = catalogue
        self.clock = clock
        self.broker_url = broker_url
        self.state_dir = state_dir
        self.feed = ActivityFeed(clock)
        self.routes = ConfigRoutes(centre, catalogue)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self.staff = StaffLink()
        self.feed.subscribe(self.staff.on_activity)
        self.board = PartBoard(self.feed)
        ctx = self.ctx = PartContext(centre, catalogue, clock, self.feed, self.board, self.staff, self._changed)
        self.audio_backend: object | None = None  # a stand-in for the sounddevice module (the simulator's room)
        self.manager: DialogManager | None = None
        self.engine: QueueEngine | None = None
        self.mqtt: RobotMqtt | None = None
        self.queue_events: QueueEventReader | None = None
        self.screen: ScreenPart | None = None
        self.voice = VoiceOut(ctx, in_session=self._session_active, on_quiet=self._played)
        self.speaker = FeedSpeaker(self.feed, self.voice.say_later)
        self.listening = Listening(ctx, self.voice, manager=lambda: self.manager,
                                   to_dialog=lambda text: self.typed(text, spoken=True), lock=self._lock)
        self.printer = PrinterPart(ctx, self.routes)
        self.motion = Motion(ctx)
        self.sensors = Sensors(ctx, scanned=self.scanned, presence=self._on_presence)
        self.sessions = SessionTelemetry(ctx)
        self.commands = StaffCommands(ctx, self.motion, lock=self._lock, say=self._announce,
                                      abort_conversation=lambda: self._dialog(lambda m: m.abort()),
                                      manager=lambda: self.manager)
        self.status_reporter = StatusReporter(
            ctx, printer=self.printer, motion=self.motion, sensors=self.sensors, sessions=self.sessions,
            paused=lambda: self.commands.paused, can_talk=lambda: self.manager is not None, stopping=self._stopping)

    @classmethod
    def from_config(
        cls, centre: CentreConfig, *, catalogue: Catalogue, clock: Clock | None = None,
        broker_url: str | None = None, state_dir: Path | None = None,
    ) -> Application:
        return cls(centre, catalogue=catalogue, clock=clock or SystemClock(centre.site.tz), broker_url=broker_url,
                   state_dir=state_dir)

    # ------------------------------------------------------------------ what the parts expose

    @property
    def loudspeaker(self) -> Loudspeaker:
        return self.voice.loudspeaker

    @property
    def talk_gate(self) -> TalkGate:
        return self.voice.talk_gate

    @property
    def ears(self) -> Ears | None:
        return self.listening.ears

    @property
    def scanner(self) -> Scanner | CameraFeed | None:
        return self.sensors.scanner

    @property
    def camera(self) -> CameraFeed | None:
        return self.sensors.camera

    @property
    def presence(self) -> PresenceWatcher | None:
        return self.sensors.presence

    @property
    def paused(self) -> bool:
        return self.commands.paused

    # ------------------------------------------------------------------ lifecycle

    def subscribe(self, subscriber: Subscriber) -> None:
        self.feed.subscribe(subscriber)

    def parts(self) -> dict[str, str]:
        """Each part and its state: 'ok ...' or 'unavailable: why' (`part_states` for the typed values)."""
        return {name: str(state) for name, state in self.board.states().items()}

    def part_states(self) -> dict[str, PartState]:
        return self.board.states()

    def start(self) -> None:
        """Build and start every part; parts that cannot start are reported, the rest keeps working."""
        ctx = self.ctx
        self._stopping.clear()
        self.status_reporter.reset()
        start_cpu(ctx)
        self.voice.start(self.audio_backend)
        self.listening.start_recogniser()
        self.engine = start_queue(ctx)
        self.mqtt = start_bus(ctx, self.broker_url, self.engine, self.commands, tail_queue=False)
        self._start_queue_events()
        queue = self.printer.start(self.engine)
        dossiers = start_dossiers(ctx, self.engine)
        guide, refreshments = self.motion.start(self.speaker.say)
        self.manager = build_dialog(ctx, speaker=self.speaker, queue=queue, dossiers=dossiers, guide=guide,
                                    refreshments=refreshments, events=FeedSessionEvents(self.feed, self.sessions))
        self.listening.start_microphone(self.audio_backend)
        self.sensors.start_scanner()
        self.sensors.start_camera()
        self.status_reporter.start()
        self.screen = start_screen(ctx, self, lambda text: self.board.set(AlertKind.SCREEN, PartState.parse(text)))

    def _start_queue_events(self, interval_s: float = 0.1) -> None:
        """One reader of the queue's event log: every call made at a counter said aloud, every event published."""
        if self.engine is None:
            return
        latest = self.engine.events_after(0, limit=1_000_000)
        reader = self.queue_events = QueueEventReader(
            self.engine, [CallAnnouncer(self.feed, self.voice.loudspeaker, latest[-1].id if latest else 0)])
        if self.mqtt is not None and self.mqtt.bridge is not None:
            reader.consumers.append(self.mqtt.bridge)
            self.mqtt.commands.after_command = reader.wake  # a counter's call is published at once
        reader.start(interval_s)
        self.ctx.closers.append(reader.stop)

    def stop(self) -> None:
        self._stopping.set()
        closers = self.ctx.closers
        while closers:
            closer = closers.pop()
            try:
                closer()
            except Exception:
                log.exception("stopping a part failed")

    def __enter__(self) -> Application:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run_forever(self, tick_s: float = 0.2) -> None:
        """The main loop of `letan run`: time-driven work (listen timeouts) until stop()."""
        while not self._stopping.is_set():
            self.tick()
            time.sleep(tick_s)

    def wait_spoken(self, timeout_s: float = 30.0, tail: bool = False) -> bool:
        """Block until everything queued has been played to its last sample (with `tail`: and the microphone's
        echo tail is over). For tests, scripted runs and the simulator's "robot finished speaking"."""
        return self.voice.wait_spoken(timeout_s, tail)

    # ------------------------------------------------------------------ inputs

    def _dialog(self, action: Callable[[DialogManager], object]) -> None:
        with self._lock, self.voice.loudspeaker.turn():
            if self.manager is None:
                self.feed.emit("alert", "the conversation part is not running", kind=AlertKind.DIALOG.value)
                return
            action(self.manager)

    def _citizen(self, trigger: str, action: Callable[[DialogManager], object]) -> None:
        """A citizen's input (trigger: presence, touch, voice, scan). While staff have paused the robot it says
        so instead of starting a conversation."""
        if self.commands.paused:
            self.feed.emit("info", f"paused by staff: {trigger} input not handled")
            self.speaker.say(PAUSED_TEXT, "paused")
            return
        with self._lock:
            self.sessions.citizen_input(trigger)
            try:
                self._dialog(action)
            finally:
                self.sessions.input = None

    def person_arrived(self) -> None:
        self._citizen("presence", lambda m: m.person_arrived())

    def person_left(self) -> None:
        self._dialog(lambda m: m.person_left())
        # The citizen who asked for a staff member has walked away from the robot: the request is dealt with (not an
        # emergency: whoever reported it ran back to the person; only staff take it out)
        self.staff.resolve_alert("help_requested", exact=True)

    def _on_presence(self, edge: str) -> None:
        if edge == "arrived":
            self.person_arrived()
        else:
            self.person_left()

    def typed(self, text: str, *, spoken: bool = False) -> None:
        """Text from the touch keyboard (or recognised speech: spoken)."""
        self._citizen("voice" if spoken else "touch", lambda m: m.heard(text))

    def touched(self, choice: str) -> None:
        """A choice touched on the screen (DialogManager.touched: 'procedure:<id>', 'take_number', 'yes'...)."""
        self._citizen("touch", lambda m: m.touched(choice))

    def end_conversation(self) -> None:
        """The screen went back to its attract screen after nobody touched it: the session ends."""
        self._dialog(lambda m: m.person_left())

    def conversation(self) -> dict[str, Any] | None:
        """The conversation between two turns, for the screen: None while a turn is running (not waited for)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            manager = self.manager
            if manager is None:
                return {"state": "not running", "active": False, "offer": None, "choices": (), "current": None,
                        "ticket": None}
            offer, session = manager.offer, manager.session
            return {"state": str(manager.state), "active": session is not None and session.active,
                    "offer": offer.kind if offer is not None else None,
                    "choices": offer.choices if offer is not None else (),
                    "current": manager.current, "ticket": manager.ticket_number}
        finally:
            self._lock.release()

    def listen(self, frames: Iterable[bytes]) -> int:
        """Recognise each utterance in a stream of audio frames (microphone or WAV file). Returns how many."""
        return self.listening.listen(frames)

    def scanned(self, payload: str) -> None:
        self._citizen("scan", lambda m: m.scanned(payload))

    def tick(self) -> None:
        if self.voice.loudspeaker.busy():
            return  # listen timeouts count from the robot's last sample (DialogManager.played), not meanwhile
        ears = self.listening.ears
        if ears is not None and ears.citizen_speaking:
            return  # nor while the citizen is saying something or their words are being decoded
        with self._lock, self.voice.loudspeaker.turn():
            if ears is not None and ears.citizen_speaking:
                return  # an utterance ended meanwhile: its text comes under this lock (Hearing)
            if self.manager is not None:
                self.manager.tick()

    def status(self) -> dict[str, Any]:
        with self._lock:
            manager = self.manager
            state = manager.state if manager is not None else None
        return {
            "centre": self.centre.site.id,
            "time": self.clock.now().isoformat(timespec="seconds"),
            "dialog": str(state) if state is not None else "not running",
            "parts": self.parts(),
        }

    # ------------------------------------------------------------------ for the parts

    def _changed(self) -> None:
        self.status_reporter.publish()

    def _announce(self, text: str) -> None:
        """A staff announcement: shown, and said by the robot's voice."""
        self.feed.emit("said", text, key=None)
        self.voice.say_later(text, None)

    def _session_active(self) -> bool:
        manager = self.manager
        session = manager.session if manager is not None else None
        return session is not None and session.active

    def _played(self) -> None:
        with self._lock:
            if self.manager is not None:
                self.manager.played()
