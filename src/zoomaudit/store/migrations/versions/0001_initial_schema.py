"""Initial schema: runs, findings, run errors, fix plans and their trail, waivers, the
per-host meeting update quota and console admins.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admins",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admins")),
        sa.UniqueConstraint("email", name=op.f("uq_admins_email")),
    )
    op.create_table(
        "meeting_update_quota",
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("host_id", "day", name=op.f("pk_meeting_update_quota")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_detail", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("policy_hash", sa.String(length=128), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("policies", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_runs_status"), ["status"], unique=False)

    op.create_table(
        "waivers",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=True),
        sa.Column("host_email", sa.String(length=320), nullable=True),
        sa.Column("group_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waivers")),
    )
    with op.batch_alter_table("waivers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waivers_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "findings",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("control", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=True),
        sa.Column("occurrence_id", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.Column("host_id", sa.String(length=64), nullable=True),
        sa.Column("host_email", sa.String(length=320), nullable=True),
        sa.Column("actual", sa.JSON(), nullable=True),
        sa.Column("expected", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fix_id", sa.String(length=64), nullable=True),
        sa.Column("waiver_id", sa.BigInteger(), nullable=True),
        sa.Column("waiver_reason", sa.Text(), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("occurrence_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_findings_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index("ix_findings_run_id_meeting_id", ["run_id", "meeting_id"], unique=False)
        batch_op.create_index("ix_findings_run_id_status", ["run_id", "status"], unique=False)
        batch_op.create_index("ix_findings_run_id_subject", ["run_id", "subject", "policy_id"], unique=False)

    op.create_table(
        "fix_plans",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target_level", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("host_id", sa.String(length=64), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("meeting_ids", sa.JSON(), nullable=False),
        sa.Column("occurrence_id", sa.String(length=64), nullable=True),
        sa.Column("dedupe_key", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_run_id", sa.String(length=32), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_run_id"],
            ["runs.id"],
            name=op.f("fk_fix_plans_created_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fix_plans")),
    )
    with op.batch_alter_table("fix_plans", schema=None) as batch_op:
        batch_op.create_index("ix_fix_plans_dedupe_key_status", ["dedupe_key", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_fix_plans_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fix_plans_status"), ["status"], unique=False)

    op.create_table(
        "run_errors",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_errors_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_errors")),
    )
    with op.batch_alter_table("run_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_errors_run_id"), ["run_id"], unique=False)

    op.create_table(
        "fix_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("fix_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fix_id"], ["fix_plans.id"], name=op.f("fk_fix_events_fix_id_fix_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fix_events")),
    )
    with op.batch_alter_table("fix_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fix_events_fix_id"), ["fix_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fix_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fix_events_fix_id"))

    op.drop_table("fix_events")
    with op.batch_alter_table("run_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_errors_run_id"))

    op.drop_table("run_errors")
    with op.batch_alter_table("fix_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fix_plans_status"))
        batch_op.drop_index(batch_op.f("ix_fix_plans_policy_id"))
        batch_op.drop_index("ix_fix_plans_dedupe_key_status")

    op.drop_table("fix_plans")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_run_id_subject")
        batch_op.drop_index("ix_findings_run_id_status")
        batch_op.drop_index("ix_findings_run_id_meeting_id")

    op.drop_table("findings")
    with op.batch_alter_table("waivers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waivers_policy_id"))

    op.drop_table("waivers")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_status"))
        batch_op.drop_index(batch_op.f("ix_runs_started_at"))

    op.drop_table("runs")
    op.drop_table("meeting_update_quota")
    op.drop_table("admins")
