"""The database schema: SQLAlchemy 2 typed ORM models.

Portable across SQLite and PostgreSQL: JSON columns, BigInteger meeting ids, timezone-aware
timestamps stored as UTC. Every change to these models needs an Alembic revision in
``store/migrations/versions`` (a test compares the two).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from zoomaudit.vocabulary import DEFAULT_ACCOUNT

# Named constraints so that migrations (and SQLite batch mode) can refer to them by name.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def account_column(*, index: bool = False) -> Mapped[str]:
    """The Zoom account (its short name in the accounts file) a row belongs to."""
    return mapped_column(String(64), server_default=DEFAULT_ACCOUNT, default=DEFAULT_ACCOUNT, index=index)


# SQLite gives an INTEGER PRIMARY KEY its rowid autoincrement only when the type is INTEGER.
IntId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass a timezone-aware value")
        value = value.astimezone(UTC)
        # SQLite keeps no offset: store naive UTC and put the zone back on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


HEAD_REVISION = "0010"
"""The Alembic revision these models match. A test checks that it is the head of the packaged
migrations, so a new migration cannot ship without moving it."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), date: Date()}


class Run(Base):
    __tablename__ = "runs"
    # Lists (history, latest, the console) read one account's runs newest first.
    __table_args__ = (Index("ix_runs_account_started_at", "account", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[str] = account_column()
    """Findings, errors and snapshot chunks belong to the run's account through ``run_id``."""
    trigger: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16))
    scope_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), index=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_hash: Mapped[str] = mapped_column(String(128), default="")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    policies: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """{policy_id: {title, rationale}} as they were when the run started, for reports."""
    owner: Mapped[str] = mapped_column(String(200), default="")
    """hostname:pid:store-token of the process writing the run; used to spot killed runs."""
    heartbeat_at: Mapped[datetime | None]
    """Last write of the run; a long-silent running run is abandoned."""
    rejudged_from: Mapped[str | None] = mapped_column(String(32))
    """For a run of trigger ``rejudge``: the run whose stored snapshot it judged again. No foreign
    key (migration 0008 says why); pruning a run clears the links to it (``store/retention.py``)."""


class SnapshotChunk(Base):
    """A piece of the snapshot a run judged (``zoomaudit.snapshot_codec``): zlib-compressed JSON,
    secrets removed. Sequence 0 is the account's context, then one chunk per host batch, written
    as the run goes. Only the latest ``ZOOMAUDIT_SNAPSHOT_RUNS`` complete runs keep theirs."""

    __tablename__ = "snapshot_chunks"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_run_id_status", "run_id", "status"),
        # A meeting's findings are read by subject (``runs.meeting_subject``), not meeting_id:
        # one index fewer for every finding stored (revision 0010).
        Index("ix_findings_run_id_subject", "run_id", "subject", "policy_id"),
        # Sessions by start (upcoming, the pre-session plan): without it every re-plan, every
        # few minutes, reads every finding ever stored.
        Index("ix_findings_start_time", "start_time"),
    )

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    policy_id: Mapped[str] = mapped_column(String(200))
    control: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    meeting_id: Mapped[int | None] = mapped_column(BigInteger)
    occurrence_id: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(Text)
    host_id: Mapped[str | None] = mapped_column(String(64))
    host_email: Mapped[str | None] = mapped_column(String(320))
    actual: Mapped[Any] = mapped_column(JSON, nullable=True)
    expected: Mapped[Any] = mapped_column(JSON, nullable=True)
    source: Mapped[str | None] = mapped_column(String(16))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    fix_id: Mapped[str | None] = mapped_column(String(64))
    # No foreign key: a finding is history and keeps the id of the waiver that applied then.
    waiver_id: Mapped[int | None] = mapped_column(BigInteger)
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    # Identity key (findings._Finding.identity) kept as columns so diffs can match in SQL too.
    subject: Mapped[str] = mapped_column(String(100))
    """``meeting:<id>``, ``user:<id>`` or ``account``."""
    occurrence_key: Mapped[str] = mapped_column(String(64), default="")
    """The occurrence id, or "" for the whole meeting / a non-meeting subject."""
    start_time: Mapped[datetime | None]
    """When the judged session starts (UTC); NULL with no fixed time (types 3 and 4), for user
    and account checks, and for findings of runs from before revision 0003."""
    duration: Mapped[int | None] = mapped_column(Integer)
    """The judged session's length in minutes."""
    timezone: Mapped[str | None] = mapped_column(String(64))
    """The meeting's own time zone (an IANA name) for showing the start to people; NULL before
    revision 0004 and for subjects with no start time."""


class RunErrorRow(Base):
    __tablename__ = "run_errors"

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)


