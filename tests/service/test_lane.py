"""One Zoom lane per service: every Zoom call of ``serve`` uses one client (one rate budget, one
daily ledger) and Zoom jobs take turns, console approvals and reverts included.

The audits here are fakes that make real requests through the client they are handed; the
client's transport records every request, so the tests assert on the order of Zoom calls, never
on timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

import zoomaudit.fixes.apply as fixes_apply
from zoomaudit.runner import Observer, RunOutcome
from zoomaudit.service.console.actions import ConsoleActions
from zoomaudit.service.console.jobs import Jobs
from zoomaudit.settings import Settings, load_settings
from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope, Trigger
from zoomaudit.zoom.client import ZoomClient

from .conftest import SECRET, AppFactory, running

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


class Zoom:
    """An httpx2 transport standing in for Zoom: answers everything, records each API request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.token_requests = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/oauth/token"):
            self.token_requests += 1
            return httpx2.Response(
                200, json={"access_token": "t", "token_type": "bearer", "expires_in": 3600}
            )
        self.requests.append(f"{request.method} {request.url.path.removeprefix('/v2')}")
        return httpx2.Response(
            200, json={"id": request.url.path.rsplit("/", 1)[-1], "email": "x@example.org"}
        )


class Clients:
    """The lane's client factory: counts the clients made and how often each is closed."""

    def __init__(self, settings: Settings, zoom: Zoom) -> None:
        self.settings, self.zoom = settings, zoom
        self.made: list[ZoomClient] = []
        self.closed = 0

    def __call__(self) -> ZoomClient:
        client = ZoomClient(self.settings, transport=httpx2.MockTransport(self.zoom))
        original = client.aclose

        async def aclose() -> None:
            self.closed += 1
            await original()

        client.aclose = aclose  # type: ignore[method-assign]
        self.made.append(client)
        return client


class ZoomRunner:
    """An audit that reads two users through the client it is given, pausing between them."""

    def __init__(self) -> None:
        self.clients: list[ZoomClient | None] = []
        self.midway = asyncio.Event()
        self.go_on = asyncio.Event()

    async def __call__(
        self,
        scope: Scope,
        trigger: Trigger = "manual",
        *,
        settings: Settings,
        observer: Observer | None = None,
        store: Any = None,
        client: ZoomClient | None = None,
    ) -> RunOutcome:
        assert client is not None, "under serve an audit is handed the lane's client"
        self.clients.append(client)
        await client.get_user(f"audit-{trigger}-1")
        self.midway.set()
        await self.go_on.wait()
        await client.get_user(f"audit-{trigger}-2")
        return RunOutcome(run_id=f"run-{len(self.clients)}", complete=True)


@pytest.fixture
def lane_settings() -> Settings:
    return load_settings(
        ZOOM_WEBHOOK_SECRET_TOKEN=SECRET,
        ZOOM_ACCOUNT_ID="acct",
        ZOOM_CLIENT_ID="id",
        ZOOM_CLIENT_SECRET="secret-value-for-tests",
    )


@pytest.fixture
def zoom() -> Zoom:
    return Zoom()


@pytest.fixture
def clients(lane_settings: Settings, zoom: Zoom) -> Clients:
    return Clients(lane_settings, zoom)


@pytest.fixture
def fake_fixes(monkeypatch: pytest.MonkeyPatch) -> list[ZoomClient]:
    """``fixes.apply.approve`` and ``revert`` replaced by one Zoom request each; the clients they got."""
    seen: list[ZoomClient] = []

    async def approve(store: Any, client: ZoomClient, fix_ids: list[str], **_: Any) -> list[Any]:
        seen.append(client)
        await client.request("PATCH", f"/meetings/{fix_ids[0]}", json={"waiting_room": True})
        return [_Result(fix_ids[0], "applied")]

    async def revert(store: Any, client: ZoomClient, fix_id: str, **_: Any) -> Any:
        seen.append(client)
        await client.request("PATCH", f"/meetings/{fix_id}", json={"waiting_room": False})
        return _Result(fix_id, "reverted")

    monkeypatch.setattr(fixes_apply, "approve", approve)
    monkeypatch.setattr(fixes_apply, "revert", revert)
    return seen


class _Result:
    def __init__(self, fix_id: str, status: str) -> None:
        self.fix_id, self.status, self.message = fix_id, status, ""


def _console(service: Any) -> ConsoleActions:
    return ConsoleActions(service.settings, None, clock=lambda: NOW, audit=service.audit, lane=service.lane)


