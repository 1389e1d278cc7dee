"""What every report format shares: ordering, grouping and how values read to a person.

Everything here is a pure function of a RunReport; nothing reads a clock, so two renderings of
one stored run are byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from zoomaudit.controls import CATALOGUE, label_for
from zoomaudit.findings import SEVERITY_RANK, STATUS_RANK, Finding
from zoomaudit.redaction import redact
from zoomaudit.safe_text import printable as printable
from zoomaudit.snapshot import CollectError
from zoomaudit.store.records import FixInfo, RunReport
from zoomaudit.timing import in_zone, zone_name

STATUS_LABEL: dict[str, str] = {
    "violation": "VIOLATION",
    "error": "ERROR",
    "waived": "waived",
    "manual": "manual",
    "pass": "pass",
}
TIER_LABEL: dict[str, str] = {
    "meeting": "meeting",
    "user": "user",
    "group": "group",
    "account": "account",
    "group_lock": "group lock",
    "account_lock": "account lock",
    "default": "Zoom default",
}


def finding_key(f: Finding) -> tuple[Any, ...]:
    """Worst first: status, severity, then the subject and policy for a stable order.

    ``store.ordering.report_order`` is the same order in SQL (a test holds them together)."""
    return (
        STATUS_RANK[f.status],
        SEVERITY_RANK[f.severity],
        f.meeting_id is None,
        f.meeting_id or 0,
        f.occurrence_id or "",
        f.host_email or f.host_id or "",
        f.policy_id,
        f.control,
    )


def listed_findings(report: RunReport) -> list[Finding]:
    """The findings a list-style format shows: passes only when the report includes them."""
    shown = report.findings if report.include_passed else [f for f in report.findings if f.status != "pass"]
    return sorted(shown, key=finding_key)


def by_status(findings: Iterable[Finding], status: str) -> list[Finding]:
    return [f for f in findings if f.status == status]


def tier_text(f: Finding) -> str:
    """The tier that decided the value, e.g. ``account lock`` or ``user (locked)``."""
    if f.source is None:
        return "not stated"
    label = TIER_LABEL.get(f.source, f.source)
    return f"{label} (locked)" if f.locked and not f.source.endswith("lock") else label


Labels = Mapping[Any, str]
"""Words for a control's coded values (``Control.labels``), e.g. ``{0: "host and co-hosts only"}``."""


def control_labels(control: str) -> Labels:
    """The labels of a control of the catalogue; none for a name it does not know."""
    known = CATALOGUE.get(control)
    return known.labels if known is not None else {}


