"""Accounts of single sign-on in the store (``AdminRepository.signed_in_elsewhere``), on SQLite and
PostgreSQL: created at the first sign-in, their role following the provider at every one after."""

from __future__ import annotations

from datetime import timedelta

from zoomaudit.store import Store

from .conftest import T0

MARKER = "!signed-in-by-provider"


def test_the_first_sign_in_creates_the_account_with_no_password(store: Store) -> None:
    account = store.admins.signed_in_elsewhere("oidc:alice@example.org", "admin", MARKER, now=T0)
    assert account.email == "oidc:alice@example.org"
    assert account.role == "admin"
    assert account.password_hash == MARKER
    assert account.last_login_at is not None
    assert store.admins.count() == 1


def test_a_later_sign_in_takes_the_providers_role_and_keeps_the_sessions(store: Store) -> None:
    first = store.admins.signed_in_elsewhere("zoom:tom@example.org", "admin", MARKER, now=T0)
    later = store.admins.signed_in_elsewhere(
        "zoom:tom@example.org", "viewer", MARKER, now=T0 + timedelta(days=1)
    )
    assert later.id == first.id
    assert later.role == "viewer"
    assert later.session_generation == first.session_generation
    assert store.admins.count() == 1
