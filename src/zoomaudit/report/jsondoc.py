"""The JSON report: zoomaudit's public contract (docs/report-format.md, schema.json).

``schema_version`` 1. Fields are only ever added in a new schema version; consumers may rely on
exactly these.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from zoomaudit.report.common import listed_findings
from zoomaudit.store.records import RunReport

SCHEMA_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def document(report: RunReport) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    run = report.run
    return {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "id": run.id,
            "trigger": run.trigger,
            "scope": run.scope,
            "started_at": _time(run.started_at),
            "finished_at": _time(run.finished_at),
            "complete": run.complete,
        },
        "summary": report.summary,
        "findings": [
            {
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
            for f in listed_findings(report)
        ],
        "errors": [
            {"meeting_id": e.meeting_id, "user_id": e.user_id, "message": e.message} for e in report.errors
        ],
    }


def render_json(report: RunReport) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
