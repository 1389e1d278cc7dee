"""Finding times: when the judged session starts (UTC) and how long it lasts, on each finding.

Findings of earlier runs keep NULL in both: their runs recorded no time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_time", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("duration", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("duration")
        batch_op.drop_column("start_time")
