"""The upcoming sessions read model: for each meeting (and occurrence) the latest verdict a run
stored on it, kept when the session it judged starts within a window.

A verdict is the set of findings one run stored on a subject (``meeting:<id>`` and its
occurrence key); the latest is the one of the newest finished run (complete, incomplete or
failed: a run still running or abandoned is not read). A session is in the window when the start
time that verdict stored is in ``[now, now + window)``. Nothing is asked of Zoom: a meeting moved
or deleted since its latest verdict is shown as that verdict saw it until a later complete audit
of the whole account leaves it out (then it is gone, and so left out here), and a series is known
only by the occurrence its latest verdict judged (docs/usage.md, "Upcoming sessions").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, select

from zoomaudit.store.models import FindingRow, Run
from zoomaudit.vocabulary import DEFAULT_ACCOUNT, REAL_TRIGGERS

if TYPE_CHECKING:
    from zoomaudit.store.database import Database

JUDGED_STATUSES = ("complete", "incomplete", "failed")
"""Runs whose findings are read as verdicts: finished ones, whatever their outcome."""


@dataclass(frozen=True)
class UpcomingSession:
    """One session in the window with its latest verdict: the open violations (policy ids,
    sorted) and the run that judged it."""

    meeting_id: int
    occurrence_id: str | None
    topic: str | None
    host_email: str | None
    start_time: datetime
    duration: int | None
    timezone: str | None
    """The meeting's own time zone (for people; the times here are UTC)."""
    run_id: str
    judged_at: datetime
    violations: list[str] = field(default_factory=list)
    account: str = DEFAULT_ACCOUNT
    """The Zoom account of the meeting."""


class UpcomingReads:
    def __init__(self, store: Database) -> None:
        self._store = store

    def sessions(
        self,
        now: datetime,
        window: timedelta,
        *,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[UpcomingSession]:
        """The sessions starting in ``[now, now + window)`` by their latest verdict, soonest first
        (then by meeting and occurrence): of ``account``, of any of ``accounts``, or of all.
        Each account's meetings are judged by that account's runs only."""
        end = now + window
        mine: list[ColumnElement[bool]] = []
        if account is not None:
            mine.append(Run.account == account)
        if accounts is not None:
            mine.append(Run.account.in_(list(accounts)))
        in_window = and_(FindingRow.start_time >= now, FindingRow.start_time < end)
        # Only subjects with some verdict in the window can have their latest one there.
        candidates = select(FindingRow.subject).where(in_window, FindingRow.meeting_id.is_not(None))
        latest = (
            select(
                Run.account.label("account"),
                FindingRow.subject.label("subject"),
                FindingRow.occurrence_key.label("occurrence_key"),
                func.max(Run.started_at).label("at"),
            )
            .join(Run, Run.id == FindingRow.run_id)
            .where(
                Run.status.in_(JUDGED_STATUSES),
                Run.trigger.in_(REAL_TRIGGERS),
                FindingRow.subject.in_(candidates.distinct()),
                *mine,
            )
            .group_by(Run.account, FindingRow.subject, FindingRow.occurrence_key)
            .subquery()
        )
        query = (
            select(FindingRow, Run.id, Run.started_at, Run.account)
            .join(Run, Run.id == FindingRow.run_id)
            .join(
                latest,
                and_(
                    latest.c.account == Run.account,
                    latest.c.subject == FindingRow.subject,
                    latest.c.occurrence_key == FindingRow.occurrence_key,
                    latest.c.at == Run.started_at,
                ),
            )
            .where(Run.status.in_(JUDGED_STATUSES), Run.trigger.in_(REAL_TRIGGERS), in_window, *mine)
            .order_by(FindingRow.start_time, FindingRow.meeting_id, FindingRow.occurrence_key, Run.id)
        )
        found: dict[tuple[str, str, str], UpcomingSession] = {}
        with self._store.read_session() as db:
            for row, run_id, started_at, run_account in db.execute(query):
                key = (run_account, row.subject, row.occurrence_key)
                session = found.get(key)
                if session is not None and session.run_id > run_id:
                    continue  # two runs started at the same instant: the later id wins
                if session is None or session.run_id < run_id:
                    if row.meeting_id is None or row.start_time is None:
                        continue  # excluded by the query; this tells the type checker
                    session = UpcomingSession(
                        meeting_id=row.meeting_id,
                        occurrence_id=row.occurrence_id,
                        topic=row.topic,
                        host_email=row.host_email,
                        start_time=row.start_time,
                        duration=row.duration,
                        timezone=row.timezone,
                        run_id=run_id,
                        judged_at=started_at,
                        account=run_account,
                    )
                    found[key] = session
                if row.status == "violation" and row.policy_id not in session.violations:
                    session.violations.append(row.policy_id)
        for session in found.values():
            session.violations.sort()
        live = self._not_superseded(list(found.values()))
        return sorted(live, key=lambda s: (s.start_time, s.meeting_id, s.occurrence_id or ""))

    def _not_superseded(self, sessions: list[UpcomingSession]) -> list[UpcomingSession]:
        """Drop sessions a later complete audit of the whole account should have judged and did
        not: the meeting was deleted, or moved out of that audit's window, since its verdict.

        A complete account run sees every scheduled meeting, or with ``--starting-within`` every
        session starting within its window, so a session it left out is not there any more."""
        if not sessions:
            return sessions
        since = min(s.judged_at for s in sessions)
        with self._store.read_session() as db:
            audits = db.execute(
                select(Run.started_at, Run.scope_detail, Run.account).where(
                    Run.scope == "account",
                    Run.status == "complete",
                    Run.trigger.in_(REAL_TRIGGERS),
                    Run.started_at > since,
                )
            ).all()
        # A complete audit of one account says nothing about another account's meetings.
        sweeps: dict[str, list[tuple[datetime, datetime | None]]] = {}
        for started_at, detail, audited in audits:
            window = (detail or {}).get("starting_within")
            end = started_at + timedelta(minutes=window) if window else None
            sweeps.setdefault(audited, []).append((started_at, end))
        return [
            s
            for s in sessions
            if not any(
                at > s.judged_at and (end is None or s.start_time < end)
                for at, end in sweeps.get(s.account, [])
            )
        ]
