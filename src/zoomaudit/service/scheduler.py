"""The nightly audit and the deferred-fix retry on APScheduler 3.x, jobs kept in zoomaudit's database.

The job store (table ``apscheduler_jobs``) holds each job's trigger and next run time, so both
survive restarts: a job whose time passed while the service was down runs once at start if it
is within its misfire grace time. At start the configured jobs are reconciled with the stored ones:
an unchanged trigger keeps the stored next run time; a changed ``ZOOMAUDIT_SCHEDULE`` or
``ZOOMAUDIT_TIMEZONE`` replaces the trigger and recomputes it.

With an accounts file each account has its own nightly audit (``nightly-audit:<name>``, on the
account's ``schedule`` and ``timezone``) and its own retry of deferred fixes
(``deferred-fixes:<name>``); the job's one argument is the account's name, a plain value. An
account removed from the file loses its jobs at the next start. One plan job plans every
account's pre-session checks (presession.py), each check's job naming its account.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from zoomaudit.errors import ConfigError, StoreError
from zoomaudit.service.context import current

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.base import BaseTrigger
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from zoomaudit.settings import Settings

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
NIGHTLY_JOB_ID = "nightly-audit"
DEFERRED_JOB_ID = "deferred-fixes"
PRUNE_JOB_ID = "prune"
NIGHTLY_MISFIRE_GRACE = 4 * 3600
"""A nightly audit missed while the service was down still runs if it restarts within 4 hours."""
DEFERRED_MISFIRE_GRACE = 12 * 3600
"""Zoom's per-host quota is daily (reset 00:00 UTC): a late retry the same day still helps."""
PRUNE_MISFIRE_GRACE = 12 * 3600
"""A prune missed while the service was down still runs if it restarts within 12 hours."""


# Job functions: module-level so the job store can pickle a reference to them. They take no
# arguments (nothing live, and no secret, is pickled) and act through the running service.


# In queue mode (``serve --role scheduler``) the jobs that talk to Zoom or send messages are put on
# the work queue for the workers; pruning and planning stay here (they only read and write the store).


async def nightly_audit_job(account: str | None = None) -> None:
    """The nightly whole-account audit of ``account`` (None: the one account); fixes are applied
    per policy mode by the runner."""
    service = current()
    if service.queue is not None:
        await service.queue.audit(account or service.account, "scheduled")
        return
    await service.nightly(account)


async def deferred_fixes_job(account: str | None = None) -> None:
    """Retry the fixes of ``account`` deferred by Zoom's per-host daily update quota."""
    service = current()
    if service.queue is not None:
        await service.queue.apply_fixes(account or service.account, None, actor="zoomaudit:deferred")
        return
    await service.retry_deferred(account)


async def prune_job() -> None:
    """Delete what is older than ``ZOOMAUDIT_RETENTION_DAYS`` (store/retention.py)."""
    await current().prune()


async def pre_session_job(
    meeting_id: int,
    occurrence_id: str | None,
    start_time: str,
    timezone: str | None,
    lead: int,
    account: str | None = None,
) -> None:
    """One pre-session check of ``account``'s meeting (presession.py; None: ``default``, as
    jobs planned before accounts name none); its arguments are plain values, never secrets."""
    from zoomaudit.vocabulary import DEFAULT_ACCOUNT

    service = current()
    if service.queue is not None:
        name = account or DEFAULT_ACCOUNT
        if name not in service.desks:
            log.warning(
                "pre-session check of meeting %s not queued: %r is not an account here", meeting_id, name
            )
            return
        await service.queue.pre_session(name, meeting_id, occurrence_id, start_time, timezone, lead)
        return
    await service.pre_session_check(meeting_id, occurrence_id, start_time, timezone, lead, account)


async def notify_retry_job() -> None:
    """Attempt again the notifications whose retry time has come."""
    service = current()
    for name, desk in service.desks.items():
        # Each account's notifier retries the deliveries to its own channels.
        if service.queue is not None:
            await service.queue.notify(name, "retry")
        else:
            await desk.alerts.retry(shared_log=service.shared_log)


