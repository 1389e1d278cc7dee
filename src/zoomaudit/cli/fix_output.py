"""What the ``fixes`` and ``waivers`` commands share: options, the store, a Zoom client, output.

Cells and notes come from admins and Zoom: tables print them as plain text, never Rich markup.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient

T = TypeVar("T")
FORMATS = ("table", "json")

By = Annotated[str, typer.Option("--by", help="Your name, recorded in the audit trail.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table | json")]


def now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


def check_format(fmt: str) -> None:
    from zoomaudit.errors import UsageError

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose table or json")


def open_store() -> Store:
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    return Store.from_settings(load_settings())


def with_zoom(
    work: Callable[[Store, ZoomClient, str], Coroutine[Any, Any, T]],
    account: str | None = None,
    fix_ids: Sequence[str] = (),
) -> T:
    """Run ``work(store, client, account)`` with the store and a Zoom client of one account: the
    one named, else the one the named fixes belong to, else the only account there is. A fix is
    applied or reverted with its own account's credentials (``fixes.queue.require_account``)."""
    from zoomaudit.account_settings import AccountBook
    from zoomaudit.errors import UsageError
    from zoomaudit.fixes.queue import get_fix
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient

    base = load_settings()
    book = AccountBook.of(base)
    with Store.from_settings(base) as store:
        if account is None and fix_ids:
            owners = sorted({get_fix(store, fix_id).account for fix_id in fix_ids})
            if len(owners) > 1:
                raise UsageError(
                    f"these fixes belong to several accounts ({', '.join(owners)}): "
                    "approve or revert each account's with --account NAME"
                )
            account = owners[0]
    if account is None:
        if len(book.names) > 1:
            raise UsageError(
                f"--account NAME is required: the accounts file has several ({', '.join(book.names)})"
            )
        account = book.names[0]
    settings = book.settings_for(account)
    settings.require_credentials()

    async def go() -> T:
        with Store.from_settings(base) as store:
            async with ZoomClient(settings) as client:
                return await work(store, client, account)

    return asyncio.run(go())


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from zoomaudit.report.common import printable

    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        # Cells hold admins' notes and Zoom's messages: plain text, never Rich markup.
        grid.add_row(*(Text(printable("" if cell is None else str(cell))) for cell in row))
    Console(highlight=False, soft_wrap=True).print(grid)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def known_policy(policy_id: str) -> None:
    """A usage error unless ``policy_id`` names a loaded policy."""
    from pathlib import Path

    from zoomaudit.errors import UsageError
    from zoomaudit.policy import load_policies
    from zoomaudit.settings import load_settings

    settings = load_settings()
    policies = load_policies(Path(settings.policies_dir) if settings.policies_dir else None)
    if policies.get(policy_id) is None:
        known = ", ".join(sorted(p.id for p in policies.policies))
        raise UsageError(f"unknown policy {policy_id!r}; known: {known}")
