"""Findings lose their (run, meeting) index: (run, subject, policy) answers the same questions,
since a meeting's findings have the subject ``meeting:<id>``, and each index costs every stored
finding a second insert (an eighth of a rejudge's writing time).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_findings_run_id_meeting_id", table_name="findings")


def downgrade() -> None:
    op.create_index("ix_findings_run_id_meeting_id", "findings", ["run_id", "meeting_id"])
