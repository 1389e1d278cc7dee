"""Every stored thing carries its Zoom account (issue 18): runs, fix plans, waivers, pre-session
checks and notifications gain ``account``, the account's short name; rows from before are the one
account ``default``. Findings, run errors and snapshot chunks belong to their run's account
through ``run_id``, a plan's trail to its plan's through ``fix_id``: no column on those tables.
The console's admins may be limited to some accounts (``admin_account_grants``; none: all).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables that gain the column, and whether it gets an index of its own (runs and fix plans are
# read by account together with another column, in the composite indexes below).
_TABLES = {
    "runs": False,
    "fix_plans": False,
    "waivers": True,
    "pre_session_checks": True,
    "notifications": True,
}


def upgrade() -> None:
    for table, indexed in _TABLES.items():
        # NOT NULL with a server default: SQLite and PostgreSQL both add it in place and fill
        # every existing row with 'default', without rebuilding the table.
        op.add_column(
            table,
            sa.Column("account", sa.String(length=64), server_default="default", nullable=False),
        )
        if indexed:
            op.create_index(op.f(f"ix_{table}_account"), table, ["account"])
    op.create_index("ix_runs_account_started_at", "runs", ["account", "started_at"])
    op.drop_index("ix_fix_plans_dedupe_key_status", table_name="fix_plans")
    op.create_index(
        "ix_fix_plans_account_dedupe_key_status", "fix_plans", ["account", "dedupe_key", "status"]
    )
    op.create_table(
        "admin_account_grants",
        sa.Column("admin_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["admins.id"],
            name=op.f("fk_admin_account_grants_admin_id_admins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("admin_id", "account", name=op.f("pk_admin_account_grants")),
    )


def downgrade() -> None:
    op.drop_table("admin_account_grants")
    op.drop_index("ix_fix_plans_account_dedupe_key_status", table_name="fix_plans")
    op.create_index("ix_fix_plans_dedupe_key_status", "fix_plans", ["dedupe_key", "status"])
    op.drop_index("ix_runs_account_started_at", table_name="runs")
    for table, indexed in reversed(_TABLES.items()):
        if indexed:
            op.drop_index(op.f(f"ix_{table}_account"), table_name=table)
        op.drop_column(table, "account")  # SQLite >= 3.35 drops a column in place
