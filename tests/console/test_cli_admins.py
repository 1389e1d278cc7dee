"""`zoomaudit admins`: add (prompted or from stdin), list, remove; errors are usage errors (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.service.console.passwords import verify_password
from zoomaudit.settings import load_settings
from zoomaudit.store import Store
from zoomaudit.store.models import Admin

PASSWORD = "a long enough password"


def _zoomaudit(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zoomaudit", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ,
    )


def _stored(email: str) -> Admin | None:
    with Store.from_settings(load_settings()) as store, store.read_session() as db:
        from sqlalchemy import select

        return db.scalar(select(Admin).where(Admin.email == email))


def test_add_reads_the_password_from_stdin_and_stores_only_a_slow_hash() -> None:
    result = CliRunner().invoke(
        app, ["admins", "add", "Lead@Example.org", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "added lead@example.org (admin)" in result.output
    row = _stored("lead@example.org")
    assert row is not None
    assert row.role == "admin"
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert verify_password(PASSWORD, row.password_hash)


def test_add_prompts_twice_without_echoing() -> None:
    result = CliRunner().invoke(
        app, ["admins", "add", "viewer@example.org", "--role", "viewer"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    row = _stored("viewer@example.org")
    assert row is not None
    assert row.role == "viewer"


def test_list_shows_accounts_but_never_hashes() -> None:
    CliRunner().invoke(app, ["admins", "add", "a@example.org", "--password-stdin"], input=PASSWORD)
    listed = CliRunner().invoke(app, ["admins", "list", "--format", "json"])
    assert listed.exit_code == 0
    (entry,) = json.loads(listed.output)
    assert entry["email"] == "a@example.org"
    assert entry["role"] == "admin"
    assert entry["last_login_at"] is None
    assert "argon2" not in listed.output
    assert "hash" not in listed.output
    table = CliRunner().invoke(app, ["admins", "list"])
    assert "a@example.org" in table.output
    assert "never" in table.output


def test_an_empty_list_says_how_to_add_an_account() -> None:
    result = CliRunner().invoke(app, ["admins", "list"])
    assert result.exit_code == 0
    assert "zoomaudit admins add EMAIL" in result.output


def test_remove_deletes_the_account() -> None:
    CliRunner().invoke(app, ["admins", "add", "a@example.org", "--password-stdin"], input=PASSWORD)
    result = CliRunner().invoke(app, ["admins", "remove", "A@example.org"])
    assert result.exit_code == 0
    assert "removed a@example.org" in result.output
    assert _stored("a@example.org") is None


def test_mistakes_are_usage_errors_with_a_reason() -> None:
    assert _zoomaudit("admins", "add", "a@example.org", "--password-stdin", stdin=PASSWORD).returncode == 0
    cases = [
        (("admins", "add", "a@example.org", "--password-stdin"), PASSWORD, "already exists"),
        (("admins", "add", "b@example.org", "--password-stdin"), "short", "at least 10 characters"),
        (("admins", "add", "not-an-email", "--password-stdin"), PASSWORD, "not an e-mail address"),
        (("admins", "add", "c@example.org", "--role", "owner", "--password-stdin"), PASSWORD, "unknown role"),
        (("admins", "remove", "nobody@example.org"), "", "no admin with the e-mail"),
    ]
    for args, stdin, message in cases:
        out = _zoomaudit(*args, stdin=stdin)
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr


def test_unlock_ends_the_delay_of_an_account_at_once() -> None:
    from datetime import UTC, datetime, timedelta

    CliRunner().invoke(app, ["admins", "add", "a@example.org", "--password-stdin"], input=PASSWORD)
    with Store.from_settings(load_settings()) as store:
        account = store.admins.by_email("a@example.org")
        assert account is not None
        later = datetime.now(UTC) + timedelta(minutes=5)
        store.admins.login_failed(account.id, failures=9, not_before=later)
    result = CliRunner().invoke(app, ["admins", "unlock", "A@example.org"])
    assert result.exit_code == 0, result.output
    assert "unlocked a@example.org" in result.output
    row = _stored("a@example.org")
    assert row is not None
    assert (row.failed_attempts, row.locked_until) == (0, None)
    assert _zoomaudit("admins", "unlock", "nobody@example.org").returncode == 2


def test_set_password_reads_stdin_and_ends_the_sessions() -> None:
    CliRunner().invoke(app, ["admins", "add", "a@example.org", "--password-stdin"], input=PASSWORD)
    before = _stored("a@example.org")
    assert before is not None
    result = CliRunner().invoke(
        app, ["admins", "set-password", "a@example.org", "--password-stdin"], input="a new long password\n"
    )
    assert result.exit_code == 0, result.output
    assert "a new long password" not in result.output
    row = _stored("a@example.org")
    assert row is not None
    assert verify_password("a new long password", row.password_hash)
    assert not verify_password(PASSWORD, row.password_hash)
    assert row.session_generation == before.session_generation + 1


def test_set_password_prompts_twice_and_takes_no_password_argument() -> None:
    CliRunner().invoke(app, ["admins", "add", "a@example.org", "--password-stdin"], input=PASSWORD)
    prompted = CliRunner().invoke(
        app, ["admins", "set-password", "a@example.org"], input="a new long password\na new long password\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert "Password" in prompted.output
    assert "Repeat for confirmation" in prompted.output
    row = _stored("a@example.org")
    assert row is not None
    assert verify_password("a new long password", row.password_hash)
    assert CliRunner().invoke(app, ["admins", "set-password", "a@example.org", "pw-here"]).exit_code == 2
    short = _zoomaudit("admins", "set-password", "a@example.org", "--password-stdin", stdin="short")
    assert short.returncode == 2
    assert "at least 10 characters" in short.stderr


def test_limit_keeps_an_admin_to_some_accounts_and_all_accounts_lifts_it() -> None:
    CliRunner().invoke(app, ["admins", "add", "a@example.org", "--password-stdin"], input=PASSWORD)
    limited = CliRunner().invoke(
        app, ["admins", "limit", "A@example.org", "--account", "riverside", "--account", "hillside"]
    )
    assert limited.exit_code == 0, limited.output
    assert "a@example.org now sees only: hillside, riverside" in limited.output
    (entry,) = json.loads(CliRunner().invoke(app, ["admins", "list", "--format", "json"]).output)
    assert entry["accounts"] == ["hillside", "riverside"]
    assert "hillside, riverside" in CliRunner().invoke(app, ["admins", "list"]).output
    lifted = CliRunner().invoke(app, ["admins", "limit", "a@example.org", "--all-accounts"])
    assert lifted.exit_code == 0, lifted.output
    (entry,) = json.loads(CliRunner().invoke(app, ["admins", "list", "--format", "json"]).output)
    assert entry["accounts"] == []


def test_limit_refuses_a_malformed_account_an_unknown_admin_or_no_choice() -> None:
    _zoomaudit("admins", "add", "a@example.org", "--password-stdin", stdin=PASSWORD)
    bad = _zoomaudit("admins", "limit", "a@example.org", "--account", "River Side")
    assert bad.returncode == 2
    assert "not an account name: 'River Side'" in bad.stderr
    unknown = _zoomaudit("admins", "limit", "nobody@example.org", "--account", "riverside")
    assert unknown.returncode == 2
    assert "no admin with the e-mail nobody@example.org" in unknown.stderr
    neither = _zoomaudit("admins", "limit", "a@example.org")
    assert neither.returncode == 2
    assert "--all-accounts" in neither.stderr
