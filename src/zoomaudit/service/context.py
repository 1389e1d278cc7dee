"""The running service: its settings, injected collaborators, work queue, and running audits.

APScheduler's job store pickles a *reference* to each job function, never its arguments' live
objects (and the settings, which hold secrets, must never be pickled into the database). So the
job functions in ``scheduler.py`` take no arguments and find the running service with ``current()``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from zoomaudit.errors import AuthError, ZoomAuditError
from zoomaudit.runner import Observer, RunOutcome
from zoomaudit.service import presession
from zoomaudit.service.alerts import Alerts
from zoomaudit.service.dispatch import Dispatcher
from zoomaudit.service.lane import ClientFactory, ZoomLane
from zoomaudit.service.webhooks import (
    EVENT_MEMORY_SECONDS,
    MAX_AGE_SECONDS,
    MAX_FUTURE_SECONDS,
    Action,
    Audit,
    AuditGroup,
    ReplayGuard,
    Withdraw,
)
from zoomaudit.vocabulary import AccountScope, Scope, Trigger, UsersScope

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from zoomaudit.queue.enqueue import JobQueue
    from zoomaudit.settings import Settings
    from zoomaudit.zoom.client import ZoomClient

log = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Epoch seconds (``time.time``)."""


class Runner(Protocol):
    """The part of ``zoomaudit.runner.run``'s signature the service uses."""

    def __call__(
        self,
        scope: Scope,
        trigger: Trigger = "manual",
        *,
        settings: Settings,
        observer: Observer | None = None,
        store: Any = None,
        client: ZoomClient | None = None,
    ) -> Awaitable[RunOutcome]: ...


WithdrawFixes = Callable[[int], Awaitable[object] | object]
"""Withdraw the open fixes of a deleted meeting; wired in ``wiring.py``."""
ApplyDeferred = Callable[["ZoomClient"], Awaitable[object] | object]
"""Retry the fixes deferred by Zoom's per-host daily quota with the lane's client; ``wiring.py``."""
GroupMembers = Callable[["ZoomClient", str], Awaitable[list[str]]]
"""User ids of a group's members, read with the lane's client."""


def nightly_scope() -> Scope:
    return AccountScope()


async def run_nightly(
    settings: Settings,
    runner: Runner,
    *,
    store: Any = None,
    observer: Observer | None = None,
    client: ZoomClient | None = None,
) -> RunOutcome:
    """The nightly audit itself: the whole account, trigger ``scheduled``, fixes per policy mode."""
    return await runner(
        nightly_scope(), "scheduled", settings=settings, store=store, observer=observer, client=client
    )


