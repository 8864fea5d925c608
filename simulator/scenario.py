"""Scripted scenarios: a YAML list of steps with expectations, run against the whole application.

A scenario file (config/scenarios/*.yaml)::

    name: Chứng thực bản sao
    centre: cua-nam            # a file in config/centres/, or a path (default: the --config centre)
    at: "2026-11-25T08:05"     # simulated start (default: next opening)
    steps:
      - say: tôi muốn chứng thực bản sao
        expect:
          - robot_says: chứng thực
          - ticket_printed: chung_thuc
      - call: 1
        expect:
          - event_published: queue/called
          - robot_says: quầy số 1

A step has exactly one action (say, arrive, leave, wav, qr, scan, call, fault, unplug, plug, obstacle,
wait, spoken: the commands of simulator/commands.py) and optional expectations, checked against what
happened during that step: the robot's words, printed tickets, MQTT events (`event_published:
TOPIC-PART`, or `event: {topic: robot-1/status, paper: out}` for fields of the payload), navigation
results, alerts. `run_scenario` returns a
`ScenarioResult`; `letan sim --script` exits 0 only when every expectation held.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from robot.config import ConfigError, ConfigProblem, problems_from_validation, read_yaml
from robot.paths import CENTRES_DIR
from simulator.commands import ACTIONS


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Expectation(_Model):
    """One thing that must have happened during the step (exactly one field set)."""

    robot_says: str | None = Field(default=None, description="The robot said something containing this")
    robot_not_says: str | None = Field(default=None, description="The robot said nothing containing this")
    ticket_printed: str | None = Field(default=None, description="A ticket for this service id came out")
    no_ticket_printed: bool | None = Field(default=None, description="No ticket came out of the printer")
    priority_ticket: bool | None = Field(default=None, description="The ticket issued was a priority one")
    event_published: str | None = Field(default=None, description="An MQTT topic containing this was published")
    event: dict[str, Any] | None = Field(
        default=None, description="An MQTT message on a topic containing `topic` whose payload has these fields "
                                  "(a list lists items the payload's list holds; [] means empty)")
    arrived_at_counter: int | None = Field(default=None, description="The robot led the citizen to this counter")
    guide_stopped: str | None = Field(default=None, description="Guiding stopped for this reason (obstacle...)")
    alert: str | None = Field(default=None, description="The application raised an alert of this kind")
    status: dict[str, Any] | None = Field(default=None, description="Fields of /status that must be equal")

    @model_validator(mode="after")
    def _one(self) -> Expectation:
        set_fields = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(set_fields) != 1:
            raise ValueError(f"an expectation names exactly one check, found {set_fields or 'none'}")
        return self

    @property
    def kind(self) -> str:
        return next(name for name in type(self).model_fields if getattr(self, name) is not None)

    @property
    def value(self) -> Any:
        return getattr(self, self.kind)

    def describe(self) -> str:
        return f"{self.kind}: {self.value!r}"


class Step(_Model):
    """One action (a field named after a command of simulator/commands.py; a test checks they match) and what
    must follow it."""

    say: str | None = Field(default=None, description="What the citizen says (typed, as after recognition)")
    wav: str | None = Field(default=None, description="A WAV file spoken through the recogniser")
    qr: str | None = Field(default=None, description="Text the QR scanner reads")
    scan: str | None = Field(default=None, description="An image (receipt, ticket) held up to the camera")
    call: int | None = Field(default=None, description="Counter N calls the next ticket")
    fault: str | None = Field(default=None, description="'printer paper-out', 'printer offline', 'printer ok'...")
    unplug: str | None = Field(default=None, description="A device to unplug: scanner, printer, broker, "
                                                           "microphone (audio_realtime)")
    plug: str | None = Field(default=None, description="Plug a device back in")
    obstacle: bool | None = Field(default=None, description="Block (true) or clear (false) the corridor")
    arrive: bool | None = Field(default=None, description="A person steps up to the robot's camera")
    leave: bool | None = Field(default=None, description="The person in front of the camera walks away")
    wait: float | None = Field(default=None, ge=0, description="Let this many simulated seconds pass")
    spoken: bool | None = Field(default=None, description="Wait until the robot has finished speaking (its last "
                                                          "sample played and the microphone's echo tail over)")
    expect: tuple[Expectation, ...] = ()
    timeout: float = Field(default=8.0, gt=0, description="Wall seconds to wait for the expectations")

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        actions = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(actions) != 1:
            raise ValueError(f"a step has exactly one action of {list(ACTIONS)}, found {actions or 'none'}")
        return self

    @property
    def action(self) -> str:
        return next(name for name in ACTIONS if getattr(self, name) is not None)

    @property
    def argument(self) -> Any:
        return getattr(self, self.action)

    def describe(self) -> str:
        return f"{self.action}: {self.argument}"


class Scenario(_Model):
    name: str
    description: str = ""
    centre: str | None = Field(default=None, description="Centre file name in config/centres/ or a path")
    at: str | None = Field(default=None, description="Simulated start time, ISO (default: next opening)")
    broker: bool = Field(default=True, description="Start the embedded MQTT broker")
    audio_realtime: bool = Field(default=False, description="Run with the room's sound in real time (letan sim "
                                                            "--audio-realtime): WAV steps spoken into the microphone")
    steps: tuple[Step, ...] = Field(min_length=1)

    # Filled by load_scenario.
    source: Path | None = Field(default=None, exclude=True)

    def centre_path(self) -> Path | None:
        if self.centre is None:
            return None
        path = Path(self.centre)
        if path.suffix not in (".yaml", ".yml"):
            path = CENTRES_DIR / f"{self.centre}.yaml"
        elif not path.is_absolute() and self.source is not None and not path.exists():
            path = self.source.parent / path
        return path


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file, or raise ConfigError with one problem per mistake."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(str(path), "", f"a {type(data).__name__}", "a mapping with name and steps")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(str(path), exc)) from None
    steps = tuple(_files_beside(step, path.parent) for step in scenario.steps)
    return scenario.model_copy(update={"source": path, "steps": steps})


def is_suite(path: Path) -> bool:
    """A file of many conversations (`scenarios:` list) rather than one scenario."""
    data = read_yaml(path)
    return isinstance(data, dict) and "scenarios" in data


def load_scenarios(path: Path) -> list[Scenario]:
    """Every scenario of a file: one (a scenario file) or many (a suite: `scenarios:` with shared `centre`,
    `at` and `broker`). Raises ConfigError with one problem per mistake, naming the scenario's index."""
    data = read_yaml(path)
    if not isinstance(data, dict) or "scenarios" not in data:
        return [load_scenario(path)]
    shared = {key: data[key] for key in ("centre", "at", "broker") if key in data}
    unknown = sorted(set(data) - {"centre", "at", "broker", "scenarios", "description"})
    items = data["scenarios"]
    problems: list[ConfigProblem] = [
        ConfigProblem(str(path), key, "an unknown key", "centre, at, broker, description or scenarios")
        for key in unknown
    ]
    if not isinstance(items, list) or not items:
        problems.append(ConfigProblem(str(path), "scenarios", f"a {type(items).__name__}", "a list of scenarios"))
        raise ConfigError(problems)
    scenarios: list[Scenario] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(ConfigProblem(str(path), f"scenarios[{index}]", f"a {type(item).__name__}",
                                          "a mapping with name and steps"))
            continue
        try:
            scenario = Scenario.model_validate({**shared, **item})
        except ValidationError as exc:
            for problem in problems_from_validation(str(path), exc):
                problems.append(ConfigProblem(problem.file, f"scenarios[{index}].{problem.path}".rstrip("."),
                                              problem.found, problem.expected))
            continue
        steps = tuple(_files_beside(step, path.parent) for step in scenario.steps)
        scenarios.append(scenario.model_copy(update={"source": path, "steps": steps}))
    if problems:
        raise ConfigError(problems)
    return scenarios


