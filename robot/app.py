"""The composition root: one application built from a centre configuration, for a kiosk or the simulator.

`Application.from_config(centre, ...)` builds every part from the config: the queue engine on
its SQLite file, the ticket printer at `devices.printer`, the QR scanner at `devices.scanner`,
the drive and MCU at `devices.drive`/`devices.mcu`, speech output, the MQTT bus (the config's
broker, `--broker`, or the embedded one), the dossier lookup, navigation, and the dialog
manager whose ports are implemented by robot/ adapters. There is one code path: the simulator
starts virtual devices and passes their addresses in the config, exactly as a technician writes
the addresses of real devices.

Inputs come from the devices (scanner thread, microphone, presence) and from the kiosk's touch
screen or keyboard (`typed`). Everything the application does is published to subscribers as
`AppEvent`s (what it said, tickets, navigation, alerts): the kiosk screen, `letan run`'s log and
the simulator's console read the same feed.

A part that cannot start (a missing device, a model not installed, a part not built) is reported
in `parts()` with the reason, an alert is raised, and the robot keeps serving with what works.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialogs.catalogue import Catalogue
from dialogs.ports import DossierAnswer, GuideResult, ProcedureRoute, TicketResult
from robot.clock import Clock, SystemClock
from robot.config import CentreConfig
from robot.cpu import native_work

log = logging.getLogger(__name__)


class AppStartError(Exception):
    """The application cannot start (for technicians, English)."""


@dataclass(frozen=True)
class AppEvent:
    """Something the application did. kind: said | ticket | guide | alert | called | info."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    at: str = ""


Subscriber = Callable[[AppEvent], None]


class EventFeed:
    """Fan-out of AppEvents to subscribers; a failing subscriber never stops the robot."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def emit(self, kind: str, text: str, /, **data: Any) -> None:
        event = AppEvent(kind, text, data, self.clock.now().isoformat(timespec="seconds"))
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("event subscriber failed")


# ---------------------------------------------------------------------------------------------
# Adapters: robot/ implementations of the dialog ports, and stand-ins when a part is missing


class FeedSpeaker:
    """dialogs.ports.Speaker: shows the sentence on the feed, then speaks it through `voice`."""

    def __init__(self, feed: EventFeed, voice: Callable[[str, str | None], None] | None = None):
        self.feed = feed
        self.voice = voice

    def say(self, text: str, key: str | None = None) -> None:
        self.feed.emit("said", text, key=key)
        if self.voice is not None:
            try:
                self.voice(text, key)
            except Exception as exc:  # the words are on the screen already
                self.feed.emit("alert", f"speech output failed: {exc}", kind="speaker")


class ConfigRoutes:
    """Where a procedure is handled, from the centre configuration (QueueDesk.route)."""

    def __init__(self, centre: CentreConfig, catalogue: Catalogue):
        self.centre = centre
        self.catalogue = catalogue

    def route(self, procedure_id: str) -> ProcedureRoute:
        service = self.centre.service_for_procedure(procedure_id)
        if service is None:
            referral = self.centre.referrals.get(procedure_id)
            if referral is None and procedure_id in self.catalogue:
                referral = self.catalogue.get(procedure_id).referral
            return ProcedureRoute(False, referral=referral)
        counters = tuple(c.number for c in self.centre.counters_for_service(service.id))
        return ProcedureRoute(True, service.id, service.name, counters)


class NoQueue:
    """QueueDesk when the queue engine is not available: routes still work, tickets are refused."""

    def __init__(self, routes: ConfigRoutes, why: str):
        self.routes = routes
        self.why = why

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        return TicketResult(False, refused_reason="Máy lấy số đang tạm dừng, mời ông bà hỏi cán bộ ở bàn hướng dẫn ạ.")

    def route(self, procedure_id: str) -> ProcedureRoute:
        return self.routes.route(procedure_id)


class FeedQueueDesk:
    """QueueDesk that shows each ticket issued on the feed (number, service, printed or not)."""

    def __init__(self, desk: Any, feed: EventFeed):
        self.desk = desk
        self.feed = feed

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        result: TicketResult = self.desk.issue(service_id, priority, procedure)
        if result.ok:
            self.feed.emit("ticket", f"{result.number} {result.service_name}", number=result.number,
                           service=service_id, priority=priority, printed=result.printed,
                           people_ahead=result.people_ahead, wait_minutes=result.wait_minutes,
                           counters=list(result.counters), service_name=result.service_name)
        else:
            self.feed.emit("info", f"no ticket for {service_id}: refused", service=service_id)
        return result

    def route(self, procedure_id: str) -> ProcedureRoute:
        result: ProcedureRoute = self.desk.route(procedure_id)
        return result


class FeedGuide:
    """Guide that shows where the robot led the citizen, and how it ended (`guiding` is True meanwhile)."""

    def __init__(self, guide: Any, feed: EventFeed):
        self.guide = guide
        self.feed = feed
        self.guiding = False

    def guide_to(self, place: str, counter: int | None = None, address: str = "ông/bà",
                 with_ticket: bool = True) -> GuideResult:
        self.feed.emit("guide", f"guiding to {place}{f' {counter}' if counter else ''}", place=place, counter=counter)
        self.guiding = True
        try:
            result: GuideResult = self.guide.guide_to(place, counter, address=address, with_ticket=with_ticket)
        finally:
            self.guiding = False
        text = "arrived" if result.arrived else f"stopped: {result.reason}"
        self.feed.emit("guide", f"{text} ({place}{f' {counter}' if counter else ''})", place=place, counter=counter,
                       arrived=result.arrived, reason=result.reason)
        if not result.arrived and result.reason not in ("", "not_allowed"):
            self.feed.emit("alert", f"navigation aborted: {result.reason}", kind="navigation_aborted",
                           reason=result.reason, location=place if counter is None else f"counter {counter}")
        return result

    def return_to_base(self) -> None:
        """After the dialog said goodbye at the place (dialogs.ports.Guide)."""
        self.guide.return_to_base()


class WatchedPrinter:
    """The ticket printer (drivers.printer.TicketPrinter), remembering what it last said about itself: the
    robot's status shows it without asking the printer again. `on_change` is called after each answer."""

    def __init__(self, printer: Any, on_change: Callable[[], None]):
        self.printer = printer
        self.on_change = on_change
        self.last: Any = None  # drivers.printer.PrinterStatus, None until asked
        self.failed = False  # the last print could not reach the printer

    @property
    def problem(self) -> str | None:
        """The alert kind the printer's state means (as TicketDesk names them), None when fine or not asked."""
        if self.failed:
            return "printer_unreachable"
        return self.last.problem() if self.last is not None else None

    def status(self) -> Any:
        status = self.printer.status()
        self.last = status
        if status.online:
            self.failed = False
        self.on_change()
        return status

    def print_raster(self, image: Any, qr_text: str | None, cut: bool = True) -> None:
        from drivers.printer import PrinterError

        try:
            self.printer.print_raster(image, qr_text, cut)
        except PrinterError:
            self.failed = True
            self.on_change()
            raise
        if self.failed:
            self.failed = False
            self.on_change()

    def close(self) -> None:
        self.printer.close()


