"""Findings keep when their session happens (UTC, revision 0003); a run keeps its ``past`` count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from zoomaudit.store import Store
from zoomaudit.store.migrate import alembic_config

from .conftest import finding

STARTED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
COUNTS = {"meetings": 2, "users": 1, "violations": 2, "errors": 0, "waived": 0, "manual": 0, "passed": 0}


def test_start_time_and_duration_round_trip_in_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    run_id = store.start_run("pre-session", "meetings", {}, "h", STARTED)
    store.add_findings(
        run_id,
        [
            finding(meeting_id=1, start_time=datetime(2026, 11, 24, 18, 0, tzinfo=paris), duration=90),
            finding(meeting_id=2),  # a Personal Meeting Room: no time
        ],
    )
    store.finish_run(run_id, complete=True, finished_at=STARTED, counts={**COUNTS, "past": 3})
    report = store.load_report(run_id)
    times = {f.meeting_id: (f.start_time, f.duration) for f in report.findings}
    assert times == {1: (datetime(2026, 11, 24, 17, 0, tzinfo=UTC), 90), 2: (None, None)}
    assert times[1][0] is not None
    assert times[1][0].utcoffset() == timedelta(0)
    assert report.summary["past"] == 3
    assert report.run.trigger == "pre-session"
    streamed = {f.meeting_id: f.start_time for f in store.iter_findings(run_id)}
    assert streamed[1] == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def test_a_run_stored_before_past_was_counted_reads_0_without_recounting(store: Store) -> None:
    run_id = store.start_run("manual", "account", {}, "h", STARTED)
    store.add_findings(run_id, [finding()])
    store.finish_run(run_id, complete=True, finished_at=STARTED, counts=COUNTS)  # no "past"
    assert store.load_report(run_id).summary == {**COUNTS, "past": 0}


def test_a_database_at_0002_gains_the_time_columns_and_keeps_its_findings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO runs (id, trigger, scope, scope_detail, started_at, status, complete,"
                " policy_hash, counts, policies, owner) VALUES ('r1', 'manual', 'account', '{}',"
                " '2026-11-20 02:00:00', 'complete', 1, 'h', :counts, '{}', '')"
            ),
            {
                "counts": '{"meetings": 1, "users": 1, "violations": 1, "errors": 0, "waived": 0,'
                ' "manual": 0, "passed": 0}'
            },
        )
        connection.execute(
            text(
                "INSERT INTO findings (run_id, policy_id, control, severity, status, meeting_id,"
                " locked, message, subject, occurrence_key) VALUES ('r1', 'waiting-room',"
                " 'waiting_room', 'high', 'violation', 5, 0, '', 'meeting:5', '')"
            )
        )
    engine.dispose()
    with Store(url) as store:
        report = store.load_report("r1")
    assert [(f.meeting_id, f.start_time, f.duration) for f in report.findings] == [(5, None, None)]
    assert report.summary["past"] == 0
