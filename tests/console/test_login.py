"""Signing in and out: cookies, CSRF on the login form, lockouts, redirects, ended sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from zoomaudit.service.console.accounts import remove_admin
from zoomaudit.store import Store

from .conftest import ADMIN, PASSWORD, VIEWER, Clock, csrf_of, login

pytestmark = pytest.mark.anyio


async def test_pages_send_a_signed_out_visitor_to_the_login_form(client: httpx2.AsyncClient) -> None:
    response = await client.get("/meetings?severity=high")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/meetings%3Fseverity%3Dhigh"


async def test_signing_in_sets_an_httponly_strict_session_cookie(client: httpx2.AsyncClient) -> None:
    response = await login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("zoomaudit_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie
    page = await client.get("/")
    assert page.status_code == 200
    assert ADMIN in page.text


async def test_the_cookie_is_secure_when_served_over_tls(app: Any) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="https://console.test") as tls:
        response = await login(tls)
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("zoomaudit_session="))
    assert "Secure" in cookie


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: httpx2.AsyncClient,
) -> None:
    for email in (ADMIN, "nobody@example.org"):
        response = await login(client, email, "not the password")
        assert response.status_code == 401
        assert "Wrong e-mail or password" in response.text
        assert "zoomaudit_session" not in response.headers.get("set-cookie", "")


async def test_the_login_form_needs_its_csrf_token(client: httpx2.AsyncClient) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 403
    assert (await client.get("/")).status_code == 303


async def test_failures_at_one_account_make_each_further_attempt_wait_longer(
    client: httpx2.AsyncClient, clock: Clock
) -> None:
    for _ in range(3):  # the fixture's allowance
        assert (await login(client, ADMIN, "guess guess guess")).status_code == 401
    # 1 second to wait: even the right password is refused, like a wrong one, and not counted.
    waiting = await login(client, ADMIN, PASSWORD)
    assert waiting.status_code == 401
    assert "retry-after" not in waiting.headers
    clock.now += timedelta(seconds=1)
    assert (await login(client, ADMIN, "guess guess guess")).status_code == 401
    # The fourth failure doubles the wait: 2 seconds.
    clock.now += timedelta(seconds=1)
    assert (await login(client, ADMIN, PASSWORD)).status_code == 401
    clock.now += timedelta(seconds=1)
    assert (await login(client, ADMIN, PASSWORD)).status_code == 303


async def test_one_address_is_delayed_across_accounts_and_others_are_not(
    client: httpx2.AsyncClient, app: Any, clock: Clock
) -> None:
    for n in range(6):
        await login(client, f"someone{n}@example.org", "guess guess guess")
    refused = await login(client, VIEWER, PASSWORD)
    assert refused.status_code == 401
    assert "Wrong e-mail or password" in refused.text
    other = httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app, client=("198.51.100.9", 1)), base_url="http://console.test"
    )
    async with other:
        assert (await login(other, VIEWER, PASSWORD)).status_code == 303
    clock.now += timedelta(seconds=1)
    assert (await login(client, VIEWER, PASSWORD)).status_code == 303


async def test_after_sign_in_the_visitor_returns_to_the_page_asked_for_but_never_off_site(
    client: httpx2.AsyncClient,
) -> None:
    for target, expected in (("/fixes", "/fixes"), ("//evil.example/x", "/"), ("https://evil.example", "/")):
        page = await client.get(f"/login?next={target}")
        response = await client.post(
            "/login", data={"csrf": csrf_of(page.text), "email": ADMIN, "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == expected
        client.cookies.clear()


async def test_signing_out_ends_the_session_even_for_a_copied_cookie(client: httpx2.AsyncClient) -> None:
    await login(client)
    kept = client.cookies.get("zoomaudit_session")
    token = csrf_of((await client.get("/")).text)
    response = await client.post("/logout", data={"csrf": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.set("zoomaudit_session", kept or "")
    assert (await client.get("/")).status_code == 303


async def test_removing_an_admin_ends_their_sessions(client: httpx2.AsyncClient, store: Store) -> None:
    await login(client, VIEWER)
    assert (await client.get("/")).status_code == 200
    remove_admin(store, VIEWER)
    assert (await client.get("/")).status_code == 303


async def test_pages_carry_a_strict_content_security_policy(client: httpx2.AsyncClient) -> None:
    response = await client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in response.text.replace("http://www.w3.org", "")
