"""zoomaudit's ZoomClient against the sandbox over real HTTP on loopback (uvicorn, start_sandbox).

Auth, a token that dies mid-run, pagination, and 429s, 5xx answers, dropped connections and
malformed bodies switched on: the client must still read exactly what a fault-free run reads.
The client runs on a clock that its own sleeps move on, so back-off and pacing take no wall time.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from zoomaudit.errors import AuthError, RateLimited
from zoomaudit.sandbox.demo import demo_state
from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.server import RunningSandbox, start_sandbox
from zoomaudit.sandbox.synthetic import synthetic_state
from zoomaudit.settings import Settings
from zoomaudit.zoom.client import ZoomClient

from .conftest import frozen

pytestmark = pytest.mark.e2e


class _FastTime:
    """The client's clock and sleep: sleeping moves the clock on instead of waiting, so back-off
    and pacing cost no wall time (the sandbox keeps the real clock)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.offset += max(seconds, 0.0)
        await asyncio.sleep(0)


def _client(sandbox: RunningSandbox, **overrides: Any) -> ZoomClient:
    values: dict[str, Any] = {**sandbox.env(), "ZOOMAUDIT_MAX_RETRIES": 8, "ZOOMAUDIT_CONCURRENCY": 8}
    values.update(overrides)
    fast = _FastTime()
    return ZoomClient(Settings(**values), clock=fast.now, sleep=fast.sleep)


async def _read_all(zoom: ZoomClient) -> dict[str, Any]:
    """Users, each user's meetings and each meeting's settings, plus the account tiers."""
    out: dict[str, Any] = {"meetings": {}, "settings": {}}
    users = [u async for u in zoom.list_users()]
    out["users"] = sorted(u.id for u in users)

    async def one_host(user_id: str) -> None:
        out["settings"][user_id] = await zoom.user_settings_merged(user_id)
        items = [item async for item in zoom.list_meetings(user_id)]
        for meeting in await asyncio.gather(*(zoom.get_meeting(item.id) for item in items)):
            out["meetings"][meeting.id] = (meeting.password, meeting.settings)

    await asyncio.gather(*(one_host(user.id) for user in users))
    out["account"] = await zoom.account_settings_merged()
    out["locks"] = await zoom.account_locks_merged()
    out["groups"] = sorted(g.id for g in await zoom.list_groups())
    return out


def _no_faults() -> SandboxOptions:
    return SandboxOptions(rate_limits=False, meeting_update_quota=False)


def test_a_full_read_over_loopback_matches_the_account() -> None:
    state = demo_state()
    with start_sandbox(state, _no_faults()) as sandbox:

        async def go() -> dict[str, Any]:
            async with _client(sandbox) as zoom:
                result = await _read_all(zoom)
                assert zoom.stats.token_fetches == 1
                assert zoom.stats.retries == 0
                return result

        result = asyncio.run(go())
    active = sorted(u.id for u in state.users.values() if u.status == "active")
    assert result["users"] == active
    scheduled = {m["id"] for m in state.meetings.values() if m["type"] != 4}
    assert set(result["meetings"]) == scheduled
    assert result["account"]["meeting_security"]["auto_security"] is True


def test_pagination_across_pages() -> None:
    state = synthetic_state(users=320, meetings=700, seed=4)
    with start_sandbox(state, _no_faults()) as sandbox:

        async def go() -> tuple[list[str], int]:
            async with _client(sandbox) as zoom:
                users = [u.id async for u in zoom.list_users()]
                busiest = max(state.users, key=lambda uid: len(state.host_meeting_ids(uid)))
                meetings = [m async for m in zoom.list_meetings(busiest)]
                return users, len(meetings)

        users, meetings = asyncio.run(go())
        pages = [e for e in sandbox.log.entries if e.path == "/v2/users"]
    assert sorted(users) == sorted(state.users)
    assert len(pages) == 2
    assert "next_page_token=" in pages[1].query
    busiest = max(state.users, key=lambda uid: len(state.host_meeting_ids(uid)))
    assert meetings == len(state.host_meeting_ids(busiest))


