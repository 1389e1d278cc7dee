"""`audit --notify`, `notify test` and `notify log` against the sandbox and real receivers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from zoomaudit.cli.app import app
from zoomaudit.notify.catcher import SmtpCatcher
from zoomaudit.sandbox.server import RunningSandbox, start_sandbox

from .conftest import Receiver

pytestmark = pytest.mark.e2e

LEAD = "dsl@example.org"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as running:
        yield running


@pytest.fixture
def env(sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {**sandbox.env(), "ZOOMAUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_audit_notify_sends_the_digest_and_each_host_only_their_own_sessions(
    env: dict[str, str],
    smtp: SmtpCatcher,
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_NOTIFY_URLS", smtp.url(to=LEAD))
    monkeypatch.setenv("ZOOMAUDIT_NOTIFY_HOSTS", "on")
    monkeypatch.setenv("ZOOMAUDIT_SMTP_URL", smtp.url(sender="zoomaudit@brightpath.org.uk"))
    result = cli("audit", "--notify", "--quiet", "--format", "json", "--output", str(tmp_path / "r.json"))
    assert result.exit_code == 1, result.output  # violations found; sending changes nothing
    mails = smtp.caught
    digest = [m for m in mails if m.recipients == (LEAD,)]
    hosts = [m for m in mails if m.recipients != (LEAD,)]
    assert len(digest) == 1
    assert digest[0].message["Subject"].startswith("zoomaudit: ")
    assert hosts, "hosts with unsafe sessions this week get an e-mail"
    users = sandbox.state.users
    topics = {
        str(m["topic"]): users[m["host_id"]].email for m in sandbox.state.meetings.values() if m.get("topic")
    }
    for mail in hosts:
        [address] = mail.recipients
        text = mail.part("plain")
        assert mail.message["From"] == "zoomaudit@brightpath.org.uk"
        assert "Sign in at" in text or "Zoom admin" in text, text  # step by step, or who can
        others = [t for t, host in topics.items() if host != address and len(t) > 12 and t in text]
        assert not others, f"{address} was told about other hosts' sessions: {others}"
    assert any("Sign in at" in m.part("plain") for m in hosts)
    passcodes = [str(m["password"]) for m in sandbox.state.meetings.values() if m.get("password")]
    secret = env["ZOOM_CLIENT_SECRET"]
    for mail in mails:  # every message sent: no passcode, no credential
        raw = mail.raw.decode("utf-8", "replace")
        assert secret not in raw
        # As a token of its own: a short passcode ("1234") can occur by chance inside a
        # Message-ID or a MIME boundary, which would make this test fail at random.
        assert not [
            p
            for p in passcodes
            if len(p) >= 4 and re.search(rf"(?<![0-9A-Za-z]){re.escape(p)}(?![0-9A-Za-z])", raw)
        ]
    assert "notifications: " in result.output

    logged = json.loads(cli("notify", "log", "--format", "json").output)
    assert {d["kind"] for d in logged} == {"digest", "host"}
    for d in logged:
        assert set(d) >= {
            "kind",
            "channel",
            "recipients",
            "subject",
            "status",
            "attempts",
            "created_at",
            "error",
        }
        assert d["status"] == "sent"


def test_notify_test_says_which_channels_worked(
    env: dict[str, str], smtp: SmtpCatcher, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "ZOOMAUDIT_NOTIFY_URLS", f"{smtp.url(to=LEAD)} {receiver.url('json', 'secret-path-123')}"
    )
    result = cli("notify", "test")
    assert result.exit_code == 0, result.output
    assert "2 of 2 channel(s)" in result.output
    assert "secret-path-123" not in result.output

    receiver.status = 503
    result = cli("notify", "test")
    assert result.exit_code == 3, result.output
    assert "FAILED  json://127.0.0.1/…" in result.output
    assert "1 of 2 channel(s)" in result.output


@pytest.mark.parametrize("command", [["notify", "test"], ["audit", "--notify"], ["serve"]])
def test_a_malformed_url_stops_every_command_that_would_send(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_NOTIFY_URLS", "nosuchscheme://admin:Pa55word-9@example.org/hook")
    from zoomaudit.cli.app import main

    monkeypatch.setattr("sys.argv", ["zoomaudit", *command])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2


def test_audit_notify_without_a_channel_is_a_usage_error(env: dict[str, str]) -> None:
    from zoomaudit.errors import UsageError

    result = cli("audit", "--notify")
    assert isinstance(result.exception, UsageError)  # exit 2 once main() maps it
    assert "ZOOMAUDIT_NOTIFY_URLS" in str(result.exception)
