"""Waivers in SQL: the repository behind ``zoomaudit.fixes.waivers`` (which holds the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select

from zoomaudit.errors import UsageError
from zoomaudit.store.models import Waiver as WaiverRow
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.store.database import Database


class WaiverRecord(BaseModel):
    """One waiver as stored."""

    model_config = ConfigDict(frozen=True)

    id: int
    account: str = "default"
    """The Zoom account whose findings the waiver applies to."""
    policy_id: str
    meeting_id: int | None = None
    host_email: str | None = None
    group_name: str | None = None
    reason: str
    approved_by: str
    created_at: datetime
    until: date | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None

    @property
    def scope_text(self) -> str:
        if self.meeting_id is not None:
            return f"meeting {self.meeting_id}"
        if self.host_email:
            return f"host {self.host_email}"
        return f"group {self.group_name}"

    def active_on(self, today: date) -> bool:
        return self.removed_at is None and (self.until is None or today <= self.until)


def _record(row: WaiverRow) -> WaiverRecord:
    return WaiverRecord.model_validate(row, from_attributes=True)


class WaiverRepository:
    def __init__(self, store: Database) -> None:
        self._store = store

    def active(self, today: date, *, account: str | None = None) -> list[WaiverRecord]:
        """Waivers neither removed nor expired on ``today`` (of ``account``; None: of all)."""
        query = (
            select(WaiverRow)
            .where(WaiverRow.removed_at.is_(None), or_(WaiverRow.until.is_(None), WaiverRow.until >= today))
            .order_by(WaiverRow.id)
        )
        if account is not None:
            query = query.where(WaiverRow.account == account)
        with self._store.read_session() as session:
            return [_record(row) for row in session.scalars(query)]

    def find(
        self,
        *,
        include_removed: bool = False,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[WaiverRecord]:
        """Every waiver (removed ones when asked), oldest first; of ``account``, or of any of
        ``accounts`` (a console admin's), or of all."""
        query = select(WaiverRow).order_by(WaiverRow.id)
        if not include_removed:
            query = query.where(WaiverRow.removed_at.is_(None))
        if account is not None:
            query = query.where(WaiverRow.account == account)
        if accounts is not None:
            query = query.where(WaiverRow.account.in_(list(accounts)))
        with self._store.read_session() as session:
            return [_record(row) for row in session.scalars(query)]

    def add(
        self,
        *,
        policy_id: str,
        reason: str,
        approved_by: str,
        created_at: datetime,
        meeting_id: int | None,
        host_email: str | None,
        group_name: str | None,
        until: date | None,
        account: str = DEFAULT_ACCOUNT,
    ) -> WaiverRecord:
        row = WaiverRow(
            account=account,
            policy_id=policy_id,
            meeting_id=meeting_id,
            host_email=host_email,
            group_name=group_name,
            reason=reason,
            approved_by=approved_by,
            created_at=created_at,
            until=until,
        )
        with self._store.session() as session:
            session.add(row)
            session.flush()
            return _record(row)

    def get(self, waiver_id: int) -> WaiverRecord | None:
        with self._store.read_session() as session:
            row = session.get(WaiverRow, waiver_id)
            return _record(row) if row is not None else None

    def remove(
        self, waiver_id: int, *, actor: str, now: datetime, account: str | None = None
    ) -> WaiverRecord:
        """Mark a waiver removed (kept for the record); UsageError for an unknown or removed id,
        or for a waiver of another account than ``account`` when one is given."""
        with self._store.session() as session:
            row = session.get(WaiverRow, waiver_id)
            if row is None or (account is not None and row.account != account):
                raise UsageError(f"no waiver with id {waiver_id} (see `zoomaudit waivers list`)")
            if row.removed_at is not None:
                raise UsageError(f"waiver {waiver_id} was already removed by {row.removed_by}")
            row.removed_at = now
            row.removed_by = actor
            session.flush()
            return _record(row)
