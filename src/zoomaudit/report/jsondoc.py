"""The JSON report: zoomaudit's public contract (docs/report-format.md, schema.json).

``schema_version`` 2 by default; 1 on request (``--schema-version 1``) for consumers that pinned
it. Fields are only ever added in a new schema version; consumers may rely on exactly these.
Version 2 adds each finding's ``start_time`` and ``duration``, the summary's ``past`` and the
run's ``account`` (the audited Zoom account's short name, ``default`` without an accounts file).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TextIO

from zoomaudit.errors import UsageError
from zoomaudit.findings import Finding
from zoomaudit.report.common import listed_findings
from zoomaudit.store.records import FINDING_COLUMNS, RunReport

SCHEMA_VERSION = 2
"""The version written unless another is asked for."""
SCHEMA_VERSIONS: tuple[int, ...] = (1, 2)
_V1_SUMMARY = ("meetings", "users", "violations", "errors", "waived", "manual", "passed")


def check_version(version: int) -> int:
    """``version`` when zoomaudit can write it, else a UsageError naming those it can."""
    if version not in SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in SCHEMA_VERSIONS)
        raise UsageError(f"unknown JSON schema version {version}; choose one of {known}")
    return version


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _run(report: RunReport, version: int) -> dict[str, Any]:
    run = report.run
    # Version 1 knows no ``pre-session`` or ``rejudge`` trigger: a check the service scheduled
    # reads ``scheduled``, and a rejudge (someone asked for it) reads ``manual``.
    trigger = _V1_TRIGGERS.get(run.trigger, run.trigger) if version < 2 else run.trigger
    doc: dict[str, Any] = {
        "id": run.id,
        "trigger": trigger,
        "scope": run.scope,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "complete": run.complete,
    }
    if version >= 2:
        doc["account"] = run.account
    if version >= 2 and run.rejudged_from is not None:
        doc["rejudged_from"] = run.rejudged_from
    return doc


_V1_TRIGGERS = {"pre-session": "scheduled", "rejudge": "manual"}


def _summary(report: RunReport, version: int) -> dict[str, int]:
    summary = report.summary
    return summary if version >= 2 else {key: summary[key] for key in _V1_SUMMARY}


def _finding(f: Finding, version: int = SCHEMA_VERSION) -> dict[str, Any]:
    item = {
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
    if version >= 2:
        item["start_time"] = _time(f.start_time)
        item["duration"] = f.duration
    return item


def document(report: RunReport, schema_version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    version = check_version(schema_version)
    return {
        "schema_version": version,
        "run": _run(report, version),
        "summary": _summary(report, version),
        "findings": [_finding(f, version) for f in listed_findings(report)],
        "errors": [
            {"meeting_id": e.meeting_id, "user_id": e.user_id, "message": e.message} for e in report.errors
        ],
    }


def _items(out: TextIO, lines: Iterable[str]) -> None:
    """A JSON array, one compact item per line (C-speed encoding; easy to grep and diff)."""
    out.write("[")
    first = True
    for line in lines:
        out.write("\n    " if first else ",\n    ")
        out.write(line)
        first = False
    out.write("]" if first else "\n  ]")


def write_json(
    report: RunReport, findings: Iterable[Finding], out: TextIO, schema_version: int = SCHEMA_VERSION
) -> None:
    """Write the report to ``out``, its findings taken from ``findings`` as they come, so a run
    of any size streams from the store without being held in memory."""
    version = check_version(schema_version)
    _write(report, (_json_line(_finding(f, version)) for f in findings), out, version)


def write_json_stored(
    report: RunReport, columns: Iterable[Sequence[Any]], out: TextIO, schema_version: int = SCHEMA_VERSION
) -> None:
    """``write_json`` from the store's column values (``Store.iter_finding_columns``): the same
    text, with each finding's ``actual`` and ``expected`` copied from their stored JSON rather
    than decoded, validated and encoded again (1.2-1.3 s -> 1.0-1.1 s for 42,728 findings)."""
    version = check_version(schema_version)
    _write(report, (_stored_line(c, version) for c in columns), out, version)


def _write(report: RunReport, lines: Iterable[str], out: TextIO, version: int) -> None:
    out.write("{\n")
    head = {"schema_version": version, "run": _run(report, version), "summary": _summary(report, version)}
    for key, value in head.items():
        text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.write(f'  "{key}": {text},\n')
    out.write('  "findings": ')
    _items(out, lines)
    out.write(',\n  "errors": ')
    _items(
        out,
        (
            _json_line({"meeting_id": e.meeting_id, "user_id": e.user_id, "message": e.message})
            for e in report.errors
        ),
    )
    out.write("\n}\n")


_json_line = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(value, ensure_ascii=False)``, without building an encoder for every line."""


