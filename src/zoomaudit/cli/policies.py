"""`zoomaudit policies` commands: list, validate and explain the safeguarding policies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from zoomaudit.policy.model import Policy

policies_app = typer.Typer(
    name="policies",
    help="List, validate and explain the safeguarding policies.",
    no_args_is_help=True,
)

_TIER_NAMES = {
    "meeting": "meeting (GET /meetings/{id})",
    "user": "user settings (GET /users/{id}/settings)",
    "group": "group settings (GET /groups/{id}/settings)",
    "group_lock": "group lock (GET /groups/{id}/lock_settings)",
    "account": "account settings (GET /accounts/me/settings)",
    "account_lock": "account lock (GET /accounts/me/lock_settings)",
}


def _console() -> Console:
    from rich.console import Console

    console = Console(highlight=False)
    if console.width < 120:  # tables of ids and fields read badly when folded
        console = Console(highlight=False, width=120)
    return console


@policies_app.command("list")
def list_policies(
    path: Annotated[
        Path | None,
        typer.Option(
            "--policies", "-p", help="A policy folder or file (default: ZOOMAUDIT_POLICIES or the pack)."
        ),
    ] = None,
) -> None:
    """List the policies: id, severity, control, expectation, fix, enabled."""
    from rich.table import Table

    from zoomaudit.policy.load import load_policies

    policy_set = load_policies(path)
    table = Table(title=f"{len(policy_set.policies)} policies ({policy_set.source})")
    for column in ("id", "severity", "control", "expects", "fix", "enabled"):
        table.add_column(column, no_wrap=column in ("id", "control", "fix"))
    for policy in sorted(policy_set.policies, key=lambda p: p.id):
        fix = f"{policy.fix.mode}, {policy.fix.tier}" if policy.fix else "-"
        table.add_row(
            policy.id,
            policy.severity,
            policy.control,
            _expects(policy),
            fix,
            "yes" if policy.enabled else "no",
        )
    _console().print(table)


def _expects(policy: Policy) -> str:
    if policy.expect is not None:
        return policy.expect.describe()
    if policy.check is not None:
        return f"check {policy.check}"
    return "manual"


@policies_app.command("validate")
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="A policy folder or file (default: ZOOMAUDIT_POLICIES or the pack).")
    ] = None,
) -> None:
    """Check a policy set: exit 0 when valid, 2 with every problem located (file:line)."""
    from zoomaudit.errors import EXIT_USAGE, PolicyError
    from zoomaudit.policy.load import load_policies

    try:
        policy_set = load_policies(path)
    except PolicyError as exc:
        err = typer.echo
        for problem in exc.problems:
            err(str(problem), err=True)
        err(f"{len(exc.problems)} problem(s); the policy set is not valid", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    enabled = len(policy_set.enabled)
    typer.echo(
        f"valid: {len(policy_set.policies)} policies ({enabled} enabled) from {policy_set.source}; "
        f"hash {policy_set.hash[:12]}"
    )


@policies_app.command("explain")
def explain(
    policy_id: Annotated[str, typer.Argument(metavar="ID", help="The policy id, e.g. waiting-room.")],
    path: Annotated[Path | None, typer.Option("--policies", "-p", help="A policy folder or file.")] = None,
) -> None:
    """What a policy checks, why, where it lives in Zoom (each tier's field) and how it is fixed."""
    from rich.markup import escape
    from rich.table import Table

    from zoomaudit.errors import UsageError
    from zoomaudit.policy.load import load_policies

    policy_set = load_policies(path)
    policy = policy_set.get(policy_id)
    if policy is None:
        known = ", ".join(sorted(p.id for p in policy_set.policies))
        typer.echo(f"error: no policy {policy_id!r}; known: {known}", err=True)
        raise typer.Exit(UsageError.exit_code)
    control = policy.control_def
    out = _console()
    state = "" if policy.enabled else " [yellow](disabled by default)[/]"
    out.print(f"[bold]{escape(policy.id)}[/]: {escape(policy.title)} ({policy.severity}){state}")
    out.print(f"\n[bold]Checks[/]: {escape(control.title)} ({control.name}) {escape(_expects(policy))}")
    out.print(f"\n[bold]Why[/]: {escape(policy.rationale)}")
    for conflict in policy.conflicts:
        out.print(f"[bold]Conflict[/]: {escape(conflict)}")
    if control.manual:
        out.print(
            f"\n[bold]Zoom fields[/]: none; this is checked by people.\n[bold]What to do[/]: "
            f"{escape(policy.guidance or control.guidance)}"
        )
    else:
        table = Table(
            title="Where Zoom keeps it (first found wins: account lock, group lock, meeting, user, "
            "group, account, Zoom's default)"
        )
        table.add_column("tier")
        table.add_column("field")
        for tier, label in _TIER_NAMES.items():
            paths = control.paths(tier)  # type: ignore[arg-type]
            table.add_row(label, escape(" | ".join(paths)) if paths else "[dim]none[/]")
        out.print()
        out.print(table)
        if control.derive is not None and control.derive.describe:
            out.print(f"Value: {escape(control.derive.describe)}")
        if control.notes:
            out.print(f"Note: {escape(control.notes)}")
    out.print(f"\n[bold]Fix[/]: {escape(_fix_text(policy))}")
    if policy.guidance and not control.manual:
        out.print(f"[bold]Guidance[/]: {escape(policy.guidance)}")
    if policy.references:
        out.print("[bold]References[/]: " + escape("; ".join(policy.references)))


def _fix_text(policy: Policy) -> str:
    """The fix in words, its value and request body as JSON (what the API is sent)."""
    import json

    from zoomaudit.controls import fix_request

    fix = policy.fix
    if fix is None or fix.mode == "off":
        return "none automatic (mode off); " + (
            "people act on the finding"
            if fix is None or fix.value is None
            else f"an admin can set {json.dumps(fix.value)} at tier {fix.tier}"
        )
    control = policy.control_def
    ids = {"meeting_id": 0, "user_id": "{userId}", "group_id": "{groupId}"}
    request = fix_request(control, fix.tier, fix.value, **ids)  # type: ignore[arg-type]
    path = request.path.replace("/meetings/0", "/meetings/{meetingId}")
    query = "?" + "&".join(f"{k}={v}" for k, v in request.query.items()) if request.query else ""
    how = "applied automatically" if fix.mode == "auto" else "suggested, applied after an admin approves"
    note = (
        " (the planner generates a passcode meeting the host's requirement)"
        if fix.value == control.fix_placeholder
        else ""
    )
    return f"{how}: {request.method} {path}{query} {json.dumps(request.body)}{note}"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(policies_app, name="policies")