class FixPlan(Base):
    """A planned change to Zoom. ``version`` is SQLAlchemy's optimistic lock: an UPDATE of a
    stale copy raises ``sqlalchemy.orm.exc.StaleDataError`` instead of applying twice."""

    __tablename__ = "fix_plans"
    # A plan is reused per (account, dedupe key): two accounts' same meeting id never share one.
    __table_args__ = (Index("ix_fix_plans_account_dedupe_key_status", "account", "dedupe_key", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = account_column()
    """The trail (``fix_events``) belongs to the plan's account through ``fix_id``."""
    policy_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    target_level: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str | None] = mapped_column(String(64))
    host_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    query: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[Any] = mapped_column(JSON, nullable=True)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    meeting_ids: Mapped[Any] = mapped_column(JSON, default=list)
    occurrence_id: Mapped[str | None] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    created_run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    """The owner token of the process applying or reverting the fix (status ``approved``)."""
    heartbeat_at: Mapped[datetime | None]
    """When that process last showed it is alive; a stale heartbeat is a dead claim."""

    __mapper_args__ = {"version_id_col": version}


class FixEvent(Base):
    """Append-only audit trail of fix plan transitions."""

    __tablename__ = "fix_events"

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    fix_id: Mapped[str] = mapped_column(ForeignKey("fix_plans.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(320))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)


class Waiver(Base):
    __tablename__ = "waivers"

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    account: Mapped[str] = account_column(index=True)
    """A waiver applies only to findings of runs of its account."""
    policy_id: Mapped[str] = mapped_column(String(200), index=True)
    meeting_id: Mapped[int | None] = mapped_column(BigInteger)
    host_email: Mapped[str | None] = mapped_column(String(320))
    group_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    until: Mapped[date | None]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(320))


class MeetingUpdateQuota(Base):
    """zoomaudit's own meeting PATCHes per host per UTC day (Zoom allows 100)."""

    __tablename__ = "meeting_update_quota"

    host_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Admin(Base):
    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    """No sign-in of this account is checked before this time (the delay after failed sign-ins)."""
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Raised by signing out and by a new password: a session of an older generation has ended."""


class AdminAccountGrant(Base):
    """An account a console admin may see and act on. An admin with no grant sees every account."""

    __tablename__ = "admin_account_grants"

    admin_id: Mapped[int] = mapped_column(
        IntId, ForeignKey("admins.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    account: Mapped[str] = mapped_column(String(64), primary_key=True)


class PreSessionCheck(Base):
    """One pre-session check of ``zoomaudit serve``: a single-meeting audit ``lead_minutes`` before
    a session, and what it found (the notifications issue turns a violation here into an alert).

    A row is written when the check starts (``outcome`` "running") and completed when it ends, so
    a check is never repeated for the same session and lead, even after a crash.
    """

    __tablename__ = "pre_session_checks"
    __table_args__ = (Index("ix_pre_session_checks_session", "meeting_id", "occurrence_key", "start_time"),)

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    account: Mapped[str] = account_column(index=True)
    meeting_id: Mapped[int] = mapped_column(BigInteger)
    occurrence_key: Mapped[str] = mapped_column(String(64), default="")
    """The occurrence id, or "" for a one-off meeting."""
    start_time: Mapped[datetime]
    """The session's start as planned (UTC)."""
    timezone: Mapped[str | None] = mapped_column(String(64))
    lead_minutes: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    ran_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    run_id: Mapped[str | None] = mapped_column(String(32))
    """The run of the check (no foreign key: the check outlives a pruned run)."""
    outcome: Mapped[str] = mapped_column(String(16))
    """running, clean, fixed (every violation fixed by an ``auto`` fix), violations (some left
    open), error (the session could not be judged), gone (deleted or over), failed (the audit
    itself failed)."""
    violations: Mapped[Any] = mapped_column(JSON, nullable=True)
    """Violations left open after the check's ``auto`` fixes: ``[{"policy_id", "severity", "fix_id"}]``."""
    detail: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """One message to one channel (or one host): what was sent, and how it went.

    The content is kept so that a failed delivery can be retried; messages carry no secret by
    construction, and the channel is named by its masked form and a fingerprint, never its URL.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(IntId, primary_key=True, autoincrement=True)
    account: Mapped[str] = account_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(500))
    """The channel, masked (zoomaudit.notify.channels.mask)."""
    channel_fp: Mapped[str] = mapped_column(String(64), index=True)
    recipients: Mapped[Any] = mapped_column(JSON, default=list)
    host: Mapped[str | None] = mapped_column(String(320))
    """The host a host nudge (or a host's urgent alert) went to."""
    subject: Mapped[str] = mapped_column(Text, default="")
    covers: Mapped[Any] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    """sent, retrying, failed, suppressed."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(index=True)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_short: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)


class NotificationMark(Base):
    """A key (a finding, a session, a failure) sent to a recipient in a period: the dedupe rule."""

    __tablename__ = "notification_marks"

    channel_fp: Mapped[str] = mapped_column(String(64), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), primary_key=True)
    """The host's address for a host's message, "" for the lead's channel."""
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    """The UTC day (``2026-12-04``), or ``once`` for keys sent once ever."""
    notification_id: Mapped[int | None] = mapped_column(BigInteger)
