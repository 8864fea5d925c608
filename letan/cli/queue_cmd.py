"""`letan queue ...` (staff and technicians) and `letan ticket render`.

Every command takes --config, --db (default: queue.db of the config) and --at ISO-TIME (act at a
given local time; default the real clock). Exit 0 on success, 1 when the queue refuses (closed,
cap reached, illegal step), 2 for bad usage or configuration.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import typer

from letan.cli.common import CONFIG_OPTION, load_centre_or_exit
from robot.clock import Clock, FixedClock, SystemClock, parse_at
from robot.config import CentreConfig
from robot.queue import (
    Durations,
    IssuedTicket,
    QueueEngine,
    QueueError,
    Ticket,
    UnknownCounter,
    UnknownPoint,
    UnknownService,
)
from robot.queue.models import iso

queue_app = typer.Typer(help="Queue tickets: issue, call, finish, status and statistics.", no_args_is_help=True)
ticket_app = typer.Typer(help="Queue ticket images.", no_args_is_help=True)

DB_OPTION = typer.Option(None, "--db", help="Queue database file (default: queue.db of the config).")
AT_OPTION = typer.Option(None, "--at", help="Act at this local time, e.g. 2026-11-24T09:30 (default: now).")
POINT_OPTION = typer.Option(None, "--point", help="Reception point id (default: the robot's point).")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON with stable field names.")
TICKET_OPTION = typer.Option(..., "--ticket", "-t", help="Ticket number, e.g. A012.")
COUNTER_OPTION = typer.Option(..., "--counter", "-n", help="Counter number.")
BROKER_OPTION = typer.Option(None, "--broker", help="Publish the queue events to mqtt://[user:pass@]host:port "
                                                     "(default: the config's mqtt.url; neither: no publishing).")

T = TypeVar("T")


def _fail(message: str, code: int) -> typer.Exit:
    print(message, file=sys.stderr)
    return typer.Exit(code)


def _clock(centre: CentreConfig, at: str | None) -> Clock:
    if at is None:
        return SystemClock(centre.site.tz)
    try:
        return FixedClock(parse_at(at, centre.site.tz))
    except ValueError as error:
        raise _fail(f"--at {at!r}: {error}; expected an ISO time such as 2026-11-24T09:30", 2) from None


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--date {value!r}: expected a date as YYYY-MM-DD", 2) from None


@contextmanager
def _engine(config: Path, db: Path | None, at: str | None, broker: str | None = None) -> Iterator[QueueEngine]:
    """Open the engine; turn queue errors into a clean message and exit code.

    With a broker (--broker, or mqtt.url of the config), the command's queue events are published after it."""
    centre = load_centre_or_exit(config)
    clock = _clock(centre, at)
    _check_broker(centre, broker)
    path = db if db is not None else centre.queue_db_path()
    from robot.paths import StateDirError, ensure_parent
    from robot.queue.store import NewerSchema

    try:
        if broker or centre.mqtt.url:
            ensure_parent(centre.outbox_path())  # where the events wait for the broker
        engine = QueueEngine(centre, ensure_parent(path), clock)
    except (StateDirError, NewerSchema) as error:
        raise _fail(str(error), 2) from None
    except (sqlite3.Error, OSError) as error:
        raise _fail(f"cannot open the queue database {path}: {error}", 1) from None
    try:
        yield engine
        _publish(centre, engine, clock, broker)
    except (UnknownService, UnknownCounter, UnknownPoint) as error:
        raise _fail(str(error), 2) from None
    except QueueError as error:
        lines = [str(error)]
        if error.citizen_message:
            lines.append(f"(citizen sees: {error.citizen_message})")
        raise _fail("\n".join(lines), 1) from None
    except sqlite3.Error as error:
        raise _fail(f"queue database {path}: {error}", 1) from None
    finally:
        engine.close()


def _check_broker(centre: CentreConfig, broker: str | None) -> None:
    """A bad broker URL is refused before the queue changes (exit 2)."""
    if broker or centre.mqtt.url:
        from robot.mqtt.client import BrokerSettings, BrokerUrlError  # here: paho is slow to import

        try:
            BrokerSettings.from_config(centre.mqtt, broker)
        except BrokerUrlError as error:
            raise _fail(f"error: {error}", 2) from None


