"""Fixtures of the service tests: a fake runner, settings with a webhook secret, signed requests."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from zoomaudit.runner import Observer, RunOutcome
from zoomaudit.service.app import create_service_app
from zoomaudit.service.webhooks import sign
from zoomaudit.settings import Settings, load_settings
from zoomaudit.vocabulary import Scope, Trigger

SECRET = "test-webhook-secret"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _library_log_levels() -> Iterator[None]:
    """``serve`` and ``schedule run-now`` quieten httpx2, httpcore2 and alembic process-wide; put
    their levels back so later tests that capture those loggers still see them."""
    from zoomaudit.cli.serve import CHATTY_LOGGERS

    saved = {name: logging.getLogger(name).level for name in CHATTY_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@dataclass
class FakeRunner:
    """Stands in for ``zoomaudit.runner.run``; records each call, optionally blocks until released."""

    calls: list[tuple[Scope, Trigger]] = field(default_factory=list)
    gate: asyncio.Event | None = None
    cancelled: int = 0
    called: asyncio.Event = field(default_factory=asyncio.Event)
    events: list[str] = field(default_factory=list)
    """"start <trigger>" and "end <trigger>" in the order they happened."""
    clients: list[Any] = field(default_factory=list)
    """The Zoom client each call was given."""

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
        self.clients.append(client)
        self.events.append(f"start {trigger}")
        self.called.set()
        if self.gate is not None:
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        self.events.append(f"end {trigger}")
        return RunOutcome(run_id=f"run-{len(self.calls)}", complete=True, counts={"violations": 0})


class FakeStore:
    """The service only hands its store to collaborators; this one is never opened or closed."""

    def close(self) -> None:  # pragma: no cover - the app closes only stores it opened itself
        raise AssertionError("the app must not close a store it was given")


@pytest.fixture
def settings() -> Settings:
    # Pre-session checks are planned from a real store (test_presession_*); the fake store here
    # has none, so they are off.
    return load_settings(ZOOM_WEBHOOK_SECRET_TOKEN=SECRET, ZOOMAUDIT_PRE_SESSION="off")


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


def signed(
    envelope: dict[str, Any] | bytes, *, secret: str = SECRET, timestamp: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """A request body and the headers Zoom would send with it."""
    body = envelope if isinstance(envelope, bytes) else json.dumps(envelope, separators=(",", ":")).encode()
    stamp = str(int(time.time() if timestamp is None else timestamp))
    headers = {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": sign(secret, stamp, body),
        "content-type": "application/json",
    }
    return body, headers


def event(name: str, obj: dict[str, Any], ts: int = 1_700_000_000_000) -> dict[str, Any]:
    return {"event": name, "event_ts": ts, "payload": {"account_id": "acc", "object": obj}}


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    """The app with its lifespan entered, and an HTTP client talking to it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


AppFactory = Callable[..., Starlette]


@pytest.fixture
def make_app(settings: Settings, runner: FakeRunner) -> AppFactory:
    """``create_service_app`` with fakes for every collaborator unless overridden."""

    def factory(**overrides: Any) -> Starlette:
        app_settings = overrides.pop("settings", settings)
        options: dict[str, Any] = {
            "runner": runner,
            "store": FakeStore(),
            "start_scheduler": False,
            "withdraw_fixes": lambda meeting_id, account: None,
            "apply_deferred": lambda client, account: None,
            "group_members": _no_members,
            "console": False,
            "debounce": 0.02,
            "shutdown_grace": 0.2,
        }
        options.update(overrides)
        return create_service_app(app_settings, **options)

    return factory


async def _no_members(client: object, group_id: str) -> list[str]:
    return []


def waiting_room_policies(folder: Any, mode: str) -> str:
    """A policy folder with only the waiting-room policy, its fix in ``mode``; returns its path."""
    folder.mkdir()
    (folder / "waiting.yaml").write_text(
        "policies:\n"
        "  - id: waiting-room\n"
        "    title: Everyone waits to be let in\n"
        "    severity: high\n"
        "    control: waiting_room\n"
        "    expect: {equals: true}\n"
        "    rationale: Strangers must not reach the participants unseen.\n"
        f"    fix: {{mode: {mode}, tier: meeting, value: true}}\n",
        encoding="utf-8",
    )
    return str(folder)
