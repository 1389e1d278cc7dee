"""Pre-session checks and each finding's meeting time zone.

``pre_session_checks`` records every check ``zoomaudit serve`` runs shortly before a session;
``findings.timezone`` keeps the meeting's own time zone so that reports show its start as the
host wrote it. Findings of earlier runs keep NULL (their starts show in UTC).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    op.create_table(
        "pre_session_checks",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("occurrence_key", sa.String(length=64), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("violations", sa.JSON(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pre_session_checks")),
    )
    op.create_index(
        "ix_pre_session_checks_session",
        "pre_session_checks",
        ["meeting_id", "occurrence_key", "start_time"],
    )
    op.create_index(op.f("ix_pre_session_checks_ran_at"), "pre_session_checks", ["ran_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pre_session_checks_ran_at"), table_name="pre_session_checks")
    op.drop_index("ix_pre_session_checks_session", table_name="pre_session_checks")
    op.drop_table("pre_session_checks")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("timezone")
