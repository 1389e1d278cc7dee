"""Admin accounts of the console: add, list, remove, unlock, new passwords, and the sign-in check.

Every function takes the store; the SQL is its ``Store.admins`` repository (``store/admins.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import zoomaudit.service.console.passwords as passwords
from zoomaudit.errors import UsageError
from zoomaudit.service.console.auth import PROVIDER_PREFIXES
from zoomaudit.service.console.passwords import hash_password, password_problem
from zoomaudit.service.console.throttle import LoginPolicy
from zoomaudit.store.admins import AdminAccount
from zoomaudit.vocabulary import is_account_name

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
    accounts: tuple[str, ...] = ()
    """The Zoom accounts this admin may see and act on; empty: every account."""

    @property
    def can_approve(self) -> bool:
        return self.role == "admin"

    @property
    def allowed_accounts(self) -> tuple[str, ...] | None:
        """The accounts the admin is limited to, or None when not limited (the store's filter)."""
        return self.accounts or None

    def may_see(self, account: str) -> bool:
        """Whether the admin may see (and, with ``can_approve``, act on) things of ``account``."""
        return not self.accounts or account in self.accounts


def _info(row: AdminAccount) -> AdminInfo:
    role: Role = "admin" if row.role == "admin" else "viewer"
    return AdminInfo(
        row.id, row.email, role, row.created_at, row.last_login_at, row.locked_until, row.accounts
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_admin(store: Store, email: str, password: str, role: str, *, now: datetime) -> AdminInfo:
    """Create an account; UsageError for a bad e-mail, role or password, or an e-mail already used."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or email.startswith(PROVIDER_PREFIXES):
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
    """Give an account a new password; its sessions end and any sign-in delay is lifted."""
    if normalise_email(email).startswith(PROVIDER_PREFIXES):
        raise UsageError(f"{normalise_email(email)} signs in through its provider and has no password")
    problem = password_problem(password)
    if problem:
        raise UsageError(problem)
    if not store.admins.set_password_hash(normalise_email(email), hash_password(password)):
        raise UsageError(f"no admin with the e-mail {normalise_email(email)}")


def limit_admin(store: Store, email: str, accounts: list[str]) -> None:
    """Limit an admin to these Zoom accounts (an empty list: every account); UsageError for a
    malformed account name or an unknown admin."""
    bad = [a for a in accounts if not is_account_name(a)]
    if bad:
        raise UsageError(
            f"not an account name: {', '.join(repr(b) for b in bad)} "
            "(lower-case letters, digits and hyphens, as the accounts file names them)"
        )
    if not store.admins.set_accounts(normalise_email(email), accounts):
        raise UsageError(f"no admin with the e-mail {normalise_email(email)}")


def unlock_admin(store: Store, email: str) -> None:
    """Forget an account's failed sign-ins, so its next sign-in is checked at once."""
    if not store.admins.unlock(normalise_email(email)):
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
    """The account signed in, or None: unknown, wrong and delayed attempts are not told apart."""
    generation: int = 0
    """The account's session generation, for the new session."""


def check_login(
    store: Store,
    email: str,
    password: str,
    *,
    now: datetime,
    policy: LoginPolicy,
    address_allowed: bool = True,
) -> LoginResult:
    """Check a sign-in and record the outcome on the account.

    Every attempt costs exactly one password check, whether the e-mail is unknown, the account's
    delay (``policy.account``) or the address's (``address_allowed`` False) is running, or the
    password is wrong, so neither the answer nor its time tells these apart. A delayed attempt is
    not counted, so hammering does not stretch the delay.
    """
    row = store.admins.by_email(normalise_email(email))
    stored = row.password_hash if row is not None else passwords.dummy_hash()
    matches = passwords.verify_password(password, stored)
    if row is None:
        return LoginResult(None)
    failures = policy.account.failures_now(row.failed_attempts, row.locked_until, now)
    waiting = failures > 0 and row.locked_until is not None and now < row.locked_until
    if waiting or not address_allowed:
        return LoginResult(None)
    if not matches:
        failures += 1
        not_before = now + policy.account.wait_after(failures)
        store.admins.login_failed(row.id, failures=failures, not_before=not_before)
        return LoginResult(None)
    new_hash = hash_password(password) if passwords.needs_rehash(row.password_hash) else None
    store.admins.login_succeeded(row.id, now=now, new_hash=new_hash)
    return LoginResult(_info(row), generation=row.session_generation)
