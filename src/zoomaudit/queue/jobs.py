"""zoomaudit's jobs on the queue, and what a worker process keeps for them.

Each job calls the code path the single process calls, and re-implements no step: an audit is
``runner.run``, a pre-session check is ``presession.run_check``, fixes go through
``fixes.apply`` (its claims make sure no fix is applied twice, even when a job runs again after
its worker died), notifications through ``notify.events``. Arguments are plain values (JSON in
the queue's table), never a secret: a job names its account, and the worker finds the account's
settings and credentials itself.

The jobs that talk to Zoom are deferred with the lock ``zoom:<account>`` (``zoom_lock``):
procrastinate runs at most one job per lock at a time across every worker, so one account's rate
budget is spent by one job at a time, while other accounts' jobs run beside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from zoomaudit.account_settings import UnknownAccount
from zoomaudit.errors import AuthError, ZoomAuditError, ZoomUnavailable
from zoomaudit.vocabulary import AccountScope, FixMode, MeetingsScope, Scope, Trigger, UsersScope

if TYPE_CHECKING:
    import procrastinate
    from procrastinate.job_context import JobContext

    from zoomaudit.runner import RunOutcome
    from zoomaudit.settings import Settings
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient

log = logging.getLogger(__name__)

AUDIT = "audit_account"
PRE_SESSION = "pre_session_check"
APPLY_FIXES = "apply_fixes"
NOTIFY = "send_notifications"
QUEUE = "zoom"
"""The one queue zoomaudit's jobs go to (procrastinate's queue name)."""
CONTEXT_KEY = "zoomaudit"
"""Where a worker puts its ``WorkerContext`` in procrastinate's ``additional_context``."""
DEFAULT_ACCOUNT = "default"

AccountSettings = Callable[[str], "Settings"]
"""An account's settings by its name (its credentials, rate plan, policies...)."""


def zoom_lock(account: str) -> str:
    """The lock of every job that talks to Zoom for ``account``: one at a time per account."""
    return f"zoom:{account}"


def every_account(settings: Settings) -> AccountSettings:
    """The accounts of the install (``zoomaudit.account_settings.AccountBook``): those of the
    accounts file when ``ZOOMAUDIT_ACCOUNTS`` is set, else the one account ``default``. A job
    naming another account fails with ``UnknownAccount`` (never retried)."""
    from zoomaudit.account_settings import AccountBook

    book = AccountBook.of(settings)
    for warning in book.accounts.warnings:
        log.warning("%s", warning)
    return book.settings_for


@dataclass(eq=False)
class WorkerContext:
    """What a worker process keeps for its jobs: the store and one Zoom client per account.

    The client of an account is made on first use and kept (its token and its record of Zoom's
    daily limits), and used by one job at a time: the account's jobs hold ``zoom:<account>``."""

    settings_for: AccountSettings
    store: Store
    database_url: str
    clients: dict[str, ZoomClient] = field(default_factory=dict)
    several: bool = False
    """Several accounts share the store: the notification log holds deliveries to each one's own
    channels (each account's retry sends only its own)."""

    def zoom_turn(self, account: str) -> AbstractAsyncContextManager[None]:
        """The account's turn at Zoom across processes (beside the queue lock, which orders the
        workers, it keeps the web process's console approvals from overlapping a job)."""
        from zoomaudit.store.queue_db import zoom_turn

        return zoom_turn(self.database_url, account)

    def client(self, account: str) -> ZoomClient:
        if account not in self.clients:
            from zoomaudit.zoom.client import ZoomClient

            self.clients[account] = ZoomClient(self.settings_for(account))
        return self.clients[account]

    async def aclose(self) -> None:
        clients, self.clients = list(self.clients.values()), {}
        for client in clients:
            await client.aclose()

    async def audit(
        self, account: str, scope: Scope, trigger: Trigger, fix_mode: FixMode | None = None
    ) -> RunOutcome:
        """``runner.run`` for the account, with this worker's store and the account's client."""
        from zoomaudit.runner import run

        async with self.zoom_turn(account):
            return await run(
                scope,
                trigger,
                settings=self.settings_for(account),
                store=self.store,
                client=self.client(account),
                fix_mode=fix_mode,
                observer=_LoggingObserver(f"{trigger} audit of {account}"),
                account=account,
            )


