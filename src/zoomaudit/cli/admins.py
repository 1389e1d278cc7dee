"""`zoomaudit admins`: the accounts that may sign in to the web console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

admins_app = typer.Typer(
    name="admins",
    help="Manage the web console's accounts (admins approve fixes; viewers only read).",
    no_args_is_help=True,
)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        # One line from standard input, for scripts: `printf '%s\n' "$PW" | zoomaudit admins add ...`.
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@admins_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The admin's e-mail address (their login).")],
    role: Annotated[str, typer.Option(help="admin (may approve fixes) or viewer (read-only).")] = "admin",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a console account; the password is prompted for (hidden, twice) unless --password-stdin."""
    from datetime import UTC, datetime

    from zoomaudit.errors import UsageError
    from zoomaudit.service.console.accounts import ROLES, add_admin
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    password = _read_password(password_stdin)
    store = Store.from_settings(load_settings())
    with store:
        info = add_admin(store, email, password, role, now=datetime.now(UTC))
    typer.echo(f"added {info.email} ({info.role})")


@admins_app.command("list")
def list_(
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List the console accounts (never their passwords)."""
    import json

    from zoomaudit.errors import UsageError
    from zoomaudit.service.console.accounts import list_admins
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    if output_format not in ("table", "json"):
        raise UsageError(f"unknown format {output_format!r}: use table or json")
    store = Store.from_settings(load_settings())
    with store:
        admins = list_admins(store)
    if output_format == "json":
        rows = [
            {
                "email": a.email,
                "role": a.role,
                "created_at": a.created_at.isoformat(),
                "last_login_at": a.last_login_at.isoformat() if a.last_login_at else None,
                "locked_until": a.locked_until.isoformat() if a.locked_until else None,
                "accounts": list(a.accounts),
            }
            for a in admins
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not admins:
        typer.echo("no console accounts yet: add one with `zoomaudit admins add EMAIL`")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("email", "role", "created", "last login", "accounts")
    for a in admins:
        last = a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else "never"
        shown = ", ".join(a.accounts) or "all"
        table.add_row(a.email, a.role, a.created_at.strftime("%Y-%m-%d %H:%M"), last, shown)
    Console().print(table)


@admins_app.command("remove")
def remove(email: Annotated[str, typer.Argument(help="The e-mail of the account to remove.")]) -> None:
    """Remove a console account; its open sessions stop working."""
    from zoomaudit.service.console.accounts import remove_admin
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    store = Store.from_settings(load_settings())
    with store:
        remove_admin(store, email)
    typer.echo(f"removed {email.strip().lower()}")


@admins_app.command("limit")
def limit(
    email: Annotated[str, typer.Argument(help="The e-mail of the account to limit.")],
    accounts: Annotated[
        list[str] | None,
        typer.Option(
            "--account",
            help="A Zoom account (its name in the accounts file) the admin may see; repeat for several.",
        ),
    ] = None,
    all_accounts: Annotated[
        bool, typer.Option("--all-accounts", help="Lift the limit: the admin sees every account.")
    ] = False,
) -> None:
    """Limit a console account to some Zoom accounts: it sees their runs, fixes, waivers and
    notifications only, and can act on nothing else. Takes effect on its next request."""
    from zoomaudit.errors import UsageError
    from zoomaudit.service.console.accounts import limit_admin, normalise_email
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    if bool(accounts) == all_accounts:
        raise UsageError("give --account NAME (one or more), or --all-accounts to lift the limit")
    store = Store.from_settings(load_settings())
    with store:
        limit_admin(store, email, list(accounts or []))
    who = normalise_email(email)
    if all_accounts:
        typer.echo(f"{who} now sees every account")
    else:
        typer.echo(f"{who} now sees only: {', '.join(sorted(set(accounts or [])))}")


@admins_app.command("unlock")
def unlock(email: Annotated[str, typer.Argument(help="The e-mail of the account to unlock.")]) -> None:
    """Forget an account's failed sign-ins: its next sign-in is checked at once, without a delay."""
    from zoomaudit.service.console.accounts import normalise_email, unlock_admin
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    store = Store.from_settings(load_settings())
    with store:
        unlock_admin(store, email)
    typer.echo(f"unlocked {normalise_email(email)}: its next sign-in is checked at once")


@admins_app.command("set-password")
def set_password_(
    email: Annotated[str, typer.Argument(help="The e-mail of the account.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Give an account a new password (prompted for, hidden, twice, unless --password-stdin);
    its open sessions end and any sign-in delay is lifted."""
    from zoomaudit.service.console.accounts import normalise_email, set_password
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    password = _read_password(password_stdin)
    store = Store.from_settings(load_settings())
    with store:
        set_password(store, email, password)
    typer.echo(f"new password set for {normalise_email(email)}; its sessions have ended")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(admins_app)
