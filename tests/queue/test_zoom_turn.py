"""An account's turn at Zoom across processes: the web process's own Zoom work (console approvals
in queue mode) waits while a worker's job of the same account holds it; other accounts do not."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg

from tests.queue.conftest import PATIENCE_SECONDS
from zoomaudit.service.lane import ZoomLane
from zoomaudit.settings import load_settings
from zoomaudit.store.queue_db import queue_conninfo, zoom_turn


class StubClient:
    async def aclose(self) -> None:
        pass


def _waiting_for_a_turn(url: str) -> int:
    with psycopg.connect(queue_conninfo(url)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
    return int(row[0]) if row else 0


async def _until_someone_waits(url: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not await asyncio.to_thread(_waiting_for_a_turn, url):
        assert time.monotonic() < deadline, "nobody ever waited for the turn"
        await asyncio.sleep(0.05)


def test_the_lane_waits_for_the_turn_a_worker_holds(postgres_url: str) -> None:
    events: list[str] = []

    async def scenario() -> None:
        lane = ZoomLane(load_settings(), make_client=lambda: StubClient())
        lane.shared_turn = lambda: zoom_turn(postgres_url, "riverside")

        async def approval(client: Any) -> None:
            events.append("the console's approval talks to Zoom")

        async with zoom_turn(postgres_url, "riverside"):  # a worker's audit of riverside
            waiting = asyncio.create_task(lane.run("approval", approval))
            await _until_someone_waits(postgres_url)
            assert events == []
            events.append("the worker's audit ends")
        await asyncio.wait_for(waiting, timeout=PATIENCE_SECONDS)
        await lane.aclose()

    asyncio.run(scenario())
    assert events == ["the worker's audit ends", "the console's approval talks to Zoom"]


def test_other_accounts_do_not_wait(postgres_url: str) -> None:
    async def scenario() -> str:
        riverside, hillside = zoom_turn(postgres_url, "riverside"), zoom_turn(postgres_url, "hillside")
        async with riverside, asyncio.timeout(PATIENCE_SECONDS), hillside:
            return "hillside's turn while riverside's is held"

    assert asyncio.run(scenario()) == "hillside's turn while riverside's is held"
