"""What `zoomaudit audit` (and `rejudge`, `demo`, `report`) show: progress, reports written
safely to a file or standard output, the outcome line and its exit code, notifications."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATIONS, ZoomAuditError
from zoomaudit.safe_text import printable

if TYPE_CHECKING:
    from zoomaudit.runner import RunOutcome
    from zoomaudit.settings import Settings
    from zoomaudit.store import Store


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
