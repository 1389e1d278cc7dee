"""Pre-session checks: a single-meeting audit of each session shortly before it starts.

``ZOOMAUDIT_PRE_SESSION`` gives the lead times (minutes before the start, default 60 and 10). The
plan is made from the start times the store holds (the latest verdict on each meeting, as
``zoomaudit upcoming`` reads them), never by asking Zoom, and it is made again after every run
of the service and every ``REPLAN_MINUTES``, so a session created or moved during the day gets
its checks and a session moved away loses them.

Each check is an APScheduler date job in the service's persistent job store, so the plan
survives a restart. The rules (``plan_checks``, pure):

- a check is due ``lead`` minutes before the start; one whose time has passed but whose session
  has not begun is due at once (a session booked for "in 5 minutes", or a check missed while the
  service was down); several such checks of one session are one check;
- a lead already covered by a check that ran at or after its due time is not planned again (the
  store keeps every check, ``store/presession.py``), so a restart does not repeat them;
- sessions that have begun get no check; only sessions within ``PLAN_HORIZON`` are planned.

A check runs in its account's Zoom lane like any audit (trigger ``pre-session``), applies
``auto`` fixes as any run does, and stores its outcome: the open violations left, or why it could
not tell. The notifications issue turns a violation found here into an urgent alert.

Each account of an accounts file has its own plan, made from its own stored sessions with its own
lead times (the account's ``pre_session``), and its checks audit through its own client. A check's
job id names its account, ``pre-session:<account>/<meeting>:<occurrence>:<lead>``, except for the
single account ``default``, whose ids stay ``pre-session:<meeting>:<occurrence>:<lead>`` (job
stores made before accounts hold those). Re-planning one account touches only its own jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from zoomaudit.runner import RunOutcome
    from zoomaudit.store import Store
    from zoomaudit.store.presession import Verdict
    from zoomaudit.store.upcoming import UpcomingSession
    from zoomaudit.vocabulary import Scope, Trigger

log = logging.getLogger(__name__)

JOB_PREFIX = "pre-session:"
REPLAN_JOB_ID = "pre-session-plan"
REPLAN_MINUTES = 10
"""How often the plan is made again from the store even when this service ran nothing (a
``zoomaudit audit`` from the command line may have stored new start times)."""
JOB_FUNCTION = "zoomaudit.service.scheduler:pre_session_job"
"""The job function, by the reference APScheduler stores (named, not imported: the scheduler
module finds the running service, which plans through this one)."""
PLAN_HORIZON = timedelta(hours=36)
"""Sessions starting within this are planned; later ones are planned by a later re-plan."""


@dataclass(frozen=True)
class PlannedCheck:
    """One check to run: ``lead`` minutes before the session (or at once, ``due`` = now)."""

    meeting_id: int
    occurrence_id: str | None
    start_time: datetime
    timezone: str | None
    lead: int
    due: datetime
    account: str = DEFAULT_ACCOUNT
    """The Zoom account of the meeting: the check audits through this account's client."""

    @property
    def job_id(self) -> str:
        return f"{account_prefix(self.account)}{self.meeting_id}:{self.occurrence_id or '-'}:{self.lead}"

    @property
    def args(self) -> list[Any]:
        """The job's arguments: plain values only (the job store pickles them). The account is
        the sixth, left out for ``default`` (as jobs made before accounts have it)."""
        args = [self.meeting_id, self.occurrence_id, self.start_time.isoformat(), self.timezone, self.lead]
        return args if self.account == DEFAULT_ACCOUNT else [*args, self.account]

    @classmethod
    def from_args(cls, args: Iterable[Any], due: datetime) -> PlannedCheck:
        meeting_id, occurrence_id, start, timezone, lead, *rest = args
        account = str(rest[0]) if rest and rest[0] is not None else DEFAULT_ACCOUNT
        return cls(
            int(meeting_id), occurrence_id, datetime.fromisoformat(start), timezone, int(lead), due, account
        )


def account_prefix(account: str) -> str:
    """The start of every planned check's job id of ``account``. Account names never hold "/"
    (accounts.py) and a meeting id is a number, so no account's ids start with another's."""
    return JOB_PREFIX if account == DEFAULT_ACCOUNT else f"{JOB_PREFIX}{account}/"


def job_account(job_id: str) -> str:
    """The account a planned check's job id names (``default`` for an id without one)."""
    rest = job_id.removeprefix(JOB_PREFIX)
    head, slash, _ = rest.partition("/")
    return head if slash else DEFAULT_ACCOUNT


def session_key(meeting_id: int, occurrence_id: str | None, start: datetime) -> tuple[int, str, datetime]:
    return (meeting_id, occurrence_id or "", start)


