"""The rate-limit lower bound of a whole-account audit, and how far a measured run is from it.

Zoom counts requests per category for the whole account (reference.md §3.1). A client allowed
``share`` of a category whose plan limit is ``rate`` requests per second cannot finish its
``n`` requests of that category in less than ``n / (rate x share)`` seconds, whatever its
concurrency. The categories are paced independently, so the audit takes at least the largest of
those times. Before any of it can start, one round trip fetches the token and one reads the
account settings: that sequential start is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

RATED = ("light", "medium", "heavy")
"""The categories with a per-second limit; token requests and unknown routes are not rated."""


@dataclass(frozen=True)
class Bound:
    share: float
    rates: dict[str, float]
    """Per-second limits of the plan, before the share."""
    per_category_s: dict[str, float]
    """``requests / (rate x share)`` for each category that was used."""
    limiting: str | None
    """The category whose time is the largest (None when no rated request was made)."""
    rate_s: float
    start_s: float
    """The sequential start: token and account-settings round trips at the measured latency."""

    @property
    def total_s(self) -> float:
        return self.rate_s + self.start_s


def lower_bound(
    requests: Mapping[str, int], rates: Mapping[str, float], share: float, start_s: float
) -> Bound:
    """The bound for ``requests`` (per category) under ``rates`` (the plan's) times ``share``."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    per_category: dict[str, float] = {}
    for category, count in requests.items():
        if category not in RATED or count <= 0:
            continue
        rate = rates.get(category)
        if not rate:
            raise ValueError(f"no rate limit known for category {category!r}")
        per_category[category] = count / (rate * share)
    limiting = max(per_category, key=per_category.__getitem__) if per_category else None
    rate_s = per_category[limiting] if limiting else 0.0
    return Bound(
        share=share,
        rates=dict(rates),
        per_category_s=per_category,
        limiting=limiting,
        rate_s=rate_s,
        start_s=start_s,
    )


def ratio(measured_s: float, bound: Bound) -> float:
    """The headline figure: measured wall time over the bound (1.0 would be perfect)."""
    if bound.total_s <= 0:
        raise ValueError("the bound is zero: nothing was requested")
    return measured_s / bound.total_s


def sequential_start(token_rtt_s: float, api_rtt_s: float) -> float:
    """One token round trip, then one account-settings round trip (its option views go in parallel)."""
    return token_rtt_s + api_rtt_s


def extrapolate(elapsed_s: float, setup_s: float, done: int, total: int) -> float:
    """A sequential run stopped after ``done`` of ``total`` units: its time for all of them.

    ``setup_s`` (token, account, user listing) is paid once; the rest is taken as proportional.
    """
    if done <= 0:
        raise ValueError("nothing was done: cannot extrapolate")
    if done >= total:
        return elapsed_s
    return setup_s + (elapsed_s - setup_s) * total / done
