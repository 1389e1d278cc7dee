"""``--account NAME``: the option of every command that lists or reads stored things, and its check.

An account is named as the accounts file names it (``[a-z0-9-]+``); without an accounts file the
one account is ``default``. Without ``--account`` a command reads every account, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from zoomaudit.errors import UsageError
from zoomaudit.vocabulary import is_account_name

if TYPE_CHECKING:
    from zoomaudit.store import Store

AccountOption = typer.Option(
    "--account",
    help=(
        "Only this Zoom account: its name in the accounts file (`default` without one). "
        "Default: every account."
    ),
)


def checked_account(name: str | None) -> str | None:
    """``name`` when it is a well-formed account name (or None: every account), else a
    UsageError (exit 2) saying what is wrong with it."""
    if name is None:
        return None
    if not is_account_name(name):
        raise UsageError(
            f"--account {name!r} is not an account name: lower-case letters, digits and hyphens "
            "(at most 64), as the accounts file names accounts"
        )
    return name


def nothing_for(store: Store, account: str | None) -> str | None:
    """When ``account`` has no run stored: a note naming the accounts that have (None otherwise),
    so a misspelt name reads differently from an account with nothing to show."""
    if account is None:
        return None
    known = store.known_accounts()
    if account in known:
        return None
    others = f" (accounts with runs: {', '.join(known)})" if known else ""
    return f"no runs for account {account!r}{others}"