async def replan_job() -> None:
    """Plan the pre-session checks again from the store."""
    current().replan_checks()


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_day_of_week(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) in APScheduler 3.x's terms (0 = Monday).

    APScheduler 3.x's ``CronTrigger.from_crontab`` keeps the numbers as they are, so ``1-5``
    would mean Tuesday to Saturday. Numbers become day names here; names mean the same in both.
    """
    if field == "*":
        return field
    days: list[str] = []
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        if span == "*":
            low, high = 0, 6
        elif re.fullmatch(r"\d+(-\d+)?", span):
            low_text, _, high_text = span.partition("-")
            low = int(low_text)
            high = int(high_text) if high_text else (6 if step_text else low)
        else:
            days.append(part)  # names (mon-fri) need no translation
            continue
        step = int(step_text) if step_text.isdigit() else None
        if step_text and not step:
            raise ValueError(f"bad step in day of week {part!r}")
        if not 0 <= low <= high <= 7:
            raise ValueError(f"day of week {part!r} is outside 0-7")
        days.extend(_CRON_DAYS[day] for day in range(low, high + 1, step or 1))
    return ",".join(dict.fromkeys(days))


def nightly_trigger(settings: Settings, account: str | None = None) -> CronTrigger:
    """``ZOOMAUDIT_SCHEDULE`` (standard crontab: minute hour day month day-of-week) as a trigger;
    for an ``account`` of the accounts file, its ``schedule`` and ``timezone`` (the message names it)."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        fields = settings.schedule.split()
        if len(fields) != 5:
            raise ValueError(f"expected 5 fields, got {len(fields)}")
        minute, hour, day, month, day_of_week = fields
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_day_of_week(day_of_week),
            timezone=settings.timezone,
        )
    except (ValueError, KeyError) as exc:
        given = (
            f"ZOOMAUDIT_SCHEDULE={settings.schedule!r} with ZOOMAUDIT_TIMEZONE={settings.timezone!r}"
            if account is None
            else f"account {account}: schedule {settings.schedule!r} with timezone {settings.timezone!r}"
        )
        raise ConfigError(f"{given} is not a valid cron schedule: {exc}") from None


def deferred_trigger() -> CronTrigger:
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(hour=0, minute=5, timezone="UTC")


def prune_trigger() -> CronTrigger:
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(hour=3, minute=30, timezone="UTC")


def retry_trigger() -> IntervalTrigger:
    from apscheduler.triggers.interval import IntervalTrigger

    return IntervalTrigger(minutes=1, timezone="UTC")


def replan_trigger() -> IntervalTrigger:
    from apscheduler.triggers.interval import IntervalTrigger

    from zoomaudit.service.presession import REPLAN_MINUTES

    return IntervalTrigger(minutes=REPLAN_MINUTES, timezone="UTC")


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    func: Callable[..., Awaitable[None]]
    trigger: BaseTrigger
    misfire_grace_time: int
    args: tuple[str, ...] = ()
    """Plain values only (an account's name): the job store pickles them."""


ACCOUNT_JOB_PREFIXES = (f"{NIGHTLY_JOB_ID}:", f"{DEFERRED_JOB_ID}:")
"""The ids of the jobs each account of an accounts file has, before its name."""


def account_job_specs(accounts: Mapping[str, Settings]) -> list[JobSpec]:
    """Each account's nightly audit, on its own schedule and zone, and its deferred-fix retry."""
    specs: list[JobSpec] = []
    for name, settings in accounts.items():
        specs.append(
            JobSpec(
                f"{NIGHTLY_JOB_ID}:{name}",
                f"nightly audit of {name}",
                nightly_audit_job,
                nightly_trigger(settings, name),
                NIGHTLY_MISFIRE_GRACE,
                (name,),
            )
        )
        specs.append(
            JobSpec(
                f"{DEFERRED_JOB_ID}:{name}",
                f"retry deferred fixes of {name}",
                deferred_fixes_job,
                deferred_trigger(),
                DEFERRED_MISFIRE_GRACE,
                (name,),
            )
        )
    return specs


