"""Console admin accounts in SQL: the repository behind ``service.console.accounts`` (the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zoomaudit.store.models import Admin, AdminAccountGrant

if TYPE_CHECKING:
    from zoomaudit.store.database import Database


@dataclass(frozen=True)
class AdminAccount:
    """An admin account as stored. The hash is for the login check and session fingerprints
    only; it is kept out of ``repr`` so no log line or traceback shows it."""

    id: int
    email: str
    role: str
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None
    """No sign-in is checked before this time (the delay after failed sign-ins)."""
    failed_attempts: int
    session_generation: int
    password_hash: str = field(repr=False)
    accounts: tuple[str, ...] = ()
    """The Zoom accounts this admin may see and act on, sorted; empty: every account."""


def _account(row: Admin, session: Session) -> AdminAccount:
    grants = session.scalars(
        select(AdminAccountGrant.account)
        .where(AdminAccountGrant.admin_id == row.id)
        .order_by(AdminAccountGrant.account)
    )
    return AdminAccount(
        row.id,
        row.email,
        row.role,
        row.created_at,
        row.last_login_at,
        row.locked_until,
        row.failed_attempts or 0,
        row.session_generation or 0,
        row.password_hash,
        tuple(grants),
    )


class AdminRepository:
    def __init__(self, store: Database) -> None:
        self._store = store

    def by_email(self, email: str) -> AdminAccount | None:
        with self._store.read_session() as session:
            row = session.scalar(select(Admin).where(Admin.email == email))
            return _account(row, session) if row is not None else None

    def by_id(self, admin_id: int) -> AdminAccount | None:
        with self._store.read_session() as session:
            row = session.get(Admin, admin_id)
            return _account(row, session) if row is not None else None

    def create(self, email: str, role: str, password_hash: str, *, now: datetime) -> AdminAccount | None:
        """A new account; None (nothing changed) when the e-mail is already used."""
        with self._store.session() as session:
            if session.scalar(select(Admin.id).where(Admin.email == email)) is not None:
                return None
            row = Admin(
                email=email,
                role=role,
                password_hash=password_hash,
                created_at=now,
                failed_attempts=0,
                session_generation=0,
            )
            session.add(row)
            session.flush()
            return _account(row, session)

    def signed_in_elsewhere(self, identity: str, role: str, marker: str, *, now: datetime) -> AdminAccount:
        """The account of someone a provider vouched for (``identity`` as ``oidc:...``/``zoom:...``),
        created on first sign-in, its role set to what the provider's answer maps to (so a change at
        the provider counts from the next sign-in) and the sign-in recorded. ``marker`` stands in
        the hash column: it is no hash, so no password ever matches it."""
        try:
            return self._sign_in_elsewhere(identity, role, marker, now)
        except IntegrityError:
            # Their first sign-in, twice at once (two tabs): the other one created the account.
            return self._sign_in_elsewhere(identity, role, marker, now)

    def _sign_in_elsewhere(self, identity: str, role: str, marker: str, now: datetime) -> AdminAccount:
        with self._store.session() as session:
            row = session.scalar(select(Admin).where(Admin.email == identity))
            if row is None:
                row = Admin(
                    email=identity,
                    role=role,
                    password_hash=marker,
                    created_at=now,
                    failed_attempts=0,
                    session_generation=0,
                )
                session.add(row)
            row.role = role
            row.last_login_at = now
            session.flush()
            return _account(row, session)

    def set_password_hash(self, email: str, password_hash: str) -> bool:
        """Replace the hash, lift any sign-in delay and end every session of the account;
        False when there is no such account."""
        with self._store.session() as session:
            row = session.scalar(select(Admin).where(Admin.email == email))
            if row is None:
                return False
            row.password_hash = password_hash
            row.failed_attempts = 0
            row.locked_until = None
            row.session_generation = (row.session_generation or 0) + 1
            return True

    def unlock(self, email: str) -> bool:
        """Forget the account's failed sign-ins (its delay ends now); False when there is no such account."""
        with self._store.session() as session:
            row = session.scalar(select(Admin).where(Admin.email == email))
            if row is None:
                return False
            row.failed_attempts = 0
            row.locked_until = None
            return True

    def end_sessions(self, admin_id: int) -> None:
        """Raise the account's session generation: every session it has stops working."""
        with self._store.session() as session:
            row = session.get(Admin, admin_id)
            if row is not None:
                row.session_generation = (row.session_generation or 0) + 1

    def set_accounts(self, email: str, accounts: Iterable[str]) -> bool:
        """Limit the admin to these Zoom accounts (none: every account), replacing any earlier
        limit; False when there is no such admin. Takes effect on the admin's next request."""
        with self._store.session() as session:
            admin_id = session.scalar(select(Admin.id).where(Admin.email == email))
            if admin_id is None:
                return False
            session.execute(delete(AdminAccountGrant).where(AdminAccountGrant.admin_id == admin_id))
            for account in sorted(set(accounts)):
                session.add(AdminAccountGrant(admin_id=admin_id, account=account))
            return True

    def all(self) -> list[AdminAccount]:
        with self._store.read_session() as session:
            return [_account(row, session) for row in session.scalars(select(Admin).order_by(Admin.email))]

    def count(self) -> int:
        with self._store.read_session() as session:
            return int(session.scalar(select(func.count()).select_from(Admin)) or 0)

    def delete(self, email: str) -> bool:
        with self._store.session() as session:
            row = session.scalar(select(Admin).where(Admin.email == email))
            if row is None:
                return False
            session.delete(row)
            return True

    def login_failed(self, admin_id: int, *, failures: int, not_before: datetime) -> None:
        """Record ``failures`` failed sign-ins in a row; none is checked before ``not_before``."""
        with self._store.session() as session:
            row = session.get(Admin, admin_id)
            if row is not None:
                row.failed_attempts = failures
                row.locked_until = not_before

    def login_succeeded(self, admin_id: int, *, now: datetime, new_hash: str | None = None) -> None:
        """Record a sign-in; ``new_hash`` replaces a hash with outdated parameters (sessions go on)."""
        with self._store.session() as session:
            row = session.get(Admin, admin_id)
            if row is not None:
                row.failed_attempts = 0
                row.locked_until = None
                row.last_login_at = now
                if new_hash is not None:
                    row.password_hash = new_hash