def plan_checks(
    sessions: Iterable[UpcomingSession],
    leads: Iterable[int],
    now: datetime,
    last_checked: Mapping[tuple[int, str, datetime], datetime],
    gone: Mapping[int, datetime] | None = None,
    *,
    account: str = DEFAULT_ACCOUNT,
) -> list[PlannedCheck]:
    """The checks of ``account``'s sessions to have planned at ``now`` (see the module's rules),
    soonest first.

    ``last_checked`` holds when each session was last checked; ``gone`` when a check last found a
    meeting deleted: a meeting gone since its latest verdict gets no check.
    """
    ordered = sorted(set(leads), reverse=True)
    out: list[PlannedCheck] = []
    for s in sessions:
        if s.start_time <= now or s.start_time > now + PLAN_HORIZON:
            continue
        gone_at = (gone or {}).get(s.meeting_id)
        if gone_at is not None and gone_at >= s.judged_at:
            continue
        checked = last_checked.get(session_key(s.meeting_id, s.occurrence_id, s.start_time))
        at_once: int | None = None
        for lead in ordered:
            due = s.start_time - timedelta(minutes=lead)
            if checked is not None and checked >= due:
                continue  # a check at or after this lead's time already covers it
            if due <= now:
                at_once = lead  # the shortest passed lead names the one check run now
                continue
            out.append(
                PlannedCheck(s.meeting_id, s.occurrence_id, s.start_time, s.timezone, lead, due, account)
            )
        if at_once is not None:
            out.append(
                PlannedCheck(s.meeting_id, s.occurrence_id, s.start_time, s.timezone, at_once, now, account)
            )
    return sorted(out, key=lambda c: (c.due, c.start_time, c.meeting_id, c.occurrence_id or "", -c.lead))


def planned_jobs(scheduler: BaseScheduler, account: str | None = None) -> dict[str, Any]:
    """The scheduler's pre-session jobs by id: of ``account``, or of every account (None)."""
    return {
        job.id: job
        for job in scheduler.get_jobs()
        if job.id.startswith(JOB_PREFIX) and (account is None or job_account(job.id) == account)
    }


def sync_jobs(
    scheduler: BaseScheduler,
    planned: Iterable[PlannedCheck],
    now: datetime,
    *,
    account: str = DEFAULT_ACCOUNT,
) -> tuple[int, int]:
    """Make the scheduler's pre-session jobs of ``account`` exactly ``planned`` (checks of that
    account); returns (added or moved, removed). Other accounts' jobs are left as they are.

    A job already planned for the same session and time is kept as it is; one due at once stays
    due (its time is not pushed on by each re-plan).
    """
    from apscheduler.triggers.date import DateTrigger

    existing = planned_jobs(scheduler, account)
    wanted = {check.job_id: check for check in planned}
    removed = 0
    for job_id in existing.keys() - wanted.keys():
        scheduler.remove_job(job_id)
        removed += 1
    changed = 0
    for job_id, check in wanted.items():
        job = existing.get(job_id)
        if job is not None and list(job.args) == check.args and job.next_run_time is not None:
            kept = job.next_run_time.astimezone(UTC)
            if kept == check.due or (check.due <= now and kept <= now):
                continue
        scheduler.add_job(
            JOB_FUNCTION,
            DateTrigger(run_date=check.due),
            args=check.args,
            id=job_id,
            name=f"pre-session check of meeting {check.meeting_id}"
            + ("" if check.account == DEFAULT_ACCOUNT else f" of {check.account}"),
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            # Missed while the service was down: still worth running until the session starts.
            misfire_grace_time=max(1, int((check.start_time - check.due).total_seconds())),
        )
        changed += 1
    return changed, removed


def remove_jobs_of(scheduler: BaseScheduler, meeting_id: int, *, account: str = DEFAULT_ACCOUNT) -> int:
    """Drop every planned check of one meeting of ``account`` (it was deleted); returns how many."""
    dropped = 0
    for job_id in planned_jobs(scheduler, account):
        if job_id.startswith(f"{account_prefix(account)}{meeting_id}:"):
            scheduler.remove_job(job_id)
            dropped += 1
    return dropped


def check_outcome(verdict: Verdict, outcome: RunOutcome) -> tuple[str, str | None, list[dict[str, str]]]:
    """(outcome, detail, violations left open) of a finished check, from what its run stored on
    the session and the fixes it applied."""
    left = verdict.open_after(outcome.applied_fix_ids)
    if left:
        return "violations", None, left
    past, complete = outcome.counts.get("past", 0), outcome.complete
    if verdict.violations and not verdict.errors and complete:
        fixed = ", ".join(v["policy_id"] for v in verdict.violations)
        return "fixed", f"fixed before the session: {fixed}", []
    if verdict.findings == 0 and past:
        return "gone", "the session is over or was moved into the past", []
    if verdict.findings == 0:
        return "error", "the run stored no verdict on the session (see the run's errors)", []
    if verdict.errors:
        return "error", f"{verdict.errors} setting(s) of the session cannot be judged", []
    if not complete:
        return "error", "the run was incomplete; some settings could not be read", []
    return "clean", None, []


