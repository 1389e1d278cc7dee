"""The demo organisation and the synthetic generator: shape, spread and determinism."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from zoomaudit.sandbox.demo import PAST_SESSION, TONIGHT_SESSION, demo_state
from zoomaudit.sandbox.synthetic import synthetic_state


def test_demo_is_a_recognisable_charity() -> None:
    state = demo_state()
    active = [u for u in state.users.values() if u.status == "active"]
    assert len(active) == 13
    assert {g.name for g in state.groups.values()} == {"Youth workers", "Counsellors", "Volunteers", "Admins"}
    scheduled = [m for m in state.meetings.values() if m["type"] != 4]
    assert 38 <= len(scheduled) <= 48
    assert set(Counter(m["type"] for m in scheduled)) == {2, 3, 8, 10}
    assert sum(1 for m in scheduled if m["settings"].get("use_pmi")) >= 3
    assert all(state.meetings.get(u.pmi, {}).get("type") == 4 for u in active)  # every PMI room exists
    assert state.account_settings["meeting_security"]["auto_security"] is True
    assert state.occurrence_overrides


def test_demo_meetings_are_in_the_coming_weeks_but_one_that_ended_last_month() -> None:
    state = demo_state(datetime(2030, 1, 7, 23, 59, 59, tzinfo=UTC))
    past = state.meeting_by_topic(PAST_SESSION.topic)
    starts = [m["start_time"] for m in state.meetings.values() if "start_time" in m and m is not past]
    assert starts
    assert min(starts) >= "2030-01-07"
    assert (past["type"], past["start_time"], past["duration"]) == (2, "2029-12-08T10:00:00Z", 60)


def test_demo_is_deterministic_apart_from_dates() -> None:
    moment = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
    first, second = demo_state(moment), demo_state(moment)
    assert first.meetings == second.meetings
    assert first.users == second.users
    assert first.account_settings == second.account_settings
    later = demo_state(datetime(2030, 2, 7, 8, 0, tzinfo=UTC))
    assert sorted(later.meetings) == sorted(first.meetings)  # same ids, other dates


def test_synthetic_accounts_have_the_size_asked_and_a_realistic_mix() -> None:
    state = synthetic_state(users=60, meetings=400, seed=5)
    assert len(state.users) == 60
    scheduled = [m for m in state.meetings.values() if m["type"] != 4]
    assert len(scheduled) == 400
    assert set(Counter(m["type"] for m in scheduled)) == {2, 3, 8}
    assert any(not m["settings"].get("waiting_room", True) for m in scheduled)
    assert any("waiting_room" not in m["settings"] for m in scheduled)
    assert any(m.get("password") == "" for m in scheduled)
    assert len(state.groups) >= 2
    assert any(g.locks for g in state.groups.values())


def test_synthetic_accounts_are_seeded() -> None:
    moment = datetime(2030, 1, 7, tzinfo=UTC)
    a = synthetic_state(users=30, meetings=100, seed=9, now=moment)
    b = synthetic_state(users=30, meetings=100, seed=9, now=moment)
    c = synthetic_state(users=30, meetings=100, seed=10, now=moment)
    assert a.meetings == b.meetings
    assert a.users == b.users
    assert a.meetings != c.meetings


def test_the_benchmark_account_builds() -> None:
    state = synthetic_state(users=500, meetings=5000, seed=1, groups=10)
    assert len(state.users) == 500
    assert sum(1 for m in state.meetings.values() if m["type"] != 4) == 5000


def test_the_demo_has_a_session_later_today_whatever_the_hour() -> None:
    for hour in (0, 9, 16, 22):
        now = datetime(2030, 1, 7, hour, 25, tzinfo=UTC)
        tonight = demo_state(now).meeting_by_topic(TONIGHT_SESSION.topic)
        assert tonight["type"] == 2
        assert tonight["start_time"] == f"{(now.replace(minute=0) + timedelta(hours=3)):%Y-%m-%dT%H:%M:%SZ}"
