"""Zoom's rate limits: per-second budgets per category and plan, and the per-host daily quota.

Answers follow reference.md §3.4: status 429, ``{"code": 429, "message": ...}`` and the headers
``X-RateLimit-Category``, ``X-RateLimit-Type`` (``QPS`` | ``Daily-limit``), ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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


class QpsLimiter:
    """A fixed one-second window per category, shared by every caller (Zoom counts per account)."""

    def __init__(self, plan: str) -> None:
        self.clock: Callable[[], float] = time.monotonic
        """Replaceable so tests can hold the clock inside one second."""
        self.limits = {cat: int(rate) for cat, rate in RATE_LIMITS[plan].items()}
        self._window: dict[str, int] = {}
        self._count: dict[str, int] = {}

    def check(self, category: str) -> Rejection | None:
        second = int(self.clock())
        if self._window.get(category) != second:
            self._window[category] = second
            self._count[category] = 0
        limit = self.limits.get(category, 10)
        if self._count[category] >= limit:
            return qps_rejection(category, limit)
        self._count[category] += 1
        return None
