"""The terminal table: findings grouped by meeting, worst first, with the tier that decided each value."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from zoomaudit.findings import Finding
from zoomaudit.report.common import (
    STATUS_LABEL,
    actual_of,
    error_subject,
    expected_of,
    group_by_subject,
    listed_findings,
    printable,
    starting_soon,
    summary_line,
    tier_text,
    when_text,
)
from zoomaudit.store.records import RunReport

WIDTH = 120


def render_table(report: RunReport, *, width: int = WIDTH) -> str:
    """Plain text (no colour codes), the same on every machine for the same run."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    shown = listed_findings(report)
    # A manual check is the same for every meeting: list it once at the end, not in every table.
    manual = [f for f in shown if f.status == "manual"]
    findings = [f for f in shown if f.status != "manual"]
    if not shown:
        console.print("No findings to show.")
    _print_soon(console, report)
    for group in group_by_subject(findings):
        heading = group.title
        if group.topic:
            heading += f" · {group.topic}"
        if group.meeting_id is not None and group.host:
            heading += f" · host {group.host}"
        heading = printable(heading)
        table = Table(title=heading, title_justify="left", box=box.SIMPLE_HEAD, expand=False)
        # Names and ids never shrink to an ellipsis; long values wrap instead.
        table.add_column("status", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("policy", no_wrap=True)
        if any(f.occurrence_id for f in group.findings):
            table.add_column("occurrence", no_wrap=True)
        table.add_column("actual", overflow="fold", ratio=1)
        table.add_column("expected", overflow="fold", ratio=1)
        table.add_column("decided by", no_wrap=True)
        table.add_column("fix", no_wrap=True)
        for f in group.findings:
            cells = [STATUS_LABEL[f.status], f.severity, f.policy_id]
            if len(table.columns) == 8:
                cells.append(f.occurrence_id or "")
            cells += [actual_of(f), expected_of(f), tier_text(f), f.fix_id or ""]
            table.add_row(*(printable(cell) for cell in cells))
        console.print(table)
    if manual:
        _print_manual(console, manual)
    if report.errors:
        errors = Table(title="Could not be read", title_justify="left", box=box.SIMPLE_HEAD)
        errors.add_column("subject")
        errors.add_column("reason", overflow="fold")
        for e in report.errors:
            errors.add_row(printable(error_subject(e)), printable(e.message))
        console.print(errors)
    console.print(summary_line(report), soft_wrap=True)
    # Rich pads cells to the table width; trailing blanks only make diffs noisy. Cells were made
    # printable before layout; the whole text is once more, whatever a later change prints.
    return "".join(printable(line.rstrip()) + "\n" for line in out.getvalue().splitlines())


def _print_soon(console: Console, report: RunReport) -> None:
    """What to deal with first: sessions in the next 7 days that are still unsafe, soonest first."""
    soon = starting_soon(report)
    if not soon:
        return
    table = Table(title="Starting soon (next 7 days)", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("starts", no_wrap=True)
    table.add_column("session", overflow="fold", ratio=1)
    table.add_column("host", no_wrap=True)
    table.add_column("what is wrong", overflow="fold", ratio=1)
    for s in soon:
        cells = [when_text(s.start_time, s.timezone), s.name, s.host, ", ".join(s.policies)]
        table.add_row(*(printable(cell) for cell in cells))
    console.print(table)


def _print_manual(console: Console, manual: Sequence[Finding]) -> None:
    """One row per manual policy: what people must check, and on how many meetings."""
    table = Table(
        title="Checked by people, not through the Zoom API", title_justify="left", box=box.SIMPLE_HEAD
    )
    table.add_column("policy", no_wrap=True)
    table.add_column("meetings", justify="right")
    table.add_column("what to do", overflow="fold")
    by_policy: dict[str, list[Finding]] = {}
    for f in manual:
        by_policy.setdefault(f.policy_id, []).append(f)
    for policy_id, found in sorted(by_policy.items()):
        subjects = {f.meeting_id for f in found if f.meeting_id is not None}
        table.add_row(policy_id, str(len(subjects) or len(found)), printable(found[0].message))
    console.print(table)
