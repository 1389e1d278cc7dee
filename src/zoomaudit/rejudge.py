"""``zoomaudit rejudge``: a stored run's snapshot judged again, under the current policies or
another folder of them, asking Zoom nothing.

The result is a new run (trigger ``rejudge``, ``rejudged_from`` the run judged), reported and
compared (``zoomaudit diff``) like any run. It is a what-if trial: judged with the source run's
clock (so the same sessions are over, and the waivers active that day apply), no fixes planned
or applied, no notification sent, and never taken for the account's current state (the store's
queries of what the account is now read ``vocabulary.REAL_TRIGGERS`` only). It shares the
judging step with the runner (``judging``), so the same policies give the same verdicts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from zoomaudit.errors import UsageError
from zoomaudit.judging import Judged, Tally, judge
from zoomaudit.runner import NullObserver, Observer, RunOutcome

if TYPE_CHECKING:
    from zoomaudit.policy import PolicySet
    from zoomaudit.settings import Settings
    from zoomaudit.store import RunRecord, Store

STORE_EVERY = 5000
"""Findings stored per transaction: a few hosts' worth (memory stays a few MB)."""


def rejudge(
    ref: str,
    *,
    settings: Settings,
    policies: PolicySet | None = None,
    store: Store | None = None,
    observer: Observer | None = None,
    account: str | None = None,
) -> RunOutcome:
    """Judge the snapshot of run ``ref`` (an id, a unique prefix or ``latest``) again; returns
    the new run. ``UsageError`` (exit 2) for an unknown or ambiguous run, one that did not
    complete or one that kept no snapshot, or policies reading settings the run did not read."""
    from zoomaudit.policy import load_policies
    from zoomaudit.store import Store

    policies = policies or load_policies(Path(settings.policies_dir) if settings.policies_dir else None)
    own = store is None
    store = store or Store.from_settings(settings)
    try:
        return _rejudge(store, source_of(store, ref, account), policies, observer or NullObserver())
    finally:
        if own:
            store.close()


def source_of(store: Store, ref: str, account: str | None = None) -> RunRecord:
    """The run whose snapshot ``ref`` names (within ``account`` when one is given): a rejudge
    run stands for the run it came from."""
    run = store.get_run(ref, account=account)
    if run.trigger == "rejudge":
        if run.rejudged_from is None:
            raise UsageError(f"run {run.id} is a rejudge of a run that has since been pruned")
        run = store.get_run(run.rejudged_from)
    if run.status != "complete":
        raise UsageError(
            f"run {run.id} is {run.status}: only a complete run can be judged again "
            "(an incomplete run did not read every subject); see `zoomaudit history`"
        )
    return run


def _rejudge(store: Store, source: RunRecord, policies: PolicySet, observer: Observer) -> RunOutcome:
    from zoomaudit.collect import Needs
    from zoomaudit.controls import get_control
    from zoomaudit.fixes.waivers import active_waivers
    from zoomaudit.snapshot_codec import ACCOUNT_SEQUENCE, decode_account, decode_batch
    from zoomaudit.store import PolicyInfo

    head = store.snapshots.chunk(source.id, ACCOUNT_SEQUENCE)
    if head is None:
        raise UsageError(
            f"run {source.id} kept no snapshot to judge again: only the latest "
            f"{store.snapshot_runs} complete runs keep theirs (ZOOMAUDIT_SNAPSHOT_RUNS), and runs "
            "made before zoomaudit kept snapshots have none; run `zoomaudit audit`"
        )
    account, views = decode_account(head)
    needs = Needs.for_controls(get_control(p.control) for p in policies.policies if p.enabled)
    missing = sorted(needs.options - views)
    if missing:
        raise UsageError(
            f"these policies read settings run {source.id} did not read ({', '.join(missing)}), "
            "so its snapshot cannot judge them; run `zoomaudit audit` with these policies instead"
        )
    detail = dict(source.scope_detail)
    window = detail.get("starting_within")
    starting_within = timedelta(minutes=int(window)) if window is not None else None
    # The source run's clock: the same sessions are over and the same waivers active, so only
    # the policies differ from the run judged.
    now = source.started_at
    waivers = active_waivers(store, now.date(), account=source.account)
    info = {p.id: PolicyInfo(title=p.title, rationale=p.rationale) for p in policies.policies}
    run_id = store.start_run(
        "rejudge",
        source.scope,
        detail,
        policies.hash,
        datetime.now(UTC),
        policies=info,
        rejudged_from=source.id,
        account=source.account,  # a what-if of that account's snapshot stays that account's
    )
    tally = Tally()
    observer.phase("judging the stored snapshot")
    try:
        # Each few hosts' verdicts are committed by a second process while the next are judged
        # (SQLite; inline otherwise): storing them took as long as judging them.
        with store.batch_sink() as sink:
            pending: list[Judged] = []
            for data in store.snapshots.chunks(source.id, start=ACCOUNT_SEQUENCE + 1):
                batch = decode_batch(data)
                pending.append(
                    judge(policies, account, batch, waivers, now=now, starting_within=starting_within)
                )
                observer.advance()
                if sum(len(j.findings) for j in pending) >= STORE_EVERY:
                    tally.store_many(sink, run_id, pending)
                    pending = []
            tally.store_many(sink, run_id, pending)
    except BaseException as exc:
        store.finish_run(
            run_id,
            complete=False,
            finished_at=datetime.now(UTC),
            counts=tally.counts,
            error=str(exc) or type(exc).__name__,
        )
        raise
    complete = tally.collect_errors == 0
    store.finish_run(run_id, complete=complete, finished_at=datetime.now(UTC), counts=tally.counts)
    return RunOutcome(
        run_id=run_id,
        complete=complete,
        counts=dict(tally.counts),
        rejudged_from=source.id,
        account=source.account,
    )
