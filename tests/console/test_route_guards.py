"""Every state-changing route, found from the URL map itself: CSRF checked, viewers refused.

Enumerating the routes (rather than listing them) means a POST route added later without the
guards fails here.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest
from starlette.routing import Route

from zoomaudit.fixes.queue import get_fix
from zoomaudit.fixes.waivers import list_waivers
from zoomaudit.store import Store

from .conftest import ADMIN, VIEWER, FakeActions, Seeded, signed_in

pytestmark = pytest.mark.anyio

NOT_WRITES = {"/login", "/logout"}
"""POST routes open to viewers: signing in (its own pre-session CSRF token) and signing out."""


def post_routes(app: Any) -> list[str]:
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and "POST" in (route.methods or ()):
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return paths


def test_the_console_has_the_post_routes_this_test_expects(app: Any) -> None:
    assert set(post_routes(app)) >= {
        "/login",
        "/logout",
        "/fixes/decide",
        "/fixes/approve-policy",
        "/fixes/revert",
        "/waivers",
        "/waivers/1/remove",
        "/audit",
    }


FORM = {
    "fix_id": "",
    "decision": "approve",
    "policy": "waiting-room",
    "scope": "account",
    "target": "1001",
    "reason": "x",
    "email": ADMIN,
    "password": "a long enough password",
}


async def test_every_post_route_refuses_a_missing_or_forged_csrf_token(
    client: httpx2.AsyncClient, app: Any, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    await signed_in(client, ADMIN)
    for path in post_routes(app):
        for token in (None, "forged"):
            data = {**FORM, "fix_id": seeded.fixes[0]}
            if token is not None:
                data["csrf"] = token
            response = await client.post(path, data=data)
            assert response.status_code == 403, (path, token)
    assert (await client.get("/")).status_code == 200  # /logout without a token did not sign out
    assert actions.approved == []
    assert actions.audits == []
    assert get_fix(store, seeded.fixes[0]).status == "pending"
    assert list_waivers(store) == []


async def test_every_write_route_refuses_a_viewer_with_a_valid_token(
    client: httpx2.AsyncClient, app: Any, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, VIEWER)
    for path in post_routes(app):
        if path in NOT_WRITES:
            continue
        response = await client.post(path, data={**FORM, "fix_id": seeded.fixes[0], "csrf": token})
        assert response.status_code == 403, path
    assert actions.approved == []
    assert actions.audits == []
    assert get_fix(store, seeded.fixes[0]).status == "pending"
    assert list_waivers(store) == []


async def test_a_viewer_cannot_remove_a_waiver(
    client: httpx2.AsyncClient, app: Any, actions: FakeActions, store: Store
) -> None:
    admin_token = await signed_in(client, ADMIN, "/waivers")
    added = await client.post(
        "/waivers",
        data={
            "csrf": admin_token,
            "policy": "waiting-room",
            "scope": "meeting",
            "target": "1001",
            "reason": "x",
        },
    )
    assert added.status_code == 303
    [waiver] = list_waivers(store)
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.9", 1))
    async with httpx2.AsyncClient(transport=transport, base_url="http://console.test") as viewer:
        token = await signed_in(viewer, VIEWER, "/waivers")
        response = await viewer.post(f"/waivers/{waiver.id}/remove", data={"csrf": token})
    assert response.status_code == 403
    assert [w.id for w in list_waivers(store) if w.removed_at is None] == [waiver.id]
