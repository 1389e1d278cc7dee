"""Small asyncio helpers shared by the client and the collector."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


async def gather_all(aws: Iterable[Awaitable[T]]) -> list[T]:
    """Like ``asyncio.gather``, but when one fails the others are cancelled and awaited first.

    ``asyncio.gather`` lets the siblings of a failed request run on after the error propagates;
    the run then closes the HTTP client under them and they die half-way (a connection attempt
    "never awaited"). Here nothing outlives the call, and the first error is raised as itself
    (not wrapped in an ExceptionGroup, so callers keep catching zoomaudit's errors).
    """
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def gather_pair(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """``gather_all`` for two awaitables of different types, keeping each result's type."""
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(first), asyncio.ensure_future(second)]
    results = await gather_all(tasks)
    return results[0], results[1]
