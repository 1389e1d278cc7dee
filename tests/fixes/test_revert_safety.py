"""Reverting when Zoom's answer is lost: the record says what is known, never "not reverted" by guess."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from zoomaudit.errors import ZoomApiError, ZoomError, ZoomUnavailable
from zoomaudit.fixes.apply import approve, revert
from zoomaudit.fixes.queue import get_fix
from zoomaudit.store import Store

from .conftest import NOW
from .test_apply_errors import FakeZoom, pending_fix

pytestmark = pytest.mark.anyio


class LossyZoom(FakeZoom):
    """Takes the PATCH, then loses the answer (``lose_patch``) or fails the read-back (``fail_reads``)."""

    def __init__(self, *, lose_patch: ZoomError | None = None, keep_patch: bool = True) -> None:
        super().__init__(waiting_room=True)
        self.lose_patch = lose_patch
        self.keep_patch = keep_patch
        self.fail_reads = False

    async def request(
        self, method: str, path: str, *, params: Any = None, json: Any = None, host: Any = None
    ) -> Any:
        if method == "GET" and self.fail_reads and self.sent:
            raise ZoomUnavailable("connection reset")
        if method == "PATCH":
            self.sent.append((method, path, json))
            if self.keep_patch:
                self.doc["settings"].update(json.get("settings", {}))
            if self.lose_patch is not None:
                raise self.lose_patch
            return httpx2.Response(204)
        return httpx2.Response(200, json=self.doc)


async def applied_fix(store: Store) -> str:
    fix_id = pending_fix(store)
    [result] = await approve(store, FakeZoom(), [fix_id], actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "applied", result.message
    return fix_id


async def test_a_revert_sent_but_not_read_back_is_failed_not_still_applied(store: Store) -> None:
    fix_id = await applied_fix(store)
    zoom = LossyZoom()
    zoom.fail_reads = True
    result = await revert(store, zoom, fix_id, actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert len(zoom.sent) == 1
    assert result.status == "failed"
    assert "was sent" in result.message
    assert get_fix(store, fix_id).status == "failed"


async def test_a_revert_whose_answer_was_lost_but_which_took_is_reverted(store: Store) -> None:
    fix_id = await applied_fix(store)
    zoom = LossyZoom(lose_patch=ZoomUnavailable("timeout"))
    result = await revert(store, zoom, fix_id, actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "reverted", result.message
    assert zoom.doc["settings"]["waiting_room"] is False


async def test_a_revert_whose_answer_was_lost_and_which_did_not_take_stays_applied(store: Store) -> None:
    fix_id = await applied_fix(store)
    zoom = LossyZoom(lose_patch=ZoomUnavailable("timeout"), keep_patch=False)
    result = await revert(store, zoom, fix_id, actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "applied"
    assert "not reverted" in result.message
    assert get_fix(store, fix_id).status == "applied"


async def test_a_revert_zoom_refuses_stays_applied(store: Store) -> None:
    fix_id = await applied_fix(store)
    zoom = LossyZoom(lose_patch=ZoomApiError(400, 300, "Invalid field."), keep_patch=False)
    result = await revert(store, zoom, fix_id, actor="Priya", now=NOW)  # type: ignore[arg-type]
    assert result.status == "applied"
    assert "Invalid field" in result.message