def replan(
    scheduler: BaseScheduler,
    store: Store,
    leads: tuple[int, ...],
    now: datetime,
    *,
    account: str = DEFAULT_ACCOUNT,
) -> tuple[int, int]:
    """Plan the checks of ``account``'s sessions again from the store; returns (added or moved,
    removed, of that account's jobs only). ``leads`` are the account's own; none removes its plan."""
    sessions = store.upcoming.sessions(now, PLAN_HORIZON, account=account) if leads else []
    last = store.pre_session.last_checked(
        (session_key(s.meeting_id, s.occurrence_id, s.start_time) for s in sessions), account=account
    )
    gone = store.pre_session.gone_since((s.meeting_id for s in sessions), account=account)
    planned = plan_checks(sessions, leads, now, last, gone, account=account)
    return sync_jobs(scheduler, planned, now, account=account)


def remove_other_accounts(scheduler: BaseScheduler, accounts: Iterable[str]) -> int:
    """Drop the planned checks of accounts other than ``accounts`` (one removed from the
    accounts file, or the single account ``default`` once a file is set); returns how many."""
    keep = set(accounts)
    stale = [job_id for job_id in planned_jobs(scheduler) if job_account(job_id) not in keep]
    for job_id in stale:
        scheduler.remove_job(job_id)
    return len(stale)


def forget_meeting(
    scheduler: BaseScheduler | None,
    store: Store,
    meeting_id: int,
    now: datetime,
    *,
    account: str = DEFAULT_ACCOUNT,
) -> int:
    """A meeting of ``account`` was deleted in Zoom: drop its planned checks and record them as
    ``gone``, so that a re-plan from its last stored verdict does not plan them again (the same
    meeting id in another account is another meeting). Returns how many."""
    if scheduler is None:
        return 0
    jobs = [
        job
        for job_id, job in planned_jobs(scheduler, account).items()
        if job_id.startswith(f"{account_prefix(account)}{meeting_id}:")
    ]
    for job in jobs:
        check = PlannedCheck.from_args(job.args, now)
        settled = store.pre_session.begin(
            meeting_id=meeting_id,
            occurrence_id=check.occurrence_id,
            start_time=check.start_time,
            timezone=check.timezone,
            lead_minutes=check.lead,
            due_at=now,
            ran_at=now,
            account=account,
        )
        store.pre_session.finish(
            settled, outcome="gone", finished_at=now, detail="the meeting was deleted in Zoom"
        )
        scheduler.remove_job(job.id)
    return len(jobs)


Audit = Callable[["Scope", "Trigger"], Awaitable["RunOutcome"]]
"""An audit in the check's account's Zoom lane (``Service.audit`` of that account)."""


async def run_check(
    check: PlannedCheck,
    *,
    store: Store,
    audit: Audit,
    clock: Callable[[], datetime],
    finished: Callable[[int, str], None] | None = None,
) -> str:
    """Run one planned check and store its outcome, under the check's account; returns the
    outcome. ``audit`` must audit through that account's client.

    Skipped (``skipped``) when the session has begun or another check already covered this lead
    (a duplicate fired after a restart): checks never spend Zoom's budget twice. ``finished`` is
    told the stored check's id and outcome (the service sends an urgent alert from it).
    """
    from zoomaudit.errors import UnknownMeeting, ZoomAuditError
    from zoomaudit.vocabulary import MeetingsScope

    now = clock()
    key = session_key(check.meeting_id, check.occurrence_id, check.start_time)
    last = store.pre_session.last_checked([key], account=check.account).get(key)
    if check.start_time <= now or (last is not None and last >= check.due):
        log.info("pre-session check of meeting %s skipped: begun or already checked", check.meeting_id)
        return "skipped"
    check_id = store.pre_session.begin(
        meeting_id=check.meeting_id,
        occurrence_id=check.occurrence_id,
        start_time=check.start_time,
        timezone=check.timezone,
        lead_minutes=check.lead,
        due_at=check.due,
        ran_at=now,
        account=check.account,
    )
    try:
        outcome = await audit(MeetingsScope.of(check.meeting_id), "pre-session")
    except UnknownMeeting:
        store.pre_session.finish(
            check_id, outcome="gone", finished_at=clock(), detail="the meeting no longer exists in Zoom"
        )
        return "gone"
    except ZoomAuditError as exc:
        store.pre_session.finish(check_id, outcome="failed", finished_at=clock(), detail=str(exc))
        log.warning("pre-session check of meeting %s failed: %s", check.meeting_id, exc)
        return "failed"
    except BaseException:
        store.pre_session.finish(
            check_id, outcome="failed", finished_at=clock(), detail="cancelled (service stopping)"
        )
        raise
    verdict = store.pre_session.verdict(outcome.run_id, check.meeting_id, check.occurrence_id)
    result, detail, left = check_outcome(verdict, outcome)
    store.pre_session.finish(
        check_id, outcome=result, finished_at=clock(), run_id=outcome.run_id, violations=left, detail=detail
    )
    if finished is not None:
        finished(check_id, result)
    log.log(
        logging.WARNING if result == "violations" else logging.INFO,
        "pre-session check of meeting %s (%d min before %s): %s%s",
        check.meeting_id,
        check.lead,
        check.start_time.isoformat(),
        result,
        f" ({', '.join(v['policy_id'] for v in left)})" if left else "",
    )
    return result
