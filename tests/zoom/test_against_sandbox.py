"""The client against the in-package sandbox (in-process, httpx2.ASGITransport): a full read, a write."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from zoomaudit.errors import AuthError, NotFound
from zoomaudit.sandbox.app import create_app
from zoomaudit.sandbox.demo import demo_state
from zoomaudit.sandbox.options import no_limits
from zoomaudit.sandbox.state import SandboxState
from zoomaudit.settings import Settings
from zoomaudit.zoom.client import ZoomClient


def _client(state: SandboxState, secret: str | None = None) -> ZoomClient:
    settings = Settings(
        zoom_account_id=state.account_id,
        zoom_client_id=state.client_id,
        zoom_client_secret=secret or state.client_secret,  # type: ignore[arg-type]
        zoom_api_base_url="http://127.0.0.1/v2",
        zoom_oauth_token_url="http://127.0.0.1/oauth/token",
        max_retries=1,
    )
    return ZoomClient(settings, transport=httpx2.ASGITransport(create_app(state, no_limits())))


def test_reads_every_tier_of_the_demo_account() -> None:
    state = demo_state()

    async def go() -> None:
        async with _client(state) as zoom:
            users = [u async for u in zoom.list_users()]
            assert users
            host = users[0]
            settings = await zoom.user_settings_merged(host.id)
            assert "meeting_security" in settings
            meetings = [m async for m in zoom.list_meetings(host.id)]
            for item in meetings:
                meeting = await zoom.get_meeting(item.id)
                assert meeting.id == item.id
            account = await zoom.account_settings_merged()
            assert "meeting_security" in account
            await zoom.account_locks_merged()
            for group in await zoom.list_groups():
                await zoom.group_settings_merged(group.id)
                await zoom.group_locks_merged(group.id)
                assert all([m.id async for m in zoom.list_group_members(group.id)])
            assert zoom.stats.token_fetches == 1
            assert zoom.stats.rate_limited == 0

    asyncio.run(go())


def test_a_meeting_update_is_read_back() -> None:
    state = demo_state()
    host = next(u for u in state.users.values() if state.host_meeting_ids(u.id))
    meeting_id = state.host_meeting_ids(host.id)[0]

    async def go() -> None:
        async with _client(state) as zoom:
            before = await zoom.get_meeting(meeting_id)
            wanted = not bool(before.settings.get("mute_upon_entry"))
            await zoom.update_meeting(meeting_id, {"settings": {"mute_upon_entry": wanted}})
            after = await zoom.get_meeting(meeting_id)
            assert after.settings["mute_upon_entry"] is wanted
            with pytest.raises(NotFound):
                await zoom.get_meeting(1)

    asyncio.run(go())


def test_a_wrong_secret_is_refused_in_plain_words() -> None:
    state = demo_state()

    async def go() -> None:
        async with _client(state, secret="not-the-secret-at-all") as zoom:
            await zoom.authenticate()

    with pytest.raises(AuthError, match="client ID or client secret is wrong"):
        asyncio.run(go())
