"""The Overview's trend chart: violations per run as a small inline SVG (no script, no network).

The chart is decoration for sighted readers; the same numbers are in a table next to it, so the SVG
carries ``role="img"`` with a one-line summary as its accessible name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 34


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    at: datetime
    violations: int
    complete: bool


def _nice_max(value: int) -> int:
    """A round upper bound for the y axis (1, 2, 5 x 10^k)."""
    top = max(value, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= top:
                return step * factor
        step *= 10


def trend_svg(points: list[TrendPoint]) -> Markup:
    """An SVG line of violations per run, oldest on the left; incomplete runs drawn hollow."""
    if not points:
        return Markup("")
    peak = _nice_max(max(p.violations for p in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if len(points) == 1 else plot_w * i / (len(points) - 1))

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / peak)

    first, last = points[0], points[-1]
    summary = (
        f"Violations per run, {len(points)} runs from {first.at:%Y-%m-%d} to {last.at:%Y-%m-%d}: "
        f"{first.violations} at first, {last.violations} in the latest run."
    )
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(summary)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
    ]
    for tick in (0, peak // 2, peak) if peak >= 2 else (0, peak):
        ty = y(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{tick}</text>')
    coords = " ".join(f"{x(i):.1f},{y(p.violations):.1f}" for i, p in enumerate(points))
    parts.append(f'<polyline class="line" points="{coords}"/>')
    for i, p in enumerate(points):
        kind = "dot" if p.complete else "dot hollow"
        label = f"{p.at:%Y-%m-%d %H:%M} UTC: {p.violations} violations" + (
            "" if p.complete else " (incomplete)"
        )
        parts.append(
            f'<circle class="{kind}" cx="{x(i):.1f}" cy="{y(p.violations):.1f}" r="4">'
            f"<title>{escape(label)}</title></circle>"
        )
    for i in sorted({0, len(points) - 1}):
        anchor = "start" if i == 0 and len(points) > 1 else "end" if i else "middle"
        parts.append(
            f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">'
            f"{points[i].at:%d %b %H:%M}</text>"
        )
    parts.append("</svg>")
    # Every piece of text above is a number, a date or passed through html.escape.
    return Markup("".join(parts))  # noqa: S704