class LoggingObserver:
    """Run progress into the log (the service has no terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._hosts = 0

    def phase(self, name: str) -> None:
        log.info("%s: %s", self.label, name)

    def total(self, hosts: int) -> None:
        log.info("%s: %d host(s)", self.label, hosts)

    def advance(self, hosts: int = 1) -> None:
        self._hosts += hosts


async def _maybe_await(value: Awaitable[object] | object) -> object:
    return await value if inspect.isawaitable(value) else value


@dataclass(eq=False)
class Service:
    """State shared by the app, the webhook endpoint and the scheduler's job functions."""

    settings: Settings
    runner: Runner
    store: Any = None
    """Passed to the runner as is; None lets each run open (and close) its own."""
    withdraw_fixes: WithdrawFixes | None = None
    apply_deferred: ApplyDeferred | None = None
    group_members: GroupMembers | None = None
    clock: Clock = time.time
    debounce: float = 5.0
    shutdown_grace: float = 30.0
    make_client: ClientFactory | None = None
    """Makes the lane's one Zoom client; None for ``ZoomClient(settings)``."""
    dispatcher: Dispatcher = field(init=False)
    lane: ZoomLane = field(init=False)
    """The one Zoom client and turn of the service (lane.py): every Zoom call goes through it."""
    scheduler: AsyncIOScheduler | None = None
    alerts: Alerts = field(init=False)
    """Notifications (service/alerts.py); off until the app gives it a notifier."""
    signatures: ReplayGuard = field(init=False)
    events: ReplayGuard = field(init=False)
    failed: ReplayGuard = field(init=False)
    """Signatures of deliveries answered 503/500: Zoom's retries of them are taken (webhook_endpoint.py)."""
    accepting: bool = False
    queue: JobQueue | None = None
    """Queue mode (``serve --role web|scheduler``): Zoom work is put on the work queue for
    ``zoomaudit worker`` processes instead of running in this process's lane."""
    account: str = "default"
    """The account this service's jobs are for (``default`` without an accounts file)."""

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.debounce)
        self.lane = ZoomLane(self.settings, make_client=self.make_client)
        self.alerts = Alerts(None, self.now)
        self.signatures = ReplayGuard(MAX_AGE_SECONDS + MAX_FUTURE_SECONDS)
        self.events = ReplayGuard(EVENT_MEMORY_SECONDS)
        self.failed = ReplayGuard(EVENT_MEMORY_SECONDS)

    @property
    def webhooks_on(self) -> bool:
        return bool(self.settings.zoom_webhook_secret_token.get_secret_value())

    @property
    def audits(self) -> set[asyncio.Task[Any]]:
        """Zoom jobs (audits, deferred-fix retries, console approvals) running or waiting their turn."""
        return self.lane.tasks

    @property
    def running(self) -> str | None:
        """What holds the lane's turn now, e.g. "webhook audit of meeting:123"."""
        return self.lane.running

    # --- audits -------------------------------------------------------------------------------

    async def audit(self, scope: Scope, trigger: Trigger = "manual") -> RunOutcome:
        """Run one audit in the lane's turn; tracked so that shutdown can let it finish or cancel it.

        Audits take turns with every other Zoom job of the service and use the lane's one client,
        so nothing spends the account share set by ``ZOOMAUDIT_RATE_SHARE`` twice. The run is
        shielded: cancelling the caller (the scheduler's executor, the dispatcher, a console
        request) does not cancel the audit; ``drain`` decides its fate.
        """
        label = f"{trigger} audit of {_describe(scope)}"
        observer = LoggingObserver(label)
        return await self._audit_in_lane(
            label,
            lambda client: self.runner(
                scope, trigger, settings=self.settings, store=self.store, observer=observer, client=client
            ),
        )

    async def nightly(self) -> RunOutcome:
        """The scheduled whole-account audit, then its digest (notifications, when configured).

        A nightly audit that fails is itself news: the lead hears why."""
        label = "scheduled audit of the account"
        observer = LoggingObserver(label)
        try:
            outcome = await self._audit_in_lane(
                label,
                lambda client: run_nightly(
                    self.settings, self.runner, store=self.store, observer=observer, client=client
                ),
            )
        except ZoomAuditError as exc:
            if not isinstance(exc, AuthError):  # refused credentials: already told, once
                detail = f"{type(exc).__name__}: {exc}"
                self.alerts.after_failure("the scheduled audit failed", detail, "nightly-failed")
            raise
        self.alerts.after_run(outcome.run_id)
        return outcome

    async def retry_deferred(self) -> None:
        """Apply the fixes Zoom's per-host daily quota deferred (Zoom writes: in the lane too)."""
        apply = self.apply_deferred
        if apply is None:
            log.warning("deferred fixes cannot be retried: no apply_deferred function is wired")
            return
        result = await self.lane.run("retry of deferred fixes", lambda client: _maybe_await(apply(client)))
        log.info("deferred fixes retried: %s", result)

    async def prune(self) -> Any:
        """Delete runs, checks and notification log rows older than ``ZOOMAUDIT_RETENTION_DAYS``
        (the nightly "prune" job; store/retention.py says what is always kept)."""
        if self.store is None:
            log.warning("nothing pruned: the service has no store of its own")
            return None
        result = await asyncio.to_thread(self.store.retention.prune, self.now(), self.settings.retention_days)
        if self.queue is not None:
            await self.queue.forget_finished(self.settings.retention_days)
        log.info(
            "pruned data older than %d days: %d run(s), %d finding(s), %d check(s), %d notification(s)",
            self.settings.retention_days,
            result.runs,
            result.findings,
            result.pre_session_checks,
            result.notifications,
        )
        return result

    # --- pre-session checks (presession.py) ----------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def pre_session_check(
        self, meeting_id: int, occurrence_id: str | None, start_time: str, timezone: str | None, lead: int
    ) -> str:
        """Run one planned pre-session check (the scheduler's date job); returns its outcome."""
        due = datetime.fromisoformat(start_time) - timedelta(minutes=lead)
        check = presession.PlannedCheck.from_args(
            [meeting_id, occurrence_id, start_time, timezone, lead], due
        )

        def finished(check_id: int, outcome: str) -> None:
            if outcome == "violations":
                self.alerts.after_check(check_id)

        return await presession.run_check(
            check, store=self.store, audit=self.audit, clock=self.now, finished=finished
        )

    def replan_checks(self, *, starting: bool = False) -> None:
        """Plan the pre-session checks again from the stored start times (after every run, every
        few minutes, and at start-up). A failure is logged: it never fails the run before it.

        At start-up (``starting``) checks left running by a service that stopped are marked
        failed first; checks missed while it was down whose session has not begun are due at once.
        """
        scheduler = self.scheduler
        if scheduler is None or not scheduler.running or self.store is None:
            return
        try:
            if starting:
                self.store.pre_session.abandon_running(self.now())
            added, removed = presession.replan(
                scheduler, self.store, self.settings.pre_session_leads, self.now()
            )
        except Exception:
            log.exception("pre-session checks could not be planned; the next run plans them again")
            return
        if added or removed:
            log.info("pre-session checks planned: %d added or moved, %d removed", added, removed)

    async def _audit_in_lane(
        self, label: str, make: Callable[[ZoomClient], Awaitable[RunOutcome]]
    ) -> RunOutcome:
        try:
            result = await self.lane.run(label, make)
        except AuthError as exc:
            self.alerts.after_failure("Zoom refused zoomaudit's credentials", str(exc), "zoom-credentials")
            raise
        finally:
            self.replan_checks()
        log.info(
            "%s finished: run %s, %s, %d violation(s)",
            label,
            result.run_id,
            "complete" if result.complete else "incomplete",
            result.counts.get("violations", 0),
        )
        return result

    def submit_audit(self, scope: Scope, trigger: Trigger = "manual", *, key: str | None = None) -> bool:
        """Queue an audit (debounced under ``key``); for webhooks and the console's "Audit now".

        In queue mode the debounced audit is put on the work queue, for a worker to run."""
        queue = self.queue
        if queue is not None:
            return self.dispatcher.submit(
                key or _describe(scope), lambda: self._enqueue_audit(queue, scope, trigger)
            )
        return self.dispatcher.submit(key or _describe(scope), lambda: self._quiet_audit(scope, trigger))

    async def _enqueue_audit(self, queue: JobQueue, scope: Scope, trigger: Trigger) -> None:
        await queue.audit(self.account, trigger, scope)

    async def _quiet_audit(self, scope: Scope, trigger: Trigger) -> None:
        try:
            await self.audit(scope, trigger)
        except ZoomAuditError as exc:
            log.warning("%s audit of %s failed: %s", trigger, _describe(scope), exc)

    # --- webhook actions ----------------------------------------------------------------------

    def handle(self, action: Action) -> bool:
        """Queue the work a verified webhook asks for; returns at once. False if it was not queued."""
        if isinstance(action, Audit):
            return self.submit_audit(action.scope, "webhook", key=action.key)
        if isinstance(action, AuditGroup):
            return self.dispatcher.submit(action.key, lambda: self._audit_group(action.group_id))
        if isinstance(action, Withdraw):
            # A pending re-audit of a deleted meeting would only find it missing.
            self.dispatcher.cancel(f"meeting:{action.meeting_id}")
            return self.dispatcher.submit(
                f"withdraw:{action.meeting_id}", lambda: self._withdraw(action.meeting_id), debounce=False
            )
        log.info("ignored: %s", action.reason)
        return True

    async def _audit_group(self, group_id: str) -> None:
        if self.group_members is None:
            log.info("group %s changed; members unknown here, so the whole account is re-audited", group_id)
            self.submit_audit(AccountScope(), "webhook", key="account")
            return
        try:
            lookup = self.group_members
            members = await self.lane.run(
                f"listing of group {group_id}'s members", lambda client: lookup(client, group_id)
            )
        except ZoomAuditError as exc:
            log.warning("members of group %s not listed (%s); re-auditing the whole account", group_id, exc)
            self.submit_audit(AccountScope(), "webhook", key="account")
            return
        if not members:
            log.info("group %s changed but has no members; nothing to re-audit", group_id)
            return
        await self._quiet_audit(UsersScope.of(*members), "webhook")

    async def _withdraw(self, meeting_id: int) -> None:
        if self.store is not None:
            dropped = presession.forget_meeting(self.scheduler, self.store, meeting_id, self.now())
            if dropped:
                log.info("meeting %s deleted: %d pre-session check(s) dropped", meeting_id, dropped)
        if self.withdraw_fixes is None:
            log.warning("meeting %s deleted; no withdraw function is wired, its open fixes stay", meeting_id)
            return
        result = await _maybe_await(self.withdraw_fixes(meeting_id))
        log.info("meeting %s deleted: open fixes withdrawn (%s)", meeting_id, result)

    # --- life cycle ---------------------------------------------------------------------------

    async def drain(self, grace: float | None = None) -> None:
        """Cancel Zoom jobs still waiting for their turn; give the running one ``grace`` seconds,
        then cancel it too (the runner stores its run as failed, never complete)."""
        await self.lane.drain(self.shutdown_grace if grace is None else grace)
        await self.alerts.drain()


def _describe(scope: Scope) -> str:
    if scope.kind == "meetings":
        return "meeting:" + ",".join(str(m) for m in scope.meeting_ids)
    if scope.kind == "user":
        return "user:" + ",".join(scope.users)
    return "account"


_current: Service | None = None


def set_current(service: Service | None) -> None:
    global _current
    _current = service


def current() -> Service:
    """The service of this process (set by the app's lifespan)."""
    if _current is None:
        raise RuntimeError("no zoomaudit service is running in this process")
    return _current
