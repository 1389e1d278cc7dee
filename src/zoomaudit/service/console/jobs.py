"""Long work started from the console, run as background tasks on the service's event loop.

Three kinds: "Audit now" (one meeting or the whole account), bulk approval of a policy's fixes
(each fix is re-read, applied and verified in turn, which takes a while on a large account), and
an approval or revert of one fix asked for while the service's Zoom lane is busy (it waits for
its turn behind the running audit; the page says so). The page that starts the work redirects at
once to the job's page, which refreshes itself until the work is done. Jobs live in memory: they
are a view of work in progress; the results themselves (runs, fix statuses, the trail) are in
the store.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from zoomaudit.errors import ZoomAuditError
from zoomaudit.vocabulary import FixStatus, Scope

log = logging.getLogger("zoomaudit.console")

JobState = Literal["running", "done", "failed"]
JobKind = Literal["audit", "approval", "revert"]
_KEEP = 50


@dataclass(frozen=True)
class FixOutcome:
    fix_id: str
    status: str
    message: str = ""


@dataclass
class Job:
    id: str
    kind: JobKind
    label: str
    started_by: str
    started_at: datetime
    scope: Scope | None = None
    """What an audit job audits."""
    fix_ids: tuple[str, ...] = ()
    """What an approval job approves."""
    state: JobState = "running"
    run_id: str | None = None
    finished_at: datetime | None = None
    message: str | None = None
    outcomes: list[FixOutcome] = field(default_factory=list)
    waiting: bool = False
    """Waiting for its turn in the service's Zoom lane (another job is using Zoom)."""
    accounts: tuple[str, ...] = ()
    """The Zoom accounts the job's work touches: only a console user who may see every one of
    them sees the job (its page, its place in the lists); none named, only unlimited users."""

    def visible_to(self, may_see: Callable[[str], bool], *, unlimited: bool) -> bool:
        """Whether a console user (``may_see`` its account test; ``unlimited``: it is limited to
        no accounts) may see this job."""
        return all(may_see(a) for a in self.accounts) if self.accounts else unlimited

    @property
    def tally(self) -> list[tuple[str, int]]:
        """How many fixes ended in each status, most first."""
        return Counter(o.status for o in self.outcomes).most_common()

    @property
    def not_applied(self) -> list[FixOutcome]:
        """Outcomes other than the one asked for (applied, or reverted for a revert)."""
        wanted = FixStatus.REVERTED if self.kind == "revert" else FixStatus.APPLIED
        return [o for o in self.outcomes if o.status != wanted]


def describe(scope: Scope) -> str:
    if scope.kind == "meetings":
        return "meeting " + ", ".join(str(m) for m in scope.meeting_ids)
    return "the whole account"


class Jobs:
    """The jobs started from the console in this process, oldest first."""

    def __init__(self, actions: Any, clock: Callable[[], datetime]) -> None:
        self._actions = actions
        self._clock = clock
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def running(self, kind: JobKind | None = None) -> list[Job]:
        return [j for j in self._jobs.values() if j.state == "running" and kind in (None, j.kind)]

    def start_audit(
        self, scope: Scope, *, started_by: str, account: str | None = None, accounts: tuple[str, ...] = ()
    ) -> Job:
        """Audit ``scope`` of ``account`` (None: the service's one account; call on the event
        loop); an identical running audit is reused. ``accounts``: see ``Job.accounts``."""
        label = describe(scope) if account is None else f"{describe(scope)} of {account}"
        for job in self.running("audit"):
            if job.scope == scope and job.label == label:
                return job
        job = self._new("audit", label, started_by, scope=scope, accounts=accounts)

        async def work() -> None:
            outcome = await (
                self._actions.audit(scope) if account is None else self._actions.audit(scope, account)
            )
            job.run_id = outcome.run_id

        return self._launch(job, work)

    def start_approval(
        self, fix_ids: list[str], *, label: str, actor: str, note: str | None, accounts: tuple[str, ...] = ()
    ) -> Job:
        """Approve ``fix_ids`` one after the other as ``actor``, recording each outcome as it
        comes. ``accounts``: those of the fixes (``Job.accounts``)."""
        job = self._new("approval", label, actor, fix_ids=tuple(fix_ids), accounts=accounts)

        async def work() -> None:
            await self._actions.approve(
                fix_ids, actor=actor, note=note, on_result=_recorder(job), on_turn=_turn(job)
            )

        return self._launch(job, work)

    def start_revert(self, fix_id: str, *, actor: str, accounts: tuple[str, ...] = ()) -> Job:
        """Revert ``fix_id`` as ``actor`` when the Zoom lane is free; the outcome is the job's.
        ``accounts``: the fix's (``Job.accounts``)."""
        job = self._new("revert", f"fix {fix_id}", actor, fix_ids=(fix_id,), accounts=accounts)

        async def work() -> None:
            _recorder(job)(await self._actions.revert(fix_id, actor=actor, on_turn=_turn(job)))

        return self._launch(job, work)

    def _new(self, kind: JobKind, label: str, started_by: str, **fields: Any) -> Job:
        job = Job(secrets.token_urlsafe(9), kind, label, started_by, self._clock(), **fields)
        self._jobs[job.id] = job
        for old in list(self._jobs):
            if len(self._jobs) <= _KEEP:
                break
            if self._jobs[old].state != "running":
                del self._jobs[old]
        return job

    def _launch(self, job: Job, work: Callable[[], Awaitable[None]]) -> Job:
        job.waiting = job.kind != "audit" and bool(getattr(self._actions, "zoom_busy", None))

        async def run() -> None:
            try:
                await work()
            except ZoomAuditError as exc:
                job.state, job.message = "failed", str(exc)
            except Exception:
                log.exception("console %s job %s failed", job.kind, job.id)
                job.state, job.message = "failed", "it stopped on an unexpected error (see the service log)"
            else:
                job.state = "done"
            job.finished_at = self._clock()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def wait_all(self) -> None:
        """Wait for every running job (tests, and a graceful shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _recorder(job: Job) -> Callable[[Any], None]:
    def record(result: Any) -> None:
        job.outcomes.append(
            FixOutcome(str(result.fix_id), str(result.status), str(getattr(result, "message", "") or ""))
        )

    return record


def _turn(job: Job) -> Callable[[], None]:
    def started() -> None:
        job.waiting = False

    return started
