"""Merged settings views: one document per tier from the option views, fetched concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2
import respx

from zoomaudit.zoom.client import ZoomClient

from .conftest import BASE

DEFAULT = {"schedule_meeting": {"join_before_host": False}, "in_meeting": {"waiting_room": True}}
SECURITY = {"meeting_security": {"waiting_room": True, "meeting_password_requirement": {"length": 8}}}
AUTHENTICATION = {
    "meeting_authentication": True,
    "authentication_options": [{"id": "a1", "type": "enforce_login", "default_option": True}],
    "allow_authentication_exception": False,
}


def _views(in_flight: list[int], peak: list[int]) -> Callable[[httpx2.Request], Any]:
    async def answer(request: httpx2.Request) -> httpx2.Response:
        in_flight.append(1)
        peak.append(len(in_flight))
        await asyncio.sleep(0)
        in_flight.pop()
        option = request.url.params.get("option")
        body = {None: DEFAULT, "meeting_security": SECURITY, "meeting_authentication": AUTHENTICATION}[option]
        return httpx2.Response(200, json=body)

    return answer


def _merge(make_client: Callable[..., ZoomClient], name: str, *args: str) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        # The default share leaves a burst of three Medium requests: the views can overlap.
        async with make_client() as zoom:
            result: dict[str, Any] = await getattr(zoom, name)(*args)
            return result

    return asyncio.run(go())


def test_user_settings_merge_three_views_concurrently(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    in_flight: list[int] = []
    peak: list[int] = []
    route = api.get(f"{BASE}/users/u1/settings").mock(side_effect=_views(in_flight, peak))
    merged = _merge(make_client, "user_settings_merged", "u1")
    assert merged == {**DEFAULT, **SECURITY, **AUTHENTICATION}
    assert sorted(str(c.request.url.params.get("option")) for c in route.calls) == [
        "None",
        "meeting_authentication",
        "meeting_security",
    ]
    assert max(peak) == 3


def test_account_and_group_settings_merge_the_same_way(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/accounts/me/settings").mock(side_effect=_views([], []))
    api.get(f"{BASE}/groups/g1/settings").mock(side_effect=_views([], []))
    expected = {**DEFAULT, **SECURITY, **AUTHENTICATION}
    assert _merge(make_client, "account_settings_merged") == expected
    assert _merge(make_client, "group_settings_merged", "g1") == expected


def test_lock_views_merge_default_and_meeting_security_only(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    account = api.get(f"{BASE}/accounts/me/lock_settings").mock(side_effect=_views([], []))
    group = api.get(f"{BASE}/groups/g1/lock_settings").mock(side_effect=_views([], []))
    assert _merge(make_client, "account_locks_merged") == {**DEFAULT, **SECURITY}
    assert _merge(make_client, "group_locks_merged", "g1") == {**DEFAULT, **SECURITY}
    assert account.call_count == 2
    assert group.call_count == 2


def test_a_failing_view_fails_the_merge(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    import pytest

    from zoomaudit.errors import ZoomApiError

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.params.get("option") == "meeting_authentication":
            return httpx2.Response(400, json={"code": 200, "message": "Only available for paid accounts"})
        return httpx2.Response(200, json=DEFAULT)

    api.get(f"{BASE}/accounts/me/settings").mock(side_effect=answer)
    with pytest.raises(ZoomApiError, match="paid accounts"):
        _merge(make_client, "account_settings_merged")
