"""The service app: /healthz, graceful shutdown, the console extension point, the work queue."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from zoomaudit.service.context import Service
from zoomaudit.service.dispatch import Dispatcher
from zoomaudit.service.scheduler import NIGHTLY_JOB_ID
from zoomaudit.vocabulary import AccountScope, MeetingsScope

from .conftest import AppFactory, FakeRunner, running

pytestmark = pytest.mark.anyio


async def test_healthz_without_scheduler(make_app: AppFactory) -> None:
    async with running(make_app()) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "scheduler": "off",
        "next_nightly_run": None,
        "webhooks": "on",
        "pending_work": 0,
        "audits_running": 0,
        "audits_waiting": 0,
    }


async def test_running_audit_gets_its_grace_time_at_shutdown(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    runner.gate = asyncio.Event()
    app = make_app(shutdown_grace=5.0)
    service: Service = app.state.service
    async with running(app):
        service.submit_audit(MeetingsScope.of(5), key="meeting:5")
        await asyncio.wait_for(runner.called.wait(), 5)
        asyncio.get_running_loop().call_later(0.05, runner.gate.set)
    assert runner.cancelled == 0
    assert not service.audits


async def test_audit_still_running_after_the_grace_time_is_cancelled(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    runner.gate = asyncio.Event()  # never released
    app = make_app(shutdown_grace=0.05)
    service: Service = app.state.service
    async with running(app) as client:
        service.submit_audit(MeetingsScope.of(5), key="meeting:5")
        await asyncio.wait_for(runner.called.wait(), 5)
        assert (await client.get("/healthz")).json()["audits_running"] == 1
    assert runner.cancelled == 1
    assert not service.audits
    assert not service.accepting


async def test_scheduled_audit_survives_the_scheduler_stopping_until_the_grace_time(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    from datetime import UTC, datetime, timedelta

    runner.gate = asyncio.Event()
    app = make_app(start_scheduler=True, shutdown_grace=5.0)
    async with running(app):
        scheduler = app.state.service.scheduler
        scheduler.modify_job(NIGHTLY_JOB_ID, next_run_time=datetime.now(UTC) - timedelta(seconds=1))
        await asyncio.wait_for(runner.called.wait(), 5)
        # Shutdown cancels APScheduler's job wrapper; the audit itself runs on to its end.
        asyncio.get_running_loop().call_later(0.1, runner.gate.set)
    assert runner.cancelled == 0
    assert runner.calls == [(AccountScope(), "scheduled")]


async def test_console_hook_mounts_at_root_without_shadowing_the_service(make_app: AppFactory) -> None:
    seen: list[Service] = []

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse("console " + request.url.path)

    def mount_console(app: Starlette, service: Service) -> None:
        seen.append(service)
        app.router.routes.append(Mount("/", app=Starlette(routes=[Route("/{path:path}", home)])))

    app = make_app(console=mount_console)
    async with running(app) as client:
        assert (await client.get("/")).text == "console /"
        assert (await client.get("/fixes")).text == "console /fixes"
        assert (await client.get("/healthz")).json()["ok"] is True
    assert seen == [app.state.service]


async def test_console_can_queue_an_audit_now(make_app: AppFactory, runner: FakeRunner) -> None:
    app = make_app()
    service: Service = app.state.service
    async with running(app):
        assert service.submit_audit(AccountScope())
        await service.dispatcher.join()
    assert runner.calls == [(AccountScope(), "manual")]


async def test_dispatcher_refuses_work_after_close() -> None:
    ran: list[str] = []

    async def work() -> None:
        ran.append("x")

    dispatcher = Dispatcher(0.01)
    assert not dispatcher.submit("k", work)  # not started
    dispatcher.start()
    assert dispatcher.submit("k", work)
    await dispatcher.join()
    await dispatcher.close()
    assert not dispatcher.submit("k", work)
    assert ran == ["x"]


async def test_dispatcher_close_drops_waiting_work() -> None:
    ran: list[str] = []

    async def work() -> None:
        ran.append("x")

    dispatcher = Dispatcher(10.0)
    dispatcher.start()
    dispatcher.submit("k", work)
    assert dispatcher.pending == 1
    await dispatcher.close()
    assert dispatcher.pending == 0
    assert ran == []


async def test_audits_take_turns(make_app: AppFactory, runner: FakeRunner) -> None:
    runner.gate = asyncio.Event()
    app = make_app(shutdown_grace=5.0)
    service: Service = app.state.service
    async with running(app) as client:
        first = asyncio.ensure_future(service.audit(MeetingsScope.of(1), "webhook"))
        second = asyncio.ensure_future(service.audit(AccountScope(), "manual"))
        await asyncio.wait_for(runner.called.wait(), 5)
        assert runner.calls == [(MeetingsScope.of(1), "webhook")]
        health = (await client.get("/healthz")).json()
        assert (health["audits_running"], health["audits_waiting"]) == (1, 1)
        runner.gate.set()
        outcomes = await asyncio.gather(first, second)
    assert [o.run_id for o in outcomes] == ["run-1", "run-2"]
    assert runner.calls == [(MeetingsScope.of(1), "webhook"), (AccountScope(), "manual")]
    # The second started only after the first had ended: they took turns.
    assert runner.events == ["start webhook", "end webhook", "start manual", "end manual"]


async def test_an_audit_waiting_for_its_turn_at_shutdown_never_starts(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    runner.gate = asyncio.Event()
    app = make_app(shutdown_grace=5.0)
    service: Service = app.state.service
    async with running(app):
        first = asyncio.ensure_future(service.audit(MeetingsScope.of(1), "webhook"))
        second = asyncio.ensure_future(service.audit(AccountScope(), "manual"))
        await asyncio.wait_for(runner.called.wait(), 5)
        assert len(service.audits) == 2  # the second waits for its turn
        # Shutdown starts now; the running audit finishes inside its grace time.
        asyncio.get_running_loop().call_later(0.05, runner.gate.set)
    assert runner.calls == [(MeetingsScope.of(1), "webhook")]
    assert (await first).run_id == "run-1"
    with pytest.raises(asyncio.CancelledError):
        await second
    assert runner.cancelled == 0
    assert not service.audits
