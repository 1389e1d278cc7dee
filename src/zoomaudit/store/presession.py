"""Pre-session checks in SQL: what ``zoomaudit serve`` checked shortly before each session, and
what it found.

A check is written when it starts (outcome ``running``) and completed when it ends. The planner
asks ``last_checked`` so that a lead time already covered by a check is not planned again: a
check that ran at ``t`` covers every lead whose due time is at or before ``t``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from zoomaudit.store.models import FindingRow, PreSessionCheck
from zoomaudit.store.runs import meeting_subject
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.store.database import Database

SessionKey = tuple[int, str, datetime]
"""(meeting id, occurrence id or "", start time in UTC): one session."""

OUTCOMES = ("running", "clean", "fixed", "violations", "error", "gone", "failed")


@dataclass(frozen=True)
class CheckRecord:
    """One stored pre-session check."""

    id: int
    meeting_id: int
    occurrence_id: str | None
    start_time: datetime
    timezone: str | None
    lead_minutes: int
    due_at: datetime
    ran_at: datetime
    finished_at: datetime | None
    run_id: str | None
    outcome: str
    violations: list[dict[str, str]]
    detail: str | None
    account: str = DEFAULT_ACCOUNT
    """The Zoom account of the checked meeting."""


def _record(row: PreSessionCheck) -> CheckRecord:
    return CheckRecord(
        id=row.id,
        meeting_id=row.meeting_id,
        occurrence_id=row.occurrence_key or None,
        start_time=row.start_time,
        timezone=row.timezone,
        lead_minutes=row.lead_minutes,
        due_at=row.due_at,
        ran_at=row.ran_at,
        finished_at=row.finished_at,
        run_id=row.run_id,
        outcome=row.outcome,
        violations=list(row.violations or []),
        detail=row.detail,
        account=row.account,
    )


class PreSessionChecks:
    def __init__(self, store: Database) -> None:
        self._store = store

    def begin(
        self,
        *,
        meeting_id: int,
        occurrence_id: str | None,
        start_time: datetime,
        timezone: str | None,
        lead_minutes: int,
        due_at: datetime,
        ran_at: datetime,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Record a check of a meeting of ``account`` as started; returns its id for ``finish``."""
        with self._store.session() as session:
            row = PreSessionCheck(
                account=account,
                meeting_id=meeting_id,
                occurrence_key=occurrence_id or "",
                start_time=start_time,
                timezone=timezone,
                lead_minutes=lead_minutes,
                due_at=due_at,
                ran_at=ran_at,
                outcome="running",
            )
            session.add(row)
            session.flush()
            return row.id

    def finish(
        self,
        check_id: int,
        *,
        outcome: str,
        finished_at: datetime,
        run_id: str | None = None,
        violations: Iterable[dict[str, str]] = (),
        detail: str | None = None,
    ) -> None:
        if outcome not in OUTCOMES or outcome == "running":
            raise ValueError(f"not a finished check's outcome: {outcome!r}")
        with self._store.session() as session:
            row = session.get(PreSessionCheck, check_id)
            if row is None:
                return
            row.outcome = outcome
            row.finished_at = finished_at
            row.run_id = run_id
            row.violations = list(violations)
            row.detail = detail

    def abandon_running(self, now: datetime) -> int:
        """Mark checks left ``running`` by a service that stopped as failed; returns how many.

        Called at start-up, when no check of this database can be running (one service each)."""
        with self._store.session() as session:
            done = session.execute(
                update(PreSessionCheck)
                .where(PreSessionCheck.outcome == "running")
                .values(outcome="failed", finished_at=now, detail="the service stopped during the check")
                .execution_options(synchronize_session=False)
            )
            return int(getattr(done, "rowcount", 0) or 0)

    def last_checked(
        self, sessions: Iterable[SessionKey], *, account: str | None = None
    ) -> dict[SessionKey, datetime]:
        """When each of these sessions (of ``account`` when given) was last checked (sessions
        never checked are absent)."""
        mine = (PreSessionCheck.account == account,) if account is not None else ()
        wanted = set(sessions)
        if not wanted:
            return {}
        meeting_ids = sorted({key[0] for key in wanted})
        found: dict[SessionKey, datetime] = {}
        with self._store.read_session() as session:
            for start in range(0, len(meeting_ids), 500):
                query = (
                    select(
                        PreSessionCheck.meeting_id,
                        PreSessionCheck.occurrence_key,
                        PreSessionCheck.start_time,
                        func.max(PreSessionCheck.ran_at),
                    )
                    .where(PreSessionCheck.meeting_id.in_(meeting_ids[start : start + 500]), *mine)
                    .group_by(
                        PreSessionCheck.meeting_id, PreSessionCheck.occurrence_key, PreSessionCheck.start_time
                    )
                )
                for meeting_id, occurrence_key, start_time, ran_at in session.execute(query):
                    key = (meeting_id, occurrence_key, start_time)
                    if key in wanted:
                        found[key] = ran_at
        return found

    def gone_since(self, meeting_ids: Iterable[int], *, account: str | None = None) -> dict[int, datetime]:
        """For each meeting (of ``account`` when given) a check found deleted or over, when it
        last found it so."""
        mine = (PreSessionCheck.account == account,) if account is not None else ()
        ids = sorted(set(meeting_ids))
        if not ids:
            return {}
        found: dict[int, datetime] = {}
        with self._store.read_session() as session:
            for start in range(0, len(ids), 500):
                query = (
                    select(PreSessionCheck.meeting_id, func.max(PreSessionCheck.ran_at))
                    .where(PreSessionCheck.meeting_id.in_(ids[start : start + 500]))
                    .where(PreSessionCheck.outcome == "gone", *mine)
                    .group_by(PreSessionCheck.meeting_id)
                )
                found.update({mid: at for mid, at in session.execute(query)})
        return found

    def get(self, check_id: int) -> CheckRecord | None:
        with self._store.read_session() as session:
            row = session.get(PreSessionCheck, check_id)
            return _record(row) if row is not None else None

    def recent(
        self, limit: int = 50, *, account: str | None = None, accounts: Iterable[str] | None = None
    ) -> list[CheckRecord]:
        """The latest checks, newest first: of ``account``, of any of ``accounts``, or of all."""
        query = select(PreSessionCheck).order_by(PreSessionCheck.ran_at.desc(), PreSessionCheck.id.desc())
        if account is not None:
            query = query.where(PreSessionCheck.account == account)
        if accounts is not None:
            query = query.where(PreSessionCheck.account.in_(list(accounts)))
        with self._store.read_session() as session:
            rows = session.scalars(query.limit(limit)).all()
            return [_record(row) for row in rows]

    def verdict(self, run_id: str, meeting_id: int, occurrence_id: str | None) -> Verdict:
        """What a run stored on one session: on the occurrence when it was judged on its own,
        else on the meeting as a whole."""
        with self._store.read_session() as session:
            rows = session.execute(
                select(
                    FindingRow.policy_id,
                    FindingRow.severity,
                    FindingRow.status,
                    FindingRow.occurrence_key,
                    FindingRow.fix_id,
                )
                .where(FindingRow.run_id == run_id, FindingRow.subject == meeting_subject(meeting_id))
                .order_by(FindingRow.policy_id)
            ).all()
        keys = {row.occurrence_key for row in rows}
        key = occurrence_id if occurrence_id in keys else ""
        mine = [row for row in rows if row.occurrence_key == key]
        return Verdict(
            violations=[
                {"policy_id": row.policy_id, "severity": row.severity, "fix_id": row.fix_id or ""}
                for row in mine
                if row.status == "violation"
            ],
            errors=sum(1 for row in mine if row.status == "error"),
            findings=len(mine),
        )


@dataclass(frozen=True)
class Verdict:
    """A run's findings on one session, as a pre-session check reads them."""

    violations: list[dict[str, str]]
    """``{"policy_id", "severity", "fix_id"}`` ("" when no fix was planned)."""
    errors: int
    findings: int

    def open_after(self, applied_fix_ids: Iterable[str]) -> list[dict[str, str]]:
        """The violations no applied fix resolved."""
        applied = set(applied_fix_ids)
        return [v for v in self.violations if not v["fix_id"] or v["fix_id"] not in applied]
