"""One active scheduler among several: ``zoomaudit serve --role scheduler``.

Two scheduler processes firing the same APScheduler jobs would queue every nightly audit twice.
So a scheduler first takes a PostgreSQL advisory lock on a connection of its own
(``store.queue_db.SchedulerLock``); the one that holds it starts APScheduler, the others stand by
and try again every ``ZOOMAUDIT_SCHEDULER_CHECK_SECONDS``. The active one checks as often that it
still holds the lock: if its connection died (the database restarted, the network failed), the
lock went with it, so it stops its scheduler and stands by in turn. If its process dies, the
server ends its session and the lock is free for a standby.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoomaudit.settings import Settings
    from zoomaudit.store.queue_db import SchedulerLock

log = logging.getLogger(__name__)


class SchedulerLeader:
    """Runs ``lead()`` while this process holds the scheduler lock and ``step_down()`` when it
    loses it; stands by otherwise. ``leading`` is set while it leads (tests wait on it)."""

    def __init__(
        self,
        lock: SchedulerLock,
        *,
        check_every: float,
        lead: Callable[[], Awaitable[None]],
        step_down: Callable[[], Awaitable[None]],
        rejoin_after: float | None = None,
    ) -> None:
        self.lock = lock
        self.check_every = check_every
        self.rejoin_after = 3 * check_every if rejoin_after is None else rejoin_after
        """After losing the lock, how long to wait before trying again: a standby, which tries every
        ``check_every``, takes over first (a scheduler whose connection fails should hand over)."""
        self._lead = lead
        self._step_down = step_down
        self.leading = asyncio.Event()
        self.standing_by = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: take the lock when free, lead while it is held."""
        try:
            while not stop.is_set():
                if await asyncio.to_thread(self.lock.try_acquire):
                    await self._hold(stop)
                    self.standing_by.set()
                    await _wait(stop, self.rejoin_after)
                else:
                    self.standing_by.set()
                    await _wait(stop, self.check_every)
        finally:
            await asyncio.to_thread(self.lock.release)

    async def _hold(self, stop: asyncio.Event) -> None:
        self.standing_by.clear()
        log.info("this scheduler holds the lock: it is the active one")
        self.leading.set()
        try:
            await self._lead()
            while not stop.is_set():
                await _wait(stop, self.check_every)
                if not stop.is_set() and not await asyncio.to_thread(self.lock.held):
                    log.warning("the scheduler lock was lost (its connection ended); standing by")
                    break
        finally:
            self.leading.clear()
            await self._step_down()
            await asyncio.to_thread(self.lock.release)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_scheduler_role(
    settings: Settings, stop: asyncio.Event | None = None, accounts: Mapping[str, Settings] | None = None
) -> None:
    """``serve --role scheduler``: APScheduler as the clock, its Zoom jobs put on the work queue,
    active only while it holds the scheduler lock. Stops on SIGTERM or SIGINT (or ``stop``).
    ``accounts`` (the accounts file's, Settings by name): one nightly audit per account, on the
    account's own schedule and time zone."""
    from zoomaudit.queue.app import load_timings, make_app, prepare_queue
    from zoomaudit.queue.enqueue import JobQueue
    from zoomaudit.service import scheduler as sched
    from zoomaudit.service import wiring
    from zoomaudit.service.context import Service, set_current
    from zoomaudit.store.queue_db import SchedulerLock

    timings = load_timings()
    app = make_app(settings.database_url)
    lock = SchedulerLock(settings.database_url)
    await asyncio.to_thread(prepare_queue, settings.database_url)
    stop = stop or _stop_on_signals()
    store = await asyncio.to_thread(wiring.open_store, settings)
    service = Service(settings=settings, runner=wiring.real_runner(), store=store, accounts=accounts)

    async def lead() -> None:
        service.scheduler = sched.start_scheduler(settings, accounts)
        sched.log_next_runs(service.scheduler, accounts)
        service.replan_checks(starting=True)

    async def step_down() -> None:
        if service.scheduler is not None:
            await sched.stop_scheduler(service.scheduler)
            service.scheduler = None

    try:
        async with app.open_async():
            service.queue = JobQueue(app)
            set_current(service)
            leader = SchedulerLeader(
                lock, check_every=timings.scheduler_check, lead=lead, step_down=step_down
            )
            await leader.run(stop)
    finally:
        set_current(None)
        store.close()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
