"""`zoomaudit doctor`: check the configuration and the connection to Zoom, in plain words.

Exit codes: 0 all is well; 2 the configuration is incomplete or invalid (nothing was sent to
Zoom); 3 Zoom cannot be used (credentials refused, a scope missing, host unreachable), including
a token whose granted scopes do not cover the audit, or (when webhooks are configured) the group
re-audits that webhooks start. Missing fix scopes are advice only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_USAGE
from zoomaudit.safe_text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from zoomaudit.settings import Settings

# Scopes per feature (docs/configuration.md). Each entry is one need; any scope listed for it will do.
_AUDIT_CLASSIC = (
    ("user:read:admin",),
    ("meeting:read:admin",),
    ("account:read:admin",),
    ("group:read:admin",),
)
_AUDIT_GRANULAR = (
    ("user:read:list_users:admin",),
    # GET /users/{userId}: a single-meeting audit and `audit --user` read the host's own record.
    ("user:read:user:admin",),
    ("user:read:settings:admin",),
    ("meeting:read:list_meetings:admin",),
    ("meeting:read:meeting:admin",),
    ("account:read:settings:admin", "account:read:settings:master"),
    ("account:read:lock_settings:admin", "account:read:lock_settings:master"),
    ("group:read:list_groups:admin",),
    ("group:read:settings:admin",),
    ("group:read:lock_settings:admin",),
)
_FIX_CLASSIC = (("meeting:write:admin",), ("user:write:admin",))
_FIX_GRANULAR = (("meeting:update:meeting:admin",), ("user:update:settings:admin",))
# GET /groups/{groupId}/members: a webhook about a group re-audits its members, and the console's
# group filter lists them. Classic group:read:admin already covers it.
_GROUPS_CLASSIC = (("group:read:admin",),)
_GROUPS_GRANULAR = (("group:read:list_members:admin",),)
_WEBHOOK_FEATURE = "group re-audits (webhooks, console group filter)"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("doctor")(doctor)


ACCOUNT_OPTION = typer.Option(
    None, "--account", help="Check this account of the accounts file only (default: every account)."
)


def doctor(account: str | None = ACCOUNT_OPTION) -> None:
    """Check the configuration and the connection to Zoom, and say what is wrong.

    With an accounts file (ZOOMAUDIT_ACCOUNTS) every account is checked, each with its own
    credentials; the exit code is the highest of the accounts'."""
    from rich.console import Console
    from rich.markup import escape

    from zoomaudit.account_settings import AccountBook
    from zoomaudit.errors import ConfigError, ZoomAuditError
    from zoomaudit.settings import load_settings

    console = Console(highlight=False)
    try:
        settings = load_settings()
        book = AccountBook.of(settings)
        chosen = book.accounts.select(account, every=account is None)
    except ZoomAuditError as exc:  # a bad setting, accounts file or --account: exit 2
        console.print(f"[red]✗[/] {escape(printable(str(exc)))}")
        raise typer.Exit(exc.exit_code) from None
    for warning in book.accounts.warnings:
        console.print(f"[yellow]![/] {escape(printable(warning))}")

    _show_configuration(console, settings)
    if not book.from_file:
        raise typer.Exit(_check_account(console, settings))
    codes: list[int] = []
    for each in chosen:
        console.print(f"\n[bold]account {escape(each.name)}[/] ({escape(each.where)})")
        try:
            account_settings = book.settings_for(each.name)
        except ConfigError as exc:
            console.print(f"[red]✗[/] {escape(printable(str(exc)))}")
            codes.append(EXIT_USAGE)
            continue
        codes.append(_check_account(console, account_settings))
    raise typer.Exit(max(codes, default=0))


def _check_account(console: Console, settings: Settings) -> int:
    """Check one account's channels, credentials and Zoom; its exit code (0, 2 or 3)."""
    import asyncio

    if not _show_channels(console, settings):
        return EXIT_USAGE
    missing = settings.missing_credentials()
    if missing:
        console.print(
            f"[red]✗[/] missing: {', '.join(missing)}. Set them in the environment or in .env "
            "(copy .env.example); docs/configuration.md explains where Zoom shows each value."
        )
        return EXIT_USAGE
    if not asyncio.run(_check_zoom(console, settings)):
        return EXIT_INCOMPLETE
    console.print("[green]✓[/] zoomaudit can use Zoom.")
    return 0


def _show_configuration(console: Console, settings: Settings) -> None:
    from rich.table import Table

    table = Table(title="Configuration (secrets masked)", show_header=True, header_style="bold")
    table.add_column("variable")
    table.add_column("value")
    for key, value in settings.masked().items():
        table.add_row(key, value)
    console.print(table)


def _show_channels(console: Console, settings: Settings) -> bool:
    """The notification channels, masked (never the URL: it holds credentials); False when one
    cannot be used."""
    from rich.markup import escape

    from zoomaudit.errors import ConfigError
    from zoomaudit.notify.channels import host_mailer, lead_channels

    try:
        channels = lead_channels(settings)
        mailer = host_mailer(settings)
    except ConfigError as exc:
        console.print(f"[red]✗[/] {escape(printable(str(exc)))}")
        return False
    for channel in channels:
        console.print(f"  notifications to {escape(channel.masked)}")
    if mailer is not None:
        state = "on" if settings.notify_hosts else "off (ZOOMAUDIT_NOTIFY_HOSTS)"
        console.print(f"  host e-mails through {escape(mailer.masked)}: {state}")
    if not channels:
        console.print("  notifications: none configured (ZOOMAUDIT_NOTIFY_URLS; docs/notifications.md)")
    return True


