"""Fix claims with an owner and a heartbeat (issue 13): a long batch never looks stuck, a stuck
claim is released, and a process that lost its claim sees it and writes nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from zoomaudit.fixes.apply import STUCK_AFTER, approve, release_stuck
from zoomaudit.fixes.plan import FixPlan, plan_fixes
from zoomaudit.fixes.queue import get_fix, record_plans, trail
from zoomaudit.store import Store

from .conftest import NOW, Fix, Pol, account, batch, meeting, policies, violation

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """Claims are rows that processes race for: on SQLite and on PostgreSQL (``db_url``)."""
    with Store(db_url) as opened:
        yield opened


WAITING = Pol("waiting-room", "waiting_room", Fix("suggest", "meeting", True))


def _plans(*meeting_ids: int) -> list[FixPlan]:
    b = batch(*(meeting(m, settings={"waiting_room": False}) for m in meeting_ids))
    found = [violation("waiting-room", "waiting_room", m) for m in meeting_ids]
    return plan_fixes(found, policies(WAITING), account(), b)


class Response:
    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def json(self) -> dict[str, Any]:
        return self._body


class SlowZoom:
    """A Zoom that holds each meeting's waiting room and lets a test act between the calls the
    fix makes (``on_get`` runs before each GET answers). Records every call in order."""

    def __init__(self, clock: Clock, minutes_per_call: int = 0) -> None:
        self.rooms: dict[str, bool] = {}
        self.calls: list[str] = []
        self.on_get: Callable[[str], None] | None = None
        self.clock = clock
        self.minutes_per_call = minutes_per_call

    async def request(self, method: str, path: str, **_: Any) -> Response:
        self.clock.advance(minutes=self.minutes_per_call)
        self.calls.append(f"{method} {path}")
        if method == "GET":
            if self.on_get is not None:
                self.on_get(path)
            return Response({"settings": {"waiting_room": self.rooms.get(path, False)}})
        self.rooms[path] = True
        return Response({})


class Clock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


async def test_a_long_batch_stamps_each_step_when_it_happens_and_is_never_released(store: Store) -> None:
    """Three fixes, twenty minutes of Zoom calls each: the last is approved an hour after the
    batch began. Another process's sweep in the middle finds every claim alive."""
    ids = list(record_plans(store, None, _plans(1, 2, 3), NOW).values())
    clock = Clock(NOW)
    zoom = SlowZoom(clock, minutes_per_call=10)
    released: list[str] = []
    zoom.on_get = lambda _path: released.extend(release_stuck(store, clock()))
    results = await approve(store, zoom, ids, actor="Priya", clock=clock)  # type: ignore[arg-type]
    assert [r.status for r in results] == ["applied"] * 3, [r.message for r in results]
    assert released == []
    approvals = [next(e.at for e in trail(store, i) if e.to_status == "approved") for i in ids]
    assert approvals[0] < approvals[1] < approvals[2]
    assert approvals[2] - approvals[0] >= timedelta(minutes=STUCK_AFTER.seconds // 60)


async def test_a_dead_claim_is_released_after_no_heartbeat(store: Store) -> None:
    [fix_id] = record_plans(store, None, _plans(1), NOW).values()
    assert store.fixes.transition(
        fix_id, from_statuses=("pending",), to_status="approved", actor="Priya", at=NOW, claim="dead-owner"
    )
    assert release_stuck(store, NOW + STUCK_AFTER - timedelta(seconds=1)) == []
    assert release_stuck(store, NOW + STUCK_AFTER + timedelta(seconds=1)) == [fix_id]
    fix = get_fix(store, fix_id)
    assert fix.status == "pending"
    assert [e.to_status for e in trail(store, fix_id)][-1] == "pending"


async def test_a_process_that_lost_its_claim_sees_it_and_does_not_change_zoom(store: Store) -> None:
    """Its claim is released (as stuck) while it re-reads the meeting: the heartbeat before the
    PATCH fails, nothing is sent, and the result says the claim was lost."""
    [fix_id] = record_plans(store, None, _plans(1), NOW).values()
    clock = Clock(NOW)
    zoom = SlowZoom(clock)

    def someone_releases_it(_path: str) -> None:
        [released] = release_stuck(store, clock() + STUCK_AFTER + timedelta(minutes=1))
        assert released == fix_id

    zoom.on_get = someone_releases_it
    [result] = await approve(store, zoom, [fix_id], actor="Priya", clock=clock)  # type: ignore[arg-type]
    assert result.claim_lost
    assert "lost its claim" in result.message
    assert [c for c in zoom.calls if c.startswith("PATCH")] == []
    assert get_fix(store, fix_id).status == "pending"  # back in the queue, for an approval later
    assert "applied" not in [e.to_status for e in trail(store, fix_id)]


async def test_a_claim_lost_after_the_change_is_reported_not_recorded_as_applied(store: Store) -> None:
    """Released between the PATCH and the read-back: Zoom holds the change, but this process can
    no longer record it; it says so, and the next audit sees what Zoom holds."""
    [fix_id] = record_plans(store, None, _plans(1), NOW).values()
    clock = Clock(NOW)
    zoom = SlowZoom(clock)
    gets = 0

    def release_on_the_read_back(_path: str) -> None:
        nonlocal gets
        gets += 1
        if gets == 2:
            release_stuck(store, clock() + STUCK_AFTER + timedelta(minutes=1))

    zoom.on_get = release_on_the_read_back
    [result] = await approve(store, zoom, [fix_id], actor="Priya", clock=clock)  # type: ignore[arg-type]
    assert result.claim_lost
    assert get_fix(store, fix_id).status == "pending"
    assert "applied" not in [e.to_status for e in trail(store, fix_id)]
