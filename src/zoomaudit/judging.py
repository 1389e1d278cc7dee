"""Judging one host batch and storing the verdicts: the step an audit (``runner``) and a rejudge
(``rejudge``) share, so that a stored snapshot judged again is judged exactly as the run judged it.

``judge`` is pure (the run's clock is passed in); ``Tally.store`` writes a batch's findings and
errors in the run and counts them. What only an audit does (planning and recording fixes) happens
between the two, in the runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, assert_never

from zoomaudit.findings import ErrorFinding, Finding, Manual, Pass, Violation, Waived

if TYPE_CHECKING:
    from zoomaudit.fixes.waivers import WaiverRecord
    from zoomaudit.policy import PolicySet
    from zoomaudit.snapshot import AccountContext, HostBatch
    from zoomaudit.store import Store
    from zoomaudit.store.writer_process import BatchSink

COUNT_KEYS = ("meetings", "users", "violations", "errors", "waived", "manual", "passed", "past")


@dataclass(frozen=True)
class Judged:
    batch: HostBatch
    """The batch as judged: sessions that are over (or outside the window) left out."""
    findings: list[Finding]
    past: int
    """Meetings whose sessions are all over: not judged, only counted."""


def judge(
    policies: PolicySet,
    account: AccountContext,
    batch: HostBatch,
    waivers: list[WaiverRecord],
    *,
    now: datetime,
    starting_within: timedelta | None = None,
) -> Judged:
    """Evaluate one host batch under ``policies`` at ``now``, waivers applied."""
    from zoomaudit.fixes.waivers import apply_waivers
    from zoomaudit.policy import evaluate_batch
    from zoomaudit.timing import split_past, starting_before

    # Sessions that are over are not judged and get no fixes; only their number is kept.
    live, past = split_past(batch.subjects, now)
    judged = {s.meeting.id for s in live}
    past_count = len({s.meeting.id for s in past} - judged)
    if starting_within is not None:
        # Sessions starting later (or with no fixed time) are skipped, and not counted.
        live = starting_before(live, now + starting_within)
    batch = batch.model_copy(update={"subjects": live})
    findings: list[Finding] = list(evaluate_batch(policies, account, batch))
    groups = [account.groups[g].name for g in batch.host.group_ids if g in account.groups]
    findings = apply_waivers(findings, waivers, today=now.date(), host_groups={batch.host.user.id: groups})
    return Judged(batch, findings, past_count)


def count_key(finding: Finding) -> str:
    """The key of a run's counts (store.records.COUNT_KEYS) that a finding adds one to."""
    match finding:
        case Violation():
            return "violations"
        case Pass():
            return "passed"
        case ErrorFinding():
            return "errors"
        case Waived():
            return "waived"
        case Manual():
            return "manual"
        case _:
            assert_never(finding)


@dataclass
class Tally:
    """A run's counts as its batches are stored."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    collect_errors: int = 0
    """Subjects that could not be read: the run is then incomplete."""

    def store(
        self,
        store: Store,
        run_id: str,
        judged: Judged,
        findings: list[Finding],
        snapshot: tuple[int, bytes] | None = None,
    ) -> None:
        """Store ``findings`` (``judged.findings``, with any fix ids the caller set), the batch's
        errors and its snapshot chunk, if any, in ``run_id`` (one transaction), and count them."""
        store.add_batch(run_id, findings, judged.batch.errors, snapshot)
        self.count(judged, findings)

    def store_many(self, store: BatchSink, run_id: str, judged: list[Judged]) -> None:
        """Store several judged batches in one transaction (a rejudge: nothing is fetched
        between them, and a commit per host was a third of its time), in ``store`` or the
        writer process it handed out (``Store.batch_sink``)."""
        findings = [f for one in judged for f in one.findings]
        store.add_batch(run_id, findings, [e for one in judged for e in one.batch.errors])
        for one in judged:
            self.count(one, one.findings)

    def count(self, judged: Judged, findings: list[Finding]) -> None:
        batch = judged.batch
        for finding in findings:
            self.counts[count_key(finding)] += 1
        self.counts["past"] += judged.past
        self.counts["errors"] += len(batch.errors)
        self.collect_errors += len(batch.errors)
        self.counts["meetings"] += len({s.meeting.id for s in batch.subjects})
        self.counts["users"] += 1