async def _check_zoom(console: Console, settings: Settings) -> bool:
    """Fetch a token, then make one cheap read; print what happened. True when both worked."""
    from rich.markup import escape

    from zoomaudit.errors import AuthError, MissingScope, ZoomError, ZoomUnavailable
    from zoomaudit.zoom.client import ZoomClient

    # One retry at most: doctor should answer quickly when a host is unreachable.
    quick = settings.model_copy(update={"max_retries": min(settings.max_retries, 1)})
    async with ZoomClient(quick) as zoom:
        try:
            token = await zoom.authenticate()
        except AuthError as exc:
            return _fail(console, f"bad credentials: {escape(printable(str(exc)))}")
        except ZoomUnavailable as exc:
            return _fail(
                console,
                f"unreachable: {escape(printable(str(exc)))}. "
                "Check the network, a proxy, or ZOOM_OAUTH_TOKEN_URL.",
            )
        console.print(f"[green]✓[/] access token obtained from {escape(settings.zoom_oauth_token_url)}")
        audit_gaps: list[str] = []
        webhook_gaps: list[str] = []
        if token.scope:
            console.print(f"  scopes granted: {escape(token.scope)}")
            for line in scope_report(token.scope):
                console.print(f"  {escape(line)}")
            audit_gaps = audit_scope_gaps(token.scope)
            if settings.zoom_webhook_secret_token.get_secret_value():
                # Webhooks are configured: a group event would fail its re-audit without this scope.
                webhook_gaps = webhook_scope_gaps(token.scope)

        try:
            await zoom.request("GET", "/users", params={"status": "active", "page_size": 1})
        except MissingScope as exc:
            return _fail(
                console,
                f"missing scope: {escape(printable(str(exc)))}. Listing users needs user:read:admin "
                "(classic) or user:read:list_users:admin (granular).",
            )
        except AuthError as exc:
            return _fail(console, f"the token was refused: {escape(printable(str(exc)))}")
        except ZoomUnavailable as exc:
            return _fail(
                console,
                f"cannot reach the Zoom API ({escape(settings.zoom_api_base_url)}): "
                f"{escape(printable(str(exc)))}. Check the network, a proxy, or ZOOM_API_BASE_URL.",
            )
        except ZoomError as exc:
            return _fail(console, f"Zoom refused a simple read (GET /users): {escape(printable(str(exc)))}")
        console.print(f"[green]✓[/] API reachable: listed users at {escape(settings.zoom_api_base_url)}")
    if audit_gaps:
        # Zoom grants what the app asked for; an audit reads every tier, so it would stop with exit 3.
        return _fail(
            console,
            f"an audit will fail: the token lacks {escape(', '.join(audit_gaps))}. "
            "Add these scopes to the app in the Zoom App Marketplace (docs/configuration.md, "
            "Scopes per feature), then run doctor again.",
        )
    if webhook_gaps:
        return _fail(
            console,
            f"webhooks are configured, but a re-audit of a group will fail: the token lacks "
            f"{escape(', '.join(webhook_gaps))}. Add it to the app in the Zoom App Marketplace "
            "(docs/configuration.md, Scopes per feature), then run doctor again.",
        )
    return True


def _fail(console: Console, message: str) -> bool:
    """Print a failed check (``message`` already escaped) and return False."""
    console.print(f"[red]✗[/] {message}")
    return False


def _missing(granted: set[str], needs: tuple[tuple[str, ...], ...]) -> list[str]:
    return [" or ".join(need) for need in needs if not granted.intersection(need)]


def _gaps(
    granted: set[str], classic: tuple[tuple[str, ...], ...], granular: tuple[tuple[str, ...], ...]
) -> list[str]:
    """The shorter list of what is missing; on a tie, in the kind of scopes the token carries
    (granular scopes have four parts, ``user:read:user:admin``; classic ones three)."""
    by_classic, by_granular = _missing(granted, classic), _missing(granted, granular)
    if len(by_classic) != len(by_granular):
        return min(by_classic, by_granular, key=len)
    return by_granular if any(s.count(":") >= 3 for s in granted) else by_classic


def audit_scope_gaps(scope: str) -> list[str]:
    """The scopes an audit needs that ``scope`` lacks (the shorter of the classic and granular
    lists); empty when the audit is covered."""
    return _gaps(set(scope.split()), _AUDIT_CLASSIC, _AUDIT_GRANULAR)


def webhook_scope_gaps(scope: str) -> list[str]:
    """The scopes a webhook's group re-audit needs beyond the audit's; empty when covered."""
    return _gaps(set(scope.split()), _GROUPS_CLASSIC, _GROUPS_GRANULAR)


def scope_report(scope: str) -> list[str]:
    """One line per feature: whether the token's scopes cover it (classic or granular).

    The audit line decides doctor's exit code (see ``audit_scope_gaps``); the fix line is advice.
    """
    granted = set(scope.split())
    lines = []
    for feature, classic, granular in (
        ("audit", _AUDIT_CLASSIC, _AUDIT_GRANULAR),
        ("meeting and user fixes", _FIX_CLASSIC, _FIX_GRANULAR),
        (_WEBHOOK_FEATURE, _GROUPS_CLASSIC, _GROUPS_GRANULAR),
    ):
        gaps = _gaps(granted, classic, granular)
        if not gaps:
            lines.append(f"{feature}: scopes present")
        else:
            lines.append(f"{feature}: the token lacks {', '.join(gaps)}")
    return lines
