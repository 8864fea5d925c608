"""A running simulation: simulated devices + the real application + an MQTT monitor, driven by steps.

`SimSession` is what the technician console and the scenario runner drive. It starts the
simulated devices of the centre (simulator.devices), gives their addresses to the composition
root (robot.app.Application) in the config, and records everything seen as `Observation`s:
the robot's words and tickets (from the application's event feed), the tickets that came out of
the simulated printer, navigation results, alerts, and the MQTT messages staff would see.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from dialogs.catalogue import Catalogue
from drivers.audio import AudioDeviceError, WavFileSource
from robot.app import Activity, Application
from robot.clock import Clock, SimClock, SystemClock
from robot.config import CentreConfig, load_catalogue_checked
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import CounterCommand, Stamper
from robot.queue import QueueEngine, QueueError
from robot.ticket_print import ticket_content
from robot.ticket_ref import parse_ticket_ref
from simulator.audio import SimRoom
from simulator.commands import COMMANDS
from simulator.console import HELP, render, run_console
from simulator.devices import SimDevices
from simulator.scenario import Observation, Scenario, ScenarioResult, Step, run_scenario


@dataclass(frozen=True)
class SimOptions:
    centre: CentreConfig
    start: datetime | None = None  # None: the wall clock (--realtime)
    speech: str = "text"
    broker_url: str | None = None
    workdir: Path | None = None  # None: a temporary folder, removed when the session stops
    use_broker: bool = True
    screen: bool = False  # serve the centre's citizen screen (its `screen:` section); port 0 picks a free one
    # The room's sound in real time (simulator/audio.py): the loudspeaker takes as long as its audio, the
    # microphone hears the citizen's WAV files and the loudspeaker at echo_level; simulated time follows the wall.
    audio_realtime: bool = False
    echo_level: float = 0.3


class StepError(Exception):
    """A step that cannot be performed here (message for the technician)."""


class SimSession:
    def __init__(self, options: SimOptions, catalogue: Catalogue | None = None):
        self.options = options
        self.catalogue = catalogue or load_catalogue_checked()
        # The run's files (tickets, audio, databases): the given folder, kept; else a temporary one, removed at stop.
        self._temporary = options.workdir is None
        self.workdir = (options.workdir or Path(tempfile.mkdtemp(prefix="letan-sim-"))).resolve()
        self.clock: Clock = SimClock(options.start) if options.start is not None else SystemClock(
            options.centre.site.tz)
        self._observations: list[Observation] = []
        self._lock = threading.Lock()
        self._seen = threading.Condition(self._lock)  # notified at each new observation
        self.app: Application | None = None
        self.devices = SimDevices(self.workdir, broker_url=options.broker_url)
        self.counters: QueueEngine | None = None  # the counters' side of the queue (/call)
        self.room: SimRoom | None = None  # with audio_realtime
        self.monitor: MqttLink | None = None  # what the robot publishes, shown on the console
        self._paced = threading.Event()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        centre0 = self.options.centre
        if centre0.devices.drive.kind != "none" and centre0.devices.can_move:
            start = self.options.start or datetime.now(centre0.site.tz)
            world_clock = self.devices.start_motion(centre0, start)
            if self.options.start is not None:
                self.clock = world_clock  # simulated time: the world moves when the application sleeps
            else:
                self._realtime_world()
        self.devices.start(self.options.centre)
        self.devices.printer.on_printed(self._observe_printed)  # each ticket as it is cut
        centre = self._sim_config(self.options.centre)
        self.app = Application.from_config(centre, catalogue=self.catalogue, clock=self.clock,
                                           broker_url=self.options.broker_url, state_dir=self.workdir)
        self.app.subscribe(self._on_activity)
        if self.options.audio_realtime:

            self.room = self.app.audio_backend = SimRoom(self.options.echo_level)
            self._start_pacing()
        self.app.start()

        self._wait_scanner_ready()
        self._start_monitor(centre)
        # The counters' own terminal: another client of the same queue database, as staff tools are.
        self.counters = QueueEngine(centre, centre.queue_db_path(), self.clock)

    def _sim_config(self, centre: CentreConfig) -> CentreConfig:
        """The centre config the application receives: the simulated devices' addresses, files in workdir."""
        configured = self.devices.configure(centre)
        if self.options.audio_realtime:  # the room's loudspeaker and microphone instead of WAV files
            audio = configured.devices.audio.model_copy(update={"output_dir": None, "input": "sim-microphone",
                                                               "output": "sim-loudspeaker"})
            configured = configured.model_copy(update={"devices": configured.devices.model_copy(
                update={"audio": audio})})
        speech = configured.dialog.speech.model_copy(update={"engine": self.options.speech})
        screen = configured.screen if self.options.screen else None
        return configured.model_copy(update={"dialog": configured.dialog.model_copy(update={"speech": speech}),
                                             "screen": screen})

    def _observe_printed(self, printed: Any) -> None:
        """A ticket came out of the simulated printer: its PNG and its text (from the QR's ticket reference)."""
        assert self.counters is not None  # started before the printer
        ref = next((r for r in map(parse_ticket_ref, printed.qr_payloads) if r is not None), None)
        data: dict[str, Any] = {"png": str(printed.png)}
        if ref is None:
            self._observe("printed", "(a ticket without a letan reference)", data)
            return
        try:
            place = self.counters.position(ref.number, ref.point, ref.day)
            content = ticket_content(self.counters.centre, place.ticket, place.people_ahead, place.wait_minutes)
            data.update(service=place.ticket.service, number=ref.number, lines=content.lines())
        except Exception:  # already finished: still show the number
            data.update(number=ref.number, service=self._service_by_prefix(ref.number))
        self._observe("printed", f"{ref.number} ({data.get('service')})", data)

    def _service_by_prefix(self, number: str) -> str | None:
        return next((s.id for s in self.options.centre.services if s.prefix == number[:1]), None)

    def _start_monitor(self, centre: CentreConfig) -> None:
        """What centre staff see: every message under the site's topics. Also the counters' consoles."""

        root = centre.mqtt.topic_root
        self.root = root
        self.stamp = Stamper(centre.site.id, "sim-counters", self.clock)
        staff_url = self.devices.staff_broker_url  # staff watch the broker itself, not through the robot's link
        settings = BrokerSettings.from_url(staff_url) if staff_url else BrokerSettings.from_config(centre.mqtt)
        self.monitor = MqttLink(settings, f"letan-sim-monitor-{os.getpid()}",
                                topic_root=root)
        self.monitor.subscribe(f"{root}/{centre.site.id}/#", self._on_mqtt)
        self.monitor.start()
        self.monitor.wait_connected(5.0)

    def _on_mqtt(self, topic: str, payload: bytes) -> None:
        try:
            data = json.loads(payload)
        except ValueError:
            data = {}
        keys = ("ticket", "counter", "service", "kind", "reason", "status", "state", "message", "waiting", "mode",
                "paper", "target")
        if not isinstance(data, dict):
            data = {}
        short = {k: v for k, v in data.items() if k in keys}
        if isinstance(data.get("active"), list):  # robot.alerts: the kinds in force
            short["active"] = [a.get("kind") for a in data["active"] if isinstance(a, dict)]
        self._observe("event", topic, {"payload": json.dumps(short, ensure_ascii=False), "fields": data})

    def _start_pacing(self) -> None:
        """audio_realtime: simulated time follows the wall clock from the start time, and the application is
        ticked as `letan run` ticks it (listen timeouts)."""
        def run() -> None:
            last = time.monotonic()
            while not self._paced.wait(0.05):
                now = time.monotonic()
                if self.options.start is not None:
                    self.clock.sleep(now - last)
                last = now
                if self.app is not None:
                    self.app.tick()

        threading.Thread(target=run, name="sim-pacing", daemon=True).start()

    def stop(self) -> None:
        self._paced.set()
        if self.monitor is not None:
            self.monitor.stop()
        if self.counters is not None:
            self.counters.close()
        if self.app is not None:
            self.app.stop()
        self.devices.stop()
        if self._temporary:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> SimSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ observations

    def _observe(self, kind: str, text: str, data: dict[str, Any] | None = None, at: str = "") -> None:
        with self._lock:
            self._observations.append(Observation(kind, text, data or {}, at or self.clock.now().isoformat()))
            self._seen.notify_all()

    def _on_activity(self, event: Activity) -> None:
        self._observe(event.kind, event.text, dict(event.data), event.at)

    def observations(self) -> list[Observation]:
        with self._lock:
            return list(self._observations)

    def status(self) -> dict[str, Any]:
        return {**self._app.status(), "simulated devices": self.devices.status()}

    @property
    def _app(self) -> Application:
        if self.app is None:
            raise StepError("the simulation is not started")
        return self.app

    # ------------------------------------------------------------------ steps

    def perform(self, step: Step) -> None:
        """Run the step's command (simulator/commands.py) on this simulation."""
        _ = self._app  # StepError before the simulation is started
        COMMANDS[step.action].perform(self, step)

    # The commands' actions (simulator.commands.Performer).

    def say(self, text: str) -> None:
        self._observe("citizen", text)
        self._app.typed(text)

    def scan_code(self, text: str) -> None:
        self.devices.scan_text(text)

    def fault(self, device: str, kind: str) -> None:
        self.devices.fault(device, kind)

    def obstacle(self, blocked: bool) -> None:
        self._observe("info", self.devices.set_obstacle(blocked))

    def unplug(self, device: str) -> None:
        if device == "microphone":
            self._microphone("unplug").unplug()
        else:
            self.devices.unplug(device)

    def plug(self, device: str) -> None:
        if device == "microphone":
            self._microphone("plug").plug()
        else:
            self.devices.plug(device)
            self._wait_scanner_ready()

    def _microphone(self, action: str) -> Any:
        if self.room is None:
            raise StepError(f"{action}: microphone: the microphone is simulated only with --audio-realtime")
        return self.room

    def wait_spoken(self, timeout_s: float) -> None:
        if not self._app.wait_spoken(timeout_s, tail=True):
            raise StepError("the robot was still speaking after the step's time")

    # ------------------------------------------------------------------ the camera

    def _camera_sees_people(self) -> bool:
        app = self._app
        camera = app.part_states().get("camera")
        return app.presence is not None and camera is not None and camera.is_ok

    def arrive(self, someone: bool, timeout_s: float = 8.0) -> None:
        """Whoever stands in front of the camera walks away; then (someone) a new citizen steps up.

        The robot notices both with its own detector on the camera's frames: the step waits until the
        application reports the presence edge (a new citizen is greeted once they are noticed)."""
        camera = self.devices.camera
        if not self._camera_sees_people():
            self._observe("info", "the camera does not see people here: the citizen touches the screen")
            self._app.person_left()
            if someone:
                self._app.person_arrived()
            return
        if camera.showing.person is not None:
            before = len(self.observations())
            camera.show_nobody()
            self._observe("info", "camera: the citizen walks away")
            leave_s = self._app.centre.devices.presence_leave_s
            if not self._wait_info(before, "presence", "left", leave_s + timeout_s):
                raise StepError(f"the robot did not notice the citizen leave within {leave_s + timeout_s:g} s")
        if someone:
            before = len(self.observations())
            who = camera.show_person()
            self._observe("info", f"camera: a citizen steps up ({who}'s photo)")
            if not self._wait_info(before, "presence", "arrived", timeout_s):
                raise StepError(f"the robot did not notice the citizen in front of the camera within {timeout_s:g} s")

    def hold_up(self, path: Path, timeout_s: float = 3.0) -> None:
        """A receipt or ticket held up to the camera until the application's camera scanner reads it."""
        if not path.is_file():
            raise StepError(f"no image file {path}")
        before = len(self.observations())
        self.devices.show_image(path)
        try:
            read = self._wait_for(before, lambda o: o.text.startswith("code read by the camera"), timeout_s)
        finally:
            self.devices.camera.lower_paper()
        if not read:
            raise StepError(f"the camera read no code in {path.name} within {timeout_s:g} s")

    def _wait_info(self, since: int, key: str, value: str, timeout_s: float) -> bool:
        return self._wait_for(since, lambda o: o.kind == "info" and o.data.get(key) == value, timeout_s)

    def _wait_for(self, since: int, wanted: Callable[[Observation], bool], timeout_s: float) -> bool:
        """Wait until an observation after the first `since` is `wanted` (woken by each new observation)."""
        with self._seen:
            return self._seen.wait_for(lambda: any(wanted(o) for o in self._observations[since:]), timeout_s)

    def _realtime_world(self) -> None:
        """--realtime: the world's physics follow the wall clock."""
        world = self.devices.world
        stop = threading.Event()

        def run() -> None:
            last = time.monotonic()
            while not stop.wait(0.02):
                now = time.monotonic()
                world.advance(now - last)
                last = now

        thread = threading.Thread(target=run, name="sim-world", daemon=True)
        thread.start()
        self.devices.closers.append(stop.set)

    def _wait_scanner_ready(self, timeout_s: float = 5.0) -> bool:
        """Codes sent before the application opened the port would be lost, as on a real line."""
        scanner = self.app.scanner if self.app is not None else None
        deadline = time.monotonic() + timeout_s
        while scanner is not None and time.monotonic() < deadline:
            if scanner.status.state == "ready":
                return True
            time.sleep(0.02)
        return scanner is None

    def counter_next(self, counter: int) -> None:
        """Counter N presses "next" on its console: finish its current ticket, call the next one.

        Over MQTT like a counter console (the robot executes the command on its queue engine); with
        the broker down, through the counter's own terminal on the shared queue database."""
        assert self.counters is not None and self.monitor is not None, "the session is not started"
        if self.monitor.connected.is_set() and self.devices.robot_link_up:
            current = self.counters.current(counter)
            if current is not None:
                self._counter_command(counter, "done")
            self._counter_command(counter, "call-next")
            return
        try:
            current = self.counters.current(counter)
            if current is not None:
                self.counters.done(current.number)
            ticket = self.counters.call_next(counter)
        except QueueError as exc:
            raise StepError(f"counter {counter}: {exc}") from None
        if ticket is None:
            self._observe("info", f"counter {counter}: nobody is waiting")

    def _counter_command(self, counter: int, action: str) -> None:
        assert self.monitor is not None
        command = self.stamp.make(CounterCommand, counter=counter, request_id=uuid.uuid4().hex, action=action)
        reply_topic = command.topic(self.root).removesuffix("/cmd") + "/response"
        before = len(self.observations())
        self.monitor.client.publish(command.topic(self.root), command.to_json(), qos=1)
        # One command at a time, as a counter console waits for its reply.
        if self._wait_for(before, lambda o: o.kind == "event" and o.text == reply_topic, 5.0):
            return
        raise StepError(f"counter {counter}: no reply to {action} from the robot within 5 s")

    def hear_wav(self, path: Path) -> None:
        """The simulated microphone: a WAV file's frames through the application's recogniser."""

        if not path.is_file():
            raise StepError(f"no WAV file {path}")
        if self.room is not None:  # the citizen speaks into the room now (over the robot, if it is speaking)
            try:
                ends = self.room.say(path, trailing_silence_ms=900)
            except (AudioDeviceError, ValueError) as exc:
                raise StepError(str(exc)) from None
            self._observe("citizen", f"(speaks {path.name})")
            self._paced.wait(max(0.0, ends - time.monotonic()))  # as long as the citizen speaks
            return
        self._app.wait_spoken(30.0, tail=True)  # the citizen waits for the robot to finish
        try:
            source = WavFileSource(path, trailing_silence_ms=900)
        except (AudioDeviceError, ValueError) as exc:
            raise StepError(str(exc)) from None
        self._observe("citizen", f"(speaks {path.name})")
        self._app.listen(source.frames())

    def advance(self, seconds: float) -> None:
        """Let simulated time pass (the world moves too), ticking the application every simulated second."""
        if self.room is not None:  # real-time audio: time passes on the wall clock, the pacer ticks
            self._paced.wait(seconds)
            return
        if self.options.start is None:  # --realtime: the wall clock
            time.sleep(min(seconds, 5.0))
            self._app.tick()
            return
        self._app.wait_spoken(30.0)  # the robot finishes speaking before time passes
        remaining = seconds
        while remaining > 0:
            step = min(1.0, remaining)
            self.clock.sleep(step)
            remaining -= step
            self._app.tick()