def test_a_token_that_dies_mid_run_is_renewed_once() -> None:
    with start_sandbox(demo_state(), _no_faults()) as sandbox:

        async def go() -> int:
            async with _client(sandbox) as zoom:
                first = [u async for u in zoom.list_users()]
                for token in sandbox.runtime.tokens.values():  # Zoom ends the token early
                    token.dies_at = 0
                await zoom.user_settings_merged(first[0].id)
                await zoom.get_meeting(sandbox.state.host_meeting_ids(first[0].id)[0])
                return zoom.stats.token_fetches

        assert asyncio.run(go()) == 2
        statuses = [(e.path, e.status) for e in sandbox.log.entries]
    assert statuses.count(("/oauth/token", 200)) == 2
    # The merged settings read sends its three views at once: each may meet the dead token, but
    # the client fetches a single new one.
    assert 1 <= sum(1 for _, status in statuses if status == 401) <= 3


def test_wrong_credentials_stop_the_client_with_an_auth_error() -> None:
    with start_sandbox(demo_state(), _no_faults()) as sandbox:

        async def go() -> None:
            async with _client(sandbox, ZOOM_CLIENT_SECRET="wrong-secret-value") as zoom:
                await zoom.get_user(next(iter(sandbox.state.users)))

        with pytest.raises(AuthError) as caught:
            asyncio.run(go())
    assert "wrong-secret-value" not in str(caught.value)


@pytest.mark.parametrize(
    "faults",
    [
        {"rate_limit_rate": 0.25},
        {"error_rate": 0.2, "drop_rate": 0.1},
        {"malformed_rate": 0.15, "error_rate": 0.1},
    ],
    ids=["429s", "5xx-and-drops", "malformed"],
)
def test_faults_do_not_change_what_is_read(faults: dict[str, float]) -> None:
    state = demo_state()
    with start_sandbox(state, _no_faults()) as sandbox:

        async def clean() -> dict[str, Any]:
            async with _client(sandbox) as zoom:
                return await _read_all(zoom)

        expected = asyncio.run(clean())
        for key, value in faults.items():
            setattr(sandbox.options, key, value)
        sandbox.options.seed = 11

        async def faulty() -> tuple[dict[str, Any], int, int]:
            async with _client(sandbox) as zoom:
                result = await _read_all(zoom)
                return result, zoom.stats.retries, zoom.stats.rate_limited

        result, retries, limited = asyncio.run(faulty())
        injected = [e for e in sandbox.log.entries if e.fault]
    assert result == expected
    assert injected
    assert retries >= len(injected) - 1  # every fault but the token endpoint's is retried
    if "rate_limit_rate" in faults:
        assert limited > 0


def test_real_rate_limits_are_waited_out() -> None:
    state = demo_state()
    options = SandboxOptions(plan="pro", meeting_update_quota=False)
    with start_sandbox(state, options) as sandbox:
        # The sandbox's limiter sees 30 requests a second whatever the machine's speed, so a third
        # of the Medium requests (pro: 20 a second) meet a 429.
        ticks = itertools.count()
        sandbox.runtime.qps().clock = lambda: next(ticks) / 30

        async def go() -> tuple[int, int]:
            async with _client(sandbox, ZOOMAUDIT_RATE_SHARE=1.0, ZOOMAUDIT_CONCURRENCY=16) as zoom:
                users = [u for u in state.users.values() if u.status == "active"]
                docs = await asyncio.gather(*(zoom.get_user_settings(u.id) for u in users for _ in range(4)))
                assert all("in_meeting" in d for d in docs)
                return zoom.stats.rate_limited, len(docs)

        limited, read = asyncio.run(go())
        answered_429 = sandbox.log.statuses().get(429, 0)
    assert read == 4 * len([u for u in state.users.values() if u.status == "active"])
    assert limited == answered_429
    assert limited > 0


def test_the_daily_meeting_quota_stops_updates_for_that_host() -> None:
    state = frozen(demo_state())
    jade = next(u for u in state.users.values() if u.first_name == "Jade")
    meeting_id = state.host_meeting_ids(jade.id)[0]
    state.set_meeting_updates(jade.id, 100)
    with start_sandbox(state, SandboxOptions(rate_limits=False)) as sandbox:

        async def go() -> None:
            async with _client(sandbox) as zoom:
                await zoom.update_meeting(meeting_id, {"settings": {"waiting_room": True}})

        with pytest.raises(RateLimited) as caught:
            asyncio.run(go())
        assert sandbox.log.statuses().get(429) == 1
    assert caught.value.retry_at