def printer_answered(status: Any, kind: str) -> bool:
    """The printer said something about itself (DLE EOT: even "paper out"), not only "cannot connect"; a printer
    behind a device file cannot answer, it counts once the file opens."""
    if status.detail.startswith("cannot connect"):
        return False
    return kind == "file" or status.online is not None or status.paper != "unknown" or status.cover_open is not None


class NoDossiers:
    def lookup(self, payload: str) -> DossierAnswer:
        return DossierAnswer(False, "Dạ, hiện em chưa tra cứu được hồ sơ. Mời ông bà hỏi cán bộ ở quầy ạ.",
                             "unavailable")


class NoRefreshments:
    def dispense(self, item: str) -> bool:
        return False


class FeedSessionEvents:
    """SessionEvents on the feed (and, when the bus is up, on MQTT through `publish`)."""

    def __init__(self, feed: EventFeed, publish: Callable[[str, dict[str, Any]], None] | None = None):
        self.feed = feed
        self.publish = publish

    def session_started(self, session_id: str) -> None:
        self.feed.emit("info", "dialog session started", session=session_id)
        if self.publish:
            self.publish("started", {"session": session_id})

    def session_ended(self, session_id: str, reason: str, intent: str | None, procedure: str | None) -> None:
        self.feed.emit("info", f"dialog session ended: {reason}", session=session_id, reason=reason,
                       intent=intent, procedure=procedure)
        if self.publish:
            self.publish("ended", {"session": session_id, "reason": reason, "intent": intent, "procedure": procedure})

    def help_requested(self, session_id: str, reason: str) -> None:
        self.feed.emit("alert", f"citizen needs a staff member ({reason})", kind="help_requested", reason=reason)
        if self.publish:
            self.publish("help", {"session": session_id, "reason": reason})


# App alert kind -> RobotAlert kind and severity published for staff.
ALERT_KINDS: dict[str, tuple[str, str]] = {
    "printer_paper_out": ("paper_out", "critical"),
    "printer_paper_near_end": ("paper_near_end", "warning"),
    "printer_offline": ("printer_offline", "critical"),
    "printer_cover_open": ("printer_offline", "critical"),
    "printer_unreachable": ("printer_offline", "critical"),
    "printer_status_unknown": ("printer_offline", "warning"),
    "printer_font_missing": ("error", "critical"),
    "navigation_aborted": ("navigation_aborted", "warning"),
    "navigation_stuck": ("navigation_stuck", "critical"),
    "low_stock": ("low_stock", "warning"),
    "battery_low": ("battery_low", "warning"),
    "scanner": ("scanner_disconnected", "warning"),
    "camera": ("camera_disconnected", "warning"),
}
# Printer problems a periodic check raises (TicketDesk raises them when a ticket does not print).
PRINTER_CHECK_ALERTS = frozenset({"printer_paper_out", "printer_paper_near_end", "printer_offline",
                                  "printer_cover_open"})
DEVICE_WAIT_S = 2.0  # at start, how long a device (scanner port, broker) has to answer before it is "unavailable"
PAUSED_TEXT = "Dạ, em đang tạm nghỉ. Mời ông/bà hỏi cán bộ ở bàn hướng dẫn ạ."
ITEM_WORDS = {"water": "nước", "candy": "kẹo"}


# ---------------------------------------------------------------------------------------------
# The application