async def _until(condition: Callable[[], bool]) -> None:
    """Let the event loop run until ``condition`` holds (a bounded number of turns, not a time)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_a_console_approval_during_an_audit_waits_its_turn_on_the_same_client(
    make_app: AppFactory, lane_settings: Settings, clients: Clients, zoom: Zoom, fake_fixes: list[ZoomClient]
) -> None:
    runner = ZoomRunner()
    app = make_app(settings=lane_settings, runner=runner, make_client=clients)
    async with running(app):
        service = app.state.service
        actions = _console(service)
        audit = asyncio.ensure_future(service.audit(AccountScope(), "scheduled"))
        await runner.midway.wait()
        approval = asyncio.ensure_future(actions.approve(["1001"], actor="admin@example.org", note=None))
        await _until(lambda: service.lane.waiting == 1)
        assert actions.zoom_busy == "scheduled audit of account"
        runner.go_on.set()
        await audit
        [result] = await approval
    assert result.status == "applied"
    # The approval's write came after the audit's last read, never between them.
    assert zoom.requests == [
        "GET /users/audit-scheduled-1",
        "GET /users/audit-scheduled-2",
        "PATCH /meetings/1001",
    ]
    # One client: one rate limiter, one daily ledger, one token for all of it.
    assert len(clients.made) == 1
    assert runner.clients == [clients.made[0]]
    assert fake_fixes == [clients.made[0]]
    assert zoom.token_requests == 1
    assert clients.made[0].limiter is fake_fixes[0].limiter


async def test_a_console_revert_and_a_deferred_retry_take_turns_with_a_webhook_audit(
    make_app: AppFactory, lane_settings: Settings, clients: Clients, zoom: Zoom, fake_fixes: list[ZoomClient]
) -> None:
    runner = ZoomRunner()
    retried: list[ZoomClient] = []

    async def apply_deferred(client: ZoomClient, account: str) -> str:
        retried.append(client)
        await client.request("PATCH", "/meetings/3003", json={"waiting_room": True})
        return "1 applied"

    app = make_app(settings=lane_settings, runner=runner, make_client=clients, apply_deferred=apply_deferred)
    async with running(app):
        service = app.state.service
        actions = _console(service)
        audit = asyncio.ensure_future(service.audit(MeetingsScope.of(7), "webhook"))
        await runner.midway.wait()
        revert = asyncio.ensure_future(actions.revert("2002", actor="admin@example.org"))
        await _until(lambda: service.lane.waiting == 1)
        retry = asyncio.ensure_future(service.retry_deferred())
        await _until(lambda: service.lane.waiting == 2)
        runner.go_on.set()
        await asyncio.gather(audit, revert, retry)
    assert zoom.requests == [
        "GET /users/audit-webhook-1",
        "GET /users/audit-webhook-2",
        "PATCH /meetings/2002",
        "PATCH /meetings/3003",
    ]
    assert runner.clients == fake_fixes == retried == [clients.made[0]]
    assert len(clients.made) == 1


async def test_an_approval_job_started_while_zoom_is_busy_shows_it_is_waiting(
    make_app: AppFactory, lane_settings: Settings, clients: Clients, zoom: Zoom, fake_fixes: list[ZoomClient]
) -> None:
    runner = ZoomRunner()
    app = make_app(settings=lane_settings, runner=runner, make_client=clients)
    async with running(app):
        service = app.state.service
        actions = _console(service)
        jobs = Jobs(actions, lambda: NOW)
        audit = jobs.start_audit(AccountScope(), started_by="admin@example.org")
        await runner.midway.wait()
        approval = jobs.start_approval(["1001"], label="fix 1001", actor="admin@example.org", note=None)
        assert approval.waiting
        await _until(lambda: service.lane.waiting == 1)
        assert approval.waiting
        assert approval.outcomes == []
        runner.go_on.set()
        await jobs.wait_all()
    assert (audit.state, approval.state, approval.waiting) == ("done", "done", False)
    assert [o.status for o in approval.outcomes] == ["applied"]
    assert zoom.requests[-1] == "PATCH /meetings/1001"


async def test_the_console_group_list_shares_the_lane_client_without_waiting_for_the_turn(
    make_app: AppFactory, lane_settings: Settings, clients: Clients, zoom: Zoom
) -> None:
    runner = ZoomRunner()
    app = make_app(settings=lane_settings, runner=runner, make_client=clients)
    async with running(app):
        service = app.state.service
        actions = _console(service)
        audit = asyncio.ensure_future(service.audit(AccountScope(), "manual"))
        await runner.midway.wait()
        groups, note = await actions.groups()  # answered while the audit still holds the turn
        assert service.lane.running == "manual audit of account"
        runner.go_on.set()
        await audit
    assert (groups, note) == ({}, None)
    assert zoom.requests == ["GET /users/audit-manual-1", "GET /groups", "GET /users/audit-manual-2"]
    assert len(clients.made) == 1


async def test_the_lane_client_is_made_once_and_closed_once_at_shutdown(
    make_app: AppFactory, lane_settings: Settings, clients: Clients
) -> None:
    runner = ZoomRunner()
    runner.go_on.set()
    app = make_app(settings=lane_settings, runner=runner, make_client=clients)
    async with running(app):
        service = app.state.service
        for trigger in ("manual", "webhook"):
            await service.audit(AccountScope(), trigger)
        await service.nightly()
        assert clients.closed == 0
    assert len(clients.made) == 1
    assert clients.closed == 1
    assert runner.clients == [clients.made[0]] * 3


async def test_a_service_that_never_called_zoom_makes_no_client(
    make_app: AppFactory, clients: Clients
) -> None:
    async with running(make_app(make_client=clients)):
        pass
    assert (clients.made, clients.closed) == ([], 0)
