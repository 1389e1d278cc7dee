"""Waivers: a waived violation reports ``waived`` with its waiver; expired waivers stop by themselves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from zoomaudit.errors import UsageError
from zoomaudit.findings import Pass, Violation, Waived
from zoomaudit.fixes.waivers import (
    WaiverRecord,
    active_waivers,
    add_waiver,
    apply_waivers,
    list_waivers,
    remove_waiver,
)
from zoomaudit.store import Store

from .conftest import EMAIL, HOST, NOW, violation

TODAY = NOW.date()


def waiver(id: Any = 1, **fields: Any) -> WaiverRecord:
    values: dict[str, object] = {
        "id": id,
        "policy_id": "waiting-room",
        "reason": "public talk",
        "approved_by": "Sam (safeguarding lead)",
        "created_at": NOW,
    }
    values.update(fields)
    return WaiverRecord.model_validate(values)


@pytest.mark.parametrize(
    ("scope", "waived"),
    [
        ({"meeting_id": 1}, True),
        ({"meeting_id": 2}, False),
        ({"host_email": EMAIL.upper()}, True),
        ({"host_email": "bob@example.org"}, False),
        ({"group_name": "youth workers"}, True),
        ({"group_name": "Volunteers"}, False),
        ({"meeting_id": 1, "policy_id": "join-before-host-off"}, False),
    ],
)
def test_a_waiver_covers_its_meeting_host_or_group(scope: dict[str, Any], waived: bool) -> None:
    [out] = apply_waivers(
        [violation("waiting-room", "waiting_room", 1)],
        [waiver(**scope)],
        today=TODAY,
        host_groups={HOST: ["Youth Workers"]},
    )
    assert isinstance(out, Waived) is waived
    if isinstance(out, Waived):
        assert out.waiver_id == 1
        assert out.waiver_reason == "public talk"
        assert out.status == "waived"


@pytest.mark.parametrize(
    ("until", "removed", "waived"),
    [
        (None, False, True),
        (TODAY, False, True),  # the last day is included
        (TODAY - timedelta(days=1), False, False),  # expired yesterday: stops by itself
        (TODAY + timedelta(days=30), True, False),  # removed
    ],
)
def test_expired_or_removed_waivers_stop_applying(until: date | None, removed: bool, waived: bool) -> None:
    w = waiver(meeting_id=1, until=until, removed_at=NOW if removed else None)
    [out] = apply_waivers([violation("waiting-room", "waiting_room", 1)], [w], today=TODAY, host_groups={})
    assert isinstance(out, Waived) is waived


def test_only_violations_are_waived_and_the_most_specific_waiver_wins() -> None:
    passed = Pass(
        policy_id="waiting-room", control="waiting_room", severity="high", meeting_id=1, host_id=HOST
    )
    waivers = [waiver(1, group_name="youth workers"), waiver(2, meeting_id=1, reason="one-off")]
    out = apply_waivers(
        [passed, violation("waiting-room", "waiting_room", 1)],
        waivers,
        today=TODAY,
        host_groups={HOST: ["Youth Workers"]},
    )
    assert out[0] == passed
    assert isinstance(out[1], Waived)
    assert out[1].waiver_id == 2


def test_waivers_in_the_store_expire_by_date(store: Store) -> None:
    talk = add_waiver(
        store,
        policy_id="waiting-room",
        meeting_id=1,
        reason="public talk",
        approved_by="Sam",
        until=TODAY + timedelta(days=10),
        now=NOW,
    )
    host = add_waiver(
        store, policy_id="waiting-room", host_email=EMAIL, reason="r", approved_by="Sam", now=NOW
    )
    assert [w.id for w in active_waivers(store, TODAY)] == [talk.id, host.id]
    assert [w.id for w in active_waivers(store, TODAY + timedelta(days=11))] == [host.id]
    found = [violation("waiting-room", "waiting_room", 1, host_email="other@example.org")]
    later = apply_waivers(
        found, active_waivers(store, TODAY + timedelta(days=11)), today=TODAY, host_groups={}
    )
    assert isinstance(later[0], Violation)
    remove_waiver(store, host.id, actor="Sam", now=NOW)
    assert [w.id for w in active_waivers(store, TODAY)] == [talk.id]
    assert [w.id for w in list_waivers(store, include_removed=True)] == [talk.id, host.id]
    with pytest.raises(UsageError, match=str(host.id)):
        remove_waiver(store, host.id, actor="Sam", now=NOW)
    with pytest.raises(UsageError, match="999"):
        remove_waiver(store, 999, actor="Sam", now=NOW)


@pytest.mark.parametrize(
    "scope",
    [{}, {"meeting_id": 1, "host_email": EMAIL}, {"group_name": "g", "meeting_id": 3}],
)
def test_a_waiver_needs_exactly_one_scope(store: Store, scope: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="exactly one"):
        add_waiver(store, policy_id="waiting-room", reason="r", approved_by="Sam", now=NOW, **scope)
