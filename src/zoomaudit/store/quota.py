"""The per-host meeting update quota in SQL: zoomaudit's own meeting PATCHes per UTC day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from zoomaudit.store.models import MeetingUpdateQuota

if TYPE_CHECKING:
    from zoomaudit.store.database import Database


class QuotaRepository:
    def __init__(self, store: Database) -> None:
        self._store = store

    def reserve(self, host_id: str, day: date, limit: int) -> bool:
        """Count one meeting PATCH for ``host_id`` on ``day`` if fewer than ``limit`` were counted.

        The count is raised by one conditional UPDATE, not read and written back: two processes
        (``serve`` and a command line) reserving at once on a database that does not serialise
        writers (PostgreSQL) would otherwise both read 99 and both send a 100th update.
        """
        if limit < 1:
            return False
        for _ in range(2):
            try:
                with self._store.session() as session:
                    raised = session.execute(
                        update(MeetingUpdateQuota)
                        .where(
                            MeetingUpdateQuota.host_id == host_id,
                            MeetingUpdateQuota.day == day,
                            MeetingUpdateQuota.count < limit,
                        )
                        .values(count=MeetingUpdateQuota.count + 1)
                        .execution_options(synchronize_session=False)
                    )
                    if getattr(raised, "rowcount", 0) == 1:
                        return True
                    if session.get(MeetingUpdateQuota, (host_id, day)) is not None:
                        return False
                    session.add(MeetingUpdateQuota(host_id=host_id, day=day, count=1))
                return True
            except IntegrityError:
                continue  # another process created the day's row first: raise it instead
        return False

    def raise_to(self, host_id: str, day: date, count: int) -> None:
        """Count at least ``count`` updates for the day (Zoom said the quota is used up)."""
        with self._store.session() as session:
            row = session.get(MeetingUpdateQuota, (host_id, day))
            if row is None:
                session.add(MeetingUpdateQuota(host_id=host_id, day=day, count=count))
            elif row.count < count:
                row.count = count

    def used(self, host_id: str, day: date) -> int:
        with self._store.read_session() as session:
            row = session.get(MeetingUpdateQuota, (host_id, day))
            return row.count if row is not None else 0

    def set_used(self, host_id: str, day: date, count: int) -> None:
        with self._store.session() as session:
            row = session.get(MeetingUpdateQuota, (host_id, day))
            if row is None:
                session.add(MeetingUpdateQuota(host_id=host_id, day=day, count=count))
            else:
                row.count = count
