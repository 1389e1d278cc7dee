"""Per-category pacing (sliding logs) on a fake clock, 429s, and Retry-After parsing."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest
import respx

from zoomaudit.settings import Settings
from zoomaudit.zoom.client import ZoomClient
from zoomaudit.zoom.ratelimit import (
    MARGIN_MAX,
    MARGIN_MIN,
    RTT_PERCENTILE,
    RTT_SAMPLES,
    Pacer,
    RateLimiter,
    Slot,
    next_utc_midnight,
    parse_retry_after,
    read_429,
)

from .conftest import BASE, START, FakeClock


def _most_in_any_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def _started_with(pacer: Pacer, clock: FakeClock, callers: int) -> list[float]:
    """Start times of ``callers`` concurrent callers, in the order they started."""
    started: list[float] = []

    async def one() -> None:
        started.append((await pacer.acquire()).start)

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(callers)))

    asyncio.run(go())
    assert started == sorted(started)
    return started


def _spread(pacer: Pacer, started: list[float]) -> bool:
    """No more than ``burst`` starts within ``burst`` spacings."""
    b = pacer.burst
    return all(started[n] - started[n - b] >= b * pacer.spacing - 1e-6 for n in range(b, len(started)))


def _measured(pacer: Pacer, spread: float) -> None:
    """Round trips of 50 ms up to 50 ms + ``spread``, as the transport reports them."""
    for i in range(100):
        pacer.observe(0.050 + spread * i / 99)


def test_sequential_callers_stay_within_the_budget_in_every_second(clock: FakeClock) -> None:
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    started: list[float] = []

    async def go() -> None:
        for _ in range(100):
            started.append((await pacer.acquire()).start)
            assert clock.now == started[-1]

    asyncio.run(go())
    assert _most_in_any_window(started) <= 10
    # Nothing timed yet: the margin is the maximum, and the log is what holds the rate.
    assert all(started[n] - started[n - 10] >= 1 + MARGIN_MAX - 1e-6 for n in range(10, 100))
    assert pacer.burst == 1
    assert started[-1] - started[0] == pytest.approx(9 * (1 + MARGIN_MAX) + 9 * pacer.spacing, abs=1e-5)


@pytest.mark.parametrize("budget", [40.0, 80.0, 6.5])
def test_concurrent_callers_start_in_turn_within_the_budget(clock: FakeClock, budget: float) -> None:
    pacer = Pacer(budget, clock=clock, sleep=clock.sleep)
    _measured(pacer, 0.020)
    started = _started_with(pacer, clock, int(budget * 5))
    limit = math.floor(budget)
    assert _most_in_any_window(started) <= limit
    # The log is the limit: the n-th starts one second and the margin after the (n-L)-th ...
    gaps = [started[n] - started[n - limit] for n in range(limit, len(started))]
    assert min(gaps) >= 1 + pacer.margin - 1e-6
    assert max(gaps) == pytest.approx(1 + pacer.margin, abs=1e-6)  # ... and no later
    # ... and starts are spread, not bunched, though a few made together start together.
    assert _spread(pacer, started)
    assert started[: pacer.burst] == [START] * pacer.burst


def test_the_margin_is_the_measured_spread_of_round_trips(clock: FakeClock) -> None:
    pacer = Pacer(80.0, clock=clock, sleep=clock.sleep)
    assert pacer.margin == MARGIN_MAX  # nothing measured yet: the safe side
    _measured(pacer, 0.020)  # 100 round trips spread evenly over 20 ms: the percentile's share of it
    assert pacer.margin == pytest.approx(0.020 * math.ceil(RTT_PERCENTILE * 99) / 99, abs=1e-6)
    steady = Pacer(80.0, clock=clock, sleep=clock.sleep)
    _measured(steady, 0.0)
    assert steady.margin == MARGIN_MIN
    erratic = Pacer(80.0, clock=clock, sleep=clock.sleep)
    _measured(erratic, 2.0)
    assert erratic.margin == MARGIN_MAX


def test_the_margin_follows_recent_round_trips(clock: FakeClock) -> None:
    pacer = Pacer(80.0, clock=clock, sleep=clock.sleep)
    _measured(pacer, 0.100)
    for _ in range(RTT_SAMPLES):
        pacer.observe(0.05)
        pacer.observe(0.06)
    assert pacer.margin == pytest.approx(0.010)


def test_the_log_holds_when_requests_went_out_not_when_they_were_allowed(clock: FakeClock) -> None:
    limiter = RateLimiter({"light": 2.0}, clock=clock, sleep=clock.sleep)
    pacer = limiter.pacer("light")
    _measured(pacer, 0.0)

    async def go() -> tuple[Slot, Slot, Slot]:
        first = await limiter.acquire("light")
        second = await limiter.acquire("light")
        clock.advance(0.3)  # the first was held up in this process before it reached the wire
        await first.trace("http11.send_request_body.complete", {})
        clock.advance(0.05)
        await first.trace("http11.receive_response_headers.complete", {})
        limiter.observe("light", first)
        return first, second, await limiter.acquire("light")

    first, second, third = asyncio.run(go())
    assert first.at == pytest.approx(first.start + 0.3)
    assert first.round_trip == pytest.approx(0.05)
    assert second.round_trip is None  # never sent: not timed
    assert third.start == pytest.approx(first.at + 1 + pacer.margin)


def test_requests_start_ahead_by_the_least_time_they_take_to_reach_the_wire(clock: FakeClock) -> None:
    # Each request spends 30-32 ms in this process before the wire. The pacer starts the next
    # one the least such lead early, so wire times, not starts, are a window and a margin apart:
    # no lead is paid once per L requests, and no window of sends holds more than L.
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    rng = random.Random(7)
    sent: list[float] = []

    async def go() -> None:
        for _ in range(60):
            slot = await pacer.acquire()
            slot.sent = slot.start + 0.030 + 0.002 * rng.random()
            sent.append(slot.sent)
            pacer.observe(0.05, slot.lead)

    asyncio.run(go())
    assert pacer.lead == pytest.approx(0.030, abs=0.001)
    assert _most_in_any_window(sent) <= 10
    assert (sent[59] - sent[19]) / 4 < 1.01  # paying each lead again: ~1.033 per 10 requests


class HeldUpClock(FakeClock):
    """A fake clock whose sleepers ending inside ``[start, end)`` wake only at ``end``: the
    event loop was held up (a garbage collection, a long step) and every timer fired late."""

    def __init__(self, start: float, end: float) -> None:
        super().__init__()
        self.hold = (start, end)

    async def sleep(self, seconds: float) -> None:
        target = self.now + max(0.0, seconds)
        if self.hold[0] <= target < self.hold[1]:
            seconds = self.hold[1] - self.now
        await super().sleep(seconds)


@pytest.mark.parametrize("budget", [40.0, 80.0])
def test_callers_held_up_together_do_not_start_together(budget: float) -> None:
    clock = HeldUpClock(START + 1.2, START + 1.8)
    pacer = Pacer(budget, clock=clock, sleep=clock.sleep)
    _measured(pacer, 0.010)
    started = _started_with(pacer, clock, int(budget * 4))
    assert _most_in_any_window(started) <= budget
    assert _spread(pacer, [t for t in started if t >= START + 1.8])


def test_a_caller_cancelled_while_queued_leaves_its_turn_to_the_next(clock: FakeClock) -> None:
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    started: list[int] = []

    async def one(n: int) -> None:
        await pacer.acquire()
        started.append(n)

    async def go() -> None:
        tasks = [asyncio.ensure_future(one(n)) for n in range(5)]
        await asyncio.sleep(0)  # all queued behind the first
        tasks[2].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(go())
    assert started == [0, 1, 3, 4]
    assert clock.now - START == pytest.approx(3 * pacer.spacing, abs=1e-6), (
        "no slot was spent on the cancelled"
    )


def test_a_budget_under_one_a_second_stretches_the_window(clock: FakeClock) -> None:
    pacer = Pacer(0.5, clock=clock, sleep=clock.sleep)
    assert (pacer.limit, pacer.window) == (1, 2.0)
    started = _started_with(pacer, clock, 4)
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(started))


class VirtualClock:
    """Virtual time for concurrent sleepers: time moves to the earliest sleeper's wake-up only
    once every task has run as far as it can (``FakeClock`` moves time for all at each sleep)."""

    def __init__(self) -> None:
        self.now = START
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), wake))
        await wake

    async def run(self, main: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(main)
        for _ in range(100_000):
            for _ in range(50):  # let every task run until it sleeps or ends
                await asyncio.sleep(0)
            if task.done():
                return task.result()
            if self._sleepers:
                at, _, wake = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                if not wake.done():
                    wake.set_result(None)
        raise AssertionError("the tasks never finished")


def test_a_429_costs_only_the_request_it_hit(api: respx.MockRouter, settings: Settings) -> None:
    clock = VirtualClock()
    refused: list[float] = []
    answered_at: dict[int, float] = {}

    def answer(request: httpx2.Request) -> httpx2.Response:
        meeting_id = int(request.url.path.rsplit("/", 1)[1])
        if meeting_id == 1 and not refused:
            refused.append(clock.now)
            headers = {"Retry-After": "1", "X-RateLimit-Type": "QPS", "X-RateLimit-Category": "Light"}
            return httpx2.Response(
                429, headers=headers, json={"code": 429, "message": "per-second rate limit"}
            )
        answered_at[meeting_id] = clock.now
        return httpx2.Response(200, json={"id": meeting_id})

    api.get(url__regex=rf"{BASE}/meetings/\d+").mock(side_effect=answer)
    chosen = Settings(**{**settings.model_dump(), "rate_plan": "business", "rate_share": 1.0})

    async def go() -> None:
        async with ZoomClient(chosen, clock=clock, sleep=clock.sleep, rng=random.Random(7)) as zoom:
            await asyncio.gather(*(zoom.get_meeting(i) for i in range(1, 21)))
            assert zoom.stats.rate_limited == 1

    asyncio.run(clock.run(go()))
    assert len(answered_at) == 20
    others = [t for meeting_id, t in answered_at.items() if meeting_id != 1]
    assert max(others) - START < 0.5  # the other 19 went on at their pace, with no pause
    assert answered_at[1] - refused[0] == pytest.approx(1.0, abs=0.02)  # it waited Retry-After


def test_client_keeps_a_category_under_its_budget(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient], clock: FakeClock
) -> None:
    sent_at: list[float] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent_at.append(clock.now)
        return httpx2.Response(200, json={"id": int(request.url.path.rsplit("/", 1)[1])})

    api.get(url__regex=rf"{BASE}/meetings/\d+").mock(side_effect=answer)

    async def go(zoom: ZoomClient) -> None:
        await asyncio.gather(*(zoom.get_meeting(i) for i in range(1, 61)))

    # Pro plan Light is 30/s; a share of 0.2 leaves zoomaudit 6 requests a second.
    client = make_client(rate_plan="pro", rate_share=0.2)
    assert client.settings.rate_budget["light"] == pytest.approx(6.0)

    async def run() -> None:
        async with client as zoom:
            await go(zoom)

    asyncio.run(run())
    assert len(sent_at) == 60
    assert _most_in_any_window(sent_at) <= 6 + 1
    assert max(sent_at) - min(sent_at) >= (60 - 1) / 6 - 1e-6


def test_categories_have_separate_budgets(make_client: Callable[..., ZoomClient]) -> None:
    client = make_client(rate_plan="business", rate_share=0.5)
    assert client.limiter.pacer("light").budget == pytest.approx(40.0)
    assert client.limiter.pacer("medium").limit == 30
    assert client.limiter.pacer("Light") is client.limiter.pacer("light")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", START + 2),
        ("0", START),
        (format_datetime(datetime.fromtimestamp(START + 30, UTC), usegmt=True), START + 30),
        ("2030-05-31T00:00:00Z", datetime(2030, 5, 31, tzinfo=UTC).timestamp()),
        ("2030-05-31T00:00:00", datetime(2030, 5, 31, tzinfo=UTC).timestamp()),
        ("2030-05-31T02:00:00+02:00", datetime(2030, 5, 31, tzinfo=UTC).timestamp()),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_forms(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, START) == expected


def test_next_utc_midnight() -> None:
    assert next_utc_midnight(START) == datetime(2025, 11, 22, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("headers", "message", "kind", "category", "resume_at"),
    [
        (
            {"X-RateLimit-Category": "Light", "X-RateLimit-Type": "QPS", "Retry-After": "1"},
            "You have reached the maximum per-second rate limit for this API. Try again later.",
            "per_second",
            "light",
            START + 1,
        ),
        ({}, "Too many concurrent requests.", "per_second", None, None),
        (
            {
                "X-RateLimit-Category": "Heavy",
                "X-RateLimit-Type": "Daily-limit",
                "Retry-After": "2030-05-31T00:00:00Z",
            },
            "You have reached the maximum daily rate limit for this API.",
            "daily",
            "heavy",
            datetime(2030, 5, 31, tzinfo=UTC).timestamp(),
        ),
        ({}, "You have reached the maximum daily rate limit for this API.", "daily", None, START + 69600),
        (
            {"x-ratelimit-category": "Light", "x-ratelimit-limit": "6000", "x-ratelimit-remaining": "5893"},
            "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
            "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
            "host_daily",
            "light",
            START + 69600,  # the next 00:00 UTC
        ),
        (
            {},
            "A maximum of 100 meetings can be created/updated for a single user in one day.",
            "host_daily",
            None,
            START + 69600,
        ),
    ],
    ids=["qps", "concurrency", "daily-headers", "daily-message", "host-quota", "host-quota-2022"],
)
def test_429_answers_are_classified(
    headers: dict[str, str], message: str, kind: str, category: str | None, resume_at: float | None
) -> None:
    answer = read_429(httpx2.Headers(headers), message, START)
    assert (answer.kind, answer.category, answer.resume_at) == (kind, category, resume_at)
