"""The Upcoming page: the next 7 days of sessions by day, unsafe first, with how old each verdict is.

Read-only, so every signed-in account (viewers too) sees it.
"""

from __future__ import annotations

from starlette.responses import Response

from zoomaudit.service.console.filters import console_zone
from zoomaudit.service.console.sessions import WINDOW, by_day, own_clock, upcoming
from zoomaudit.service.console.web import Ctx
from zoomaudit.timing import age_text


def page(ctx: Ctx) -> Response:
    now = ctx.console.now()
    zone = console_zone(ctx.console.settings.timezone)
    sessions = upcoming(ctx.console.store, now, ctx.accounts)
    return ctx.render(
        "upcoming.html",
        nav="upcoming",
        now=now,
        days=by_day(sessions, zone),
        window_days=WINDOW.days,
        zone=zone,
        own_clock=lambda s: own_clock(s, zone),
        age=lambda then: age_text(then, now),
    )
