"""Fixtures for the sandbox tests: the app in-process, spoken to with plain httpx2."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx2
import pytest

from zoomaudit.sandbox.app import SandboxApp, create_app, runtime
from zoomaudit.sandbox.demo import demo_state
from zoomaudit.sandbox.options import SandboxOptions, no_limits
from zoomaudit.sandbox.state import SandboxState

BASE = "http://sandbox.test"


class FakeClock:
    """A UTC clock that moves only when told: ``SandboxState.clock`` for tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def frozen(state: SandboxState) -> SandboxState:
    """``state`` with its clock stopped at the moment it was built, so no test sees midnight pass."""
    state.clock = FakeClock(state.built_at)
    return state


class Api:
    """A synchronous caller of the in-process sandbox (each call runs its own event loop)."""

    def __init__(self, state: SandboxState, options: SandboxOptions) -> None:
        self.state = state
        self.options = options
        self.app: SandboxApp = create_app(state, options)
        self._token: str | None = None

    @property
    def runtime(self) -> Any:
        return runtime(self.app)

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        async def go() -> httpx2.Response:
            transport = httpx2.ASGITransport(app=self.app)
            async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(go())

    def token(self, **kwargs: Any) -> httpx2.Response:
        data = {"grant_type": "account_credentials", "account_id": self.state.account_id}
        auth = kwargs.pop("auth", (self.state.client_id, self.state.client_secret))
        return self.raw("POST", "/oauth/token", data=kwargs.pop("data", data), auth=auth, **kwargs)

    def bearer(self) -> str:
        if self._token is None:
            response = self.token()
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        return self._token

    def call(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {self.bearer()}", **kwargs.pop("headers", {})}
        return self.raw(method, "/v2" + path, headers=headers, **kwargs)

    def get(self, path: str, **params: Any) -> httpx2.Response:
        return self.call("GET", path, params=params)

    def patch(self, path: str, body: Any, **params: Any) -> httpx2.Response:
        return self.call("PATCH", path, json=body, params=params)

    def user(self, first_name: str) -> Any:
        return next(u for u in self.state.users.values() if u.first_name == first_name)


@pytest.fixture
def api() -> Api:
    """The demo organisation with rate limits and the daily quota off, its clock stopped."""
    return Api(frozen(demo_state()), no_limits())


@pytest.fixture
def make_api() -> Any:
    def make(options: SandboxOptions | None = None, state: SandboxState | None = None) -> Api:
        return Api(state or frozen(demo_state()), options or no_limits())

    return make
