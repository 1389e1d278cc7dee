"""The JSON report: zoomaudit's public contract (docs/report-format.md, schema.json).

``schema_version`` 1. Fields are only ever added in a new schema version; consumers may rely on
exactly these.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from zoomaudit.findings import Finding
from zoomaudit.report.common import listed_findings
from zoomaudit.store.records import RunReport

SCHEMA_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _run(report: RunReport) -> dict[str, Any]:
    run = report.run
    return {
        "id": run.id,
        "trigger": run.trigger,
        "scope": run.scope,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "complete": run.complete,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "policy_id": f.policy_id,
        "control": f.control,
        "severity": f.severity,
        "status": f.status,
        "meeting_id": f.meeting_id,
        "occurrence_id": f.occurrence_id,
        "topic": f.topic,
        "host_id": f.host_id,
        "host_email": f.host_email,
        "actual": f.actual,
        "expected": f.expected,
        "source": f.source,
        "locked": f.locked,
        "message": f.message,
        "fix_id": f.fix_id,
    }


def document(report: RunReport) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return {
        "schema_version": SCHEMA_VERSION,
        "run": _run(report),
        "summary": report.summary,
        "findings": [_finding(f) for f in listed_findings(report)],
        "errors": [
            {"meeting_id": e.meeting_id, "user_id": e.user_id, "message": e.message} for e in report.errors
        ],
    }


def _items(out: TextIO, items: Iterable[dict[str, Any]]) -> None:
    """A JSON array, one compact item per line (C-speed encoding; easy to grep and diff)."""
    out.write("[")
    first = True
    for item in items:
        out.write("\n    " if first else ",\n    ")
        out.write(json.dumps(item, ensure_ascii=False))
        first = False
    out.write("]" if first else "\n  ]")


def write_json(report: RunReport, findings: Iterable[Finding], out: TextIO) -> None:
    """Write the report to ``out``, its findings taken from ``findings`` as they come, so a run
    of any size streams from the store without being held in memory."""
    out.write("{\n")
    head = {"schema_version": SCHEMA_VERSION, "run": _run(report), "summary": report.summary}
    for key, value in head.items():
        text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.write(f'  "{key}": {text},\n')
    out.write('  "findings": ')
    _items(out, (_finding(f) for f in findings))
    out.write(',\n  "errors": ')
    _items(
        out, ({"meeting_id": e.meeting_id, "user_id": e.user_id, "message": e.message} for e in report.errors)
    )
    out.write("\n}\n")


def render_json(report: RunReport) -> str:
    out = io.StringIO()
    write_json(report, listed_findings(report), out)
    return out.getvalue()
