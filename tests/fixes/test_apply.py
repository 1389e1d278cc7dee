"""Applying fixes against the sandbox: approve, stale, overridden, revert, auto limit, quota, races."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from zoomaudit.errors import UsageError
from zoomaudit.fixes.apply import (
    apply_auto,
    apply_deferred,
    approve,
    reject,
    revert,
    withdraw_fixes_for_meeting,
)
from zoomaudit.fixes.queue import (
    FixRecord,
    get_fix,
    list_fixes,
    quota_used,
    set_quota_used,
    trail,
)
from zoomaudit.fixes.waivers import add_waiver
from zoomaudit.runner import RunOutcome, run
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope, Scope, UsersScope

from .conftest import Zoom, fixes_now, make_zoom

pytestmark = pytest.mark.anyio

TALK = "Public talk: Keeping young people safe online"


def now() -> datetime:
    # The sandbox counts meeting updates per UTC day by its clock; make_zoom gives it this one.
    return fixes_now()


async def audit(zoom: Zoom, store: Store, scope: Scope, **kw: Any) -> RunOutcome:
    async with zoom.client() as client:
        return await run(scope, settings=zoom.settings, client=client, store=store, **{"now": now(), **kw})


def fix_for(store: Store, policy_id: str, status: str | None = None) -> FixRecord:
    [fix] = [
        f for f in list_fixes(store) if f.policy_id == policy_id and (status is None or f.status == status)
    ]
    return fix


async def talk_fix(zoom: Zoom, store: Store) -> tuple[dict[str, Any], FixRecord]:
    talk = zoom.meeting(TALK)
    await audit(zoom, store, MeetingsScope.of(talk["id"]))
    return talk, fix_for(store, "waiting-room")


async def test_suggest_approve_changes_the_meeting_and_the_re_audit_passes(zoom: Zoom, store: Store) -> None:
    talk, fix = await talk_fix(zoom, store)
    assert fix.status == "pending"
    assert talk["settings"]["waiting_room"] is False
    async with zoom.client() as client:
        [result] = await approve(store, client, [fix.id], actor="Priya", note="agreed at review", now=now())
    assert result.status == "applied", result.message
    assert talk["settings"]["waiting_room"] is True
    stored = get_fix(store, fix.id)
    assert (stored.status, stored.decided_by) == ("applied", "Priya")
    assert stored.applied_at is not None
    events = trail(store, fix.id)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "pending"),
        ("pending", "approved"),
        ("approved", "applied"),
    ]
    assert events[1].note == "agreed at review"
    assert events[2].before == {"settings.waiting_room": False}
    assert events[2].after == {"settings.waiting_room": True}
    again = await audit(zoom, store, MeetingsScope.of(talk["id"]))
    findings = [f for f in store.findings(again.run_id) if f.policy_id == "waiting-room"]
    assert [f.status for f in findings] == ["pass"]


async def test_approve_after_someone_changed_the_meeting_is_stale_and_writes_nothing(
    zoom: Zoom, store: Store
) -> None:
    talk, fix = await talk_fix(zoom, store)
    talk["settings"]["waiting_room"] = True  # the host changed it in Zoom after the audit
    zoom.log.clear()
    async with zoom.client() as client:
        [result] = await approve(store, client, [fix.id], actor="Priya", now=now())
    assert result.status == "stale"
    assert "settings.waiting_room was false, now true" in result.message
    assert zoom.patches() == []
    assert get_fix(store, fix.id).error == result.message


async def test_a_change_zoom_does_not_keep_fails_with_the_reason(zoom: Zoom, store: Store) -> None:
    await talk_fix(zoom, store)
    fix = fix_for(store, "private-chat-off")
    assert fix.target_level == "user"
    # After the plan was made, the account locked private chat on (its value): Zoom answers the
    # user-level PATCH with 204 and keeps the locked value.
    zoom.state.account_locks.setdefault("in_meeting", {})["private_chat"] = True
    zoom.state.account_settings["in_meeting"]["private_chat"] = True
    zoom.state.touch()
    async with zoom.client() as client:
        [result] = await approve(store, client, [fix.id], actor="Priya", now=now())
    assert result.status == "failed"
    assert "in_meeting.private_chat should be false, now true" in result.message
    assert zoom.patches()[-1].endswith("/settings")


async def test_revert_restores_the_value_before(zoom: Zoom, store: Store) -> None:
    talk, fix = await talk_fix(zoom, store)
    async with zoom.client() as client:
        await approve(store, client, [fix.id], actor="Priya", now=now())
        result = await revert(store, client, fix.id, actor="Priya", now=now())
    assert result.status == "reverted", result.message
    assert talk["settings"]["waiting_room"] is False
    assert [e.to_status for e in trail(store, fix.id)][-2:] == ["approved", "reverted"]
    with pytest.raises(UsageError, match="only an applied fix"):
        async with zoom.client() as client:
            await revert(store, client, fix.id, actor="Priya", now=now())


async def test_revert_after_someone_changed_the_target_is_stale(zoom: Zoom, store: Store) -> None:
    talk, fix = await talk_fix(zoom, store)
    async with zoom.client() as client:
        await approve(store, client, [fix.id], actor="Priya", now=now())
        talk["settings"]["waiting_room"] = False  # someone turned it off again by hand
        zoom.log.clear()
        result = await revert(store, client, fix.id, actor="Priya", now=now())
    assert result.status == "stale"
    assert zoom.patches() == []


async def test_auto_mode_applies_up_to_the_limit_and_queues_the_rest(zoom: Zoom, store: Store) -> None:
    jade = next(u for u in zoom.state.users.values() if u.first_name == "Jade")
    outcome = await audit(zoom, store, UsersScope.of(jade.id), fix_mode="auto", max_changes=1)
    results = outcome.fix_results
    assert len(results) > 1
    changed = [r for r in results if r.changed]
    assert len(changed) == 1
    assert all(r.status == "pending" for r in results if not r.changed)
    applied = [f for f in list_fixes(store) if f.status == "applied"]
    assert applied
    assert all(f.decided_by == f"auto:{f.policy_id}" for f in applied)


async def test_apply_auto_uses_the_approval_path_with_an_auto_actor(zoom: Zoom, store: Store) -> None:
    _, fix = await talk_fix(zoom, store)
    async with zoom.client() as client:
        [result] = await apply_auto(
            store, client, [fix.id], policy_by_fix={fix.id: "waiting-room"}, max_changes=5, now=now()
        )
    assert result.status == "applied"
    assert trail(store, fix.id)[-1].actor == "auto:waiting-room"


async def test_a_meeting_fix_over_zoomaudits_own_quota_count_is_deferred(zoom: Zoom, store: Store) -> None:
    talk, fix = await talk_fix(zoom, store)
    set_quota_used(store, talk["host_id"], now().date(), 100)
    zoom.log.clear()
    async with zoom.client() as client:
        [result] = await approve(store, client, [fix.id], actor="Priya", now=now())
    assert result.status == "deferred"
    assert zoom.patches() == []
    assert talk["settings"]["waiting_room"] is False
    # After 00:00 UTC the deferred fix is applied by apply_deferred.
    async with zoom.client() as client:
        [later] = await apply_deferred(store, client, now() + timedelta(days=1))
    assert later.status == "applied"
    assert talk["settings"]["waiting_room"] is True
    assert get_fix(store, fix.id).decided_by == "Priya"


async def test_zooms_429_for_the_host_quota_defers_and_fills_the_days_count(store: Store) -> None:
    zoom = make_zoom(meeting_update_quota=True)
    talk, fix = await talk_fix(zoom, store)
    zoom.state.set_meeting_updates(talk["host_id"], 100)  # other tools used the host's quota today
    async with zoom.client() as client:
        [result] = await approve(store, client, [fix.id], actor="Priya", now=now())
    assert result.status == "deferred"
    assert "quota" in result.message
    assert quota_used(store, talk["host_id"], now().date()) == 100
    assert talk["settings"]["waiting_room"] is False


async def test_two_approvals_of_the_same_fix_at_once_apply_it_once(zoom: Zoom, store: Store) -> None:
    talk, fix = await talk_fix(zoom, store)
    zoom.log.clear()
    async with zoom.client() as client:
        first, second = await asyncio.gather(
            approve(store, client, [fix.id], actor="Priya", now=now()),
            approve(store, client, [fix.id], actor="Tom", now=now()),
        )
    statuses = sorted(r.status for r in first + second)
    assert "applied" in statuses
    assert len(zoom.patches()) == 1
    assert quota_used(store, talk["host_id"], now().date()) == 1
    assert [e.to_status for e in trail(store, fix.id)].count("applied") == 1


async def test_reject_and_withdraw(zoom: Zoom, store: Store) -> None:
    talk, fix = await talk_fix(zoom, store)
    other = fix_for(store, "private-chat-off")
    [rejected] = reject(store, [other.id], actor="Priya", reason="chat is moderated", now=now())
    assert rejected.status == "rejected"
    assert get_fix(store, other.id).decided_by == "Priya"
    with pytest.raises(UsageError, match=other.id):
        reject(store, [other.id], actor="Priya", reason="again", now=now())
    assert withdraw_fixes_for_meeting(store, talk["id"], actor="webhook", now=now()) == [fix.id]
    assert get_fix(store, fix.id).status == "withdrawn"


async def test_unknown_fix_ids_are_usage_errors_naming_the_id(zoom: Zoom, store: Store) -> None:
    async with zoom.client() as client:
        with pytest.raises(UsageError, match="fx-nope"):
            await approve(store, client, ["fx-nope"], actor="Priya", now=now())


async def test_a_waiver_with_expiry_waives_until_its_last_day(zoom: Zoom, store: Store) -> None:
    talk = zoom.meeting(TALK)
    today = now()
    add_waiver(
        store,
        policy_id="waiting-room",
        meeting_id=talk["id"],
        reason="public talk: open door",
        approved_by="Priya",
        until=today.date() + timedelta(days=1),
        now=today,
    )
    first = await audit(zoom, store, MeetingsScope.of(talk["id"]), now=today)
    [waived] = [f for f in store.findings(first.run_id) if f.policy_id == "waiting-room"]
    assert waived.status == "waived"
    assert not [f for f in list_fixes(store) if f.policy_id == "waiting-room"]
    later = await audit(zoom, store, MeetingsScope.of(talk["id"]), now=today + timedelta(days=2))
    [violation] = [f for f in store.findings(later.run_id) if f.policy_id == "waiting-room"]
    assert violation.status == "violation"


def test_stale_differences_read_as_json_not_python() -> None:
    from zoomaudit.fixes.steps import differences

    changed = differences(
        {"settings.participant_video": False, "in_meeting.who_can_share_screen": None, "password": "abc"},
        {"settings.participant_video": True, "in_meeting.who_can_share_screen": "host", "password": "xyz"},
        "was",
    )
    assert changed[:2] == [
        "settings.participant_video was true, now false",
        'in_meeting.who_can_share_screen was "host", now null',
    ]
    assert "abc" not in changed[2]
    assert "xyz" not in changed[2]
