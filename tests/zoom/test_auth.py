"""Server-to-Server OAuth: the token request, caching, renewal, replay after 401 code 124."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx2
import pytest
import respx

from zoomaudit.errors import AuthError, ZoomUnavailable
from zoomaudit.zoom.client import ZoomClient

from .conftest import ACCESS, BASE, SECRET, TOKEN_URL, FakeClock, token_response

USER = {"id": "u1", "email": "lead@example.org"}


def test_token_request_is_a_form_post_with_basic_client_auth(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> None:
        async with make_client() as zoom:
            await zoom.get_user("u1")

    asyncio.run(go())
    token_call = api["token"].calls.last.request
    assert token_call.method == "POST"
    assert str(token_call.url) == TOKEN_URL
    assert parse_qs(token_call.content.decode()) == {
        "grant_type": ["account_credentials"],
        "account_id": ["acct-1"],
    }
    expected = base64.b64encode(f"client-1:{SECRET}".encode()).decode()
    assert token_call.headers["Authorization"] == f"Basic {expected}"
    assert token_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    api_call = api.calls.last.request
    assert api_call.headers["Authorization"] == f"Bearer {ACCESS}"


def test_token_is_cached_between_requests(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> int:
        async with make_client() as zoom:
            for _ in range(3):
                await zoom.get_user("u1")
            return zoom.stats.token_fetches

    assert asyncio.run(go()) == 1
    assert api["token"].call_count == 1


def test_token_is_renewed_60_seconds_before_it_expires(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient], clock: FakeClock
) -> None:
    api["token"].mock(side_effect=[token_response("first-token-aaaa"), token_response("second-token-bbbb")])
    route = api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> None:
        async with make_client() as zoom:
            await zoom.get_user("u1")
            clock.advance(3600 - 61)  # 61 s left: still good
            await zoom.get_user("u1")
            assert api["token"].call_count == 1
            clock.advance(2)  # 59 s left: renew first
            await zoom.get_user("u1")

    asyncio.run(go())
    assert api["token"].call_count == 2
    bearers = [c.request.headers["Authorization"] for c in route.calls]
    assert bearers == ["Bearer first-token-aaaa", "Bearer first-token-aaaa", "Bearer second-token-bbbb"]


def test_401_code_124_renews_the_token_once_and_replays(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api["token"].mock(side_effect=[token_response("old-token-aaaa"), token_response("new-token-bbbb")])
    route = api.get(f"{BASE}/users/u1").mock(
        side_effect=[
            httpx2.Response(401, json={"code": 124, "message": "Access token is expired."}),
            httpx2.Response(200, json=USER),
        ]
    )

    async def go() -> str:
        async with make_client() as zoom:
            return (await zoom.get_user("u1")).id

    assert asyncio.run(go()) == "u1"
    assert [c.request.headers["Authorization"] for c in route.calls] == [
        "Bearer old-token-aaaa",
        "Bearer new-token-bbbb",
    ]


def test_401_again_after_renewal_is_an_auth_error(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    route = api.get(f"{BASE}/users/u1").respond(401, json={"code": 124, "message": "Invalid access token."})

    async def go() -> None:
        async with make_client() as zoom:
            await zoom.get_user("u1")

    with pytest.raises(AuthError, match="even after a new one was fetched"):
        asyncio.run(go())
    assert route.call_count == 2  # the request and one replay, never a loop
    assert api["token"].call_count == 2


def test_concurrent_first_requests_share_one_token_fetch(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> None:
        async with make_client() as zoom:
            await asyncio.gather(*(zoom.get_user("u1") for _ in range(20)))

    asyncio.run(go())
    assert api["token"].call_count == 1


def test_concurrent_401s_share_one_renewal(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api["token"].mock(side_effect=[token_response("old-token-aaaa"), token_response("new-token-bbbb")])

    refused: list[int] = []

    async def answer(request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(0)  # let the other requests reach Zoom with the same old token
        if request.headers["Authorization"] == "Bearer old-token-aaaa":
            refused.append(1)
            return httpx2.Response(401, json={"code": 124, "message": "Access token is expired."})
        return httpx2.Response(200, json=USER)

    route = api.get(f"{BASE}/users/u1").mock(side_effect=answer)

    async def go() -> None:
        async with make_client() as zoom:
            await zoom.authenticate()
            await asyncio.gather(*(zoom.get_user("u1") for _ in range(20)))

    asyncio.run(go())
    assert len(refused) > 1  # several requests were refused at the same time ...
    assert api["token"].call_count == 2  # ... and shared one renewal
    assert route.call_count == 20 + len(refused)  # each refused request was replayed once


@pytest.mark.parametrize(
    ("status", "body", "plain"),
    [
        (401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, "is wrong"),
        (400, {"reason": "Invalid request : Invalid account_id.", "error": "invalid_request"}, "is wrong"),
        (400, {"code": 4702, "message": "Invalid client"}, "client ID or client secret is wrong"),
        (400, {"code": 4705, "message": "Unsupported grant type"}, "grant type is not supported"),
        (400, {"code": 4717, "message": "The app has been disabled"}, "app is disabled"),
        (401, {"code": 4738, "message": "Token disabled"}, "disabled the app's tokens"),
        (401, {"code": 4741, "message": "Token has been revoked"}, "revoked"),
    ],
)
def test_token_refusals_are_auth_errors_in_plain_words(
    api: respx.MockRouter,
    make_client: Callable[..., ZoomClient],
    status: int,
    body: dict[str, object],
    plain: str,
) -> None:
    api["token"].respond(status, json=body)
    users = api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> None:
        async with make_client() as zoom:
            await zoom.get_user("u1")

    with pytest.raises(AuthError) as caught:
        asyncio.run(go())
    assert plain in str(caught.value)
    assert "ZOOM_CLIENT_SECRET" in str(caught.value)  # names the variable to check ...
    assert SECRET not in str(caught.value)  # ... never its value
    assert api["token"].call_count == 1  # refused credentials are not retried
    assert users.call_count == 0


def test_token_endpoint_outage_is_retried(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api["token"].mock(side_effect=[httpx2.Response(503), httpx2.ConnectError("refused"), token_response()])
    api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> str:
        async with make_client() as zoom:
            return (await zoom.get_user("u1")).id

    assert asyncio.run(go()) == "u1"
    assert api["token"].call_count == 3


def test_token_endpoint_down_gives_up_with_a_clear_error(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api["token"].mock(side_effect=httpx2.ConnectError("All connection attempts failed"))

    async def go() -> None:
        async with make_client() as zoom:
            await zoom.authenticate()

    with pytest.raises(ZoomUnavailable, match=r"no access token from https://zoom.us/oauth/token after 4"):
        asyncio.run(go())


def test_a_token_fetched_early_serves_the_first_request(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> None:
        async with make_client() as zoom:
            zoom.fetch_token_early()
            await zoom.token_request_sent()
            assert api["token"].call_count == 1  # on its way before any other request
            await zoom.get_user("u1")

    asyncio.run(go())
    assert api["token"].call_count == 1


def test_an_early_token_fetch_that_fails_fails_the_first_request_as_it_would_have(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient]
) -> None:
    api["token"].respond(
        400, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )
    user = api.get(f"{BASE}/users/u1").respond(200, json=USER)

    async def go() -> None:
        async with make_client() as zoom:
            zoom.fetch_token_early()
            await zoom.token_request_sent()
            with pytest.raises(AuthError):
                await zoom.get_user("u1")

    asyncio.run(go())
    assert api["token"].call_count == 1  # the early fetch's error, not a second attempt
    assert user.call_count == 0