# ---------------------------------------------------------------------------------------------
# Entry points for `letan sim`


def run_scripted(options: SimOptions, scenario: Scenario, out: Console, report: Path | None) -> int:
    """Run one scenario; print each step and a clear verdict. 0 when every expectation held."""
    result = run_fresh(options, scenario)
    print_result(result, out)
    if report is not None:
        write_report(result, report)
    return 0 if result.ok else 1


def run_fresh(options: SimOptions, scenario: Scenario) -> ScenarioResult:
    """One scenario on a freshly started simulated robot, stopped afterwards whatever happened."""
    session = SimSession(options)
    try:
        session.start()
        return run_scenario(session, scenario)
    finally:
        session.stop()


def run_suite(options_for: Callable[[Scenario, int], SimOptions], scenarios: Sequence[Scenario], out: Console,
              report: Path | None) -> int:
    """Run many conversations, each on a fresh simulated robot; print each and a closing count line.
    0 when every expectation of every conversation held."""

    results = []
    for index, scenario in enumerate(scenarios):
        result = run_fresh(options_for(scenario, index), scenario)
        print_result(result, out)
        results.append(result)
    failed = [r for r in results if not r.ok]
    out.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    for result in failed:
        out.print(f"  [red]FAILED[/red] {escape(result.name)}")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=1, default=str),
                          encoding="utf-8")
    return 0 if not failed else 1


