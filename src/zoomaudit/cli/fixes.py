"""`zoomaudit fixes ...`: the approval queue.

Thin: parse, call zoomaudit.fixes, print, exit code. Passcodes in fix bodies are shown masked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from zoomaudit.cli.account_filter import AccountOption, checked_account
from zoomaudit.cli.fix_output import (
    By,
    Fmt,
    check_format,
    known_policy,
    now,
    open_store,
    print_json,
    table,
    when,
    with_zoom,
)
from zoomaudit.safe_text import printable
from zoomaudit.vocabulary import FIX_STATUSES, FixStatus

if TYPE_CHECKING:
    from zoomaudit.fixes.apply import ApplyResult
    from zoomaudit.fixes.queue import EventRecord, FixRecord
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient


def _request_text(fix: FixRecord) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(fix.query.items()))
    return f"{fix.method} {fix.path}" + (f"?{query}" if query else "")


def _print_results(results: Sequence[ApplyResult]) -> None:
    for result in results:
        tail = f" - {printable(result.message)}" if result.message else ""  # Zoom's words, user input
        typer.echo(f"{result.fix_id}: {result.status}{tail}")


def _exit_for(results: Sequence[ApplyResult], good: FixStatus, *, unusable: str = "") -> None:
    """0 when every result is ``good``; 3 when Zoom could not be used for any (auth, network:
    nothing was written, ``unusable`` says where the fix stands), said on stderr; else 1."""
    from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATIONS

    blocked = [r.fix_id for r in results if r.zoom_unusable]
    if blocked:
        typer.echo(
            "error: Zoom could not be used (credentials refused, network or Zoom down) for "
            f"{', '.join(blocked)}: nothing was written for it{'; ' + unusable if unusable else ''}",
            err=True,
        )
        raise typer.Exit(EXIT_INCOMPLETE)
    raise typer.Exit(EXIT_OK if all(r.status == good for r in results) else EXIT_VIOLATIONS)


def _check_policy_filter(store: Store, policy_id: str) -> None:
    """A ``--policy`` filter must name a loaded policy, or one that fixes in the store name (a
    policy removed since): otherwise a typo would read as "nothing to do"."""
    from zoomaudit.fixes.queue import list_fixes

    if not list_fixes(store, policy_id=policy_id):
        known_policy(policy_id)


def _of_account(store: Store, fix_ids: list[str], account: str) -> None:
    """UsageError naming the fixes (unknown ids first) that are not of ``account``."""
    from zoomaudit.errors import UsageError
    from zoomaudit.fixes.queue import get_fixes

    others = [f.id for f in get_fixes(store, fix_ids) if f.account != account]
    if others:
        raise UsageError(f"not fixes of account {account!r}: {', '.join(others)}; nothing was approved")


fixes_app = typer.Typer(
    help="The fix queue: list, show, approve, reject, revert, trail.", no_args_is_help=True
)


@fixes_app.command("list")
def list_command(
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only fixes in this status (repeatable).")
    ] = None,
    policy: Annotated[str | None, typer.Option("--policy", "-p", help="Only this policy's fixes.")] = None,
    fmt: Fmt = "table",
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """List fix plans (oldest first), of one account with --account."""
    from zoomaudit.errors import UsageError
    from zoomaudit.fixes.queue import list_fixes
    from zoomaudit.redaction import redact

    check_format(fmt)
    bad = [s for s in status or [] if s not in FIX_STATUSES]
    if bad:
        raise UsageError(f"unknown status {', '.join(bad)}; choose from {', '.join(FIX_STATUSES)}")
    account = checked_account(account)
    with open_store() as store:
        if policy is not None:
            _check_policy_filter(store, policy)
        fixes = list_fixes(store, statuses=status or None, policy_id=policy, account=account)
    if fmt == "json":
        print_json([f.public() for f in fixes])
        return
    if not fixes:
        typer.echo(
            "no fix plans"
            + (f" of account {account}" if account else "")
            + (f" with status {', '.join(status)}" if status else "")
        )
        return
    rows = [
        (
            f.id,
            f.status,
            f.policy_id,
            f"{f.target_level} {f.target_id or ''}",
            _request_text(f) + " " + json.dumps(redact(f.body)),
            len(f.meeting_ids),
            when(f.created_at),
            f.error or f.note or "",
        )
        for f in fixes
    ]
    table(None, ("id", "status", "policy", "target", "request", "meetings", "created", "note"), rows)


@fixes_app.command("show")
def show_command(fix_id: Annotated[str, typer.Argument(help="The fix id.")], fmt: Fmt = "table") -> None:
    """One fix plan: the request, the values before and after, and its trail."""
    from zoomaudit.fixes.queue import get_fix, last_after, trail
    from zoomaudit.redaction import redact

    check_format(fmt)
    with open_store() as store:
        fix = get_fix(store, fix_id)
        after = last_after(store, fix.id)
        events = trail(store, fix.id)
    if fmt == "json":
        print_json({**fix.public(), "after": after, "trail": [e.public() for e in events]})
        return
    fields = fix.fields
    before = redact(fix.before or {})
    planned = redact(fields)
    typer.echo(f"fix {fix.id}: {fix.status} (policy {fix.policy_id})")
    typer.echo(f"target:   {fix.target_level} {printable(fix.target_id or '')}")
    typer.echo(f"request:  {_request_text(fix)}")
    if fix.meeting_ids:
        typer.echo(f"meetings: {', '.join(str(m) for m in fix.meeting_ids)}")
    if fix.decided_by:
        typer.echo(f"decided:  by {fix.decided_by} at {when(fix.decided_at)}")
    if fix.applied_at:
        typer.echo(f"applied:  {when(fix.applied_at)}")
    if fix.note:
        typer.echo(f"note:     {printable(fix.note)}")
    if fix.error:
        typer.echo(f"error:    {printable(fix.error)}")
    rows = [
        (
            path,
            json.dumps(before.get(path)),
            json.dumps(planned[path]),
            json.dumps(after[path]) if after and path in after else "-",
        )
        for path in fields
    ]
    table(None, ("field", "before", "planned", "after (read back)"), rows)
    _print_trail(events)


def _print_trail(events: Sequence[EventRecord]) -> None:
    rows = [
        (when(e.at), e.fix_id, e.actor, f"{e.from_status or '-'} -> {e.to_status}", e.note or "")
        for e in events
    ]
    table("trail", ("when", "fix", "who", "transition", "note"), rows)


@fixes_app.command("approve")
def approve_command(
    fix_ids: Annotated[list[str] | None, typer.Argument(help="Fix ids to approve.")] = None,
    all_pending: Annotated[
        bool,
        typer.Option("--all", help="Approve every pending fix (of the only account, or of --account)."),
    ] = False,
    policy: Annotated[
        str | None, typer.Option("--policy", "-p", help="With --all: only this policy's fixes.")
    ] = None,
    by: By = "",
    note: Annotated[str | None, typer.Option("--note", help="Why, recorded in the trail.")] = None,
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """Approve fixes: each is applied at once (re-read, stale check, PATCH, verify). With
    --account, --all takes that account's pending fixes only, and named fixes must be its.

    Exit code: 0 when every fix was applied, 1 when any ended stale, failed or deferred, 3 when
    Zoom could not be used (credentials refused, network) and the fix went back to the queue.
    """
    from zoomaudit.errors import EXIT_OK, UsageError
    from zoomaudit.fixes.apply import approve
    from zoomaudit.fixes.queue import list_fixes

    if not by.strip():
        raise UsageError("--by NAME is required: approvals are recorded with who approved them")
    if fix_ids and all_pending:
        raise UsageError("give fix ids or --all, not both")
    if policy and not all_pending:
        raise UsageError("--policy selects fixes together with --all")
    if not fix_ids and not all_pending:
        raise UsageError("name the fixes to approve, or use --all")
    account = checked_account(account)
    if policy is not None:
        with open_store() as store:
            _check_policy_filter(store, policy)

    async def work(store: Store, client: ZoomClient, mine: str) -> list[ApplyResult]:
        # The client is the account's whose fixes these are (with_zoom): --all takes its fixes.
        ids = list(fix_ids or [])
        if all_pending:
            pending = list_fixes(store, statuses=["pending"], policy_id=policy, account=mine)
            ids = [f.id for f in pending]
        elif account is not None:
            _of_account(store, ids, account)
        if not ids:
            return []
        return await approve(store, client, ids, actor=by, note=note, account=mine)

    results = with_zoom(work, account, fix_ids or ())
    if not results:
        typer.echo("no pending fixes" + (f" for policy {policy}" if policy else ""))
        raise typer.Exit(EXIT_OK)
    _print_results(results)
    _exit_for(
        results, FixStatus.APPLIED, unusable="those fixes are back in the queue, to approve again later"
    )


@fixes_app.command("reject")
def reject_command(
    fix_ids: Annotated[list[str], typer.Argument(help="Fix ids to reject.")],
    by: By = "",
    reason: Annotated[str, typer.Option("--reason", help="Why, recorded in the trail.")] = "",
) -> None:
    """Reject pending fixes (nothing is changed in Zoom)."""
    from zoomaudit.errors import UsageError
    from zoomaudit.fixes.apply import reject

    if not by.strip():
        raise UsageError("--by NAME is required")
    with open_store() as store:
        results = reject(store, fix_ids, actor=by, reason=reason, now=now())
    _print_results(results)
    _exit_for(results, FixStatus.REJECTED)


@fixes_app.command("revert")
def revert_command(
    fix_id: Annotated[str, typer.Argument(help="The applied fix to undo.")], by: By = ""
) -> None:
    """Put back the values from before an applied fix (with the same safety checks).

    Exit code: 0 when reverted, 1 when the revert ran but did not restore the values (stale,
    failed, refused, nothing to restore), 3 when Zoom could not be used (credentials refused,
    network): the fix stays applied, to be reverted again later.
    """
    from zoomaudit.errors import UsageError
    from zoomaudit.fixes.apply import revert
    from zoomaudit.fixes.queue import get_fix

    if not by.strip():
        raise UsageError("--by NAME is required")

    async def work(store: Store, client: ZoomClient, mine: str) -> ApplyResult:
        return await revert(store, client, fix_id, actor=by, account=mine)

    with open_store() as store:
        get_fix(store, fix_id)  # unknown id: a usage error before anything else
    result = with_zoom(work, fix_ids=[fix_id])
    _print_results([result])
    _exit_for([result], FixStatus.REVERTED, unusable="the fix is still applied, revert it again later")


@fixes_app.command("trail")
def trail_command(
    fix_id: Annotated[str | None, typer.Argument(help="Only this fix's trail.")] = None,
    fmt: Fmt = "table",
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """The append-only audit trail of fix transitions: who, when, before, after, note (of one
    account's fixes with --account)."""
    from zoomaudit.fixes.queue import trail

    check_format(fmt)
    account = checked_account(account)
    with open_store() as store:
        events = trail(store, fix_id, account=account)
    if fmt == "json":
        print_json([e.public() for e in events])
    elif not events:
        typer.echo("the trail is empty")
    else:
        _print_trail(events)


def register(app: typer.Typer) -> None:
    """Add the ``fixes`` command group."""
    app.add_typer(fixes_app, name="fixes")
