"""The fix trail's one writer: every transition of a fix plan is appended here, secrets masked.

Rows of ``fix_events`` are never updated or deleted. Callers hand over the values they read from
Zoom as they are; masking here (``zoomaudit.redaction``), not in each caller, keeps a passcode out
of the trail whoever records the transition. Each event carries the time its caller says the
transition happened (``at``: the caller's clock when it moves the plan, never the start of the run
or batch it belongs to).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zoomaudit.redaction import redact
from zoomaudit.store.models import FixEvent


def append_event(
    session: Session,
    fix_id: str,
    *,
    at: datetime,
    actor: str,
    from_status: str | None,
    to_status: str,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> None:
    """Append one transition to the trail (in the caller's transaction), secrets masked."""
    if at.tzinfo is None:
        raise ValueError("a trail event needs a timezone-aware time")
    session.add(
        FixEvent(
            fix_id=fix_id,
            at=at,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            before=redact(before) if before is not None else None,
            after=redact(after) if after is not None else None,
            note=note,
        )
    )
