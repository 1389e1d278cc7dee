"""`zoomaudit notify test|log`: try every configured channel, and read the delivery log."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Annotated

import typer

from zoomaudit.cli.account_filter import AccountOption, checked_account
from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_OK

if TYPE_CHECKING:
    from zoomaudit.store.notifications import Delivery

notify_app = typer.Typer(
    name="notify",
    help="Notifications: send a test message to every channel, read the delivery log.",
    no_args_is_help=True,
)


@notify_app.command("test")
def notify_test() -> None:
    """Send a test message to every configured channel and say which worked.

    Exit 0 when every channel took it, 3 otherwise, 2 when a URL is malformed or none is set.
    """
    from zoomaudit.errors import UsageError
    from zoomaudit.notify.deliver import Notifier
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    settings = load_settings()
    with Store.from_settings(settings) as store:
        notifier = Notifier(settings, store)  # a malformed URL: ConfigError, exit 2
        if not notifier.channels and notifier.mailer is None:
            raise UsageError(
                "no notification channel is configured: set ZOOMAUDIT_NOTIFY_URLS (and ZOOMAUDIT_SMTP_URL "
                "with ZOOMAUDIT_NOTIFY_HOSTS=on for hosts); see docs/notifications.md"
            )
        sent = notifier.test()
    for delivery in sent.deliveries:
        if delivery.status == "sent":
            typer.echo(f"ok      {delivery.channel}")
        else:
            typer.echo(f"FAILED  {delivery.channel}: {delivery.error}")
    failed = sum(1 for d in sent.deliveries if d.status != "sent")
    typer.echo(f"{len(sent.deliveries) - failed} of {len(sent.deliveries)} channel(s) took the test message")
    raise typer.Exit(EXIT_INCOMPLETE if failed else EXIT_OK)


def render_log(deliveries: list[Delivery], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([d.as_json() for d in deliveries], indent=2) + "\n"
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from zoomaudit.report.common import printable

    if not deliveries:
        return "No notification has been sent yet.\n"
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("when (UTC)", "kind", "channel", "status", "tries", "subject", "error"):
        table.add_column(column)
    for d in deliveries:
        table.add_row(
            d.created_at.strftime("%Y-%m-%d %H:%M"),
            d.kind,
            printable(d.channel),
            d.status,
            str(d.attempts),
            printable(d.subject),
            printable(d.error or ""),
        )
    out = io.StringIO()
    Console(
        file=out, width=160, color_system=None, force_terminal=False, highlight=False, markup=False
    ).print(table)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


@notify_app.command("log")
def notify_log(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many, newest first.")] = 50,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only digest, urgent, host, trouble or test.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """The delivery log: every message, its channel (masked), status and attempts, newest first
    (of one account's messages with --account)."""
    from zoomaudit.cli.audit_output import emit
    from zoomaudit.cli.runs import _check_format, _open_store
    from zoomaudit.errors import UsageError
    from zoomaudit.notify.model import KINDS

    _check_format(fmt, ("table", "json"))
    account = checked_account(account)
    if kind is not None and kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    with _open_store() as store:
        deliveries = store.notifications.recent(limit, kind=kind, account=account)
    emit(render_log(deliveries, fmt), None)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(notify_app)