def value_text(value: Any, labels: Labels | None = None) -> str:
    """A value as a person reads it: a control's label, on/off, "not set", text as is, lists and
    mappings spelled out."""
    if labels:
        label = label_for(value, labels)
        if label is not None:
            return label
    if value is None:
        return "not set"
    if value is True:
        return "on"
    if value is False:
        return "off"
    if isinstance(value, str):
        return value or "(empty)"
    if isinstance(value, list):
        return ", ".join(value_text(item, labels) for item in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(
            f"{str(key).replace('_', ' ')}: {value_text(item, labels)}" for key, item in value.items()
        )
    return json.dumps(value, ensure_ascii=False)


_OPERATOR_TEXT: dict[str, Any] = {
    "equals": value_text,
    "not_equals": lambda v, w: f"not {value_text(v, w)}",
    "one_of": lambda v, w: "one of " + ", ".join(value_text(x, w) for x in v),
    "not_one_of": lambda v, w: "none of " + ", ".join(value_text(x, w) for x in v),
    "min_length": lambda v, w: f"at least {v} long",
    "max_length": lambda v, w: f"at most {v} long",
    "at_least": lambda v, w: f"at least {value_text(v, w)}",
    "at_most": lambda v, w: f"at most {value_text(v, w)}",
    "pattern": lambda v, w: f"matches /{v}/",
    "not_pattern": lambda v, w: f"does not match /{v}/",
    "is_set": lambda v, w: "set" if v else "not set",
    "manual": lambda v, w: "checked by a person",
}


def _check_text(spec: dict[str, Any]) -> str:
    """A code-backed check and its requirements, e.g. ``passcode strength: length 8, have number``."""
    name = str(spec.get("check", "check")).replace("_", " ")
    needs = []
    for key, value in spec.items():
        if key == "check" or value in (False, None, 0, "", [], {}):
            continue
        label = key.replace("_", " ")
        needs.append(label if value is True else f"{label} {value_text(value)}")
    return f"{name}: {', '.join(needs)}" if needs else name


def expected_text(expected: Any, labels: Labels | None = None) -> str:
    """A policy's expectation as a person reads it, e.g. ``one of host, off`` or ``on``.

    Findings carry the policy's operators (``{"one_of": [...]}``); anything else reads as a value.
    ``labels`` (the control's) name coded values, e.g. ``0`` as ``host and co-hosts only``.
    """
    if isinstance(expected, dict) and expected:
        if "check" in expected:
            return _check_text(expected)
        if all(key in _OPERATOR_TEXT for key in expected):
            return " and ".join(_OPERATOR_TEXT[key](value, labels) for key, value in expected.items())
    return value_text(expected, labels)


def actual_of(f: Finding) -> str:
    """The finding's actual value in words, with its control's labels (for the human formats)."""
    return value_text(f.actual, control_labels(f.control))


def expected_of(f: Finding) -> str:
    """The finding's expected value in words, with its control's labels (for the human formats)."""
    return expected_text(f.expected, control_labels(f.control))


def json_text(value: Any) -> str:
    """A value as compact, stable JSON (for CSV cells)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def subject_text(f: Finding) -> str:
    """What the finding is about, in words: a meeting (and occurrence), a user or the account."""
    if f.meeting_id is not None:
        text = f"meeting {f.meeting_id}"
        return f"{text} occurrence {f.occurrence_id}" if f.occurrence_id else text
    if f.host_id is not None or f.host_email is not None:
        return f"user {f.host_email or f.host_id}"
    return "account"


def error_subject(error: CollectError) -> str:
    if error.meeting_id is not None:
        return f"meeting {error.meeting_id}"
    return f"user {error.user_id}" if error.user_id is not None else "account"


def fix_text(fix: FixInfo) -> str:
    """The suggested change in one line, passcodes masked."""
    body = redact(fix.body)
    body_text = f" {json_text(body)}" if body not in (None, {}, []) else ""
    return f"{fix.request_text}{body_text}"


def policy_title(report: RunReport, policy_id: str) -> str:
    info = report.policies.get(policy_id)
    return info.title if info and info.title else policy_id


@dataclass
class SubjectGroup:
    """The findings of one meeting (all occurrences), or of one user, or of the account."""

    key: tuple[Any, ...]
    title: str
    meeting_id: int | None = None
    topic: str | None = None
    host: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return by_status(self.findings, "violation")

    @property
    def worst(self) -> tuple[int, int, int]:
        """Sort key: worst violation severity, then most violations, then any problem at all."""
        ranks = [SEVERITY_RANK[f.severity] for f in self.violations]
        problems = sum(1 for f in self.findings if f.status in ("violation", "error"))
        return (min(ranks) if ranks else len(SEVERITY_RANK), -len(ranks), -problems)


def group_by_subject(findings: Iterable[Finding]) -> list[SubjectGroup]:
    """Meetings worst first, then users, then the account; findings inside worst first."""
    groups: dict[tuple[Any, ...], SubjectGroup] = {}
    for f in findings:
        if f.meeting_id is not None:
            key: tuple[Any, ...] = (0, f.meeting_id)
            title = f"Meeting {f.meeting_id}"
        elif f.host_id is not None or f.host_email is not None:
            key = (1, f.host_email or f.host_id or "")
            title = f"User {f.host_email or f.host_id}"
        else:
            key = (2, "")
            title = "Account"
        group = groups.setdefault(key, SubjectGroup(key=key, title=title, meeting_id=f.meeting_id))
        group.topic = group.topic or f.topic
        group.host = group.host or f.host_email or f.host_id
        group.findings.append(f)
    for group in groups.values():
        group.findings.sort(key=finding_key)
    return sorted(groups.values(), key=lambda g: (g.key[0], g.worst, g.key[1:]))


def violations_by(findings: Iterable[Finding], attribute: str) -> list[tuple[str, int]]:
    """Violation counts per severity (in severity order) or per policy (most first)."""
    counts: dict[str, int] = {}
    for f in findings:
        if f.status == "violation":
            value = str(getattr(f, attribute))
            counts[value] = counts.get(value, 0) + 1
    if attribute == "severity":
        return [(s, counts[s]) for s in SEVERITY_RANK if s in counts]
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def summary_line(report: RunReport) -> str:
    """One sentence: the run, its completeness and its counts."""
    run, counts = report.run, report.summary
    state = {
        "complete": "complete",
        "incomplete": "INCOMPLETE (some subjects could not be read)",
        "failed": f"FAILED ({run.error})" if run.error else "FAILED",
        "running": "still running",
        "abandoned": "ABANDONED (stopped before finishing)",
    }[run.status]
    return (
        f"Run {run.id} ({run.trigger}, {run.scope}) {state}: "
        f"{counts['violations']} violation(s), {counts['errors']} error(s), {counts['waived']} waived, "
        f"{counts['manual']} manual, {counts['passed']} passed; "
        f"{counts['meetings']} meeting(s) of {counts['users']} user(s)"
        + (f"; {counts['past']} past session(s) not judged." if counts["past"] else ".")
    )


SOON = timedelta(days=7)
"""How far ahead "Starting soon" looks, from the run's start."""


@dataclass(frozen=True)
class SoonSession:
    """A session starting within ``SOON`` of the run that still has open violations."""

    start_time: datetime
    topic: str
    host: str
    meeting_id: int
    occurrence_id: str | None
    policies: tuple[str, ...]
    timezone: str | None = None
    """The meeting's own time zone, to show ``start_time`` in."""

    @property
    def name(self) -> str:
        """The session in words: its topic, meeting id and, for one occurrence, which."""
        ids = str(self.meeting_id) + (f", occurrence {self.occurrence_id}" if self.occurrence_id else "")
        return f"{self.topic} ({ids})" if self.topic else ids


def starting_soon(report: RunReport, within: timedelta = SOON) -> list[SoonSession]:
    """The sessions with open violations that start (or are running) within ``within`` of the run's
    start, soonest first: what a safeguarding lead deals with first."""
    start = report.run.started_at
    sessions: dict[tuple[int, str | None], list[Finding]] = {}
    for f in report.findings:
        if f.status != "violation" or f.start_time is None or f.meeting_id is None:
            continue
        ends = f.start_time + timedelta(minutes=f.duration or 0)
        if ends <= start or f.start_time >= start + within:
            continue
        sessions.setdefault((f.meeting_id, f.occurrence_id), []).append(f)
    out = []
    for (meeting_id, occurrence_id), found in sessions.items():
        first = found[0]
        assert first.start_time is not None  # filtered above
        out.append(
            SoonSession(
                start_time=first.start_time,
                topic=first.topic or "",
                host=first.host_email or first.host_id or "",
                meeting_id=meeting_id,
                occurrence_id=occurrence_id,
                policies=tuple(sorted({f.policy_id for f in found})),
                timezone=first.timezone,
            )
        )
    return sorted(out, key=lambda s: (s.start_time, s.meeting_id, s.occurrence_id or ""))


def when_text(value: datetime, zone: str | None = None) -> str:
    """A session's start for people, to the minute, on the clock of ``zone`` (the meeting's own
    time zone, or the console's ``ZOOMAUDIT_TIMEZONE``) and naming it; UTC when it is none or
    unknown. E.g. ``Fri 04 Dec 2026 16:00 Europe/London``."""
    name = zone_name(zone) or "UTC"
    return in_zone(value, name).strftime("%a %d %b %Y %H:%M ") + name