def _files_beside(step: Step, folder: Path) -> Step:
    """`scan: images/receipt.jpg`, `wav: ...`: a relative file is looked for beside the scenario file first."""
    for name in ("scan", "wav"):
        value = getattr(step, name)
        if value and not Path(value).is_absolute() and (folder / value).is_file():
            return step.model_copy(update={name: str(folder / value)})
    return step


# ---------------------------------------------------------------------------------------------
# What happened: observations recorded by the simulation session


@dataclass(frozen=True)
class Observation:
    """One thing seen during a run. kind: said | ticket | printed | event | guide | alert | info."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    at: str = ""  # simulated time, ISO


class ScenarioSession(Protocol):
    """What the runner needs from a running simulation (simulator.session.SimSession)."""

    def perform(self, step: Step) -> None: ...

    def observations(self) -> list[Observation]: ...

    def status(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class CheckResult:
    expectation: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class StepResult:
    step: str
    ok: bool
    checks: tuple[CheckResult, ...]
    observed: tuple[Observation, ...]
    error: str | None = None


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    source: str
    ok: bool
    steps: tuple[StepResult, ...]
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def failures(self) -> list[str]:
        out = []
        for number, step in enumerate(self.steps, 1):
            if step.error:
                out.append(f"step {number} ({step.step}): error: {step.error}")
            for check in step.checks:
                if not check.ok:
                    out.append(f"step {number} ({step.step}): expected {check.expectation}; {check.detail}")
        return out


def check(expectation: Expectation, seen: Sequence[Observation], status: dict[str, Any] | None = None) -> CheckResult:
    """Does what was seen during a step satisfy one expectation? Pure."""
    kind, value = expectation.kind, expectation.value
    said = [o.text for o in seen if o.kind == "said"]
    printed = [o for o in seen if o.kind == "printed"]
    tickets = [o for o in seen if o.kind == "ticket"]
    if kind in ("robot_says", "robot_not_says"):
        wanted = str(value).casefold()
        hits = [s for s in said if wanted in s.casefold()]
        ok = bool(hits) if kind == "robot_says" else not hits
        shown = " | ".join(said) if said else "the robot said nothing"
        return CheckResult(expectation.describe(), ok, f"robot said: {shown}")
    if kind == "ticket_printed":
        services = [str(o.data.get("service", "")) for o in printed]
        ok = value in services
        return CheckResult(expectation.describe(), ok, f"printed tickets for services: {services or 'none'}")
    if kind == "no_ticket_printed":
        ok = not printed if value else bool(printed)
        return CheckResult(expectation.describe(), ok, f"{len(printed)} ticket(s) printed")
    if kind == "priority_ticket":
        flags = [bool(o.data.get("priority")) for o in tickets]
        ok = bool(flags) and flags[-1] == bool(value)
        return CheckResult(expectation.describe(), ok, f"tickets issued (priority flags): {flags or 'none'}")
    if kind == "event_published":
        topics = [o.text for o in seen if o.kind == "event"]
        ok = any(str(value) in t for t in topics)
        return CheckResult(expectation.describe(), ok, f"topics published: {sorted(set(topics)) or 'none'}")
    if kind == "event":
        expected: dict[str, Any] = dict(value)
        part = str(expected.pop("topic", ""))
        payloads: list[dict[str, Any]] = [o.data.get("fields", {}) for o in seen
                                          if o.kind == "event" and part in o.text]
        ok = any(all(_holds(m.get(k), v) for k, v in expected.items()) for m in payloads)
        fields_seen = [{k: m.get(k) for k in expected} for m in payloads]
        return CheckResult(expectation.describe(), ok, f"messages on {part!r}: {fields_seen or 'none'}")
    if kind in ("arrived_at_counter", "guide_stopped"):
        guides = [o for o in seen if o.kind == "guide"]
        if kind == "arrived_at_counter":
            ok = any(o.data.get("arrived") and o.data.get("counter") == value for o in guides)
        else:
            ok = any(not o.data.get("arrived") and o.data.get("reason") == value for o in guides)
        return CheckResult(expectation.describe(), ok, f"guide results: {[o.data for o in guides] or 'none'}")
    if kind == "alert":
        kinds = [str(o.data.get("kind", "")) for o in seen if o.kind == "alert"]
        ok = any(str(value) in k for k in kinds)
        return CheckResult(expectation.describe(), ok, f"alerts: {kinds or 'none'}")
    if kind == "status":
        status = status or {}
        wrong = {k: status.get(k) for k, v in dict(value).items() if status.get(k) != v}
        return CheckResult(expectation.describe(), not wrong, f"status differs: {wrong}" if wrong else "status ok")
    raise AssertionError(f"unknown expectation {kind}")  # pragma: no cover - the model forbids it


def _holds(actual: Any, expected: Any) -> bool:
    """An expected payload value: equal; a non-empty list: each item is in the payload's list (a mapping: some
    item has those fields)."""
    if isinstance(expected, list) and expected and isinstance(actual, list):
        return all(any(_holds(a, e) for a in actual) for e in expected)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(_holds(actual.get(k), v) for k, v in expected.items())
    return bool(actual == expected)


_SETTLE_S = 0.3  # wall time to let late outputs arrive before checking negative expectations


def run_step(session: ScenarioSession, step: Step) -> StepResult:
    before = len(session.observations())
    try:
        session.perform(step)
    except Exception as exc:  # a failing action is reported, not raised: the report must be complete
        return StepResult(step.describe(), False, (), tuple(session.observations()[before:]),
                          f"{type(exc).__name__}: {exc}")
    deadline = time.monotonic() + step.timeout
    negative = any(e.kind in ("robot_not_says", "no_ticket_printed") for e in step.expect)
    if negative:
        time.sleep(_SETTLE_S)
    while True:
        seen = session.observations()[before:]
        status = session.status() if any(e.kind == "status" for e in step.expect) else None
        checks = tuple(check(e, seen, status) for e in step.expect)
        if all(c.ok for c in checks) or time.monotonic() >= deadline:
            return StepResult(step.describe(), all(c.ok for c in checks), checks, tuple(seen))
        time.sleep(0.02)


def run_scenario(session: ScenarioSession, scenario: Scenario) -> ScenarioResult:
    """Run every step in order (all of them, even after a failure, for a complete report)."""
    start = time.monotonic()
    results = tuple(run_step(session, step) for step in scenario.steps)
    return ScenarioResult(
        scenario.name, str(scenario.source or ""), all(r.ok for r in results), results,
        round(time.monotonic() - start, 3),
    )
