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
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from zoomaudit.errors import ZoomAuditError
from zoomaudit.runner import Observer, RunOutcome
from zoomaudit.service.dispatch import Dispatcher
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

    from zoomaudit.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

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
    ) -> Awaitable[RunOutcome]: ...


WithdrawFixes = Callable[[int], Awaitable[object] | object]
"""Withdraw the open fixes of a deleted meeting; wired in ``wiring.py``."""
ApplyDeferred = Callable[[], Awaitable[object] | object]
"""Retry the fixes deferred by Zoom's per-host daily quota; wired in ``wiring.py``."""
GroupMembers = Callable[[str], Awaitable[list[str]]]
"""User ids of a group's members."""


def nightly_scope() -> Scope:
    return AccountScope()


async def run_nightly(
    settings: Settings, runner: Runner, *, store: Any = None, observer: Observer | None = None
) -> RunOutcome:
    """The nightly audit itself: the whole account, trigger ``scheduled``, fixes per policy mode."""
    return await runner(nightly_scope(), "scheduled", settings=settings, store=store, observer=observer)


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
    dispatcher: Dispatcher = field(init=False)
    scheduler: AsyncIOScheduler | None = None
    signatures: ReplayGuard = field(init=False)
    events: ReplayGuard = field(init=False)
    accepting: bool = False
    audits: set[asyncio.Task[Any]] = field(default_factory=set)
    """Audits (and deferred-fix retries) running or waiting for their turn."""
    running: str | None = None
    """What holds the turn now, e.g. "webhook audit of meeting:123"."""
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _running_task: asyncio.Task[Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.debounce)
        self.signatures = ReplayGuard(MAX_AGE_SECONDS + MAX_FUTURE_SECONDS)
        self.events = ReplayGuard(EVENT_MEMORY_SECONDS)

    @property
    def webhooks_on(self) -> bool:
        return bool(self.settings.zoom_webhook_secret_token.get_secret_value())

    # --- audits -------------------------------------------------------------------------------

    async def audit(self, scope: Scope, trigger: Trigger = "manual") -> RunOutcome:
        """Run one audit when no other runs; tracked so that shutdown can let it finish or cancel it.

        Audits run one at a time: each run has its own Zoom client and rate budget, so two at
        once could spend twice the account share set by ``ZOOMAUDIT_RATE_SHARE``. The run is
        shielded: cancelling the caller (the scheduler's executor, the dispatcher, a console
        request) does not cancel the audit; ``drain`` decides its fate.
        """
        label = f"{trigger} audit of {_describe(scope)}"
        observer = LoggingObserver(label)
        return await self._exclusive(
            label,
            lambda: self.runner(scope, trigger, settings=self.settings, store=self.store, observer=observer),
        )

    async def nightly(self) -> RunOutcome:
        """The scheduled whole-account audit (also ``zoomaudit schedule run-now``)."""
        label = "scheduled audit of the account"
        observer = LoggingObserver(label)
        return await self._exclusive(
            label, lambda: run_nightly(self.settings, self.runner, store=self.store, observer=observer)
        )

    async def retry_deferred(self) -> None:
        """Apply the fixes Zoom's per-host daily quota deferred (Zoom writes: one at a time too)."""
        apply = self.apply_deferred
        if apply is None:
            log.warning("deferred fixes cannot be retried: no apply_deferred function is wired")
            return
        result = await self._exclusive("retry of deferred fixes", lambda: _maybe_await(apply()))
        log.info("deferred fixes retried: %s", result)

    async def _exclusive(self, label: str, make: Callable[[], Awaitable[T]]) -> T:
        async def in_turn() -> T:
            async with self._turn:
                self.running, self._running_task = label, asyncio.current_task()
                log.info("%s started", label)
                try:
                    result = await make()
                finally:
                    self.running, self._running_task = None, None
                if isinstance(result, RunOutcome):
                    log.info(
                        "%s finished: run %s, %s, %d violation(s)",
                        label,
                        result.run_id,
                        "complete" if result.complete else "incomplete",
                        result.counts.get("violations", 0),
                    )
                return result

        if self.running is not None:
            log.info("%s waits for the %s to finish", label, self.running)
        task = asyncio.ensure_future(in_turn())
        self.audits.add(task)
        task.add_done_callback(self._finished)
        return await asyncio.shield(task)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.audits.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved here; the awaiting caller, if still there, reports it

    def submit_audit(self, scope: Scope, trigger: Trigger = "manual", *, key: str | None = None) -> bool:
        """Queue an audit (debounced under ``key``); for webhooks and the console's "Audit now"."""
        return self.dispatcher.submit(key or _describe(scope), lambda: self._quiet_audit(scope, trigger))

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
            members = await self.group_members(group_id)
        except ZoomAuditError as exc:
            log.warning("members of group %s not listed (%s); re-auditing the whole account", group_id, exc)
            self.submit_audit(AccountScope(), "webhook", key="account")
            return
        if not members:
            log.info("group %s changed but has no members; nothing to re-audit", group_id)
            return
        await self._quiet_audit(UsersScope.of(*members), "webhook")

    async def _withdraw(self, meeting_id: int) -> None:
        if self.withdraw_fixes is None:
            log.warning("meeting %s deleted; no withdraw function is wired, its open fixes stay", meeting_id)
            return
        result = await _maybe_await(self.withdraw_fixes(meeting_id))
        log.info("meeting %s deleted: open fixes withdrawn (%s)", meeting_id, result)

    # --- life cycle ---------------------------------------------------------------------------

    async def drain(self, grace: float | None = None) -> None:
        """Cancel audits still waiting for their turn; give the running one ``grace`` seconds, then
        cancel it too (the runner stores its run as failed, never complete)."""
        grace = self.shutdown_grace if grace is None else grace
        current = self._running_task
        waiting = [task for task in self.audits if task is not current]
        if waiting:
            log.info("shutdown: %d audit(s) waiting for their turn will not run", len(waiting))
            for task in waiting:
                task.cancel()
            await asyncio.wait(waiting, timeout=10.0)
        if current is None or current.done():
            return
        log.info("shutdown: waiting up to %.1f s for the %s", grace, self.running)
        _, unfinished = await asyncio.wait({current}, timeout=grace)
        if unfinished:
            log.warning("shutdown: cancelling the %s; its run is stored as failed", self.running)
            current.cancel()
            await asyncio.wait({current}, timeout=10.0)
        elif not current.cancelled() and current.exception() is not None:
            log.warning("the audit running at shutdown ended with an error: %s", current.exception())


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
