"""Per-category request budgets, and the parsing of Zoom's 429 answers.

Zoom counts requests per rate-limit category (Light, Medium, ...) across the whole account and
every app installed on it (reference.md §3.1). zoomaudit keeps one budget per category, sized
by plan x share (``Settings.rate_budget``), so that a normal run provokes no 429 at all.

Each budget is a token bucket kept in the GCRA form (a "theoretical arrival time"). A caller
starts at once when the bucket allows it and nobody is waiting; otherwise it queues, and one
pacer per bucket lets the queue through one request at a time. In any window of ``T`` seconds
at most ``rate * T + burst`` requests start, even after the event loop was held up (slots are
not handed out in advance, so callers queued during a hold-up do not all start at its end).

The burst and the rate are chosen so that ``rate + burst`` never exceeds the plan's own limit
(the ceiling): at a share of 1.0 a bucket refilled at the full limit overshot at every
one-second boundary and met 429s (measured on the sandbox: 91 to 243 in a 5,000-meeting
audit), so there the burst shrinks to one request and the rate to the limit less one; at the
default share of 0.5 the burst fits in the half of the limit left over and the rate is the
whole budget. After a 429 the category is paused: no request of that category starts before
the pause ends, and the burst is not refilled.

The clock and the sleep are injected so that tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``); one clock serves token expiry, budgets and Retry-After."""
Sleep = Callable[[float], Awaitable[None]]

BURST_SECONDS = 0.1
"""A bucket holds up to this many seconds' worth of its budget (at least one request)."""


class TokenBucket:
    """The budget of one rate-limit category."""

    def __init__(
        self,
        budget: float,
        *,
        ceiling: float | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if budget <= 0:
            raise ValueError("a rate budget must be positive")
        self.budget = budget
        """Requests per second zoomaudit may spend (plan limit x share)."""
        self.ceiling = max(ceiling or budget, budget)
        """Requests per second that Zoom allows the whole account in this category."""
        self.burst = max(1.0, min(budget * BURST_SECONDS, self.ceiling - budget))
        # rate + burst <= ceiling; below 2/s keep at least half the budget as the steady rate.
        self.rate = max(min(budget, self.ceiling - self.burst), budget / 2)
        self._interval = 1.0 / self.rate
        self._tolerance = (self.burst - 1.0) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._tat = 0.0  # theoretical arrival time of the next request
        self.paused_until = 0.0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._pacer: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Wait until a request of this category may start (first come, first served)."""
        if not self._waiting and self._take(self._clock()):
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        if self._pacer is None or self._pacer.done():
            self._pacer = asyncio.ensure_future(self._pace())
        await turn

    def _take(self, now: float, *, on_schedule: bool = False) -> bool:
        """Start one request now if the budget allows it."""
        if now < self.paused_until:
            return False
        # The pacer (``on_schedule``) wakes a little late for every slot; up to one slot behind,
        # the schedule holds, or that lateness would be lost each time (~10% at 80/s). Further
        # behind (a hold-up), it restarts from now and the missed slots stay unused.
        tat = max(self._tat, now - self._interval) if on_schedule else max(self._tat, now)
        if tat - self._tolerance > now:
            return False
        self._tat = tat + self._interval
        return True

    async def _pace(self) -> None:
        """Let the waiting callers start one at a time, each when the budget allows.

        Slots are not handed out in advance: when the event loop is held up (a garbage
        collection, a long step), the callers queued meanwhile still start one slot apart
        afterwards, instead of all at once beyond the budget of the second they land in.
        """
        while self._waiting:
            now = self._clock()
            if self._take(now, on_schedule=True):
                turn = self._waiting.popleft()
                if not turn.done():  # a caller cancelled while it waited has no turn to take
                    turn.set_result(None)
                else:
                    self._tat -= self._interval  # give its slot back
                continue
            ready = max(self.paused_until, max(self._tat, now) - self._tolerance)
            await self._sleep(ready - now)

    def pause(self, until: float) -> None:
        """No request starts before ``until``; afterwards the budget restarts without a burst."""
        if until > self.paused_until:
            self.paused_until = until
        self._tat = max(self._tat, until + self._tolerance)


class RateLimiter:
    """One token bucket per category; unknown categories share the smallest budget."""

    def __init__(
        self,
        budget: Mapping[str, float],
        *,
        ceilings: Mapping[str, float] | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        limits = {cat.lower(): rate for cat, rate in (ceilings or {}).items()}
        self.buckets = {
            cat.lower(): TokenBucket(rate, ceiling=limits.get(cat.lower()), clock=clock, sleep=sleep)
            for cat, rate in budget.items()
        }
        self._fallback = min(self.buckets.values(), key=lambda b: b.budget)

    def bucket(self, category: str) -> TokenBucket:
        return self.buckets.get(category.lower(), self._fallback)

    async def acquire(self, category: str) -> None:
        await self.bucket(category).acquire()

    def pause(self, category: str, until: float) -> None:
        self.bucket(category).pause(until)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """When (epoch seconds) a ``Retry-After`` value allows the next request, or None if unreadable.

    Zoom sends seconds on some answers and an ISO-8601 date-time on daily-limit answers
    (reference.md §3.4); HTTP allows an HTTP-date too. All three are accepted.
    """
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return now + float(text)
    when: datetime | None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def next_utc_midnight(now: float) -> float:
    """The next 00:00 UTC, when Zoom's per-user daily meeting quota resets (reference.md §3.3)."""
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=1)).timestamp()


def iso_utc(epoch: float) -> str:
    """``2026-11-22T00:00:00Z``: how a retry time is shown and stored."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class LimitAnswer:
    """What a 429 says: which limit was hit, for which category, and when asking again may work."""

    kind: Literal["per_second", "daily", "host_daily"]
    category: str | None
    resume_at: float | None
    """Epoch seconds. Always set for the daily kinds (next 00:00 UTC when Zoom does not say)."""


def read_429(headers: Mapping[str, str], message: str, now: float) -> LimitAnswer:
    """Classify a 429 from its headers and its message (reference.md §3.4).

    Headers alone are not trusted: the per-user meeting quota answer has been seen with
    ``X-RateLimit-Category: Light``, no ``X-RateLimit-Type`` and no ``Retry-After``
    (devforum 18928), so the message is read too.
    """
    text = message.lower()
    category = headers.get("X-RateLimit-Category", "").strip().lower() or None
    resume = parse_retry_after(headers.get("Retry-After"), now)
    per_host = any(s in text for s in ("meeting create/update", "particular user", "single user"))
    daily = headers.get("X-RateLimit-Type", "").strip().lower() == "daily-limit" or "daily" in text
    if per_host or daily:
        until = resume if resume is not None and resume > now else next_utc_midnight(now)
        return LimitAnswer("host_daily" if per_host else "daily", category, until)
    return LimitAnswer("per_second", category, resume)
