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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from zoomaudit.errors import AuthError, UsageError, ZoomAuditError
from zoomaudit.runner import Observer, RunOutcome
from zoomaudit.service import presession
from zoomaudit.service.alerts import Alerts
from zoomaudit.service.desk import AccountDesk
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


WithdrawFixes = Callable[[int, str], Awaitable[object] | object]
"""Withdraw the open fixes of a deleted meeting of an account (its name, the second argument);
wired in ``wiring.py``."""
ApplyDeferred = Callable[["ZoomClient", str], Awaitable[object] | object]
"""Retry the fixes of one account (its name, the second argument) deferred by Zoom's per-host
daily quota, with that account's lane's client; ``wiring.py``."""
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
    account: str | None = None,
) -> RunOutcome:
    """The nightly audit itself: the whole account, trigger ``scheduled``, fixes per policy mode
    (``account``: the name of an account of the accounts file)."""
    extra: dict[str, Any] = {} if account is None else {"account": account}
    return await runner(
        nightly_scope(),
        "scheduled",
        settings=settings,
        store=store,
        observer=observer,
        client=client,
        **extra,
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
    """Makes the first account's lane's Zoom client; None for ``ZoomClient(settings)``."""
    accounts: Mapping[str, Settings] | None = None
    """Every account the service audits, by name, with its own Settings (the accounts file,
    ``zoomaudit.account_settings``); None: the one account ``account`` with ``settings``."""
    dispatcher: Dispatcher = field(init=False)
    desks: dict[str, AccountDesk] = field(init=False)
    """Each account's lane and notifications (desk.py), in the accounts file's order."""
    lane: ZoomLane = field(init=False)
    """The first account's Zoom client and turn (lane.py); each account has its own lane."""
    scheduler: AsyncIOScheduler | None = None
    alerts: Alerts = field(init=False)
    """The first account's notifications (service/alerts.py); off until the app gives it a notifier."""
    signatures: ReplayGuard = field(init=False)
    events: ReplayGuard = field(init=False)
    failed: ReplayGuard = field(init=False)
    """Signatures of deliveries answered 503/500: Zoom's retries of them are taken (webhook_endpoint.py)."""
    accepting: bool = False
    queue: JobQueue | None = None
    """Queue mode (``serve --role web|scheduler``): Zoom work is put on the work queue for
    ``zoomaudit worker`` processes instead of running in this process's lane."""
    account: str = "default"
    """The first account (``default`` without an accounts file): what a job that names no
    account acts for."""

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.debounce)
        accounts = dict(self.accounts) if self.accounts else {self.account: self.settings}
        self.account = next(iter(accounts))
        self.desks = {
            name: AccountDesk.open(
                name, settings, self.now, self.make_client if name == self.account else None
            )
            for name, settings in accounts.items()
        }
        self.lane = self.desks[self.account].lane
        self.alerts = self.desks[self.account].alerts
        self.signatures = ReplayGuard(MAX_AGE_SECONDS + MAX_FUTURE_SECONDS)
        self.events = ReplayGuard(EVENT_MEMORY_SECONDS)
        self.failed = ReplayGuard(EVENT_MEMORY_SECONDS)

    def desk(self, account: str | None = None) -> AccountDesk:
        """The desk of ``account`` (None: the first account); a UsageError for an unknown name."""
        name = self.account if account is None else account
        desk = self.desks.get(name)
        if desk is None:
            raise UsageError(f"no account named {name!r}; this service audits {', '.join(self.desks)}")
        return desk

    @property
    def several(self) -> bool:
        """Whether the service audits the accounts of an accounts file (each named in its runs)."""
        return self.accounts is not None

    @property
    def shared_log(self) -> bool:
        """Whether several accounts share the notification log (each retries its own channels')."""
        return len(self.desks) > 1

    @property
    def webhooks_on(self) -> bool:
        """Whether any account has a webhook secret token."""
        return any(desk.webhook_secret for desk in self.desks.values())

    @property
    def audits(self) -> set[asyncio.Task[Any]]:
        """Zoom jobs (audits, deferred-fix retries, console approvals) running or waiting their
        turn, in every account's lane."""
        return set().union(*(desk.lane.tasks for desk in self.desks.values()))

    @property
    def running(self) -> str | None:
        """What holds a lane's turn now, e.g. "webhook audit of meeting:123" (each account's,
        joined by "; ", when several run at once)."""
        labels = [desk.lane.running for desk in self.desks.values() if desk.lane.running]
        return "; ".join(labels) if labels else None

    @property
    def running_count(self) -> int:
        """How many accounts' lanes are running a job now."""
        return sum(1 for desk in self.desks.values() if desk.lane.running)

    # --- audits -------------------------------------------------------------------------------

    def _label(self, what: str, account: str) -> str:
        # With several accounts every log line says whose job it is.
        return f"{what} of {account}" if self.several else what

    def _run_args(self, account: str) -> dict[str, Any]:
        # The runner is told the account only when there are several: a runner injected by a
        # single-account caller (tests, the demo) need not know of accounts.
        return {"account": account} if self.several else {}

    async def audit(
        self, scope: Scope, trigger: Trigger = "manual", *, account: str | None = None
    ) -> RunOutcome:
        """Run one audit in its account's lane; tracked so that shutdown can let it finish or
        cancel it.

        Audits take turns with every other Zoom job of the same account and use the account's
        lane's one client, so nothing spends its share set by ``ZOOMAUDIT_RATE_SHARE`` (or the
        accounts file's ``rate_share``) twice; other accounts' audits run beside it. The run is
        shielded: cancelling the caller (the scheduler's executor, the dispatcher, a console
        request) does not cancel the audit; ``drain`` decides its fate.
        """
        desk = self.desk(account)
        label = self._label(f"{trigger} audit of {_describe(scope)}", desk.name)
        observer = LoggingObserver(label)
        extra = self._run_args(desk.name)
        return await self._audit_in_lane(
            desk,
            label,
            lambda client: self.runner(
                scope,
                trigger,
                settings=desk.settings,
                store=self.store,
                observer=observer,
                client=client,
                **extra,
            ),
        )

    async def nightly(self, account: str | None = None) -> RunOutcome:
        """The scheduled whole-account audit, then its digest (notifications, when configured).

        A nightly audit that fails is itself news: the account's lead hears why."""
        desk = self.desk(account)
        label = self._label("scheduled audit of the account", desk.name)
        observer = LoggingObserver(label)
        extra = self._run_args(desk.name)
        try:
            outcome = await self._audit_in_lane(
                desk,
                label,
                lambda client: self.runner(
                    nightly_scope(),
                    "scheduled",
                    settings=desk.settings,
                    store=self.store,
                    observer=observer,
                    client=client,
                    **extra,
                ),
            )
        except ZoomAuditError as exc:
            if not isinstance(exc, AuthError):  # refused credentials: already told, once
                detail = f"{type(exc).__name__}: {exc}"
                desk.alerts.after_failure("the scheduled audit failed", detail, "nightly-failed")
            raise
        desk.alerts.after_run(outcome.run_id)
        return outcome

    async def retry_deferred(self, account: str | None = None) -> None:
        """Apply the fixes of ``account`` (None: the first) that Zoom's per-host daily quota
        deferred, with that account's client (Zoom writes: in the account's lane). Another
        account's deferred fixes wait for that account's own retry."""
        apply = self.apply_deferred
        if apply is None:
            log.warning("deferred fixes cannot be retried: no apply_deferred function is wired")
            return
        desk = self.desk(account)
        result = await desk.lane.run(
            self._label("retry of deferred fixes", desk.name),
            lambda client: _maybe_await(apply(client, desk.name)),
        )
        log.info("%s: %s", self._label("deferred fixes retried", desk.name), result)

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
        self,
        meeting_id: int,
        occurrence_id: str | None,
        start_time: str,
        timezone: str | None,
        lead: int,
        account: str | None = None,
    ) -> str:
        """Run one planned pre-session check of ``account``'s meeting (the scheduler's date job;
        None: ``default``, as jobs planned before accounts name none) in that account's lane;
        returns its outcome. A violation left open is an urgent alert to that account's targets.
        A check of an account this service no longer audits is skipped."""
        due = datetime.fromisoformat(start_time) - timedelta(minutes=lead)
        check = presession.PlannedCheck.from_args(
            [meeting_id, occurrence_id, start_time, timezone, lead, account], due
        )
        desk = self.desks.get(check.account)
        if desk is None:
            log.warning(
                "pre-session check of meeting %s skipped: %r is not an account of this service",
                meeting_id,
                check.account,
            )
            return "skipped"

        def finished(check_id: int, outcome: str) -> None:
            if outcome == "violations":
                desk.alerts.after_check(check_id)

        async def audit(scope: Scope, trigger: Trigger) -> RunOutcome:
            return await self.audit(scope, trigger, account=desk.name)

        return await presession.run_check(
            check, store=self.store, audit=audit, clock=self.now, finished=finished
        )

    def replan_checks(self, *, starting: bool = False, account: str | None = None) -> None:
        """Plan the pre-session checks again from the stored start times (after every run, every
        few minutes, and at start-up). A failure is logged: it never fails the run before it.

        At start-up (``starting``) checks left running by a service that stopped are marked
        failed first; checks missed while it was down whose session has not begun are due at once.
        ``account``: plan only that account's (after its run); None: every account's.
        """
        scheduler = self.scheduler
        if scheduler is None or not scheduler.running or self.store is None:
            return
        try:
            if starting:
                self.store.pre_session.abandon_running(self.now())
            dropped = presession.remove_other_accounts(scheduler, self.desks)
            if dropped:
                log.info("%d pre-session check(s) of accounts no longer audited removed", dropped)
        except Exception:
            log.exception("pre-session checks could not be planned; the next run plans them again")
            return
        for desk in self.desks.values() if account is None else [self.desk(account)]:
            # Each account from its own stored sessions with its own lead times; a failure of one
            # account's plan leaves the others' planned.
            try:
                added, removed = presession.replan(
                    scheduler, self.store, desk.settings.pre_session_leads, self.now(), account=desk.name
                )
            except Exception:
                log.exception(
                    "%s could not be planned; the next run plans them again",
                    self._label("pre-session checks", desk.name),
                )
                continue
            if added or removed:
                log.info(
                    "%s planned: %d added or moved, %d removed",
                    self._label("pre-session checks", desk.name),
                    added,
                    removed,
                )

    async def _audit_in_lane(
        self, desk: AccountDesk, label: str, make: Callable[[ZoomClient], Awaitable[RunOutcome]]
    ) -> RunOutcome:
        try:
            result = await desk.lane.run(label, make)
        except AuthError as exc:
            desk.alerts.after_failure("Zoom refused zoomaudit's credentials", str(exc), "zoom-credentials")
            raise
        finally:
            self.replan_checks(account=desk.name)
        log.info(
            "%s finished: run %s, %s, %d violation(s)",
            label,
            result.run_id,
            "complete" if result.complete else "incomplete",
            result.counts.get("violations", 0),
        )
        return result

    def _key(self, key: str, account: str) -> str:
        """A dispatcher key of one account: the same meeting key of two accounts never merges."""
        return key if account == self.account else f"{account}/{key}"

    def submit_audit(
        self,
        scope: Scope,
        trigger: Trigger = "manual",
        *,
        key: str | None = None,
        account: str | None = None,
    ) -> bool:
        """Queue an audit of ``account`` (None: the first) debounced under ``key``; for webhooks
        and the console's "Audit now".

        In queue mode the debounced audit is put on the work queue, for a worker to run."""
        name = self.desk(account).name
        queue = self.queue
        debounced = self._key(key or _describe(scope), name)
        if queue is not None:
            return self.dispatcher.submit(debounced, lambda: self._enqueue_audit(queue, scope, trigger, name))
        return self.dispatcher.submit(debounced, lambda: self._quiet_audit(scope, trigger, name))

    async def _enqueue_audit(self, queue: JobQueue, scope: Scope, trigger: Trigger, account: str) -> None:
        await queue.audit(account, trigger, scope)

    async def _quiet_audit(self, scope: Scope, trigger: Trigger, account: str | None = None) -> None:
        try:
            await self.audit(scope, trigger, account=account)
        except ZoomAuditError as exc:
            label = self._label(f"{trigger} audit of {_describe(scope)}", self.desk(account).name)
            log.warning("%s failed: %s", label, exc)

    # --- webhook actions ----------------------------------------------------------------------

    def handle(self, action: Action, account: str | None = None) -> bool:
        """Queue the work a verified webhook of ``account`` (None: the first) asks for; returns at
        once. False if it was not queued."""
        name = self.desk(account).name
        if isinstance(action, Audit):
            return self.submit_audit(action.scope, "webhook", key=action.key, account=name)
        if isinstance(action, AuditGroup):
            return self.dispatcher.submit(
                self._key(action.key, name), lambda: self._audit_group(action.group_id, name)
            )
        if isinstance(action, Withdraw):
            # A pending re-audit of a deleted meeting would only find it missing.
            self.dispatcher.cancel(self._key(f"meeting:{action.meeting_id}", name))
            return self.dispatcher.submit(
                self._key(f"withdraw:{action.meeting_id}", name),
                lambda: self._withdraw(action.meeting_id, name),
                debounce=False,
            )
        log.info("ignored: %s", action.reason)
        return True

    async def _audit_group(self, group_id: str, account: str | None = None) -> None:
        desk = self.desk(account)
        if self.group_members is None:
            log.info("group %s changed; members unknown here, so the whole account is re-audited", group_id)
            self.submit_audit(AccountScope(), "webhook", key="account", account=desk.name)
            return
        try:
            lookup = self.group_members
            members = await desk.lane.run(
                f"listing of group {group_id}'s members", lambda client: lookup(client, group_id)
            )
        except ZoomAuditError as exc:
            log.warning("members of group %s not listed (%s); re-auditing the whole account", group_id, exc)
            self.submit_audit(AccountScope(), "webhook", key="account", account=desk.name)
            return
        if not members:
            log.info("group %s changed but has no members; nothing to re-audit", group_id)
            return
        await self._quiet_audit(UsersScope.of(*members), "webhook", desk.name)

    async def _withdraw(self, meeting_id: int, account: str | None = None) -> None:
        name = self.desk(account).name
        if self.store is not None:
            dropped = presession.forget_meeting(
                self.scheduler, self.store, meeting_id, self.now(), account=name
            )
            if dropped:
                log.info("meeting %s deleted: %d pre-session check(s) dropped", meeting_id, dropped)
        if self.withdraw_fixes is None:
            log.warning("meeting %s deleted; no withdraw function is wired, its open fixes stay", meeting_id)
            return
        result = await _maybe_await(self.withdraw_fixes(meeting_id, name))
        log.info("meeting %s deleted: open fixes withdrawn (%s)", meeting_id, result)

    # --- life cycle ---------------------------------------------------------------------------

    async def drain(self, grace: float | None = None) -> None:
        """Cancel Zoom jobs still waiting for their turn; give the running one ``grace`` seconds,
        then cancel it too (the runner stores its run as failed, never complete)."""
        grace = self.shutdown_grace if grace is None else grace
        # Every account's lane at once: the grace is the service's, not each account's in turn.
        await asyncio.gather(*(desk.lane.drain(grace) for desk in self.desks.values()))
        await asyncio.gather(*(desk.alerts.drain() for desk in self.desks.values()))

    async def close_lanes(self) -> None:
        """Close every account's Zoom client (once, at shutdown, after ``drain``)."""
        for desk in self.desks.values():
            await desk.lane.aclose()


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
