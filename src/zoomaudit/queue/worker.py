"""``zoomaudit worker``: a procrastinate worker running zoomaudit's jobs, and the recovery of the
jobs of workers that died.

A worker killed mid-job (SIGKILL, a lost machine) leaves its job ``doing`` in the queue, holding
its account's Zoom lock. Every worker writes a heartbeat; every live worker looks, every
``ZOOMAUDIT_WORKER_STALLED_CHECK_SECONDS``, for jobs of workers silent for
``ZOOMAUDIT_WORKER_STALLED_SECONDS`` and puts them back in the queue (procrastinate's
``get_stalled_jobs`` and ``retry_job``, as its documentation recommends). The job then runs again
on a live worker: an audit starts a new run and the dead worker's run is marked ``abandoned``
(the store knows its writer is gone); a fix the dead worker had claimed is released by the claim's
own heartbeat rule and applied once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import TYPE_CHECKING

from zoomaudit.queue.app import QueueTimings, load_timings, make_app, prepare_queue
from zoomaudit.queue.jobs import CONTEXT_KEY, QUEUE, AccountSettings, WorkerContext, every_account

if TYPE_CHECKING:
    import procrastinate

    from zoomaudit.settings import Settings

log = logging.getLogger(__name__)


async def recover_stalled(app: procrastinate.App, timings: QueueTimings) -> int:
    """Put back in the queue the running jobs of workers silent for ``stalled_after``; returns how
    many. Two workers may find the same job: the second one's retry fails and is ignored."""
    from procrastinate.exceptions import ProcrastinateException

    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=timings.stalled_after
    )
    recovered = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except ProcrastinateException as exc:
            log.debug("job %s was already recovered by another worker: %s", job.id, exc)
            continue
        recovered += 1
        log.warning(
            "job %s (%s) was running on a worker that stopped answering; it is back in the queue",
            job.id,
            job.task_name,
        )
    return recovered


async def _recovery_loop(app: procrastinate.App, timings: QueueTimings) -> None:
    while True:
        try:
            await recover_stalled(app, timings)
        except Exception:  # the database may be restarting: the next round tries again
            log.exception("stalled jobs could not be checked; trying again in %.0f s", timings.stalled_check)
        await asyncio.sleep(timings.stalled_check)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_worker(
    settings: Settings,
    *,
    concurrency: int = 1,
    settings_for: AccountSettings | None = None,
    timings: QueueTimings | None = None,
    install_signal_handlers: bool = True,
    several: bool = False,
) -> None:
    """Run jobs until stopped (SIGTERM or SIGINT: the running jobs finish first)."""
    from zoomaudit.store import Store

    timings = timings or load_timings()
    app = make_app(settings.database_url)  # a ConfigError for SQLite, before anything opens
    await asyncio.to_thread(prepare_queue, settings.database_url)
    store = await asyncio.to_thread(Store.from_settings, settings)
    work = WorkerContext(
        settings_for=settings_for or every_account(settings),
        store=store,
        database_url=settings.database_url,
        several=several,
    )
    try:
        async with app.open_async():
            recovery = asyncio.create_task(_recovery_loop(app, timings), name="zoomaudit-stalled-jobs")
            try:
                log.info("worker %s takes jobs from the queue (concurrency %d)", worker_name(), concurrency)
                await app.run_worker_async(
                    queues=[QUEUE],
                    name=worker_name(),
                    concurrency=concurrency,
                    wait=True,
                    fetch_job_polling_interval=timings.poll,
                    update_heartbeat_interval=timings.heartbeat,
                    stalled_worker_timeout=timings.stalled_after,
                    additional_context={CONTEXT_KEY: work},
                    install_signal_handlers=install_signal_handlers,
                )
            finally:
                recovery.cancel()
                await asyncio.gather(recovery, return_exceptions=True)
    finally:
        await work.aclose()
        store.close()
