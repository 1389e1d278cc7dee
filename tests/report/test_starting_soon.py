"""Reports for people open with the sessions to deal with first: unsafe, and starting soon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zoomaudit.findings import Pass, Violation
from zoomaudit.report import render
from zoomaudit.report.common import starting_soon
from zoomaudit.store import PolicyInfo, RunRecord, RunReport

STARTED = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def _violation(meeting_id: int, start: datetime | None, *, duration: int = 60, **kw: Any) -> Violation:
    topic = kw.pop("topic_override", f"Session {meeting_id}")
    return Violation(
        policy_id=kw.pop("policy_id", "waiting-room"),
        control="waiting_room",
        severity="high",
        meeting_id=meeting_id,
        topic=topic,
        host_email=f"host{meeting_id}@example.org",
        start_time=start,
        duration=duration,
        actual=False,
        expected={"equals": True},
        message="the waiting room is off",
        **kw,
    )


def _report(*findings: Any) -> RunReport:
    run = RunRecord(id="r1", trigger="scheduled", scope="account", started_at=STARTED, status="complete")
    return RunReport(run=run, findings=list(findings))


# (start relative to the run, duration) -> listed?
CASES = [
    (timedelta(hours=14), 60, True),  # this afternoon
    (timedelta(days=6, hours=23), 60, True),  # the edge of the week
    (timedelta(days=7), 60, False),  # a week away: not yet
    (timedelta(minutes=-30), 60, True),  # running now
    (timedelta(hours=-2), 60, False),  # over
]


@pytest.mark.parametrize(("offset", "duration", "listed"), CASES)
def test_which_sessions_are_starting_soon(offset: timedelta, duration: int, listed: bool) -> None:
    report = _report(_violation(1, STARTED + offset, duration=duration))
    assert bool(starting_soon(report)) is listed


def test_soonest_first_one_row_per_session_with_what_is_wrong() -> None:
    later = _violation(2, STARTED + timedelta(days=2))
    sooner = _violation(1, STARTED + timedelta(hours=3))
    also = _violation(1, STARTED + timedelta(hours=3), policy_id="passcode-required")
    no_time = _violation(3, None)
    passed = Pass(
        policy_id="mute-upon-entry",
        control="mute_upon_entry",
        severity="low",
        meeting_id=4,
        start_time=STARTED + timedelta(hours=1),
        actual=True,
        expected={"equals": True},
        message="muted",
    )
    soon = starting_soon(_report(later, sooner, also, no_time, passed))
    assert [(s.meeting_id, s.policies) for s in soon] == [
        (1, ("passcode-required", "waiting-room")),
        (2, ("waiting-room",)),
    ]
    assert soon[0].host == "host1@example.org"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_table_and_markdown_open_with_it(fmt: str) -> None:
    text = render(_report(_violation(1, STARTED + timedelta(hours=3))), fmt)
    assert "Starting soon" in text
    assert text.index("Starting soon") < text.index("waiting-room")
    assert "Fri 04 Dec 2026 05:00 UTC" in text


def test_nothing_unsafe_soon_means_no_section() -> None:
    assert "Starting soon" not in render(_report(_violation(1, STARTED + timedelta(days=30))), "table")


def test_html_shows_it_after_the_summary_and_before_the_findings() -> None:
    html = render(_report(_violation(1, STARTED + timedelta(hours=3), timezone="Europe/London")), "html")
    section = html.index('id="starting-soon"')
    assert html.index('id="summary"') < section < html.index('id="meetings"')
    # The meeting's own clock (GMT in December) and the zone's name; the policy by id when untitled.
    assert "<td>Fri 04 Dec 2026 05:00 Europe/London</td>" in html
    assert "<td>Session 1 (1)</td><td>host1@example.org</td><td>waiting-room</td>" in html


def test_html_soonest_first_with_policy_titles() -> None:
    report = _report(
        _violation(2, STARTED + timedelta(days=2)),
        _violation(1, STARTED + timedelta(hours=3)),
    )
    titles = {"waiting-room": PolicyInfo(title="Everyone waits to be admitted")}
    titled = report.model_copy(update={"policies": titles})
    html = render(titled, "html")
    assert html.index("Session 1 (1)") < html.index("Session 2 (2)")
    assert "Everyone waits to be admitted (<code>waiting-room</code>)" in html


def test_html_says_so_when_nothing_unsafe_starts_soon() -> None:
    html = render(_report(_violation(1, STARTED + timedelta(days=30))), "html")
    assert 'id="starting-soon"' in html
    assert "No session in the next 7 days has an open violation." in html


def test_html_escapes_a_hostile_topic_in_it() -> None:
    hostile = _violation(1, STARTED + timedelta(hours=3), topic_override='<script>alert("x")</script>')
    html = render(_report(hostile), "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; (1)" in html
