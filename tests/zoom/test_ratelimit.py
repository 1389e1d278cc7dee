"""Per-category budgets on a fake clock, and Retry-After parsing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
import respx

from zoomaudit.zoom.client import ZoomClient
from zoomaudit.zoom.ratelimit import TokenBucket, next_utc_midnight, parse_retry_after, read_429

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


def test_bucket_keeps_sequential_callers_under_budget(clock: FakeClock) -> None:
    bucket = TokenBucket(10.0, clock=clock, sleep=clock.sleep)
    started: list[float] = []

    async def go() -> None:
        for _ in range(100):
            await bucket.acquire()
            started.append(clock.now)

    asyncio.run(go())
    assert _most_in_any_window(started) <= 10  # never more than the budget in any second
    assert started[-1] - started[0] == pytest.approx((100 - bucket.burst) / bucket.rate, abs=0.11)


def test_bucket_keeps_concurrent_callers_under_budget(clock: FakeClock) -> None:
    bucket = TokenBucket(40.0, clock=clock, sleep=clock.sleep)
    started: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        started.append(clock.now)

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(200)))

    asyncio.run(go())
    assert len(started) == 200
    assert _most_in_any_window(started) <= 40
    assert max(started) - START == pytest.approx((200 - bucket.burst) / bucket.rate, abs=0.05)


def test_pause_holds_every_caller_until_it_ends(clock: FakeClock) -> None:
    bucket = TokenBucket(100.0, clock=clock, sleep=clock.sleep)
    bucket.pause(START + 3.0)
    started: list[float] = []

    async def go() -> None:
        for _ in range(3):
            await bucket.acquire()
            started.append(clock.now)

    asyncio.run(go())
    assert started[0] == pytest.approx(START + 3.0)
    assert started[2] - started[0] == pytest.approx(2 / bucket.rate, abs=1e-5)  # no burst right after a pause


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


@pytest.mark.parametrize(("budget", "ceiling"), [(40.0, 80.0), (80.0, 80.0)])
def test_callers_held_up_together_do_not_start_together(budget: float, ceiling: float) -> None:
    clock = HeldUpClock(START + 1.2, START + 1.8)
    bucket = TokenBucket(budget, ceiling=ceiling, clock=clock, sleep=clock.sleep)
    started: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        started.append(clock.now)

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(int(budget * 4))))

    asyncio.run(go())
    assert len(started) == int(budget * 4)
    # Within the budget in every second, give or take the one slot in flight at the hold-up's end.
    assert _most_in_any_window(started) <= bucket.rate + bucket.burst + 1


def test_a_caller_cancelled_while_queued_leaves_its_turn_to_the_next(clock: FakeClock) -> None:
    bucket = TokenBucket(10.0, clock=clock, sleep=clock.sleep)
    started: list[int] = []

    async def one(n: int) -> None:
        await bucket.acquire()
        started.append(n)

    async def go() -> None:
        tasks = [asyncio.ensure_future(one(n)) for n in range(5)]
        await asyncio.sleep(0)  # all queued behind the first
        tasks[2].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(go())
    assert started == [0, 1, 3, 4]
    assert clock.now - START == pytest.approx(3 / bucket.rate, abs=1e-6), "no slot was spent on the cancelled"


@pytest.mark.parametrize(
    ("budget", "ceiling"), [(1.0, 1.0), (2.0, 2.0), (6.0, 6.0), (80.0, 80.0), (40.0, 80.0)]
)
def test_the_steady_rate_plus_the_burst_fits_the_plan_limit(budget: float, ceiling: float) -> None:
    bucket = TokenBucket(budget, ceiling=ceiling)
    assert bucket.burst >= 1
    assert bucket.rate > 0
    if ceiling >= 2:
        assert bucket.rate + bucket.burst <= ceiling + 1e-9
    assert bucket.rate >= budget / 2


def test_at_the_default_share_the_whole_budget_is_the_steady_rate() -> None:
    bucket = TokenBucket(40.0, ceiling=80.0)  # Business Light at share 0.5
    assert bucket.rate == pytest.approx(40.0)
    assert bucket.burst == pytest.approx(4.0)


def test_at_a_full_share_the_burst_is_one_request() -> None:
    bucket = TokenBucket(80.0, ceiling=80.0)
    assert bucket.burst == pytest.approx(1.0)
    assert bucket.rate == pytest.approx(79.0)


def test_client_keeps_a_category_under_its_budget(
    api: respx.MockRouter, make_client: Callable[..., ZoomClient], clock: FakeClock
) -> None:
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        return httpx.Response(200, json={"id": int(request.url.path.rsplit("/", 1)[1])})

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
    assert client.limiter.bucket("light").budget == pytest.approx(40.0)
    assert client.limiter.bucket("medium").budget == pytest.approx(30.0)
    assert client.limiter.bucket("Light") is client.limiter.bucket("light")


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
    answer = read_429(httpx.Headers(headers), message, START)
    assert (answer.kind, answer.category, answer.resume_at) == (kind, category, resume_at)
