"""The delivery log and the dedupe marks in SQL (zoomaudit.notify.deliver decides; this stores).

``marks_of`` answers "which of these keys did this recipient already get in this period"; a
delivery and its marks are written in one transaction, so two processes sending the same digest
at once (``serve`` and ``audit --notify``) cannot both pass the check and both send: the second
insert of a mark fails, and that delivery is recorded as suppressed instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from zoomaudit.store.models import Notification, NotificationMark
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.store.database import Database

STATUSES = ("sent", "retrying", "failed", "suppressed")


@dataclass(frozen=True)
class Delivery:
    """One stored delivery (a row of the delivery log)."""

    id: int
    kind: str
    channel: str
    channel_fp: str
    recipients: list[str]
    host: str | None
    subject: str
    covers: list[str]
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    error: str | None
    body_text: str
    body_short: str
    body_html: str | None
    account: str = DEFAULT_ACCOUNT
    """The Zoom account the message is about."""

    def as_json(self) -> dict[str, Any]:
        """The delivery log's JSON object (``zoomaudit notify log --format json``)."""

        def stamp(moment: datetime | None) -> str | None:
            return moment.isoformat().replace("+00:00", "Z") if moment else None

        return {
            "id": self.id,
            "kind": self.kind,
            "channel": self.channel,
            "recipients": list(self.recipients),
            "subject": self.subject,
            "covers": list(self.covers),
            "status": self.status,
            "attempts": self.attempts,
            "created_at": stamp(self.created_at),
            "sent_at": stamp(self.sent_at),
            "next_attempt_at": stamp(self.next_attempt_at),
            "error": self.error,
        }


def _delivery(row: Notification) -> Delivery:
    return Delivery(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        channel_fp=row.channel_fp,
        recipients=list(row.recipients or []),
        host=row.host,
        subject=row.subject,
        covers=list(row.covers or []),
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        error=row.error,
        body_text=row.body_text,
        body_short=row.body_short,
        body_html=row.body_html,
        account=row.account,
    )


def _mark_key(account: str, key: str) -> str:
    """A dedupe key as marked: another account's finding with the same key (the same subject
    ``account``, say) is another message, even on a channel both accounts share. The default
    account's keys are kept as they were before accounts, so its marks stay valid."""
    return key if account == DEFAULT_ACCOUNT else f"{account}/{key}"


class NotificationLog:
    def __init__(self, store: Database) -> None:
        self._store = store

    def marks_of(
        self,
        channel_fp: str,
        recipient: str,
        period: str,
        keys: Iterable[str],
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> set[str]:
        """Which of ``keys`` (of ``account``) this recipient of this channel already got in
        ``period``."""
        as_marked = {_mark_key(account, key): key for key in keys}
        wanted = list(as_marked)
        found: set[str] = set()
        with self._store.read_session() as session:
            for start in range(0, len(wanted), 500):
                found.update(
                    session.scalars(
                        select(NotificationMark.key).where(
                            NotificationMark.channel_fp == channel_fp,
                            NotificationMark.recipient == recipient,
                            NotificationMark.period == period,
                            NotificationMark.key.in_(wanted[start : start + 500]),
                        )
                    )
                )
        return {as_marked[key] for key in found}

    def record(
        self,
        *,
        kind: str,
        channel: str,
        channel_fp: str,
        recipients: list[str],
        host: str | None,
        subject: str,
        covers: list[str],
        marks: list[tuple[str, str]],
        status: str,
        created_at: datetime,
        body_text: str = "",
        body_short: str = "",
        body_html: str | None = None,
        error: str | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> Delivery | None:
        """Store a delivery about ``account`` with its marks (``(key, period)``) in one
        transaction.

        None when one of the marks exists already (another process sent it first)."""
        row = Notification(
            account=account,
            kind=kind,
            channel=channel,
            channel_fp=channel_fp,
            recipients=recipients,
            host=host,
            subject=subject,
            covers=covers,
            status=status,
            attempts=0,
            created_at=created_at,
            body_text=body_text,
            body_short=body_short,
            body_html=body_html,
            error=error,
        )
        try:
            with self._store.session() as session:
                session.add(row)
                session.flush()
                for key, period in marks:
                    session.add(
                        NotificationMark(
                            channel_fp=channel_fp,
                            recipient=host or "",
                            key=_mark_key(account, key)[:255],
                            period=period,
                            notification_id=row.id,
                        )
                    )
                session.flush()
                return _delivery(row)
        except IntegrityError:
            return None

    def attempted(
        self,
        delivery_id: int,
        *,
        status: str,
        at: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> Delivery:
        """Record one attempt and its result."""
        with self._store.session() as session:
            row = session.get(Notification, delivery_id)
            if row is None:
                raise KeyError(delivery_id)
            row.attempts += 1
            row.status = status
            row.error = error
            row.next_attempt_at = next_attempt_at
            if status == "sent":
                row.sent_at = at
            return _delivery(row)

    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Deliveries waiting for a retry whose time has come, oldest first."""
        with self._store.read_session() as session:
            rows = session.scalars(
                select(Notification)
                .where(Notification.status == "retrying", Notification.next_attempt_at <= now)
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
            ).all()
            return [_delivery(row) for row in rows]

    def recent(
        self,
        limit: int = 100,
        kind: str | None = None,
        *,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[Delivery]:
        """The latest deliveries, newest first: of ``account``, of any of ``accounts`` (a console
        admin's), or of all."""
        query = select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc())
        if kind is not None:
            query = query.where(Notification.kind == kind)
        if account is not None:
            query = query.where(Notification.account == account)
        if accounts is not None:
            query = query.where(Notification.account.in_(list(accounts)))
        with self._store.read_session() as session:
            return [_delivery(row) for row in session.scalars(query.limit(limit)).all()]

    def failed_attempts_since_sent(self, channel_fp: str) -> int:
        """Failed attempts of this channel's deliveries since its last one that was sent."""
        with self._store.read_session() as session:
            last_sent = session.scalar(
                select(func.max(Notification.id)).where(
                    Notification.channel_fp == channel_fp, Notification.status == "sent"
                )
            )
            query = select(func.coalesce(func.sum(Notification.attempts), 0)).where(
                Notification.channel_fp == channel_fp, Notification.status.in_(("retrying", "failed"))
            )
            if last_sent is not None:
                query = query.where(Notification.id > last_sent)
            return int(session.scalar(query) or 0)