def _on_every_cpu(consumer: Callable[[Any], None]) -> Callable[[Any], None]:
    """A camera consumer run with its thread on every CPU (OpenCV detection and decoding are native work)."""

    def consume(frame: Any) -> None:
        with native_work():
            consumer(frame)

    return consume


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
        self.feed = EventFeed(clock)
        self.routes = ConfigRoutes(centre, catalogue)
        self._parts: dict[str, str] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._closers: list[Callable[[], None]] = []
        self.manager: Any = None
        self.speaker: FeedSpeaker | None = None
        self.mqtt: Any = None
        self.paused = False
        # What the robot reports about itself (robot.status, navigation.progress): see _status_fields.
        self.navigator: Any = None
        self.behaviours: Any = None
        self.guide: FeedGuide | None = None
        self.printer_watch: WatchedPrinter | None = None
        self.scanner: Any = None
        self.camera: Any = None
        self._mcu: Any = None  # the MCU link (safety, dispenser, battery gauge) when one is configured
        self._battery: Any = None  # the last BatteryReading, None while unknown
        self._battery_alerted = False
        self._status_lock = threading.Lock()
        self._status_ready = False
        self._walking: str | None = None  # guiding | returning | navigating while the robot moves
        self._goal_id = ""
        self._in_session = False
        self._session_started_at = 0.0
        self._turns = 0
        self._input: str | None = None  # the citizen input being handled: touch | voice | scan | presence
        self.audio_backend: Any = None  # a stand-in for the sounddevice module (the simulator's room); None: real
        self.loudspeaker: Any = None  # robot.voice.Loudspeaker: the conversation's sentences and the calls
        self.ears: Any = None  # robot.voice.Ears: the microphone loop

    @classmethod
    def from_config(
        cls, centre: CentreConfig, *, catalogue: Catalogue, clock: Clock | None = None,
        broker_url: str | None = None, state_dir: Path | None = None,
    ) -> Application:
        return cls(centre, catalogue=catalogue, clock=clock or SystemClock(centre.site.tz), broker_url=broker_url,
                   state_dir=state_dir)

    # ------------------------------------------------------------------ lifecycle

    def subscribe(self, subscriber: Subscriber) -> None:
        self.feed.subscribe(subscriber)

    def parts(self) -> dict[str, str]:
        """Each part and its state: 'ok ...' or 'unavailable: why'."""
        return dict(self._parts)

    def _part(self, name: str, state: str) -> None:
        self._parts[name] = state
        if not state.startswith("ok"):
            self.feed.emit("alert", f"{name}: {state}", kind=name, reason=state)

    def start(self) -> None:
        """Build and start every part; parts that cannot start are reported, the rest keeps working."""
        self._stopping.clear()
        self._status_ready = False
        self._start_cpu()
        self._start_voice()
        self._start_recogniser()
        self._start_queue()
        self._start_bus()
        speaker = self.speaker = FeedSpeaker(self.feed, self._say_later)
        queue = self._start_ticket_desk()
        dossiers = self._start_dossiers()
        guide, refreshments = self._start_motion(speaker)
        events = FeedSessionEvents(self.feed, self._session_event)
        self.manager = self._build_dialog(speaker, queue, dossiers, guide, refreshments, events)
        self._start_microphone()
        self._start_scanner()
        self._start_camera()
        self._start_queue_watch()
        self._start_status()
        self._start_screen()

    # ------------------------------------------------------------------ parts

    def _start_cpu(self) -> None:
        """The interpreter's threads on one CPU while the application runs (robot.python_cpu; robot/cpu.py)."""
        from robot import cpu

        cpus = cpu.available_cpus()
        try:
            chosen = cpu.choose_cpu(self.centre.robot.python_cpu, cpus)
        except ValueError as exc:
            self._part("cpu", f"unavailable: {exc}; threads left on every CPU")
            return
        if not cpu.pin_interpreter(chosen):
            why = "off in the config" if self.centre.robot.python_cpu == "off" else (
                "one CPU" if len(cpus) < 2 else "not supported here")
            self._part("cpu", f"ok (threads on every CPU: {why})")
            return
        self._closers.append(cpu.unpin_interpreter)
        self._part("cpu", f"ok (Python threads on CPU {chosen} of {len(cpus)}; camera and speech work on every CPU)")

    def _start_voice(self) -> None:
        """Speech output: TTS (+ voice pack) to the loudspeaker, or WAV files in devices.audio.output_dir."""
        from dialogs.tts import EspeakTts, TtsUnavailable, Voice, VoicePack
        from dialogs.vad import TalkGate
        from drivers.audio import AplaySink, AudioDeviceError, SoundDeviceSink, WavFolderSink
        from robot.voice import Loudspeaker, device_of

        audio, speech = self.centre.devices.audio, self.centre.dialog.speech
        self._voice: Any = None
        self._sink: Any = None
        try:
            pack = VoicePack(self.centre.resolve_path(speech.voice_pack)) if speech.voice_pack else None
            self._voice = Voice(EspeakTts(speech.voice), pack)
            if audio.output_dir:
                self._sink = WavFolderSink(self.centre.resolve_path(audio.output_dir))
                where = f"WAV files in {audio.output_dir}"
            else:
                try:
                    self._sink = SoundDeviceSink(device_of(audio.output), backend=self.audio_backend)
                except AudioDeviceError:
                    self._sink = AplaySink(audio.output)
                where = f"loudspeaker {audio.output or '(default)'}"
        except (TtsUnavailable, AudioDeviceError, OSError, ValueError) as exc:
            self._voice = self._sink = None
            self._part("voice", f"unavailable: {exc}; sentences are shown on screen only")
        else:
            self._part("voice", f"ok ({where})")
        # One worker plays the sentences and the counters' calls (a call never inside a turn), the microphone
        # deaf meanwhile and for the echo tail; listen timeouts count from the last sample (robot/voice.py).
        self.talk_gate = TalkGate(hold_s=speech.echo_tail_s)
        self.loudspeaker = Loudspeaker(
            self._sentence_audio, lambda call: self._render_segments(call.segments()), self._play,
            gate=self.talk_gate, in_session=self._session_active, on_quiet=self._played,
            on_error=lambda exc: self.feed.emit("alert", f"speech output failed: {exc}", kind="speaker"),
            repeat=speech.announce_repeat)
        self.loudspeaker.start()
        self._closers.append(self.loudspeaker.stop)

    def _session_active(self) -> bool:
        session = getattr(self.manager, "session", None)
        return session is not None and session.active

    def _played(self) -> None:
        with self._lock:
            if self.manager is not None:
                self.manager.played()

    def _say_later(self, text: str, key: str | None) -> None:
        if self._voice is not None:
            self.loudspeaker.say(text, key)

    def wait_spoken(self, timeout_s: float = 30.0, tail: bool = False) -> bool:
        """Block until everything queued has been played to its last sample (with `tail`: and the microphone's
        echo tail is over). For tests, scripted runs and the simulator's "robot finished speaking"."""
        return self.loudspeaker is None or bool(self.loudspeaker.wait_quiet(timeout_s, tail=tail))

    def _render_segments(self, segments: Any) -> Any:
        from dialogs.tts import Audio

        if self._voice is None:
            return Audio(b"", 16000)
        with native_work():
            return self._voice.segments(segments)

    def _play(self, audio: Any) -> None:
        if self._sink is not None and audio.pcm:
            self._sink.play(audio.pcm, audio.sample_rate)

    def _sentence_audio(self, text: str, key: str | None) -> Any:
        from dialogs.tts import TtsUnavailable

        if self._voice is None:
            return None
        try:
            with native_work():
                return self._voice.sentence(text, key)
        except TtsUnavailable as exc:  # the text is still shown; the voice problem goes to the technicians
            log.warning("speech synthesis failed: %s", exc)
            return None

    def _start_microphone(self) -> None:
        """Speech input: the microphone at devices.audio.input -> VAD -> recognition -> dialog (robot/voice.py)."""
        from dialogs.hearing import known_phrases
        from robot.voice import Hearing, start_ears

        speech = self.centre.dialog.speech
        self.hearing = Hearing(known_phrases(self.catalogue), speech.min_confidence, speech.min_known_share,
                               self.feed.emit, lambda: self.manager is not None and self.manager.listening,
                               lambda text: self.typed(text, spoken=True), self._lock, speech.engine)
        self.ears = start_ears(self, native_work)
        if self.ears is not None:
            self._closers.append(self.ears.stop)

    def _start_recogniser(self) -> None:
        """Speech input: the configured engine, or typing/touch only (said clearly at start-up)."""
        from dialogs.asr import ModelMissing, grammar_phrases, open_recognizer

        speech = self.centre.dialog.speech
        self.recognizer: Any = None
        if speech.engine == "text":
            self._part("listening", "ok (typed or touch input; dialog.speech.engine is text)")
            return
        try:
            model = str(self.centre.resolve_path(speech.model_path)) if speech.model_path else None
            self.recognizer = open_recognizer(speech.engine, model, grammar_phrases(self.catalogue))
        except ModelMissing as exc:
            self._part("listening", f"unavailable: {exc}")
        else:
            where = "embedded Vietnamese model" if speech.engine == "viet-asr" else f"model {speech.model_path}"
            self._part("listening", f"ok ({speech.engine} {where})")

    def _start_queue(self) -> None:
        from robot.queue import QueueEngine

        self.engine: Any = None
        db = self.centre.queue_db_path()
        try:
            self.engine = QueueEngine(self.centre, db, self.clock)
        except Exception as exc:  # sqlite3.Error, OSError: the robot still talks and guides
            self._part("queue", f"unavailable: cannot open {db}: {exc}")
            return
        self._closers.append(self.engine.close)
        self._part("queue", f"ok ({db})")

    def _start_motion(self, speaker: FeedSpeaker) -> tuple[Any, Any]:
        """Drive (ZLAC8015D or MCU), MCU safety and dispenser, navigator and behaviours -> Guide, Refreshments."""
        from drivers.dispenser import Dispenser
        from drivers.drive import DriveError, McuDrive, Zlac8015dDrive
        from drivers.mcu_protocol import LinkError, McuLink
        from robot.navigation.behaviours import MAKE_WAY, Behaviours, RobotGuide, RobotRefreshments
        from robot.navigation.stock import StockTracker
        from robot.telemetry import GoalNavigator

        devices = self.centre.devices
        drive_cfg, mcu_cfg = devices.drive, devices.mcu
        link = McuLink(mcu_cfg.port, mcu_cfg.baudrate) if mcu_cfg.port else None
        self._mcu = link
        if link is not None:
            self._closers.append(link.close)
        navigator = None
        try:
            drive: Any = None
            if drive_cfg.kind == "zlac8015d" and drive_cfg.port:
                drive = Zlac8015dDrive(drive_cfg.port, baudrate=drive_cfg.baudrate,
                                       wheel_radius_m=drive_cfg.wheel_radius_m, wheel_base_m=drive_cfg.wheel_base_m,
                                       monotonic=self.clock.monotonic)
            elif drive_cfg.kind == "mcu" and link is not None:
                drive = McuDrive(link, wheel_radius_m=drive_cfg.wheel_radius_m, wheel_base_m=drive_cfg.wheel_base_m,
                                 monotonic=self.clock.monotonic)
            if drive is not None and devices.can_move:
                self._closers.append(lambda: self._stop_motors(drive))
                drive.enable()
                point = self.centre.point()
                navigator = GoalNavigator(point.floor_map, drive, self.clock, self.centre.navigation,
                                          safety=link.safety if link is not None else None,
                                          on_status=self._nav_status)
                base = self.centre.robot.base or point.floor_map.first_of_kind("dock") or "entrance"
                navigator.localise(base)
        except (DriveError, LinkError, OSError) as exc:
            navigator = None
            self._part("navigation", f"unavailable: {exc}; the robot points the way instead")
        else:
            if navigator is not None:
                self._part("navigation", f"ok ({drive_cfg.kind} {drive_cfg.port or mcu_cfg.port})")
            else:
                self._part("navigation", "ok (no drive configured or can_move false: the robot points the way)")
        refresh = self.centre.refreshments
        stock = StockTracker({"water": refresh.water_capacity, "candy": refresh.candy_capacity}, refresh.low_stock,
                             lambda item, left: self.feed.emit("alert", f"{item}: {left} left", kind="low_stock",
                                                               reason=f"{left} left", item=item))
        self.behaviours = Behaviours(
            self.centre, lambda text: speaker.say(text), navigator=navigator, show_arrow=self._arrow,
            dispenser=Dispenser(link) if link is not None else None, stock=stock,
        )
        if navigator is not None:
            navigator.on_blocked = lambda: speaker.say(MAKE_WAY)
        self.navigator = navigator
        self.guide = FeedGuide(RobotGuide(self.behaviours), self.feed)
        return self.guide, RobotRefreshments(self.behaviours)

    @staticmethod
    def _stop_motors(drive: Any) -> None:
        """At stop: the wheels to zero and latched there (a walk in progress gets no further command), then the
        port is closed. If the driver does not answer, its own watchdog and the MCU's stop the wheels."""
        from drivers.drive import DriveError

        try:
            drive.halt()
        except DriveError as exc:
            log.warning("stopping the motors: %s", exc)
        drive.close()

    def _nav_status(self, status: Any) -> None:
        """Each status of a walk: on the feed, as navigation progress for staff, in the robot's mode. A walk that
        is not a guide (FeedGuide alerts those) raises navigation_aborted when it stops short."""
        import uuid

        self.feed.emit("guide", str(status), state=str(status.state), reason=status.reason)
        goal = getattr(self.navigator, "goal", None) or "?"
        if status.state == "started":
            self._goal_id = uuid.uuid4().hex[:12]
            guiding = self.guide is not None and self.guide.guiding
            self._walking = ("returning" if goal == getattr(self.behaviours, "base", None)
                             else "guiding" if guiding else "navigating")
        self._publish_progress(status, goal)
        if status.state in ("arrived", "aborted"):
            walking, self._walking = self._walking, None
            if status.state == "aborted" and walking != "guiding":
                self.feed.emit("alert", f"navigation aborted: {status.reason}", kind="navigation_aborted",
                               reason=status.reason, location=goal)
        if status.state in ("started", "arrived", "aborted"):
            self._publish_status()

    def _publish_progress(self, status: Any, goal: str) -> None:
        """navigation.progress: every start, planning, arrival and abort; "going" at most once a second."""
        from robot.mqtt.messages import NavigationProgress
        from robot.telemetry import NAV_STATUS, remaining_along

        if self.mqtt is None or not self._nav_throttle.admit(status.state, status.at):
            return
        remaining: float | None = None
        progress = 0.0
        route = self.navigator.last_route if status.state != "started" else None
        if status.state == "arrived":
            remaining, progress = 0.0, 1.0
        elif route is not None and route.goal == goal and route.length_m > 0:
            pose = self.navigator.pose()
            remaining = round(remaining_along(route.points, pose.x, pose.y), 2)
            progress = round(min(1.0, max(0.0, 1 - remaining / route.length_m)), 3)
        self.mqtt.publish(self.mqtt.make(
            NavigationProgress, goal_id=self._goal_id, target=goal, status=NAV_STATUS[status.state],
            progress=progress, remaining_m=remaining, reason=status.reason or None))

    def _arrow(self, bearing: float, label: str) -> None:
        self.feed.emit("guide", f"arrow on screen: {label}, {bearing:+.0f} degrees", bearing=bearing)

    def _start_ticket_desk(self) -> Any:
        """Tickets: the queue engine and the printer at devices.printer (a ticket is never lost to the printer)."""
        from robot.ticket_desk import TicketDesk, printer_from_config

        self.printer_watch = None
        if self.engine is None:
            return NoQueue(self.routes, "queue engine not available")
        device = self.centre.devices.printer
        try:
            printer = printer_from_config(device)
        except Exception as exc:  # a bad printer setting must not stop the queue
            self._part("printer", f"unavailable: {exc}")
            printer = None
        else:
            places = {"network": f"{device.host}:{device.port}", "serial": str(device.device),
                      "usb": f"{device.usb_vendor}:{device.usb_product}", "file": str(device.device)}
            self._printer_where = f"{device.kind} {places.get(device.kind, '')}"
            if printer is None:
                self._part("printer", "ok (none configured)")
        if printer is not None:
            self.printer_watch = WatchedPrinter(printer, self._on_printer_status)
            self._check_printer()  # "ok" only once it answered DLE EOT; a problem it reports is raised at once
        self.ticket_desk = TicketDesk(self.centre, self.engine, self.printer_watch, self.catalogue,
                                      on_alert=self._printer_alert, point_id=self.centre.robot.point)
        return FeedQueueDesk(self.ticket_desk, self.feed)

    def _printer_alert(self, kind: str, detail: str) -> None:
        self.feed.emit("alert", f"{kind.replace('_', ' ')}: {detail}", kind=kind, reason=kind)

    def _on_printer_status(self) -> None:
        """The printer answered (or failed): its part and the status show it; a status with printer and paper ok
        resolves the printer's alerts in robot.alerts (robot.mqtt.alerts.AlertBoard)."""
        watch = self.printer_watch
        if watch is not None and watch.last is not None:
            status, problem = watch.last, (watch.last.problem() or "printer_ready")
            if printer_answered(status, self.centre.devices.printer.kind):
                state = f"ok ({self._printer_where}; {problem.removeprefix('printer_').replace('_', ' ')})"
            else:
                state = (f"unavailable: {self._printer_where} does not answer ({' '.join(status.detail.split())}); "
                         "tickets are issued and told without paper until it does")
            self._parts["printer"] = state  # no part alert: the printer's own alerts say it (printer_offline...)
        self._publish_status()

    def _check_printer(self) -> None:
        """Periodic check: ask the printer how it is; a new problem is raised before a citizen meets it."""
        watch = self.printer_watch
        if watch is None:
            return
        before = ALERT_KINDS.get(watch.problem or "", ("",))[0]
        status = watch.status()
        problem = status.problem()
        if problem in PRINTER_CHECK_ALERTS and ALERT_KINDS[problem][0] != before:
            self._printer_alert(problem, f"periodic check: {status.detail or problem}")

    def _start_bus(self) -> None:
        """MQTT: the configured broker, --broker, or the embedded one; counter commands on the queue engine."""
        from robot.mqtt.broker import EmbeddedBrokerError
        from robot.mqtt.messages import ROBOT_ACTIONS
        from robot.mqtt.service import RobotMqtt

        self.mqtt = None
        try:
            self.mqtt = RobotMqtt(self.centre, self.clock, broker_url=self.broker_url, engine=self.engine)
            self.mqtt.start()
        except (EmbeddedBrokerError, OSError, ValueError) as exc:
            self.mqtt = None
            self._part("mqtt", f"unavailable: {exc}")
            return
        self._closers.append(self.mqtt.stop)
        for action in ROBOT_ACTIONS:
            if action not in self.mqtt.commands.handlers:  # the MQTT side's own (ack-alert) stay
                self.mqtt.register(action, self._staff_command)
        where = f"{self.mqtt.settings.display}{', embedded' if self.mqtt.embedded else ''}"
        link, connected = self.mqtt.link, f"ok ({where})"
        link.on_connect_hooks.append(lambda: self._parts.__setitem__("mqtt", connected))
        problem = self._wait_broker(link, DEVICE_WAIT_S)  # "ok" only once the broker accepted the login
        if problem is not None and not link.connected.is_set():
            self._part("mqtt", f"unavailable: {where}: {problem}; events wait in the outbox, reconnecting")
        if link.connected.is_set():
            self._parts["mqtt"] = connected
        self.feed.subscribe(self._alert_to_mqtt)

    @staticmethod
    def _wait_broker(link: Any, timeout_s: float) -> str | None:
        """None once the broker accepted the connection (CONNACK); else why not (login refused, nobody there)."""
        deadline = time.monotonic() + timeout_s
        while not link.connected.wait(0.02):
            if link.last_refusal is not None:
                return f"the broker refused the login ({link.last_refusal})"
            if link.connect_failures:
                return "no broker answers there"
            if time.monotonic() >= deadline:
                return f"no answer within {timeout_s:g} s"
        return None

    def _session_event(self, what: str, data: dict[str, Any]) -> None:
        """Dialog sessions for staff: started, ended with the dialog's own reason (done, timeout, handed_over,
        aborted, error), intent, procedure, turns and duration; never what the citizen said."""
        from dialogs.manager import END_REASONS
        from robot.mqtt.messages import DialogSessionEnded, DialogSessionStarted, RobotAlert

        if what == "started":
            self._in_session = True
            self._session_started_at = self.clock.monotonic()
            self._turns = 1 if self._input in ("touch", "voice", "scan") else 0
            # Someone is being served again: whoever asked for a staff member before has been dealt with.
            self._resolve_alert("help_requested")
            if self.mqtt is not None:
                trigger = self._input if self._input in ("touch", "voice", "scan") else "presence"
                self.mqtt.publish(self.mqtt.make(DialogSessionStarted, session_id=data["session"], trigger=trigger))
        elif what == "ended":
            self._in_session = False
            if self.mqtt is not None:
                reason = data["reason"] if data["reason"] in END_REASONS else "error"
                duration = round(max(0.0, self.clock.monotonic() - self._session_started_at), 1)
                self.mqtt.publish(self.mqtt.make(DialogSessionEnded, session_id=data["session"], reason=reason,
                                                 intent=data["intent"], procedure=data["procedure"],
                                                 turns=self._turns, duration_s=duration))
        elif what == "help" and self.mqtt is not None:
            self.mqtt.publish(self.mqtt.make(RobotAlert, kind="help_requested", reason=data["reason"]))
        self._publish_status()

    def _alert_to_mqtt(self, event: AppEvent) -> None:
        """Device alerts for staff (no personal data: kind, a technical reason, a map location or an item)."""
        from robot.mqtt.messages import RobotAlert

        mapped = ALERT_KINDS.get(str(event.data.get("kind", ""))) if event.kind == "alert" else None
        if mapped is not None:
            kind, severity = mapped
            location, item = event.data.get("location"), event.data.get("item")
            self.mqtt.publish(self.mqtt.make(RobotAlert, kind=kind, severity=severity,
                                             reason=str(event.data.get("reason", ""))[:120],
                                             location=str(location)[:120] if location else None,
                                             item=str(item) if item else None))

    def _resolve_alert(self, *kinds: str) -> None:
        """The condition behind these alert kinds is gone: take them out of the retained robot.alerts."""
        if self.mqtt is not None:
            for kind in kinds:
                self.mqtt.resolve_alert(kind)

    # ------------------------------------------------------------------ staff commands (MQTT robot/cmd)

    def _staff_command(self, command: Any) -> Any:
        """pause, resume, announce, go-to-base, dispense, refill: the reply says what was done (Vietnamese)."""
        from robot.mqtt.commands import ROBOT_ACTION_NAMES, Outcome

        action = command.action
        if action == "announce":
            if not (command.text or "").strip():
                return Outcome.reject("text_required", "Cần nội dung thông báo.")
            self.feed.emit("said", command.text, key=None)
            self._say_later(command.text, None)
            return Outcome(True, message="Đã phát thông báo.")
        if action == "pause":
            self.paused = True
            self._dialog(lambda m: m.abort())
            self.feed.emit("info", "paused by staff")
            self._publish_status()
            return Outcome(True, message="Robot đã tạm dừng tiếp dân.")
        if action == "resume":
            self.paused = False
            self.feed.emit("info", "resumed by staff")
            self._publish_status()
            return Outcome(True, message="Robot tiếp tục tiếp dân.")
        if action == "go-to-base":
            return self._go_to_base()
        if action == "dispense":
            return self._dispense(command.item, command.quantity or 1, command.location)
        if action == "refill":
            return self._refill(command.item, command.quantity)
        return Outcome.reject("not_supported", f"Robot chưa hỗ trợ lệnh {ROBOT_ACTION_NAMES.get(action, 'này')}.")

    def _go_to_base(self) -> Any:
        """Staff send the robot back to its base: the conversation in progress ends (aborted)."""
        from robot.mqtt.commands import Outcome, stop_reason_words

        if self.behaviours is None or not self.behaviours.can_move:
            return Outcome.reject("cannot_move", "Robot không di chuyển được (không có động cơ hoặc bị tắt).")
        with self._lock:  # never while the robot leads a citizen
            if self.manager is not None:
                self.manager.abort()
            result = self.behaviours.go_to_base()
        if result is not None and result.arrived:
            return Outcome(True, message="Robot đã về vị trí chờ.")
        reason = result.reason if result is not None else "cannot_move"
        return Outcome.reject(reason or "aborted", f"Robot không về được vị trí chờ ({stop_reason_words(reason)}).")

    def _dispense(self, item: str | None, quantity: int, location: str | None) -> Any:
        """Hand out `quantity` items here, or at `location` (a place on the floor map) and come back to base."""
        from robot.mqtt.commands import Outcome, stop_reason_words

        behaviours = self.behaviours
        if item is None:
            return Outcome.reject("item_required", "Cần chọn nước hoặc kẹo.")
        if behaviours is None or behaviours.dispenser is None:
            return Outcome.reject("no_dispenser", "Robot không có máy phát nước, kẹo.")
        if quantity > 20:
            return Outcome.reject("too_many", "Mỗi lần phát tối đa 20.")
        name = ITEM_WORDS.get(item, item)
        if location is not None and location not in behaviours.point.floor_map.locations:
            return Outcome.reject("unknown_location", f"Không có vị trí {location} trên sơ đồ.")
        if location is not None and not behaviours.can_move:
            return Outcome.reject("cannot_move", "Robot không di chuyển được (không có động cơ hoặc bị tắt).")
        served, why = 0, ""
        with self._lock:  # never while the robot talks with or leads a citizen
            if location is not None:
                going = behaviours.navigator.go_to(location)
                if not going.arrived:
                    return Outcome.reject(going.reason or "aborted",
                                          f"Robot không đến được {location} ({stop_reason_words(going.reason)}).")
            for _ in range(quantity):
                result = behaviours.hand_out(item)
                if not result.served:
                    why = result.reason
                    break
                served += 1
            if location is not None:
                behaviours.go_to_base()
        self._publish_status()
        if served == quantity:
            return Outcome(True, message=f"Đã phát {served} {name}.")
        return Outcome.reject(why or "failed", f"Đã phát {served}/{quantity} {name} ({stop_reason_words(why)}).")

    def _refill(self, item: str | None, quantity: int | None) -> Any:
        """Staff refilled a bin: the count is `quantity` (default: full); no bin low any more resolves low_stock."""
        from robot.mqtt.commands import Outcome

        behaviours = self.behaviours
        if item is None:
            return Outcome.reject("item_required", "Cần chọn nước hoặc kẹo.")
        if behaviours is None or behaviours.dispenser is None or behaviours.stock is None:
            return Outcome.reject("no_dispenser", "Robot không có máy phát nước, kẹo.")
        stock = behaviours.stock
        if quantity is not None and quantity > stock.capacity[item]:
            return Outcome.reject("over_capacity", f"Ngăn {ITEM_WORDS[item]} chứa tối đa {stock.capacity[item]}.")
        stock.refill(item, quantity)
        if not any(stock.left(i) <= stock.low_at < stock.capacity[i] for i in stock.capacity):
            self._resolve_alert("low_stock")
        self._publish_status()
        return Outcome(True, message=f"Đã ghi nhận {stock.left(item)} {ITEM_WORDS[item]}.")

    # ------------------------------------------------------------------ the robot's status (robot.status)

    def _start_status(self) -> None:
        """Publish the retained status now, on every change and every mqtt.status_period_s (heartbeat); the
        heartbeat also asks the printer and the dispenser's stock sensors how they are."""
        from robot.telemetry import ProgressThrottle, StatusGate

        self._status_gate = StatusGate()
        self._nav_throttle = ProgressThrottle(1.0)
        self._check_battery()  # before the first status goes out: known from the first one on
        self._status_ready = True
        if self.mqtt is None:
            return
        thread = threading.Thread(target=self._status_loop, name="robot-status", daemon=True)
        thread.start()
        self._closers.append(lambda: thread.join(timeout=6))

    def _status_loop(self, poll_s: float = 1.0) -> None:
        next_check: float | None = None
        while not self._stopping.is_set():
            try:
                now = self.clock.monotonic()
                if next_check is None or now >= next_check - 1e-6:  # simulated clocks add up in floats
                    next_check = now + self.centre.mqtt.status_period_s
                    self._check_devices()
                    self._publish_status(force=True)
                else:
                    self._publish_status()  # changes no event announced (a drive fault...)
            except Exception:
                log.exception("publishing the robot status failed")
            self._stopping.wait(poll_s)

    def _check_devices(self) -> None:
        self._check_printer()
        self._check_battery()
        if self.behaviours is not None:
            self.behaviours.check_stock_sensors()

    def _check_battery(self) -> None:
        """Read the MCU's battery gauge (none: battery unknown); alert staff once when it runs low off the dock."""
        from drivers.mcu_protocol import LinkError

        link = self._mcu
        if link is None:
            return
        try:
            reading = link.battery()
        except (LinkError, OSError) as exc:
            log.warning("battery: no reading (%s)", exc)
            self._battery = None
            return
        self._battery = reading
        if reading is None:
            return
        low = self.centre.robot.battery_low_pct
        if reading.percent <= low and not reading.charging:
            if not self._battery_alerted:
                self._battery_alerted = True
                self.feed.emit("alert", f"battery: {reading.percent:.0f}% left", kind="battery_low",
                               reason=f"{reading.percent:.0f}%")
        elif self._battery_alerted and (reading.charging or reading.percent >= low + 5):
            self._battery_alerted = False
            self._resolve_alert("battery_low")

    def _publish_status(self, *, force: bool = False) -> None:
        from robot.mqtt.messages import RobotStatus

        if self.mqtt is None or not self._status_ready or self._stopping.is_set():
            return
        with self._status_lock:
            fields = self._status_fields()
            if self._status_gate.due(fields, force=force):
                self.mqtt.publish(self.mqtt.make(RobotStatus, **fields))

    def _status_fields(self) -> dict[str, Any]:
        """robot.status from the parts (no I/O; the battery as last read by `_check_battery`): unknown stays unknown
        (no MCU, or one whose firmware has no battery gauge)."""
        from robot.telemetry import device_state, printer_states, robot_mode

        battery = self._battery
        parts = self._parts
        watch = self.printer_watch
        if not parts.get("printer", "ok").startswith("ok"):
            printer, paper = "fault", "unknown"
        else:
            printer, paper = printer_states(watch is not None, watch.last if watch else None,
                                            watch.failed if watch else False)
        scanner, camera = self.scanner, self.camera
        motors = device_state(parts.get("navigation"))
        if self.navigator is not None and self.navigator.drive.faults.any:
            motors = "fault"
        behaviours = self.behaviours
        stocked = behaviours is not None and behaviours.dispenser is not None and behaviours.stock is not None
        return {
            "mode": robot_mode(walking=self._walking, paused=self.paused, in_session=self._in_session,
                               can_talk=self.manager is not None),
            "battery_pct": None if battery is None else round(battery.percent, 1),
            "charging": None if battery is None else battery.charging,
            "printer": printer, "paper": paper,
            # A serial/keyboard scanner that started is judged by its link (unplugged: offline, not a fault).
            "scanner": device_state(getattr(self, "_scanner_ok", "") or parts.get("scanner"),
                                    scanner.status.state if scanner is not None else None),
            "microphone": device_state(parts.get("microphone") if parts.get("microphone") and parts.get(
                "listening", "").startswith("ok") else parts.get("listening")),
            "camera": device_state(parts.get("camera"), camera.status.state if camera is not None else None),
            "motors": motors,
            "water": behaviours.stock.left("water") if stocked else None,
            "candy": behaviours.stock.left("candy") if stocked else None,
        }

    def _start_queue_watch(self, interval_s: float = 0.1) -> None:
        """Announce every call made at a counter (by MQTT, a counter tool, anything writing the queue)."""
        if self.engine is None:
            return
        latest = self.engine.events_after(0, limit=1_000_000)
        self._last_event = latest[-1].id if latest else 0
        thread = threading.Thread(target=self._watch_queue, args=(interval_s,), name="queue-watch", daemon=True)
        thread.start()
        self._closers.append(lambda: thread.join(timeout=2))

    def _watch_queue(self, interval_s: float) -> None:
        while not self._stopping.wait(interval_s):
            try:
                self.pump_queue_events()
            except Exception:
                log.exception("reading the queue events failed")

    def pump_queue_events(self) -> int:
        """Handle new queue events now: announce calls and recalls. Returns how many events were read."""
        from dialogs.announcer import Announcement

        events = self.engine.events_after(self._last_event, limit=200)
        for event in events:
            self._last_event = event.id
            if event.kind in ("called", "recalled") and event.counter is not None:
                text = Announcement(event.number, event.counter).text
                self.feed.emit("called", text, ticket=event.number, counter=event.counter, service=event.service)
                self.feed.emit("said", text, key="announce")
                self.loudspeaker.call(event.number, event.counter)
        return len(events)

    def _start_dossiers(self) -> Any:
        """Dossier lookup (SQLite or HTTP provider), answering scanned tickets from the queue engine."""
        from robot.dossier.desk import build_desk
        from robot.dossier.ticket_status import queue_ticket_position

        position = queue_ticket_position(self.engine) if self.engine is not None else None
        try:
            desk = build_desk(self.centre.dossier, self.centre.dossier_db_path(), self.clock, position)
        except (ValueError, OSError) as exc:
            self._part("dossiers", f"unavailable: {exc}")
            return NoDossiers()
        self._part("dossiers", f"ok ({self.centre.dossier.provider})")
        return desk

    def _start_scanner(self) -> None:
        """The QR scanner at devices.scanner: each code read goes to the conversation."""
        from robot.dossier.scanning import open_scanner

        settings = self.centre.devices.scanner
        self.scanner = None
        self._scanner_ok = ""
        if self._camera_is_scanner():
            return  # the camera part reads the codes from the frames it shares with presence
        try:
            self.scanner = open_scanner(settings, self._on_scan, self._on_scanner_state, monotonic=self.clock.monotonic)
        except (ValueError, ImportError) as exc:
            self._part("scanner", f"unavailable: {exc}")
            return
        if self.scanner is None:
            self._part("scanner", "ok (none configured)")
            return
        self._scanner_ok = f"ok ({settings.kind} {settings.device or 'stdin'})"
        self.scanner.start()
        self._closers.append(self.scanner.stop)
        deadline = time.monotonic() + DEVICE_WAIT_S  # "ok" only once the port opened
        while self.scanner.status.state == "starting" and time.monotonic() < deadline:
            time.sleep(0.01)
        status = self.scanner.status
        if status.state == "ready":
            self._parts["scanner"] = self._scanner_ok
        elif status.state == "disconnected":  # the scanner's own alert (scanner_disconnected) is raised already
            self._parts["scanner"] = f"unavailable: {status.detail}; retrying"
        else:
            self._part("scanner", f"unavailable: {settings.device} did not open within {DEVICE_WAIT_S:g} s; retrying")

    def _camera_is_scanner(self) -> bool:
        """devices.scanner is the camera at devices.camera: one capture serves presence and QR codes."""
        devices = self.centre.devices
        return bool(devices.camera) and devices.scanner.kind == "camera" and devices.scanner.device in (
            None, devices.camera)

    def _start_camera(self) -> None:
        """The camera at devices.camera: presence (someone steps up: greeted once) and, when it is also the
        QR scanner (or devices.camera_reads_codes), the codes held up to it. One capture, frames dropped."""
        from drivers.camera import CameraFeed
        from drivers.presence import PersonDetector, PresenceError, PresenceTracker, PresenceWatcher
        from drivers.scanner import CameraScanner, ScannerError

        devices = self.centre.devices
        self.camera = None
        self.presence: Any = None
        if not devices.camera:
            self._part("camera", "ok (none configured: conversations start on touch or speech)")
            return
        consumers: list[Callable[[Any], None]] = []
        uses: list[str] = []
        if devices.presence != "none":
            try:
                detector = PersonDetector(devices.presence)
            except PresenceError as exc:
                self._part("presence", f"unavailable: {exc}")
            else:
                # Frames arrive in real time: the tracker's debounce runs on the wall clock (its default).
                tracker = PresenceTracker(arrive_s=0.5, leave_s=devices.presence_leave_s)
                self.presence = PresenceWatcher(detector, tracker, self._on_presence)
                consumers.append(self.presence)
                uses.append(f"presence {devices.presence}")
        if self._camera_is_scanner() or devices.camera_reads_codes:
            settings = devices.scanner
            try:
                codes = CameraScanner(devices.camera, self._on_scan, decoder=settings.decoder,
                                      debounce_s=settings.debounce_s, max_width=settings.max_width,
                                      monotonic=self.clock.monotonic)
            except (ScannerError, ImportError) as exc:
                self._part("scanner" if self._camera_is_scanner() else "camera codes", f"unavailable: {exc}")
            else:
                consumers.append(codes.feed)
                uses.append("QR codes")
        if not consumers:
            self._part("camera", f"ok ({devices.camera} configured, nothing uses it: presence none)")
            return
        self._camera_uses = ", ".join(uses)
        self.camera = CameraFeed(devices.camera, [_on_every_cpu(c) for c in consumers], self._on_camera_state)
        if self._camera_is_scanner():
            self.scanner = self.camera  # its status is the scanner's
            self._part("scanner", f"ok (camera {devices.camera})")
        state = self.camera.start(wait_s=self.camera.timeout_s + 1)
        self._closers.append(self.camera.stop)
        if state.state != "ready":
            self._part("camera", f"unavailable: {state.detail or state.state}; retrying; "
                                 "greeting starts on touch or speech meanwhile")

    def _on_camera_state(self, status: Any) -> None:
        devices = self.centre.devices
        if status.state == "ready":
            self._parts["camera"] = f"ok ({devices.camera}: {self._camera_uses})"
            self.feed.emit("info", "camera ready")
            self._resolve_alert("camera_disconnected")
        elif status.state == "disconnected" and self._parts.get("camera", "").startswith("ok"):
            self._part("camera", f"unavailable: {status.detail}; retrying")
        self._publish_status()

    def _on_presence(self, edge: str) -> None:
        """A presence edge from the camera: counts only (nobody's image or face is kept)."""
        if edge == "arrived":
            self.person_arrived()
        else:
            self.person_left()
        self.feed.emit("info", f"camera: somebody {'stepped up' if edge == 'arrived' else 'left'}", presence=edge)

    def _on_scan(self, scan: Any) -> None:
        self.feed.emit("info", f"code read by the {scan.source} scanner ({scan.format})")
        self.scanned(scan.text)

    def _on_scanner_state(self, status: Any) -> None:
        if status.state == "disconnected":
            self._parts["scanner"] = f"unavailable: {status.detail}; retrying"
            self.feed.emit("alert", f"QR scanner disconnected: {status.detail}", kind="scanner",
                           reason=f"disconnected: {status.detail}"[:120])
        elif status.state == "ready":
            if self._scanner_ok:
                self._parts["scanner"] = self._scanner_ok
            self.feed.emit("info", "QR scanner ready")
            self._resolve_alert("scanner_disconnected")
        self._publish_status()

    def _start_screen(self) -> None:
        """The citizen's touch screen (robot/web), served from this process when the centre file has `screen:`."""
        self.screen: Any = None
        if self.centre.screen is None:
            self._part("screen", "ok (none configured)")
            return
        from robot.web.part import ScreenPart, ScreenStartError

        part = ScreenPart(self, self.centre.screen, on_state=lambda state: self._parts.__setitem__("screen", state))
        try:
            part.start()
        except ScreenStartError as exc:
            self._part("screen", f"unavailable: {exc}")
            return
        self.screen = part
        self._closers.append(part.stop)

    def _build_dialog(self, speaker: Any, queue: Any, dossiers: Any, guide: Any, refreshments: Any,
                      events: Any) -> Any:
        from dialogs.manager import DialogManager, ManagerSettings
        from robot.understander import make_understander
        settings = self.centre.dialog
        from robot.centre_info import ConfigCentreInfo

        manager = DialogManager(
            self.catalogue, make_understander(self.catalogue), speaker=speaker, queue=queue, dossiers=dossiers,
            guide=guide, refreshments=refreshments, events=events,
            settings=ManagerSettings(address=settings.address, min_confidence=settings.min_confidence,
                                     silence_timeout_s=settings.silence_timeout_s, max_misses=settings.max_misses),
            clock_fn=self.clock.monotonic,
            centre=ConfigCentreInfo(self.centre, self.clock.now),
            referrals={key: text for key, text in self.centre.referrals.items()
                       if key in self.catalogue.referrals.ids()},
        )
        self._part("dialog", "ok")
        return manager

    def stop(self) -> None:
        self._stopping.set()
        while self._closers:
            closer = self._closers.pop()
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

    # ------------------------------------------------------------------ inputs

    def _dialog(self, action: Callable[[Any], None]) -> None:
        with self._lock, (self.loudspeaker.turn() if self.loudspeaker is not None else contextlib.nullcontext()):
            if self.manager is None:
                self.feed.emit("alert", "the conversation part is not running", kind="dialog")
                return
            action(self.manager)

    def _citizen(self, trigger: str, action: Callable[[Any], None]) -> None:
        """A citizen's input (trigger: presence, touch, voice, scan). While staff have paused the robot it says
        so instead of starting a conversation."""
        if self.paused:
            self.feed.emit("info", f"paused by staff: {trigger} input not handled")
            if self.speaker is not None:
                self.speaker.say(PAUSED_TEXT, "paused")
            return
        with self._lock:
            self._input = trigger
            if self._in_session and trigger != "presence":
                self._turns += 1
            try:
                self._dialog(action)
            finally:
                self._input = None

    def person_arrived(self) -> None:
        self._citizen("presence", lambda m: m.person_arrived())

    def person_left(self) -> None:
        self._dialog(lambda m: m.person_left())
        # The citizen who asked for a staff member has walked away from the robot: the request is dealt with.
        self._resolve_alert("help_requested")

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

    def listen(self, frames: Any) -> int:
        """Recognise each utterance in a stream of audio frames (microphone or WAV file). Returns how many."""
        from dialogs.asr import recognise
        from dialogs.vad import EndPointer
        from robot.voice import ListenGate

        if self.recognizer is None:
            self.feed.emit("alert", "no speech recogniser: " + self._parts.get("listening", ""), kind="listening")
            return 0
        count = 0
        gate = ListenGate(self.talk_gate, self.loudspeaker, lambda: self.manager is not None and self.manager.listening)
        for result in recognise(frames, EndPointer(gate=gate), self.recognizer, native_work):
            self.hearing(result)
            count += 1
        return count

    def scanned(self, payload: str) -> None:
        self._citizen("scan", lambda m: m.scanned(payload))

    def tick(self) -> None:
        if self.loudspeaker is not None and self.loudspeaker.busy():
            return  # listen timeouts count from the robot's last sample (DialogManager.played), not meanwhile
        if self.ears is not None and self.ears.citizen_speaking:
            return  # nor while the citizen is in the middle of saying something
        with self._lock, (self.loudspeaker.turn() if self.loudspeaker is not None else contextlib.nullcontext()):
            if self.manager is not None:
                self.manager.tick()

    def status(self) -> dict[str, Any]:
        with self._lock:
            state = getattr(self.manager, "state", None)
        return {
            "centre": self.centre.site.id,
            "time": self.clock.now().isoformat(timespec="seconds"),
            "dialog": str(state) if state is not None else "not running",
            "parts": self.parts(),
        }
