"""Admin accounts of the console: add, list, remove, and the login check with per-account lockout.

Every function takes an open SQLAlchemy session of the store (``with store.session() as db``) so that
the caller decides the transaction; the rows are the store's ``Admin`` model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from zoomaudit.errors import UsageError
from zoomaudit.service.console.auth import (
    LoginPolicy,
    burn_password_check,
    hash_password,
    password_problem,
    verify_password,
)
from zoomaudit.store.models import Admin

Role = Literal["admin", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "viewer")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class AdminInfo:
    """An admin account as the console and the CLI show it (never with the password hash)."""

    id: int
    email: str
    role: Role
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None

    @property
    def can_approve(self) -> bool:
        return self.role == "admin"


def _info(row: Admin) -> AdminInfo:
    role: Role = "admin" if row.role == "admin" else "viewer"
    return AdminInfo(row.id, row.email, role, row.created_at, row.last_login_at, row.locked_until)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_admin(db: DbSession, email: str, password: str, role: str, *, now: datetime) -> AdminInfo:
    """Create an account; UsageError for a bad e-mail, role or password, or an e-mail already used."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise UsageError(f"not an e-mail address: {email!r}")
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise UsageError(problem)
    if db.scalar(select(Admin).where(Admin.email == email)) is not None:
        raise UsageError(f"an admin with the e-mail {email} already exists")
    row = Admin(
        email=email,
        role=role,
        password_hash=hash_password(password),
        created_at=now,
        failed_attempts=0,
    )
    db.add(row)
    db.flush()
    return _info(row)


def set_password(db: DbSession, email: str, password: str) -> None:
    """Give an account a new password (its sessions end: they carry a fingerprint of the old hash)."""
    problem = password_problem(password)
    if problem:
        raise UsageError(problem)
    row = db.scalar(select(Admin).where(Admin.email == normalise_email(email)))
    if row is None:
        raise UsageError(f"no admin with the e-mail {normalise_email(email)}")
    row.password_hash = hash_password(password)
    row.failed_attempts = 0
    row.locked_until = None
    db.flush()


def list_admins(db: DbSession) -> list[AdminInfo]:
    return [_info(row) for row in db.scalars(select(Admin).order_by(Admin.email))]


def count_admins(db: DbSession) -> int:
    return int(db.scalar(select(func.count()).select_from(Admin)) or 0)


def remove_admin(db: DbSession, email: str) -> None:
    row = db.scalar(select(Admin).where(Admin.email == normalise_email(email)))
    if row is None:
        raise UsageError(f"no admin with the e-mail {normalise_email(email)}")
    db.delete(row)
    db.flush()


def get_admin(db: DbSession, admin_id: int) -> Admin | None:
    return db.get(Admin, admin_id)


@dataclass(frozen=True)
class LoginResult:
    admin: AdminInfo | None
    password_hash: str | None = field(default=None, repr=False)
    """Only to fingerprint the new session; kept out of ``repr`` so no log line or traceback shows it."""
    locked_until: datetime | None = None
    """Set when the account is locked (whatever the password was)."""


def check_login(
    db: DbSession, email: str, password: str, *, now: datetime, policy: LoginPolicy
) -> LoginResult:
    """Check a login and record the outcome on the account.

    A locked account is refused without checking the password, so guessing cannot continue during
    the lockout; ``policy.account_attempts`` failures in a row lock it for ``policy.account_lockout``.
    Unknown e-mails take as long as known ones.
    """
    row = db.scalar(select(Admin).where(Admin.email == normalise_email(email)))
    if row is None:
        burn_password_check(password)
        return LoginResult(None)
    if row.locked_until is not None and row.locked_until > now:
        return LoginResult(None, locked_until=row.locked_until)
    if not verify_password(password, row.password_hash):
        row.failed_attempts = (row.failed_attempts or 0) + 1
        if row.failed_attempts >= policy.account_attempts:
            row.locked_until = now + policy.account_lockout
            row.failed_attempts = 0
        db.flush()
        return LoginResult(
            None, locked_until=row.locked_until if row.locked_until and row.locked_until > now else None
        )
    row.failed_attempts = 0
    row.locked_until = None
    row.last_login_at = now
    db.flush()
    return LoginResult(_info(row), password_hash=row.password_hash)
