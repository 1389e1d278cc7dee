"""`zoomaudit upcoming`: the sessions starting soon, with their open violations, from the store.

Read from the store only (no Zoom request): for each meeting (and occurrence) the latest run that
judged it (``store/upcoming.py``). Exit 1 when a session in the window has an open violation.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zoomaudit.cli.account_filter import AccountOption, checked_account, nothing_for
from zoomaudit.errors import EXIT_OK, EXIT_VIOLATIONS
from zoomaudit.timing import age_text

if TYPE_CHECKING:
    from zoomaudit.store import Store
    from zoomaudit.store.upcoming import UpcomingSession

FORMATS = ("table", "json")


def _minutes(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def session_json(session: UpcomingSession) -> dict[str, Any]:
    return {
        "meeting_id": session.meeting_id,
        "occurrence_id": session.occurrence_id,
        "topic": session.topic,
        "host_email": session.host_email,
        "start_time": session.start_time.isoformat().replace("+00:00", "Z"),
        "duration": session.duration,
        "timezone": session.timezone,
        "violations": list(session.violations),
        "judged_at": session.judged_at.isoformat().replace("+00:00", "Z"),
        "run_id": session.run_id,
        "account": session.account,
    }


def render(sessions: list[UpcomingSession], fmt: str, now: datetime, window: timedelta) -> str:
    if fmt == "json":
        return json.dumps([session_json(s) for s in sessions], indent=2) + "\n"
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from zoomaudit.report.common import printable, when_text

    if not sessions:
        return f"No session known to start before {_minutes(now + window)} UTC.\n"
    out = io.StringIO()
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("starts (meeting's time zone)", "topic", "host", "open violations", "judged (UTC)"):
        table.add_column(column)
    for s in sessions:
        table.add_row(
            when_text(s.start_time, s.timezone),
            printable(s.topic or str(s.meeting_id)),
            printable(s.host_email or ""),
            ", ".join(s.violations) or "none",
            f"{_minutes(s.judged_at)} ({age_text(s.judged_at, now)} ago, run {s.run_id})",
        )
    console = Console(
        file=out,
        width=140,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(table)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def upcoming_output(
    store: Store, window: timedelta, fmt: str, now: datetime, *, account: str | None = None
) -> tuple[str, int]:
    """The command's output and exit code at ``now`` (the CLI passes the real clock), of one
    account or of all."""
    sessions = store.upcoming.sessions(now, window, account=account)
    code = EXIT_VIOLATIONS if any(s.violations for s in sessions) else EXIT_OK
    return render(sessions, fmt, now, window), code


def upcoming(
    within: Annotated[
        str,
        typer.Option("--within", "-w", help="The window from now: minutes, hours or days (90m, 24h, 7d)."),
    ] = "7d",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """List the sessions starting soon, soonest first, with their open violations (of one
    account with --account).

    Read from the stored runs (the latest verdict on each meeting); exit 1 when a session in the
    window has an open violation.
    """
    from datetime import UTC

    from zoomaudit.cli.audit_output import emit
    from zoomaudit.cli.runs import _check_format, _open_store
    from zoomaudit.refs import parse_window

    _check_format(fmt, FORMATS)
    account = checked_account(account)
    window = parse_window(within)
    with _open_store() as store:
        text, code = upcoming_output(store, window, fmt, datetime.now(UTC), account=account)
        note = nothing_for(store, account)
    if note is not None:
        typer.echo(note, err=True)
    emit(text, None)
    if code != EXIT_OK:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("upcoming")(upcoming)
