"""Sessions in time for the console: the overview's "Starting soon" panel and the Upcoming page.

Both read the store's latest verdict on each session (``store.upcoming``), never Zoom, at the
console's clock. Days are days in the console's zone (``ZOOMAUDIT_TIMEZONE``): "tomorrow" is the
tomorrow of the people reading the page, whatever the meeting's own zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from zoomaudit.report.common import SOON, when_text
from zoomaudit.store import Store
from zoomaudit.store.upcoming import UpcomingSession
from zoomaudit.timing import in_zone, zone_name

WINDOW = SOON
"""How far ahead the panel and the page look: the reports' "Starting soon"."""


@dataclass(frozen=True)
class Day:
    """The sessions of one day in the console's zone, unsafe first, then by start."""

    day: date
    sessions: list[UpcomingSession]

    @property
    def label(self) -> str:
        return self.day.strftime("%A %d %B %Y")

    @property
    def unsafe(self) -> int:
        return sum(1 for s in self.sessions if s.violations)


def upcoming(store: Store, now: datetime, accounts: tuple[str, ...] | None = None) -> list[UpcomingSession]:
    """The sessions (of ``accounts``; None: of all) starting within ``WINDOW`` of ``now``, soonest
    first, each with its latest verdict."""
    return store.upcoming.sessions(now, WINDOW, accounts=accounts)


def starting_soon(
    store: Store, now: datetime, accounts: tuple[str, ...] | None = None
) -> list[UpcomingSession]:
    """The sessions of the window whose latest verdict has open violations, soonest first."""
    return [s for s in upcoming(store, now, accounts) if s.violations]


def _unsafe_first(s: UpcomingSession) -> tuple[bool, datetime, int, str]:
    return (not s.violations, s.start_time, s.meeting_id, s.occurrence_id or "")


def by_day(sessions: list[UpcomingSession], zone: str) -> list[Day]:
    """``sessions`` grouped by their start's day on the clock of ``zone``, days in order; within a
    day the unsafe ones first (what to deal with), then by start time."""
    days: dict[date, list[UpcomingSession]] = {}
    for s in sessions:
        days.setdefault(in_zone(s.start_time, zone).date(), []).append(s)
    return [Day(day, sorted(found, key=_unsafe_first)) for day, found in sorted(days.items())]


def own_clock(session: UpcomingSession, zone: str) -> str | None:
    """The session's start on the meeting's own clock when that is a known zone other than
    ``zone``: the host's invitation says that time, and people compare the two."""
    own = zone_name(session.timezone)
    return when_text(session.start_time, own) if own and own != zone else None
