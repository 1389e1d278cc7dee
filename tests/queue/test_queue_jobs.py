"""What goes on the queue, and how: one Zoom job per account at a time, an audit never waiting
twice, and the scheduler's jobs enqueued (not run) in queue mode."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import procrastinate
import pytest

from zoomaudit.queue import jobs
from zoomaudit.queue.app import QUEUE, make_app
from zoomaudit.queue.enqueue import JobQueue
from zoomaudit.service import scheduler as sched
from zoomaudit.service.context import Service, set_current
from zoomaudit.service.presession import PlannedCheck
from zoomaudit.settings import load_settings
from zoomaudit.vocabulary import MeetingsScope


def on_queue(url: str, scenario: Callable[[procrastinate.App, JobQueue], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        async with make_app(url).open_async() as app:
            return await scenario(app, JobQueue(app))

    return asyncio.run(run())


def test_one_zoom_job_per_account_runs_at_a_time_and_other_accounts_beside_it(queue_url: str) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[tuple[str, Any]]:
        await queue.audit("riverside", "scheduled")
        await queue.apply_fixes("riverside", ["fx-1"], actor="alice")
        await queue.audit("hillside", "scheduled")
        worker = await app.job_manager.register_worker()
        taken = []
        while (job := await app.job_manager.fetch_job([QUEUE], worker)) is not None:
            taken.append((job.task_name, job.task_kwargs["account"]))
        return taken

    taken = on_queue(queue_url, scenario)
    # The fix approval of riverside waits: riverside's audit holds zoom:riverside.
    assert taken == [(jobs.AUDIT, "riverside"), (jobs.AUDIT, "hillside")]


def test_the_same_audit_is_not_queued_twice_while_it_waits(queue_url: str) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[int | None]:
        return [
            await queue.audit("default", "scheduled"),
            await queue.audit("default", "scheduled"),
            await queue.audit("default", "webhook", MeetingsScope.of(123)),
            await queue.audit("default", "webhook", MeetingsScope.of(123)),
            await queue.audit("default", "webhook", MeetingsScope.of(456)),
        ]

    first, again, meeting, meeting_again, other = on_queue(queue_url, scenario)
    assert first is not None
    assert meeting is not None
    assert other is not None
    assert again is None
    assert meeting_again is None


def test_jobs_carry_the_account_lock_and_plain_arguments(queue_url: str) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[Any]:
        await queue.pre_session("riverside", 123, None, "2026-12-05T10:00:00+00:00", "UTC", 15)
        await queue.notify("riverside", "retry")
        return list(await app.job_manager.list_jobs_async())

    check, notice = sorted(on_queue(queue_url, scenario), key=lambda job: job.id)
    assert check.lock == "zoom:riverside"
    assert check.task_kwargs == {
        "account": "riverside",
        "meeting_id": 123,
        "occurrence_id": None,
        "start_time": "2026-12-05T10:00:00+00:00",
        "timezone": "UTC",
        "lead": 15,
    }
    assert notice.lock is None, "sending mail does not hold the account's Zoom budget"


def refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the scheduler ran a Zoom job itself in queue mode")


@pytest.mark.parametrize(
    ("job", "task"),
    [
        (sched.nightly_audit_job, jobs.AUDIT),
        (sched.deferred_fixes_job, jobs.APPLY_FIXES),
        (sched.notify_retry_job, jobs.NOTIFY),
    ],
)
def test_in_queue_mode_the_scheduler_queues_its_jobs_instead_of_running_them(
    queue_url: str, job: Callable[[], Awaitable[None]], task: str
) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[Any]:
        service = Service(settings=load_settings(), runner=refuse)
        service.queue = queue
        set_current(service)
        try:
            await job()
        finally:
            set_current(None)
        return list(await app.job_manager.list_jobs_async())

    [queued] = on_queue(queue_url, scenario)
    assert queued.task_name == task
    assert queued.task_kwargs["account"] == "default"


def test_a_pre_session_check_is_queued_with_its_arguments(queue_url: str) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[Any]:
        service = Service(settings=load_settings(), runner=refuse)
        service.queue = queue
        set_current(service)
        try:
            await sched.pre_session_job(77, "1700000000000", "2026-12-05T10:00:00+00:00", "Europe/London", 30)
        finally:
            set_current(None)
        return list(await app.job_manager.list_jobs_async())

    [queued] = on_queue(queue_url, scenario)
    assert queued.task_name == jobs.PRE_SESSION
    assert queued.task_kwargs["meeting_id"] == 77
    assert queued.task_kwargs["lead"] == 30


def test_the_nightly_prune_forgets_finished_jobs_and_keeps_waiting_ones(queue_url: str) -> None:
    from procrastinate.jobs import Status

    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[tuple[str, str]]:
        await queue.audit("riverside", "scheduled")
        await queue.audit("hillside", "scheduled")
        worker = await app.job_manager.register_worker()
        done = await app.job_manager.fetch_job([QUEUE], worker)
        assert done is not None
        await app.job_manager.finish_job(done, Status.SUCCEEDED, delete_job=False)
        await queue.forget_finished(0)
        return [
            (job.task_kwargs["account"], str(job.status)) for job in await app.job_manager.list_jobs_async()
        ]

    assert on_queue(queue_url, scenario) == [("hillside", "todo")]


def test_in_queue_mode_each_accounts_nightly_job_queues_that_accounts_audit(queue_url: str) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[Any]:
        accounts = {name: load_settings() for name in ("riverside", "hillside")}
        service = Service(settings=load_settings(), runner=refuse, accounts=accounts)
        service.queue = queue
        set_current(service)
        try:
            await sched.nightly_audit_job("hillside")
            await sched.notify_retry_job()
        finally:
            set_current(None)
        return sorted(await app.job_manager.list_jobs_async(), key=lambda job: job.id)

    audit, *retries = on_queue(queue_url, scenario)
    assert (audit.task_name, audit.lock, audit.task_kwargs["account"]) == (
        jobs.AUDIT,
        "zoom:hillside",
        "hillside",
    )
    # Each account's notifier retries its own channels' deliveries.
    assert [(job.task_name, job.task_kwargs["account"]) for job in retries] == [
        (jobs.NOTIFY, "riverside"),
        (jobs.NOTIFY, "hillside"),
    ]


NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_in_queue_mode_a_pre_session_check_is_queued_for_its_own_account(queue_url: str) -> None:
    async def scenario(app: procrastinate.App, queue: JobQueue) -> list[Any]:
        accounts = {name: load_settings() for name in ("riverside", "hillside")}
        service = Service(settings=load_settings(), runner=refuse, accounts=accounts)
        service.queue = queue
        set_current(service)
        try:
            check = PlannedCheck(
                77, None, datetime(2026, 12, 5, 10, 0, tzinfo=UTC), None, 30, NOW, "hillside"
            )
            await sched.pre_session_job(*check.args)
            # A check planned before the accounts file (no account: the single one's) is not queued
            # on any account's client: this service has no account "default".
            await sched.pre_session_job(*PlannedCheck(78, None, check.start_time, None, 30, NOW).args)
        finally:
            set_current(None)
        return list(await app.job_manager.list_jobs_async())

    [queued] = on_queue(queue_url, scenario)
    assert (queued.task_name, queued.lock) == (jobs.PRE_SESSION, "zoom:hillside")
    assert (queued.task_kwargs["account"], queued.task_kwargs["meeting_id"]) == ("hillside", 77)
