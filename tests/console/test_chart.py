"""The Overview's trend chart: an inline SVG with an accessible summary."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from zoomaudit.service.console.chart import TrendPoint, trend_svg

START = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def _points(*violations: int, incomplete: tuple[int, ...] = ()) -> list[TrendPoint]:
    return [
        TrendPoint(f"run-{i}", START + timedelta(days=i), v, i not in incomplete)
        for i, v in enumerate(violations)
    ]


def test_one_point_per_run_oldest_on_the_left_and_worse_is_higher() -> None:
    svg = str(trend_svg(_points(40, 10, 25)))
    xs = [float(x) for x in re.findall(r'<circle class="dot" cx="([\d.]+)"', svg)]
    ys = [float(y) for y in re.findall(r'cy="([\d.]+)"', svg)]
    assert xs == sorted(xs)
    assert len(xs) == 3
    assert ys[1] > ys[2] > ys[0]  # SVG y grows downwards: 10 is lowest on screen
    assert 'role="img"' in svg
    assert "40 at first, 25 in the latest run" in svg


def test_incomplete_runs_are_drawn_hollow_and_labelled() -> None:
    svg = str(trend_svg(_points(5, 7, incomplete=(1,))))
    assert svg.count('class="dot hollow"') == 1
    assert "(incomplete)" in svg


def test_the_axis_rounds_up_and_copes_with_zero_and_one_run() -> None:
    assert ">50</text>" in str(trend_svg(_points(0, 37)))
    single = str(trend_svg(_points(0)))
    assert single.count("<circle") == 1
    assert str(trend_svg([])) == ""
