"""A worker killed mid-audit: its job is run again by another worker, the dead worker's run is
marked abandoned, no fix is applied twice and nothing is lost. Real processes, a real PostgreSQL,
the sandbox over loopback HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.queue.conftest import eventually
from zoomaudit.queue.app import make_app
from zoomaudit.queue.enqueue import JobQueue
from zoomaudit.sandbox import SandboxOptions, start_sandbox
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.store import Store
from zoomaudit.store.queue_db import queue_conninfo

# A dead worker is noticed within about a second: its heartbeat stops, and after
# STALLED seconds of silence a live worker puts its job back (checked every 0.2 s).
FAST_QUEUE = {
    "ZOOMAUDIT_WORKER_HEARTBEAT_SECONDS": "0.2",
    "ZOOMAUDIT_WORKER_STALLED_SECONDS": "1",
    "ZOOMAUDIT_WORKER_STALLED_CHECK_SECONDS": "0.2",
    "ZOOMAUDIT_WORKER_POLL_SECONDS": "0.2",
}


@pytest.fixture
def slow_sandbox() -> Iterator[RunningSandbox]:
    # Each answer takes 150 ms, so the audit takes seconds: long enough to be killed mid-way.
    with start_sandbox(options=SandboxOptions(rate_limits=False, latency_ms=150)) as running:
        yield running


def _defer_audit(url: str) -> int:
    async def defer() -> int | None:
        async with make_app(url).open_async() as app:
            return await JobQueue(app).audit("default", "scheduled", fix_mode="auto")

    job_id = asyncio.run(defer())
    assert job_id is not None
    return job_id


def _job_status(url: str, job_id: int) -> str:
    with psycopg.connect(queue_conninfo(url)) as connection:
        row = connection.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", (job_id,)).fetchone()
    assert row is not None
    return str(row[0])


def _start_worker(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "zoomaudit", "worker"],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)


def test_a_job_of_a_killed_worker_is_retried_once_elsewhere_and_its_run_abandoned(
    slow_sandbox: RunningSandbox, queue_url: str, tmp_path: Path
) -> None:
    # Both workers share the working directory, so the install key (zoomaudit.key) too.
    env = {**os.environ, **slow_sandbox.env(), **FAST_QUEUE, "ZOOMAUDIT_DATABASE_URL": queue_url}
    job_id = _defer_audit(queue_url)
    store = Store(queue_url)
    first = _start_worker(env, tmp_path, tmp_path / "worker-1.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        [started] = eventually(lambda: store.list_runs(include_abandoned=True), "the first worker's run")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        [killed] = store.list_runs(include_abandoned=True)
        assert killed.status == "running", "the worker was meant to die mid-audit"
        assert _job_status(queue_url, job_id) == "doing"
        slow_sandbox.options.latency_ms = 0  # the retry need not be slow

        second = _start_worker(env, tmp_path, tmp_path / "worker-2.log")
        eventually(
            lambda: _job_status(queue_url, job_id) in ("succeeded", "failed"),
            "the second worker to finish the job",
        )
        log = (tmp_path / "worker-2.log").read_text(errors="replace")
        assert _job_status(queue_url, job_id) == "succeeded", log[-3000:]
        assert "back in the queue" in log

        runs = {run.id: run for run in store.list_runs(include_abandoned=True)}
        assert len(runs) == 2
        assert runs[started.id].status == "abandoned"
        assert not runs[started.id].complete
        [retried] = [run for run in runs.values() if run.id != started.id]
        assert retried.complete

        applied = Counter(e.fix_id for e in store.fixes.events() if e.to_status == "applied")
        assert applied, "the audit was meant to apply fixes (fix mode auto)"
        assert max(applied.values()) == 1, f"a fix was applied twice: {applied}"
        unsettled = store.fixes.find(statuses=("approved",))
        assert unsettled == [], "a fix was left half-applied"
    finally:
        store.close()
        _stop(first)
        if second is not None:
            _stop(second)
