"""gather_all: nothing outlives a failed gather, and the first error is raised as itself."""

from __future__ import annotations

import asyncio

import pytest

from zoomaudit.aio import gather_all
from zoomaudit.errors import AuthError


def test_results_keep_their_order() -> None:
    async def value(v: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return v

    assert asyncio.run(gather_all([value(1, 0.02), value(2, 0.0), value(3, 0.01)])) == [1, 2, 3]


def test_a_failure_cancels_and_awaits_the_siblings() -> None:
    finished: list[str] = []

    async def slow() -> str:
        try:
            await asyncio.sleep(5)
            return "slow"
        finally:
            finished.append("slow cleaned up")

    async def fail() -> str:
        await asyncio.sleep(0)
        raise AuthError("token refused")

    async def go() -> None:
        with pytest.raises(AuthError, match="token refused"):
            await gather_all([slow(), fail()])
        # The sibling was cancelled and had finished its cleanup before the error arrived here.
        assert finished == ["slow cleaned up"]
        assert len(asyncio.all_tasks()) == 1

    asyncio.run(go())
