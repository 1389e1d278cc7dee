"""The Zoom lane of ``zoomaudit serve``: one Zoom client and one turn for all of the service's Zoom work.

A ``ZoomClient`` carries the rate budget (one token bucket per Zoom category, sized by plan x
``ZOOMAUDIT_RATE_SHARE``) and the ledger of daily limits Zoom has reported. Two clients would
spend the account's share twice and each learn of a daily limit on its own. So the service owns
one lane for its lifetime, and every piece of its Zoom work goes through it:

- **jobs take turns**: nightly, webhook and console audits, retries of deferred fixes, console
  approvals and reverts each run with ``await lane.run(label, work)``, one at a time in the order
  they asked, each handed the lane's client;
- **lookups share the budget**: short reads the console needs to draw a page (the group list of
  the meeting filter) use ``lane.client`` without waiting for a turn, so a page never waits an
  hour for the nightly audit, yet their requests are paced by the same buckets.

The client is made on first use and closed once, by ``aclose`` at shutdown, after ``drain``.
A job in its turn is shielded: cancelling its caller (a console request, the dispatcher, the
scheduler) does not cancel it; ``drain`` decides its fate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from zoomaudit.errors import ZoomUnavailable

if TYPE_CHECKING:
    from zoomaudit.settings import Settings
    from zoomaudit.zoom.client import ZoomClient

log = logging.getLogger(__name__)

T = TypeVar("T")

ClientFactory = Callable[[], "ZoomClient"]
"""Makes the lane's one client (tests pass one over the sandbox or a counting transport)."""
SharedTurn = Callable[[], AbstractAsyncContextManager[None]]
"""The account's turn across processes (``store.queue_db.zoom_turn``), taken inside the lane's own."""


def _real_client(settings: Settings) -> ClientFactory:
    def make() -> ZoomClient:
        from zoomaudit.zoom.client import ZoomClient

        return ZoomClient(settings)

    return make


class ZoomLane:
    """One client, one turn. ``run`` for jobs, ``client`` for page lookups, ``drain`` and
    ``aclose`` at shutdown."""

    def __init__(self, settings: Settings, *, make_client: ClientFactory | None = None) -> None:
        self._make_client = make_client or _real_client(settings)
        self._client: ZoomClient | None = None
        self._closed = False
        self._turn = asyncio.Lock()
        self.running: str | None = None
        """What holds the turn now, e.g. "webhook audit of meeting:123"."""
        self._running_task: asyncio.Task[Any] | None = None
        self.shared_turn: SharedTurn | None = None
        """Set in queue mode (``serve --role web``): each job also waits for the account's turn
        across processes, so it never talks to Zoom beside a worker's job of the same account."""
        self.tasks: set[asyncio.Task[Any]] = set()
        """Jobs running or waiting for their turn."""

    @property
    def client(self) -> ZoomClient:
        """The lane's client, made on first use; its requests spend the lane's one budget."""
        if self._closed:
            raise ZoomUnavailable("the service is shutting down; Zoom is no longer called")
        if self._client is None:
            self._client = self._make_client()
        return self._client

    @property
    def waiting(self) -> int:
        """Jobs waiting for their turn."""
        return len(self.tasks) - (1 if self.running is not None else 0)

    async def run(self, label: str, work: Callable[[ZoomClient], Awaitable[T]]) -> T:
        """Run ``work(client)`` when no other job holds the turn; tracked for ``drain``."""

        async def in_turn() -> T:
            async with self._turn:
                client = self.client
                self.running, self._running_task = label, asyncio.current_task()
                log.info("%s started", label)
                try:
                    shared = self.shared_turn() if self.shared_turn else contextlib.nullcontext()
                    async with shared:
                        return await work(client)
                finally:
                    self.running, self._running_task = None, None

        if self.running is not None:
            log.info("%s waits for the %s to finish", label, self.running)
        task = asyncio.ensure_future(in_turn())
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return await asyncio.shield(task)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved here; the awaiting caller, if still there, reports it

    async def drain(self, grace: float) -> None:
        """Cancel jobs still waiting for their turn; give the running one ``grace`` seconds, then
        cancel it too (an audit's run is then stored as failed, never complete)."""
        current = self._running_task
        waiting = [task for task in self.tasks if task is not current]
        if waiting:
            log.info("shutdown: %d job(s) waiting for their turn will not run", len(waiting))
            for task in waiting:
                task.cancel()
            await asyncio.wait(waiting, timeout=10.0)
        if current is None or current.done():
            return
        log.info("shutdown: waiting up to %.1f s for the %s", grace, self.running)
        _, unfinished = await asyncio.wait({current}, timeout=grace)
        if unfinished:
            log.warning("shutdown: cancelling the %s; an audit's run is stored as failed", self.running)
            current.cancel()
            await asyncio.wait({current}, timeout=10.0)
        elif not current.cancelled() and current.exception() is not None:
            log.warning("the job running at shutdown ended with an error: %s", current.exception())

    async def aclose(self) -> None:
        """Close the client (once); the lane takes no more work."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
