"""The store's bulk insert writes exactly what SQLAlchemy's own insert writes, on every dialect
the store runs on (JSON, timezone-aware timestamps, NULLs, text with quotes and newlines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select

from tests.store.conftest import T0, finding
from zoomaudit.store import Store
from zoomaudit.store import runs as conv
from zoomaudit.store.bulk import insert_rows
from zoomaudit.store.models import FindingRow


def _rows(run_id: str) -> list[dict[str, Any]]:
    findings = [
        finding(actual={"length": 4, "unmet": ["a letter", "8 characters"]}, expected={"one_of": [1, "x"]}),
        finding("pass", "passcode", topic='It\'s "quoted"\nand multi-line; DROP TABLE runs', actual=True),
        finding("error", topic=None, host_email=None, actual=None, expected=None, source=None),
        finding(
            "manual",
            start_time=datetime(2026, 12, 5, 18, 0, tzinfo=timezone(timedelta(hours=-5))),
            duration=90,
            timezone="America/New_York",
            occurrence_id="1764975600000",
        ),
        finding("waived", waiver_id=7, waiver_reason="agreed with the safeguarding lead"),
    ]
    return [conv.finding_row(run_id, f) for f in findings]


def _stored(store: Store, run_id: str) -> list[dict[str, Any]]:
    with store.session() as session:
        rows = session.execute(select(FindingRow).where(FindingRow.run_id == run_id).order_by(FindingRow.id))
        return [
            {
                c.key: getattr(row, c.key)
                for c in FindingRow.__table__.columns
                if c.key not in ("id", "run_id")
            }
            for row in rows.scalars()
        ]


def test_bulk_rows_read_back_as_sqlalchemys_insert_writes_them(store: Store) -> None:
    by_orm = store.start_run("manual", "account", {}, "h", T0)
    by_bulk = store.start_run("manual", "account", {}, "h", T0 + timedelta(seconds=1))
    with store.session() as session:
        session.execute(insert(FindingRow), _rows(by_orm))
        insert_rows(session.connection(), FindingRow, _rows(by_bulk))
    orm, bulk = _stored(store, by_orm), _stored(store, by_bulk)
    assert len(bulk) == 5
    assert bulk == orm
    assert bulk[3]["start_time"] == datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
    assert bulk[0]["actual"] == {"length": 4, "unmet": ["a letter", "8 characters"]}


def test_no_rows_is_no_statement(store: Store) -> None:
    with store.session() as session:
        insert_rows(session.connection(), FindingRow, [])
        assert session.scalar(select(FindingRow.id)) is None


def test_a_driver_with_named_parameters_gets_dicts(tmp_path: object) -> None:
    # PostgreSQL's drivers take named parameters (pyformat); SQLite's driver takes both, so the
    # same rows go through the named branch here and must read back the same.
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from zoomaudit.store.models import Base, Run

    engine = create_engine(f"sqlite:///{tmp_path}/named.db", paramstyle="named")
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        session.add(Run(id="r1", trigger="manual", scope="account", started_at=T0, status="running"))
        session.flush()
        insert_rows(session.connection(), FindingRow, _rows("r1"))
    with Session(engine) as session:
        stored = session.scalars(select(FindingRow).order_by(FindingRow.id)).all()
        assert [r.topic for r in stored][:2] == [
            "Youth group",
            'It\'s "quoted"\nand multi-line; DROP TABLE runs',
        ]
        assert stored[3].start_time == datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
        assert stored[0].actual == {"length": 4, "unmet": ["a letter", "8 characters"]}
    engine.dispose()
