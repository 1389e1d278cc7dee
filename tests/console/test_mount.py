"""The console inside ``zoomaudit serve``'s app: mounted at /console beside /healthz and the webhooks."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from zoomaudit.runner import Observer, RunOutcome
from zoomaudit.service.app import create_service_app
from zoomaudit.settings import Settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope, Scope, Trigger

from .conftest import ADMIN, csrf_of, login

pytestmark = pytest.mark.anyio


class Runner:
    def __init__(self) -> None:
        self.calls: list[tuple[Scope, Trigger]] = []

    async def __call__(
        self,
        scope: Scope,
        trigger: Trigger = "manual",
        *,
        settings: Settings,
        observer: Observer | None = None,
        store: Any = None,
        client: Any = None,
    ) -> RunOutcome:
        self.calls.append((scope, trigger))
        return RunOutcome(run_id="20261121-093000-beef", complete=True)


async def test_the_service_serves_the_console_and_audit_now_goes_through_the_service(
    settings: Settings, store: Store
) -> None:
    runner = Runner()
    app = create_service_app(settings, runner=runner, start_scheduler=False)
    transport = httpx2.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=transport, base_url="http://service.test") as client,
    ):
        home = await client.get("/")
        assert home.status_code == 307
        assert home.headers["location"] == "/console/"
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/console/")).headers["location"] == "/console/login?next=/console/"

        page = await client.get("/console/login")
        response = await client.post(
            "/console/login",
            data={"csrf": csrf_of(page.text), "email": ADMIN, "password": "a long enough password"},
        )
        assert response.headers["location"] == "/console/"
        cookie = response.headers["set-cookie"]
        assert "Path=/console" in cookie
        token = csrf_of((await client.get("/console/audit")).text)
        started = await client.post(
            "/console/audit", data={"csrf": token, "scope": "meeting", "meeting_id": "84100216138"}
        )
        job = started.headers["location"]
        assert job.startswith("/console/jobs/")
        for _ in range(100):
            done = await client.get(job)
            if done.status_code == 303:
                break
            await asyncio.sleep(0.01)
        assert done.headers["location"] == "/console/runs/20261121-093000-beef"
    assert runner.calls == [(MeetingsScope.of(84100216138), "manual")]


async def test_the_login_page_says_how_to_create_the_first_account(settings: Settings) -> None:
    from zoomaudit.service.console.app import create_console_app

    with Store.from_settings(settings) as empty:
        app = create_console_app(settings, store=empty, secret=b"k" * 32)
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://c.test"
        ) as client:
            page = await client.get("/login")
            assert "zoomaudit admins add EMAIL" in page.text
            assert (await login(client)).status_code == 401


async def test_the_demo_admin_can_sign_in_and_is_reset_each_time(settings: Settings) -> None:
    from zoomaudit.service.console import seed_demo_admin
    from zoomaudit.service.console.app import create_console_app

    email, first = seed_demo_admin(settings)
    again, password = seed_demo_admin(settings)
    assert again == email
    assert password != first
    with Store.from_settings(settings) as opened:
        app = create_console_app(settings, store=opened, secret=b"k" * 32)
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://c.test"
        ) as client:
            assert (await login(client, email, first)).status_code == 401
            assert (await login(client, email, password)).status_code == 303
