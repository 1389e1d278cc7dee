"""A batch's findings are written in one statement, as SQLAlchemy's own insert would write them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

import zoomaudit.store.runs as conv
from zoomaudit.snapshot import CollectError
from zoomaudit.store import Store
from zoomaudit.store.models import FindingRow

from .conftest import finding

NOW = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)


def _findings() -> list[Any]:
    return [
        finding(),
        finding("pass", actual=None, expected={"length": 8, "unmet": []}, start_time=NOW, duration=45),
        finding("error", policy="passcode-strength", actual="Secret123", meeting_id=None, topic=None),
        finding(
            "manual", actual=[1, "two"], occurrence_id="1700000000000", locked=True, timezone="Europe/London"
        ),
        finding("waived", waiver_id=3, waiver_reason="agreed", fix_id="fx-1"),
        # Values that are not JSON as they stand, and secrets beneath them.
        finding(actual=("a", 2), expected={"at": NOW, "codes": (1, 2)}, start_time=NOW),
        finding("pass", policy="passcode", actual={"password": "Secret123", "at": NOW}, expected=SHARED),
        finding("pass", policy="passcode", actual=123456, expected=SHARED, meeting_id=81234567891),
    ]


SHARED = {"check": "passcode_strength", "min_length": 8}
"""One ``expected`` object shared by a policy's findings, as the evaluator shares it."""


def _rows(store: Store, run_id: str) -> list[tuple[Any, ...]]:
    """The rows as the database keeps them (on SQLite, the raw text the driver returns)."""
    columns = [c for c in FindingRow.__table__.columns if c.name not in ("id", "run_id")]
    with store.read_session() as session:
        if session.get_bind().dialect.name == "sqlite":
            names = ", ".join(c.name for c in columns)
            raw = session.connection().exec_driver_sql(
                f"SELECT {names} FROM findings WHERE run_id = ? ORDER BY id",  # noqa: S608 - the model's names
                (run_id,),
            )
            return [tuple(r) for r in raw]
        query = select(*columns).where(FindingRow.run_id == run_id).order_by(FindingRow.id)
        return [tuple(r) for r in session.execute(query)]


def test_add_batch_writes_what_the_core_insert_writes(store: Store) -> None:
    fast = store.start_run("manual", "account", {}, "h", NOW)
    store.add_batch(fast, _findings(), [CollectError(meeting_id=5, message="gone")], (1, b"chunk"))
    core = store.start_run("manual", "account", {}, "h", NOW)
    with store.session() as session:
        session.execute(insert(FindingRow.__table__), [conv.finding_row(core, f) for f in _findings()])
    assert _rows(store, fast) == _rows(store, core)
    assert [f.status for f in store.findings(fast)][:5] == ["violation", "pass", "error", "manual", "waived"]
    assert store.findings(fast)[1].start_time == NOW
    assert store.snapshots.chunk(fast, 1) == b"chunk"
    assert [e.message for e in store.load_report(fast).errors] == ["gone"]


def test_the_rows_of_a_batch_are_each_findings_row() -> None:
    """``finding_rows`` (what a run writes) reads the fields directly; ``finding_row`` goes through
    pydantic's JSON dump. They must agree column for column, secrets masked in both."""
    findings = _findings()
    assert conv.finding_rows("r1", findings) == [conv.finding_row("r1", f) for f in findings]
    rows = conv.finding_rows("r1", findings)
    assert rows[6]["actual"] == {"password": "********", "at": "2026-12-05T05:00:00Z"}
    assert rows[7]["actual"] == "********"
    assert rows[5]["expected"] == {"at": "2026-12-05T05:00:00Z", "codes": [1, 2]}


def test_values_made_for_one_row_are_not_taken_for_anothers(store: Store) -> None:
    """Redacting a secret control's actual value makes a new object for each row, and the row
    holds the only reference to it; the JSON column's memo (keyed by id) must not hand one
    row's JSON to a later object that took the same id."""
    run_id = store.start_run("manual", "account", {}, "h", NOW)
    many = [finding(policy="passcode", actual={"password": "Secret123", "n": n}) for n in range(200)]
    store.add_batch(run_id, many, [])
    masked = [{"password": "********", "n": n} for n in range(200)]
    assert [f.actual for f in store.findings(run_id)] == masked
