"""Conversions between findings / runs and their rows, and the liveness of a run's writer."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from zoomaudit.findings import Finding, Violation
from zoomaudit.redaction import redact_actual
from zoomaudit.snapshot import CollectError
from zoomaudit.store.models import FindingRow, Run, RunErrorRow
from zoomaudit.store.records import FINDING_COLUMNS, RunRecord

FINDING: TypeAdapter[Finding] = TypeAdapter(Finding)
# The columns a finding is stored in: the fields every finding has (the Waived extras are added
# where they apply), read from the model so that a new field cannot be forgotten here.
_FINDING_FIELDS: tuple[str, ...] = tuple(Violation.model_fields)

# Tokens of the Store objects open in this process: a run whose writer is this process but
# whose Store is gone was left behind (the caller died without finishing it).
_OPEN_TOKENS: set[str] = set()
_TOKENS_LOCK = threading.Lock()


def meeting_subject(meeting_id: int) -> str:
    """The ``subject`` column of a meeting's findings: how queries find them (through the index
    on run, subject and policy; there is none on meeting_id)."""
    return f"meeting:{meeting_id}"


def finding_row(run_id: str, finding: Finding) -> dict[str, Any]:
    """The column values of one finding (JSON values normalised by pydantic, secrets masked)."""
    data = finding.model_dump(mode="json")
    row = {name: data.get(name) for name in _FINDING_FIELDS}
    row["actual"] = redact_actual(finding.control, row["actual"])
    row["start_time"] = finding.start_time  # a datetime for the column, not its JSON text
    _policy, subject, occurrence = finding.identity
    row.update(
        run_id=run_id,
        subject=subject,
        occurrence_key=occurrence,
        waiver_id=data.get("waiver_id"),
        waiver_reason=data.get("waiver_reason"),
    )
    return row


_PLAIN = (str, int, float, bool, type(None))


FINDING_ROW_KEYS: tuple[str, ...] = tuple(c.name for c in FindingRow.__table__.columns if c.name != "id")
"""The columns a run writes for each finding, in the table's order (the order of the compiled
insert, so the values need no reordering): what ``finding_values`` gives, value for value."""


def finding_rows(run_id: str, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """``finding_row`` of many findings, as a run writes them (``finding_values``, keyed)."""
    return [dict(zip(FINDING_ROW_KEYS, values, strict=True)) for values in finding_values(run_id, findings)]


def finding_values(run_id: str, findings: Iterable[Finding]) -> list[list[Any]]:
    """The column values of ``finding_row`` of each finding, in ``FINDING_ROW_KEYS`` order: what
    a run writes (~145,000 rows for a 5,000-meeting account), built without a dict a row.

    Every field of a finding but ``actual`` and ``expected`` is already a plain column value
    (strings, numbers, a datetime), so the values are read from the findings' fields, and only
    those two are put in their JSON form (what ``model_dump(mode="json")`` does to them). A
    policy's findings share one ``expected`` object: it is converted once, and stays one object
    for the JSON column's memo (``bulk._bind_column``)."""
    converted: dict[int, Any] = {}
    held: list[Any] = []  # keeps each converted original alive, so that its id is not reused
    out: list[list[Any]] = []
    append = out.append
    for finding in findings:
        d = finding.__dict__
        control = d["control"]
        actual = d["actual"]
        if actual.__class__ not in _PLAIN:
            actual = to_jsonable_python(actual)
        expected = d["expected"]
        if expected.__class__ not in _PLAIN:
            found = converted.get(id(expected))
            if found is None:
                held.append(expected)
                found = converted[id(expected)] = to_jsonable_python(expected)
            expected = found
        # ``_Finding.identity``, inlined: the subject and occurrence that match findings across runs.
        meeting_id, occurrence_id, host_id = d["meeting_id"], d["occurrence_id"], d["host_id"]
        if meeting_id is not None:
            subject, occurrence = f"meeting:{meeting_id}", occurrence_id or ""
        elif host_id is not None:
            subject, occurrence = f"user:{host_id}", ""
        else:
            subject, occurrence = "account", ""
        append(
            [
                run_id,
                d["policy_id"],
                control,
                d["severity"],
                d["status"],
                meeting_id,
                occurrence_id,
                d["topic"],
                host_id,
                d["host_email"],
                redact_actual(control, actual),
                expected,
                d["source"],
                d["locked"],
                d["message"],
                d["fix_id"],
                d.get("waiver_id"),
                d.get("waiver_reason"),
                subject,
                occurrence,
                d["start_time"],
                d["duration"],
                d["timezone"],
            ]
        )
    return out


def finding_of(row: FindingRow) -> Finding:
    """A stored finding, from its ORM row."""
    return finding_from({name: getattr(row, name) for name in FINDING_COLUMNS})


JSON_COLUMNS = frozenset({"actual", "expected"})
"""The finding columns stored as JSON text."""


def finding_from(data: dict[str, Any]) -> Finding:
    """A stored finding from its column values (keyed as ``FINDING_COLUMNS``)."""
    if data["status"] != "waived":
        del data["waiver_id"], data["waiver_reason"]
    return FINDING.validate_python(data)


def error_rows(run_id: str, errors: Iterable[CollectError]) -> list[dict[str, Any]]:
    return [
        {"run_id": run_id, "meeting_id": e.meeting_id, "user_id": e.user_id, "message": e.message}
        for e in errors
    ]


def error_of(row: RunErrorRow) -> CollectError:
    return CollectError(meeting_id=row.meeting_id, user_id=row.user_id, message=row.message)


def record_of(run: Run) -> RunRecord:
    return RunRecord.model_validate(run)


def scope_key(run: Run) -> tuple[str, tuple[str, ...], tuple[str, ...], int | None]:
    """What a run audited, order aside: its kind, the meetings and users it named and the
    ``--starting-within`` window (minutes) it kept to, if any."""
    detail = run.scope_detail or {}
    meetings = tuple(sorted(str(m) for m in detail.get("meeting_ids") or ()))
    users = tuple(sorted(str(u).lower() for u in detail.get("users") or ()))
    window = detail.get("starting_within")
    return (run.scope, meetings, users, int(window) if window is not None else None)


# --- who is writing a run -------------------------------------------------------------------


def open_token(token: str) -> str:
    """Register a Store of this process; returns its owner string ``host:pid:token``."""
    with _TOKENS_LOCK:
        _OPEN_TOKENS.add(token)
    return f"{socket.gethostname()}:{os.getpid()}:{token}"


def close_token(token: str) -> None:
    with _TOKENS_LOCK:
        _OPEN_TOKENS.discard(token)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else, or the platform cannot tell
    return True


def writer_is_gone(owner: str, heartbeat: datetime | None, now: datetime, stale_after: timedelta) -> bool:
    """Whether a run still marked running has lost its writer.

    A run of this process is gone when its Store was closed or dropped; a run of another
    process on this machine when that process no longer exists or has been silent too long;
    a run written from another machine (PostgreSQL) only when it has been silent too long.
    """
    silent = heartbeat is None or heartbeat < now - stale_after
    host, _, rest = owner.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return silent
    pid = int(pid_text)
    if pid == os.getpid():
        with _TOKENS_LOCK:
            return token not in _OPEN_TOKENS
    return silent or not _pid_alive(pid)
