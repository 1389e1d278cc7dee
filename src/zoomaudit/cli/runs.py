"""`zoomaudit history`, `zoomaudit diff` and `zoomaudit report`: stored runs, read again."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zoomaudit.cli.account_filter import AccountOption, checked_account, nothing_for
from zoomaudit.cli.audit_output import emit, emit_with

if TYPE_CHECKING:
    from zoomaudit.store import Store

ListFormat = typer.Option("--format", "-f", help="table or json.")
SchemaVersion = typer.Option(
    "--schema-version",
    help="The JSON report's schema version: 2 (the default) or 1, for consumers that pinned it.",
)


def _open_store() -> Store:
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    return Store.from_settings(load_settings())


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    from zoomaudit.errors import UsageError

    if fmt not in allowed:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(allowed)}")


def history(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs, newest first.")] = 20,
    fmt: Annotated[str, ListFormat] = "table",
    show_all: Annotated[bool, typer.Option("--all", help="Also list abandoned runs.")] = False,
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """List past runs, newest first (of one account with --account)."""
    from zoomaudit.report.runs import render_history

    _check_format(fmt, ("table", "json"))
    account = checked_account(account)
    with _open_store() as store:
        runs = store.list_runs(limit, include_abandoned=show_all, account=account)
        note = nothing_for(store, account) if not runs else None
    if note is not None:
        typer.echo(note, err=True)
        if fmt == "table":
            return
    emit(render_history(runs, fmt), None)


def diff(
    old: Annotated[str | None, typer.Argument(help="Older run id (or unique prefix).")] = None,
    new: Annotated[str | None, typer.Argument(help="Newer run id; default the latest complete run.")] = None,
    fmt: Annotated[str, ListFormat] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead.")] = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="Exit 1 when the newer run has new violations (on subjects the older run audited).",
        ),
    ] = False,
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """Show new, resolved and still-open violations between two runs.

    Default: the newest complete run and the complete run before it of the same scope (and the
    same account; with --account, of that account, and named runs are looked up in it).
    """
    from zoomaudit.errors import EXIT_VIOLATIONS
    from zoomaudit.report.runs import render_diff

    _check_format(fmt, ("table", "json"))
    account = checked_account(account)
    with _open_store() as store:
        old_id, new_id = _pick_runs(store, old, new, account)
        result = store.diff(old_id, new_id, account=account)
    emit(render_diff(result, fmt), output)
    # Violations on subjects the older run never audited (unchecked_new) are not new: they
    # say nothing about a change, so they do not fail the command.
    if exit_code and result.new:
        raise typer.Exit(EXIT_VIOLATIONS)


def _pick_runs(store: Store, old: str | None, new: str | None, account: str | None) -> tuple[str, str]:
    """The runs to compare: as named, else complete runs fill the gaps.

    With no run named: the newest complete run and the complete run before it of the same
    scope (an account audit with the previous account audit, ``--user X`` with the previous
    ``--user X``), so a narrower audit in between does not make a diff of unlike runs.
    """
    from zoomaudit.errors import UsageError

    if old is not None and new is not None:
        return old, new
    if old is not None:
        # The newest complete run of the old run's own account: a diff never crosses accounts.
        mine = account if account is not None else store.get_run(old).account
        latest = store.last_complete_runs(1, account=mine)
        if not latest:
            raise UsageError("there is no complete run to compare with; run `zoomaudit audit` first")
        return old, latest[0].id
    pair = store.last_complete_runs(2, same_scope=True, account=account)
    if not pair:
        note = nothing_for(store, account)
        if note is not None:
            raise UsageError(f"diff needs two complete runs: {note}")
        raise UsageError(
            "diff needs two complete runs and the store has none; run `zoomaudit audit`, "
            "or name two runs (see `zoomaudit history`)"
        )
    if len(pair) < 2:
        raise UsageError(
            f"diff needs two complete runs of the same scope and the newest, {pair[0].id} "
            f"({_scope_text(pair[0].scope, pair[0].scope_detail)}), is the only one; run that audit "
            "again, or name two runs (see `zoomaudit history`)"
        )
    return pair[1].id, pair[0].id


def _scope_text(kind: str, detail: dict[str, Any]) -> str:
    named = [str(x) for key in ("meeting_ids", "users") for x in (detail.get(key) or [])]
    return f"{kind} {', '.join(named)}" if named else kind


def report(
    run_id: Annotated[
        str, typer.Argument(help="Run id, unique prefix or 'latest' (see `zoomaudit history`).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv, html, markdown or junit.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    include_passed: Annotated[
        bool, typer.Option("--include-passed", help="List passing checks too.")
    ] = False,
    schema_version: Annotated[int | None, SchemaVersion] = None,
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """Render a stored run again in any report format (with --account, `latest` and id
    prefixes are resolved among that account's runs)."""
    from zoomaudit.report import FORMATS, write_report

    _check_format(fmt, FORMATS)
    account = checked_account(account)
    with _open_store() as store:
        emit_with(
            lambda out: write_report(
                store,
                run_id,
                fmt,
                out,
                include_passed=include_passed,
                schema_version=schema_version,
                account=account,
            ),
            output,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("history")(history)
    app.command("diff")(diff)
    app.command("report")(report)
