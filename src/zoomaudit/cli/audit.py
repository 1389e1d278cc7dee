"""`zoomaudit audit`: audit the whole account, some meetings or one host, and show the report."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO, cast

import typer

from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATIONS, ZoomAuditError
from zoomaudit.safe_text import printable
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from rich.progress import Progress

    from zoomaudit.accounts_run import AuditRequest
    from zoomaudit.policy import PolicySet
    from zoomaudit.runner import Observer, RunOutcome
    from zoomaudit.settings import Settings
    from zoomaudit.store import Store
    from zoomaudit.vocabulary import FixMode, Scope


class RichObserver:
    """Progress of a run as a Rich progress bar on stderr (only on a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("starting", total=None)

    def __enter__(self) -> RichObserver:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def phase(self, name: str) -> None:
        self.progress.update(self.task, description=name)

    def total(self, hosts: int) -> None:
        self.progress.update(self.task, total=hosts)

    def advance(self, hosts: int = 1) -> None:
        self.progress.advance(self.task, hosts)


def exit_code_for(outcome: RunOutcome) -> int:
    """3 when the run could not read everything, else 1 when violations were found, else 0."""
    if not outcome.complete:
        return EXIT_INCOMPLETE
    return EXIT_VIOLATIONS if outcome.counts.get("violations", 0) else EXIT_OK


def emit(text: str, output: Path | None) -> None:
    """Write a rendered report to ``output`` (creating folders), or to stdout."""

    def write(out: TextIO) -> None:
        out.write(text if text.endswith("\n") else text + "\n")

    emit_with(write, output)


def emit_with(write: Callable[[TextIO], None], output: Path | None) -> None:
    """Let ``write`` write a report to ``output`` (creating folders), or to stdout.

    A file is written beside its final name and renamed over it when complete, so a report that
    fails half way never replaces an earlier one with a fragment. A path that cannot be written
    is a UsageError naming it (exit 2), not a traceback.
    """
    import os
    import tempfile

    from zoomaudit.errors import UsageError

    if output is None:
        write(sys.stdout)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            write(out)
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, output)
    except BaseException as exc:
        Path(partial).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
        raise
    typer.echo(f"written to {output}", err=True)


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def check_report_options(fmt: str, schema_version: int | None, output: Path | None) -> None:
    """Refuse, before any work, a report that could not be written as asked: an unknown format,
    a schema version for a format that has none (or one that does not exist), an unusable path."""
    from zoomaudit.errors import UsageError
    from zoomaudit.report import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if schema_version is not None:
        from zoomaudit.report.jsondoc import check_version

        if fmt != "json":
            raise UsageError("--schema-version applies to --format json only")
        check_version(schema_version)
    if output is not None:
        check_output(output)


def check_output(output: Path) -> None:
    """Refuse, before any work, an output path that ``emit`` could not write: a folder, a file
    that cannot be written, or a parent that is not a folder or cannot be created in."""
    import os

    from zoomaudit.errors import UsageError

    if output.is_dir():
        raise UsageError(f"--output {output} is a folder; give a file name, such as {output / 'report'}")
    if output.exists():
        if not os.access(output, os.W_OK):
            raise UsageError(f"--output {output} cannot be written (permission denied)")
        return
    # The nearest existing ancestor must be a folder we may create entries in.
    parent = output.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"--output {output} cannot be created: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output} cannot be created: {parent} is not writable")


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
) -> RunOutcome:
    """Run one audit from the command line (progress bar on a terminal unless quiet).

    ``now`` pins the run's clock (the demo replayed at a given moment); the real time otherwise."""
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


def show_outcome(
    settings: Settings,
    outcome: RunOutcome,
    *,
    fmt: str,
    output: Path | None,
    include_passed: bool,
    schema_version: int | None = None,
    store: Store | None = None,
    account: str | None = None,
) -> None:
    """Render the stored run, then the fix plans of a dry run or the auto-applied fixes.

    ``store``: an open store to read the run from (else the settings' is opened and closed);
    ``account``: the name that starts each message when several accounts are audited."""
    from zoomaudit.redaction import redact
    from zoomaudit.report import write_report
    from zoomaudit.store import Store

    with Store.from_settings(settings) if store is None else nullcontext(store) as opened:
        emit_with(
            lambda out: write_report(
                opened,
                outcome.run_id,
                fmt,
                out,
                include_passed=include_passed,
                schema_version=schema_version,
            ),
            output,
        )
    who = f"{account}: " if account else ""
    if outcome.planned:
        typer.echo(
            f"\n{who}dry run: {len(outcome.planned)} fix plan(s); none queued, nothing changed in Zoom:",
            err=True,
        )
        for plan in outcome.planned:
            request = plan.request
            query = "?" + "&".join(f"{k}={v}" for k, v in request.query.items()) if request.query else ""
            typer.echo(
                f"  {plan.policy_id}: {request.method} {request.path}{query} "
                f"{json.dumps(redact(request.body))}",
                err=True,
            )
    for result in outcome.fix_results:
        typer.echo(
            f"{who}auto-fix {result.fix_id}: {result.status} {printable(result.message or '')}", err=True
        )


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


