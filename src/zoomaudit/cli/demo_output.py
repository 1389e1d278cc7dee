"""What `zoomaudit demo` prints, as plain lines: a summary, the sessions starting soon, how to approve.

The demo is read in a terminal, a pipe and a CI log alike, so no line depends on what a pipe says
its width is: every line is built to fit ``WIDTH`` columns, or a narrower terminal's width (long
ones wrap with an indent), and the caller prints them without re-wrapping. Names and topics come
from Zoom users: they pass through ``printable`` so an escape sequence in a topic cannot reach a
terminal. Fix bodies are masked with ``redact`` before they are shown, so no passcode is printed.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from zoomaudit.fixes.queue import FixRecord
from zoomaudit.redaction import redact
from zoomaudit.report.common import printable, starting_soon, summary_line, violations_by, when_text
from zoomaudit.store.records import RunReport

WIDTH = 120
"""The widest line the demo prints: readable in a CI log, and no table wrapped into a column. A
narrower terminal gets lines as wide as it is (the caller passes ``width``)."""

SOON_SHOWN = 10
"""How many of the soonest unsafe sessions the demo lists; the rest are counted."""

INDENT = "  "
MORE = INDENT * 3


def wrapped(text: str, indent: str = INDENT, more: str = MORE, *, width: int = WIDTH) -> list[str]:
    """``text`` as lines of at most ``width`` columns, continuation lines indented further.

    Words are never broken: an id or a path longer than a line stays whole (none is, in practice).
    """
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=more,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


@dataclass(frozen=True)
class Queue:
    """The fix queue after the audit: what waits for an admin, and what was applied unasked."""

    pending: Sequence[FixRecord]
    applied_automatically: int


def summary_section(report: RunReport, queue: Queue, *, width: int = WIDTH) -> list[str]:
    """The run in a few lines: its one-line summary, violations by severity, the fix queue."""
    lines = ["Summary", *wrapped(summary_line(report), width=width)]
    severities = violations_by(report.findings, "severity")
    if severities:
        counts = ", ".join(f"{severity} {count}" for severity, count in severities)
        lines += wrapped(f"Violations by severity: {counts}.", width=width)
    lines += wrapped(
        f"Fixes: {len(queue.pending)} waiting for an admin's approval, "
        f"{queue.applied_automatically} applied automatically (policies whose fix mode is auto).",
        width=width,
    )
    return lines


def soon_section(report: RunReport, *, shown: int = SOON_SHOWN, width: int = WIDTH) -> list[str]:
    """The soonest unsafe sessions, each on its own clock, capped at ``shown`` with the rest counted."""
    soon = starting_soon(report)
    if not soon:
        nothing = "No session in the next 7 days has an open violation."
        return ["Starting soon", *wrapped(nothing, width=width)]
    lines = [f"Starting soon: {len(soon)} unsafe session(s) in the next 7 days, soonest first"]
    for session in soon[:shown]:
        when = when_text(session.start_time, session.timezone)
        lines += wrapped(f"{when}  {printable(session.name)}", width=width)
        lines += wrapped(
            f"host {printable(session.host) or 'unknown'}; what is wrong: {', '.join(session.policies)}",
            indent=MORE,
            width=width,
        )
    rest = len(soon) - shown
    if rest > 0:
        lines += wrapped(
            f"... and {rest} more. All of them: zoomaudit upcoming --within 7d; the whole report: "
            f"zoomaudit report {report.run.id}",
            width=width,
        )
    return lines


def approve_section(
    example: FixRecord | None, other: FixRecord | None, database_url: str, *, width: int = WIDTH
) -> list[str]:
    """The commands a newcomer runs next, with real fix ids of this run as examples."""
    lines = ["How to approve"]
    if example is None:
        return [
            *lines,
            *wrapped("Nothing waits for approval: every fix was applied or none was needed.", width=width),
        ]
    lines += wrapped(
        "zoomaudit changes nothing in Zoom on its own unless a policy says so: each suggested fix waits "
        "in a queue until an admin approves it (recorded with their name) or rejects it.",
        width=width,
    )
    rejected = other or example
    commands = [
        ("zoomaudit fixes list --status pending", "the approval queue"),
        (f"zoomaudit fixes show {example.id}", "one fix: its request, values before and after"),
        (f"zoomaudit fixes approve {example.id} --by 'Your Name'", "apply it, checked and verified"),
        (f"zoomaudit fixes reject {rejected.id} --by 'Your Name' --reason '...'", "leave Zoom as it is"),
        ("zoomaudit demo --serve", "the same in the web console"),
    ]
    column = max(len(command) for command, _ in commands) + 2
    for command, why in commands:
        # A narrow terminal gets the comment on a line of its own rather than a column of words.
        if len(INDENT) + column + 2 + len(why) <= width:
            lines.append(f"{INDENT}{command.ljust(column)}# {why}")
        else:
            lines += [f"{INDENT}{command}", *wrapped(f"# {why}", indent=MORE, width=width)]
    lines += wrapped(
        f"The queue of this demo stays in {database_url}: set ZOOMAUDIT_DATABASE_URL to it to list it "
        "after the demo (approving needs the sandbox, which stops with the demo; --serve keeps it).",
        width=width,
    )
    return lines


def request_text(fix: FixRecord) -> str:
    """The request a fix sends, without its body: method, path and query."""
    query = "&".join(f"{key}={value}" for key, value in sorted(fix.query.items()))
    return f"{fix.method} {fix.path}" + (f"?{query}" if query else "")


def body_text(fix: FixRecord) -> str:
    """The body a fix sends as compact JSON on one line, passcodes masked; empty when it has none."""
    body = redact(fix.body)
    if body in (None, {}, []):
        return ""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def fix_queue_section(fixes: Sequence[FixRecord], *, width: int = WIDTH) -> list[str]:
    """Every fix waiting for approval, in two lines: what, where and the request, then its body
    (cut at the line's end when longer: ``zoomaudit fixes show ID`` has it whole)."""
    lines = [f"Fix queue: {len(fixes)} waiting for approval, oldest first"]
    limit = width - len(MORE)
    for fix in fixes:
        lines += wrapped(
            f"{fix.id}  {fix.policy_id}  {request_text(fix)}  ({len(fix.meeting_ids)} meeting(s))",
            width=width,
        )
        body = printable(body_text(fix))
        if body:
            lines.append(MORE + (body if len(body) <= limit else body[: limit - 3] + "..."))
    return lines
