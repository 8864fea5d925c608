"""The parts with no device behind them: the interpreter's CPU, the queue engine, the dossier lookup, the
dialog manager and the citizen's touch screen."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.manager import DialogManager, ManagerSettings
from dialogs.ports import DossierDesk, Guide, QueueDesk, Refreshments, SessionEvents, Speaker
from robot import cpu
from robot.centre_info import ConfigCentreInfo
from robot.dossier.desk import build_desk
from robot.dossier.ticket_status import queue_ticket_position
from robot.parts.adapters import NoDossiers
from robot.parts.alerts import AlertKind
from robot.parts.context import PartContext
from robot.parts.state import PartState
from robot.queue import QueueEngine
from robot.understander import make_understander
from robot.web.part import ScreenHost, ScreenPart, ScreenStartError


def start_cpu(ctx: PartContext) -> None:
    """The interpreter's threads on one CPU while the application runs (robot.python_cpu; robot/cpu.py)."""
    cpus = cpu.available_cpus()
    try:
        chosen = cpu.choose_cpu(ctx.centre.robot.python_cpu, cpus)
    except ValueError as exc:
        ctx.parts.report(AlertKind.CPU, PartState.unavailable(f"{exc}; threads left on every CPU"))
        return
    if not cpu.pin_interpreter(chosen):
        why = "off in the config" if ctx.centre.robot.python_cpu == "off" else (
            "one CPU" if len(cpus) < 2 else "not supported here")
        ctx.parts.report(AlertKind.CPU, PartState.ok(f"threads on every CPU: {why}"))
        return
    ctx.closers.append(cpu.unpin_interpreter)
    ctx.parts.report(AlertKind.CPU, PartState.ok(
        f"Python threads on CPU {chosen} of {len(cpus)}; camera and speech work on every CPU"))


def start_queue(ctx: PartContext) -> QueueEngine | None:
    db = ctx.centre.queue_db_path()
    try:
        engine = QueueEngine(ctx.centre, db, ctx.clock)
    except Exception as exc:  # sqlite3.Error, OSError: the robot still talks and guides
        ctx.parts.report(AlertKind.QUEUE, PartState.unavailable(f"cannot open {db}: {exc}"))
        return None
    ctx.closers.append(engine.close)
    ctx.parts.report(AlertKind.QUEUE, PartState.ok(str(db)))
    return engine


def start_dossiers(ctx: PartContext, engine: QueueEngine | None) -> DossierDesk:
    """Dossier lookup (SQLite or HTTP provider), answering scanned tickets from the queue engine."""
    position = queue_ticket_position(engine) if engine is not None else None
    try:
        desk = build_desk(ctx.centre.dossier, ctx.centre.dossier_db_path(), ctx.clock, position)
    except (ValueError, OSError) as exc:
        ctx.parts.report(AlertKind.DOSSIERS, PartState.unavailable(str(exc)))
        return NoDossiers()
    ctx.parts.report(AlertKind.DOSSIERS, PartState.ok(ctx.centre.dossier.provider))
    return desk


def build_dialog(ctx: PartContext, *, speaker: Speaker, queue: QueueDesk, dossiers: DossierDesk, guide: Guide,
                 refreshments: Refreshments, events: SessionEvents) -> DialogManager | None:
    centre, catalogue, settings = ctx.centre, ctx.catalogue, ctx.centre.dialog
    try:
        manager = DialogManager(
            catalogue, make_understander(catalogue), speaker=speaker, queue=queue, dossiers=dossiers,
            guide=guide, refreshments=refreshments, events=events,
            settings=ManagerSettings(address=settings.address, min_confidence=settings.min_confidence,
                                     silence_timeout_s=settings.silence_timeout_s, max_misses=settings.max_misses),
            clock_fn=ctx.clock.monotonic,
            centre=ConfigCentreInfo(centre, ctx.clock.now),
            referrals={key: text for key, text in centre.referrals.items() if key in catalogue.referrals.ids()},
        )
    except (OSError, ValueError) as exc:  # the understanding model cannot be read or built
        ctx.parts.report(AlertKind.DIALOG, PartState.unavailable(str(exc)))
        return None
    ctx.parts.report(AlertKind.DIALOG, PartState.ok())
    return manager


def start_screen(ctx: PartContext, host: ScreenHost, on_state: Callable[[str], None]) -> ScreenPart | None:
    """The citizen's touch screen (robot/web), served from this process when the centre file has `screen:`."""
    if ctx.centre.screen is None:
        ctx.parts.report(AlertKind.SCREEN, PartState.ok("none configured"))
        return None
    part = ScreenPart(host, ctx.centre.screen, on_state=on_state)
    try:
        part.start()
    except ScreenStartError as exc:
        ctx.parts.report(AlertKind.SCREEN, PartState.unavailable(str(exc)))
        return None
    ctx.closers.append(part.stop)
    return part