def check_notify(settings: Settings) -> None:
    """``--notify`` needs a usable channel: checked before the audit (exit 2 otherwise)."""
    from zoomaudit.errors import UsageError
    from zoomaudit.notify.channels import check_channels

    check_channels(settings)
    if not settings.notify_urls.get_secret_value().strip() and not settings.notify_hosts:
        raise UsageError(
            "--notify: no channel is configured; set ZOOMAUDIT_NOTIFY_URLS (docs/notifications.md)"
        )


def send_notifications(
    settings: Settings, *, run_id: str | None = None, failure: ZoomAuditError | None = None
) -> None:
    """The digest and host e-mails of a run, or the trouble message of a failed one; one line on
    standard error says what was sent. A channel that fails never changes the exit code."""
    from datetime import UTC, datetime

    from zoomaudit.notify import events
    from zoomaudit.notify.deliver import Notifier
    from zoomaudit.store import Store

    with Store.from_settings(settings) as store:
        notifier = Notifier(settings, store)
        if run_id is not None:
            report = events.after_run(notifier, run_id, datetime.now(UTC))
        else:
            detail = f"{type(failure).__name__}: {failure}"
            report = events.after_failure(notifier, "the audit failed", detail, "audit-failed")
    typer.echo(report.line(), err=True)


def audit_some_accounts(
    settings: Settings,
    account: str | None,
    every: bool,
    request: AuditRequest,
    shown: AccountsPresenter,
) -> int:
    """``audit --account NAME`` / ``--all-accounts``, or any audit with an accounts file: the
    accounts chosen audited at once (``zoomaudit.accounts_run``); the highest of their codes."""
    from zoomaudit.accounts import check_output_template, load_accounts, output_for
    from zoomaudit.accounts_run import audit_accounts, highest_code
    from zoomaudit.errors import UsageError

    accounts = load_accounts(settings)
    for warning in accounts.warnings:
        typer.echo(f"warning: {warning}", err=True)
    chosen = accounts.select(account, every=every)
    if len(chosen) > 1 and request.scope.kind != "account":
        raise UsageError("--meeting and --user name one account's meetings or host: give --account NAME")
    check_output_template(shown.output, chosen)
    for each in chosen:
        path = output_for(shown.output, each.name)
        if path is not None:
            check_output(path)
    with shown:
        results = audit_accounts(chosen, settings, request, shown)
    return highest_code(results)


class AccountsPresenter:
    """What ``audit`` shows of each account: one progress line per account on a terminal, its
    report (``{account}`` in ``--output`` replaced by its name) and one summary line on stderr."""

    def __init__(
        self,
        *,
        fmt: str,
        output: Path | None,
        include_passed: bool,
        schema_version: int | None,
        notify: bool,
        progress: bool,
    ) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.fmt, self.output, self.include_passed = fmt, output, include_passed
        self.schema_version, self.notify = schema_version, notify
        self.progress = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            if progress
            else None
        )

    def __enter__(self) -> AccountsPresenter:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def observer(self, account: str) -> Observer:
        from zoomaudit.runner import NullObserver

        if self.progress is None:
            return NullObserver()
        return _AccountProgress(self.progress, account)

    def ready(self, account: str, settings: Settings) -> None:
        if self.notify:
            check_notify(settings)

    def finished(self, account: str, settings: Settings, outcome: RunOutcome, store: Store) -> int:
        from zoomaudit.accounts import output_for

        show_outcome(
            settings,
            outcome,
            fmt=self.fmt,
            output=output_for(self.output, account),
            include_passed=self.include_passed,
            schema_version=self.schema_version,
            store=store,
            account=account,
        )
        if self.notify:
            send_notifications(settings, run_id=outcome.run_id)
        code = exit_code_for(outcome)
        state = "complete" if outcome.complete else "incomplete"
        violations = outcome.counts.get("violations", 0)
        typer.echo(f"{account}: {state}, {violations} violation(s) (exit {code})", err=True)
        return code

    def failed(self, account: str, settings: Settings | None, error: ZoomAuditError) -> None:
        typer.echo(f"{account}: error: {printable(str(error))} (exit {error.exit_code})", err=True)
        if self.notify and settings is not None:
            send_notifications(settings, failure=error)


class _AccountProgress:
    """One account's line in the shared progress display."""

    def __init__(self, progress: Progress, account: str) -> None:
        self.progress, self.account = progress, account
        self.task = progress.add_task(f"{account}: starting", total=None)

    def phase(self, name: str) -> None:
        self.progress.update(self.task, description=f"{self.account}: {name}")

    def total(self, hosts: int) -> None:
        self.progress.update(self.task, total=hosts)

    def advance(self, hosts: int = 1) -> None:
        self.progress.advance(self.task, hosts)
