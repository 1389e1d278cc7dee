"""Small asyncio helpers shared by the client and the collector."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")


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


async def bounded_stream(
    items: AsyncIterator[T] | Iterable[T],
    work: Callable[[T], Awaitable[R]],
    concurrency: int,
    *,
    on_started: Callable[[int], None] | None = None,
) -> AsyncIterator[R]:
    """Run ``work`` on each item concurrently and yield the results as they complete.

    At most ``concurrency`` items are worked on at once and at most ``concurrency`` finished
    results wait for the consumer, so memory stays flat however many items there are; items are
    read only as fast as the work goes. ``on_started`` gets the number of items once all have
    started. The first error (from ``items`` or from ``work``) is raised to the consumer as itself,
    and whatever still runs is cancelled when the consumer stops or fails.
    """
    queue: asyncio.Queue[R | BaseException | None] = asyncio.Queue(concurrency)
    gate = asyncio.Semaphore(concurrency)

    async def one(item: T) -> None:
        try:
            result = await work(item)
        except asyncio.CancelledError:
            # Stopped by the producer: nobody reads the queue any more, so nothing is put on
            # it (a full queue would hold this task, and the producer awaiting it, for ever).
            raise
        except BaseException as exc:  # handed to the consumer, which re-raises it
            await queue.put(exc)
        else:
            await queue.put(result)
        finally:
            gate.release()

    async def produce() -> None:
        tasks: set[asyncio.Task[None]] = set()

        def start(item: T) -> None:
            tasks.add(asyncio.create_task(one(item)))

        try:
            if isinstance(items, AsyncIterator):
                async for item in items:
                    await gate.acquire()
                    start(item)
            else:
                for item in items:
                    await gate.acquire()
                    start(item)
            if on_started:
                on_started(len(tasks))
            await asyncio.gather(*tasks)
            await queue.put(None)
        except asyncio.CancelledError:  # the consumer stopped: stop the work, tell no one
            await _cancel_all(tasks)
            raise
        except BaseException as exc:
            await _cancel_all(tasks)
            await queue.put(exc)

    producer = asyncio.create_task(produce())
    try:
        while True:
            got = await queue.get()
            if got is None:
                break
            if isinstance(got, BaseException):
                raise got
            yield got
    finally:
        producer.cancel()
        await asyncio.gather(producer, return_exceptions=True)


async def _cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class Started(AsyncIterator[T]):
    """An async iterator whose work has begun before anyone asks for an item.

    An async generator does nothing until its first ``__anext__``; this one asks for the first
    item at once, in a task, so that (with ``bounded_stream``) up to its concurrency of items are
    worked on while the caller still prepares other things. ``aclose`` stops the work whether or
    not anything was consumed.
    """

    def __init__(self, stream: AsyncIterator[T]) -> None:
        self._stream = stream
        self._first: asyncio.Future[T] | None = asyncio.ensure_future(stream.__anext__())

    def __aiter__(self) -> Started[T]:
        return self

    async def __anext__(self) -> T:
        first, self._first = self._first, None
        if first is not None:
            return await first  # StopAsyncIteration or the stream's error, as itself
        return await self._stream.__anext__()

    async def aclose(self) -> None:
        if self._first is not None:
            self._first.cancel()
            await asyncio.gather(self._first, return_exceptions=True)
            self._first = None
        closing = getattr(self._stream, "aclose", None)
        if closing is not None:
            await closing()
