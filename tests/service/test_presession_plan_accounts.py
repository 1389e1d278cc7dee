"""The pre-session plan of several accounts in one store and one job store: job ids that name
their account (the single account's unchanged), arguments that carry it, and a re-plan, a
deleted meeting or a removed account touching only its own account's checks.

The clock is controlled and the scheduler is started paused: no job fires by itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from zoomaudit.service import presession
from zoomaudit.service.presession import PlannedCheck, job_account
from zoomaudit.service.scheduler import build_scheduler
from zoomaudit.settings import load_settings
from zoomaudit.store import Store

from ..store.conftest import finding

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MEETING = 81234567890
"""The same meeting id in both accounts: two meetings, one per account."""


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'plan.db'}"


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    opened = Store(db)
    yield opened
    opened.close()


@pytest.fixture
async def scheduler(db: str) -> AsyncIterator[AsyncIOScheduler]:
    # An AsyncIOScheduler starts on the running event loop (the test's).
    made = build_scheduler(load_settings(ZOOMAUDIT_DATABASE_URL=db))
    made.start(paused=True)
    yield made
    made.shutdown(wait=False)


def judged(store: Store, account: str, start: datetime) -> None:
    """A finished run of ``account`` that judged MEETING as starting at ``start``."""
    run_id = store.start_run("manual", "meetings", {}, "h", NOW - HOUR, account=account)
    store.add_findings(
        run_id, [finding(meeting_id=MEETING, start_time=start, duration=60, timezone="Europe/London")]
    )
    store.finish_run(run_id, complete=True, finished_at=NOW - HOUR, counts={})


def ids(scheduler: AsyncIOScheduler, account: str | None = None) -> list[str]:
    return sorted(presession.planned_jobs(scheduler, account))


def test_a_checks_job_id_and_arguments_name_its_account_and_the_single_accounts_are_unchanged() -> None:
    single = PlannedCheck(5, None, NOW + HOUR, "Europe/London", 10, NOW + 50 * timedelta(minutes=1))
    theirs = PlannedCheck(5, "1700", NOW + HOUR, None, 10, NOW, "hillside")
    assert single.job_id == "pre-session:5:-:10"
    assert len(single.args) == 5  # as jobs planned before accounts hold them
    assert theirs.job_id == "pre-session:hillside/5:1700:10"
    assert theirs.args[-1] == "hillside"
    assert PlannedCheck.from_args(theirs.args, theirs.due) == theirs
    assert PlannedCheck.from_args(single.args, single.due) == single
    assert PlannedCheck.from_args([*single.args, None], single.due) == single  # job function's default
    assert [job_account(check.job_id) for check in (single, theirs)] == ["default", "hillside"]


@pytest.mark.anyio
async def test_each_account_is_planned_with_its_own_leads_and_a_replan_keeps_the_others(
    store: Store, scheduler: AsyncIOScheduler
) -> None:
    start = NOW + 3 * HOUR
    judged(store, "riverside", start)
    judged(store, "hillside", start + HOUR)
    presession.replan(scheduler, store, (60, 10), NOW, account="riverside")
    presession.replan(scheduler, store, (45,), NOW, account="hillside")
    assert ids(scheduler) == [
        f"pre-session:hillside/{MEETING}:-:45",
        f"pre-session:riverside/{MEETING}:-:10",
        f"pre-session:riverside/{MEETING}:-:60",
    ]
    hillside = presession.planned_jobs(scheduler, "hillside")[f"pre-session:hillside/{MEETING}:-:45"]
    assert hillside.next_run_time.astimezone(UTC) == start + HOUR - timedelta(minutes=45)

    # riverside's checks off: its plan is emptied; hillside's is untouched.
    assert presession.replan(scheduler, store, (), NOW, account="riverside") == (0, 2)
    assert ids(scheduler) == [f"pre-session:hillside/{MEETING}:-:45"]
    # And the other way round: a re-plan of hillside (nothing changed) neither adds nor removes.
    presession.replan(scheduler, store, (60, 10), NOW, account="riverside")
    assert presession.replan(scheduler, store, (45,), NOW, account="hillside") == (0, 0)
    assert len(ids(scheduler, "riverside")) == 2


@pytest.mark.anyio
async def test_a_deleted_meeting_loses_its_own_accounts_checks_only(
    store: Store, scheduler: AsyncIOScheduler
) -> None:
    start = NOW + 3 * HOUR
    for account in ("riverside", "hillside"):
        judged(store, account, start)
        presession.replan(scheduler, store, (60,), NOW, account=account)
    assert presession.forget_meeting(scheduler, store, MEETING, NOW, account="hillside") == 1
    assert ids(scheduler) == [f"pre-session:riverside/{MEETING}:-:60"]
    [gone] = store.pre_session.recent(account="hillside")
    assert (gone.meeting_id, gone.outcome) == (MEETING, "gone")
    assert store.pre_session.recent(account="riverside") == []
    # hillside's is not planned again from its last verdict; riverside's stays.
    presession.replan(scheduler, store, (60,), NOW, account="hillside")
    assert ids(scheduler) == [f"pre-session:riverside/{MEETING}:-:60"]


@pytest.mark.anyio
async def test_checks_of_accounts_no_longer_audited_are_removed(
    store: Store, scheduler: AsyncIOScheduler
) -> None:
    start = NOW + 3 * HOUR
    for account in ("default", "riverside", "hillside"):
        judged(store, account, start)
        presession.replan(scheduler, store, (60,), NOW, account=account)
    assert f"pre-session:{MEETING}:-:60" in ids(scheduler)  # the single account's, before the file
    assert presession.remove_other_accounts(scheduler, ["riverside"]) == 2
    assert ids(scheduler) == [f"pre-session:riverside/{MEETING}:-:60"]
