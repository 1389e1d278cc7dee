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


def _root() -> None:
    """Audit Zoom meeting configurations against safeguarding policies."""


def version() -> None:
    """Print zoomaudit's version."""
    from zoomaudit import __version__

    typer.echo(f"zoomaudit {__version__}")


# Each module defines ``register(app)``; listed here so the command set is visible in one place,
# by the command (or command group) names each module registers (a test holds the two together).
COMMANDS: dict[str, str] = {
    "doctor": "zoomaudit.cli.doctor",
    "sandbox": "zoomaudit.cli.sandbox",
    "policies": "zoomaudit.cli.policies",
    "audit": "zoomaudit.cli.audit",
    "history": "zoomaudit.cli.runs",
    "diff": "zoomaudit.cli.runs",
    "report": "zoomaudit.cli.runs",
    "rejudge": "zoomaudit.cli.rejudge",
    "upcoming": "zoomaudit.cli.upcoming",
    "demo": "zoomaudit.cli.demo",
    "fixes": "zoomaudit.cli.fixes",
    "waivers": "zoomaudit.cli.waivers",
    "serve": "zoomaudit.cli.serve",
    "schedule": "zoomaudit.cli.serve",
    "worker": "zoomaudit.cli.worker",
    "admins": "zoomaudit.cli.admins",
    "notify": "zoomaudit.cli.notify",
    "prune": "zoomaudit.cli.prune",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def build_app(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """The ``zoomaudit`` command with the commands of ``modules`` (all of them by default)."""
    built = typer.Typer(
        name="zoomaudit",
        help="Audit Zoom meeting configurations against safeguarding policies.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    built.callback()(_root)
    built.command()(version)
    for name in modules:
        importlib.import_module(name).register(built)
    return built


def _whole() -> typer.Typer:
    """``app``, the whole command (what tests and ``--help`` use), built on first use: a command
    run from the console builds only its own module's commands (``main``)."""
    found: typer.Typer | None = globals().get("app")
    if found is None:
        found = globals()["app"] = build_app()
    return found


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _for(args: list[str]) -> typer.Typer:
    """The command to run ``args`` with: only the named command's module when the first argument
    names one (Click turns every command of a group into a Click command before it parses, ~20
    ms of the audit's start-up for the whole set, and their modules import before that), the
    whole set otherwise (``--help``, a mistyped name)."""
    named = COMMANDS.get(args[0]) if args and not args[0].startswith("-") else None
    return build_app((named,)) if named is not None else _whole()


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
        _for(sys.argv[1:])()
    except ZoomAuditError as exc:
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(printable(str(exc)))}")
        sys.exit(exc.exit_code)
