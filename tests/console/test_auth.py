"""The console's security primitives: password hashes, the secret file, session cookies, CSRF, limits."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from zoomaudit.service.console.auth import (
    SESSION_LIFETIME,
    AddressLimiter,
    LoginPolicy,
    Signer,
    default_secret_path,
    hash_password,
    load_or_create_secret,
    password_problem,
    verify_password,
)

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def test_a_password_hash_is_salted_scrypt_and_verifies_only_the_password() -> None:
    first, second = hash_password("a long enough password"), hash_password("a long enough password")
    assert first.startswith("scrypt$")
    assert first != second
    assert "a long enough password" not in first
    assert verify_password("a long enough password", first)
    assert verify_password("a long enough password", second)
    assert not verify_password("a long enough passworD", first)


@pytest.mark.parametrize("stored", ["", "plain", "md5$x$y", "scrypt$16384$8$1$!!$??", "scrypt$a$b$c$d$e"])
def test_a_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_password("anything at all", stored)


@pytest.mark.parametrize(
    ("password", "ok"), [("short", False), (" padded password ", False), ("a long enough password", True)]
)
def test_password_rules(password: str, ok: bool) -> None:
    assert (password_problem(password) is None) is ok


def test_the_secret_is_generated_once_kept_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "console-secret"
    secret = load_or_create_secret(path)
    assert len(secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret
    assert load_or_create_secret(tmp_path / "other") != secret


def test_the_secret_lives_next_to_an_sqlite_database(tmp_path: Path) -> None:
    assert default_secret_path(f"sqlite:///{tmp_path}/za.db") == tmp_path / "za.db.console-secret"
    monkey_state = default_secret_path("postgresql://db/zoomaudit")
    assert monkey_state.name == "console-secret"
    assert monkey_state.parent.name == "zoomaudit"


def test_a_session_cookie_round_trips_and_resists_tampering() -> None:
    signer = Signer(b"s" * 32)
    session = signer.new_session(7, "hash", NOW)
    cookie = signer.dump_session(session)
    assert signer.load_session(cookie, NOW) == session
    body, mac = cookie.rsplit(".", 1)
    # A MAC that differs for sure: the session id is random, so "AA" could be its own ending.
    tampered = mac[:-2] + ("AB" if mac.endswith("AA") else "AA")
    assert signer.load_session(body + "." + tampered, NOW) is None
    assert signer.load_session("garbage", NOW) is None
    assert Signer(b"t" * 32).load_session(cookie, NOW) is None


def test_a_session_expires_and_can_be_revoked() -> None:
    signer = Signer(b"s" * 32)
    session = signer.new_session(7, "hash", NOW)
    cookie = signer.dump_session(session)
    assert signer.load_session(cookie, NOW + SESSION_LIFETIME) is None
    signer.revoke(session, NOW)
    assert signer.load_session(cookie, NOW) is None


def test_csrf_tokens_are_bound_to_the_session() -> None:
    signer = Signer(b"s" * 32)
    token = signer.csrf_token("session-a")
    assert signer.check_csrf("session-a", token)
    assert not signer.check_csrf("session-b", token)
    assert not signer.check_csrf("session-a", None)
    assert not signer.check_csrf("session-a", "")


def test_the_address_limiter_blocks_after_the_allowed_failures_until_the_window_passes() -> None:
    limiter = AddressLimiter(LoginPolicy(address_attempts=3, address_window=timedelta(minutes=10)))
    for minute in range(3):
        assert limiter.blocked_for("198.51.100.1", NOW) is None
        limiter.failed("198.51.100.1", NOW + timedelta(minutes=minute))
    wait = limiter.blocked_for("198.51.100.1", NOW + timedelta(minutes=3))
    assert wait == timedelta(minutes=7)
    assert limiter.blocked_for("198.51.100.2", NOW) is None
    assert limiter.blocked_for("198.51.100.1", NOW + timedelta(minutes=10)) is None
