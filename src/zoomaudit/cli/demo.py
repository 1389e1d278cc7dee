"""`zoomaudit demo`: the whole job against the built-in sandbox, with no configuration."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
