"""The queries behind reading runs: finding a run by reference, its counts, the fix plans a report
names, and what a run covered (for diffs). Called by ``Store`` inside its read transactions."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import zoomaudit.store.runs as conv
from zoomaudit.errors import UsageError
from zoomaudit.findings import Finding
from zoomaudit.store.models import FindingRow, FixPlan, Run, RunErrorRow
from zoomaudit.store.records import ROW_COUNT_KEYS, FixInfo

if TYPE_CHECKING:
    from zoomaudit.store.diff import Coverage

LATEST = "latest"
"""Accepted wherever a run id is: the newest run that was not abandoned."""


def find_run(session: Session, ref: str, account: str | None = None) -> Run:
    """The run named by an id, a unique id prefix or ``latest``; with ``account``, only among
    that account's runs (a run of another account is not found)."""
    ref = ref.strip()
    if not ref:
        raise UsageError("a run id is required")
    exact = session.get(Run, ref)
    if exact is not None and (account is None or exact.account == account):
        return exact
    mine = (Run.account == account,) if account is not None else ()
    of_account = f" of account {account!r}" if account is not None else ""
    if ref == LATEST:
        newest = session.scalars(
            select(Run)
            .where(Run.status != "abandoned", *mine)
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(1)
        ).first()
        if newest is None:
            raise UsageError(f"there are no runs{of_account} yet; `zoomaudit audit` makes the first one")
        return newest
    matches = session.scalars(
        select(Run).where(Run.id.startswith(ref, autoescape=True), *mine).order_by(Run.id).limit(6)
    ).all()
    if not matches:
        raise UsageError(f"no run{of_account} with id {ref!r} (see `zoomaudit history`)")
    if len(matches) > 1:
        shown = ", ".join(m.id for m in matches[:5])
        raise UsageError(
            f"run id {ref!r} is ambiguous: it starts {shown}{', ...' if len(matches) > 5 else ''}"
        )
    return matches[0]


def counts(session: Session, run: Run) -> dict[str, int]:
    """The runner's counts; any it did not record (a killed run) are counted from the rows."""
    stored = {key: int(value) for key, value in (run.counts or {}).items()}
    # ``past`` leaves no row to count it from: a run that did not record it shows 0.
    if all(key in stored for key in ROW_COUNT_KEYS):
        return stored
    by_status = Counter(
        dict(
            session.execute(
                select(FindingRow.status, func.count())
                .where(FindingRow.run_id == run.id)
                .group_by(FindingRow.status)
            ).all()
        )
    )
    run_errors = session.scalar(select(func.count()).where(RunErrorRow.run_id == run.id)) or 0
    meetings = session.scalar(
        select(func.count(FindingRow.meeting_id.distinct())).where(FindingRow.run_id == run.id)
    )
    users = session.scalar(
        select(func.count(FindingRow.host_id.distinct())).where(FindingRow.run_id == run.id)
    )
    computed = {
        "meetings": meetings or 0,
        "users": users or 0,
        "violations": by_status["violation"],
        "errors": by_status["error"] + run_errors,
        "waived": by_status["waived"],
        "manual": by_status["manual"],
        "passed": by_status["pass"],
        "past": 0,
    }
    return {**computed, **stored}


def fix_infos(session: Session, fix_ids: list[str]) -> dict[str, FixInfo]:
    if not fix_ids:
        return {}
    plans = session.scalars(select(FixPlan).where(FixPlan.id.in_(fix_ids)))
    return {p.id: FixInfo.model_validate(p) for p in plans}


def coverage(session: Session, run: Run) -> Coverage:
    from zoomaudit.store.diff import Coverage

    audited = session.scalars(select(FindingRow.subject).where(FindingRow.run_id == run.id).distinct())
    errors = session.scalars(select(RunErrorRow).where(RunErrorRow.run_id == run.id))
    return Coverage.of(conv.record_of(run), audited, [conv.error_of(row) for row in errors])


def violations(session: Session, run_id: str) -> list[Finding]:
    rows = session.scalars(
        select(FindingRow)
        .where(FindingRow.run_id == run_id, FindingRow.status == "violation")
        .order_by(FindingRow.id)
    )
    return [conv.finding_of(row) for row in rows]