def job_specs(settings: Settings, accounts: Mapping[str, Settings] | None = None) -> list[JobSpec]:
    """The jobs the service runs, as configured now (the pre-session plan only when it is on).

    ``accounts`` (an accounts file): one nightly audit and one deferred-fix retry per account
    instead of the single account's."""
    from zoomaudit.service.presession import REPLAN_JOB_ID, REPLAN_MINUTES

    plan = [
        JobSpec(REPLAN_JOB_ID, "plan pre-session checks", replan_job, replan_trigger(), REPLAN_MINUTES * 60)
    ]
    from zoomaudit.service.alerts import RETRY_JOB_ID

    retry = [JobSpec(RETRY_JOB_ID, "retry notifications", notify_retry_job, retry_trigger(), 300)]
    notifying = any(_notifies(each) for each in (accounts or {"": settings}).values())
    prune = JobSpec(PRUNE_JOB_ID, "prune old data", prune_job, prune_trigger(), PRUNE_MISFIRE_GRACE)
    if accounts is not None:
        # One plan job plans every account's checks, each with its own lead times.
        planning = plan if any(each.pre_session_leads for each in accounts.values()) else []
        return planning + (retry if notifying else []) + account_job_specs(accounts) + [prune]
    return (
        (plan if settings.pre_session_leads else [])
        + (retry if notifying else [])
        + [
            JobSpec(
                NIGHTLY_JOB_ID,
                "nightly audit",
                nightly_audit_job,
                nightly_trigger(settings),
                NIGHTLY_MISFIRE_GRACE,
            ),
            JobSpec(
                DEFERRED_JOB_ID,
                "retry deferred fixes",
                deferred_fixes_job,
                deferred_trigger(),
                DEFERRED_MISFIRE_GRACE,
            ),
            prune,
        ]
    )


def _notifies(settings: Settings) -> bool:
    return bool(
        settings.notify_urls.get_secret_value().strip() or settings.smtp_url.get_secret_value().strip()
    )


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from zoomaudit.store.jobs import job_store

    store = job_store(settings.database_url, JOBS_TABLE)
    return AsyncIOScheduler(jobstores={"default": store}, timezone=settings.timezone)


def _same_trigger(stored: Any, configured: Any) -> bool:
    """Whether a stored trigger is the configured one. An interval trigger's repr holds its start
    (the moment it was made), so intervals compare by their interval and zone."""
    if hasattr(stored, "interval") and hasattr(configured, "interval"):
        return bool(
            stored.interval == configured.interval and str(stored.timezone) == str(configured.timezone)
        )
    return repr(stored) == repr(configured)


def ensure_jobs(
    scheduler: AsyncIOScheduler, settings: Settings, accounts: Mapping[str, Settings] | None = None
) -> None:
    """Add or update the configured jobs; an unchanged trigger keeps its stored next run time.

    With pre-session checks off, the plan job and every planned check are removed; with no
    notification channel, the retry job; the nightly audits and deferred-fix retries of accounts
    no longer configured (or of the single account, once an accounts file is set), theirs."""
    from zoomaudit.service.alerts import RETRY_JOB_ID
    from zoomaudit.service.presession import REPLAN_JOB_ID, planned_jobs

    specs = job_specs(settings, accounts)
    configured = {spec.id for spec in specs}
    stale = [] if REPLAN_JOB_ID in configured else [REPLAN_JOB_ID, *planned_jobs(scheduler)]
    if RETRY_JOB_ID not in configured:
        stale.append(RETRY_JOB_ID)
    stale.extend(
        job.id
        for job in scheduler.get_jobs()
        if job.id not in configured
        and (job.id in (NIGHTLY_JOB_ID, DEFERRED_JOB_ID) or job.id.startswith(ACCOUNT_JOB_PREFIXES))
    )
    for job_id in stale:
        if scheduler.get_job(job_id) is not None:
            log.info("job %s is no longer configured; removed", job_id)
            scheduler.remove_job(job_id)
    for spec in specs:
        existing = scheduler.get_job(spec.id)
        keep: dict[str, Any] = {}
        if existing is not None and _same_trigger(existing.trigger, spec.trigger):
            keep["next_run_time"] = existing.next_run_time
        elif existing is not None:
            log.info("schedule of %s changed to %s; next run recomputed", spec.id, spec.trigger)
        scheduler.add_job(
            spec.func,
            spec.trigger,
            args=spec.args,
            id=spec.id,
            name=spec.name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            **keep,
        )


