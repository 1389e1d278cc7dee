"""``serve`` with an accounts file: each account's webhooks verified with its own secret and
re-auditing that account only, one nightly audit per account on its own schedule, and the
accounts audited at once, each on its own client. Two sandboxes over loopback, the real runner
and store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.several_accounts import (
    HILLSIDE_SCHEDULE,
    HILLSIDE_WEBHOOK_SECRET,
    RIVERSIDE_SCHEDULE,
    RIVERSIDE_WEBHOOK_SECRET,
    TwoAccounts,
    two_sandboxes,
    write_accounts_file,
)
from zoomaudit.cli.serve import install_accounts, service_accounts
from zoomaudit.service import scheduler as sched
from zoomaudit.service.app import create_service_app
from zoomaudit.service.webhooks import url_validation_answer
from zoomaudit.settings import Settings, load_settings

from .conftest import running, signed

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

URL = "/webhooks/zoom"


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwoAccounts]:
    with two_sandboxes() as (riverside, hillside):
        accounts = write_accounts_file(tmp_path, riverside, hillside)
        for name, value in accounts.environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(accounts.file))
        yield accounts


def serve_settings() -> tuple[Settings, dict[str, Settings]]:
    """What ``serve`` reads: the install's settings and every account's (cli/serve.py)."""
    settings = load_settings()
    accounts = service_accounts(install_accounts(settings))
    assert accounts is not None
    return settings, accounts


def meeting_event(account_id: str, meeting_id: int, ts: int = 1_700_000_000_000) -> dict[str, Any]:
    return {
        "event": "meeting.updated",
        "event_ts": ts,
        "payload": {"account_id": account_id, "object": {"id": meeting_id}},
    }


def zoom_reads(sandbox: Any) -> list[Any]:
    return list(sandbox.log.matching(path_prefix="/v2/"))


async def test_a_webhook_of_one_account_re_audits_that_account_only(two: TwoAccounts) -> None:
    settings, accounts = serve_settings()
    meeting_id = 6000000101  # in both sandboxes: only the right account's Zoom may be asked
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False, debounce=0.02)
    service = app.state.service
    async with running(app) as client:
        body, headers = signed(
            meeting_event(two.hillside.account_id, meeting_id), secret=HILLSIDE_WEBHOOK_SECRET
        )
        response = await client.post(URL, content=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "accepted"}
        await service.dispatcher.join()
        [run] = service.store.list_runs(limit=5)
        assert (run.trigger, run.scope, run.complete) == ("webhook", "meetings", True)
    assert two.hillside.log.matching("GET", f"/v2/meetings/{meeting_id}")
    assert zoom_reads(two.riverside) == [], "riverside's Zoom was asked about hillside's event"


async def test_an_event_signed_with_another_accounts_secret_is_refused(two: TwoAccounts) -> None:
    settings, accounts = serve_settings()
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False, debounce=0.02)
    service = app.state.service
    async with running(app) as client:
        # Signed with riverside's secret, but naming hillside's account.
        body, headers = signed(
            meeting_event(two.hillside.account_id, 6000000000), secret=RIVERSIDE_WEBHOOK_SECRET
        )
        response = await client.post(URL, content=body, headers=headers)
        await service.dispatcher.join()
        assert service.store.list_runs(limit=5) == []
    assert response.status_code == 401
    assert zoom_reads(two.hillside) == []
    assert zoom_reads(two.riverside) == []


async def test_an_unknown_account_id_is_refused_with_a_log_line(
    two: TwoAccounts, caplog: pytest.LogCaptureFixture
) -> None:
    settings, accounts = serve_settings()
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False, debounce=0.02)
    async with running(app) as client:
        body, headers = signed(meeting_event("NoSuchAcct9", 6000000000), secret=RIVERSIDE_WEBHOOK_SECRET)
        with caplog.at_level(logging.WARNING, logger="zoomaudit.service.webhooks"):
            response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 403
    assert "unknown Zoom account 'NoSuchAcct9'" in caplog.text
    assert RIVERSIDE_WEBHOOK_SECRET not in caplog.text
    assert zoom_reads(two.riverside) == []


async def test_the_url_validation_is_answered_with_the_secret_that_signed_it(two: TwoAccounts) -> None:
    settings, accounts = serve_settings()
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False)
    envelope = {"event": "endpoint.url_validation", "event_ts": 1, "payload": {"plainToken": "tok-123"}}
    async with running(app) as client:
        answers = {}
        for secret in (RIVERSIDE_WEBHOOK_SECRET, HILLSIDE_WEBHOOK_SECRET):
            body, headers = signed(envelope, secret=secret)
            answers[secret] = await client.post(URL, content=body, headers=headers)
        body, headers = signed(envelope, secret="a-secret-of-no-account")
        forged = await client.post(URL, content=body, headers=headers)
    for secret, answer in answers.items():
        assert answer.status_code == 200
        assert answer.json() == url_validation_answer(secret, "tok-123")
    assert forged.status_code == 401


async def test_each_account_has_its_own_nightly_audit_on_its_own_schedule(two: TwoAccounts) -> None:
    settings, accounts = serve_settings()
    # A service that ran before the accounts file left the single account's jobs behind.
    single = sched.start_scheduler(settings)
    assert single.get_job(sched.NIGHTLY_JOB_ID) is not None
    await sched.stop_scheduler(single)

    scheduler = sched.start_scheduler(settings, accounts)
    try:
        nightly = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(sched.NIGHTLY_JOB_ID)}
        deferred = {job.id for job in scheduler.get_jobs() if job.id.startswith(sched.DEFERRED_JOB_ID)}
    finally:
        await sched.stop_scheduler(scheduler)
    assert set(nightly) == {"nightly-audit:riverside", "nightly-audit:hillside"}
    assert deferred == {"deferred-fixes:riverside", "deferred-fixes:hillside"}
    for name, (schedule, zone) in (("riverside", RIVERSIDE_SCHEDULE), ("hillside", HILLSIDE_SCHEDULE)):
        job = nightly[f"nightly-audit:{name}"]
        assert job.args == (name,)
        assert str(job.trigger.timezone) == zone
        minute, hour, *_ = schedule.split()
        fields = {field.name: str(field) for field in job.trigger.fields}
        assert (fields["minute"], fields["hour"]) == (minute, hour)
    assert sched.stored_jobs(settings.database_url) is not None
    fields = {f.name: str(f) for f in nightly["nightly-audit:hillside"].trigger.fields}
    assert fields["day_of_week"] == "mon,tue,wed,thu,fri"


async def test_the_nightly_audits_of_two_accounts_run_at_once_each_on_its_own_client(
    two: TwoAccounts,
) -> None:
    settings, accounts = serve_settings()
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False)
    service = app.state.service
    async with running(app):
        started = {name: asyncio.Event() for name in accounts}
        release = asyncio.Event()
        real_runner = service.runner

        async def gated(*args: Any, account: str, **kwargs: Any) -> Any:
            # Both accounts' runs must be under way together: one waiting for the other's lane
            # would never see the other's start.
            started[account].set()
            await release.wait()
            return await real_runner(*args, account=account, **kwargs)

        service.runner = gated
        runs = asyncio.gather(service.nightly("riverside"), service.nightly("hillside"))
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in started.values())), 60)
        release.set()
        outcomes = await asyncio.wait_for(runs, 120)
        clients = {name: desk.lane.client for name, desk in service.desks.items()}
        stored = {run.id: run for run in service.store.list_runs(limit=5)}
    assert all(outcome.complete for outcome in outcomes)
    assert {outcome.run_id for outcome in outcomes} == set(stored)
    assert clients["riverside"] is not clients["hillside"]
    assert two.riverside.log.matching("GET", "/v2/users")
    assert two.hillside.log.matching("GET", "/v2/users")


def test_pre_session_checks_are_planned_when_any_account_has_them() -> None:
    from zoomaudit.service.presession import REPLAN_JOB_ID

    on = load_settings()
    off = load_settings(ZOOMAUDIT_PRE_SESSION="off")
    assert on.pre_session_leads, "the default plans pre-session checks"
    one = {spec.id for spec in sched.job_specs(on, {"riverside": on})}
    two = {spec.id for spec in sched.job_specs(on, {"riverside": off, "hillside": on})}
    none = {spec.id for spec in sched.job_specs(on, {"riverside": off, "hillside": off})}
    assert REPLAN_JOB_ID in one
    assert REPLAN_JOB_ID in two  # one plan job plans each account's checks (presession.py)
    assert REPLAN_JOB_ID not in none
    assert {"nightly-audit:riverside", "nightly-audit:hillside"} <= two
