"""Background work of the service: debounced, de-duplicated, run one item at a time.

Webhooks answer Zoom at once and hand their work here. Several requests with the same key within
the debounce window (an admin saving a meeting three times) become one item, run once the key has
been quiet for the window (or at the latest ``max_wait`` after the first request). Items run one
at a time, in order, so webhook re-audits never compete with each other for Zoom's rate budget.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[object]]


@dataclass
class _Pending:
    work: Work
    first: float
    handle: asyncio.TimerHandle


class Dispatcher:
    """A debouncing queue with a single worker. ``start`` and ``close`` bracket its life."""

    def __init__(
        self, debounce: float = 5.0, *, max_wait: float | None = None, max_queued: int = 10_000
    ) -> None:
        self.debounce = debounce
        self.max_wait = max_wait if max_wait is not None else max(debounce * 6, debounce)
        self.max_queued = max_queued
        self._timers: dict[str, _Pending] = {}
        self._queue: asyncio.Queue[tuple[str, Work]] = asyncio.Queue()
        self._queued: set[str] = set()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self._no_timers = asyncio.Event()
        self._no_timers.set()
        self.current: str | None = None
        """Key of the item running now, if any."""

    @property
    def accepting(self) -> bool:
        return self._worker is not None and not self._closed

    @property
    def pending(self) -> int:
        """Items waiting: in their debounce window or queued."""
        return len(self._timers) + self._queue.qsize()

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run(), name="zoomaudit-dispatch")

    def submit(self, key: str, work: Work, *, debounce: bool = True) -> bool:
        """Queue ``work`` under ``key``; False when closed or full. Repeats within the window merge."""
        if not self.accepting:
            log.warning("not accepting work any more; dropped %s", key)
            return False
        if self.pending >= self.max_queued and key not in self._timers:
            log.error("work queue is full (%d items); dropped %s", self.pending, key)
            return False
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not debounce:
            self._enqueue(key, work)
            return True
        earlier = self._timers.pop(key, None)
        first = now
        if earlier is not None:
            earlier.handle.cancel()
            first = earlier.first
        delay = max(0.0, min(now + self.debounce, first + self.max_wait) - now)
        handle = loop.call_later(delay, self._due, key)
        self._timers[key] = _Pending(work, first, handle)
        self._no_timers.clear()
        return True

    def cancel(self, key: str) -> bool:
        """Drop the item waiting under ``key`` in its debounce window, if any."""
        pending = self._timers.pop(key, None)
        if pending is None:
            return False
        pending.handle.cancel()
        self._settle()
        return True

    async def join(self) -> None:
        """Wait until every submitted item has run (for tests and orderly shutdown)."""
        while True:
            await self._no_timers.wait()
            await self._queue.join()
            if not self._timers:
                return

    async def close(self) -> None:
        """Stop accepting work, drop what has not started, and stop the worker.

        The item running now is cancelled with the worker; audits protect themselves with
        ``Service.audit`` (shielded and given a grace period), so only the waiting stops here.
        """
        self._closed = True
        for pending in self._timers.values():
            pending.handle.cancel()
        dropped = len(self._timers) + self._queue.qsize()
        self._timers.clear()
        self._settle()
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        self._queued.clear()
        if dropped:
            log.info("shutdown: dropped %d queued re-audit(s); the next nightly audit covers them", dropped)
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    def _due(self, key: str) -> None:
        pending = self._timers.pop(key, None)
        if pending is not None:
            self._enqueue(key, pending.work)
        self._settle()

    def _settle(self) -> None:
        if not self._timers:
            self._no_timers.set()

    def _enqueue(self, key: str, work: Work) -> None:
        if key in self._queued:
            log.debug("%s is already queued", key)
            return
        self._queued.add(key)
        self._queue.put_nowait((key, work))

    async def _run(self) -> None:
        while True:
            key, work = await self._queue.get()
            self._queued.discard(key)
            self.current = key
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The service keeps going: one failed re-audit must not stop the next.
                log.exception("background work %s failed", key)
            finally:
                self.current = None
                self._queue.task_done()
