"""The one orchestration: collect -> resolve/evaluate -> store -> plan/apply fixes.

The CLI, the nightly job, the webhooks and the web console all call ``run``; none of them
re-implements a step.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from zoomaudit.aio import Started
from zoomaudit.judging import Tally, judge
from zoomaudit.vocabulary import FixMode, Scope, Trigger, scope_detail

if TYPE_CHECKING:
    from zoomaudit.fixes.plan import FixPlan
    from zoomaudit.fixes.steps import ApplyResult
    from zoomaudit.fixes.waivers import WaiverRecord
    from zoomaudit.policy import PolicySet
    from zoomaudit.settings import Settings
    from zoomaudit.snapshot import AccountContext, HostBatch
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient


class Observer(Protocol):
    """Progress callbacks. The CLI plugs in a Rich progress bar, the service plugs in logging."""

    def phase(self, name: str) -> None: ...
    def total(self, hosts: int) -> None: ...
    def advance(self, hosts: int = 1) -> None: ...


class NullObserver:
    def phase(self, name: str) -> None:
        pass

    def total(self, hosts: int) -> None:
        pass

    def advance(self, hosts: int = 1) -> None:
        pass


@dataclass
class RunOutcome:
    """What a caller needs after a run; the details are in the store under ``run_id``."""

    run_id: str
    complete: bool
    counts: dict[str, int] = field(default_factory=dict)
    """violations, passed, manual, waived, errors, meetings, users, past (meetings whose sessions
    are over: not judged)."""
    fix_ids: list[str] = field(default_factory=list)
    """Fix plans created or reused by this run."""
    applied_fix_ids: list[str] = field(default_factory=list)
    planned: list[FixPlan] = field(default_factory=list)
    """Fix plans of a dry run (nothing recorded, nothing applied)."""
    fix_results: list[ApplyResult] = field(default_factory=list)
    """Results of auto-applied fixes."""
    rejudged_from: str | None = None
    """For ``zoomaudit rejudge``: the run whose snapshot was judged again."""
    account: str = "default"
    """The Zoom account audited (its short name)."""


async def run(
    scope: Scope,
    trigger: Trigger = "manual",
    *,
    settings: Settings,
    fix_mode: FixMode | None = None,
    dry_run: bool = False,
    max_changes: int = 50,
    observer: Observer | None = None,
    client: ZoomClient | None = None,
    store: Store | None = None,
    policies: PolicySet | None = None,
    now: datetime | None = None,
    starting_within: timedelta | None = None,
    account: str = "default",
) -> RunOutcome:
    """Audit ``scope`` of the Zoom account named ``account``: collect, evaluate, store, plan fixes
    (and apply the ``auto`` ones).

    With ``starting_within``, only the sessions that start before ``now`` plus that window (or are
    in progress) are judged; the others are skipped after collection, like past ones but not
    counted (user and account checks still run).

    ``account`` is the account's short name (``default`` without an accounts file): the run, its
    fix plans and their trail are recorded under it, and only its waivers apply. The caller hands
    in the ``client`` (or ``settings``) of that account.

    ``fix_mode`` overrides every policy's fix mode for this run. ``dry_run`` plans fixes and
    returns them in the outcome but records nothing in the fix queue and changes nothing in Zoom.
    Raises ``UnknownMeeting`` (before any run is stored) for an unknown meeting id, and
    ``ZoomError`` when the audit cannot be completed; the stored run is then marked failed.
    """
    from zoomaudit.policy import load_policies
    from zoomaudit.zoom.client import ZoomClient

    policies = policies or load_policies(Path(settings.policies_dir) if settings.policies_dir else None)
    own_client = client is None
    client = client or ZoomClient(settings)
    runner = _Run(
        scope,
        trigger,
        account=account,
        settings=settings,
        client=client,
        store=store,
        policies=policies,
        fix_mode=fix_mode,
        dry_run=dry_run,
        max_changes=max_changes,
        observer=observer or NullObserver(),
        now=now or datetime.now(UTC),
        fixed_clock=now is not None,
        starting_within=starting_within,
    )
    try:
        return await runner.execute()
    finally:
        if own_client:
            await client.aclose()
        await runner.close_opened_store()


def _open_store(settings: Settings) -> Store:
    from zoomaudit.store import Store

    return Store.from_settings(settings)


class _Run:
    """The state of one run while it executes; ``run`` is its only user."""

    def __init__(
        self,
        scope: Scope,
        trigger: Trigger,
        *,
        account: str = "default",
        settings: Settings,
        client: ZoomClient,
        store: Store | None,
        policies: PolicySet,
        fix_mode: FixMode | None,
        dry_run: bool,
        max_changes: int,
        observer: Observer,
        now: datetime,
        fixed_clock: bool = False,
        starting_within: timedelta | None = None,
    ) -> None:
        from zoomaudit.collect import Collector, Needs
        from zoomaudit.controls import get_control

        self.scope, self.trigger, self.client = scope, trigger, client
        self.settings = settings
        self.given_store = store
        self.opening: asyncio.Future[Store] | None = None
        self.store: Store  # set once the store is open (the run stores nothing before then)
        self.policies, self.fix_mode, self.dry_run = policies, fix_mode, dry_run
        self.max_changes, self.observer, self.now = max_changes, observer, now
        self.fixed_clock = fixed_clock
        self.starting_within = starting_within
        """A caller that gave ``now`` keeps every time of the run at it (tests, replays)."""
        enabled = [p for p in policies.policies if p.enabled]
        self.needs = Needs.for_controls(get_control(p.control) for p in enabled)
        self.collector = Collector(
            client,
            self.needs,
            now=now,
            occurrences=settings.occurrences,
            concurrency=settings.concurrency,
            on_hosts=observer.total,
        )
        self.tally = Tally()
        self.counts = self.tally.counts
        self.account = account
        self.outcome = RunOutcome(run_id="", complete=False, account=account)
        self.snapshot_sequence = 0
        """Chunks of the run's snapshot written so far (``snapshot_codec``)."""
        self.auto_fix_ids: list[str] = []
        self.policy_by_fix: dict[str, str] = {}

    async def execute(self) -> RunOutcome:
        from zoomaudit.collect import batches_for, read_account, read_groups, read_targets

        if self.scope.kind != "account":
            self.observer.phase("reading the meetings and hosts named")
        # Account settings and the group list depend on nothing, so they are read while the
        # named meetings and hosts are, and the hosts' groups as soon as the hosts are known.
        # Opening the store (importing SQLAlchemy, checking the schema: ~0.3 s of CPU, a third
        # of a single-meeting audit) runs in a worker thread meanwhile; it is scheduled after
        # the reads so their first requests are under way first.
        account_read = asyncio.ensure_future(read_account(self.client, self.needs))
        targets_read = asyncio.ensure_future(read_targets(self.collector, self.scope))

        async def account_context() -> AccountContext:
            targets = await targets_read
            base = await account_read
            priority = self.settings.group_priority_names
            return await read_groups(self.client, self.needs, base, targets.group_ids, priority)

        # A failure of the account reads surfaces where the account is awaited, after the run
        # is stored, so the run records it.
        account_task = asyncio.ensure_future(account_context())
        if self.given_store is None:
            self.opening = asyncio.ensure_future(asyncio.to_thread(_open_store, self.settings))
        reads = (account_read, targets_read, account_task)
        batches: Started[HostBatch] | None = None
        try:
            # The hosts are read from here on, while the store opens and the account's settings
            # and groups are read: Light requests (a host's meetings, what bounds an audit) start
            # seconds sooner than if the first host waited for all of that. What they find is
            # judged once the account is known.
            batches = Started(batches_for(self.collector, self.scope, await targets_read))
            return await self._store_and_take(batches, account_task)
        finally:
            if batches is not None:
                await batches.aclose()
            for task in reads:
                task.cancel()  # a no-op once done; gather then retrieves its error, if any
            await asyncio.gather(*reads, return_exceptions=True)

    async def close_opened_store(self) -> None:
        """Close the store this run opened; one that failed to open has raised in the run."""
        if self.opening is None:
            return
        try:
            opened = await self.opening
        except Exception:
            return
        opened.close()

    async def _store_and_take(
        self, batches: AsyncIterator[HostBatch], account_task: asyncio.Future[AccountContext]
    ) -> RunOutcome:
        if self.opening is not None:
            self.store = await self.opening
        else:
            assert self.given_store is not None
            self.store = self.given_store
        # Only now: these import SQLAlchemy, which the store's thread may still be importing, and
        # waiting on its import lock would hold the event loop (and the requests in flight) too.
        from zoomaudit.fixes.waivers import active_waivers
        from zoomaudit.store import PolicyInfo

        self.store.abandon_stale_runs(self.now)
        detail: dict[str, Any] = dict(scope_detail(self.scope))
        if self.starting_within is not None:
            detail["starting_within"] = int(self.starting_within.total_seconds() // 60)
        info = {p.id: PolicyInfo(title=p.title, rationale=p.rationale) for p in self.policies.policies}
        run_id = self.store.start_run(
            self.trigger,
            self.scope.kind,
            detail,
            self.policies.hash,
            self.now,
            policies=info,
            account=self.account,
        )
        self.outcome.run_id = run_id
        try:
            self.observer.phase("reading account and group settings")
            account = await account_task
            if self.store.snapshot_runs > 0:
                await asyncio.to_thread(self._keep_account, account)
            waivers = active_waivers(self.store, self.now.date(), account=self.account)
            if not self.dry_run:
                # Each audit drops the old passcodes no revert can use any more (store.sealing);
                # once, before its plans, in a thread like the storing (not the paced loop).
                await asyncio.to_thread(self.store.passcodes.forget_expired, self.clock())
            self.observer.phase("auditing hosts")
            async for batch in batches:
                # Evaluating and storing a host takes ~50 ms of CPU and SQLite. In a worker thread it
                # no longer stalls the event loop that paces requests: stalls bunched requests into
                # the next second and provoked 429s at a share of 1.0 (docs/performance.md).
                await asyncio.to_thread(self._take, account, batch, waivers)
                self.observer.advance()
            if self.auto_fix_ids and not self.dry_run:
                await self._apply_auto()
        except BaseException as exc:
            # Cancelled, interrupted or Zoom unusable: the run is kept, marked failed, never complete.
            self.store.finish_run(
                run_id,
                complete=False,
                finished_at=datetime.now(UTC),
                counts=self.counts,
                error=str(exc) or type(exc).__name__,
            )
            self.store.snapshots.forget(run_id)  # nothing to judge again in a run that failed
            raise
        complete = self.tally.collect_errors == 0
        self.store.finish_run(run_id, complete=complete, finished_at=datetime.now(UTC), counts=self.counts)
        # Only complete runs can be judged again; of those, the latest N keep their snapshot.
        self.store.snapshots.keep_latest(self.store.snapshot_runs)
        self.outcome.complete = complete
        self.outcome.counts = dict(self.counts)
        return self.outcome

    def _keep_account(self, account: AccountContext) -> None:
        from zoomaudit.snapshot_codec import ACCOUNT_SEQUENCE, encode_account

        data = encode_account(account, self.needs.options)
        self.store.snapshots.add(self.outcome.run_id, ACCOUNT_SEQUENCE, data)

    def _snapshot_chunk(self, batch: HostBatch) -> tuple[int, bytes] | None:
        """The batch as collected, for the run's snapshot (secrets removed, compressed): one chunk
        per host, stored with its findings, so the snapshot is never whole in memory."""
        from zoomaudit.snapshot_codec import encode_batch

        if self.store.snapshot_runs <= 0:
            return None
        self.snapshot_sequence += 1
        return self.snapshot_sequence, encode_batch(batch)

    def _take(self, account: AccountContext, batch: HostBatch, waivers: list[WaiverRecord]) -> None:
        """Keep one host batch in the snapshot, judge it, plan its fixes and store both before
        the next batch."""
        from zoomaudit.fixes.plan import plan_fixes
        from zoomaudit.fixes.queue import record_plans

        chunk = self._snapshot_chunk(batch)
        judged = judge(
            self.policies, account, batch, waivers, now=self.now, starting_within=self.starting_within
        )
        findings, batch = judged.findings, judged.batch
        plans = plan_fixes(findings, self.policies, account, batch, mode_override=self.fix_mode)
        if plans and self.dry_run:
            self.outcome.planned.extend(plans)
        elif plans:
            ids = record_plans(self.store, self.outcome.run_id, plans, self.clock(), account=self.account)
            by_identity: dict[tuple[str, str, str], str] = {}
            for plan in plans:
                fix_id = ids[plan.dedupe_key]
                self.outcome.fix_ids.append(fix_id)
                if plan.mode == "auto":
                    self.auto_fix_ids.append(fix_id)
                    self.policy_by_fix[fix_id] = plan.policy_id
                for identity in plan.covers:
                    by_identity[identity] = fix_id
            findings = [
                f.model_copy(update={"fix_id": by_identity[f.identity]}) if f.identity in by_identity else f
                for f in findings
            ]
        self.tally.store(self.store, self.outcome.run_id, judged, findings, chunk)

    def clock(self) -> datetime:
        """The time now, for what is stamped when it happens (the fix trail), not the run start."""
        return self.now if self.fixed_clock else datetime.now(UTC)

    async def _apply_auto(self) -> None:
        from zoomaudit.fixes.apply import apply_auto

        ordered = list(dict.fromkeys(self.auto_fix_ids))
        results = await apply_auto(
            self.store,
            self.client,
            ordered,
            policy_by_fix=self.policy_by_fix,
            max_changes=self.max_changes,
            clock=self.clock,
        )
        self.outcome.fix_results = list(results)
        self.outcome.applied_fix_ids = [r.fix_id for r in results if r.ok]
