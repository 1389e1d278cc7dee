""" "Audit now" from the console: audits run as background tasks on the service's event loop.

The page that starts an audit redirects at once to the job's page, which refreshes itself until the
run is stored and then sends the browser to the run's result page. Jobs live in memory: they are a
view of work in progress, the results themselves are in the store.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from zoomaudit.errors import ZoomAuditError
from zoomaudit.runner import Scope

log = logging.getLogger("zoomaudit.console")

JobState = Literal["running", "done", "failed"]
_KEEP = 50


@dataclass
class AuditJob:
    id: str
    scope: Scope
    started_by: str
    started_at: datetime
    state: JobState = "running"
    run_id: str | None = None
    finished_at: datetime | None = None
    message: str | None = None

    @property
    def label(self) -> str:
        if self.scope.kind == "meetings":
            return "meeting " + ", ".join(str(m) for m in self.scope.meeting_ids)
        return "the whole account"


class AuditJobs:
    """The audits started from the console in this process, newest last."""

    def __init__(self, actions: Any, clock: Callable[[], datetime]) -> None:
        self._actions = actions
        self._clock = clock
        self._jobs: dict[str, AuditJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, job_id: str) -> AuditJob | None:
        return self._jobs.get(job_id)

    def running(self) -> list[AuditJob]:
        return [job for job in self._jobs.values() if job.state == "running"]

    def start(self, scope: Scope, *, started_by: str) -> AuditJob:
        """Start an audit of ``scope`` (call on the event loop); an identical running audit is reused."""
        for job in self._jobs.values():
            if job.state == "running" and job.scope == scope:
                return job
        job = AuditJob(secrets.token_urlsafe(9), scope, started_by, self._clock())
        self._jobs[job.id] = job
        while len(self._jobs) > _KEEP:
            oldest = next(iter(self._jobs))
            if self._jobs[oldest].state == "running":
                break
            del self._jobs[oldest]
        task = asyncio.get_running_loop().create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _run(self, job: AuditJob) -> None:
        try:
            outcome = await self._actions.audit(job.scope)
        except ZoomAuditError as exc:
            job.state, job.message = "failed", str(exc)
        except Exception:
            log.exception("audit %s from the console failed", job.id)
            job.state, job.message = (
                "failed",
                "the audit stopped on an unexpected error (see the service log)",
            )
        else:
            job.state, job.run_id = "done", outcome.run_id
        job.finished_at = self._clock()

    async def wait_all(self) -> None:
        """Wait for every running audit (tests, and a graceful shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
