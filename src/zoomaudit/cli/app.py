"""The ``zoomaudit`` command and the one place where errors become exit codes.

Exit codes (defined in ``zoomaudit.errors`` with the error tree): 0 clean, 1 violations found (or a
fix that did not apply), 2 usage, configuration or policy error, 3 the work could not be completed
(auth, network, Zoom).
Command modules import their heavy dependencies inside the command functions so that
``zoomaudit --help`` stays fast.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys

import typer

from zoomaudit.cli.heap import own_process
from zoomaudit.errors import ZoomAuditError
from zoomaudit.safe_text import printable

app = typer.Typer(
    name="zoomaudit",
    help="Audit Zoom meeting configurations against safeguarding policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Audit Zoom meeting configurations against safeguarding policies."""


@app.command()
def version() -> None:
    """Print zoomaudit's version."""
    from zoomaudit import __version__

    typer.echo(f"zoomaudit {__version__}")


# Each module defines ``register(app)``; listed here so the command set is visible in one place.
COMMAND_MODULES = (
    "zoomaudit.cli.doctor",
    "zoomaudit.cli.sandbox",
    "zoomaudit.cli.policies",
    "zoomaudit.cli.audit",
    "zoomaudit.cli.runs",
    "zoomaudit.cli.rejudge",
    "zoomaudit.cli.upcoming",
    "zoomaudit.cli.demo",
    "zoomaudit.cli.fixes",
    "zoomaudit.cli.waivers",
    "zoomaudit.cli.serve",
    "zoomaudit.cli.worker",
    "zoomaudit.cli.admins",
    "zoomaudit.cli.notify",
    "zoomaudit.cli.prune",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Entry point of the console script: run the app, map zoomaudit errors to exit codes.

    Click (standalone mode) already turns usage errors into exit 2; zoomaudit's own errors
    propagate out of it and are mapped here, each to the exit code its class declares.
    """
    # At exit the interpreter runs full garbage collections over every object the imports made
    # (SQLAlchemy, pydantic schemas): ~0.13 s of a 1.1 s single-meeting audit. Nothing zoomaudit
    # keeps needs a collector pass to close (the store and client are closed explicitly), so the
    # heap is frozen as the last exit step, which leaves those passes nothing to scan.
    atexit.register(gc.freeze)
    if getattr(sys.modules.get("__main__"), "main", None) is main:
        # Started to run this command (the console script, ``python -m zoomaudit``), not called
        # by a process that lives on (a test): the command may tune the collector (cli.heap).
        own_process()
    try:
        app()
    except ZoomAuditError as exc:
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(printable(str(exc)))}")
        sys.exit(exc.exit_code)
