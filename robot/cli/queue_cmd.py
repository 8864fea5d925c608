"""Commands of this area are added by its issue; see robot/cli/__init__.py."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
