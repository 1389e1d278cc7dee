"""End to end: the service app with the real runner and store, against the sandbox over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from zoomaudit.sandbox.server import RunningSandbox, start_sandbox
from zoomaudit.service.app import create_service_app
from zoomaudit.service.scheduler import NIGHTLY_JOB_ID
from zoomaudit.settings import Settings, load_settings
from zoomaudit.zoom.client import ZoomClient

from .conftest import SECRET, event, running, signed

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOPIC = "Fundraising committee"  # a demo meeting whose waiting room is on, and not locked on


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as running_sandbox:
        yield running_sandbox


@pytest.fixture
def e2e_settings(sandbox: RunningSandbox) -> Settings:
    # The demo has sessions today: checks before them would be runs of their own here.
    return load_settings(**sandbox.env(), ZOOM_WEBHOOK_SECRET_TOKEN=SECRET, ZOOMAUDIT_PRE_SESSION="off")


async def make_unsafe(settings: Settings, meeting_id: int) -> None:
    async with ZoomClient(settings) as client:
        await client.update_meeting(meeting_id, {"settings": {"waiting_room": False}})


async def test_signed_meeting_update_stores_a_webhook_run_with_the_violation(
    sandbox: RunningSandbox, e2e_settings: Settings
) -> None:
    meeting_id = int(sandbox.state.meeting_by_topic(TOPIC)["id"])
    await make_unsafe(e2e_settings, meeting_id)
    app = create_service_app(e2e_settings, start_scheduler=False, console=False, debounce=0.05)
    service = app.state.service
    async with running(app) as client:
        body, headers = signed(
            event("meeting.updated", {"id": meeting_id, "settings": {"waiting_room": False}})
        )
        response = await client.post("/webhooks/zoom", content=body, headers=headers)
        assert response.status_code == 200
        await service.dispatcher.join()

        store = service.store
        [run] = store.list_runs(limit=5)
        assert (run.trigger, run.scope, run.complete) == ("webhook", "meetings", True)
        assert run.scope_detail["meeting_ids"] == [meeting_id]
        violations = store.findings(run.id, statuses=["violation"], meeting_id=meeting_id)
        waiting = [f for f in violations if f.policy_id == "waiting-room"]
        assert len(waiting) == 1
        assert waiting[0].actual is False
        assert {f.meeting_id for f in store.findings(run.id)} == {meeting_id}

        # The meeting is deleted in Zoom: its open fixes are withdrawn.
        fix_id = waiting[0].fix_id
        assert fix_id
        from zoomaudit.fixes.queue import get_fix

        assert get_fix(store, fix_id).status == "pending"
        body, headers = signed(event("meeting.deleted", {"id": meeting_id, "uuid": "u=="}, ts=2))
        assert (await client.post("/webhooks/zoom", content=body, headers=headers)).status_code == 200
        await service.dispatcher.join()
        assert get_fix(store, fix_id).status == "withdrawn"


async def test_the_nightly_job_audits_the_sandbox_account(e2e_settings: Settings) -> None:
    app = create_service_app(e2e_settings, console=False)
    service = app.state.service
    async with running(app):
        service.scheduler.modify_job(NIGHTLY_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(seconds=1))
        for _ in range(600):
            runs = service.store.list_runs(limit=5)
            if runs and runs[0].status != "running":
                break
            await asyncio.sleep(0.05)
        [run] = service.store.list_runs(limit=5)
        assert (run.trigger, run.scope, run.complete) == ("scheduled", "account", True)
        assert run.counts["violations"] > 0
        assert run.counts["users"] > 1


async def test_shutdown_cancels_a_slow_audit_and_the_run_is_never_complete(
    sandbox: RunningSandbox, e2e_settings: Settings
) -> None:
    from zoomaudit.store import Store
    from zoomaudit.vocabulary import AccountScope

    sandbox.options.latency_ms = 300  # every Zoom answer is slow: the audit outlives the grace time
    app = create_service_app(
        e2e_settings, start_scheduler=False, console=False, shutdown_grace=0.2, debounce=0.01
    )
    service = app.state.service
    async with running(app):
        assert service.submit_audit(AccountScope(), "manual", key="account")
        for _ in range(200):
            if service.store.list_runs(limit=1):
                break
            await asyncio.sleep(0.05)
        [started] = service.store.list_runs(limit=1)
        assert started.status == "running"
    with Store.from_settings(e2e_settings) as store:
        run = store.get_run(started.id)
    assert run.complete is False
    assert run.status == "failed"
    assert run.finished_at is not None
