"""Admin accounts of the console: add, list, remove, and the login check with per-account lockout.

Every function takes the store; the SQL is its ``Store.admins`` repository (``store/admins.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from zoomaudit.errors import UsageError
from zoomaudit.service.console.auth import (
    LoginPolicy,
    burn_password_check,
    hash_password,
    password_problem,
    verify_password,
)
from zoomaudit.store.admins import AdminAccount

if TYPE_CHECKING:
    from zoomaudit.store.store import Store

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


def _info(row: AdminAccount) -> AdminInfo:
    role: Role = "admin" if row.role == "admin" else "viewer"
    return AdminInfo(row.id, row.email, role, row.created_at, row.last_login_at, row.locked_until)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_admin(store: Store, email: str, password: str, role: str, *, now: datetime) -> AdminInfo:
    """Create an account; UsageError for a bad e-mail, role or password, or an e-mail already used."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise UsageError(f"not an e-mail address: {email!r}")
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise UsageError(problem)
    account = store.admins.create(email, role, hash_password(password), now=now)
    if account is None:
        raise UsageError(f"an admin with the e-mail {email} already exists")
    return _info(account)


def set_password(store: Store, email: str, password: str) -> None:
    """Give an account a new password (its sessions end: they carry a fingerprint of the old hash)."""
    problem = password_problem(password)
    if problem:
        raise UsageError(problem)
    if not store.admins.set_password_hash(normalise_email(email), hash_password(password)):
        raise UsageError(f"no admin with the e-mail {normalise_email(email)}")


def list_admins(store: Store) -> list[AdminInfo]:
    return [_info(account) for account in store.admins.all()]


def count_admins(store: Store) -> int:
    return store.admins.count()


def remove_admin(store: Store, email: str) -> None:
    if not store.admins.delete(normalise_email(email)):
        raise UsageError(f"no admin with the e-mail {normalise_email(email)}")


def get_admin(store: Store, admin_id: int) -> AdminAccount | None:
    return store.admins.by_id(admin_id)


@dataclass(frozen=True)
class LoginResult:
    admin: AdminInfo | None
    password_hash: str | None = field(default=None, repr=False)
    """Only to fingerprint the new session; kept out of ``repr`` so no log line or traceback shows it."""
    locked_until: datetime | None = None
    """Set when the account is locked (whatever the password was)."""


def check_login(
    store: Store, email: str, password: str, *, now: datetime, policy: LoginPolicy
) -> LoginResult:
    """Check a login and record the outcome on the account.

    A locked account is refused without checking the password, so guessing cannot continue during
    the lockout; ``policy.account_attempts`` failures in a row lock it for ``policy.account_lockout``.
    Unknown e-mails take as long as known ones.
    """
    row = store.admins.by_email(normalise_email(email))
    if row is None:
        burn_password_check(password)
        return LoginResult(None)
    if row.locked_until is not None and row.locked_until > now:
        return LoginResult(None, locked_until=row.locked_until)
    if not verify_password(password, row.password_hash):
        locked_until = store.admins.login_failed(
            row.id, now=now, attempts=policy.account_attempts, lockout=policy.account_lockout
        )
        return LoginResult(None, locked_until=locked_until)
    store.admins.login_succeeded(row.id, now=now)
    return LoginResult(_info(row), password_hash=row.password_hash)
