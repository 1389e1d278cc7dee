"""`zoomaudit rejudge`: judge a stored run's snapshot again (other policies, no request to Zoom)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zoomaudit.cli.account_filter import AccountOption, checked_account
from zoomaudit.cli.audit_output import check_report_options, exit_code_for, show_outcome


def rejudge(
    run_id: Annotated[
        str, typer.Argument(help="Run id, unique prefix or 'latest' (see `zoomaudit history`).")
    ],
    policies: Annotated[
        Path | None,
        typer.Option(
            "--policies",
            "-p",
            help="Judge under this policy folder (default: ZOOMAUDIT_POLICIES, else the bundled pack).",
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table | json | csv | html | markdown | junit")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    include_passed: Annotated[
        bool, typer.Option("--include-passed", help="Also list the checks that passed.")
    ] = False,
    schema_version: Annotated[
        int | None,
        typer.Option("--schema-version", help="The JSON report's schema version: 2 (the default) or 1."),
    ] = None,
    account: Annotated[str | None, AccountOption] = None,
) -> None:
    """Judge a stored run's snapshot again, asking Zoom nothing: what would these policies flag?

    The result is stored as a new run (trigger rejudge); `zoomaudit diff RUN NEW` shows what the
    policy change flags or clears. Fixes are not planned, nothing is sent. The new run is of the
    judged run's account; with --account, `latest` and id prefixes name that account's runs.

    Exit code: 0 no violations, 1 violations, 2 usage/configuration/policy error (an unknown
    run, or one without a snapshot), 3 the run could not be completed.
    """
    from zoomaudit.cli.heap import settle
    from zoomaudit.policy import load_policies
    from zoomaudit.rejudge import rejudge as judge_again
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store  # noqa: F401 - imported before the heap is settled

    check_report_options(fmt, schema_version, output)
    account = checked_account(account)
    settings = load_settings()
    folder = policies or (Path(settings.policies_dir) if settings.policies_dir else None)
    loaded = load_policies(folder)
    settle()
    outcome = judge_again(run_id, settings=settings, policies=loaded, account=account)
    show_outcome(
        settings,
        outcome,
        fmt=fmt,
        output=output,
        include_passed=include_passed,
        schema_version=schema_version,
    )
    typer.echo(
        f"run {outcome.rejudged_from} judged again as run {outcome.run_id}; "
        f"`zoomaudit diff {outcome.rejudged_from} {outcome.run_id}` shows what the policies change",
        err=True,
    )
    raise typer.Exit(exit_code_for(outcome))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("rejudge")(rejudge)
