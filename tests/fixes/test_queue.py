"""Recording plans: reuse an open plan with the same dedupe key; every transition in the trail."""

from __future__ import annotations

from datetime import timedelta

from zoomaudit.fixes.plan import FixPlan, plan_fixes
from zoomaudit.fixes.queue import get_fix, list_fixes, record_plans, trail
from zoomaudit.redaction import GENERATE
from zoomaudit.store import Store

from .conftest import NOW, Fix, Pol, account, batch, meeting, policies, violation

WAITING = Pol("waiting-room", "waiting_room", Fix("suggest", "meeting", True))
PASSCODE = Pol("passcode-required", "passcode", Fix("suggest", "meeting", "generate"))


def _plans(waiting_room: object = False, meetings: tuple[int, ...] = (1,)) -> list[FixPlan]:
    b = batch(*(meeting(m, settings={"waiting_room": waiting_room}) for m in meetings))
    found = [violation("waiting-room", "waiting_room", m) for m in meetings]
    return plan_fixes(found, policies(WAITING), account(), b)


def test_new_plans_are_pending_with_a_created_event(store: Store) -> None:
    ids = record_plans(store, None, _plans(), NOW)
    [fix_id] = ids.values()
    fix = get_fix(store, fix_id)
    assert fix.status == "pending"
    assert fix.body == {"settings": {"waiting_room": True}}
    assert fix.before == {"settings.waiting_room": False}
    [event] = trail(store, fix_id)
    assert (event.from_status, event.to_status) == (None, "pending")


def test_an_open_plan_with_the_same_key_is_reused(store: Store) -> None:
    first = record_plans(store, None, _plans(), NOW)
    again = record_plans(store, None, _plans(), NOW + timedelta(days=1))
    assert first == again
    assert len(list_fixes(store)) == 1


def test_a_plan_whose_target_changed_is_replaced_and_marked_stale(store: Store) -> None:
    [old] = record_plans(store, None, _plans(False), NOW).values()
    [new] = record_plans(store, None, _plans(None), NOW + timedelta(days=1)).values()
    assert old != new
    assert get_fix(store, old).status == "stale"
    assert new in (get_fix(store, old).error or "")
    assert get_fix(store, new).status == "pending"


def test_a_passcode_plan_stores_no_passcode_and_its_trail_none(store: Store) -> None:
    b = batch(meeting(1, password="Old5pass"))
    plans = plan_fixes([violation("passcode-required", "passcode", 1)], policies(PASSCODE), account(), b)
    [fix_id] = record_plans(store, None, plans, NOW).values()
    fix = get_fix(store, fix_id)
    assert fix.body == {"password": GENERATE}  # generated when applied, never stored
    events = trail(store, fix_id)
    assert "Old5pass" not in repr([e.public() for e in events])
    assert "Old5pass" not in repr(fix.model_dump())  # sealed at rest, masked when shown