def _publish(centre: CentreConfig, engine: QueueEngine, clock: Clock, broker: str | None) -> None:
    """Publish the queue events over MQTT when a broker is configured. The queue change is already done, so a
    broker that does not answer is a warning (exit 0): the events wait in the outbox and go out later."""
    if not (broker or centre.mqtt.url):
        return
    from robot.mqtt.service import publish_queue_events

    if not publish_queue_events(centre, engine, clock, broker_url=broker):
        print(f"warning: the MQTT broker did not acknowledge the queue events; they are kept in "
              f"{centre.outbox_path()} and published by the next command or the robot",
              file=sys.stderr)


def _show(ticket: Ticket, as_json: bool, extra: dict[str, Any] | None = None, verb: str = "") -> None:
    if as_json:
        print(json.dumps({**ticket.to_json(), **(extra or {})}, ensure_ascii=False))
        return
    where = f" at counter {ticket.counter}" if ticket.counter is not None else ""
    flag = " (priority)" if ticket.priority else ""
    text = f"{ticket.number}{flag} {verb or ticket.status}{where}, service {ticket.service}"
    if extra and "people_ahead" in extra:
        wait = extra.get("wait_minutes")
        text += f"; {extra['people_ahead']} ahead" + (f", about {wait} min" if wait is not None else "")
    print(text)


def _by_ticket_or_counter(engine: QueueEngine, ticket: str | None, counter: int | None, point: str | None) -> str:
    if (ticket is None) == (counter is None):
        raise _fail("give either --ticket or --counter (the ticket called at that counter)", 2)
    if ticket is not None:
        return ticket
    assert counter is not None
    current = engine.current(counter, point)
    if current is None:
        raise _fail(f"counter {counter} has no called or serving ticket", 1)
    return current.number


# ---------------------------------------------------------------------------------------------
# Issuing and printing


@queue_app.command("issue")
def issue(
    service: str = typer.Option(..., "--service", "-s", help="Service id, e.g. chung_thuc."),
    priority: bool = typer.Option(False, "--priority", help="A priority ticket (elderly, disabled, pregnant...)."),
    point: str | None = POINT_OPTION,
    print_to: Path | None = typer.Option(None, "--print-to", help="Write the ticket's ESC/POS bytes to this file."),
    to_printer: bool = typer.Option(False, "--print", help="Print on the configured printer."),
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION, broker: str | None = BROKER_OPTION,
) -> None:
    """Issue the next ticket of a service."""
    with _engine(config, db, at, broker) as engine:
        issued = engine.issue(service, point, priority)
        printed = _output(engine, issued, print_to, to_printer)
        extra: dict[str, Any] = {"people_ahead": issued.people_ahead, "wait_minutes": issued.wait_minutes}
        if printed is not None:
            extra["printed"] = printed
        _show(issued.ticket, as_json, extra, "issued")


