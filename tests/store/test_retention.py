"""Retention (issue 16): old runs go with their findings and errors, the newest complete run and
the fix trail stay; old pre-session checks and notification log rows go too. Clocks are fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from zoomaudit.snapshot import CollectError
from zoomaudit.store import Store
from zoomaudit.store.models import (
    FindingRow,
    FixEvent,
    FixPlan,
    Notification,
    NotificationMark,
    Run,
    RunErrorRow,
)
from zoomaudit.store.models import PreSessionCheck as CheckRow

from .conftest import finding

NOW = datetime(2026, 12, 4, 3, 30, tzinfo=UTC)
DAY = timedelta(days=1)
COUNTS = {"meetings": 1, "users": 1, "violations": 1, "errors": 0, "waived": 0, "manual": 0, "passed": 1}


def _run(store: Store, age_days: float, *, status: str = "complete", scope: str = "account") -> str:
    at = NOW - timedelta(days=age_days)
    run_id = store.start_run("scheduled", scope, {}, "hash-1", at)  # type: ignore[arg-type]
    store.add_findings(run_id, [finding("violation"), finding("pass", policy="passcode")])
    store.add_errors(run_id, [CollectError(meeting_id=81234567890, message="boom")])
    if status != "running":
        store.finish_run(
            run_id,
            complete=status == "complete",
            finished_at=at + timedelta(minutes=5),
            counts=COUNTS,
            error="Zoom down" if status == "failed" else None,
        )
    return run_id


def _fix(store: Store, fix_id: str, run_id: str, status: str, age_days: float) -> None:
    at = NOW - timedelta(days=age_days)
    with store.session() as session:
        session.add(
            FixPlan(
                id=fix_id,
                policy_id="waiting-room",
                status="pending",
                target_level="meeting",
                target_id="81234567890",
                host_id="u-alice",
                method="PATCH",
                path="/meetings/81234567890",
                query={},
                body={"settings": {"waiting_room": True}},
                before={"settings": {"waiting_room": False}},
                meeting_ids=[81234567890],
                dedupe_key=f"waiting-room:{fix_id}",
                created_at=at,
                created_run_id=run_id,
            )
        )
    if status != "pending":
        assert store.fixes.transition(
            fix_id, from_statuses=["pending"], to_status=status, actor="ann", at=at + timedelta(hours=1)
        )


def _count(store: Store, table: type[object], *where: object) -> int:
    with store.read_session() as session:
        return session.scalar(select(func.count()).select_from(table).where(*where)) or 0  # type: ignore[arg-type]


def test_old_runs_go_with_their_findings_and_errors(store: Store) -> None:
    old = _run(store, 500)
    old_failed = _run(store, 401, status="failed")
    recent = _run(store, 399)
    result = store.retention.prune(NOW, 400)
    assert (result.runs, result.findings, result.errors) == (2, 4, 2)
    assert [r.id for r in store.list_runs(include_abandoned=True)] == [recent]
    for run_id in (old, old_failed):
        assert _count(store, FindingRow, FindingRow.run_id == run_id) == 0
        assert _count(store, RunErrorRow, RunErrorRow.run_id == run_id) == 0
    assert _count(store, FindingRow, FindingRow.run_id == recent) == 2


def test_the_latest_complete_run_is_kept_however_old(store: Store) -> None:
    complete = _run(store, 900)
    account_then = _run(store, 950)
    _run(store, 800, status="incomplete")
    meetings = _run(store, 700, scope="meetings")
    result = store.retention.prune(NOW, 400)
    kept = {r.id for r in store.list_runs(include_abandoned=True)}
    # The newest complete run (of meetings) and the newest complete run of the account.
    assert kept == {meetings, complete}
    assert set(result.kept_runs) == {meetings, complete}
    assert account_then not in kept
    assert _count(store, FindingRow, FindingRow.run_id == complete) == 2


def test_a_running_run_is_never_pruned(store: Store) -> None:
    running = _run(store, 500, status="running")
    store.retention.prune(NOW, 400)
    assert store.get_run(running).status == "running"


def test_the_fix_trail_stays_when_its_run_goes(store: Store) -> None:
    old = _run(store, 500)
    _run(store, 1)
    _fix(store, "fx-applied", old, "applied", 500)
    _fix(store, "fx-rejected", old, "rejected", 500)
    store.retention.prune(NOW, 400)
    for fix_id in ("fx-applied", "fx-rejected"):
        record = store.fixes.get(fix_id)
        assert record is not None
        assert _count(store, FixEvent, FixEvent.fix_id == fix_id) >= 1
    with store.read_session() as session:
        assert session.get(FixPlan, "fx-applied").created_run_id is None  # type: ignore[union-attr]
    assert store.fixes.get("fx-applied").status == "applied"  # type: ignore[union-attr]


def test_a_dry_run_counts_and_deletes_nothing(store: Store) -> None:
    _run(store, 500)
    _run(store, 1)
    before = _count(store, FindingRow)
    result = store.retention.prune(NOW, 400, dry_run=True)
    assert result.dry_run
    assert (result.runs, result.findings, result.errors) == (1, 2, 1)
    assert _count(store, Run) == 2
    assert _count(store, FindingRow) == before


def _check(store: Store, age_days: float, outcome: str = "clean") -> int:
    ran = NOW - timedelta(days=age_days)
    check_id = store.pre_session.begin(
        meeting_id=81234567890,
        occurrence_id=None,
        start_time=ran + timedelta(minutes=60),
        timezone="Europe/London",
        lead_minutes=60,
        due_at=ran,
        ran_at=ran,
    )
    if outcome != "running":
        store.pre_session.finish(check_id, outcome=outcome, finished_at=ran + timedelta(minutes=1))
    return check_id


def _notification(store: Store, age_days: float, status: str = "sent", period: str | None = None) -> None:
    at = NOW - timedelta(days=age_days)
    delivery = store.notifications.record(
        kind="digest",
        channel="mailto://***",
        channel_fp="fp",
        recipients=["lead@example.org"],
        host=None,
        subject="digest",
        covers=[],
        marks=[(f"digest:{age_days}", period or at.strftime("%Y-%m-%d"))],
        status=status,
        created_at=at,
    )
    assert delivery is not None


def test_old_checks_and_notification_log_rows_go(store: Store) -> None:
    old_check = _check(store, 401)
    new_check = _check(store, 10)
    _notification(store, 401)
    _notification(store, 402, status="retrying")
    _notification(store, 403, period="once")
    _notification(store, 3)
    result = store.retention.prune(NOW, 400)
    assert (result.pre_session_checks, result.notifications, result.notification_marks) == (1, 2, 2)
    assert store.pre_session.get(old_check) is None
    assert store.pre_session.get(new_check) is not None
    assert _count(store, Notification) == 2  # the recent one and the one still retrying
    assert _count(store, Notification, Notification.status == "retrying") == 1
    # Marks of past days go (they only dedupe within their day); the "once" mark of an urgent
    # alert stays: without it the alert would be sent again.
    assert _count(store, NotificationMark) == 2
    assert _count(store, NotificationMark, NotificationMark.period == "once") == 1
    assert _count(store, CheckRow) == 1


def test_many_runs_are_deleted_in_batches(store: Store) -> None:
    ids = [_run(store, 500 + n) for n in range(120)]
    _run(store, 1)
    result = store.retention.prune(NOW, 400)
    assert result.runs == len(ids)
    assert _count(store, Run) == 1


def test_a_retention_below_one_day_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        store.retention.prune(NOW, 0)
