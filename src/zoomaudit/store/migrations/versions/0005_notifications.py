"""Notifications: every message sent (or not) to each channel, and the dedupe marks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=500), nullable=False),
        sa.Column("channel_fp", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("host", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("covers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_short", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_channel_fp"), "notifications", ["channel_fp"])
    op.create_index(op.f("ix_notifications_created_at"), "notifications", ["created_at"])
    op.create_index("ix_notifications_status_next", "notifications", ["status", "next_attempt_at"])
    op.create_table(
        "notification_marks",
        sa.Column("channel_fp", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("notification_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "channel_fp", "recipient", "key", "period", name=op.f("pk_notification_marks")
        ),
    )


def downgrade() -> None:
    op.drop_table("notification_marks")
    op.drop_index("ix_notifications_status_next", table_name="notifications")
    op.drop_index(op.f("ix_notifications_created_at"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_channel_fp"), table_name="notifications")
    op.drop_table("notifications")
