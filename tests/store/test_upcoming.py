"""The upcoming read model and `zoomaudit upcoming`: the latest verdict on each session in a
window, soonest first, read from the store with a controlled clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from zoomaudit.cli.upcoming import upcoming_output
from zoomaudit.store import Store
from zoomaudit.timing import age_text

from .conftest import finding

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
COUNTS = {"meetings": 1, "users": 1, "violations": 0, "errors": 0, "waived": 0, "manual": 0, "passed": 0}


def _run(
    store: Store, started: datetime, findings: list[Any], status: str = "complete", scope: str = "meetings"
) -> str:
    """A finished run; by default of some meetings (a run of the whole account also says which
    sessions are gone: the last test)."""
    run_id = store.start_run("manual", scope, {}, "h", started)
    store.add_findings(run_id, findings)
    if status != "running":
        store.finish_run(run_id, complete=status == "complete", finished_at=started, counts=COUNTS)
    return run_id


def _at(
    hours: float, meeting_id: int, status: str = "violation", policy: str = "waiting-room", **more: Any
) -> Any:
    return finding(
        status, policy, meeting_id=meeting_id, start_time=NOW + timedelta(hours=hours), duration=60, **more
    )


def test_sessions_in_the_window_soonest_first_with_their_open_violations(store: Store) -> None:
    run_id = _run(
        store,
        NOW - timedelta(hours=3),
        [
            _at(30, 1, topic="Choir"),
            _at(30, 1, "violation", "passcode-required", topic="Choir"),
            _at(2, 2, "pass", topic="Youth group"),
            _at(2, 2, "waived", "passcode-required", topic="Youth group"),
            _at(-2, 3, topic="Over already"),
            _at(24 * 8, 4, topic="Next month"),
            finding(meeting_id=5, topic="Personal room"),  # no time
        ],
    )
    sessions = store.upcoming.sessions(NOW, 7 * DAY)
    assert [(s.meeting_id, s.violations) for s in sessions] == [
        (2, []),
        (1, ["passcode-required", "waiting-room"]),
    ]
    assert sessions[1].run_id == run_id
    assert sessions[1].judged_at == NOW - timedelta(hours=3)
    assert sessions[1].start_time == NOW + timedelta(hours=30)
    assert [s.meeting_id for s in store.upcoming.sessions(NOW, timedelta(hours=3))] == [2]


def test_the_latest_finished_run_that_judged_a_session_decides(store: Store) -> None:
    _run(store, NOW - 2 * DAY, [_at(5, 1), _at(6, 2), _at(7, 3)])
    fixed = _run(store, NOW - DAY, [_at(5, 1, "pass")])  # meeting 1 fixed since
    _run(store, NOW - timedelta(hours=5), [_at(24 * 9, 2)])  # meeting 2 moved out of the window
    _run(store, NOW - timedelta(hours=1), [_at(7, 3, "pass")], status="running")  # not finished
    sessions = store.upcoming.sessions(NOW, 7 * DAY)
    assert [(s.meeting_id, s.violations) for s in sessions] == [(1, []), (3, ["waiting-room"])]
    assert sessions[0].run_id == fixed


def test_occurrences_are_sessions_of_their_own(store: Store) -> None:
    _run(store, NOW - DAY, [_at(3, 1, occurrence_id="1700"), _at(27, 1, "pass", occurrence_id="1800")])
    sessions = store.upcoming.sessions(NOW, 7 * DAY)
    assert [(s.occurrence_id, s.violations) for s in sessions] == [("1700", ["waiting-room"]), ("1800", [])]


def test_the_command_exits_1_on_an_open_violation_and_prints_json(store: Store) -> None:
    run_id = _run(store, NOW - timedelta(hours=3), [_at(30, 1, topic="Choir", timezone="Europe/London")])
    text, code = upcoming_output(store, 7 * DAY, "json", NOW)
    assert code == 1
    assert json.loads(text) == [
        {
            "meeting_id": 1,
            "occurrence_id": None,
            "topic": "Choir",
            "host_email": "alice@example.org",
            "start_time": "2026-11-21T18:00:00Z",
            "duration": 60,
            "timezone": "Europe/London",
            "violations": ["waiting-room"],
            "judged_at": "2026-11-20T09:00:00Z",
            "run_id": run_id,
            "account": "default",
        }
    ]
    table, _ = upcoming_output(store, 7 * DAY, "table", NOW)
    assert "Sat 21 Nov 2026 18:00 Europe/London" in table  # GMT: the meeting's own clock
    assert "Choir" in table
    assert "alice@example.org" in table
    assert "waiting-room" in table
    assert "3h ago" in table
    assert upcoming_output(store, timedelta(hours=24), "json", NOW) == ("[]\n", 0)
    text, code = upcoming_output(store, timedelta(hours=24), "table", NOW)
    assert code == 0
    assert "No session" in text


def test_ages_read_in_the_largest_whole_unit() -> None:
    assert age_text(NOW - timedelta(minutes=45), NOW) == "45m"
    assert age_text(NOW - timedelta(hours=3, minutes=59), NOW) == "3h"
    assert age_text(NOW - timedelta(days=2, hours=1), NOW) == "2d"


def test_a_session_a_later_complete_account_audit_left_out_is_gone(store: Store) -> None:
    _run(store, NOW - 2 * DAY, [_at(5, 1), _at(6, 2), _at(30, 3)], scope="account")
    # The nightly audit of the whole account no longer sees meeting 1 (deleted in Zoom).
    _run(store, NOW - DAY, [_at(6, 2), _at(30, 3)], scope="account")
    assert [s.meeting_id for s in store.upcoming.sessions(NOW, 7 * DAY)] == [2, 3]
    # An incomplete one proves nothing; a complete one with a 12 h window only covers 12 hours.
    _run(store, NOW - timedelta(hours=2), [], status="incomplete", scope="account")
    assert [s.meeting_id for s in store.upcoming.sessions(NOW, 7 * DAY)] == [2, 3]
    windowed = store.start_run(
        "manual", "account", {"starting_within": 12 * 60}, "h", NOW - timedelta(hours=1)
    )
    store.finish_run(windowed, complete=True, finished_at=NOW, counts=COUNTS)
    assert [s.meeting_id for s in store.upcoming.sessions(NOW, 7 * DAY)] == [3]
    # A run of some meetings only says nothing about the others.
    single = store.start_run("manual", "meetings", {"meeting_ids": [9]}, "h", NOW - timedelta(minutes=30))
    store.finish_run(single, complete=True, finished_at=NOW, counts=COUNTS)
    assert [s.meeting_id for s in store.upcoming.sessions(NOW, 7 * DAY)] == [3]
