"""Retention in ``serve`` and on the command line (issue 16): ``zoomaudit prune [--dry-run]`` and
the nightly "prune" job, both deleting what is older than ZOOMAUDIT_RETENTION_DAYS."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app as cli
from zoomaudit.errors import ConfigError
from zoomaudit.service.scheduler import PRUNE_JOB_ID, job_specs
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store

from .conftest import AppFactory, running

NOW = datetime(2026, 12, 4, 3, 30, tzinfo=UTC)
COUNTS = {"meetings": 1, "users": 1, "violations": 0, "errors": 0, "waived": 0, "manual": 0, "passed": 0}


def _run(store: Store, started: datetime) -> str:
    run_id = store.start_run("scheduled", "account", {}, "hash-1", started)
    store.finish_run(run_id, complete=True, finished_at=started + timedelta(minutes=1), counts=COUNTS)
    return run_id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'service.db'}") as opened:
        yield opened


def test_the_default_retention_is_400_days() -> None:
    assert load_settings().retention_days == 400
    assert load_settings(ZOOMAUDIT_RETENTION_DAYS="30").retention_days == 30


def test_prune_deletes_old_runs_and_dry_run_only_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    now = datetime.now(UTC)
    with Store.from_settings(settings) as store:
        old = _run(store, now - timedelta(days=500))
        recent = _run(store, now - timedelta(days=2))
    dry = CliRunner().invoke(cli, ["prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete" in dry.output
    assert "runs                  1" in dry.output
    with Store.from_settings(settings) as store:
        assert {r.id for r in store.list_runs()} == {old, recent}
    monkeypatch.setenv("ZOOMAUDIT_RETENTION_DAYS", "400")
    done = CliRunner().invoke(cli, ["prune"])
    assert done.exit_code == 0, done.output
    assert "deleted:" in done.output
    with Store.from_settings(settings) as store:
        assert [r.id for r in store.list_runs()] == [recent]


def test_a_retention_of_zero_days_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_RETENTION_DAYS", "0")
    result = CliRunner().invoke(cli, ["prune"])
    assert isinstance(result.exception, ConfigError)
    assert "ZOOMAUDIT_RETENTION_DAYS" in str(result.exception)


def test_serve_prunes_every_night_at_0330_utc(settings: Settings) -> None:
    spec = next(s for s in job_specs(settings) if s.id == PRUNE_JOB_ID)
    fire = spec.trigger.get_next_fire_time(None, datetime(2026, 12, 4, 12, tzinfo=UTC))
    assert fire == datetime(2026, 12, 5, 3, 30, tzinfo=UTC)


@pytest.mark.anyio
async def test_the_service_prunes_with_its_clock_and_settings(make_app: AppFactory, store: Store) -> None:
    old = _run(store, NOW - timedelta(days=31))
    recent = _run(store, NOW - timedelta(days=29))
    settings = load_settings(ZOOMAUDIT_RETENTION_DAYS="30", ZOOMAUDIT_PRE_SESSION="off")
    app = make_app(settings=settings, store=store, clock=NOW.timestamp)
    async with running(app):
        result = await app.state.service.prune()
    assert result.runs == 1
    assert [r.id for r in store.list_runs()] == [recent]
    assert old != recent


@pytest.mark.anyio
async def test_the_prune_job_fires_the_services_prune(make_app: AppFactory) -> None:
    app = make_app(start_scheduler=True)
    service = app.state.service
    pruned = asyncio.Event()

    async def prune() -> None:
        pruned.set()

    service.prune = prune
    async with running(app):
        scheduler = service.scheduler
        job = scheduler.get_job(PRUNE_JOB_ID)
        assert (job.next_run_time.astimezone(UTC).hour, job.next_run_time.minute) == (3, 30)
        scheduler.modify_job(PRUNE_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(seconds=1))
        await asyncio.wait_for(pruned.wait(), 5)
