"""`letan qr decode` and `letan dossier import | lookup`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from letan.cli.common import CONFIG_OPTION, load_centre_or_exit

qr_app = typer.Typer(help="Read QR codes and barcodes.", no_args_is_help=True)
dossier_app = typer.Typer(help="Dossier status: import the one-stop export, look a dossier up.", no_args_is_help=True)


def _fail(message: str, code: int) -> typer.Exit:
    print(message, file=sys.stderr)
    return typer.Exit(code)


@qr_app.command("decode")
def qr_decode(
    images: list[Path] = typer.Argument(..., help="Image files (PNG, JPEG...)."),
    decoder: str = typer.Option("zxing", "--decoder", "-d", help="zxing (default), pyzbar or opencv."),
) -> None:
    """Print one JSON line per image: {"file", "text", "format", "dossier_code", "ms"} (text null if none).

    ID numbers in the text (SGT=...) are printed as ***.
    """
    import cv2

    from drivers.scanner import ScannerError, make_decoder, to_gray
    from robot.dossier.extract import DossierCode, extract
    from robot.dossier.privacy import redact

    try:
        reader = make_decoder(decoder)
    except ScannerError as exc:
        raise _fail(str(exc), 2) from None
    failed = False
    for image_path in images:
        line: dict[str, object] = {"file": str(image_path), "text": None, "format": None, "dossier_code": None}
        image = cv2.imread(str(image_path), cv2.IMREAD_COLOR) if image_path.is_file() else None
        if image is None:
            failed = True
            line.update(ms=None, error="cannot read this file as an image")
        else:
            start = time.perf_counter()
            found = reader.decode(to_gray(image))
            line["ms"] = round((time.perf_counter() - start) * 1000, 2)
            if found:
                extracted = extract(found[0].text)
                line.update(text=redact(found[0].text), format=found[0].format,
                            dossier_code=extracted.code if isinstance(extracted, DossierCode) else None)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    if failed:
        raise typer.Exit(1)


def _clock(centre_tz: object, at: str | None) -> object:
    from robot.clock import FixedClock, SystemClock, parse_at

    if at is None:
        return SystemClock(centre_tz)  # type: ignore[arg-type]
    try:
        return FixedClock(parse_at(at, centre_tz))  # type: ignore[arg-type]
    except ValueError as error:
        raise _fail(f"--at: {at!r}: {error}; expected an ISO time such as 2026-11-25T08:05", 2) from None


@dossier_app.command("import")
def dossier_import(
    csv_file: Path = typer.Argument(..., help="CSV export of the one-stop system (UTF-8, header row)."),
    config: Path = CONFIG_OPTION,
    db: Path | None = typer.Option(None, "--db", help="SQLite file (default: dossier.db of the config)."),
) -> None:
    """Import (or update) dossiers from a CSV export into the local store. Bad rows are listed, good rows kept."""
    from robot.dossier.store import ImportFileError, SqliteDossierStore
    from robot.paths import StateDirError, ensure_parent

    centre = load_centre_or_exit(config)
    target = db or centre.dossier_db_path()
    try:
        store = SqliteDossierStore(ensure_parent(target))
        report = store.import_csv(csv_file)
    except StateDirError as exc:
        raise _fail(str(exc), 2) from None
    except ImportFileError as exc:
        raise _fail(str(exc), 2) from None
    except OSError as exc:
        raise _fail(f"{target}: cannot open the dossier store ({exc.strerror or exc})", 1) from None
    print(f"Imported {report.imported} dossier(s) into {target} ({store.count()} in the store).")
    for problem in report.problems:
        print(f"{csv_file}: {problem}", file=sys.stderr)
    if report.problems:
        raise _fail(f"{len(report.problems)} row(s) not imported; fix them and import the file again.", 1)


@dossier_app.command("lookup")
def dossier_lookup(
    payload: str = typer.Argument(..., help="A dossier code, a scanned lookup URL, an OpenCPS key or a ticket QR."),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
    config: Path = CONFIG_OPTION,
    at: str | None = typer.Option(None, "--at", help="Pretend it is this ISO time (for the overdue check)."),
) -> None:
    """Say what the robot would say about a scanned or typed dossier code (exit 1 when not found)."""
    from robot.clock import Clock
    from robot.dossier.desk import build_desk

    centre = load_centre_or_exit(config)
    clock: Clock = _clock(centre.site.tz, at)  # type: ignore[assignment]
    ticket_position = None
    engine = None
    try:
        from robot.dossier.ticket_status import queue_ticket_position
        from robot.queue.engine import QueueEngine

        engine = QueueEngine(centre, centre.queue_db_path(), clock)
        ticket_position = queue_ticket_position(engine)
    except Exception as exc:  # the queue store being unusable must not stop a dossier lookup
        print(f"queue unavailable for ticket lookups: {type(exc).__name__}", file=sys.stderr)
    from robot.paths import StateDirError, ensure_parent

    try:
        db = centre.dossier_db_path()
        if centre.dossier.provider == "sqlite":
            ensure_parent(db)
        desk = build_desk(centre.dossier, db, clock, ticket_position)
    except StateDirError as exc:
        raise _fail(str(exc), 2) from None
    except ValueError as exc:
        raise _fail(f"{centre.source}: dossier: {exc}", 2) from None
    try:
        result = desk.lookup_result(payload)
    finally:
        if engine is not None:
            engine.close()
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(result.text)
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.add_typer(qr_app, name="qr")
    app.add_typer(dossier_app, name="dossier")
