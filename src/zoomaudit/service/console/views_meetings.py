"""The meeting list with its filters, and one meeting's controls, findings and fixes."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

import zoomaudit.service.console.data as data
from zoomaudit.refs import is_meeting_id
from zoomaudit.service.console.web import Ctx

PAGE = 100


async def meetings(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    flt = data.MeetingFilter(
        host=q.get("host", "").strip(),
        group=q.get("group", "").strip(),
        policy=q.get("policy", "").strip(),
        severity=q.get("severity", "") if q.get("severity", "") in data.SEVERITIES else "",
        status=q.get("status", "") if q.get("status", "") in data.STATUSES else "",
    )
    groups, group_note = await ctx.console.actions.groups()
    host_ids = None
    if flt.group:
        host_ids = set(groups.get(flt.group, ()))
    listing = await run_in_threadpool(data.meeting_list, ctx.console.store, flt, host_ids, ctx.accounts)
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(listing.rows) // PAGE))
    page = min(page, pages)
    shown = listing.rows[(page - 1) * PAGE : page * PAGE]
    query = {k: v for k, v in flt.__dict__.items() if v}
    return ctx.render(
        "meetings.html",
        nav="meetings",
        listing=listing,
        rows=shown,
        flt=flt,
        groups=sorted(groups),
        group_note=group_note,
        severities=data.SEVERITIES,
        statuses=data.STATUSES,
        page=page,
        pages=pages,
        query=query,
    )


def meeting(ctx: Ctx) -> Response:
    raw = str(ctx.request.path_params["meeting_id"])
    if not is_meeting_id(raw):
        return ctx.render("missing.html", status_code=404, nav="meetings", what="no such meeting id")
    meeting_id = int(raw)
    detail = data.meeting_detail(ctx.console.store, meeting_id, ctx.accounts)
    if detail.run is None and not detail.fixes:
        return ctx.render(
            "missing.html",
            status_code=404,
            nav="meetings",
            what=f"no audit has seen meeting {meeting_id} yet",
            meeting_id=meeting_id,
        )
    first = detail.findings[0] if detail.findings else None
    return ctx.render("meeting.html", nav="meetings", detail=detail, first=first)
