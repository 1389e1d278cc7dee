"""`zoomaudit waivers ...`: approved exceptions to a policy."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from zoomaudit.cli.account_filter import AccountOption, checked_account
from zoomaudit.cli.fix_output import Fmt, check_format, known_policy, now, open_store, print_json, table
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.fixes.waivers import WaiverRecord

waivers_app = typer.Typer(help="Waivers: approved exceptions to a policy.", no_args_is_help=True)


def _parse_day(value: str | None) -> date | None:
    from zoomaudit.errors import UsageError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--until {value!r} is not a date (YYYY-MM-DD)") from None


@waivers_app.command("add")
def waivers_add(
    policy: Annotated[str, typer.Option("--policy", "-p", help="The policy id waived.")],
    reason: Annotated[str, typer.Option("--reason", help="Why this exception is acceptable.")],
    by: Annotated[str, typer.Option("--by", help="Who approved the waiver.")],
    meeting: Annotated[int | None, typer.Option("--meeting", "-m", help="Waive for this meeting.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Waive for this host (e-mail).")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Waive for this group (name).")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day the waiver applies (YYYY-MM-DD, UTC).")
    ] = None,
    account: Annotated[
        str,
        typer.Option(
            "--account",
            help="The Zoom account whose meeting, host or group is waived (its name in the accounts file).",
        ),
    ] = DEFAULT_ACCOUNT,
) -> None:
    """Record a waiver for one meeting, host or group of one account; an expired waiver stops
    by itself."""
    from zoomaudit.fixes.waivers import add_waiver

    account = checked_account(account) or DEFAULT_ACCOUNT
    last_day = _parse_day(until)
    known_policy(policy)
    with open_store() as store:
        waiver = add_waiver(
            store,
            policy_id=policy,
            meeting_id=meeting,
            host_email=host,
            group_name=group,
            reason=reason,
            approved_by=by,
            until=last_day,
            now=now(),
            account=account,
        )
    typer.echo(
        f"waiver {waiver.id}: {waiver.policy_id} waived for {waiver.scope_text}"
        + (f" until {waiver.until.isoformat()}" if waiver.until else "")
    )


def _waiver_state(waiver: WaiverRecord, today: date) -> str:
    if waiver.removed_at is not None:
        return f"removed by {waiver.removed_by}"
    return "active" if waiver.active_on(today) else "expired"


@waivers_app.command("list")
def waivers_list(
    include_removed: Annotated[bool, typer.Option("--all", help="Include removed waivers.")] = False,
    fmt: Fmt = "table",
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """List waivers with their state (active, expired, removed), of one account with --account."""
    from zoomaudit.fixes.waivers import list_waivers

    check_format(fmt)
    account = checked_account(account)
    today = now().date()
    with open_store() as store:
        waivers = list_waivers(store, include_removed=include_removed, account=account)
    if fmt == "json":
        print_json([{**w.model_dump(mode="json"), "state": _waiver_state(w, today)} for w in waivers])
        return
    if not waivers:
        typer.echo("no waivers")
        return
    rows = [
        (
            w.id,
            w.policy_id,
            w.scope_text,
            w.until.isoformat() if w.until else "no end",
            _waiver_state(w, today),
            w.approved_by,
            w.reason,
        )
        for w in waivers
    ]
    table(None, ("id", "policy", "for", "until", "state", "approved by", "reason"), rows)


@waivers_app.command("remove")
def waivers_remove(
    waiver_id: Annotated[int, typer.Argument(help="The waiver id.")],
    by: Annotated[str, typer.Option("--by", help="Who removes it.")],
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """Remove a waiver (it is kept, marked removed, for the record); with --account, only a
    waiver of that account."""
    from zoomaudit.fixes.waivers import remove_waiver

    account = checked_account(account)
    with open_store() as store:
        waiver = remove_waiver(store, waiver_id, actor=by, now=now(), account=account)
    typer.echo(f"waiver {waiver.id} removed ({waiver.policy_id} for {waiver.scope_text})")


def register(app: typer.Typer) -> None:
    """Add the ``waivers`` command group."""
    app.add_typer(waivers_app, name="waivers")
