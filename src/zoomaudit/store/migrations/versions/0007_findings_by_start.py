"""An index on findings' start time: the upcoming sessions and the pre-session plan read findings
by when their session starts, every few minutes, over every run kept.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_findings_start_time", "findings", ["start_time"])


def downgrade() -> None:
    op.drop_index("ix_findings_start_time", table_name="findings")
