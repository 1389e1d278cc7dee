"""`zoomaudit worker`: run jobs from the work queue (PostgreSQL), beside one scheduler and the web
(the same as ``zoomaudit serve --role worker``, cli/serve.py)."""

from __future__ import annotations

import typer

from zoomaudit.cli.serve import run_worker_process


def worker(
    concurrency: int = typer.Option(
        1, "--concurrency", min=1, max=64, help="Jobs this worker runs at once (of different accounts)."
    ),
) -> None:
    """Run jobs from the work queue (audits, pre-session checks, fixes, notifications).

    Needs ZOOMAUDIT_DATABASE_URL on PostgreSQL; start as many workers as you like, beside one
    `zoomaudit serve --role scheduler` (docs/operations.md)."""
    run_worker_process(concurrency)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("worker")(worker)
