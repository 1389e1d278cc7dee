"""The overview's "Starting soon" panel and the Upcoming page: the next 7 days of sessions from the
latest verdicts, by day on the console's clock (``ZOOMAUDIT_TIMEZONE``), unsafe first.

Every time comes from the console's injected clock; nothing depends on today's date.
"""

from __future__ import annotations

import html as htmllib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from zoomaudit.service.console.app import create_console_app
from zoomaudit.service.console.sessions import by_day
from zoomaudit.settings import Settings
from zoomaudit.store import Store
from zoomaudit.store.upcoming import UpcomingSession

from .conftest import NOW, VIEWER, Clock, FakeActions, login, passed, seed_run, violation

pytestmark = pytest.mark.anyio

SAT = NOW.replace(hour=0, minute=0)  # Saturday 21 November 2026, 00:00 UTC
BOB = {"host_id": "u-bob", "host_email": "bob@example.org"}


def _at(hours: float) -> dict[str, Any]:
    return {"start_time": SAT + timedelta(hours=hours), "duration": 60}


def seed_week(store: Store) -> str:
    """A run two hours ago: two sessions today (the safe one earlier), one tomorrow, one next
    month and one a fortnight away (both outside the week)."""
    return seed_run(
        store,
        [
            passed(1001, "waiting-room", topic="Coffee morning", **_at(11)),
            violation(1002, "waiting-room", topic="Youth club", **BOB, **_at(16)),
            violation(1002, "passcode", control="passcode", topic="Youth club", **BOB, **_at(16)),
            violation(1003, "waiting-room", topic="Sunday chat", **_at(24 + 12)),
            violation(1004, "waiting-room", topic="Far away", **_at(24 * 14)),
        ],
        at=NOW - timedelta(hours=2),
    )


async def _page(client: httpx2.AsyncClient, path: str, email: str | None = None) -> str:
    response = await login(client, email) if email else await login(client)
    assert response.status_code == 303
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return page.text


def _zoned_client(settings: Settings, store: Store, clock: Clock, zone: str) -> httpx2.AsyncClient:
    zoned = settings.model_copy(update={"timezone": zone})
    app = create_console_app(
        zoned, store=store, actions=FakeActions(zoned, store, clock), clock=clock, secret=b"k" * 32
    )
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.7", 50000))
    return httpx2.AsyncClient(transport=transport, base_url="http://console.test")


async def test_upcoming_groups_by_day_with_the_unsafe_first(client: httpx2.AsyncClient, store: Store) -> None:
    run_id = seed_week(store)
    text = await _page(client, "/upcoming")
    assert text.index("Saturday 21 November 2026") < text.index("Sunday 22 November 2026")
    saturday = text[text.index("Saturday 21 November 2026") : text.index("Sunday 22 November 2026")]
    # The unsafe 16:00 session comes before the safe 11:00 one of the same day.
    assert saturday.index("Youth club") < saturday.index("Coffee morning")
    assert "16:00 UTC" in saturday
    assert "11:00 UTC" in saturday
    assert "<code>passcode</code>, <code>waiting-room</code>" in saturday
    assert '<span class="muted">none</span>' in saturday
    assert "Far away" not in text
    # How old the verdict is, and the run that gave it.
    assert "2026-11-21 07:30 UTC (2h ago)" in text
    assert f'href="/runs/{run_id}"' in text
    assert 'href="/meetings/1002"' in text
    assert 'aria-current="page">Upcoming<' in text


async def test_overview_opens_with_the_unsafe_sessions_starting_soon(
    client: httpx2.AsyncClient, store: Store
) -> None:
    seed_week(store)
    text = await _page(client, "/")
    panel = text[text.index('id="soon-h"') : text.index('id="latest-h"')]
    assert panel.index("Youth club") < panel.index("Sunday chat")
    assert "Coffee morning" not in panel  # no open violation
    assert "Far away" not in panel  # not this week
    assert "Sat 21 Nov 2026 16:00 UTC" in panel
    assert "bob@example.org" in panel
    assert "Everyone waits to be admitted <code>waiting-room</code>" in panel
    assert 'href="/meetings/1002"' in panel
    assert 'href="/upcoming">All upcoming sessions</a>' in panel


