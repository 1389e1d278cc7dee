"""Retention in SQL: old runs (with their findings and errors), old pre-session checks and old
notification log rows are deleted (``zoomaudit prune``, and nightly in ``serve``).

What is never deleted:
- the newest complete run, and the newest complete run of the whole account (reports, diffs and
  ``upcoming`` start from them), however old (a ``rejudge`` run, a what-if trial, is never that);
- a run still ``running``;
- fix plans and their trail (``fix_events``): the record of what zoomaudit changed in Zoom, or
  proposed to change. A pruned run only loses its link from the plans it created
  (``created_run_id`` becomes NULL, as the schema's ``ON DELETE SET NULL`` says);
- waivers, admins, the meeting update quota;
- notifications still being retried, and the "once" dedupe marks of urgent alerts (without them an
  alert already sent would be sent again).

Snapshots (``store/snapshots.py``) are kept for the latest ``ZOOMAUDIT_SNAPSHOT_RUNS`` complete
runs only: a prune drops the others' (the runner already does after each run).

Runs are deleted a batch at a time, each batch in its own transaction, so a first prune of a
large database never holds the write lock for long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from zoomaudit.store.models import (
    Base,
    FindingRow,
    FixPlan,
    Notification,
    NotificationMark,
    PreSessionCheck,
    Run,
    RunErrorRow,
    SnapshotChunk,
)
from zoomaudit.vocabulary import REAL_TRIGGERS

if TYPE_CHECKING:
    from zoomaudit.store.database import Database

BATCH_RUNS = 50
"""Runs deleted per transaction."""
KEPT_PERIODS = ("once",)
"""Dedupe-mark periods that are not days, and are kept for ever."""


@dataclass(frozen=True)
class PruneResult:
    """What a prune deleted (or, in a dry run, would delete)."""

    cutoff: datetime
    """Rows older than this went."""
    runs: int = 0
    findings: int = 0
    errors: int = 0
    pre_session_checks: int = 0
    notifications: int = 0
    notification_marks: int = 0
    kept_runs: tuple[str, ...] = ()
    """Old runs kept anyway: the newest complete run (overall and of the account)."""
    dry_run: bool = False

    @property
    def total(self) -> int:
        return (
            self.runs
            + self.findings
            + self.errors
            + self.pre_session_checks
            + self.notifications
            + self.notification_marks
        )


class Retention:
    def __init__(self, store: Database) -> None:
        self._store = store

    def prune(self, now: datetime, days: int, *, dry_run: bool = False) -> PruneResult:
        """Delete what is older than ``days`` days before ``now`` (nothing with ``dry_run``)."""
        if days < 1:
            raise ValueError("the retention is at least one day")
        cutoff = now - timedelta(days=days)
        with self._store.read_session() as session:
            old, kept = _old_runs(session, cutoff)
            findings, errors = _rows_of(session, old)
            checks, notifications, marks = _other_counts(session, cutoff)
        result = PruneResult(
            cutoff=cutoff,
            runs=len(old),
            findings=findings,
            errors=errors,
            pre_session_checks=checks,
            notifications=notifications,
            notification_marks=marks,
            kept_runs=tuple(kept),
            dry_run=dry_run,
        )
        if dry_run:
            return result
        for start in range(0, len(old), BATCH_RUNS):
            with self._store.session() as session:
                _delete_runs(session, old[start : start + BATCH_RUNS])
        with self._store.session() as session:
            session.execute(delete(PreSessionCheck).where(*_old_checks(cutoff)))
            session.execute(delete(Notification).where(*_old_notifications(cutoff)))
            session.execute(delete(NotificationMark).where(*_old_marks(cutoff)))
        from zoomaudit.store.snapshots import SnapshotRepository

        SnapshotRepository(self._store).keep_latest(self._store.snapshot_runs)
        return result


def _old_runs(session: Session, cutoff: datetime) -> tuple[list[str], list[str]]:
    """Runs started before ``cutoff`` and not running: (to delete, kept as the newest complete)."""
    newest = (
        select(Run.id)
        .where(Run.status == "complete", Run.trigger.in_(REAL_TRIGGERS))
        .order_by(Run.started_at.desc(), Run.id.desc())
    )
    latest = {
        session.scalars(newest.limit(1)).first(),
        session.scalars(newest.where(Run.scope == "account").limit(1)).first(),
    }
    query = select(Run.id).where(Run.started_at < cutoff, Run.status != "running").order_by(Run.started_at)
    old = list(session.scalars(query))
    return [r for r in old if r not in latest], [r for r in old if r in latest]


def _rows_of(session: Session, run_ids: Sequence[str]) -> tuple[int, int]:
    findings = errors = 0
    for start in range(0, len(run_ids), BATCH_RUNS):
        batch = run_ids[start : start + BATCH_RUNS]
        findings += session.scalar(select(func.count()).where(FindingRow.run_id.in_(batch))) or 0
        errors += session.scalar(select(func.count()).where(RunErrorRow.run_id.in_(batch))) or 0
    return findings, errors


def _old_checks(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (PreSessionCheck.ran_at < cutoff, PreSessionCheck.outcome != "running")


def _old_notifications(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Notification.created_at < cutoff, Notification.status != "retrying")


def _old_marks(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    # Periods are UTC days written as YYYY-MM-DD, which compare as text in date order.
    return (
        NotificationMark.period < cutoff.strftime("%Y-%m-%d"),
        NotificationMark.period.not_in(KEPT_PERIODS),
    )


def _other_counts(session: Session, cutoff: datetime) -> tuple[int, int, int]:
    def count(table: type[Base], conditions: tuple[ColumnElement[bool], ...]) -> int:
        return session.scalar(select(func.count()).select_from(table).where(*conditions)) or 0

    return (
        count(PreSessionCheck, _old_checks(cutoff)),
        count(Notification, _old_notifications(cutoff)),
        count(NotificationMark, _old_marks(cutoff)),
    )


def _delete_runs(session: Session, run_ids: Sequence[str]) -> None:
    # The foreign keys cascade too; explicit statements make it one pass per table and batch,
    # and do not depend on SQLite's foreign_keys pragma.
    session.execute(delete(FindingRow).where(FindingRow.run_id.in_(run_ids)))
    session.execute(delete(RunErrorRow).where(RunErrorRow.run_id.in_(run_ids)))
    session.execute(delete(SnapshotChunk).where(SnapshotChunk.run_id.in_(run_ids)))
    session.execute(update(Run).where(Run.rejudged_from.in_(run_ids)).values(rejudged_from=None))
    session.execute(update(FixPlan).where(FixPlan.created_run_id.in_(run_ids)).values(created_run_id=None))
    session.execute(delete(Run).where(Run.id.in_(run_ids)))