class _LoggingObserver:
    """A run's phases into the worker's log (a worker has no terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def phase(self, name: str) -> None:
        log.info("%s: %s", self.label, name)

    def total(self, hosts: int) -> None:
        log.info("%s: %d host(s)", self.label, hosts)

    def advance(self, hosts: int = 1) -> None:
        pass


def _context(context: JobContext) -> WorkerContext:
    work = context.additional_context.get(CONTEXT_KEY)
    if not isinstance(work, WorkerContext):
        raise RuntimeError("this job runs in `zoomaudit worker` only (no worker context)")
    return work


def scope_of(meeting_ids: Sequence[int] | None, users: Sequence[str] | None) -> Scope:
    if meeting_ids:
        return MeetingsScope.of(*meeting_ids)
    if users:
        return UsersScope.of(*users)
    return AccountScope()


# --- the jobs ---------------------------------------------------------------------------------


async def audit_account(
    context: JobContext,
    account: str,
    trigger: str = "scheduled",
    meeting_ids: list[int] | None = None,
    users: list[str] | None = None,
    fix_mode: str | None = None,
) -> str:
    """Audit an account (or the meetings or users named); returns the run id.

    A scheduled audit is followed by its digest (a notification job); one that fails is news too.
    """
    work = _context(context)
    scope = scope_of(meeting_ids, users)
    try:
        outcome = await work.audit(account, scope, cast(Trigger, trigger), cast(FixMode | None, fix_mode))
    except UnknownAccount:
        # No one to tell (the account has no notification targets here), and never retried.
        log.error("%s audit not run: this install has no account %r", trigger, account)
        raise
    except ZoomAuditError as exc:
        if trigger == "scheduled":
            await _defer_failure_notice(context.app, account, exc)
        raise
    if trigger == "scheduled":
        await defer_notification(context.app, account, "digest", run_id=outcome.run_id)
    log.info(
        "%s audit of %s: run %s, %s, %d violation(s)",
        trigger,
        account,
        outcome.run_id,
        "complete" if outcome.complete else "incomplete",
        outcome.counts.get("violations", 0),
    )
    return outcome.run_id


async def pre_session_check(
    context: JobContext,
    account: str,
    meeting_id: int,
    occurrence_id: str | None,
    start_time: str,
    timezone: str | None,
    lead: int,
) -> str:
    """One planned pre-session check (service/presession.py); returns its outcome."""
    from zoomaudit.service.presession import PlannedCheck, run_check

    work = _context(context)
    due = datetime.fromisoformat(start_time) - timedelta(minutes=lead)
    # The check is of the job's account: looked up, stored and alerted under it.
    check = PlannedCheck.from_args([meeting_id, occurrence_id, start_time, timezone, lead, account], due)
    alerts: list[int] = []

    async def audit(scope: Scope, trigger: Trigger) -> RunOutcome:
        return await work.audit(account, scope, trigger)

    def finished(check_id: int, outcome: str) -> None:
        if outcome == "violations":
            alerts.append(check_id)

    result = await run_check(check, store=work.store, audit=audit, clock=_now, finished=finished)
    for check_id in alerts:
        await defer_notification(context.app, account, "urgent", check_id=check_id)
    return result


async def apply_fixes(
    context: JobContext, account: str, fix_ids: list[str] | None = None, actor: str = "zoomaudit:deferred"
) -> str:
    """Apply fixes through ``fixes.apply``: the ones named (an approval by ``actor``), or, with
    no ids, every fix of ``account`` Zoom's per-host daily quota deferred, with that account's
    client. Returns a count by status."""
    from zoomaudit.fixes.apply import apply_deferred, approve

    work = _context(context)
    client = work.client(account)
    async with work.zoom_turn(account):
        if fix_ids:
            results = await approve(work.store, client, fix_ids, actor=actor)
        else:
            results = await apply_deferred(work.store, client, account=account)
    statuses = Counter(str(result.status) for result in results)
    return ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "nothing to apply"


async def send_notifications(
    context: JobContext,
    account: str,
    kind: str,
    run_id: str | None = None,
    check_id: int | None = None,
    what: str | None = None,
    detail: str | None = None,
    key: str | None = None,
) -> str:
    """Send through ``notify.events``: a run's ``digest``, an ``urgent`` alert after a pre-session
    check, ``trouble`` (what failed and why), or ``retry`` the deliveries whose time has come."""
    from zoomaudit.notify import events
    from zoomaudit.notify.deliver import Notifier

    work = _context(context)
    notifier = Notifier(work.settings_for(account), work.store)
    if not notifier.configured:
        return "no notification channel is configured"

    def send() -> object:
        if kind == "digest" and run_id is not None:
            return events.after_run(notifier, run_id, _now())
        if kind == "trouble" and what is not None:
            return events.after_failure(notifier, what, detail or "", key or "trouble")
        if kind == "urgent" and check_id is not None:
            check = work.store.pre_session.get(check_id)
            return None if check is None else events.after_check(notifier, check, None)
        if kind == "retry":
            return notifier.retry_due(shared_log=work.several)
        raise ValueError(f"unknown notification job {kind!r} or a missing argument")

    result = await asyncio.to_thread(send)
    line = getattr(result, "line", None)
    return str(line()) if callable(line) else "sent"


def _now() -> datetime:
    return datetime.now(UTC)


# --- deferring ----------------------------------------------------------------------------------


async def defer_notification(app: procrastinate.App, account: str, kind: str, **details: Any) -> None:
    """Queue a notification job (no Zoom lock: sending mail does not spend Zoom's budget)."""
    await app.configure_task(NOTIFY, queue=QUEUE).defer_async(account=account, kind=kind, **details)


async def _defer_failure_notice(app: procrastinate.App, account: str, exc: ZoomAuditError) -> None:
    if isinstance(exc, AuthError):
        what, key = "Zoom refused zoomaudit's credentials", "zoom-credentials"
    else:
        what, key = "the scheduled audit failed", "nightly-failed"
    detail = str(exc) if isinstance(exc, AuthError) else f"{type(exc).__name__}: {exc}"
    await defer_notification(app, account, "trouble", what=f"{what} ({account})", detail=detail, key=key)


def register(app: procrastinate.App) -> None:
    """Register the jobs on ``app`` by name. Audits and checks are retried twice, five minutes
    apart, when Zoom was unreachable; a job whose worker died is put back by the workers
    themselves (worker.py), whatever its retry strategy."""
    import procrastinate

    unreachable = procrastinate.RetryStrategy(max_attempts=3, wait=300, retry_exceptions={ZoomUnavailable})
    app.task(name=AUDIT, queue=QUEUE, pass_context=True, retry=unreachable)(audit_account)
    app.task(name=PRE_SESSION, queue=QUEUE, pass_context=True, retry=unreachable)(pre_session_check)
    app.task(name=APPLY_FIXES, queue=QUEUE, pass_context=True, retry=unreachable)(apply_fixes)
    app.task(name=NOTIFY, queue=QUEUE, pass_context=True)(send_notifications)
