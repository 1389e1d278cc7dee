"""A worker with an accounts file: it audits each account's jobs on that account's own Zoom, and
a job naming an account the file does not have fails once, with a clear message, and is not
retried. A real worker process, a real PostgreSQL, two sandboxes over loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.queue.conftest import eventually
from tests.several_accounts import two_sandboxes, write_accounts_file
from zoomaudit.queue.app import make_app
from zoomaudit.queue.enqueue import JobQueue
from zoomaudit.store import Store
from zoomaudit.store.queue_db import queue_conninfo

FAST_QUEUE = {
    "ZOOMAUDIT_WORKER_HEARTBEAT_SECONDS": "0.2",
    "ZOOMAUDIT_WORKER_STALLED_SECONDS": "1",
    "ZOOMAUDIT_WORKER_STALLED_CHECK_SECONDS": "0.2",
    "ZOOMAUDIT_WORKER_POLL_SECONDS": "0.2",
}
SETTLED = ("succeeded", "failed")


def _defer_audits(url: str, accounts: list[str]) -> dict[str, int]:
    async def defer() -> dict[str, int]:
        ids = {}
        async with make_app(url).open_async() as app:
            for account in accounts:
                job_id = await JobQueue(app).audit(account, "manual")
                assert job_id is not None
                ids[account] = job_id
        return ids

    return asyncio.run(defer())


def _jobs(url: str, ids: dict[str, int]) -> dict[str, tuple[str, int]]:
    """Each account's job: (status, attempts)."""
    with psycopg.connect(queue_conninfo(url)) as connection:
        rows = connection.execute(
            "SELECT id, status, attempts FROM procrastinate_jobs WHERE id = ANY(%s)", (list(ids.values()),)
        ).fetchall()
    by_id = {row[0]: (str(row[1]), int(row[2])) for row in rows}
    return {account: by_id[job_id] for account, job_id in ids.items()}


def test_a_worker_audits_the_jobs_of_two_accounts_each_on_its_own_zoom(
    queue_url: str, tmp_path: Path
) -> None:
    with two_sandboxes() as (riverside, hillside):
        accounts = write_accounts_file(tmp_path, riverside, hillside)
        env = {
            **os.environ,
            **accounts.environ,
            **FAST_QUEUE,
            "ZOOMAUDIT_ACCOUNTS": str(accounts.file),
            "ZOOMAUDIT_DATABASE_URL": queue_url,
        }
        ids = _defer_audits(queue_url, ["riverside", "hillside", "nowhere"])
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "zoomaudit", "worker", "--concurrency", "2"],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            jobs = eventually(
                lambda: (lambda seen: seen if all(s in SETTLED for s, _ in seen.values()) else None)(
                    _jobs(queue_url, ids)
                ),
                "the worker to settle the three jobs",
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        text = log.read_text(errors="replace")
        assert jobs["riverside"] == ("succeeded", 1), text[-3000:]
        assert jobs["hillside"] == ("succeeded", 1), text[-3000:]
        # An account the file does not have: failed at once, never tried again.
        assert jobs["nowhere"] == ("failed", 1), text[-3000:]
        assert "no account named 'nowhere'" in text
        assert "its accounts: riverside, hillside" in text
        # Each account's audit read its own Zoom, with its own credentials.
        assert riverside.log.matching("GET", "/v2/users")
        assert hillside.log.matching("GET", "/v2/users")
        assert riverside.client_secret not in text
        assert hillside.client_secret not in text

    store = Store(queue_url)
    try:
        runs = store.list_runs(include_abandoned=True)
    finally:
        store.close()
    assert len(runs) == 2
    assert all(run.complete for run in runs)
