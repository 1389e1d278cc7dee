"""`zoomaudit audit --account NAME` / `--all-accounts`: several accounts audited at once
(``zoomaudit.accounts_run``), each account's progress, report and outcome line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zoomaudit.cli.audit_output import (
    check_notify,
    check_output,
    exit_code_for,
    send_notifications,
    show_outcome,
)
from zoomaudit.errors import ZoomAuditError
from zoomaudit.safe_text import printable

if TYPE_CHECKING:
    from rich.progress import Progress

    from zoomaudit.accounts_run import AuditRequest
    from zoomaudit.runner import Observer, RunOutcome
    from zoomaudit.settings import Settings
    from zoomaudit.store import Store


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
