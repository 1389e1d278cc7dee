"""One active scheduler: the one holding the PostgreSQL advisory lock. A second stands by and
takes over when the first's connection dies."""

from __future__ import annotations

import asyncio

import pytest

from tests.queue.conftest import PATIENCE_SECONDS
from zoomaudit.service.leader import SchedulerLeader
from zoomaudit.store.queue_db import SchedulerLock, end_backend


class Recorder:
    """A scheduler stand-in: records when it was told to lead and to step down."""

    def __init__(self, name: str, events: list[str]) -> None:
        self.name, self.events = name, events

    async def lead(self) -> None:
        self.events.append(f"{self.name} leads")

    async def step_down(self) -> None:
        self.events.append(f"{self.name} steps down")


def _leader(url: str, name: str, events: list[str], rejoin_after: float | None = None) -> SchedulerLeader:
    recorder = Recorder(name, events)
    return SchedulerLeader(
        SchedulerLock(url),
        check_every=0.1,
        lead=recorder.lead,
        step_down=recorder.step_down,
        rejoin_after=rejoin_after,
    )


async def _within(event: asyncio.Event, what: str) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=PATIENCE_SECONDS)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_connection_dies(
    postgres_url: str,
) -> None:
    events: list[str] = []

    async def scenario() -> None:
        # The first, once its connection died, does not come back within the test (a dead host).
        first = _leader(postgres_url, "first", events, rejoin_after=PATIENCE_SECONDS)
        second = _leader(postgres_url, "second", events)
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        running_first = asyncio.create_task(first.run(stop_first))
        await _within(first.leading, "the first scheduler to lead")
        running_second = asyncio.create_task(second.run(stop_second))
        await _within(second.standing_by, "the second scheduler to stand by")
        assert not second.leading.is_set()

        pid = first.lock.backend_pid()
        assert pid is not None
        await asyncio.to_thread(end_backend, postgres_url, pid)  # the first's host vanished
        await _within(second.leading, "the second scheduler to take over")
        stop_first.set()
        stop_second.set()
        await asyncio.wait_for(asyncio.gather(running_first, running_second), timeout=PATIENCE_SECONDS)

    asyncio.run(scenario())
    # The second may take the freed lock before the first notices it is gone: the two overlap by
    # at most one check of the first (docs/operations.md says so).
    assert events[0] == "first leads"
    assert sorted(events[1:3]) == ["first steps down", "second leads"]
    assert events[3:] == ["second steps down"]


def test_only_one_of_two_locks_is_held_at_once(postgres_url: str) -> None:
    one, two = SchedulerLock(postgres_url), SchedulerLock(postgres_url)
    try:
        assert one.try_acquire()
        assert not two.try_acquire()
        assert one.held()
        assert not two.held()
        one.release()
        assert not one.held()
        assert two.try_acquire()
    finally:
        one.release()
        two.release()
