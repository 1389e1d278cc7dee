"""The console's security primitives: password hashes, the secret file, session cookies, CSRF, limits."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from zoomaudit.service.console.auth import (
    SESSION_LIFETIME,
    Signer,
    default_secret_path,
    load_or_create_secret,
)
from zoomaudit.service.console.passwords import hash_password, password_problem, verify_password
from zoomaudit.service.console.throttle import AddressThrottle, Backoff

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def test_a_password_hash_is_salted_argon2id_and_verifies_only_the_password() -> None:
    first, second = hash_password("a long enough password"), hash_password("a long enough password")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second
    assert "a long enough password" not in first
    assert verify_password("a long enough password", first)
    assert verify_password("a long enough password", second)
    assert not verify_password("a long enough passworD", first)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "md5$x$y",
        "scrypt$16384$8$1$!!$??",
        "scrypt$a$b$c$d$e",
        "$argon2id$v=19$junk",
        "$argon2id$",
    ],
)
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
    session = signer.new_session(7, 3, NOW)
    cookie = signer.dump_session(session)
    assert signer.load_session(cookie, NOW) == session
    assert session.generation == 3
    body, mac = cookie.rsplit(".", 1)
    # A MAC that differs for sure: the session id is random, so "AA" could be its own ending.
    tampered = mac[:-2] + ("AB" if mac.endswith("AA") else "AA")
    assert signer.load_session(body + "." + tampered, NOW) is None
    assert signer.load_session("garbage", NOW) is None
    assert Signer(b"t" * 32).load_session(cookie, NOW) is None


def test_a_session_expires_and_ends_when_idle_unless_it_is_used() -> None:
    signer = Signer(b"s" * 32, idle=timedelta(minutes=30))
    session = signer.new_session(7, 0, NOW)
    assert signer.load_session(signer.dump_session(session), NOW + timedelta(minutes=30)) is None
    used = signer.touch(session, NOW + timedelta(minutes=29))
    assert signer.load_session(signer.dump_session(used), NOW + timedelta(minutes=58)) == used
    renewed = signer.dump_session(signer.touch(used, NOW + timedelta(hours=7, minutes=59)))
    assert signer.load_session(renewed, NOW + SESSION_LIFETIME) is None


def test_csrf_tokens_are_bound_to_the_session() -> None:
    signer = Signer(b"s" * 32)
    token = signer.csrf_token("session-a")
    assert signer.check_csrf("session-a", token)
    assert not signer.check_csrf("session-b", token)
    assert not signer.check_csrf("session-a", None)
    assert not signer.check_csrf("session-a", "")


@pytest.mark.parametrize(
    ("failures", "seconds"), [(0, 0), (2, 0), (3, 1), (4, 2), (5, 4), (8, 32), (11, 60), (500, 60)]
)
def test_the_wait_doubles_after_the_allowance_up_to_the_cap(failures: int, seconds: int) -> None:
    backoff = Backoff(free=3, cap=timedelta(minutes=1))
    assert backoff.wait_after(failures) == timedelta(seconds=seconds)


def test_the_address_throttle_waits_then_forgets() -> None:
    throttle = AddressThrottle(Backoff(free=2, cap=timedelta(minutes=1), forget=timedelta(hours=1)))
    address = "198.51.100.1"
    assert throttle.attempt(address, NOW)
    assert throttle.attempt(address, NOW)
    assert not throttle.attempt(address, NOW)  # 1 second to wait; not counted
    assert throttle.failures(address) == 2
    assert throttle.attempt("198.51.100.2", NOW)
    assert throttle.attempt(address, NOW + timedelta(seconds=1))
    assert not throttle.attempt(address, NOW + timedelta(seconds=2))  # now 2 seconds
    assert throttle.attempt(address, NOW + timedelta(hours=2))
    assert throttle.failures(address) == 1
    throttle.succeeded(address)
    assert throttle.failures(address) == 0