_string = json.encoder.encode_basestring
"""A string as ``_json_line`` writes it (``ensure_ascii=False``; the C function when there is one)."""


def _scalar(value: Any) -> str:
    """``_json_line(value)`` of a column value, without the encoder's per-call set-up (the
    report writes ~20 of them a finding): strings, integers, booleans and None by hand,
    anything else through the encoder."""
    cls = value.__class__
    if cls is str:
        return _string(value)
    if value is None:
        return "null"
    if cls is int:
        return int.__repr__(value)
    if cls is bool:
        return "true" if value else "false"
    return _json_line(value)


def _stored_line(c: Sequence[Any], version: int) -> str:
    """``_json_line(_finding(f))`` of the finding stored as ``c`` (its columns in
    ``store.records.FINDING_COLUMNS`` order), keys in ``_finding``'s order and ``json.dumps``'
    separators. Its two JSON values are spliced in as stored: the store wrote them with those
    separators too, so only text with ``\\u`` escapes (``ensure_ascii``) needs writing again to
    read as the report writes it (``ensure_ascii=False``). The columns that are never NULL go
    straight to the string encoder, the nullable text ones past a test for None (a call a value
    was a third of this function's time)."""
    s, text = _scalar, _string
    occurrence, topic, host, email = c[_OCCURRENCE], c[_TOPIC], c[_HOST], c[_EMAIL]
    source, fix = c[_SOURCE], c[_FIX]
    line = (
        f'{{"policy_id": {text(c[_POLICY])}, "control": {text(c[_CONTROL])}, '
        f'"severity": {text(c[_SEVERITY])}, "status": {text(c[_STATUS])}, '
        f'"meeting_id": {s(c[_MEETING])}, '
        f'"occurrence_id": {"null" if occurrence is None else text(occurrence)}, '
        f'"topic": {"null" if topic is None else text(topic)}, '
        f'"host_id": {"null" if host is None else text(host)}, '
        f'"host_email": {"null" if email is None else text(email)}, '
        f'"actual": {_stored_json(c[_ACTUAL])}, "expected": {_stored_json(c[_EXPECTED])}, '
        f'"source": {"null" if source is None else text(source)}, "locked": {s(c[_LOCKED])}, '
        f'"message": {text(c[_MESSAGE])}, "fix_id": {"null" if fix is None else text(fix)}'
    )
    if version >= 2:
        start = c[_START]
        started = "null" if start is None else f'"{start.isoformat()}"'
        return f'{line}, "start_time": {started}, "duration": {s(c[_DURATION])}}}'
    return line + "}"


(
    _POLICY,
    _CONTROL,
    _SEVERITY,
    _STATUS,
    _MEETING,
    _OCCURRENCE,
    _TOPIC,
    _HOST,
    _EMAIL,
    _ACTUAL,
    _EXPECTED,
    _SOURCE,
    _LOCKED,
    _MESSAGE,
    _FIX,
    _START,
    _DURATION,
) = (
    FINDING_COLUMNS.index(name)
    for name in (
        "policy_id",
        "control",
        "severity",
        "status",
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
        "start_time",
        "duration",
    )
)
"""Where ``_stored_line`` finds each column in a row of ``Store.iter_finding_columns``."""


def _stored_json(text: str | None) -> str:
    if text is None:
        return "null"
    if "\\u" in text:
        return _json_line(json.loads(text))
    return text


def render_json(report: RunReport, schema_version: int = SCHEMA_VERSION) -> str:
    out = io.StringIO()
    write_json(report, listed_findings(report), out, schema_version)
    return out.getvalue()
