"""`zoomaudit demo` (what `make demo` runs) audits the sandbox, queues fixes and applies one, and
says so in a few plain lines that read the same in a pipe or a CI log as in a terminal: a summary,
then the soonest unsafe sessions, then how to approve."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.cli.demo import demo_environment
from zoomaudit.cli.demo_output import SOON_SHOWN, WIDTH
from zoomaudit.errors import UsageError
from zoomaudit.report.common import starting_soon, when_text
from zoomaudit.sandbox import demo_state
from zoomaudit.sandbox.demo import CLIENT_SECRET
from zoomaudit.store import Store

NOW = datetime(2030, 1, 8, 12, 0, tzinfo=UTC)
"""The moment the pinned demo is replayed at (a Tuesday: sessions today, this week and later)."""
ANSI = re.compile(r"\x1b\[")
MOST_LINES = 80


def _check_shape(out: str) -> None:
    """What any demo output must be: sections in order, short, narrow, no escape codes."""
    lines = out.splitlines()
    assert not ANSI.search(out), "no colour or cursor codes without a terminal"
    assert max(len(line) for line in lines) <= WIDTH
    assert len(lines) < MOST_LINES, out
    headings = ("Summary", _soon_heading(lines), "How to approve")
    summary, soon, approve = (lines.index(heading) for heading in headings)
    assert summary < soon < approve
    assert not {"┃", "│"} & set(out), "no table of fixes by default"


def _soon_heading(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("Starting soon"))


def test_demo_runs_the_whole_job_with_no_configuration(tmp_path: Path) -> None:
    """As `make demo` runs it, on the real clock, its output piped (no terminal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
    env["ZOOMAUDIT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    env["COLUMNS"] = "80"  # a narrow pipe must not narrow the demo's lines
    done = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    _check_shape(out)
    summary = re.search(r"Run \S+ \(manual, account\) complete: (\d+) violation", out)
    assert summary
    assert int(summary.group(1)) > 0
    assert re.search(r"Fixes: \d+ waiting for an admin's approval", out)
    assert re.search(r"result: applied", out)
    assert re.search(r"now passes", out)
    report = re.search(r"The HTML report for a safeguarding lead: (\S+)", out)
    assert report
    assert Path(report.group(1)).read_text().startswith("<!DOCTYPE html")

    # What the safeguarding lead would receive: the digest, caught on loopback, kept beside it.
    digest = re.search(r"would get after the nightly run: (\S+)", out)
    assert digest
    mail = email.message_from_bytes(Path(digest.group(1)).read_bytes(), policy=email.policy.default)
    assert mail["To"] == "priya.shah@brightpath.org.uk"
    assert str(mail["Subject"]).startswith("zoomaudit: ")
    assert {part.get_content_type() for part in mail.walk()} >= {"text/plain", "text/html"}
    assert "Starting soon (next 7 days)" in Path(digest.group(1)).with_suffix(".html").read_text()


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables the demo sets in this process (the sandbox's Zoom, its own database, key and
    no channels) are put back afterwards."""
    sandbox = ("ZOOM_API_BASE_URL", "ZOOM_OAUTH_TOKEN_URL", "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID")
    sandbox += ("ZOOM_CLIENT_SECRET",)
    sandbox += (
        "ZOOMAUDIT_ZOOM_AUTHORIZE_URL",
        "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_ID",
        "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_SECRET",
    )
    for key in demo_environment(dict.fromkeys(sandbox, ""), tmp_path):
        monkeypatch.setenv(key, os.environ.get(key, ""))


def _database(out: str) -> str:
    """The demo's own database, as it says where it is."""
    stored = re.search(r"results stored in (\S+)", out)
    assert stored
    return stored.group(1)


@pytest.mark.usefixtures("demo_env")
def test_the_demo_opens_with_a_summary_then_the_soonest_sessions_then_how_to_approve() -> None:
    result = CliRunner().invoke(app, ["demo", "--at", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    out = result.stdout
    _check_shape(out)
    lines = out.splitlines()
    run_id = re.search(r"Run (\S+) \(manual, account\)", out)
    assert run_id
    with Store(_database(out)) as store:
        fixes = store.fixes.find()
        report = store.load_report(run_id.group(1))
    assert report.run.started_at == NOW, "the run is stamped with the pinned moment"

    # Starting soon: the soonest sessions in order, on their own clock, the rest counted.
    soon = starting_soon(report)
    assert len(soon) > SOON_SHOWN
    at = lines.index(_soon_heading(lines))
    assert f"{len(soon)} unsafe session(s)" in lines[at]
    starts = [
        line.strip() for line in lines[at + 1 :] if re.match(r"  \w{3} \d\d \w{3} \d{4} \d\d:\d\d ", line)
    ]
    assert [s[: len(when_text(x.start_time, x.timezone))] for s, x in zip(starts, soon, strict=False)] == [
        when_text(x.start_time, x.timezone) for x in soon[:SOON_SHOWN]
    ]
    assert len(starts) == SOON_SHOWN
    assert f"and {len(soon) - SOON_SHOWN} more" in out
    assert "zoomaudit upcoming" in out

    # How to approve: real fix ids of this run, and the one the demo approved is now applied.
    approve = re.search(r"zoomaudit fixes approve (fx-\S+) --by", out)
    reject = re.search(r"zoomaudit fixes reject (fx-\S+) --by", out)
    assert approve
    assert reject
    by_id = {f.id: f for f in fixes}
    assert by_id[approve.group(1)].status == "applied"
    assert by_id[reject.group(1)].status == "pending"
    assert f"The demo approves {approve.group(1)}" in out
    pending = sum(1 for f in fixes if f.status == "pending") + 1  # counted before the approval
    assert f"Fixes: {pending} waiting for an admin's approval" in out


@pytest.mark.usefixtures("demo_env")
def test_the_full_fix_queue_is_plain_lines_behind_an_option() -> None:
    result = CliRunner().invoke(app, ["demo", "--at", NOW.isoformat(), "--show-fixes"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    lines = out.splitlines()
    assert not ANSI.search(out)
    assert max(len(line) for line in lines) <= WIDTH
    with Store(_database(out)) as store:
        pending = [f for f in store.fixes.find() if f.status == "pending"]
    at = lines.index(f"Fix queue: {len(pending)} waiting for approval, oldest first")
    assert at > lines.index("How to approve")
    for fix in pending:
        assert any(line.startswith(f"  {fix.id}  {fix.policy_id}  {fix.method} {fix.path}") for line in lines)
    # Bodies are compact JSON on one line each, never broken a few characters per line.
    assert '{"settings":{"waiting_room":true}}' in out
    secrets = {str(m["password"]) for m in demo_state(NOW).meetings.values() if m.get("password")}
    assert secrets, "the demo's meetings have passcodes"
    assert not [secret for secret in secrets | {CLIENT_SECRET} if secret in out], (
        "no passcode or secret shown"
    )


def test_a_moment_that_is_not_iso_8601_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["demo", "--at", "tomorrow"])
    assert isinstance(result.exception, UsageError)
