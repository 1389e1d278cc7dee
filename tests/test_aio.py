"""gather_all: nothing outlives a failed gather, and the first error is raised as itself;
bounded_stream: at most N at work, results as they complete, the first error as itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from zoomaudit.aio import bounded_stream, gather_all
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


def test_bounded_stream_keeps_at_most_n_at_work_and_yields_every_result() -> None:
    running = 0
    most = 0
    started: list[int] = []

    async def work(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0)
        running -= 1
        return n * 10

    async def run() -> list[int]:
        return [r async for r in bounded_stream(range(20), work, 3, on_started=started.append)]

    assert sorted(asyncio.run(run())) == [n * 10 for n in range(20)]
    assert most <= 3
    assert started == [20]


def test_bounded_stream_raises_the_first_error_as_itself() -> None:
    async def items() -> AsyncIterator[int]:
        yield 1
        raise AuthError("listing refused")

    async def work(n: int) -> int:
        return n

    async def run() -> list[int]:
        return [r async for r in bounded_stream(items(), work, 2)]

    with pytest.raises(AuthError, match="listing refused"):
        asyncio.run(run())


# -- Started: the stream's work begins before the first item is asked for ----------------------


def test_started_works_on_items_before_the_consumer_asks() -> None:
    from zoomaudit.aio import Started

    began: list[int] = []

    async def work(item: int) -> int:
        began.append(item)
        await asyncio.sleep(0)
        return item * 10

    async def go() -> list[int]:
        stream = Started(bounded_stream([1, 2, 3], work, 2))
        for _ in range(5):  # the caller does other things; the stream gets going meanwhile
            await asyncio.sleep(0)
        assert sorted(began) == [1, 2]  # as many as its concurrency, before any item was asked for
        try:
            return sorted([item async for item in stream])
        finally:
            await stream.aclose()

    assert asyncio.run(go()) == [10, 20, 30]


def test_started_closed_unread_stops_its_work() -> None:
    from zoomaudit.aio import Started

    cleaned: list[str] = []

    async def work(item: int) -> int:
        try:
            await asyncio.sleep(5)
            return item
        finally:
            cleaned.append(f"item {item}")

    async def go() -> None:
        stream = Started(bounded_stream([1, 2], work, 2))
        await asyncio.sleep(0.01)
        await stream.aclose()
        assert sorted(cleaned) == ["item 1", "item 2"]

    asyncio.run(asyncio.wait_for(go(), 2))


def test_started_empty_and_failing_streams_end_as_themselves() -> None:
    from zoomaudit.aio import Started

    async def empty() -> AsyncIterator[int]:
        for item in ():
            yield item

    async def failing() -> AsyncIterator[int]:
        raise AuthError("token refused")
        yield 0

    async def go() -> None:
        assert [item async for item in Started(empty())] == []
        with pytest.raises(AuthError, match="token refused"):
            async for _ in Started(failing()):
                pass

    asyncio.run(go())
