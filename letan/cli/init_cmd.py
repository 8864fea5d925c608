"""`letan init`: a starter centre file for a new ward, from questions or from options."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer

T = TypeVar("T")


class _InputEnded(Exception):
    pass


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


def _ask(question: str, check: Callable[[str], T], default: str | None = None) -> T:
    """Ask until the answer passes `check` (a TemplateError is shown and the question asked again)."""
    from robot.centre_template import TemplateError

    while True:
        shown = f"{question} [{default}]: " if default else f"{question}: "
        print(shown, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            print()
            raise _InputEnded
        answer = line.strip() or (default or "")
        try:
            return check(answer)
        except TemplateError as error:
            print(f"  {error}", file=sys.stderr)


def _counters(text: str) -> int:
    from robot.centre_template import TemplateError, check_counters

    try:
        value = int(text)
    except ValueError:
        raise TemplateError(f"{text!r} is not a number of counters: expected a whole number such as 6") from None
    return check_counters(value)


def _profile(text: str) -> str:
    from robot.centre_template import DEVICE_PROFILES, TemplateError

    value = text.strip().lower()
    if value not in DEVICE_PROFILES:
        raise TemplateError(f"profile {text!r}: expected real (this machine's devices) or sim (simulated devices)")
    return value


def _out_path(text: str) -> Path:
    from robot.centre_template import TemplateError

    if not text.strip():
        raise TemplateError("no file name: expected a path such as /etc/letan/centre.yaml")
    return Path(text.strip()).expanduser()


def _refuse_existing(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise _fail(f"{out} already exists; pass --force to overwrite it, or choose another file with --out")
    if out.is_dir():
        raise _fail(f"{out} is a folder: expected a file name such as {out / 'centre.yaml'}")


def _write(out: Path, text: str, force: bool) -> None:
    """Write the file; never replace an existing one unless `force` (then atomically)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not force:
            with out.open("x", encoding="utf-8") as handle:
                handle.write(text)
            return
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except FileExistsError:
        raise _fail(f"{out} already exists; pass --force to overwrite it, or choose another file with --out") from None
    except OSError as error:
        raise _fail(f"cannot write {out}: {error.strerror or error}") from None


def init(
    site_id: str | None = typer.Option(None, "--site-id", help="Lower-case id used in MQTT topics, e.g. cua-nam "
                                                              "(default: from the name)."),
    name: str | None = typer.Option(None, "--name", help="Vietnamese name of the centre, e.g. 'Trung tâm phục vụ "
                                                         "hành chính công phường Cửa Nam'."),
    address: str | None = typer.Option(None, "--address", help="Vietnamese address, printed on tickets."),
    counters: int | None = typer.Option(None, "--counters", help="Number of counters (default: one per service)."),
    services: str | None = typer.Option(None, "--services", help="Comma-separated services (default: all): "
                                                                 "chung_thuc, ho_tich, van_hoa_xa_hoi, "
                                                                 "kinh_te_do_thi, cu_tru, huong_dan."),
    profile: str | None = typer.Option(None, "--profile", help="Devices: real (this machine's, default) or sim."),
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default: ./SITE-ID.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write a starter centre file for a new ward, with a comment on each section.

    With none of --site-id, --name, --address, --counters, --services, --profile: asks (terminal or piped input).
    With any of them: asks nothing; --name and --address are then required.
    The file passes `letan config check`. Edit the opening hours, counters and floor map, then check it again.
    """
    import yaml

    from robot.centre_template import (
        SERVICE_IDS,
        STANDARD_SERVICES,
        CentreAnswers,
        TemplateError,
        centre_yaml,
        check_site_id,
        check_text,
        parse_services,
        site_id_from_name,
    )
    from robot.config import ConfigError, load_catalogue_checked, parse_centre

    if out is not None:
        _refuse_existing(out.expanduser(), force)
    interactive = all(v is None for v in (site_id, name, address, counters, services, profile))
    try:
        if interactive:
            print("A new centre file. Press Enter to take the value in [brackets].")
            name = _ask("Name of the centre, in Vietnamese (e.g. Trung tâm phục vụ hành chính công phường Cửa Nam)",
                        lambda text: check_text("the name", text))
            site_id = _ask("Site id, lower-case, used in MQTT topics", check_site_id,
                           site_id_from_name(name) or None)
            address = _ask("Address, in Vietnamese (printed on tickets)", lambda text: check_text("the address", text))
            print("Services (one queue each):")
            for svc in STANDARD_SERVICES:
                print(f"  {svc.id:15} {svc.name}")
            chosen = _ask("Services of this centre, comma-separated", parse_services, "all")
            n = _ask("Number of counters", _counters, str(len(chosen)))
            device_profile = _ask("Devices: real (this machine's) or sim (simulated)", _profile, "real")
            if out is None:
                out = _ask("File to write", _out_path, f"{site_id}.yaml")
                _refuse_existing(out, force)
        else:
            if name is None or address is None:
                missing = " and ".join(opt for opt, v in (("--name", name), ("--address", address)) if v is None)
                raise _fail(f"{missing} missing: give --name and --address, or run `letan init` without "
                            "options to be asked")
            name = check_text("--name", name)
            address = check_text("--address", address)
            if site_id is None and not site_id_from_name(name):
                raise TemplateError(f"no site id can be made from the name {name!r}: give one with --site-id")
            site_id = check_site_id(site_id if site_id is not None else site_id_from_name(name))
            chosen = parse_services(services) if services is not None else SERVICE_IDS
            n = _counters(str(counters)) if counters is not None else len(chosen)
            device_profile = _profile(profile) if profile is not None else "real"
    except TemplateError as error:
        raise _fail(str(error)) from None
    except _InputEnded:
        raise _fail("the input ended before every question was answered; nothing was written") from None
    if out is None:
        out = Path(f"{site_id}.yaml")
    out = out.expanduser()
    _refuse_existing(out, force)

    answers = CentreAnswers(site_id=site_id, name=name, address=address, counters=n, services=tuple(chosen),
                            profile=device_profile)
    try:
        catalogue = load_catalogue_checked()
        text = centre_yaml(answers, catalogue, today=date.today())
        parse_centre(yaml.safe_load(text), catalogue, str(out))  # what `letan config check` will say of it
    except ConfigError as error:
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        raise typer.Exit(2) from None
    _write(out, text, force)
    print(f"Wrote {out}: {name} ({site_id}), {len(chosen)} services, {n} counters, devices {device_profile}.")
    print("Next: edit the opening hours, the counters and the floor map, fill in the devices, then run")
    print(f"  letan config check {out}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
