"""When a judged subject happens and whether it is over: tables of cases on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zoomaudit.snapshot import Subject
from zoomaudit.timing import When, parse_time, split_past, when
from zoomaudit.zoom.models import Meeting, Occurrence

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _at(text: str) -> datetime:
    moment = parse_time(text)
    assert moment is not None
    return moment


def _occurrences(*items: tuple[str, int | None, str]) -> list[Occurrence]:
    """Occurrences from (start, duration, status) rows."""
    return [
        Occurrence(occurrence_id=f"occ{i}", start_time=start, duration=duration, status=status)
        for i, (start, duration, status) in enumerate(items)
    ]


def _meeting(type_: int, **fields: Any) -> Meeting:
    return Meeting(id=1000 + type_, type=type_, **fields)


ONE_OFF = _meeting(2, start_time="2026-11-21T16:00:00Z", duration=90)
SERIES = _meeting(
    8,
    start_time="2026-11-07T17:00:00Z",
    duration=60,
    occurrences=_occurrences(
        ("2026-11-14T17:00:00Z", 60, "available"),
        ("2026-11-28T17:00:00Z", 45, "available"),
        ("2026-11-21T17:00:00Z", None, "deleted"),
        ("2026-12-05T17:00:00Z", None, "available"),
    ),
)

CASES: list[tuple[str, Subject, When]] = [
    (
        "one-off still to come",
        Subject(meeting=ONE_OFF),
        When(_at("2026-11-21T16:00:00Z"), 90),
    ),
    (
        "one-off in progress is not over",
        Subject(meeting=_meeting(2, start_time="2026-11-21T11:30:00Z", duration=60)),
        When(_at("2026-11-21T11:30:00Z"), 60),
    ),
    (
        "one-off whose start + duration has passed",
        Subject(meeting=_meeting(2, start_time="2026-11-21T10:00:00Z", duration=120)),
        When(_at("2026-11-21T10:00:00Z"), 120, over=True),
    ),
    (
        "one-off that ended last month",
        Subject(meeting=_meeting(2, start_time="2026-10-22T10:00:00Z", duration=60)),
        When(_at("2026-10-22T10:00:00Z"), 60, over=True),
    ),
    (
        "screen share only (type 10) like a one-off",
        Subject(meeting=_meeting(10, start_time="2026-11-25T09:00:00Z", duration=30)),
        When(_at("2026-11-25T09:00:00Z"), 30),
    ),
    (
        "one-off with no start time: judged, no time",
        Subject(meeting=_meeting(2, duration=30)),
        When(None, 30),
    ),
    (
        "one-off without a duration is not over after a few hours",
        Subject(meeting=_meeting(2, start_time="2026-11-21T08:00:00Z")),
        When(_at("2026-11-21T08:00:00Z"), None),
    ),
    (
        "a local time without an offset is read in the meeting's time zone",
        Subject(meeting=_meeting(2, start_time="2026-11-21T17:00:00", timezone="Europe/Paris", duration=60)),
        When(_at("2026-11-21T16:00:00Z"), 60),
    ),
    (
        "series: the next occurrence, not the deleted one, its own duration",
        Subject(meeting=SERIES),
        When(_at("2026-11-28T17:00:00Z"), 45),
    ),
    (
        "series: an occurrence judged on its own happens at that occurrence",
        Subject(meeting=SERIES, occurrence_id="occ3"),
        When(_at("2026-12-05T17:00:00Z"), 60),
    ),
    (
        "series whose last occurrence has ended is over",
        Subject(
            meeting=_meeting(
                8,
                duration=60,
                occurrences=_occurrences(
                    ("2026-11-07T17:00:00Z", 60, "available"), ("2026-11-14T17:00:00Z", 60, "available")
                ),
            )
        ),
        When(_at("2026-11-14T17:00:00Z"), 60, over=True),
    ),
    (
        "series with an occurrence in progress is judged at it",
        Subject(
            meeting=_meeting(
                8,
                duration=60,
                occurrences=_occurrences(
                    ("2026-11-14T11:00:00Z", 60, "available"), ("2026-11-21T11:30:00Z", 60, "available")
                ),
            )
        ),
        When(_at("2026-11-21T11:30:00Z"), 60),
    ),
    (
        "series listed without occurrences, its end date passed, is over",
        Subject(
            meeting=_meeting(
                8,
                start_time="2026-09-01T17:00:00Z",
                duration=60,
                recurrence={"type": 2, "end_date_time": "2026-11-01T18:00:00Z"},
            )
        ),
        When(over=True),
    ),
    (
        "series listed without occurrences, its end date to come: judged at its start",
        Subject(
            meeting=_meeting(
                8,
                start_time="2026-11-24T17:00:00Z",
                duration=60,
                recurrence={"type": 2, "end_date_time": "2026-12-24T18:00:00Z"},
            )
        ),
        When(_at("2026-11-24T17:00:00Z"), 60),
    ),
    (
        "series listed without occurrences, its start passed: judged with no time",
        Subject(meeting=_meeting(8, start_time="2026-09-01T17:00:00Z", duration=60)),
        When(),
    ),
    (
        "recurring with no fixed time (type 3): no time, never over",
        Subject(meeting=_meeting(3, start_time="2020-01-01T10:00:00Z", duration=60)),
        When(),
    ),
    (
        "Personal Meeting Room (type 4): no time, never over",
        Subject(meeting=_meeting(4, start_time="2020-01-01T10:00:00Z", duration=60)),
        When(),
    ),
]


@pytest.mark.parametrize(("subject", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_when_a_subject_happens(subject: Subject, expected: When) -> None:
    assert when(subject, NOW) == expected


def test_split_past_times_what_it_judges_and_leaves_out_what_is_over() -> None:
    past_one_off = Subject(meeting=_meeting(2, start_time="2026-10-22T10:00:00Z", duration=60))
    pmi = Subject(meeting=_meeting(4))
    live, past = split_past([Subject(meeting=ONE_OFF), past_one_off, Subject(meeting=SERIES), pmi], NOW)
    assert past == [past_one_off]
    assert [(s.meeting.id, s.start_time, s.duration) for s in live] == [
        (1002, _at("2026-11-21T16:00:00Z"), 90),
        (1008, _at("2026-11-28T17:00:00Z"), 45),
        (1004, None, None),
    ]


def test_times_are_utc_and_unreadable_ones_are_none() -> None:
    assert parse_time("2026-11-21T16:00:00+01:00") == datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
    assert parse_time("tomorrow") is None
    assert parse_time(None) is None
    assert parse_time("2026-11-21T16:00:00", "Not/AZone") == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)


def test_starting_before_keeps_sessions_in_progress_and_drops_those_with_no_time() -> None:
    from zoomaudit.timing import starting_before

    now = datetime(2030, 1, 8, 12, 0, tzinfo=UTC)
    subjects = [
        _subject_at(now - timedelta(minutes=30)),
        _subject_at(now + timedelta(hours=23)),
        _subject_at(now + timedelta(hours=24)),
        _subject_at(None),
    ]
    kept = starting_before(subjects, now + timedelta(hours=24))
    assert [s.start_time for s in kept] == [now - timedelta(minutes=30), now + timedelta(hours=23)]


def _subject_at(start: datetime | None) -> Subject:
    return Subject(meeting=ONE_OFF, start_time=start)


def test_a_start_shows_on_the_meetings_own_clock_and_an_unknown_zone_in_utc() -> None:
    from zoomaudit.report.common import when_text
    from zoomaudit.timing import zone_name

    start = datetime(2026, 7, 3, 15, 0, tzinfo=UTC)
    assert when_text(start, "Europe/London") == "Fri 03 Jul 2026 16:00 Europe/London"  # BST
    assert when_text(start, "America/New_York") == "Fri 03 Jul 2026 11:00 America/New_York"
    assert when_text(start, None) == "Fri 03 Jul 2026 15:00 UTC"
    assert when_text(start, "Mars/Olympus") == "Fri 03 Jul 2026 15:00 UTC"
    assert zone_name("Mars/Olympus") is None
    assert zone_name("../../etc/passwd") is None
    assert zone_name("x" * 65) is None
    assert zone_name("Asia/Kolkata") == "Asia/Kolkata"