def write_report(result: ScenarioResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_json(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def print_result(result: ScenarioResult, out: Console) -> None:
    out.print(f"[bold]Scenario[/bold] {escape(result.name)} [dim]{escape(result.source)}[/dim]")
    for number, step in enumerate(result.steps, 1):
        mark = "[green]ok[/green]" if step.ok else "[red]FAILED[/red]"
        out.print(f"{mark} step {number}: {escape(step.step)}")
        for obs in step.observed:
            if obs.kind != "info":
                out.print("    " + render(obs).replace("\n", "\n    "))
        if step.error:
            out.print(f"    [red]error: {escape(step.error)}[/red]")
        for check in step.checks:
            if not check.ok:
                out.print(f"    [red]expected {escape(check.expectation)}; {escape(check.detail)}[/red]")
    verdict = "[green]PASSED[/green]" if result.ok else "[red]FAILED[/red]"
    out.print(f"{verdict} {escape(result.name)} in {result.seconds:.1f} s")
    for failure in result.failures():
        out.print(f"  [red]{escape(failure)}[/red]")


def run_interactive(
    options: SimOptions, out: Console, *, demo: Scenario | None, stdin: IO[str], interactive: bool,
) -> int:
    """`letan sim` (and `--demo`): optional demo scenario, then the console while input lasts."""
    session = SimSession(options)
    try:
        session.start()
        assert session.app is not None
        out.print(f"[bold]letan simulator[/bold]: {escape(options.centre.site.name)}; "
                  f"simulated time {session.clock.now():%Y-%m-%d %H:%M}; files in {session.workdir}")
        for part, state in session.app.part_states().items():
            colour = "green" if state.is_ok else "yellow"
            out.print(f"  [{colour}]{part}[/{colour}]: {escape(str(state))}")
        screen = session.app.screen
        if screen is not None:
            out.print(f"[bold]Citizen's screen:[/bold] {screen.url} (open it in a browser; the console and the "
                      "screen share one conversation)")
        if demo is not None:
            result = run_scenario(session, demo)
            print_result(result, out)
            if not interactive:
                out.print("Standard input is not a terminal, so the demo ends here. Start the console with "
                          "[bold]letan sim[/bold] (type /help there).")
                return 0 if result.ok else 1
        out.print(HELP)
        prompt = (lambda: out.print("[bold yellow]citizen>[/bold yellow] ", end="")) if interactive else None
        return run_console(session, stdin, out, interactive=interactive, prompt=prompt)
    finally:
        session.stop()
