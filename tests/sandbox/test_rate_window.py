"""The sandbox's per-second limits in both windows, judged at the arrival times given (no wall clock)."""

from __future__ import annotations

import pytest

from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.ratelimit import QpsLimiter

from .conftest import Api


def _accepts(limiter: QpsLimiter, times: list[float], category: str = "medium") -> list[bool]:
    return [limiter.check(category, at=t) is None for t in times]


def test_a_fixed_window_lets_two_seconds_meet_at_their_boundary() -> None:
    limiter = QpsLimiter("pro", "fixed")  # Medium: 20 a second
    late = [10.9 + i * 0.001 for i in range(20)]
    early = [11.0 + i * 0.001 for i in range(20)]
    assert all(_accepts(limiter, late + early))  # 40 within 0.12 s, each clock second at 20


def test_a_sliding_window_holds_every_one_second_span_to_the_limit() -> None:
    limiter = QpsLimiter("pro")  # sliding by default
    late = [10.75 + i / 1024 for i in range(20)]  # times exact in binary: no rounding at the edges
    assert all(_accepts(limiter, late))
    assert _accepts(limiter, [11.0, 11.5, 11.74]) == [False, False, False]
    # A full second after the first of them one more fits (the span is half-open), and then
    # one more each time another of the 20 leaves the span.
    assert _accepts(limiter, [11.75, 11.75 + 1 / 2048, 11.75 + 1 / 1024 + 1 / 4096]) == [True, False, True]
    assert all(_accepts(limiter, [12.95 + i / 1024 for i in range(20)]))


def test_refused_requests_do_not_count() -> None:
    limiter = QpsLimiter("pro")
    assert all(_accepts(limiter, [0.5 + i / 128 for i in range(20)]))
    assert not any(_accepts(limiter, [1.0 + i / 128 for i in range(40)]))  # all refused: 429
    # Only the 20 accepted ones count: from 1.5 s on, the span back to 0.5 s is free again.
    assert all(_accepts(limiter, [1.5 + i / 128 for i in range(20)]))


def test_arrivals_judged_out_of_order_still_respect_every_span() -> None:
    limiter = QpsLimiter("pro")
    assert all(_accepts(limiter, [5.0 + i * 0.1 for i in range(5)]))  # 5.0 .. 5.4
    assert all(_accepts(limiter, [6.5 + i * 0.005 for i in range(20)]))  # 6.5 .. 6.595
    # These arrived before 6.5 but are judged after it (their latency was longer): what
    # follows them counts as much as what precedes them.
    assert limiter.check("medium", at=6.0) is not None  # [6.0, 7.0) would hold 1 + 20
    assert limiter.check("medium", at=5.45) is None  # [5.0, 6.0) holds 6, [5.45, 6.45) 1


def test_categories_have_their_own_limits() -> None:
    limiter = QpsLimiter("business")  # Light 80, Medium 60
    assert all(_accepts(limiter, [1.0] * 80, "light"))
    assert limiter.check("light", at=1.0) is not None
    assert all(_accepts(limiter, [1.0] * 60, "medium"))
    assert limiter.check("medium", at=1.0) is not None


def test_the_accepted_arrivals_can_be_recorded() -> None:
    limiter = QpsLimiter("pro")
    limiter.record = []
    _accepts(limiter, [1.0] * 21)
    assert limiter.record == [(1.0, "medium")] * 20


@pytest.mark.parametrize("window", ["sliding", "fixed"])
def test_the_app_judges_by_the_options_window(make_api, window: str) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(plan="pro", meeting_update_quota=False, rate_window=window))  # type: ignore[arg-type]
    ticks = iter([0.9] * 20 + [1.1] * 20)
    api.runtime.qps().clock = lambda: next(ticks)
    statuses = [api.get("/users").status_code for _ in range(40)]
    assert api.runtime.qps().window == window
    assert statuses == [200] * 40 if window == "fixed" else [200] * 20 + [429] * 20


def test_latency_jitter_stays_within_its_bounds_and_is_seeded(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(SandboxOptions(latency_ms=50, latency_jitter_ms=10, seed=4))
    draws = [api.runtime.latency() for _ in range(500)]
    assert all(0.040 <= d <= 0.060 for d in draws)
    assert max(draws) - min(draws) > 0.015  # spread, not a constant
    again: Api = make_api(SandboxOptions(latency_ms=50, latency_jitter_ms=10, seed=4))
    assert [again.runtime.latency() for _ in range(500)] == draws