@queue_app.command("reprint")
def reprint(
    ticket: str = TICKET_OPTION, point: str | None = POINT_OPTION,
    on_date: str | None = typer.Option(None, "--date", help="Day of the ticket, YYYY-MM-DD (default: today)."),
    print_to: Path | None = typer.Option(None, "--print-to", help="Write the ESC/POS bytes here instead."),
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print a ticket again (on the configured printer, or --print-to a file)."""
    with _engine(config, db, at) as engine:
        position = engine.position(ticket, point, _day(on_date))
        issued = IssuedTicket(position.ticket, position.people_ahead, position.wait_minutes)
        printed = _output(engine, issued, print_to, print_to is None)
        if printed is False:
            raise _fail(f"ticket {position.ticket.number} was not printed (see the alert above)", 1)
        _show(position.ticket, as_json, {"printed": True}, "reprinted")


def _output(engine: QueueEngine, issued: IssuedTicket, print_to: Path | None, to_printer: bool) -> bool | None:
    centre = engine.centre
    if print_to is not None:
        from robot.ticket_print import TicketFontError, ticket_bytes, ticket_content  # here: PIL, numpy, escpos

        content = ticket_content(centre, issued.ticket, issued.people_ahead, issued.wait_minutes)
        try:
            print_to.write_bytes(ticket_bytes(content, centre.devices.printer))
        except TicketFontError as error:
            raise _fail(f"ticket {issued.ticket.number} is issued but not written: {error}", 1) from None
        except OSError as error:
            raise _fail(f"ticket {issued.ticket.number} is issued but {print_to} cannot be written: {error}", 1) \
                from None
        return True
    if not to_printer:
        return None
    from robot.ticket_desk import TicketDesk, printer_from_config

    def alert(kind: str, detail: str) -> None:
        print(f"alert {kind}: {detail}", file=sys.stderr)

    printer = printer_from_config(centre.devices.printer)
    try:
        desk = TicketDesk(centre, engine, printer, on_alert=alert, point_id=issued.ticket.point)
        return desk.print_ticket(issued)
    finally:
        if printer is not None:
            printer.close()


# ---------------------------------------------------------------------------------------------
# Calling and finishing


@queue_app.command("call-next")
def call_next(
    counter: int = COUNTER_OPTION, point: str | None = POINT_OPTION,
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION, broker: str | None = BROKER_OPTION,
) -> None:
    """Call the next waiting ticket for a counter (priority policy, then oldest first)."""
    with _engine(config, db, at, broker) as engine:
        ticket = engine.call_next(counter, point)
        if ticket is None:
            if as_json:
                print(json.dumps({"ticket": None, "counter": counter}))
            else:
                print(f"nobody is waiting for counter {counter}")
            return
        _show(ticket, as_json)


@queue_app.command("recall")
def recall(
    counter: int = COUNTER_OPTION, point: str | None = POINT_OPTION,
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION, broker: str | None = BROKER_OPTION,
) -> None:
    """Call the ticket at this counter again."""
    with _engine(config, db, at, broker) as engine:
        _show(engine.recall(counter, point), as_json, verb="recalled")


@queue_app.command("call")
def call(
    ticket: str = TICKET_OPTION, counter: int = COUNTER_OPTION, point: str | None = POINT_OPTION,
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION, broker: str | None = BROKER_OPTION,
) -> None:
    """Call one ticket out of order."""
    with _engine(config, db, at, broker) as engine:
        _show(engine.call(ticket, counter, point), as_json)


def _lifecycle_command(name: str, method: Callable[[QueueEngine], Callable[[str, str | None], Ticket]],
                       summary: str) -> None:
    def command(
        ticket: str | None = typer.Option(None, "--ticket", "-t", help="Ticket number, e.g. A012."),
        counter: int | None = typer.Option(None, "--counter", "-n", help="Or: the ticket called at this counter."),
        point: str | None = POINT_OPTION,
        config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
        as_json: bool = JSON_OPTION, broker: str | None = BROKER_OPTION,
    ) -> None:
        with _engine(config, db, at, broker) as engine:
            number = _by_ticket_or_counter(engine, ticket, counter, point)
            _show(method(engine)(number, point), as_json)

    command.__doc__ = summary
    queue_app.command(name)(command)


_lifecycle_command("serve", lambda e: e.start_serving, "Start serving a called ticket.")
_lifecycle_command("done", lambda e: e.done, "Finish a ticket being served.")
_lifecycle_command("no-show", lambda e: e.no_show, "Mark a called ticket as not showing up.")
_lifecycle_command("cancel", lambda e: e.cancel, "Cancel a ticket.")
_lifecycle_command("park", lambda e: e.park, "Set a ticket aside (e.g. while a form is filled in).")
_lifecycle_command("unpark", lambda e: e.unpark, "Put a parked ticket back in line at its place.")


@queue_app.command("transfer")
def transfer(
    service: str = typer.Option(..., "--service", "-s", help="Service to move the ticket to."),
    ticket: str | None = typer.Option(None, "--ticket", "-t", help="Ticket number, e.g. A012."),
    counter: int | None = typer.Option(None, "--counter", "-n", help="Or: the ticket called at this counter."),
    point: str | None = POINT_OPTION,
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION, broker: str | None = BROKER_OPTION,
) -> None:
    """Move a ticket to another service, keeping its number."""
    with _engine(config, db, at, broker) as engine:
        number = _by_ticket_or_counter(engine, ticket, counter, point)
        _show(engine.transfer(number, service, point), as_json, verb="transferred")


# ---------------------------------------------------------------------------------------------
# Reading


@queue_app.command("status")
def status(
    point: str | None = POINT_OPTION,
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Waiting tickets and estimated wait per service; current ticket per counter."""
    with _engine(config, db, at) as engine:
        snap = engine.status(point)
    if as_json:
        print(json.dumps(snap.to_json(), ensure_ascii=False, indent=1))
        return
    print(f"{snap.point} at {iso(snap.at)}")
    for svc in snap.services:
        wait = f"~{svc.estimated_wait_minutes} min" if svc.estimated_wait_minutes is not None else "no open counter"
        print(f"  {svc.prefix} {svc.service}: {svc.waiting} waiting ({svc.priority_waiting} priority), "
                      f"{svc.parked} parked, {svc.in_service} at counters, {svc.issued_today} issued; {wait}")
    for desk in snap.counters:
        current = f"{desk.current.number} ({desk.current.status})" if desk.current else "free"
        print(f"  counter {desk.counter}: {current}; last called {desk.last_called or '-'}")


@queue_app.command("stats")
def stats(
    on_date: str | None = typer.Option(None, "--date", help="Day, YYYY-MM-DD (default: today)."),
    point: str | None = typer.Option(None, "--point", help="One reception point (default: all)."),
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Tickets, waiting and service times (median, p90) and no-shows per service and counter."""
    with _engine(config, db, at) as engine:
        figures = engine.stats(_day(on_date), point)
    if as_json:
        print(json.dumps(figures.to_json(), ensure_ascii=False, indent=1))
        return
    print(f"statistics of {figures.day.isoformat()}")
    for title, groups in (("service", figures.services), ("counter", figures.counters), ("", (figures.total,))):
        for group in groups:
            print(
                f"  {title + ' ' if title else ''}{group.key}: {group.tickets} tickets, {group.served} served, "
                f"{group.no_shows} no-show, {group.cancelled} cancelled; waiting {_durations(group.waiting)}; "
                f"service {_durations(group.service)}"
            )
    if any(figures.ratings.values()):
        print("  ratings: " + ", ".join(f"{count} {name}" for name, count in figures.ratings.items()))


def _durations(figures: Durations) -> str:
    if figures.median_s is None:
        return "-"
    return f"median {figures.median_s / 60:.1f} min, p90 {(figures.p90_s or 0) / 60:.1f} min (n={figures.count})"


@queue_app.command("events")
def events(
    after: int = typer.Option(0, "--after", help="Only events with a larger id."),
    limit: int = typer.Option(100, "--limit", min=1, max=100000),
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
) -> None:
    """The durable event log, one JSON object per line."""
    with _engine(config, db, at) as engine:
        for event in engine.events_after(after, limit):
            print(json.dumps(event.to_json(), ensure_ascii=False))


@ticket_app.command("render")
def render(
    ticket: str = TICKET_OPTION, out: Path = typer.Option(..., "--out", "-o", help="PNG file to write."),
    point: str | None = POINT_OPTION,
    on_date: str | None = typer.Option(None, "--date", help="Day of the ticket, YYYY-MM-DD (default: today)."),
    config: Path = CONFIG_OPTION, db: Path | None = DB_OPTION, at: str | None = AT_OPTION,
) -> None:
    """Write the ticket's image (as printed, with its QR code) to a PNG file."""
    from robot.ticket_print import TicketFontError, render_ticket, ticket_content, ticket_width

    with _engine(config, db, at) as engine:
        position = engine.position(ticket, point, _day(on_date))
        content = ticket_content(engine.centre, position.ticket, position.people_ahead, position.wait_minutes)
        try:
            image = render_ticket(content, ticket_width(engine.centre.devices.printer), include_qr=True)
            image.save(out, format="PNG")
        except TicketFontError as error:
            raise _fail(str(error), 1) from None
        except (OSError, ValueError) as error:
            raise _fail(f"cannot write {out}: {error}", 1) from None
    print(f"{position.ticket.number}: {out} ({image.width} x {image.height} dots)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.add_typer(queue_app, name="queue")
    app.add_typer(ticket_app, name="ticket")
