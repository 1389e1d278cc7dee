"""Audit several Zoom accounts from one process, concurrently, each on its own client and budget.

Zoom's rate limits are per account, so one process can audit many accounts at once without one
slowing another: each account gets its own ``ZoomClient`` (its own token, pacers and daily
ledger), made from its own Settings (``zoomaudit.account_settings``). The accounts run as asyncio
tasks side by side; a failure of one (credentials missing or refused, Zoom unreachable, a policy
folder that does not load) ends that account with its exit code and never the others. The
command's exit code is the highest of the accounts'.

All runs share one store (the install's database; each run names its account) and the runner is
the one orchestration, called once per account. What is shown (progress, reports, messages) is
the caller's, through a ``Presenter``: no UI code here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from zoomaudit.account_settings import account_settings, credential_environment
from zoomaudit.errors import EXIT_OK, ZoomAuditError
from zoomaudit.vocabulary import FixMode, Scope

if TYPE_CHECKING:
    from zoomaudit.accounts import Account
    from zoomaudit.policy import PolicySet
    from zoomaudit.runner import Observer, RunOutcome
    from zoomaudit.settings import Settings
    from zoomaudit.store import Store


@dataclass(frozen=True)
class AuditRequest:
    """What each account's run is asked to do (the same for every account)."""

    scope: Scope
    fix_mode: FixMode | None = None
    dry_run: bool = False
    max_changes: int = 50
    starting_within: timedelta | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class AccountResult:
    """How one account's audit ended."""

    account: str
    code: int
    outcome: RunOutcome | None = None
    error: ZoomAuditError | None = None


class Presenter(Protocol):
    """What the caller shows and decides for each account. ``ready`` and ``finished`` may raise a
    ZoomAuditError, which ends that account only (with its exit code)."""

    def observer(self, account: str) -> Observer:
        """The progress observer of one account's run."""
        ...

    def ready(self, account: str, settings: Settings) -> None:
        """Check what the account needs before it is audited (called in the event loop)."""
        ...

    def finished(self, account: str, settings: Settings, outcome: RunOutcome, store: Store) -> int:
        """Show a finished run (its report) and give its exit code; called in a worker thread."""
        ...

    def failed(self, account: str, settings: Settings | None, error: ZoomAuditError) -> None:
        """Say that an account could not be audited (``settings`` None: not even resolved);
        called in a worker thread."""
        ...


def highest_code(results: Sequence[AccountResult]) -> int:
    """The command's exit code: the highest of its accounts' (0 when there are none)."""
    return max((result.code for result in results), default=EXIT_OK)


def audit_accounts(
    accounts: Sequence[Account],
    base: Settings,
    request: AuditRequest,
    presenter: Presenter,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[AccountResult]:
    """Audit ``accounts`` concurrently and return each one's result, in the order given."""
    return asyncio.run(audit_accounts_async(accounts, base, request, presenter, environ=environ))


async def audit_accounts_async(
    accounts: Sequence[Account],
    base: Settings,
    request: AuditRequest,
    presenter: Presenter,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[AccountResult]:
    from zoomaudit.store import Store

    environ = credential_environment() if environ is None else environ
    # One store for every account (a Store is safe to share between threads); opened, and its
    # schema brought up to date, once, before the runs, so that they do not race to migrate it.
    store = await asyncio.to_thread(Store.from_settings, base)
    try:
        tasks = [
            asyncio.ensure_future(_audit_one(account, base, request, presenter, store, environ))
            for account in accounts
        ]
        # Every account runs to its end whatever the others do; a bug (not a ZoomAuditError) in
        # one is raised once all have ended.
        ended = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await asyncio.to_thread(store.close)
    results: list[AccountResult] = []
    for result in ended:
        if isinstance(result, BaseException):
            raise result
        results.append(result)
    return results


async def _audit_one(
    account: Account,
    base: Settings,
    request: AuditRequest,
    presenter: Presenter,
    store: Store,
    environ: Mapping[str, str],
) -> AccountResult:
    settings: Settings | None = None
    try:
        settings = account_settings(account, base, environ)
        settings.require_credentials()
        presenter.ready(account.name, settings)
        outcome = await audit_account(
            account.name, settings, request, store=store, observer=presenter.observer(account.name)
        )
        code = await asyncio.to_thread(presenter.finished, account.name, settings, outcome, store)
    except ZoomAuditError as exc:
        # In a worker thread: saying so may send a notification, which must not stall the others.
        await asyncio.to_thread(presenter.failed, account.name, settings, exc)
        return AccountResult(account.name, exc.exit_code, error=exc)
    return AccountResult(account.name, code, outcome)


async def audit_account(
    account: str, settings: Settings, request: AuditRequest, *, store: Store, observer: Observer
) -> RunOutcome:
    """One account's run on its own Zoom client (its own token, rate budget and daily ledger)."""
    from zoomaudit.runner import run
    from zoomaudit.zoom.client import ZoomClient

    client = ZoomClient(settings)
    try:
        # The token request goes out while the policies load in a worker thread (as ``audit``).
        client.fetch_token_early()
        policies = await asyncio.to_thread(_policies, settings)
        return await run(
            request.scope,
            "manual",
            settings=settings,
            fix_mode=request.fix_mode,
            dry_run=request.dry_run,
            max_changes=request.max_changes,
            observer=observer,
            client=client,
            store=store,
            policies=policies,
            now=request.now,
            starting_within=request.starting_within,
            account=account,
        )
    finally:
        await client.aclose()


def _policies(settings: Settings) -> PolicySet:
    from zoomaudit.policy import load_policies

    return load_policies(Path(settings.policies_dir) if settings.policies_dir else None)
