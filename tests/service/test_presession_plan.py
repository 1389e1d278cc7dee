"""Planning pre-session checks: the pure rules, and the plan kept as date jobs in the job store.

The clock is controlled: nothing waits for a check's time. Schedulers here are started paused, so
no job fires by itself; the plan is read from the job store, as ``zoomaudit schedule show`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from typer.testing import CliRunner

from zoomaudit.cli.app import app as cli
from zoomaudit.service import presession
from zoomaudit.service.presession import PlannedCheck, plan_checks, session_key
from zoomaudit.service.scheduler import build_scheduler
from zoomaudit.settings import Settings, load_settings, parse_lead_times
from zoomaudit.store import Store
from zoomaudit.store.upcoming import UpcomingSession

from ..store.conftest import finding

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)
LEADS = (60, 10)


def session(start: datetime, meeting_id: int = 1, occurrence_id: str | None = None) -> UpcomingSession:
    return UpcomingSession(
        meeting_id=meeting_id,
        occurrence_id=occurrence_id,
        topic="Youth group",
        host_email="alice@example.org",
        start_time=start,
        duration=60,
        timezone="Europe/London",
        run_id="r1",
        judged_at=NOW - HOUR,
    )


def planned(*sessions: UpcomingSession, **kwargs: Any) -> list[tuple[int, int, datetime]]:
    checks = plan_checks(
        sessions, kwargs.pop("leads", LEADS), kwargs.pop("now", NOW), kwargs.pop("last", {}), **kwargs
    )
    return [(c.meeting_id, c.lead, c.due) for c in checks]


def test_a_session_two_hours_away_gets_a_check_at_each_lead_time() -> None:
    start = NOW + 2 * HOUR
    assert planned(session(start)) == [(1, 60, start - 60 * MIN), (1, 10, start - 10 * MIN)]


def test_a_session_sooner_than_the_lead_time_is_checked_at_once_and_again_at_the_shorter_lead() -> None:
    start = NOW + 30 * MIN
    assert planned(session(start)) == [(1, 60, NOW), (1, 10, start - 10 * MIN)]


def test_a_session_about_to_start_gets_one_check_at_once() -> None:
    assert planned(session(NOW + 5 * MIN)) == [(1, 10, NOW)]


def test_a_lead_a_check_already_covered_is_not_planned_again() -> None:
    start = NOW + 30 * MIN
    last = {session_key(1, None, start): start - 55 * MIN}  # the at-once check ran 5 minutes ago
    assert planned(session(start), last=last) == [(1, 10, start - 10 * MIN)]
    last = {session_key(1, None, start): start - 8 * MIN}
    assert planned(session(start), last=last) == []


def test_begun_far_and_deleted_sessions_get_no_check() -> None:
    assert planned(session(NOW - MIN)) == []
    assert planned(session(NOW)) == []
    assert planned(session(NOW + 40 * HOUR)) == []
    assert planned(session(NOW + 2 * HOUR), gone={1: NOW - 30 * MIN}) == []
    # Found gone before its latest verdict: the meeting came back (a restored meeting), so planned.
    assert len(planned(session(NOW + 2 * HOUR), gone={1: NOW - 2 * HOUR})) == 2


def test_occurrences_are_planned_on_their_own_and_off_plans_nothing() -> None:
    a, b = session(NOW + 2 * HOUR, occurrence_id="1700"), session(NOW + 26 * HOUR, occurrence_id="1800")
    checks = plan_checks([a, b], LEADS, NOW, {})
    assert [c.job_id for c in checks] == [
        "pre-session:1:1700:60",
        "pre-session:1:1700:10",
        "pre-session:1:1800:60",
        "pre-session:1:1800:10",
    ]
    assert plan_checks([a, b], (), NOW, {}) == []


@pytest.mark.parametrize(
    ("text", "leads"),
    [("60,10", (60, 10)), ("10, 60, 10", (60, 10)), ("off", ()), ("OFF", ()), ("1440", (1440,))],
)
def test_lead_times_are_read_from_the_setting(text: str, leads: tuple[int, ...]) -> None:
    assert parse_lead_times(text) == leads


@pytest.mark.parametrize("text", ["0", "1441", "ten", "60;10", "-5", "1.5"])
def test_bad_lead_times_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="lead time"):
        parse_lead_times(text)


# --- the plan in the job store ----------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'plan.db'}"


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    opened = Store(db)
    yield opened
    opened.close()


@pytest.fixture
def settings(db: str) -> Settings:
    return load_settings(ZOOMAUDIT_DATABASE_URL=db, ZOOMAUDIT_TIMEZONE="Europe/London")


def judged(store: Store, at: datetime, start: datetime | None, meeting_id: int = 81234567890) -> str:
    """A finished run that judged one meeting as starting at ``start``."""
    run_id = store.start_run("manual", "meetings", {}, "h", at)
    store.add_findings(
        run_id, [finding(meeting_id=meeting_id, start_time=start, duration=60, timezone="Europe/London")]
    )
    store.finish_run(run_id, complete=True, finished_at=at, counts={})
    return run_id


def jobs_of(scheduler: AsyncIOScheduler) -> dict[str, datetime]:
    return {
        job_id: job.next_run_time.astimezone(UTC)
        for job_id, job in presession.planned_jobs(scheduler).items()
    }


@pytest.mark.anyio
async def test_the_plan_follows_the_stored_start_times_and_survives_a_restart(
    store: Store, settings: Settings, db: str
) -> None:
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        start = NOW + 2 * HOUR
        judged(store, NOW - HOUR, start)
        assert presession.replan(scheduler, store, LEADS, NOW) == (2, 0)
        assert jobs_of(scheduler) == {
            "pre-session:81234567890:-:60": start - 60 * MIN,
            "pre-session:81234567890:-:10": start - 10 * MIN,
        }
        assert presession.replan(scheduler, store, LEADS, NOW + MIN) == (0, 0)  # nothing moved

        # The host moves the session three hours later; the next run stores the new start.
        moved = start + 3 * HOUR
        judged(store, NOW + 5 * MIN, moved)
        assert presession.replan(scheduler, store, LEADS, NOW + 6 * MIN) == (2, 0)
        assert sorted(jobs_of(scheduler).values()) == [moved - 60 * MIN, moved - 10 * MIN]
    finally:
        scheduler.shutdown(wait=False)

    # A restart of the service reads the same plan from the job store.
    again = build_scheduler(settings)
    again.start(paused=True)
    try:
        assert sorted(jobs_of(again).values()) == [moved - 60 * MIN, moved - 10 * MIN]
        # The meeting is deleted in Zoom: its checks go, and a re-plan does not bring them back.
        assert presession.forget_meeting(again, store, 81234567890, NOW + 7 * MIN) == 2
        assert jobs_of(again) == {}
        assert presession.replan(again, store, LEADS, NOW + 8 * MIN) == (0, 0)
        assert [c.outcome for c in store.pre_session.recent()] == ["gone", "gone"]
    finally:
        again.shutdown(wait=False)


@pytest.mark.anyio
async def test_a_check_due_at_once_stays_due_and_off_removes_the_plan(
    store: Store, settings: Settings
) -> None:
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        start = NOW + 20 * MIN
        judged(store, NOW - HOUR, start)
        presession.replan(scheduler, store, LEADS, NOW)
        assert jobs_of(scheduler) == {
            "pre-session:81234567890:-:60": NOW,
            "pre-session:81234567890:-:10": start - 10 * MIN,
        }
        # A re-plan a minute later does not push the waiting check on by a minute.
        assert presession.replan(scheduler, store, LEADS, NOW + MIN) == (0, 0)
        assert jobs_of(scheduler)["pre-session:81234567890:-:60"] == NOW
        assert presession.replan(scheduler, store, (), NOW + MIN) == (0, 2)
        assert jobs_of(scheduler) == {}
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.anyio
async def test_schedule_show_lists_the_planned_checks(
    store: Store, settings: Settings, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    start = datetime(2026, 7, 3, 15, 0, tzinfo=UTC)  # BST: 16:00 in London
    judged(store, start - 3 * HOUR, start)
    presession.replan(scheduler, store, LEADS, start - 2 * HOUR)
    scheduler.shutdown(wait=False)

    monkeypatch.setenv("ZOOMAUDIT_DATABASE_URL", db)
    monkeypatch.setenv("ZOOMAUDIT_TIMEZONE", "Europe/London")
    result = CliRunner().invoke(cli, ["schedule", "show"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Pre-session checks (ZOOMAUDIT_PRE_SESSION=60,10)" in result.output
    assert "81234567890" in result.output
    assert "Fri 03 Jul 2026 16:00 Europe/London" in result.output  # the session, on its own clock
    assert "Fri 03 Jul 2026 15:00 Europe/London" in result.output  # the check at T-60
    assert "Fri 03 Jul 2026 15:50 Europe/London" in result.output  # the check at T-10

    monkeypatch.setenv("ZOOMAUDIT_PRE_SESSION", "off")
    result = CliRunner().invoke(cli, ["schedule", "show"], env={"COLUMNS": "200"})
    assert "Pre-session checks are off" in result.output


def test_a_planned_check_round_trips_through_its_job_arguments() -> None:
    check = PlannedCheck(5, "1700", NOW + HOUR, "Europe/London", 10, NOW + 50 * MIN)
    assert PlannedCheck.from_args(check.args, check.due) == check


@pytest.mark.anyio
async def test_at_start_up_a_missed_check_runs_at_once_and_a_stale_one_is_failed(tmp_path: Path) -> None:
    """The service was down at T-60: on start-up the check runs at once (the session has not
    begun), and a check left running by the service that stopped is recorded as failed."""
    import asyncio

    from zoomaudit.service.app import create_service_app

    from .conftest import FakeRunner, running

    db = f"sqlite:///{tmp_path / 'serve.db'}"
    real_now = datetime.now(UTC)
    start = (real_now + 30 * MIN).replace(microsecond=0)
    with Store(db) as store:
        judged(store, real_now - 2 * HOUR, start)
        stale = store.pre_session.begin(
            meeting_id=5,
            occurrence_id=None,
            start_time=start,
            timezone=None,
            lead_minutes=60,
            due_at=start,
            ran_at=real_now - HOUR,
        )
    runner = FakeRunner()
    app = create_service_app(
        load_settings(ZOOMAUDIT_DATABASE_URL=db), runner=runner, console=False, webhooks_expected=False
    )
    async with running(app):
        await asyncio.wait_for(runner.called.wait(), timeout=30)
        service = app.state.service
        [(scope, trigger)] = runner.calls
        assert (trigger, scope.kind, scope.meeting_ids) == ("pre-session", "meetings", (81234567890,))
        jobs = presession.planned_jobs(service.scheduler)
        assert list(jobs) == ["pre-session:81234567890:-:10"]  # the T-10 check still to come
        records = {r.id: r for r in service.store.pre_session.recent()}
        assert (records[stale].outcome, records[stale].detail) == (
            "failed",
            "the service stopped during the check",
        )
