"""How applying reacts to Zoom errors, with an in-process fake client (no sandbox needed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx2
import pytest

from zoomaudit.errors import AuthError, ZoomApiError, ZoomError, ZoomUnavailable
from zoomaudit.fixes.apply import approve
from zoomaudit.fixes.plan import plan_fixes
from zoomaudit.fixes.queue import get_fix, record_plans, set_quota_used
from zoomaudit.store import Store

from .conftest import HOST, NOW, Fix, Pol, account, batch, meeting, policies, violation

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """What an error leaves in the fix queue, on SQLite and on PostgreSQL (``db_url``)."""
    with Store(db_url) as opened:
        yield opened


WAITING = Pol("waiting-room", "waiting_room", Fix("suggest", "meeting", True))


class FakeZoom:
    """A meeting held in memory; ``fail`` maps a method to the error it raises."""

    def __init__(self, waiting_room: Any = False, **fail: ZoomError) -> None:
        self.doc: dict[str, Any] = {"id": 1, "settings": {"waiting_room": waiting_room}}
        self.fail = fail
        self.sent: list[tuple[str, str, Any]] = []
        self.keep = False

    async def request(
        self, method: str, path: str, *, params: Any = None, json: Any = None, host: Any = None
    ) -> Any:
        if method in self.fail:
            raise self.fail[method]
        if method == "PATCH":
            self.sent.append((method, path, json))
            if not self.keep:
                self.doc["settings"].update(json.get("settings", {}))
            return httpx2.Response(204)
        return httpx2.Response(200, json=self.doc)


def pending_fix(store: Store) -> str:
    plans = plan_fixes(
        [violation("waiting-room", "waiting_room", 1)],
        policies(WAITING),
        account(),
        batch(meeting(1, settings={"waiting_room": False})),
    )
    [fix_id] = record_plans(store, None, plans, NOW).values()
    return fix_id


@pytest.mark.parametrize(
    ("errors", "status", "patched", "unusable"),
    [
        ({}, "applied", 1, False),
        ({"PATCH": ZoomApiError(400, 300, "Invalid field.")}, "failed", 0, False),
        ({"PATCH": AuthError("token refused")}, "pending", 0, True),
        ({"GET": AuthError("invalid client credentials")}, "pending", 0, True),
        ({"GET": ZoomUnavailable("connection reset")}, "pending", 0, True),
    ],
)
async def test_zoom_errors(
    store: Store, errors: dict[str, ZoomError], status: str, patched: int, unusable: bool
) -> None:
    fix_id = pending_fix(store)
    zoom = FakeZoom(**errors)
    [result] = await approve(store, zoom, [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == status, result.message
    assert len(zoom.sent) == patched
    assert get_fix(store, fix_id).status == status
    assert result.zoom_unusable is unusable


async def test_a_patch_zoom_answers_but_does_not_keep_fails(store: Store) -> None:
    fix_id = pending_fix(store)
    zoom = FakeZoom()
    zoom.keep = True
    [result] = await approve(store, zoom, [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "failed"
    assert "settings.waiting_room should be true, now false" in result.message


async def test_a_deferred_fix_that_cannot_be_read_stays_deferred(store: Store) -> None:
    fix_id = pending_fix(store)
    set_quota_used(store, HOST, NOW.date(), 100)
    [deferred] = await approve(store, FakeZoom(), [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert deferred.status == "deferred"
    zoom = FakeZoom(GET=ZoomUnavailable("timeout"))
    [again] = await approve(store, zoom, [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert again.status == "deferred"
    assert again.zoom_unusable


async def test_a_fix_left_approved_by_a_dead_process_is_released_and_applied(store: Store) -> None:
    fix_id = pending_fix(store)
    claimed = store.fixes.transition(
        fix_id, from_statuses=["pending"], to_status="approved", actor="Tom", at=NOW - timedelta(hours=1)
    )
    assert claimed
    zoom = FakeZoom()
    [result] = await approve(store, zoom, [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "applied"


async def test_a_target_that_already_holds_the_values_is_stale_and_says_so(store: Store) -> None:
    fix_id = pending_fix(store)
    [result] = await approve(store, FakeZoom(waiting_room=True), [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "stale"
    assert "already holds the planned values" in result.message
