"""Rate limits per category and plan, and the 100 meeting updates per host per UTC day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zoomaudit.sandbox.demo import demo_state
from zoomaudit.sandbox.options import SandboxOptions

from .conftest import Api, FakeClock


def _frozen(api: Api) -> None:
    api.runtime.qps().clock = lambda: 1000.25  # every request falls in the same second


def test_medium_requests_over_the_plan_budget_get_a_qps_429(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(plan="pro", meeting_update_quota=False))
    _frozen(api)
    statuses = [api.get("/users").status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    response = api.get("/groups")
    assert response.status_code == 429
    assert response.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
    }
    headers = response.headers
    assert headers["X-RateLimit-Category"] == "Medium"
    assert headers["X-RateLimit-Type"] == "QPS"
    assert headers["X-RateLimit-Limit"] == "20"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["Retry-After"]
    # Light has its own budget.
    meeting_id = next(iter(api.state.meetings))
    light = api.get(f"/meetings/{meeting_id}")
    assert light.status_code == 200


def test_the_budget_is_per_second_and_per_plan(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(plan="business"))
    now = [50.0]
    api.runtime.qps().clock = lambda: now[0]
    meeting_id = next(iter(api.state.meetings))
    assert all(api.get(f"/meetings/{meeting_id}").status_code == 200 for _ in range(80))
    limited = api.get(f"/meetings/{meeting_id}")
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Category"] == "Light"
    assert limited.headers["X-RateLimit-Limit"] == "80"
    now[0] = 51.0
    assert api.get(f"/meetings/{meeting_id}").status_code == 200


def test_rate_limits_can_be_switched_off(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(plan="pro", rate_limits=False))
    _frozen(api)
    assert {api.get("/users").status_code for _ in range(40)} == {200}


def test_a_host_may_update_meetings_100_times_a_utc_day(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(rate_limits=False))
    jade = api.user("Jade")
    meeting_id = api.state.host_meeting_ids(jade.id)[0]
    api.state.set_meeting_updates(jade.id, 99)
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"mute_upon_entry": True}}).status_code == 204
    refused = api.patch(f"/meetings/{meeting_id}", {"settings": {"mute_upon_entry": False}})
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == 429
    assert "daily rate limit (100)" in body["message"]
    assert "Meeting Create/Update" in body["message"]
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    assert refused.headers["X-RateLimit-Limit"] == "100"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    midnight = (api.state.clock() + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
    assert refused.headers["Retry-After"] == midnight
    # The refused update changed nothing; reads and other hosts are unaffected.
    assert api.get(f"/meetings/{meeting_id}").json()["settings"]["mute_upon_entry"] is True
    other = api.state.host_meeting_ids(api.user("Dan").id)[0]
    assert api.patch(f"/meetings/{other}", {"settings": {"mute_upon_entry": True}}).status_code == 204


def test_updates_are_counted(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(rate_limits=False))
    dan = api.user("Dan")
    meeting_id = api.state.host_meeting_ids(dan.id)[0]
    for _ in range(3):
        api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": True}})
    api.patch(f"/meetings/{meeting_id}", {"settings": {"waiting_room": "no"}})  # refused: not counted
    day = api.state.clock().strftime("%Y-%m-%d")
    assert api.state.meeting_updates[(dan.id, day)] == 3


def test_the_quota_can_be_switched_off(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api()
    jade = api.user("Jade")
    api.state.set_meeting_updates(jade.id, 500)
    meeting_id = api.state.host_meeting_ids(jade.id)[0]
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": True}}).status_code == 204


def test_the_update_quota_starts_again_at_midnight_utc(make_api) -> None:  # type: ignore[no-untyped-def]
    state = demo_state()
    clock = FakeClock(datetime(2030, 3, 4, 23, 59, 58, tzinfo=UTC))
    state.clock = clock
    api: Api = make_api(SandboxOptions(rate_limits=False), state)
    jade = api.user("Jade")
    meeting_id = api.state.host_meeting_ids(jade.id)[0]
    api.state.set_meeting_updates(jade.id, 99)
    assert api.state.meeting_updates == {(jade.id, "2030-03-04"): 99}
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": True}}).status_code == 204
    refused = api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": False}})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2030-03-05T00:00:00Z"
    clock.advance(timedelta(seconds=1))  # 23:59:59: still the same UTC day
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": False}}).status_code == 429
    clock.advance(timedelta(seconds=1))  # 00:00:00 on the 5th: a new day, a new quota
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": False}}).status_code == 204
    assert api.get(f"/meetings/{meeting_id}").json()["settings"]["watermark"] is False
    assert api.state.meeting_updates == {(jade.id, "2030-03-04"): 100, (jade.id, "2030-03-05"): 1}
