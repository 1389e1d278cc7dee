"""Security review regressions: form bodies, non-ASCII tokens, concurrent sign-ins, odd ids."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from zoomaudit.fixes.queue import get_fix
from zoomaudit.service.console.accounts import check_login
from zoomaudit.service.console.auth import load_or_create_secret
from zoomaudit.service.console.throttle import LoginPolicy
from zoomaudit.store import Store

from .conftest import ADMIN, PASSWORD, Clock, FakeActions, Seeded, csrf_of, login, signed_in

pytestmark = pytest.mark.anyio


class Body:
    """A request body sent in chunks, counting how many chunks the server asked for."""

    def __init__(self, chunks: int, size: int = 16 * 1024) -> None:
        self.chunks = chunks
        self.size = size
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.sent += 1
            yield b"a" * self.size


async def test_a_signed_out_post_is_refused_before_its_body_is_read(client: httpx2.AsyncClient) -> None:
    body = Body(chunks=64)  # 1 MiB nobody should have to hold in memory
    response = await client.post(
        "/fixes/decide",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403
    assert body.sent <= 1


async def test_a_large_form_is_refused_without_acting(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions
) -> None:
    csrf = await signed_in(client, page="/fixes")
    response = await client.post(
        "/fixes/decide",
        data={"csrf": csrf, "fix_id": seeded.fixes[0], "decision": "approve", "note": "x" * 200_000},
    )
    assert response.status_code == 413
    assert actions.approved == []


async def test_a_multipart_post_is_refused_without_acting(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions
) -> None:
    csrf = await signed_in(client, page="/fixes")
    response = await client.post(
        "/fixes/decide",
        data={"csrf": csrf, "fix_id": seeded.fixes[0], "decision": "approve"},
        files={"upload": ("big.bin", b"\0" * 1024)},
    )
    assert response.status_code == 415
    assert actions.approved == []


async def test_the_login_form_is_bounded_too(client: httpx2.AsyncClient) -> None:
    csrf = csrf_of((await client.get("/login")).text)
    response = await client.post(
        "/login", data={"csrf": csrf, "email": ADMIN, "password": "p" * 100_000, "next": "/"}
    )
    assert response.status_code == 413


async def test_bulk_approval_of_a_full_policy_page_still_fits(
    client: httpx2.AsyncClient, seeded: Seeded, actions: Any
) -> None:
    csrf = await signed_in(client, page="/fixes")
    shown = [f"fx-{n:08x}" for n in range(1000)] + seeded.fixes
    response = await client.post(
        "/fixes/approve-policy", data={"csrf": csrf, "policy": "waiting-room", "fix_id": shown}
    )
    assert response.status_code == 303
    await client.get(response.headers["location"])


async def test_a_non_ascii_csrf_token_is_refused_not_an_error(
    client: httpx2.AsyncClient, seeded: Seeded, store: Store
) -> None:
    await signed_in(client, page="/fixes")
    response = await client.post(
        "/fixes/decide",
        data={"csrf": "jeton-é", "fix_id": seeded.fixes[0], "decision": "approve"},
    )
    assert response.status_code == 403
    assert get_fix(store, seeded.fixes[0]).status == "pending"
    login_page = await client.get("/login")
    refused = await client.post("/login", data={"csrf": "é", "email": ADMIN, "password": "x"})
    assert login_page.status_code in (200, 303)
    assert refused.status_code == 403


async def test_a_non_ascii_session_cookie_is_signed_out_not_an_error(app: Any) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://console.test") as c:
        cookie = "zoomaudit_session=abc.\u00e9\u00e9".encode("latin-1")
        response = await c.get("/", headers=[(b"cookie", cookie)])
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_sign_ins_sent_at_once_get_no_more_checks_than_the_address_allows(
    client: httpx2.AsyncClient, app: Any, clock: Clock
) -> None:
    # The fixture allows 6 failures per address: all 12 guesses arrive before any is checked, and
    # only 6 are counted (the others meet the delay, unchecked and uncounted).
    csrf = csrf_of((await client.get("/login")).text)
    responses = await asyncio.gather(
        *(
            client.post(
                "/login",
                data={"csrf": csrf, "email": f"guess{n}@example.org", "password": "guess guess", "next": "/"},
            )
            for n in range(12)
        )
    )
    assert [r.status_code for r in responses] == [401] * 12
    assert app.state.console.throttle.failures("203.0.113.7") == 6
    assert (await login(client, ADMIN, PASSWORD)).status_code == 401
    clock.now += timedelta(seconds=1)
    assert (await login(client, ADMIN, PASSWORD)).status_code == 303


async def test_guesses_at_one_account_sent_at_once_stop_at_its_allowance(
    app: Any, store: Store, clock: Clock
) -> None:
    # Each guess from its own address: only the account's own delay (after 3 in the fixture) holds
    # them. The third failure starts a 1-second delay; every later guess is refused unchecked.
    async def guess(n: int, password: str = "guess guess") -> int:
        transport = httpx2.ASGITransport(app=app, client=(f"198.51.100.{n}", 40000))
        async with httpx2.AsyncClient(transport=transport, base_url="http://console.test") as c:
            return (await login(c, ADMIN, password)).status_code

    statuses = await asyncio.gather(*(guess(n) for n in range(8)))
    assert statuses == [401] * 8
    account = store.admins.by_email(ADMIN)
    assert account is not None
    assert account.failed_attempts == 3
    assert len(app.state.console.sign_ins) == 0
    assert await guess(20, PASSWORD) == 401
    clock.now += timedelta(seconds=1)
    assert await guess(21, PASSWORD) == 303


@pytest.mark.parametrize("meeting_id", ["\u00b2", "9" * 5000, "99999999999999999999"])
async def test_audit_now_refuses_odd_meeting_ids_with_a_message(
    client: httpx2.AsyncClient, actions: FakeActions, meeting_id: str
) -> None:
    csrf = await signed_in(client, page="/audit")
    response = await client.post("/audit", data={"csrf": csrf, "scope": "meeting", "meeting_id": meeting_id})
    assert response.status_code == 400
    assert "ID (841 0021 6138)" in response.text
    assert actions.audits == []


@pytest.mark.parametrize("meeting_id", ["\u00b2", "-5", "99999999999999999999"])
async def test_a_waiver_refuses_odd_meeting_ids_with_a_message(
    client: httpx2.AsyncClient, meeting_id: str
) -> None:
    csrf = await signed_in(client, page="/waivers")
    response = await client.post(
        "/waivers",
        data={
            "csrf": csrf,
            "policy": "waiting-room",
            "scope": "meeting",
            "target": meeting_id,
            "reason": "a test",
        },
    )
    assert response.status_code == 400
    assert "is not a meeting" in response.text


def test_a_login_result_never_shows_the_password_hash(store: Store) -> None:
    from .conftest import NOW

    result = check_login(store, ADMIN, PASSWORD, now=NOW, policy=LoginPolicy())
    account = store.admins.by_email(ADMIN)
    assert result.admin is not None
    assert account is not None
    assert account.password_hash not in repr(result)
    assert account.password_hash not in repr(account)
    assert "$argon2" not in repr(result)


def test_a_console_secret_file_others_can_read_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "zoomaudit.db.console-secret"
    first = load_or_create_secret(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(path) == first
    assert "console secret" not in caplog.text
    path.chmod(0o644)
    assert load_or_create_secret(path) == first
    assert "chmod 600" in caplog.text


@pytest.mark.parametrize("meeting_id", ["99999999999999999999", "9" * 5000, "12ab", "\u0661\u0662"])
async def test_a_meeting_page_for_an_impossible_id_is_not_found(
    client: httpx2.AsyncClient, meeting_id: str
) -> None:
    await signed_in(client)
    response = await client.get(f"/meetings/{meeting_id}")
    assert response.status_code == 404
    assert "no such meeting id" in response.text.lower()


@pytest.mark.parametrize("waiver_id", ["99999999999999999999", "9" * 5000, "x"])
async def test_removing_an_impossible_waiver_id_is_refused_with_a_message(
    client: httpx2.AsyncClient, waiver_id: str
) -> None:
    csrf = await signed_in(client, page="/waivers")
    response = await client.post(f"/waivers/{waiver_id}/remove", data={"csrf": csrf})
    assert response.status_code == 404
    assert "No waiver" in response.text
