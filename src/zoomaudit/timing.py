"""When a judged subject happens, and whether it is over: pure, from the times Zoom returns.

The runner asks ``when(subject, now)`` of every subject it collected, with the run's clock:

- a one-off scheduled meeting (type 2, or 10, screen share only) happens at its ``start_time``
  for ``duration`` minutes, and is over once that has passed;
- a recurring meeting with fixed times (type 8) is judged at its next occurrence that has not
  ended (one in progress counts); the series is over when every occurrence Zoom listed has
  ended. An occurrence judged on its own (an override) happens at that occurrence;
- a recurring meeting with no fixed time (type 3) and a Personal Meeting Room (type 4) have no
  time (``None``) and are never over.

Zoom's listing filters (``type=upcoming``, ``from``/``to``) differ by meeting type and are not
documented for every case, so they never decide what is over: only the times themselves do
(docs/usage.md, "Start times and past sessions"). Deleted occurrences are left out. A series
Zoom lists no occurrence for is over only when its ``recurrence.end_date_time`` has passed;
otherwise it is judged at its own ``start_time`` when that is still to come, else with no time.
A time without an offset is read in the meeting's ``timezone`` (UTC when it has none or an
unknown one); every time this module returns is UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:  # only named here: importing them builds every Zoom model, ~80 ms of each CLI start
    from zoomaudit.snapshot import Subject
    from zoomaudit.zoom.models import Meeting

ONE_OFF_TYPES = frozenset({2, 10})
RECURRING_FIXED = 8
UNSTATED_DURATION = 24 * 60
"""Minutes a session with no stated duration is taken to last before it counts as over: long,
so that a session is never skipped as past while it may still run (Zoom states a duration for
every scheduled meeting; this is a safety net)."""


@dataclass(frozen=True)
class When:
    """When a subject happens: its start (UTC) and duration (minutes), and whether it is over."""

    start: datetime | None = None
    duration: int | None = None
    over: bool = False

    def ends(self) -> datetime | None:
        if self.start is None:
            return None
        minutes = self.duration if self.duration is not None else UNSTATED_DURATION
        return self.start + timedelta(minutes=minutes)


def parse_time(text: str | None, timezone: str | None = None) -> datetime | None:
    """A Zoom time (``2026-11-21T10:00:00Z``) in UTC; None when absent or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(timezone))
    return moment.astimezone(UTC)


def _zone(name: str | None) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name(name: str | None) -> str | None:
    """``name`` when it is a time zone this machine knows (an IANA name), else None: a meeting's
    ``timezone`` is what its host's client sent, and only a real zone is kept to show times in."""
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def in_zone(moment: datetime, name: str | None) -> datetime:
    """``moment`` on the clock of the zone ``name`` (UTC when it is none or unknown)."""
    return moment.astimezone(_zone(zone_name(name)))


def age_text(then: datetime, now: datetime) -> str:
    """How long ago ``then`` was, in the largest whole unit: ``45m``, ``3h``, ``2d``."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _timed(start: datetime | None, duration: int | None, now: datetime) -> When:
    when = When(start, duration)
    ends = when.ends()
    return When(start, duration, over=ends is not None and ends <= now)


def _series(meeting: Meeting, now: datetime) -> When:
    times = sorted(
        (start, occ.duration if occ.duration is not None else meeting.duration)
        for occ in meeting.occurrences
        if occ.status != "deleted"
        for start in [parse_time(occ.start_time, meeting.timezone)]
        if start is not None
    )
    if times:
        for start, duration in times:
            when = _timed(start, duration, now)
            if not when.over:
                return when
        return _timed(*times[-1], now)
    end = parse_time((meeting.recurrence or {}).get("end_date_time"), meeting.timezone)
    if end is not None and _timed(end, meeting.duration, now).over:
        return When(over=True)
    own = _timed(parse_time(meeting.start_time, meeting.timezone), meeting.duration, now)
    return When() if own.over else own


def _occurrence(meeting: Meeting, occurrence_id: str, now: datetime) -> When:
    for occ in meeting.occurrences:
        if occ.occurrence_id == occurrence_id:
            start = parse_time(occ.start_time, meeting.timezone)
            if start is not None:
                duration = occ.duration if occ.duration is not None else meeting.duration
                return _timed(start, duration, now)
    return _timed(parse_time(meeting.start_time, meeting.timezone), meeting.duration, now)


def when(subject: Subject, now: datetime) -> When:
    """When ``subject`` happens, judged with the run's clock ``now`` (timezone-aware)."""
    meeting = subject.meeting
    if meeting.type in ONE_OFF_TYPES:
        return _timed(parse_time(meeting.start_time, meeting.timezone), meeting.duration, now)
    if meeting.type == RECURRING_FIXED:
        if subject.occurrence_id is not None:
            return _occurrence(meeting, subject.occurrence_id, now)
        return _series(meeting, now)
    return When()  # 3: recurring with no fixed time, 4: a Personal Meeting Room


def split_past(subjects: Iterable[Subject], now: datetime) -> tuple[list[Subject], list[Subject]]:
    """(subjects to judge, each with its ``start_time`` and ``duration``; subjects that are over)."""
    live: list[Subject] = []
    past: list[Subject] = []
    for subject in subjects:
        found = when(subject, now)
        if found.over:
            past.append(subject)
        else:
            live.append(subject.model_copy(update={"start_time": found.start, "duration": found.duration}))
    return live, past


def starting_before(subjects: Iterable[Subject], end: datetime) -> list[Subject]:
    """The subjects (judged by ``split_past``, so not over) whose session starts before ``end``:
    sessions in progress are kept; those with no fixed time are not (``audit --starting-within``)."""
    return [s for s in subjects if s.start_time is not None and s.start_time < end]
