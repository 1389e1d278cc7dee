"""CSV for spreadsheets: one row per finding, then one row per subject that could not be read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from zoomaudit.findings import Finding
from zoomaudit.report.common import json_text, listed_findings
from zoomaudit.safe_text import csv_cell, printable
from zoomaudit.store.records import RunReport

COLUMNS = (
    "run_id",
    "status",
    "severity",
    "policy_id",
    "control",
    "meeting_id",
    "occurrence_id",
    "topic",
    "host_id",
    "host_email",
    "actual",
    "expected",
    "source",
    "locked",
    "message",
    "fix_id",
)


_cell = csv_cell
"""Free text as a cell: printable, and never run as a formula (meeting topics are user input)."""


def render_csv(report: RunReport) -> str:
    out = io.StringIO()
    write_csv(report, listed_findings(report), out)
    return out.getvalue()


def write_csv(report: RunReport, findings: Iterable[Finding], out: TextIO) -> None:
    """RFC 4180 CSV (CRLF line ends); values that are not text are written as JSON. Rows are
    written as ``findings`` yields them, so a run of any size streams from the store.

    Subjects that could not be read come last with status ``error`` and no policy, so that
    nothing is lost silently in a spreadsheet either.
    """
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    run_id = report.run.id
    for f in findings:
        writer.writerow(
            [
                run_id,
                f.status,
                f.severity,
                f.policy_id,
                f.control,
                "" if f.meeting_id is None else f.meeting_id,
                f.occurrence_id or "",
                _cell(f.topic),
                _cell(f.host_id),
                _cell(f.host_email),
                printable(json_text(f.actual)),
                printable(json_text(f.expected)),
                f.source or "",
                "true" if f.locked else "false",
                _cell(f.message),
                f.fix_id or "",
            ]
        )
    for e in report.errors:
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            run_id=run_id,
            status="error",
            meeting_id="" if e.meeting_id is None else str(e.meeting_id),
            host_id=_cell(e.user_id),
            message=_cell(e.message),
        )
        writer.writerow([row[c] for c in COLUMNS])
