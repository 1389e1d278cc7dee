"""Putting work on the queue: what the scheduler's jobs and the web process do in queue mode.

Every job that talks to Zoom carries the lock ``zoom:<account>``. Audits also carry a queueing
lock, so the same audit is never waiting twice: a nightly audit still waiting when the next fires,
or a webhook re-audit of a meeting already waiting, is not queued again (``AlreadyEnqueued`` is
logged and the call returns None).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import zoomaudit.queue.jobs as jobs
from zoomaudit.queue.jobs import QUEUE
from zoomaudit.vocabulary import Scope, Trigger, scope_detail

if TYPE_CHECKING:
    import procrastinate

log = logging.getLogger(__name__)


def _scope_key(scope: Scope) -> str:
    detail = scope_detail(scope)
    if detail["meeting_ids"]:
        return "meetings:" + ",".join(str(m) for m in detail["meeting_ids"])
    if detail["users"]:
        return "users:" + ",".join(str(u) for u in detail["users"])
    return "account"


class JobQueue:
    """Defers zoomaudit's jobs on an open procrastinate App; each method returns the job id, or
    None when the same job is already waiting."""

    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def _defer(
        self, task: str, *, lock: str | None, queueing_lock: str | None, **args: Any
    ) -> int | None:
        from procrastinate.exceptions import AlreadyEnqueued

        try:
            job_id = await self.app.configure_task(
                task, queue=QUEUE, lock=lock, queueing_lock=queueing_lock
            ).defer_async(**args)
        except AlreadyEnqueued:
            log.info("%s not queued: the same job is already waiting (%s)", task, queueing_lock)
            return None
        log.info("queued %s (job %d) for %s", task, job_id, args.get("account"))
        return int(job_id)

    async def audit(
        self, account: str, trigger: Trigger, scope: Scope | None = None, *, fix_mode: str | None = None
    ) -> int | None:
        from zoomaudit.vocabulary import AccountScope

        scope = scope or AccountScope()
        detail = scope_detail(scope)
        return await self._defer(
            jobs.AUDIT,
            lock=jobs.zoom_lock(account),
            queueing_lock=f"audit:{account}:{trigger}:{_scope_key(scope)}",
            account=account,
            trigger=trigger,
            meeting_ids=list(detail["meeting_ids"]) or None,
            users=list(detail["users"]) or None,
            fix_mode=fix_mode,
        )

    async def pre_session(
        self,
        account: str,
        meeting_id: int,
        occurrence_id: str | None,
        start_time: str,
        timezone: str | None,
        lead: int,
    ) -> int | None:
        return await self._defer(
            jobs.PRE_SESSION,
            lock=jobs.zoom_lock(account),
            queueing_lock=f"check:{account}:{meeting_id}:{occurrence_id or '-'}:{lead}",
            account=account,
            meeting_id=meeting_id,
            occurrence_id=occurrence_id,
            start_time=start_time,
            timezone=timezone,
            lead=lead,
        )

    async def apply_fixes(self, account: str, fix_ids: list[str] | None, *, actor: str) -> int | None:
        """Apply the fixes named (approved by ``actor``), or every deferred fix when None."""
        waiting = None if fix_ids else f"deferred-fixes:{account}"
        return await self._defer(
            jobs.APPLY_FIXES,
            lock=jobs.zoom_lock(account),
            queueing_lock=waiting,
            account=account,
            fix_ids=fix_ids,
            actor=actor,
        )

    async def notify(self, account: str, kind: str, **details: Any) -> int | None:
        waiting = f"notify-retry:{account}" if kind == "retry" else None
        return await self._defer(
            jobs.NOTIFY, lock=None, queueing_lock=waiting, account=account, kind=kind, **details
        )

    async def forget_finished(self, days: int) -> None:
        """Delete the queue's finished jobs older than ``days`` (the nightly prune): what a job did
        is in the store (runs, fix trail, notification log); the queue's row is bookkeeping."""
        await self.app.job_manager.delete_old_jobs(
            nb_hours=days * 24, queue=QUEUE, include_failed=True, include_cancelled=True, include_aborted=True
        )
