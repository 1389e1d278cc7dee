"""The collector's pure parts: which settings views to fetch, which occurrences to read."""

from __future__ import annotations

from datetime import UTC, datetime

from zoomaudit.collect import Needs, _differs, _upcoming_occurrences
from zoomaudit.controls import Control
from zoomaudit.zoom.models import Meeting, Occurrence

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_needs_only_the_views_the_controls_read() -> None:
    plain = Control("mute", "Mute", user="in_meeting.mute")
    security = Control("wr", "Waiting room", user="meeting_security.waiting_room")
    auth = Control("auth", "Authentication", user="meeting_authentication")
    assert Needs.for_controls([plain]).options == frozenset()
    assert Needs.for_controls([plain, security]).options == {"meeting_security"}
    assert Needs.for_controls([auth]).options == {"meeting_authentication"}


def _series(*starts: str, statuses: tuple[str, ...] = ()) -> Meeting:
    occurrences = [
        Occurrence(occurrence_id=str(i), start_time=start, status=(statuses[i] if statuses else "available"))
        for i, start in enumerate(starts)
    ]
    return Meeting(id=1, type=8, occurrences=occurrences, settings={"waiting_room": True})


def test_upcoming_occurrences_skip_past_and_deleted_ones_in_start_order() -> None:
    meeting = _series(
        "2026-11-28T10:00:00Z",
        "2026-11-14T10:00:00Z",
        "2026-11-22T10:00:00Z",
        "2026-11-23T10:00:00Z",
        statuses=("available", "available", "available", "deleted"),
    )
    assert _upcoming_occurrences(meeting, NOW, 5) == ["2", "0"]
    assert _upcoming_occurrences(meeting, NOW, 1) == ["2"]
    assert _upcoming_occurrences(meeting, NOW, 0) == []


def test_an_occurrence_is_its_own_subject_only_when_it_differs() -> None:
    series = _series("2026-11-28T10:00:00Z")
    same = series.model_copy(update={"occurrences": []})
    overridden = series.model_copy(update={"settings": {"waiting_room": False}})
    assert not _differs(series, same)
    assert _differs(series, overridden)
    assert _differs(series, series.model_copy(update={"password": "other"}))
