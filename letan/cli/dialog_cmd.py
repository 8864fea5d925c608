"""`letan understand`: what the robot understands from a sentence, as JSON (one object, or JSON lines)."""

from __future__ import annotations

import io
import json
import sys
from typing import TextIO

import typer

from dialogs.nlu import Understander
from dialogs.understanding import Understanding
from letan.cli.common import report_config_error
from robot.config import ConfigError, load_catalogue_checked
from robot.understander import make_understander


def _result(understanding: Understanding, details: bool) -> dict[str, object]:
    out = understanding.as_json()
    if details:
        out.update(
            counter=understanding.counter,
            alternatives=[[name, score] for name, score in understanding.alternatives],
            address=understanding.address,
            priority=understanding.priority,
        )
    return out


def run_jsonl(understander: Understander, lines: TextIO, out: TextIO, details: bool = False) -> int:
    """Understand each line {"id", "text"}; write one object per line with the same id. Returns the error count."""
    errors = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        item: object = None
        try:
            item = json.loads(raw)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object with 'id' and 'text'")
            text = item.get("text")
            if not isinstance(text, str):
                raise ValueError("'text' must be a string")
            result: dict[str, object] = {"id": item.get("id"), **_result(understander.understand(text), details)}
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            errors += 1
            result = {"error": f"line {number}: {exc}"}
            if isinstance(item, dict) and "id" in item:
                result = {"id": item["id"], **result}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return errors


def _understand(
    text: str | None = typer.Argument(None, help="What the citizen said or typed (Vietnamese)."),
    jsonl: bool = typer.Option(False, "--jsonl", help='Read lines {"id", "text"} on stdin, write one result a line.'),
    details: bool = typer.Option(False, "--details", help="Also print counter, alternatives, address and priority."),
) -> None:
    """Print what letan understands from TEXT: {"intent", "procedure", "question", "place", "confidence"}."""
    if (text is None) == (not jsonl):
        print('Give either a TEXT argument or --jsonl (lines {"id": ..., "text": ...} on stdin).', file=sys.stderr)
        raise typer.Exit(2)
    try:
        understander = make_understander(load_catalogue_checked())
    except ConfigError as error:
        report_config_error(error)
        raise typer.Exit(2) from None
    if jsonl:
        lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        run_jsonl(understander, lines, sys.stdout, details)
        return
    assert text is not None
    print(json.dumps(_result(understander.understand(text), details), ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.command("understand")(_understand)
