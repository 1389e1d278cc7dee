"""Pre-session checks end to end: the service plans them from a real run against the sandbox and
a check applies an ``auto`` fix just before the session; a deleted meeting's check records it gone.

The scheduler is started paused (nothing fires by itself); the test fires the planned job's own
function with the job's own arguments, as APScheduler would at its time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from zoomaudit.sandbox.server import RunningSandbox, start_sandbox
from zoomaudit.service import presession
from zoomaudit.service.app import create_service_app
from zoomaudit.service.scheduler import build_scheduler, pre_session_job
from zoomaudit.settings import Settings, load_settings
from zoomaudit.vocabulary import MeetingsScope
from zoomaudit.zoom.client import ZoomClient

from .conftest import SECRET, event, running, signed, waiting_room_policies

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOPIC = "Fundraising committee"  # a one-off demo meeting with its waiting room on


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as running_sandbox:
        yield running_sandbox


@pytest.fixture
def settings(sandbox: RunningSandbox, tmp_path: Path) -> Settings:
    return load_settings(
        **sandbox.env(),
        ZOOMAUDIT_DATABASE_URL=f"sqlite:///{tmp_path / 'service.db'}",
        ZOOMAUDIT_POLICIES=waiting_room_policies(tmp_path / "policies", "auto"),
    )


async def test_a_check_ten_minutes_before_applies_the_auto_fix_and_records_what_it_found(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    meeting = sandbox.state.meeting_by_topic(TOPIC)
    meeting_id = int(meeting["id"])
    # The session starts in 25 minutes; nobody has broken it yet.
    start = (datetime.now(UTC) + timedelta(minutes=25)).replace(second=0, microsecond=0)
    async with ZoomClient(settings) as client:
        await client.update_meeting(meeting_id, {"start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ")})

    app = create_service_app(settings, start_scheduler=False, console=False, webhooks_expected=False)
    service = app.state.service
    async with running(app):
        service.scheduler = build_scheduler(settings)
        service.scheduler.start(paused=True)
        try:
            clean = await service.audit(MeetingsScope.of(meeting_id), "manual")
            assert clean.counts["violations"] == 0
            jobs = presession.planned_jobs(service.scheduler)
            assert sorted(jobs) == [f"pre-session:{meeting_id}:-:10", f"pre-session:{meeting_id}:-:60"]
            assert jobs[f"pre-session:{meeting_id}:-:60"].next_run_time <= datetime.now(UTC)  # at once

            # A host turns the waiting room off during the day; the T-10 check finds and fixes it.
            async with ZoomClient(settings) as client:
                await client.update_meeting(meeting_id, {"settings": {"waiting_room": False}})
            ten = jobs[f"pre-session:{meeting_id}:-:10"]
            service.clock = (start - timedelta(minutes=10)).timestamp  # the job's time has come
            await pre_session_job(*ten.args)

            assert meeting["settings"]["waiting_room"] is True  # fixed in Zoom before the session
            [check] = service.store.pre_session.recent()
            assert (check.meeting_id, check.lead_minutes, check.start_time) == (meeting_id, 10, start)
            assert check.ran_at == start - timedelta(minutes=10)
            assert (check.outcome, check.violations) == ("fixed", [])  # nothing left open
            run = service.store.get_run(check.run_id)
            assert (run.trigger, run.scope, run.complete) == ("pre-session", "meetings", True)
            [fixed] = service.store.findings(check.run_id, meeting_id=meeting_id)
            assert fixed.fix_id is not None

            # Both leads are now covered: nothing is planned, and the check at once is skipped.
            service.replan_checks()
            assert presession.planned_jobs(service.scheduler) == {}
            sixty = presession.PlannedCheck(meeting_id, None, start, None, 60, start - timedelta(minutes=60))
            assert await pre_session_job(*sixty.args) is None
            assert len(service.store.pre_session.recent()) == 1
        finally:
            service.scheduler.shutdown(wait=False)
            service.scheduler = None


async def test_a_check_of_a_meeting_deleted_in_zoom_records_it_gone(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    meeting_id = int(sandbox.state.meeting_by_topic(TOPIC)["id"])
    start = datetime.now(UTC) + timedelta(hours=2)
    app = create_service_app(settings, start_scheduler=False, console=False, webhooks_expected=False)
    service = app.state.service
    async with running(app):
        async with ZoomClient(settings) as client:
            await client.update_meeting(meeting_id, {"start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ")})
        await service.audit(MeetingsScope.of(meeting_id), "manual")
        del sandbox.state.meetings[meeting_id]  # deleted in Zoom (the sandbox has no DELETE route)
        check = presession.PlannedCheck(meeting_id, None, start.replace(microsecond=0), None, 60, start)
        outcome = await service.pre_session_check(*check.args)
        assert outcome == "gone"
        [record] = service.store.pre_session.recent()
        assert (record.outcome, record.detail) == ("gone", "the meeting no longer exists in Zoom")


async def test_a_meeting_deleted_by_webhook_loses_its_planned_checks(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    meeting_id = int(sandbox.state.meeting_by_topic(TOPIC)["id"])
    start = datetime.now(UTC) + timedelta(hours=3)
    hooked = settings.model_copy(update={"zoom_webhook_secret_token": SecretStr(SECRET)})
    app = create_service_app(hooked, start_scheduler=False, console=False, debounce=0.01)
    service = app.state.service
    async with running(app) as http:
        service.scheduler = build_scheduler(hooked)
        service.scheduler.start(paused=True)
        try:
            async with ZoomClient(hooked) as client:
                await client.update_meeting(meeting_id, {"start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ")})
            await service.audit(MeetingsScope.of(meeting_id), "manual")
            assert len(presession.planned_jobs(service.scheduler)) == 2

            body, headers = signed(event("meeting.deleted", {"id": meeting_id, "uuid": "u=="}))
            assert (await http.post("/webhooks/zoom", content=body, headers=headers)).status_code == 200
            await service.dispatcher.join()
            assert presession.planned_jobs(service.scheduler) == {}
            service.replan_checks()  # its last verdict is still stored: it is not planned again
            assert presession.planned_jobs(service.scheduler) == {}
        finally:
            service.scheduler.shutdown(wait=False)
            service.scheduler = None
