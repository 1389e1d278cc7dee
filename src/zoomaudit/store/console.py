"""The console's read models in SQL: runs, counts and the meeting list, aggregated in the database
so a large account does not load every finding into memory per page (``service.console.data``
shapes them for the pages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select

from zoomaudit.store.models import FindingRow, Run, RunErrorRow
from zoomaudit.store.records import RunRecord
from zoomaudit.store.runs import meeting_subject, record_of
from zoomaudit.vocabulary import REAL_TRIGGERS

if TYPE_CHECKING:
    from zoomaudit.store.database import Database


@dataclass(frozen=True)
class RunTallies:
    """A run's violations by severity and by policy, its read errors and its policy titles."""

    by_severity: dict[str, int] = field(default_factory=dict)
    by_policy: list[tuple[str, int]] = field(default_factory=list)
    errors: int = 0
    titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MeetingCount:
    """How many findings of one status and severity a meeting has in a run."""

    meeting_id: int
    status: str
    severity: str
    count: int
    topic: str | None
    host_id: str | None
    host_email: str | None


def of_accounts(account: str | None, accounts: Iterable[str] | None) -> list[ColumnElement[bool]]:
    """Conditions keeping runs to one account and/or to a set of them (None: no condition)."""
    conditions: list[ColumnElement[bool]] = []
    if account is not None:
        conditions.append(Run.account == account)
    if accounts is not None:
        conditions.append(Run.account.in_(list(accounts)))
    return conditions


class ConsoleReads:
    def __init__(self, store: Database) -> None:
        self._store = store

    def runs(
        self,
        *,
        scope: str,
        statuses: Iterable[str],
        limit: int,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[RunRecord]:
        """Runs of ``scope`` in one of ``statuses``, newest first: of ``account``, of any of
        ``accounts``, or of all."""
        query = (
            select(Run)
            .where(Run.scope == scope, Run.status.in_(list(statuses)), Run.trigger.in_(REAL_TRIGGERS))
            .where(*of_accounts(account, accounts))
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(limit)
        )
        with self._store.read_session() as db:
            return [record_of(run) for run in db.scalars(query)]

    def tallies(self, run_id: str) -> RunTallies:
        with self._store.read_session() as db:
            violations = (FindingRow.run_id == run_id) & (FindingRow.status == "violation")
            severities = db.execute(
                select(FindingRow.severity, func.count()).where(violations).group_by(FindingRow.severity)
            ).all()
            policies = db.execute(
                select(FindingRow.policy_id, func.count()).where(violations).group_by(FindingRow.policy_id)
            ).all()
            errors = int(db.scalar(select(func.count()).where(RunErrorRow.run_id == run_id)) or 0)
            info = db.scalar(select(Run.policies).where(Run.id == run_id)) or {}
        return RunTallies(
            by_severity={s: int(n) for s, n in severities},
            by_policy=[(p, int(n)) for p, n in policies],
            errors=errors,
            titles={pid: str((i or {}).get("title", "")) for pid, i in info.items()},
        )

    def host_emails(self, run_id: str) -> list[str]:
        """The hosts' e-mails with a finding in the run, sorted."""
        query = select(FindingRow.host_email).where(FindingRow.run_id == run_id).distinct()
        with self._store.read_session() as db:
            return sorted(h for h in db.scalars(query) if h)

    def policy_ids(self, run_id: str) -> list[str]:
        """The policies with a finding in the run, sorted."""
        query = select(FindingRow.policy_id).where(FindingRow.run_id == run_id).distinct()
        with self._store.read_session() as db:
            return sorted(db.scalars(query))

    def meeting_counts(
        self,
        run_id: str,
        *,
        policy: str = "",
        severity: str = "",
        status: str = "",
        host: str = "",
        host_ids: set[str] | None = None,
    ) -> list[MeetingCount]:
        """Findings per (meeting, status, severity) of the meetings with a finding that matches.

        A policy or severity filter without a status matches findings other than passes."""
        match = select(FindingRow.subject).where(FindingRow.run_id == run_id)
        if policy:
            match = match.where(FindingRow.policy_id == policy)
        if severity:
            match = match.where(FindingRow.severity == severity)
        if status:
            match = match.where(FindingRow.status == status)
        elif policy or severity:
            # "Meetings with a high-severity finding" means something to look at, not a pass.
            match = match.where(FindingRow.status != "pass")
        # Counted in SQL: one row per (meeting, status, severity), not one per finding.
        query = (
            select(
                FindingRow.meeting_id,
                FindingRow.status,
                FindingRow.severity,
                func.count(),
                func.max(FindingRow.topic),
                func.max(FindingRow.host_id),
                func.max(FindingRow.host_email),
            )
            .where(
                FindingRow.run_id == run_id,
                FindingRow.meeting_id.is_not(None),
                FindingRow.subject.in_(match.distinct()),
            )
            .group_by(FindingRow.meeting_id, FindingRow.status, FindingRow.severity)
        )
        if host:
            query = query.where(FindingRow.host_email == host)
        if host_ids is not None:
            query = query.where(FindingRow.host_id.in_(sorted(host_ids)))
        with self._store.read_session() as db:
            return [
                MeetingCount(meeting_id, st, sev, int(n), topic, host_id, email)
                for meeting_id, st, sev, n, topic, host_id, email in db.execute(query)
                if meeting_id is not None  # excluded by the query; this tells the type checker
            ]

    def newest_run_of_meeting(
        self,
        meeting_id: int,
        statuses: Iterable[str],
        *,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> str | None:
        """The newest run in one of ``statuses`` (of ``account``, of any of ``accounts``, or of
        all) with a finding for the meeting."""
        query = (
            select(Run.id)
            .join(FindingRow, FindingRow.run_id == Run.id)
            .where(
                FindingRow.subject == meeting_subject(meeting_id),
                Run.status.in_(list(statuses)),
                Run.trigger.in_(REAL_TRIGGERS),
                *of_accounts(account, accounts),
            )
            .order_by(Run.started_at.desc())
            .limit(1)
        )
        with self._store.read_session() as db:
            return db.scalar(query)
