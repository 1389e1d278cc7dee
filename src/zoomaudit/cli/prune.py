"""`zoomaudit prune [--dry-run]`: delete what is older than ``ZOOMAUDIT_RETENTION_DAYS``.

What is always kept is listed in ``zoomaudit.store.retention`` and docs/operations.md ("Data
protection: what is kept"). ``serve`` runs the same prune every night at 03:30 UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from zoomaudit.store.retention import PruneResult


def describe(result: PruneResult, days: int) -> str:
    verb = "would delete" if result.dry_run else "deleted"
    lines = [
        f"Retention: {days} days (ZOOMAUDIT_RETENTION_DAYS); older than {result.cutoff:%Y-%m-%d %H:%M} UTC.",
        f"{'Dry run: ' if result.dry_run else ''}{verb}:",
        f"  runs                  {result.runs}",
        f"  findings              {result.findings}",
        f"  run errors            {result.errors}",
        f"  pre-session checks    {result.pre_session_checks}",
        f"  notifications         {result.notifications}",
        f"  notification marks    {result.notification_marks}",
    ]
    if result.kept_runs:
        lines.append(f"Kept although older: {', '.join(result.kept_runs)} (the newest complete run).")
    lines.append("Fix plans and their trail are never deleted.")
    return "\n".join(lines)


def prune(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
) -> None:
    """Delete runs (with their findings and errors), pre-session checks and notification log rows
    older than ZOOMAUDIT_RETENTION_DAYS (default 400). The newest complete run and the fix trail
    are always kept."""
    from datetime import UTC, datetime

    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    settings = load_settings()
    with Store.from_settings(settings) as store:
        result = store.retention.prune(datetime.now(UTC), settings.retention_days, dry_run=dry_run)
    typer.echo(describe(result, settings.retention_days))


def register(app: typer.Typer) -> None:
    app.command("prune")(prune)
