"""Fixtures for the Zoom client tests: fake credentials, a fake clock, respx routes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator

import httpx2
import pytest
import respx

from zoomaudit.settings import Settings
from zoomaudit.zoom.client import ZoomClient

BASE = "https://api.zoom.us/v2"
TOKEN_URL = "https://zoom.us/oauth/token"
SECRET = "cs-7f3a9b1e2d4c6a8b0f1e3d5c7b9a2e4f"
ACCESS = "at-eyJhbGciOiJIUzUxMiJ9.first-access-token"
START = 1_763_700_000.0  # 2025-11-21T04:40:00Z


class FakeClock:
    """Epoch seconds that move only when something sleeps on it."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.now + max(0.0, seconds)
        await asyncio.sleep(0)
        self.now = max(self.now, target)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def token_response(value: str = ACCESS, expires_in: int = 3600) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "access_token": value,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": "user:read:admin",
        },
    )


@pytest.fixture
def settings() -> Settings:
    return Settings(
        zoom_account_id="acct-1",
        zoom_client_id="client-1",
        zoom_client_secret=SECRET,  # type: ignore[arg-type]
        max_retries=3,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx routes; the token endpoint answers with ACCESS unless a test overrides it."""
    with respx.mock(assert_all_called=False) as router:
        router.post(TOKEN_URL, name="token").mock(return_value=token_response())
        yield router


@pytest.fixture
def make_client(settings: Settings, clock: FakeClock) -> Callable[..., ZoomClient]:
    def make(**changes: object) -> ZoomClient:
        chosen = Settings(**{**settings.model_dump(), **changes})
        return ZoomClient(chosen, clock=clock, sleep=clock.sleep, rng=random.Random(7))

    return make
