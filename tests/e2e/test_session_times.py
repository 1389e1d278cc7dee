"""Time in every result, against the sandbox on a controlled clock: each finding says when its
session happens, and sessions that are over are counted as past and neither judged nor fixed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import jsonschema
import pytest

from tests.e2e.conftest import audit, report_of
from tests.sandbox.demo_cases import DROP_IN, PUBLIC_TALK
from zoomaudit.findings import Finding
from zoomaudit.report import render
from zoomaudit.sandbox import SandboxOptions, demo_state, start_sandbox
from zoomaudit.sandbox.build import meeting
from zoomaudit.sandbox.demo import PAST_SESSION
from zoomaudit.sandbox.demo_meetings import s
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.sandbox.state import SandboxState
from zoomaudit.settings import Settings
from zoomaudit.store import Store

NOW = datetime(2030, 1, 8, 12, 0, tzinfo=UTC)
"""The run's clock and the sandbox's: the demo is built at it."""
FORUM = "Youth forum planning"  # recurring with no fixed time (type 3)
ENDED_SERIES = 84109990001
RUNNING_SERIES = 84109990002


def _add_series(state: SandboxState, meeting_id: int, first: datetime, count: int) -> None:
    host = state.users[state.meeting_by_topic(DROP_IN)["host_id"]]
    state.add_meeting(
        meeting(
            meeting_id=meeting_id,
            host=host,
            topic=f"Weekly series {meeting_id}",
            type_=8,
            start=first,
            created=first - timedelta(days=7),
            password="We3klyS5",
            settings=s(waiting_room=False),  # a violation, were it judged
            occurrence_count=count,
        )
    )


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    state = demo_state(NOW)
    state.clock = lambda: NOW
    # Its three evenings ended two, three and four weeks ago.
    _add_series(state, ENDED_SERIES, NOW - timedelta(days=28), 3)
    # Two evenings are over; the third starts in two hours.
    _add_series(state, RUNNING_SERIES, NOW - timedelta(days=14) + timedelta(hours=2), 4)
    with start_sandbox(state, SandboxOptions(rate_limits=False)) as running:
        yield running


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _times(findings: list[Finding], meeting_id: int, occurrence: str | None = None) -> set[Any]:
    return {
        (f.start_time, f.duration)
        for f in findings
        if f.meeting_id == meeting_id and f.occurrence_id == occurrence
    }


def test_every_finding_says_when_its_session_happens(sandbox: RunningSandbox, settings: Settings) -> None:
    state = sandbox.state
    outcome = audit(settings, now=NOW)
    findings = report_of(settings, outcome.run_id).findings
    talk = state.meeting_by_topic(PUBLIC_TALK)
    drop_in = state.meeting_by_topic(DROP_IN)
    next_evening = drop_in["occurrences"][0]
    pmi_rooms = {f.meeting_id for f in findings} & {
        m for m, doc in state.meetings.items() if doc["type"] == 4
    }
    assert pmi_rooms, "the demo's PMI rooms in use are audited"
    expected = [
        ("one-off", int(talk["id"]), None, (_utc(talk["start_time"]), talk["duration"])),
        ("series: its next occurrence", int(drop_in["id"]), None, (_utc(next_evening["start_time"]), 90)),
        (
            "the overridden occurrence",
            int(drop_in["id"]),
            next_evening["occurrence_id"],
            (_utc(next_evening["start_time"]), 90),
        ),
        ("a series judged at its occurrence to come", RUNNING_SERIES, None, (NOW + timedelta(hours=2), 60)),
        ("type 3: no fixed time", int(state.meeting_by_topic(FORUM)["id"]), None, (None, None)),
        *[("a Personal Meeting Room", room, None, (None, None)) for room in sorted(pmi_rooms)],
    ]
    for what, meeting_id, occurrence, when in expected:
        assert _times(findings, meeting_id, occurrence) == {when}, what
    assert drop_in["duration"] == 90


def test_sessions_that_are_over_are_counted_not_judged_nor_fixed(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    past_one_off = int(sandbox.state.meeting_by_topic(PAST_SESSION.topic)["id"])
    outcome = audit(settings, now=NOW)
    report = report_of(settings, outcome.run_id)
    assert outcome.complete
    assert outcome.counts["past"] == report.summary["past"] == 2  # the demo's one-off, the ended series
    judged = {f.meeting_id for f in report.findings}
    assert judged.isdisjoint({past_one_off, ENDED_SERIES})
    assert RUNNING_SERIES in judged
    with Store.from_settings(settings) as store:
        plans = store.fixes.find()
    fixed = {m for plan in plans for m in plan.meeting_ids}
    assert fixed.isdisjoint({past_one_off, ENDED_SERIES})
    assert RUNNING_SERIES in fixed  # its waiting room is off: the judged series gets its fix

    document = json.loads(render(report, "json"))
    schema = json.loads(resources.files("zoomaudit.report").joinpath("schema.json").read_text())
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document["schema_version"] == 2
    assert document["summary"]["past"] == 2
    running = {f["start_time"] for f in document["findings"] if f["meeting_id"] == RUNNING_SERIES}
    assert running == {"2030-01-08T14:00:00+00:00"}
