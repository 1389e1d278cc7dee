"""`audit --starting-within`: only the sessions that start within the window are judged (against
the sandbox on a controlled clock), and `upcoming` reads what that run found."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import audit, report_of
from tests.sandbox.demo_cases import DROP_IN
from zoomaudit.cli.upcoming import upcoming_output
from zoomaudit.sandbox import SandboxOptions, demo_state, start_sandbox
from zoomaudit.sandbox.build import meeting
from zoomaudit.sandbox.demo_meetings import s
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.store import Store

NOW = datetime(2030, 1, 8, 12, 0, tzinfo=UTC)
SOON = 84109990002
DAY = timedelta(days=1)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    state = demo_state(NOW)
    state.clock = lambda: NOW
    host = state.users[state.meeting_by_topic(DROP_IN)["host_id"]]
    state.add_meeting(
        meeting(
            meeting_id=SOON,
            host=host,
            topic="Starts in two hours",
            type_=2,
            start=NOW + timedelta(hours=2),
            created=NOW - DAY,
            password="We3klyS5",
            settings=s(waiting_room=False),
        )
    )
    with start_sandbox(state, SandboxOptions(rate_limits=False)) as running:
        yield running


def test_only_sessions_starting_within_the_window_are_judged(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    full = report_of(settings, audit(settings, now=NOW - timedelta(minutes=1)).run_id).findings
    # A minute later: runs are ordered by their start, and two at the same instant would tie.
    outcome = audit(settings, now=NOW, starting_within=DAY)
    report = report_of(settings, outcome.run_id)
    judged = {f.meeting_id for f in report.findings if f.meeting_id is not None}
    assert SOON in judged
    assert all(f.start_time is not None and f.start_time < NOW + DAY for f in report.findings if f.meeting_id)
    later = {f.meeting_id for f in full if f.meeting_id is not None} - judged
    assert later, "the demo has sessions later than a day away, or with no fixed time"
    # Skipped, not counted: the summary of past sessions is the full audit's.
    assert outcome.counts["past"] == report.summary["past"] == 1
    assert outcome.counts["meetings"] == len(judged)
    assert report.run.scope_detail["starting_within"] == 24 * 60
    with Store.from_settings(settings) as store:
        text, code = upcoming_output(store, DAY, "json", NOW)
        # A filtered run is a scope of its own: `diff` does not compare it with a full audit.
        assert store.last_complete_runs(2, same_scope=True)[0].id == outcome.run_id
        assert len(store.last_complete_runs(2, same_scope=True)) == 1
    soon = [row for row in json.loads(text) if row["meeting_id"] == SOON]
    assert code == 1
    assert soon[0]["run_id"] == outcome.run_id
    assert soon[0]["violations"]
    assert soon[0]["start_time"] == "2030-01-08T14:00:00Z"


@pytest.mark.parametrize("other", [["--meeting", "84100216138"], ["--user", "someone@example.org"]])
def test_starting_within_cannot_be_combined_with_meeting_or_user(other: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "audit", "--starting-within", "24h", *other],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "--starting-within" in result.stderr


def test_a_bad_window_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "audit", "--starting-within", "soon"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not a window" in result.stderr
