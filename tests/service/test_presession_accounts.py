"""Pre-session checks and deferred-fix retries with an accounts file of two accounts: each
account's sessions planned with its own lead times under job ids that name it; one account's
re-plan, or a meeting deleted in it, leaving the other's jobs and fixes alone; a check of one
account's meeting audited through that account's Zoom only and stored under it; a deferred fix
retried with its own account's client. Two sandboxes over loopback (the same meeting ids in
both), the real runner, store and scheduler.

The scheduler is started paused (nothing fires by itself); a test fires a planned job's own
function with the job's own arguments, as APScheduler would at its time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.several_accounts import HILLSIDE_WEBHOOK_SECRET, TwoAccounts, two_sandboxes, write_accounts_file
from zoomaudit.cli.serve import install_accounts, service_accounts
from zoomaudit.fixes.queue import get_fix, list_fixes
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.service import presession
from zoomaudit.service.app import create_service_app
from zoomaudit.service.scheduler import build_scheduler, pre_session_job
from zoomaudit.settings import Settings, load_settings
from zoomaudit.vocabulary import MeetingsScope
from zoomaudit.zoom.client import ZoomClient

from .conftest import running, signed, waiting_room_policies

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

MEETING = 90000000026
"""A scheduled (one-off) meeting in both sandboxes: a check run on the wrong account's client
would find a meeting there, and nothing would say it was the wrong one."""
LEADS = ("60,10", "45")
"""riverside's and hillside's lead times (each account's own ``pre_session``)."""


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwoAccounts]:
    with two_sandboxes() as (riverside, hillside):
        accounts = write_accounts_file(tmp_path, riverside, hillside, pre_session=LEADS)
        # hillside's host of MEETING is in both groups; with "Youth workers" first the waiting
        # room is the meeting's own, so turning it off is a violation (not "cannot be judged").
        # hillside is the file's last entry: its key is appended to it.
        with accounts.file.open("a", encoding="utf-8") as file:
            file.write("    group_priority: [Youth workers, Counsellors]\n")
        for name, value in accounts.environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(accounts.file))
        monkeypatch.setenv("ZOOMAUDIT_POLICIES", waiting_room_policies(tmp_path / "policies", "suggest"))
        yield accounts


def serve_settings() -> tuple[Settings, dict[str, Settings]]:
    settings = load_settings()
    accounts = service_accounts(install_accounts(settings))
    assert accounts is not None
    return settings, accounts


async def move_session(settings: Settings, start: datetime, *, waiting_room: bool = True) -> None:
    """Set MEETING's start (and its waiting room) in the Zoom of ``settings``' account. A meeting
    with neither passcode nor waiting room gets its waiting room back (the account's
    auto_security), so one is given a passcode first."""
    change: dict[str, Any] = {
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "settings": {"waiting_room": waiting_room},
    }
    if not waiting_room:
        change["password"] = "k7Rq2w"
    async with ZoomClient(settings) as client:
        await client.update_meeting(MEETING, change)


def zoom_requests(sandbox: RunningSandbox) -> int:
    return len(sandbox.log.matching(path_prefix="/v2/"))


def soon(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(second=0, microsecond=0)


def rid(account: str, lead: int) -> str:
    return f"pre-session:{account}/{MEETING}:-:{lead}"


async def test_each_accounts_sessions_get_their_own_checks_and_a_replan_keeps_the_others(
    two: TwoAccounts,
) -> None:
    settings, accounts = serve_settings()
    start = soon(2)
    await move_session(accounts["riverside"], start)
    await move_session(accounts["hillside"], start)
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False)
    service = app.state.service
    async with running(app):
        service.scheduler = build_scheduler(settings)
        service.scheduler.start(paused=True)
        try:
            for name in ("riverside", "hillside"):
                await service.audit(MeetingsScope.of(MEETING), "manual", account=name)
            jobs = presession.planned_jobs(service.scheduler)
            # Each account with its own lead times, under ids that name it.
            assert sorted(jobs) == [rid("hillside", 45), rid("riverside", 10), rid("riverside", 60)]
            assert jobs[rid("hillside", 45)].args[-1] == "hillside"
            hillside_due = jobs[rid("hillside", 45)].next_run_time
            assert hillside_due.astimezone(UTC) == start - timedelta(minutes=45)

            # riverside's session moves: its re-plan (after its run) moves its checks only.
            later = soon(5)
            await move_session(accounts["riverside"], later)
            await service.audit(MeetingsScope.of(MEETING), "manual", account="riverside")
            jobs = presession.planned_jobs(service.scheduler)
            assert jobs[rid("riverside", 60)].next_run_time.astimezone(UTC) == later - timedelta(minutes=60)
            assert jobs[rid("hillside", 45)].next_run_time == hillside_due

            # riverside's checks switched off: its plan is emptied, hillside's stays whole.
            presession.replan(service.scheduler, service.store, (), service.now(), account="riverside")
            assert sorted(presession.planned_jobs(service.scheduler)) == [rid("hillside", 45)]
            assert sorted(presession.planned_jobs(service.scheduler, "hillside")) == [rid("hillside", 45)]

            # A job of an account no longer audited (here the single account's, planned before
            # the accounts file) is removed by the next plan; the accounts' own are kept.
            stale = presession.PlannedCheck(MEETING, None, later, None, 60, later - timedelta(hours=1))
            presession.sync_jobs(service.scheduler, [stale], service.now())
            assert f"pre-session:{MEETING}:-:60" in presession.planned_jobs(service.scheduler)
            service.replan_checks()
            assert sorted(presession.planned_jobs(service.scheduler)) == [
                rid("hillside", 45),
                rid("riverside", 10),
                rid("riverside", 60),
            ]
        finally:
            service.scheduler.shutdown(wait=False)
            service.scheduler = None


