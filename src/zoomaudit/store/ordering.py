"""The report order of findings as SQL, so a large run can be streamed already sorted.

It mirrors ``report.common.finding_key`` term by term: status and severity by rank, findings
without a meeting last, then meeting, occurrence, host, policy and control. Text compares by
code point in Python; SQLite's default BINARY collation compares UTF-8 bytes, which is the same
order, and PostgreSQL is told to use its "C" collation for the same reason. The row id breaks
the remaining ties as Python's stable sort of rows read in id order does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal
from sqlalchemy.sql.elements import ColumnElement

from zoomaudit.findings import SEVERITY_RANK, STATUS_RANK
from zoomaudit.store.models import FindingRow


def report_order(dialect: str) -> list[ColumnElement[Any]]:
    c = FindingRow.__table__.c

    def text(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column.collate("C") if dialect == "postgresql" else column

    return [
        case(STATUS_RANK, value=c.status, else_=len(STATUS_RANK)),
        case(SEVERITY_RANK, value=c.severity, else_=len(SEVERITY_RANK)),
        case((c.meeting_id.is_(None), 1), else_=0),
        func.coalesce(c.meeting_id, 0),
        text(func.coalesce(c.occurrence_id, literal(""))),
        text(func.coalesce(func.nullif(c.host_email, ""), func.nullif(c.host_id, ""), literal(""))),
        text(c.policy_id),
        text(c.control),
        c.id,
    ]