async def test_times_and_days_follow_the_console_time_zone(
    settings: Settings, store: Store, clock: Clock
) -> None:
    clock.now = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)  # British Summer Time
    seed_run(
        store,
        [
            violation(2001, "waiting-room", topic="Evening group", start_time=clock.now + timedelta(hours=6)),
            # 23:30 UTC is 00:30 on Sunday in London: Sunday's session there.
            violation(
                2002, "waiting-room", topic="Late night", start_time=datetime(2026, 6, 20, 23, 30, tzinfo=UTC)
            ),
            passed(
                2003,
                "waiting-room",
                topic="Paris",
                timezone="Europe/Paris",
                start_time=clock.now + timedelta(hours=1),
            ),
        ],
        at=clock.now - timedelta(minutes=30),
    )
    async with _zoned_client(settings, store, clock, "Europe/London") as client:
        upcoming = await _page(client, "/upcoming")
        overview = (await client.get("/")).text
        runs = (await client.get("/runs")).text
    assert "times are Europe/London" in upcoming
    saturday = upcoming[upcoming.index("Saturday 20 June 2026") : upcoming.index("Sunday 21 June 2026")]
    assert "16:00 BST" in saturday
    assert "Evening group" in saturday
    assert "Late night" not in saturday
    assert "00:30 BST" in upcoming[upcoming.index("Sunday 21 June 2026") :]
    # A meeting on another clock also shows its own, as its invitation says.
    assert "Sat 20 Jun 2026 12:00 Europe/Paris (the meeting's clock)" in upcoming
    assert "2026-06-20 09:30 BST (30m ago)" in upcoming
    assert "Sat 20 Jun 2026 16:00 Europe/London" in overview
    assert "times are Europe/London" in overview
    # The pages that were there before follow the zone too.
    assert "2026-06-20 09:30 BST" in runs


async def test_an_unknown_console_zone_reads_as_utc(settings: Settings, store: Store, clock: Clock) -> None:
    seed_week(store)
    async with _zoned_client(settings, store, clock, "Mars/Olympus") as client:
        text = await _page(client, "/upcoming")
    assert "times are UTC" in text
    assert "16:00 UTC" in text


async def test_a_hostile_topic_is_escaped(client: httpx2.AsyncClient, store: Store) -> None:
    hostile = '<script>alert("x")</script>'
    seed_run(store, [violation(3001, "waiting-room", topic=hostile, **_at(14))], at=NOW - timedelta(hours=1))
    for path in ("/", "/upcoming"):
        text = (await client.get(path)).text if path != "/" else await _page(client, path)
        assert hostile not in text
        assert htmllib.escape(hostile) in text.replace("&#34;", "&quot;")


async def test_a_viewer_can_read_the_upcoming_page(client: httpx2.AsyncClient, store: Store) -> None:
    seed_week(store)
    anonymous = await client.get("/upcoming")
    assert anonymous.status_code == 303
    assert "/login?next=/upcoming" in anonymous.headers["location"]
    text = await _page(client, "/upcoming", VIEWER)
    assert "Youth club" in text


async def test_empty_states(client: httpx2.AsyncClient, store: Store) -> None:
    text = await _page(client, "/upcoming")
    assert "No session is known to start in the next 7 days." in text
    # A run, but nothing unsafe this week: the panel says so and still links to the page.
    seed_run(
        store, [violation(4001, "waiting-room", **_at(24 * 30)), passed(4002, "waiting-room", **_at(12))]
    )
    overview = (await client.get("/")).text
    assert "No session in the next 7 days has an open violation." in overview
    assert "All upcoming sessions" in overview
    assert "No session is known" not in (await client.get("/upcoming")).text


def _session(meeting_id: int, start: datetime, violations: list[str]) -> UpcomingSession:
    return UpcomingSession(
        meeting_id=meeting_id,
        occurrence_id=None,
        topic=None,
        host_email=None,
        start_time=start,
        duration=60,
        timezone=None,
        run_id="r1",
        judged_at=NOW,
        violations=violations,
    )


def test_days_are_days_on_the_console_clock_and_unsafe_come_first() -> None:
    late = _session(1, datetime(2026, 11, 22, 2, 0, tzinfo=UTC), [])  # Saturday 21:00 in New York
    early = _session(2, datetime(2026, 11, 21, 15, 0, tzinfo=UTC), [])
    unsafe = _session(3, datetime(2026, 11, 21, 23, 0, tzinfo=UTC), ["passcode"])
    days = by_day([early, unsafe, late], "America/New_York")
    assert [(d.label, [s.meeting_id for s in d.sessions], d.unsafe) for d in days] == [
        ("Saturday 21 November 2026", [3, 2, 1], 1)
    ]
    assert [d.label for d in by_day([early, unsafe, late], "UTC")] == [
        "Saturday 21 November 2026",
        "Sunday 22 November 2026",
    ]


async def test_bidi_and_control_characters_of_a_topic_never_reach_a_page(
    client: httpx2.AsyncClient, store: Store
) -> None:
    hostile = "Youth club\u202e\x1b[2J evil"
    seed_run(store, [violation(4100, "waiting-room", topic=hostile, **_at(14))], at=NOW - timedelta(hours=1))
    for path in ("/", "/upcoming", "/meetings"):
        text = await _page(client, path) if path == "/" else (await client.get(path)).text
        assert "Youth club[2J evil" in text, path  # shown, without the escape and the override
        assert "\u202e" not in text
        assert "\x1b" not in text