async def test_a_check_of_one_accounts_meeting_audits_through_its_zoom_only_and_is_stored_under_it(
    two: TwoAccounts,
) -> None:
    settings, accounts = serve_settings()
    start = soon(2)
    await move_session(accounts["riverside"], start)
    await move_session(accounts["hillside"], start)
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False)
    service = app.state.service
    async with running(app):
        service.scheduler = build_scheduler(settings)
        service.scheduler.start(paused=True)
        try:
            for name in ("riverside", "hillside"):
                await service.audit(MeetingsScope.of(MEETING), "manual", account=name)
            job = presession.planned_jobs(service.scheduler)[rid("hillside", 45)]
            # hillside's host turns the waiting room off during the day.
            await move_session(accounts["hillside"], start, waiting_room=False)
            riverside_before, hillside_before = zoom_requests(two.riverside), zoom_requests(two.hillside)

            service.clock = (start - timedelta(minutes=45)).timestamp  # the job's time has come
            await pre_session_job(*job.args)

            assert zoom_requests(two.riverside) == riverside_before, "riverside's Zoom was asked"
            asked = two.hillside.log.matching("GET", f"/v2/meetings/{MEETING}")
            assert len(two.hillside.log.matching(path_prefix="/v2/")) > hillside_before
            assert asked, "the check did not read hillside's meeting"
            [check] = service.store.pre_session.recent(account="hillside")
            assert (check.meeting_id, check.lead_minutes, check.outcome) == (MEETING, 45, "violations")
            assert [v["policy_id"] for v in check.violations] == ["waiting-room"]
            assert service.store.pre_session.recent(account="riverside") == []
            run = service.store.get_run(check.run_id)
            assert (run.trigger, run.account) == ("pre-session", "hillside")
            # riverside's checks of its own (same-numbered) meeting are still planned.
            assert rid("riverside", 60) in presession.planned_jobs(service.scheduler)
        finally:
            service.scheduler.shutdown(wait=False)
            service.scheduler = None


async def test_a_deferred_fix_is_retried_with_its_own_accounts_client_only(two: TwoAccounts) -> None:
    settings, accounts = serve_settings()
    for name in ("riverside", "hillside"):
        await move_session(accounts[name], soon(30), waiting_room=False)
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False)
    service = app.state.service
    async with running(app):
        deferred = {}
        for name in ("riverside", "hillside"):
            await service.audit(MeetingsScope.of(MEETING), "manual", account=name)
            [fix] = list_fixes(service.store, account=name)
            # Zoom's per-host quota deferred it (as an approval over the quota would).
            assert service.store.fixes.transition(
                fix.id, from_statuses=("pending",), to_status="deferred", actor="test", at=service.now()
            )
            deferred[name] = fix.id
        riverside_patches = two.riverside.log.matching("PATCH")
        hillside_before = zoom_requests(two.hillside)

        await service.retry_deferred("riverside")

        assert get_fix(service.store, deferred["riverside"]).status == "applied"
        assert get_fix(service.store, deferred["hillside"]).status == "deferred"
        patched = two.riverside.log.matching("PATCH")[len(riverside_patches) :]
        assert [entry.path for entry in patched] == [f"/v2/meetings/{MEETING}"]
        assert zoom_requests(two.hillside) == hillside_before, "hillside's Zoom was asked"
        assert two.riverside.state.meetings[MEETING]["settings"]["waiting_room"] is True
        assert two.hillside.state.meetings[MEETING]["settings"]["waiting_room"] is False


async def test_a_meeting_deleted_in_one_account_loses_that_accounts_checks_and_fixes_only(
    two: TwoAccounts,
) -> None:
    settings, accounts = serve_settings()
    start = soon(3)
    for name in ("riverside", "hillside"):
        await move_session(accounts[name], start, waiting_room=False)
    app = create_service_app(settings, accounts=accounts, start_scheduler=False, console=False, debounce=0.01)
    service = app.state.service
    async with running(app) as http:
        service.scheduler = build_scheduler(settings)
        service.scheduler.start(paused=True)
        try:
            for name in ("riverside", "hillside"):
                await service.audit(MeetingsScope.of(MEETING), "manual", account=name)
            fixes = {name: list_fixes(service.store, account=name) for name in ("riverside", "hillside")}
            assert [len(each) for each in fixes.values()] == [1, 1]
            deleted = {
                "event": "meeting.deleted",
                "event_ts": 1_700_000_000_000,
                "payload": {"account_id": two.hillside.account_id, "object": {"id": MEETING, "uuid": "u=="}},
            }
            body, headers = signed(deleted, secret=HILLSIDE_WEBHOOK_SECRET)
            response = await http.post("/webhooks/zoom", content=body, headers=headers)
            assert response.status_code == 200, response.text
            await service.dispatcher.join()

            assert sorted(presession.planned_jobs(service.scheduler)) == [
                rid("riverside", 10),
                rid("riverside", 60),
            ]
            [gone] = service.store.pre_session.recent(account="hillside")
            assert gone.outcome == "gone"
            assert service.store.pre_session.recent(account="riverside") == []
            assert get_fix(service.store, fixes["hillside"][0].id).status == "withdrawn"
            assert get_fix(service.store, fixes["riverside"][0].id).status == "pending"
        finally:
            service.scheduler.shutdown(wait=False)
            service.scheduler = None
