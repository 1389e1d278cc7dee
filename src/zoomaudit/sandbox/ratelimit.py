"""Zoom's rate limits: per-second budgets per category and plan, and the per-host daily quota.

Answers follow reference.md §3.4: status 429, ``{"code": 429, "message": ...}`` and the headers
``X-RateLimit-Category``, ``X-RateLimit-Type`` (``QPS`` | ``Daily-limit``), ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``Retry-After``.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from zoomaudit.settings import RATE_LIMITS

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


def daily_quota_message(limit: int) -> str:
    # The wording of the per-user meeting quota answer quoted in reference.md §3.4.
    return (
        f"You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API requests "
        "permitted for this particular user. You may resume these requests at GMT 00:00:00."
    )


def category_name(category: str) -> str:
    return category.capitalize()


class Rejection:
    """A 429 answer: body and headers."""

    __slots__ = ("body", "headers")

    def __init__(self, body: dict[str, object], headers: dict[str, str]) -> None:
        self.body = body
        self.headers = headers


def qps_rejection(category: str, limit: int) -> Rejection:
    return Rejection(
        {"code": 429, "message": QPS_MESSAGE},
        {
            "X-RateLimit-Category": category_name(category),
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "Retry-After": "1",
        },
    )


def next_utc_midnight(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def daily_rejection(limit: int, now: datetime | None = None) -> Rejection:
    reset = next_utc_midnight(now).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Rejection(
        {"code": 429, "message": daily_quota_message(limit)},
        {
            "X-RateLimit-Category": "Light",
            "X-RateLimit-Type": "Daily-limit",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "Retry-After": reset,
        },
    )


RateWindow = Literal["sliding", "fixed"]

SPAN = 1.0
"""Zoom's per-second limits, in seconds."""


class QpsLimiter:
    """Per-category per-second limits, shared by every caller (Zoom counts per account).

    ``sliding`` (the default): no one-second span ever holds more than the limit of accepted
    requests, the strictest reading of Zoom's undocumented window. ``fixed``: each whole
    second of the clock counts afresh, so two adjacent seconds can together hold twice the
    limit within one second's span (kept for comparison).

    Requests are judged at their *arrival* time, which the caller passes (``at``): the sandbox
    computes it when the request comes in (receipt plus its simulated latency), so a pause of
    the sandbox's own event loop while the request waits does not move it into another second.
    Refused requests do not count: Zoom answers them at once with ``Retry-After: 1``.
    """

    def __init__(self, plan: str, window: RateWindow = "sliding") -> None:
        self.clock: Callable[[], float] = time.time
        """Replaceable so tests can hold the clock inside one second."""
        self.window: RateWindow = window
        self.limits = {cat: int(rate) for cat, rate in RATE_LIMITS[plan].items()}
        self._second: dict[str, int] = {}
        self._count: dict[str, int] = {}
        self._accepted: dict[str, list[float]] = {}
        self.record: list[tuple[float, str]] | None = None
        """When a list, every accepted arrival is appended to it (the benchmark reads it)."""

    def check(self, category: str, at: float | None = None) -> Rejection | None:
        """Accept one request of ``category`` arriving at ``at`` (default: now), or refuse it."""
        when = self.clock() if at is None else at
        limit = self.limits.get(category, 10)
        fits = self._fits_fixed if self.window == "fixed" else self._fits_sliding
        if not fits(category, when, limit):
            return qps_rejection(category, limit)
        if self.record is not None:
            self.record.append((when, category))
        return None

    def _fits_fixed(self, category: str, when: float, limit: int) -> bool:
        second = int(when)
        if self._second.get(category) != second:
            self._second[category] = second
            self._count[category] = 0
        if self._count[category] >= limit:
            return False
        self._count[category] += 1
        return True

    def _fits_sliding(self, category: str, when: float, limit: int) -> bool:
        # Kept sorted: with added latency (and its jitter) requests are judged nearly, not
        # exactly, in arrival order, so a late-judged one may land between earlier ones.
        accepted = self._accepted.setdefault(category, [])
        at = bisect.bisect_right(accepted, when)
        lo = bisect.bisect_right(accepted, when - SPAN)
        hi = bisect.bisect_left(accepted, when + SPAN, lo=at)
        near = [*accepted[lo:at], when, *accepted[at:hi]]
        # Any limit + 1 of them within less than a second (a half-open span) is one too many.
        if any(near[i + limit] - near[i] < SPAN for i in range(len(near) - limit)):
            return False
        accepted.insert(at, when)
        # Forget what can no longer share a span with a request judged from now on (2 s of slack
        # for the ones judged out of order).
        horizon = accepted[-1] - 2 * SPAN
        if accepted[0] < horizon:
            del accepted[: bisect.bisect_left(accepted, horizon)]
        return True
