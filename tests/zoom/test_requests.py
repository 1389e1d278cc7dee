"""The request loop: pagination, retries, 429 handling and error mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx2
import pytest
import respx

from zoomaudit.errors import AuthError, MissingScope, NotFound, RateLimited, ZoomApiError, ZoomUnavailable
from zoomaudit.zoom.client import ZoomClient

from .conftest import BASE, FakeClock

MEETING_ID = 85746065432  # more than 10 digits: an int64
MEETING = {"id": MEETING_ID, "host_id": "host-1", "topic": "1:1 session", "settings": {"waiting_room": True}}


def _run(coro_factory: Callable[[ZoomClient], object], client: ZoomClient) -> object:
    async def go() -> object:
        async with client as zoom:
            return await coro_factory(zoom)  # type: ignore[misc]

    return asyncio.run(go())


# -- pagination --------------------------------------------------------------------------------


def test_pagination_follows_next_page_token_with_the_same_query(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/users/u1/meetings").mock(
        side_effect=[
            httpx2.Response(200, json={"meetings": [{"id": 1}, {"id": 2}], "next_page_token": "tok-2"}),
            httpx2.Response(200, json={"meetings": [{"id": 3}], "next_page_token": "tok-3"}),
            httpx2.Response(200, json={"meetings": [{"id": MEETING_ID}], "next_page_token": ""}),
        ]
    )

    async def ids(zoom: ZoomClient) -> list[int]:
        return [m.id async for m in zoom.list_meetings("u1")]

    assert _run(ids, make_client()) == [1, 2, 3, MEETING_ID]
    queries = [dict(c.request.url.params) for c in route.calls]
    assert queries == [
        {"type": "scheduled", "page_size": "300"},
        {"type": "scheduled", "page_size": "300", "next_page_token": "tok-2"},
        {"type": "scheduled", "page_size": "300", "next_page_token": "tok-3"},
    ]


def test_absent_page_token_ends_paging_and_pending_users_are_skipped(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/users").respond(
        200, json={"users": [{"id": "u1", "email": "a@example.org"}, {"email": "pending@example.org"}]}
    )

    async def emails(zoom: ZoomClient) -> list[str]:
        return [u.email async for u in zoom.list_users()]

    assert _run(emails, make_client()) == ["a@example.org"]
    assert route.call_count == 1
    assert dict(route.calls.last.request.url.params) == {"status": "active", "page_size": "300"}


def test_group_members_are_paged_too(api: respx.MockRouter, make_client: Callable[..., ZoomClient]) -> None:
    api.get(f"{BASE}/groups/g1/members").mock(
        side_effect=[
            httpx2.Response(200, json={"members": [{"id": "u1"}], "next_page_token": "n2"}),
            httpx2.Response(200, json={"members": [{"id": "u2"}], "next_page_token": None}),
        ]
    )

    async def members(zoom: ZoomClient) -> list[str]:
        return [m.id async for m in zoom.list_group_members("g1")]

    assert _run(members, make_client()) == ["u1", "u2"]


def test_a_repeated_page_token_stops_paging(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/users").respond(200, json={"users": [{"id": "u1"}], "next_page_token": "same"})

    async def drain(zoom: ZoomClient) -> None:
        async for _ in zoom.list_users():
            pass

    with pytest.raises(ZoomUnavailable, match="repeated a page token"):
        _run(drain, make_client())


# -- typed calls -------------------------------------------------------------------------------


def test_meeting_read_and_update(api: respx.MockRouter, make_client: Callable[..., ZoomClient]) -> None:
    read = api.get(f"{BASE}/meetings/{MEETING_ID}").respond(200, json=MEETING)
    patch = api.patch(f"{BASE}/meetings/{MEETING_ID}").respond(204)

    async def go(zoom: ZoomClient) -> int:
        meeting = await zoom.get_meeting(MEETING_ID, occurrence_id="1648194360000")
        await zoom.update_meeting(
            MEETING_ID, {"settings": {"waiting_room": True}}, occurrence_id="1648194360000"
        )
        assert zoom.stats.requests_by_category == {"light": 2}
        return meeting.id

    assert _run(go, make_client()) == MEETING_ID
    assert read.calls.last.request.url.params["occurrence_id"] == "1648194360000"
    sent = patch.calls.last.request
    assert sent.url.params["occurrence_id"] == "1648194360000"
    assert sent.read() == b'{"settings":{"waiting_room":true}}'


def test_generic_request_is_counted_under_the_endpoint_category(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.patch(f"{BASE}/users/u1/settings").respond(204)

    async def go(zoom: ZoomClient) -> int:
        response = await zoom.request(
            "PATCH",
            "/users/u1/settings",
            params={"option": "meeting_security"},
            json={"meeting_security": {}},
        )
        assert zoom.stats.requests_by_endpoint == {"PATCH /users/{userId}/settings": 1}
        assert zoom.stats.requests_by_category == {"medium": 1}
        return response.status_code

    assert _run(go, make_client()) == 204


def test_list_groups(api: respx.MockRouter, make_client: Callable[..., ZoomClient]) -> None:
    api.get(f"{BASE}/groups").respond(
        200, json={"groups": [{"id": "g1", "name": "Youth work", "total_members": 3}], "total_records": 1}
    )

    async def go(zoom: ZoomClient) -> list[str]:
        return [g.name for g in await zoom.list_groups()]

    assert _run(go, make_client()) == ["Youth work"]


# -- transient failures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        httpx2.Response(502),
        httpx2.Response(503, json={"code": 503, "message": "Service Unavailable"}),
        httpx2.ReadTimeout("timed out"),
        httpx2.ConnectError("connection refused"),
        httpx2.RemoteProtocolError("Server disconnected without sending a response."),
        httpx2.ReadError("Connection reset by peer"),
        httpx2.Response(200, text="<html>upstream error</html>"),
        ConnectionError("dropped in-process"),  # how httpx2.ASGITransport surfaces a dropped connection
    ],
    ids=["502", "503", "timeout", "refused", "dropped", "reset", "malformed-json", "asgi-drop"],
)
def test_transient_failures_are_retried_with_backoff(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient], clock: FakeClock, failure: object
) -> None:
    route = api.get(f"{BASE}/meetings/{MEETING_ID}").mock(
        side_effect=[failure, failure, httpx2.Response(200, json=MEETING)]
    )

    async def go(zoom: ZoomClient) -> int:
        meeting = await zoom.get_meeting(MEETING_ID)
        assert zoom.stats.retries == 2
        return meeting.id

    assert _run(go, make_client()) == MEETING_ID
    assert route.call_count == 3
    first, second = clock.sleeps
    assert 0.25 <= first <= 0.5  # base 0.5 s, half of it jittered
    assert 0.5 <= second <= 1.0  # doubled


def test_gives_up_after_bounded_retries_with_a_clear_error(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/meetings/{MEETING_ID}").respond(503)

    with pytest.raises(ZoomUnavailable) as caught:
        _run(lambda zoom: zoom.get_meeting(MEETING_ID), make_client(max_retries=2))
    assert route.call_count == 3
    text = str(caught.value)
    assert f"GET /meetings/{MEETING_ID}" in text
    assert "HTTP 503" in text
    assert "3 times" in text


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (
            404,
            {"code": 3001, "message": f"Meeting {MEETING_ID} is not found or has expired."},
            NotFound,
            3001,
        ),
        (404, {"code": 1001, "message": "User does not exist: u9"}, NotFound, 1001),
        (400, {"code": 300, "message": "Validation Failed.", "errors": [{"field": "x"}]}, ZoomApiError, 300),
        (400, {"code": 3000, "message": "Cannot access meeting information."}, ZoomApiError, 3000),
        (403, {"code": 200, "message": "No permission."}, ZoomApiError, 200),
        (409, {"code": 409, "message": "Conflict"}, ZoomApiError, 409),
    ],
)
def test_error_answers_map_to_the_exception_tree_and_are_not_retried(
    api: respx.MockRouter,
    make_client: Callable[..., ZoomClient],
    status: int,
    body: dict[str, object],
    error: type[ZoomApiError],
    code: int,
) -> None:
    route = api.get(f"{BASE}/meetings/{MEETING_ID}").respond(status, json=body)

    with pytest.raises(error) as caught:
        _run(lambda zoom: zoom.get_meeting(MEETING_ID), make_client())
    assert type(caught.value) is error
    assert caught.value.status == status
    assert caught.value.code == code
    assert caught.value.zoom_message == body["message"]
    assert caught.value.method == "GET"
    assert caught.value.url == f"/meetings/{MEETING_ID}"
    assert route.call_count == 1


def test_missing_scope_is_its_own_error(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    message = "Invalid access token, does not contain scopes: [account:read:admin]."
    route = api.get(f"{BASE}/accounts/me/settings").respond(401, json={"code": 4700, "message": message})

    with pytest.raises(MissingScope, match=r"account:read:admin"):
        _run(lambda zoom: zoom.get_account_settings(), make_client())
    assert route.call_count == 1  # 4700 is not an expired token: no renewal, no replay
    assert api["token"].call_count == 1


# -- 429 -------------------------------------------------------------------------------------


def _retry_after_forms(now: float) -> list[tuple[str, float]]:
    at = datetime.fromtimestamp(now + 5, UTC)
    return [
        ("2", 2.0),
        (format_datetime(at, usegmt=True), 5.0),
        (at.strftime("%Y-%m-%dT%H:%M:%SZ"), 5.0),
    ]


@pytest.mark.parametrize("form", [0, 1, 2], ids=["seconds", "http-date", "iso-datetime"])
def test_per_second_429_waits_for_retry_after_then_retries(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient], clock: FakeClock, form: int
) -> None:
    header, wait = _retry_after_forms(clock.now)[form]
    seen_at: list[float] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen_at.append(clock.now)
        if len(seen_at) == 1:
            return httpx2.Response(
                429,
                headers={"Retry-After": header, "X-RateLimit-Type": "QPS", "X-RateLimit-Category": "Light"},
                json={
                    "code": 429,
                    "message": "You have reached the maximum per-second rate limit for this API.",
                },
            )
        return httpx2.Response(200, json=MEETING)

    api.get(f"{BASE}/meetings/{MEETING_ID}").mock(side_effect=answer)

    async def go(zoom: ZoomClient) -> int:
        meeting = await zoom.get_meeting(MEETING_ID)
        assert zoom.stats.rate_limited == 1
        return meeting.id

    assert _run(go, make_client()) == MEETING_ID
    assert seen_at[1] - seen_at[0] == pytest.approx(wait)


def test_429_without_retry_after_backs_off(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient], clock: FakeClock
) -> None:
    api.get(f"{BASE}/meetings/{MEETING_ID}").mock(
        side_effect=[
            httpx2.Response(429, json={"code": 429, "message": "Too many requests"}),
            httpx2.Response(200, json=MEETING),
        ]
    )
    _run(lambda zoom: zoom.get_meeting(MEETING_ID), make_client())
    assert len(clock.sleeps) == 1
    assert 0.25 <= clock.sleeps[0] <= 0.5


def test_per_second_429_that_never_clears_is_bounded(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/meetings/{MEETING_ID}").respond(
        429, headers={"Retry-After": "1"}, json={"code": 429}
    )
    with pytest.raises(RateLimited, match="still rate limited"):
        _run(lambda zoom: zoom.get_meeting(MEETING_ID), make_client(max_retries=2))
    assert route.call_count == 3


def test_daily_limit_429_stops_asking_that_category(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/users/u1/settings").respond(
        429,
        headers={
            "X-RateLimit-Category": "Medium",
            "X-RateLimit-Type": "Daily-limit",
            "Retry-After": "2030-05-31T00:00:00Z",
        },
        json={"code": 429, "message": "You have reached the maximum daily rate limit for this API."},
    )
    groups = api.get(f"{BASE}/groups").respond(200, json={"groups": []})

    async def go(zoom: ZoomClient) -> None:
        with pytest.raises(RateLimited) as first:
            await zoom.get_user_settings("u1")
        assert first.value.category == "medium"
        assert first.value.retry_at == "2030-05-31T00:00:00Z"
        with pytest.raises(RateLimited, match="reached earlier in this run"):
            await zoom.list_groups()  # another Medium endpoint: not even sent

    _run(go, make_client())
    assert route.call_count == 1
    assert groups.call_count == 0


def test_daily_limit_told_only_in_the_message_is_recognised(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/users").respond(
        429, json={"code": 429, "message": "You have reached the maximum daily rate limit for this API."}
    )

    async def go(zoom: ZoomClient) -> None:
        async for _ in zoom.list_users():
            pass

    with pytest.raises(RateLimited) as caught:
        _run(go, make_client())
    assert caught.value.retry_at == "2025-11-22T00:00:00Z"  # no Retry-After: next midnight UTC


def test_per_host_meeting_update_quota_stops_changes_for_that_host(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    # As in devforum 18928: the per-user quota 429 came with no Retry-After and no X-RateLimit-Type.
    other_id = 91234567890
    api.get(f"{BASE}/meetings/{MEETING_ID}").respond(200, json=MEETING)
    patch = api.patch(f"{BASE}/meetings/{MEETING_ID}").respond(
        429,
        headers={
            "x-ratelimit-category": "Light",
            "x-ratelimit-limit": "6000",
            "x-ratelimit-remaining": "5893",
        },
        json={
            "code": 429,
            "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
            "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
        },
    )
    other_patch = api.patch(f"{BASE}/meetings/{other_id}").respond(204)

    async def go(zoom: ZoomClient) -> None:
        await zoom.get_meeting(MEETING_ID)  # the client learns the meeting's host
        with pytest.raises(RateLimited) as caught:
            await zoom.update_meeting(MEETING_ID, {"settings": {"waiting_room": True}})
        assert caught.value.host == "host-1"
        assert caught.value.retry_at == "2025-11-22T00:00:00Z"
        with pytest.raises(RateLimited, match="host host-1"):
            await zoom.request("PATCH", f"/meetings/{MEETING_ID}", json={"settings": {}})
        await zoom.update_meeting(other_id, {"settings": {"waiting_room": True}}, host="host-2")
        assert zoom.stats.requests_by_category["light"] == 3  # the blocked PATCH was never sent

    _run(go, make_client())
    assert patch.call_count == 1
    assert other_patch.call_count == 1


def test_401_without_code_124_is_not_replayed(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/users/u1").respond(401, json={"code": 4711, "message": "Invalid token."})

    with pytest.raises(AuthError, match="refused the credentials for GET /users/u1"):
        _run(lambda zoom: zoom.get_user("u1"), make_client())
    assert route.call_count == 1
    assert api["token"].call_count == 1


def test_an_unexpected_answer_shape_is_an_api_error(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/meetings/{MEETING_ID}").respond(200, json={"topic": "no id"})

    with pytest.raises(ZoomApiError, match=r"unexpected response shape \(id: Field required\)") as caught:
        _run(lambda zoom: zoom.get_meeting(MEETING_ID), make_client())
    assert caught.value.url == "/meetings/{meetingId}"
