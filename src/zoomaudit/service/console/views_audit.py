""" "Audit now": one meeting, or the whole account, run in the background; a page that waits for it."""

from __future__ import annotations

from starlette.responses import Response

from zoomaudit.errors import UsageError
from zoomaudit.refs import parse_meeting
from zoomaudit.service.console.web import Ctx
from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope


def page(ctx: Ctx, *, status_code: int = 200, error: str | None = None, meeting: str = "") -> Response:
    names = ctx.console.audit_accounts
    return ctx.render(
        "audit.html",
        status_code=status_code,
        nav="audit",
        # With several accounts, the forms ask which (those the admin may see).
        audit_accounts=[a for a in names if ctx.may_see(a)] if len(names) > 1 else [],
        running=[j for j in ctx.console.jobs.running("audit") if ctx.may_see_job(j)],
        error=error,
        meeting=meeting,
    )


async def start(ctx: Ctx) -> Response:
    names = ctx.console.audit_accounts
    account = ctx.field("account") or names[0]
    if account not in names:
        return page(ctx, status_code=400, error=f"This service audits no account named {account!r}.")
    if not ctx.may_see(account):
        # An admin limited to other accounts may not start an audit of this one.
        return page(ctx, status_code=403, error=f"Your account cannot audit account {account!r}.")
    what = ctx.field("scope")
    scope: Scope
    if what == "account":
        scope = AccountScope()
    elif what == "meeting":
        raw = ctx.field("meeting_id")
        try:
            meeting_id = parse_meeting(raw)
        except UsageError:
            # The form keeps what was typed, but never a join link's query (its pwd).
            shown = raw.split("?", 1)[0][:80]
            error = "Give the meeting's ID (841 0021 6138) or its join link."
            return page(ctx, status_code=400, error=error, meeting=shown)
        scope = MeetingsScope.of(meeting_id)
    else:
        return page(ctx, status_code=400, error="Choose one meeting or the whole account.")
    # One account: the service's own, as before; several: the one chosen.
    chosen = account if len(names) > 1 else None
    job = ctx.console.jobs.start_audit(scope, started_by=ctx.admin.email, account=chosen, accounts=(account,))
    return ctx.redirect(f"/jobs/{job.id}")


def job(ctx: Ctx) -> Response:
    """A job's page: refreshes while it runs; a finished audit shows its run, an approval its tally."""
    found = ctx.console.jobs.get(str(ctx.request.path_params["job_id"]))
    if found is None or not ctx.may_see_job(found):
        # Another account's job reads as no job at all: its page is not even confirmed.
        return ctx.render(
            "missing.html",
            status_code=404,
            nav="audit",
            what="no such job (the service may have restarted; finished work is in the store)",
        )
    if found.kind == "audit" and found.state == "done" and found.run_id:
        return ctx.redirect(f"/runs/{found.run_id}")
    return ctx.render("job.html", nav="audit" if found.kind == "audit" else "fixes", job=found)
