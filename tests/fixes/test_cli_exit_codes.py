"""Exit codes of `fixes approve` and `fixes revert` when Zoom cannot be used (3) or the work ran
but did not take (1), and the stored fix state either way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zoomaudit.errors import AuthError, NotFound, ZoomApiError, ZoomError, ZoomUnavailable
from zoomaudit.fixes.apply import revert
from zoomaudit.fixes.queue import get_fix
from zoomaudit.store import Store

from .conftest import NOW
from .test_apply_errors import FakeZoom
from .test_cli import audit_talk, cli, exit_code, fixes_json
from .test_revert_safety import LossyZoom, applied_fix

WRONG_SECRET = "not-the-secret-zoom-knows"


def details(fix_id: str) -> dict[str, Any]:
    result = cli("fixes", "show", fix_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def approved_talk(sandbox: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    talk, fix = audit_talk(sandbox)
    result = cli("fixes", "approve", fix["id"], "--by", "Priya")
    assert result.exit_code == 0, result.output
    assert talk["settings"]["waiting_room"] is True
    return talk, fix


@pytest.mark.e2e
def test_revert_with_refused_credentials_exits_3_and_keeps_the_fix_applied(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    talk, fix = approved_talk(sandbox)
    stored = details(fix["id"])
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", WRONG_SECRET)

    result = cli("fixes", "revert", fix["id"], "--by", "Priya")

    assert exit_code(result) == 3, result.output
    assert "Zoom could not be used" in result.output
    assert "still applied" in result.output
    assert WRONG_SECRET not in result.output
    assert sandbox.client_secret not in result.output
    assert talk["settings"]["waiting_room"] is True  # nothing written
    after = details(fix["id"])
    assert after["status"] == "applied"
    for key in ("before", "after", "applied_at", "decided_by", "request"):
        assert after[key] == stored[key], key
    assert [e["to"] for e in after["trail"]][-2:] == ["approved", "applied"]
    assert "not reverted" in after["trail"][-1]["note"]

    # With the right credentials the same fix reverts: nothing was lost on the way.
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", sandbox.client_secret)
    again = cli("fixes", "revert", fix["id"], "--by", "Priya")
    assert again.exit_code == 0, again.output
    assert talk["settings"]["waiting_room"] is False
    assert details(fix["id"])["status"] == "reverted"


@pytest.mark.e2e
def test_approve_with_refused_credentials_exits_3_and_leaves_the_fix_pending(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    talk, fix = audit_talk(sandbox)
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", WRONG_SECRET)

    result = cli("fixes", "approve", fix["id"], "--by", "Priya")

    assert exit_code(result) == 3, result.output
    assert "Zoom could not be used" in result.output
    assert WRONG_SECRET not in result.output
    assert talk["settings"]["waiting_room"] is False
    [pending] = [f for f in fixes_json() if f["id"] == fix["id"]]
    assert pending["status"] == "pending"


@pytest.mark.e2e
def test_a_stale_revert_still_exits_1(sandbox: Any) -> None:
    talk, fix = approved_talk(sandbox)
    talk["settings"]["waiting_room"] = False  # someone changed it in Zoom since

    result = cli("fixes", "revert", fix["id"], "--by", "Priya")

    assert exit_code(result) == 1, result.output
    assert "stale" in result.output
    assert "Zoom could not be used" not in result.output
    assert details(fix["id"])["status"] == "stale"


# --- which errors mean "Zoom could not be used" (no sandbox) --------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("errors", "unusable", "patched"),
    [
        ({"GET": AuthError("invalid client credentials")}, True, 0),
        ({"GET": ZoomUnavailable("connection reset")}, True, 0),
        ({"PATCH": AuthError("token refused")}, True, 0),
        ({"GET": NotFound(404, 3001, "Meeting does not exist.")}, False, 0),
        ({"PATCH": ZoomApiError(400, 300, "Invalid field.")}, False, 0),
    ],
)
async def test_revert_says_when_zoom_could_not_be_used(
    store: Store, errors: dict[str, ZoomError], unusable: bool, patched: int
) -> None:
    fix_id = await applied_fix(store)
    zoom = FakeZoom(waiting_room=True, **errors)

    result = await revert(store, zoom, fix_id, actor="Priya", now=NOW)  # type: ignore[arg-type]

    assert result.zoom_unusable is unusable, result.message
    assert result.status == "applied"
    assert result.message.startswith("not reverted")
    assert len(zoom.sent) == patched
    assert get_fix(store, fix_id).status == "applied"
    assert get_fix(store, fix_id).before == {"settings.waiting_room": False}


@pytest.mark.anyio
async def test_a_lost_revert_that_changed_nothing_is_zoom_unusable(store: Store) -> None:
    fix_id = await applied_fix(store)
    zoom = LossyZoom(lose_patch=ZoomUnavailable("timeout"), keep_patch=False)

    result = await revert(store, zoom, fix_id, actor="Priya", now=NOW)  # type: ignore[arg-type]

    assert result.zoom_unusable
    assert get_fix(store, fix_id).status == "applied"
