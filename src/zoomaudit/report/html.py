"""The HTML report: one self-contained file a safeguarding lead can open offline.

Jinja2 with autoescaping; inline CSS and an inline SVG chart; no script, font, image or other
asset is fetched from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from zoomaudit.findings import SEVERITY_RANK, Finding
from zoomaudit.policy.checklist import MANUAL_CHECKLIST
from zoomaudit.report.common import (
    STATUS_LABEL,
    actual_of,
    by_status,
    error_subject,
    expected_of,
    fix_text,
    group_by_subject,
    policy_title,
    printable,
    starting_soon,
    summary_line,
    tier_text,
    violations_by,
    when_text,
)
from zoomaudit.store.records import COUNT_KEYS, RunReport

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHART_WIDTH = 360
"""Pixels of the longest bar."""


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int
    css: str


def _bars(items: list[tuple[str, int]], css: dict[str, str] | None = None) -> list[Bar]:
    top = max((count for _, count in items), default=0) or 1
    return [
        Bar(label, count, 8 + i * 28, max(2, round(CHART_WIDTH * count / top)), (css or {}).get(label, "bar"))
        for i, (label, count) in enumerate(items)
    ]


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _row(report: RunReport, f: Finding) -> dict[str, Any]:
    fix = report.fixes.get(f.fix_id) if f.fix_id else None
    return {
        "status": f.status,
        "status_label": STATUS_LABEL[f.status],
        "severity": f.severity,
        "policy_id": f.policy_id,
        "title": policy_title(report, f.policy_id),
        "control": f.control,
        "occurrence_id": f.occurrence_id,
        "actual": actual_of(f),
        "expected": expected_of(f),
        "tier": tier_text(f),
        "message": f.message or (getattr(f, "waiver_reason", None) or ""),
        "fix_id": f.fix_id,
        "fix_text": fix_text(fix) if fix else None,
        "fix_status": fix.status if fix else None,
    }


def _policies(report: RunReport) -> list[dict[str, Any]]:
    """Every policy with a finding in this run, most violations first, with its rationale."""
    rows: dict[str, dict[str, Any]] = {}
    for f in report.findings:
        row = rows.setdefault(
            f.policy_id,
            {
                "id": f.policy_id,
                "title": policy_title(report, f.policy_id),
                "severity": f.severity,
                "violations": 0,
                "rationale": "",
            },
        )
        if SEVERITY_RANK[f.severity] < SEVERITY_RANK[row["severity"]]:
            row["severity"] = f.severity
        row["violations"] += f.status == "violation"
    for policy_id, row in rows.items():
        info = report.policies.get(policy_id)
        row["rationale"] = info.rationale if info else ""
    return sorted(rows.values(), key=lambda r: (-r["violations"], SEVERITY_RANK[r["severity"]], r["id"]))


def _soon(report: RunReport) -> list[dict[str, Any]]:
    """ "Starting soon" rows: the start on the meeting's own clock and each failed policy by title."""
    return [
        {
            "starts": when_text(s.start_time, s.timezone),
            "name": s.name,
            "host": s.host,
            "policies": [(policy_title(report, policy_id), policy_id) for policy_id in s.policies],
        }
        for s in starting_soon(report)
    ]


def render_html(report: RunReport) -> str:
    findings = report.findings
    severity_css = {s: f"sev-{s}" for s in SEVERITY_RANK}
    groups = [
        {
            "title": g.title,
            "topic": g.topic,
            "host": g.host,
            "violations": len(g.violations),
            "rows": [_row(report, f) for f in g.findings],
        }
        for g in group_by_subject(findings)
    ]
    context = {
        "run": report.run,
        "summary": summary_line(report),
        "counts": [(key, report.summary[key]) for key in COUNT_KEYS],
        "soon": _soon(report),
        "include_passed": report.include_passed or any(f.status == "pass" for f in findings),
        "by_severity": _bars(violations_by(findings, "severity"), severity_css),
        "by_policy": _bars(violations_by(findings, "policy_id")),
        "policies": _policies(report),
        "groups": groups,
        "errors": [(error_subject(e), e.message) for e in report.errors],
        "unjudged": [_row(report, f) for f in by_status(findings, "error")],
        "checklist": MANUAL_CHECKLIST,
        "chart_width": CHART_WIDTH,
    }
    # Free text (topics, e-mails, Zoom's messages) loses control and bidi characters (safe_text.py).
    return printable(_environment().get_template("report.html.j2").render(**context))