def start_scheduler(settings: Settings, accounts: Mapping[str, Settings] | None = None) -> AsyncIOScheduler:
    """Start the scheduler on the running event loop with the configured jobs reconciled
    (``accounts``: the accounts file's, each account's Settings by name)."""
    from zoomaudit.store.jobs import job_store_errors

    scheduler = build_scheduler(settings)
    try:
        with job_store_errors("cannot be used"):
            # Paused until the jobs are reconciled, so a stale trigger never fires.
            scheduler.start(paused=True)
            ensure_jobs(scheduler, settings, accounts)
    except StoreError:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        raise
    scheduler.resume()
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    """Stop firing jobs. Running job functions are cancelled; the audits they started are not."""
    from apscheduler.schedulers.base import STATE_STOPPED

    if not scheduler.running:
        return
    scheduler.shutdown(wait=False)
    for _ in range(100):  # AsyncIOScheduler shuts down on the next loop iteration
        if scheduler.state == STATE_STOPPED:
            return
        await asyncio.sleep(0)


def next_run(scheduler: AsyncIOScheduler | None, job_id: str = NIGHTLY_JOB_ID) -> datetime | None:
    if scheduler is None or not scheduler.running:
        return None
    job = scheduler.get_job(job_id)
    return job.next_run_time if job is not None else None


def next_nightly(scheduler: AsyncIOScheduler | None) -> datetime | None:
    """The soonest nightly audit of any account (the single account's, without an accounts file)."""
    if scheduler is None or not scheduler.running:
        return None
    times = [
        job.next_run_time
        for job in scheduler.get_jobs()
        if (job.id == NIGHTLY_JOB_ID or job.id.startswith(f"{NIGHTLY_JOB_ID}:")) and job.next_run_time
    ]
    return min(times, default=None)


def log_next_runs(scheduler: AsyncIOScheduler, accounts: Mapping[str, Settings] | None) -> None:
    """Say when each nightly audit runs next (one line per account with an accounts file)."""
    if accounts is None:
        log.info("nightly audit scheduled; next run %s", next_run(scheduler))
        return
    for name in accounts:
        log.info(
            "nightly audit of %s scheduled; next run %s",
            name,
            next_run(scheduler, f"{NIGHTLY_JOB_ID}:{name}"),
        )


def describe_trigger(trigger: Any) -> str:
    """A cron trigger in a few words, e.g. ``minute=0 hour=2 (UTC)``."""
    fields = getattr(trigger, "fields", None)
    if fields is None:
        return str(trigger)
    parts = [f"{f.name}={f}" for f in fields if not f.is_default and str(f) != "*"]
    return " ".join(parts or ["every minute"]) + f" ({trigger.timezone})"


# --- reading the job store without a scheduler (``zoomaudit schedule show``) --------------------


@dataclass(frozen=True)
class JobInfo:
    id: str
    name: str
    trigger: str
    next_run_time: datetime | None
    """None when the job is paused."""
    args: tuple[Any, ...] = ()
    """The job's arguments (a pre-session check's meeting, occurrence, start, zone and lead)."""


def stored_jobs(database_url: str) -> list[JobInfo] | None:
    """The jobs in the job store, or None if the service never started on this database."""
    from zoomaudit.store.jobs import job_rows

    rows = job_rows(database_url, JOBS_TABLE)
    if rows is None:
        return None
    jobs = []
    for job_id, blob in rows:
        try:
            # The same pickles APScheduler itself loads from zoomaudit's own database.
            state = pickle.loads(blob)  # noqa: S301
            jobs.append(
                JobInfo(
                    job_id,
                    state.get("name", job_id),
                    describe_trigger(state["trigger"]),
                    state["next_run_time"],
                    tuple(state.get("args") or ()),
                )
            )
        except Exception as exc:  # an unreadable row is reported, not fatal
            jobs.append(JobInfo(job_id, job_id, f"(unreadable: {type(exc).__name__})", None))
    return jobs
