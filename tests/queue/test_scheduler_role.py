"""`serve --role scheduler`: APScheduler starts once the lock is held, its jobs are stored in the
database, and a job that fires is put on the queue for the workers."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
import pytest

from tests.queue.conftest import PATIENCE_SECONDS
from zoomaudit.queue import jobs
from zoomaudit.service import scheduler as sched
from zoomaudit.service.context import current
from zoomaudit.service.leader import run_scheduler_role
from zoomaudit.settings import load_settings
from zoomaudit.store.queue_db import queue_conninfo


def test_the_scheduler_role_leads_and_queues_the_nightly_audit(
    queue_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_SCHEDULER_CHECK_SECONDS", "0.1")
    settings = load_settings(ZOOMAUDIT_DATABASE_URL=queue_url)

    async def scenario() -> None:
        stop = asyncio.Event()
        role = asyncio.create_task(run_scheduler_role(settings, stop))
        deadline = time.monotonic() + PATIENCE_SECONDS
        while sched.next_run(_scheduler_or_none()) is None:
            assert not role.done(), role.exception()
            assert time.monotonic() < deadline, "the scheduler never started"
            await asyncio.sleep(0.05)
        await sched.nightly_audit_job()  # as APScheduler fires it
        stop.set()
        await asyncio.wait_for(role, timeout=PATIENCE_SECONDS)

    asyncio.run(scenario())
    stored = sched.stored_jobs(queue_url)
    assert stored is not None
    assert sched.NIGHTLY_JOB_ID in {job.id for job in stored}
    with psycopg.connect(queue_conninfo(queue_url)) as connection:
        rows = connection.execute("SELECT task_name, lock, args FROM procrastinate_jobs").fetchall()
    assert [(name, lock) for name, lock, _ in rows] == [(jobs.AUDIT, "zoom:default")]
    assert rows[0][2]["trigger"] == "scheduled"


def _scheduler_or_none() -> Any:
    try:
        return current().scheduler
    except RuntimeError:
        return None
