"""Text and JSON for ``zoomaudit history`` and ``zoomaudit diff`` (lists of runs, run diffs)."""

from __future__ import annotations

import io
import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from zoomaudit.findings import Finding
from zoomaudit.report.common import actual_of, finding_key, printable, subject_text, tier_text
from zoomaudit.store.records import RunDiff, RunRecord


def _console(out: io.StringIO) -> Console:
    return Console(
        file=out,
        width=120,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
        markup=False,
    )


def _text(out: io.StringIO) -> str:
    """The console's text, free of control and bidi characters (topics are user input)."""
    return "".join(printable(line.rstrip()) + "\n" for line in out.getvalue().splitlines())


def run_json(run: RunRecord) -> dict[str, Any]:
    return run.model_dump(mode="json")


def render_history(runs: list[RunRecord], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([run_json(r) for r in runs], indent=2) + "\n"
    if not runs:
        return "No runs yet: `zoomaudit audit` makes the first one.\n"
    out = io.StringIO()
    table = Table(box=box.SIMPLE_HEAD)
    # The account column only when the runs listed are of several accounts: one account's
    # history (every install without an accounts file) reads as it always did.
    several = len({r.account for r in runs}) > 1
    columns = ("run", *(("account",) if several else ()), "started (UTC)", "trigger", "scope", "status")
    for column in (*columns, "violations", "errors", "took"):
        table.add_column(column, justify="right" if column in ("violations", "errors", "took") else "left")
    for run in runs:
        took = ""
        if run.finished_at is not None:
            seconds = int((run.finished_at - run.started_at).total_seconds())
            took = f"{seconds // 60}m{seconds % 60:02d}s"
        table.add_row(
            run.id,
            *((run.account,) if several else ()),
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            run.trigger,
            run.scope,
            run.status,
            str(run.counts.get("violations", "")),
            str(run.counts.get("errors", "")),
            took,
        )
    _console(out).print(table)
    return _text(out)


def _finding_json(f: Finding) -> dict[str, Any]:
    return f.model_dump(mode="json", exclude={"waiver_id", "waiver_reason"})


_SECTIONS = (
    ("new", "New violations"),
    ("resolved", "Resolved"),
    ("still_open", "Still open"),
    ("unchecked", "Not re-checked by the newer run"),
    ("unchecked_new", "Not in the older run's scope"),
)


def render_diff(diff: RunDiff, fmt: str) -> str:
    if fmt == "json":
        document: dict[str, Any] = {"old_run": run_json(diff.old_run), "new_run": run_json(diff.new_run)}
        for name, _ in _SECTIONS:
            document[name] = [_finding_json(f) for f in sorted(getattr(diff, name), key=finding_key)]
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    console = _console(out)
    console.print(
        f"Violations of run {diff.new_run.id} compared with run {diff.old_run.id}: "
        f"{len(diff.new)} new, {len(diff.resolved)} resolved, {len(diff.still_open)} still open"
        + (f", {len(diff.unchecked)} not re-checked" if diff.unchecked else "")
        + (
            f", {len(diff.unchecked_new)} on subjects the older run did not audit (not counted as new)."
            if diff.unchecked_new
            else "."
        ),
        soft_wrap=True,
    )
    for name, title in _SECTIONS:
        findings = sorted(getattr(diff, name), key=finding_key)
        if not findings:
            continue
        table = Table(title=f"{title} ({len(findings)})", title_justify="left", box=box.SIMPLE_HEAD)
        for column in ("severity", "policy", "subject", "topic", "actual", "decided by"):
            table.add_column(column, overflow="fold")
        for f in findings:
            table.add_row(
                f.severity, f.policy_id, subject_text(f), printable(f.topic or ""), actual_of(f), tier_text(f)
            )
        console.print(table)
    return _text(out)
