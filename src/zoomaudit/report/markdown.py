"""Markdown for tickets: the summary, the violations to act on, then what else needs a person."""

from __future__ import annotations

from zoomaudit.findings import Finding
from zoomaudit.report.common import (
    actual_of,
    by_status,
    error_subject,
    expected_of,
    fix_text,
    listed_findings,
    policy_title,
    printable,
    starting_soon,
    subject_text,
    summary_line,
    tier_text,
    when_text,
)
from zoomaudit.store.records import RunReport


def _cell(text: str) -> str:
    """Text that stays inside one table cell and is not read as Markdown or HTML."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "<>`*_[]":
        out = out.replace(char, "\\" + char)
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _where(f: Finding) -> str:
    subject = subject_text(f)
    return f"{subject} ({f.topic})" if f.topic else subject


def render_markdown(report: RunReport) -> str:
    run = report.run
    findings = listed_findings(report)
    lines = [f"# zoomaudit run {run.id}", "", summary_line(report), ""]
    lines += [
        f"- trigger: {run.trigger}, scope: {run.scope}",
        f"- started: {run.started_at.isoformat()}",
        f"- finished: {run.finished_at.isoformat() if run.finished_at else 'not finished'}",
        "",
    ]
    soon = starting_soon(report)
    if soon:
        lines += ["## Starting soon (next 7 days)", ""]
        rows = [[when_text(s.start_time, s.timezone), s.name, s.host, ", ".join(s.policies)] for s in soon]
        lines += _table(["starts", "session", "host", "what is wrong"], rows)
    violations = by_status(findings, "violation")
    lines += ["## Violations", ""]
    if violations:
        rows = []
        for f in violations:
            fix = report.fixes.get(f.fix_id) if f.fix_id else None
            fix_cell = f"{f.fix_id}: {fix_text(fix)}" if fix else (f.fix_id or "")
            rows.append(
                [
                    f.severity,
                    policy_title(report, f.policy_id),
                    _where(f),
                    f.host_email or f.host_id or "",
                    actual_of(f),
                    expected_of(f),
                    tier_text(f),
                    fix_cell,
                ]
            )
        lines += _table(
            ["severity", "policy", "where", "host", "actual", "expected", "decided by", "suggested fix"], rows
        )
    else:
        lines += ["None.", ""]
    if report.errors or by_status(findings, "error"):
        lines += ["## Could not be checked", ""]
        rows = [[error_subject(e), "", e.message] for e in report.errors]
        rows += [[_where(f), f.policy_id, f.message] for f in by_status(findings, "error")]
        lines += _table(["subject", "policy", "reason"], rows)
    waived = by_status(findings, "waived")
    if waived:
        lines += ["## Waived", ""]
        rows = [[f.policy_id, _where(f), getattr(f, "waiver_reason", None) or f.message] for f in waived]
        lines += _table(["policy", "where", "reason"], rows)
    manual = by_status(findings, "manual")
    if manual:
        lines += ["## To check by hand", ""]
        lines += _table(
            ["policy", "where", "what to do"], [[f.policy_id, _where(f), f.message] for f in manual]
        )
    passed = by_status(findings, "pass")
    if passed:
        lines += ["## Passed", ""]
        rows = [[f.policy_id, _where(f), actual_of(f), tier_text(f)] for f in passed]
        lines += _table(["policy", "where", "value", "decided by"], rows)
    # Topics, e-mails and Zoom's messages are free text: no escape sequence or bidi control
    # reaches the terminal or ticket that shows this (safe_text.py).
    return printable("\n".join(lines).rstrip("\n") + "\n")
