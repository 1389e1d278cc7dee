"""Snapshots of what a run judged (``zoomaudit rejudge``): the chunks of each kept snapshot, and
the run a rejudge run came from.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snapshot_chunks",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_snapshot_chunks_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "sequence", name=op.f("pk_snapshot_chunks")),
    )
    # A plain column, no foreign key: adding one on SQLite means rebuilding ``runs`` (batch
    # mode), and dropping the old table would cascade to every finding. Retention clears it.
    op.add_column("runs", sa.Column("rejudged_from", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("runs", "rejudged_from")  # SQLite >= 3.35 drops a column in place
    op.drop_table("snapshot_chunks")
