"""`zoomaudit audit`: audit the whole account, some meetings or one host, and show the report."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from zoomaudit.cli.audit_accounts import AccountsPresenter, audit_some_accounts
from zoomaudit.cli.audit_output import (
    RichObserver,
    check_notify,
    check_report_options,
    exit_code_for,
    send_notifications,
    show_outcome,
)
from zoomaudit.errors import ZoomAuditError
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from zoomaudit.policy import PolicySet
    from zoomaudit.runner import RunOutcome
    from zoomaudit.settings import Settings
    from zoomaudit.vocabulary import FixMode, Scope


def run_audit(
    settings: Settings,
    *,
    meetings: list[int],
    user: str | None,
    fix_mode: FixMode | None,
    dry_run: bool,
    max_changes: int,
    quiet: bool,
    starting_within: timedelta | None = None,
    now: datetime | None = None,
    one_shot: bool = False,
) -> RunOutcome:
    """Run one audit from the command line (progress bar on a terminal unless quiet).

    ``now`` pins the run's clock (the demo replayed at a given moment); the real time otherwise.
    ``one_shot``: the audit is the process's only work (``zoomaudit audit``, not the demo, which
    may go on to serve), so its collector may be tuned for it (``cli.heap``)."""
    from zoomaudit.cli.heap import settle
    from zoomaudit.zoom.client import ZoomClient

    scope = _scope(meetings, user)
    show_progress = not quiet and sys.stderr.isatty()

    async def go() -> RunOutcome:
        # The token request goes out first, and the policies (YAML, the pack's checks) and the
        # runner's modules load in a worker thread while it is under way: the first request
        # reaches Zoom ~0.3 s sooner. Its outcome, a token or an error, is the first request's.
        client = ZoomClient(settings)
        try:
            client.fetch_token_early()
            await client.token_request_sent()  # before the worker thread competes for the GIL
            run, policies = await asyncio.to_thread(_prepare, settings)
            if one_shot:
                settle()  # the runner's imports are done: the heap they made is left alone
            with RichObserver() if show_progress else nullcontext() as observer:
                return await run(
                    scope,
                    "manual",
                    settings=settings,
                    fix_mode=fix_mode,
                    dry_run=dry_run,
                    max_changes=max_changes,
                    observer=observer,
                    client=client,
                    policies=policies,
                    starting_within=starting_within,
                    now=now,
                    # The one account of the single-account settings; the accounts file
                    # (ZOOMAUDIT_ACCOUNTS) is wired into audit separately.
                    account=DEFAULT_ACCOUNT,
                )
        finally:
            await client.aclose()

    # The event loop paces the requests to the millisecond while worker threads judge and store
    # hosts; a thread keeps the GIL up to the switch interval (5 ms by default), which made
    # requests go out late. At 1 ms the loop gets it back sooner (docs/performance.md).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, 0.001))
    try:
        return asyncio.run(go())
    finally:
        sys.setswitchinterval(interval)


def _scope(meetings: list[int], user: str | None) -> Scope:
    from zoomaudit.vocabulary import AccountScope, MeetingsScope, UsersScope

    return MeetingsScope.of(*meetings) if meetings else UsersScope.of(user) if user else AccountScope()


def _prepare(settings: Settings) -> tuple[Callable[..., Awaitable[RunOutcome]], PolicySet]:
    """The runner and the policies, as ``runner.run`` would load them."""
    from zoomaudit.policy import load_policies
    from zoomaudit.runner import run

    return run, load_policies(Path(settings.policies_dir) if settings.policies_dir else None)


def register(app: typer.Typer) -> None:
    @app.command()
    def audit(
        meeting: Annotated[
            list[str] | None,
            typer.Option(
                "--meeting",
                "-m",
                help="Audit just this meeting (repeatable): its ID, as Zoom prints it (841 0021 6138) "
                "or as a join link.",
            ),
        ] = None,
        user: Annotated[
            str | None, typer.Option("--user", "-u", help="Audit one host's meetings (id or e-mail).")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="table | json | csv | html | markdown | junit")
        ] = "table",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
        include_passed: Annotated[
            bool, typer.Option("--include-passed", help="Also list the checks that passed.")
        ] = False,
        fix_mode: Annotated[
            str | None,
            typer.Option("--fix-mode", help="Override every policy's fix mode: off | suggest | auto."),
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Print the fix plans; record and change nothing.")
        ] = False,
        max_changes: Annotated[
            int, typer.Option("--max-changes", min=0, help="Most fixes an auto run applies.")
        ] = 50,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
        starting_within: Annotated[
            str | None,
            typer.Option(
                "--starting-within",
                help="Judge only the sessions starting within this window from now (90m, 24h, 7d).",
            ),
        ] = None,
        schema_version: Annotated[
            int | None,
            typer.Option("--schema-version", help="The JSON report's schema version: 2 (the default) or 1."),
        ] = None,
        notify: Annotated[
            bool,
            typer.Option(
                "--notify",
                help="Send what the nightly run sends: the digest, and host e-mails when they are on.",
            ),
        ] = False,
        account: Annotated[
            str | None,
            typer.Option("--account", help="Audit this account of the accounts file (ZOOMAUDIT_ACCOUNTS)."),
        ] = None,
        all_accounts: Annotated[
            bool,
            typer.Option(
                "--all-accounts",
                help="Audit every account of the accounts file at once; --output must contain {account}.",
            ),
        ] = False,
    ) -> None:
        """Audit every scheduled meeting (or just some) against the policies and report.

        Exit code: 0 no violations, 1 violations, 2 usage/configuration/policy error or an
        unknown meeting id, 3 the audit could not be completed; with several accounts, the
        highest of theirs.
        """
        from zoomaudit.errors import UsageError
        from zoomaudit.refs import parse_meeting, parse_window
        from zoomaudit.settings import load_settings

        check_report_options(fmt, schema_version, output)
        if fix_mode not in (None, "off", "suggest", "auto"):
            raise UsageError(f"unknown fix mode {fix_mode!r}; choose off, suggest or auto")
        if meeting and user:
            raise UsageError("give --meeting or --user, not both")
        if starting_within is not None and (meeting or user):
            raise UsageError(
                "--starting-within audits the whole account; it cannot be combined with --meeting or --user"
            )
        window = parse_window(starting_within) if starting_within is not None else None
        meeting_ids = [parse_meeting(m) for m in meeting or []]
        settings = load_settings()
        if account is not None or all_accounts or settings.accounts_file:
            from zoomaudit.accounts_run import AuditRequest

            request = AuditRequest(
                scope=_scope(meeting_ids, user),
                fix_mode=cast("FixMode | None", fix_mode),  # checked against the three modes above
                dry_run=dry_run,
                max_changes=max_changes,
                starting_within=window,
            )
            shown = AccountsPresenter(
                fmt=fmt,
                output=output,
                include_passed=include_passed,
                schema_version=schema_version,
                notify=notify,
                progress=not quiet and sys.stderr.isatty(),
            )
            raise typer.Exit(audit_some_accounts(settings, account, all_accounts, request, shown))
        settings.require_credentials()
        if notify:
            check_notify(settings)
        try:
            outcome = run_audit(
                settings,
                meetings=meeting_ids,
                user=user,
                fix_mode=cast("FixMode | None", fix_mode),  # checked against the three modes above
                dry_run=dry_run,
                max_changes=max_changes,
                quiet=quiet,
                starting_within=window,
                one_shot=True,
            )
        except ZoomAuditError as exc:
            if notify:
                send_notifications(settings, failure=exc)
            raise
        show_outcome(
            settings,
            outcome,
            fmt=fmt,
            output=output,
            include_passed=include_passed,
            schema_version=schema_version,
        )
        if notify:
            send_notifications(settings, run_id=outcome.run_id)
        raise typer.Exit(exit_code_for(outcome))
