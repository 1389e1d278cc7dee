"""Every stored thing carries its Zoom account (issue 18): revision 0009 brings an older database
over to the account ``default`` without losing a row, and each list, lookup and dedupe keeps one
account's runs, fixes, waivers, checks and notifications apart from another's. On SQLite and
PostgreSQL (``db_url``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import create_engine

from zoomaudit.errors import UsageError
from zoomaudit.fixes.plan import FixPlan, PlanRequest
from zoomaudit.store import Store
from zoomaudit.store.migrate import alembic_config, current_revision
from zoomaudit.store.models import HEAD_REVISION, UTCDateTime

from .conftest import finding

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
COUNTS = {"meetings": 1, "users": 1, "violations": 1, "errors": 0, "waived": 0, "manual": 0, "passed": 0}


# --- the migration ------------------------------------------------------------------------------

# The tables as revision 0008 left them, as far as these rows need (Core, so one insert is
# portable: SQLAlchemy renders the JSON, booleans and timestamps for each database).
_OLD = sa.MetaData()
_RUNS = sa.Table(
    "runs", _OLD,
    sa.Column("id", sa.String), sa.Column("trigger", sa.String), sa.Column("scope", sa.String),
    sa.Column("scope_detail", sa.JSON), sa.Column("started_at", UTCDateTime()),
    sa.Column("finished_at", UTCDateTime()), sa.Column("status", sa.String),
    sa.Column("complete", sa.Boolean), sa.Column("policy_hash", sa.String), sa.Column("counts", sa.JSON),
    sa.Column("policies", sa.JSON), sa.Column("owner", sa.String),
)  # fmt: skip
_FINDINGS = sa.Table(
    "findings", _OLD,
    sa.Column("run_id", sa.String), sa.Column("policy_id", sa.String), sa.Column("control", sa.String),
    sa.Column("severity", sa.String), sa.Column("status", sa.String), sa.Column("meeting_id", sa.BigInteger),
    sa.Column("locked", sa.Boolean), sa.Column("message", sa.Text), sa.Column("subject", sa.String),
    sa.Column("occurrence_key", sa.String),
)  # fmt: skip
_PLANS = sa.Table(
    "fix_plans", _OLD,
    sa.Column("id", sa.String), sa.Column("policy_id", sa.String), sa.Column("status", sa.String),
    sa.Column("target_level", sa.String), sa.Column("target_id", sa.String), sa.Column("method", sa.String),
    sa.Column("path", sa.String), sa.Column("query", sa.JSON), sa.Column("body", sa.JSON),
    sa.Column("before", sa.JSON), sa.Column("meeting_ids", sa.JSON), sa.Column("dedupe_key", sa.String),
    sa.Column("created_at", UTCDateTime()), sa.Column("version", sa.Integer),
)  # fmt: skip
_WAIVERS = sa.Table(
    "waivers", _OLD,
    sa.Column("policy_id", sa.String), sa.Column("meeting_id", sa.BigInteger), sa.Column("reason", sa.Text),
    sa.Column("approved_by", sa.String), sa.Column("created_at", UTCDateTime()),
)  # fmt: skip
_CHECKS = sa.Table(
    "pre_session_checks", _OLD,
    sa.Column("meeting_id", sa.BigInteger), sa.Column("occurrence_key", sa.String),
    sa.Column("start_time", UTCDateTime()), sa.Column("lead_minutes", sa.Integer),
    sa.Column("due_at", UTCDateTime()), sa.Column("ran_at", UTCDateTime()), sa.Column("outcome", sa.String),
)  # fmt: skip
_NOTIFICATIONS = sa.Table(
    "notifications", _OLD,
    sa.Column("kind", sa.String), sa.Column("channel", sa.String), sa.Column("channel_fp", sa.String),
    sa.Column("recipients", sa.JSON), sa.Column("subject", sa.Text), sa.Column("covers", sa.JSON),
    sa.Column("status", sa.String), sa.Column("attempts", sa.Integer), sa.Column("created_at", UTCDateTime()),
    sa.Column("body_text", sa.Text), sa.Column("body_short", sa.Text),
)  # fmt: skip


def _database_at_0008_with_data(url: str) -> None:
    config = alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
        connection.execute(
            _RUNS.insert(),
            {
                "id": "20261120-020000-aaaa", "trigger": "manual", "scope": "account", "scope_detail": {},
                "started_at": T0, "finished_at": T0, "status": "complete", "complete": True,
                "policy_hash": "h", "counts": COUNTS, "policies": {}, "owner": "",
            },
        )  # fmt: skip
        connection.execute(
            _FINDINGS.insert(),
            {
                "run_id": "20261120-020000-aaaa", "policy_id": "waiting-room", "control": "waiting_room",
                "severity": "high", "status": "violation", "meeting_id": 5, "locked": False,
                "message": "", "subject": "meeting:5", "occurrence_key": "",
            },
        )  # fmt: skip
        connection.execute(
            _PLANS.insert(),
            {
                "id": "fx-old", "policy_id": "waiting-room", "status": "pending", "target_level": "meeting",
                "target_id": "5", "method": "PATCH", "path": "/meetings/5", "query": {},
                "body": {"settings": {"waiting_room": True}}, "before": {"settings.waiting_room": False},
                "meeting_ids": [5], "dedupe_key": "waiting-room:meeting:5", "created_at": T0, "version": 1,
            },
        )  # fmt: skip
        connection.execute(
            _WAIVERS.insert(),
            {
                "policy_id": "waiting-room", "meeting_id": 6, "reason": "talk", "approved_by": "Priya",
                "created_at": T0,
            },
        )  # fmt: skip
        connection.execute(
            _CHECKS.insert(),
            {
                "meeting_id": 5, "occurrence_key": "", "start_time": T0 + timedelta(hours=1),
                "lead_minutes": 60, "due_at": T0, "ran_at": T0, "outcome": "clean",
            },
        )  # fmt: skip
        connection.execute(
            _NOTIFICATIONS.insert(),
            {
                "kind": "digest", "channel": "mailto://***", "channel_fp": "fp", "recipients": [],
                "subject": "digest", "covers": [], "status": "sent", "attempts": 1, "created_at": T0,
                "body_text": "", "body_short": "",
            },
        )  # fmt: skip
    engine.dispose()


def test_a_database_at_0008_migrates_its_rows_to_the_default_account(db_url: str) -> None:
    _database_at_0008_with_data(db_url)
    with Store(db_url) as store:
        assert current_revision(store._engine) == HEAD_REVISION
        run = store.get_run("latest", account="default")
        assert (run.id, run.account) == ("20261120-020000-aaaa", "default")
        assert [f.meeting_id for f in store.findings(run.id)] == [5]
        plan = store.fixes.get("fx-old")
        assert plan is not None
        assert plan.account == "default"
        [waiver] = store.waivers.find(account="default")
        assert (waiver.meeting_id, waiver.account) == (6, "default")
        [check] = store.pre_session.recent(account="default")
        assert (check.meeting_id, check.account) == (5, "default")
        [delivery] = store.notifications.recent(account="default")
        assert delivery.account == "default"
        # The old plan keeps deduping in its account: the next audit's same plan reuses it...
        same = _plan(5, before={"settings.waiting_room": False})
        assert store.fixes.record_plans(None, [same], T0) == {same.dedupe_key: "fx-old"}
        # ...and another account's identical plan is a plan of its own.
        theirs = store.fixes.record_plans(None, [same], T0, account="hillside")
        assert theirs[same.dedupe_key] != "fx-old"
        assert store.list_runs(account="hillside") == []


# --- runs ------------------------------------------------------------------------------------------


def _run(store: Store, account: str, started: datetime, *, scope: str = "account") -> str:
    run_id = store.start_run("manual", scope, {}, "h", started, account=account)  # type: ignore[arg-type]
    store.add_findings(run_id, [finding(meeting_id=5)])
    store.finish_run(run_id, complete=True, finished_at=started, counts=COUNTS)
    return run_id


def test_runs_are_listed_and_resolved_within_their_account(store: Store) -> None:
    river = _run(store, "riverside", T0)
    hill = _run(store, "hillside", T0 + timedelta(minutes=1))
    assert store.get_run(river).account == "riverside"
    assert [r.id for r in store.list_runs()] == [hill, river]
    assert [r.id for r in store.list_runs(account="riverside")] == [river]
    assert [r.id for r in store.list_runs(accounts=["hillside"])] == [hill]
    assert store.get_run("latest").id == hill
    assert store.get_run("latest", account="riverside").id == river
    # A prefix both runs share names one run within one account.
    shared = "20261120-020"
    with pytest.raises(UsageError, match="ambiguous"):
        store.get_run(shared)
    assert store.get_run(shared, account="hillside").id == hill
    with pytest.raises(UsageError, match="no run of account 'riverside' with id"):
        store.get_run(hill, account="riverside")
    with pytest.raises(UsageError, match="no runs of account 'lakeside' yet"):
        store.get_run("latest", account="lakeside")
    assert store.load_report("latest", account="riverside").run.id == river


def test_comparisons_stay_within_an_account(store: Store) -> None:
    river_old = _run(store, "riverside", T0)
    _run(store, "hillside", T0 + timedelta(minutes=1))
    river_new = _run(store, "riverside", T0 + timedelta(minutes=2))
    hill_new = _run(store, "hillside", T0 + timedelta(minutes=3))
    pair = store.last_complete_runs(2, same_scope=True)
    assert [r.account for r in pair] == ["hillside", "hillside"]
    pair = store.last_complete_runs(2, same_scope=True, account="riverside")
    assert [r.id for r in pair] == [river_new, river_old]
    previous = store.previous_comparable(river_new)
    assert previous is not None
    assert previous.id == river_old
    with pytest.raises(UsageError):
        store.diff(river_old, hill_new, account="riverside")


# --- fixes, waivers, checks, notifications ------------------------------------------------------


def _plan(meeting_id: int, **fields: Any) -> FixPlan:
    values: dict[str, Any] = {
        "policy_id": "waiting-room",
        "mode": "suggest",
        "target_level": "meeting",
        "target_id": str(meeting_id),
        "request": PlanRequest(
            method="PATCH", path=f"/meetings/{meeting_id}", body={"settings": {"waiting_room": True}}
        ),
        "before": {"settings.waiting_room": False},
        "meeting_ids": (meeting_id,),
        "dedupe_key": f"waiting-room:meeting:{meeting_id}",
    }
    values.update(fields)
    return FixPlan(**values)


def test_two_accounts_same_meeting_id_never_share_a_fix_plan(store: Store) -> None:
    plan = _plan(81234567890)
    river = store.fixes.record_plans(None, [plan], T0, account="riverside")[plan.dedupe_key]
    hill = store.fixes.record_plans(None, [plan], T0, account="hillside")[plan.dedupe_key]
    assert river != hill
    # Each account's next audit reuses its own plan.
    assert store.fixes.record_plans(None, [plan], T0, account="riverside")[plan.dedupe_key] == river
    assert [f.id for f in store.fixes.find(account="hillside")] == [hill]
    assert {f.account for f in store.fixes.find()} == {"riverside", "hillside"}
    assert store.fixes.count("pending", accounts=["riverside"]) == 1
    assert store.fixes.open_for_meeting(81234567890, ["pending"], account="riverside") == [river]
    # The trail belongs to its plan's account.
    assert {e.fix_id for e in store.fixes.events(account="hillside")} == {hill}
    assert {e.fix_id for e in store.fixes.events(accounts=["riverside", "hillside"])} == {river, hill}
    # Changing one account's meeting makes its plan stale, not the other's.
    changed = _plan(81234567890, before={"settings.waiting_room": None})
    store.fixes.record_plans(None, [changed], T0, account="riverside")
    statuses = {fix_id: fix.status for fix_id, fix in store.fixes.get_many([river, hill]).items()}
    assert statuses == {river: "stale", hill: "pending"}


def test_waivers_apply_to_their_account_only(store: Store) -> None:
    fields: dict[str, Any] = {
        "policy_id": "waiting-room", "reason": "public talk", "approved_by": "Priya", "created_at": T0,
        "meeting_id": 5, "host_email": None, "group_name": None, "until": None,
    }  # fmt: skip
    river = store.waivers.add(**fields, account="riverside")
    assert river.account == "riverside"
    today = date(2026, 11, 20)
    assert [w.id for w in store.waivers.active(today, account="riverside")] == [river.id]
    assert store.waivers.active(today, account="hillside") == []
    assert store.waivers.find(accounts=["hillside"]) == []
    with pytest.raises(UsageError, match=f"no waiver with id {river.id}"):
        store.waivers.remove(river.id, actor="x", now=T0, account="hillside")
    assert store.waivers.remove(river.id, actor="x", now=T0, account="riverside").removed_by == "x"


def test_pre_session_checks_carry_their_account(store: Store) -> None:
    start = T0 + timedelta(hours=1)
    for account in ("riverside", "hillside"):
        store.pre_session.begin(
            meeting_id=5, occurrence_id=None, start_time=start, timezone=None, lead_minutes=60,
            due_at=T0, ran_at=T0, account=account,
        )  # fmt: skip
    assert [c.account for c in store.pre_session.recent(account="hillside")] == ["hillside"]
    assert len(store.pre_session.recent()) == 2
    assert store.pre_session.last_checked([(5, "", start)], account="lakeside") == {}
    assert store.pre_session.last_checked([(5, "", start)], account="riverside") == {(5, "", start): T0}


def test_notification_marks_of_two_accounts_do_not_dedupe_each_other(store: Store) -> None:
    def send(account: str) -> Any:
        return store.notifications.record(
            kind="urgent", channel="mailto://***", channel_fp="fp", recipients=["lead"], host=None,
            subject="s", covers=["account"], marks=[("waiting-room:account:", "once")], status="sent",
            created_at=T0, account=account,
        )  # fmt: skip

    assert send("riverside") is not None
    assert send("hillside") is not None  # the same key, another account: not a duplicate
    assert send("hillside") is None
    assert (
        store.notifications.marks_of("fp", "", "once", ["waiting-room:account:"], account="lakeside") == set()
    )
    marked = store.notifications.marks_of("fp", "", "once", ["waiting-room:account:"], account="riverside")
    assert marked == {"waiting-room:account:"}
    assert [d.account for d in store.notifications.recent(account="riverside")] == ["riverside"]


def test_upcoming_sessions_are_judged_by_their_own_account(store: Store) -> None:
    soon = T0 + timedelta(hours=2)
    river = store.start_run("manual", "meetings", {}, "h", T0, account="riverside")
    store.add_findings(river, [finding(meeting_id=5, start_time=soon, duration=60)])
    store.finish_run(river, complete=True, finished_at=T0, counts=COUNTS)
    # A later complete audit of another account does not make riverside's session gone.
    _run(store, "hillside", T0 + timedelta(minutes=5))
    sessions = store.upcoming.sessions(T0, timedelta(days=1))
    assert [(s.account, s.meeting_id, s.run_id) for s in sessions] == [("riverside", 5, river)]
    assert store.upcoming.sessions(T0, timedelta(days=1), account="hillside") == []


def test_an_admin_can_be_limited_to_some_accounts(store: Store) -> None:
    created = store.admins.create("lead@example.org", "admin", "hash", now=T0)
    assert created is not None
    assert created.accounts == ()
    assert store.admins.set_accounts("lead@example.org", ["riverside", "hillside", "riverside"])
    admin = store.admins.by_id(created.id)
    assert admin is not None
    assert admin.accounts == ("hillside", "riverside")
    assert store.admins.set_accounts("lead@example.org", [])
    assert store.admins.by_email("lead@example.org").accounts == ()  # type: ignore[union-attr]
    assert not store.admins.set_accounts("nobody@example.org", ["riverside"])
    # Removing the admin removes its grants with it (the foreign key cascades).
    store.admins.set_accounts("lead@example.org", ["riverside"])
    assert store.admins.delete("lead@example.org")
    assert store.admins.create("lead@example.org", "admin", "hash", now=T0).accounts == ()  # type: ignore[union-attr]


def test_each_account_keeps_its_latest_snapshots(store: Store) -> None:
    def kept_run(account: str, minutes: int, scope: str = "meetings") -> str:
        at = T0 + timedelta(minutes=minutes)
        run_id = store.start_run("manual", scope, {}, "h", at, account=account)  # type: ignore[arg-type]
        store.snapshots.add(run_id, 0, b"account")
        store.finish_run(run_id, complete=True, finished_at=at, counts={})
        return run_id

    quiet = kept_run("hillside", 0, "account")
    hill_check = kept_run("hillside", 1)
    busy = [kept_run("riverside", 10 + i) for i in range(4)]
    dropped = store.snapshots.keep_latest(2)
    # riverside's four checks leave hillside's two snapshots alone.
    assert sorted(dropped) == sorted(busy[:2])
    assert [store.snapshots.size(r)[0] for r in (quiet, hill_check, *busy)] == [1, 1, 0, 0, 1, 1]
