"""The nightly and deferred-fix jobs on APScheduler with the SQLAlchemy job store (tmp sqlite)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app as cli
from zoomaudit.errors import ConfigError
from zoomaudit.service.scheduler import (
    DEFERRED_JOB_ID,
    NIGHTLY_JOB_ID,
    PRUNE_JOB_ID,
    crontab_day_of_week,
    nightly_trigger,
    stored_jobs,
)
from zoomaudit.settings import Settings, load_settings
from zoomaudit.vocabulary import AccountScope

from .conftest import SECRET, AppFactory, FakeRunner, running

pytestmark = pytest.mark.anyio


def close_to(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) < 0.01


def test_nightly_trigger_follows_schedule_and_timezone() -> None:
    settings = load_settings(ZOOMAUDIT_SCHEDULE="30 2 * * 1-5", ZOOMAUDIT_TIMEZONE="Europe/London")
    trigger = nightly_trigger(settings)
    friday_noon = datetime(2026, 7, 3, 12, 0, tzinfo=UTC)  # BST: 13:00 in London
    upcoming = trigger.get_next_fire_time(None, friday_noon)
    assert upcoming == datetime(2026, 7, 6, 2, 30, tzinfo=ZoneInfo("Europe/London"))  # Monday
    assert upcoming.astimezone(UTC).hour == 1


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1-5/2", "mon,wed,fri"),
        ("mon-fri", "mon-fri"),
        ("sat,0", "sat,sun"),
    ],
)
def test_crontab_weekdays_keep_their_crontab_meaning(field: str, expected: str) -> None:
    assert crontab_day_of_week(field) == expected


@pytest.mark.parametrize("field", ["8", "5-1", "1/0", "1/x"])
def test_bad_weekdays_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match="day of week"):
        crontab_day_of_week(field)


def test_default_schedule_is_two_am_utc() -> None:
    trigger = nightly_trigger(load_settings())
    assert trigger.get_next_fire_time(None, datetime(2026, 1, 1, 3, tzinfo=UTC)) == datetime(
        2026, 1, 2, 2, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("schedule", "zone"), [("0 2 * *", "UTC"), ("61 2 * * *", "UTC"), ("0 2 * * *", "Mars/Base")]
)
def test_bad_schedule_is_a_config_error(schedule: str, zone: str) -> None:
    settings = load_settings(ZOOMAUDIT_SCHEDULE=schedule, ZOOMAUDIT_TIMEZONE=zone)
    with pytest.raises(ConfigError, match="ZOOMAUDIT_SCHEDULE"):
        nightly_trigger(settings)


async def test_nightly_job_fires_and_audits_the_account(make_app: AppFactory, runner: FakeRunner) -> None:
    app = make_app(start_scheduler=True)
    async with running(app) as client:
        scheduler = app.state.service.scheduler
        job = scheduler.get_job(NIGHTLY_JOB_ID)
        assert job.next_run_time > datetime.now(UTC)
        assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 0)
        health = (await client.get("/healthz")).json()
        assert health["scheduler"] == "running"
        assert health["next_nightly_run"] == job.next_run_time.isoformat()
        # Move the clock of the job, not the test: its run time is now due.
        scheduler.modify_job(NIGHTLY_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(seconds=1))
        await asyncio.wait_for(runner.called.wait(), 5)
        assert scheduler.get_job(NIGHTLY_JOB_ID).next_run_time > datetime.now(UTC)
    assert runner.calls == [(AccountScope(), "scheduled")]


async def test_deferred_fix_job_calls_apply_deferred(make_app: AppFactory) -> None:
    done = asyncio.Event()

    async def apply_deferred(client: object, account: str) -> str:
        done.set()
        return "2 applied"

    app = make_app(start_scheduler=True, apply_deferred=apply_deferred)
    async with running(app):
        scheduler = app.state.service.scheduler
        job = scheduler.get_job(DEFERRED_JOB_ID)
        assert (job.next_run_time.astimezone(UTC).hour, job.next_run_time.minute) == (0, 5)
        scheduler.modify_job(DEFERRED_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(seconds=1))
        await asyncio.wait_for(done.wait(), 5)


async def test_restart_keeps_the_job_and_its_next_run_time(make_app: AppFactory, settings: Settings) -> None:
    first = make_app(start_scheduler=True)
    target = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    async with running(first):
        first.state.service.scheduler.modify_job(NIGHTLY_JOB_ID, next_run_time=target)

    # Readable without any scheduler running (what `zoomaudit schedule show` does).
    stored = {job.id: job for job in stored_jobs(settings.database_url) or []}
    assert set(stored) == {NIGHTLY_JOB_ID, DEFERRED_JOB_ID, PRUNE_JOB_ID}  # pre-session checks off
    assert close_to(stored[NIGHTLY_JOB_ID].next_run_time, target)

    second = make_app(start_scheduler=True)
    async with running(second):
        job = second.state.service.scheduler.get_job(NIGHTLY_JOB_ID)
        assert close_to(job.next_run_time, target)
        assert len(second.state.service.scheduler.get_jobs()) == 3


async def test_a_changed_schedule_is_applied_at_restart(make_app: AppFactory) -> None:
    async with running(make_app(start_scheduler=True)):
        pass
    changed = make_app(start_scheduler=True, settings=load_settings(ZOOMAUDIT_SCHEDULE="30 3 * * *"))
    async with running(changed):
        job = changed.state.service.scheduler.get_job(NIGHTLY_JOB_ID)
        assert (job.next_run_time.hour, job.next_run_time.minute) == (3, 30)
        assert job.next_run_time > datetime.now(UTC)


async def test_a_run_missed_while_down_runs_once_at_start(make_app: AppFactory, runner: FakeRunner) -> None:
    first = make_app(start_scheduler=True)
    async with running(first):
        scheduler = first.state.service.scheduler
        scheduler.pause()
        # Two nightly runs passed while the service was down: coalesced into one.
        scheduler.modify_job(NIGHTLY_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(minutes=30))
    assert runner.calls == []

    second = make_app(start_scheduler=True)
    async with running(second):
        await asyncio.wait_for(runner.called.wait(), 5)
        await asyncio.sleep(0.05)
    assert runner.calls == [(AccountScope(), "scheduled")]


async def test_a_run_missed_beyond_the_grace_time_is_skipped(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    # The nightly run falls 12 hours from now, whatever the time of day: the missed run (5 hours
    # ago) is then the only one due, and it is beyond the grace time. With the default 02:00,
    # a test run between 02:00 and 06:00 had today's 02:00 run due within the grace time.
    hour = (datetime.now(UTC).hour + 12) % 24
    settings = load_settings(
        ZOOM_WEBHOOK_SECRET_TOKEN=SECRET, ZOOMAUDIT_PRE_SESSION="off", ZOOMAUDIT_SCHEDULE=f"0 {hour} * * *"
    )
    first = make_app(start_scheduler=True, settings=settings)
    async with running(first):
        first.state.service.scheduler.pause()
        first.state.service.scheduler.modify_job(
            NIGHTLY_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(hours=5)
        )
    second = make_app(start_scheduler=True, settings=settings)
    async with running(second):
        await asyncio.sleep(0.05)
        assert second.state.service.scheduler.get_job(NIGHTLY_JOB_ID).next_run_time > datetime.now(UTC)
    assert runner.calls == []


def test_schedule_show_before_the_service_ever_ran() -> None:
    result = CliRunner().invoke(cli, ["schedule", "show"])
    assert result.exit_code == 0, result.output
    assert "No jobs stored yet" in result.output
    assert "nightly-audit" in result.output


async def test_schedule_show_prints_stored_jobs_and_flags_a_changed_schedule(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(make_app(start_scheduler=True)):
        pass
    result = CliRunner().invoke(cli, ["schedule", "show"])
    assert result.exit_code == 0, result.output
    assert "nightly audit" in result.output
    assert "retry deferred fixes" in result.output
    assert "02:00" in result.output
    assert "differs" not in result.output

    monkeypatch.setenv("ZOOMAUDIT_SCHEDULE", "15 4 * * *")
    result = CliRunner().invoke(cli, ["schedule", "show"])
    assert "differs" in result.output


def test_schedule_run_now_runs_the_nightly_audit_once(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = FakeRunner()
    monkeypatch.setattr("zoomaudit.service.wiring.real_runner", lambda: runner)
    for name in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"):
        monkeypatch.setenv(name, "x")
    result = CliRunner().invoke(cli, ["schedule", "run-now"])
    assert result.exit_code == 0, result.output
    assert "run run-1 (complete, 0 violation(s))" in result.output
    assert runner.calls == [(AccountScope(), "scheduled")]
