"""The fix queue: pending plans with before/after, approve / reject, bulk approve, outcomes, trail."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

import zoomaudit.service.console.data as data
from zoomaudit.errors import UsageError, ZoomAuditError
from zoomaudit.service.console.web import Ctx
from zoomaudit.vocabulary import FixStatus

MAX_NOTE = 2000
PER_POLICY = 25
"""Rows shown per policy on the queue page; the rest are one click away (``?policy=``)."""
ONE_POLICY = 1000


def _queue_page(ctx: Ctx, *, status_code: int = 200, error: str | None = None) -> Response:
    store = ctx.console.store
    done_ids = [i for i in ctx.request.query_params.get("done", "").split(",") if i][:200]
    only = ctx.request.query_params.get("policy", "").strip()
    pending = data.pending_fixes(store, ctx.accounts)
    groups = [(p, plans) for p, plans in data.by_policy(pending) if not only or p == only]
    return ctx.render(
        "fixes.html",
        status_code=status_code,
        nav="fixes",
        groups=groups,
        only=only,
        limit=ONE_POLICY if only else PER_POLICY,
        pending=pending,
        done=data.fixes_by_id(store, done_ids, ctx.accounts),
        decided=data.decided_fixes(store, accounts=ctx.accounts),
        error=error,
    )


def queue(ctx: Ctx) -> Response:
    return _queue_page(ctx)


def _unseen(ctx: Ctx, fix_ids: list[str]) -> str | None:
    """Refusal text when a fix named is not one the admin may act on (another account's, or
    none): said as for an unknown id, so another account's fixes are not even confirmed."""
    found = ctx.console.store.fixes.get_many(fix_ids)
    hidden = [i for i in fix_ids if i not in found or not ctx.may_see(found[i].account)]
    if not hidden:
        return None
    return f"no fix plan with id {', '.join(repr(i) for i in hidden)}"


def _accounts_of(ctx: Ctx, fix_ids: list[str]) -> tuple[str, ...]:
    """The accounts of these fixes: who may see the job that applies or reverts them."""
    return tuple(sorted({f.account for f in ctx.console.store.fixes.get_many(fix_ids).values()}))


def _zoom_busy(ctx: Ctx) -> bool:
    """Whether the service's Zoom lane is in use (an audit runs): Zoom work would wait its turn."""
    return bool(getattr(ctx.console.actions, "zoom_busy", None))


async def _approve(ctx: Ctx, fix_ids: list[str], note: str | None) -> Response:
    if _zoom_busy(ctx):
        # Waiting for the turn could take as long as the audit: wait on the job's page instead.
        label = f"fix {fix_ids[0]}" if len(fix_ids) == 1 else f"{len(fix_ids)} fixes"
        accounts = await run_in_threadpool(_accounts_of, ctx, fix_ids)
        job = ctx.console.jobs.start_approval(
            fix_ids, label=label, actor=ctx.admin.email, note=note, accounts=accounts
        )
        return ctx.redirect(f"/jobs/{job.id}")
    try:
        results = await ctx.console.actions.approve(fix_ids, actor=ctx.admin.email, note=note)
    except ZoomAuditError as exc:
        return await run_in_threadpool(_queue_page, ctx, status_code=409, error=str(exc))
    ids = [str(getattr(r, "fix_id", None) or getattr(r, "id", "")) for r in results] or fix_ids
    return ctx.redirect("/fixes?done=" + ",".join(i for i in ids if i))


async def decide(ctx: Ctx) -> Response:
    """Approve or reject one plan; the note is required as the reason of a rejection."""
    fix_id = ctx.field("fix_id")
    decision = ctx.field("decision")
    note = ctx.field("note")[:MAX_NOTE]
    if not fix_id or decision not in ("approve", "reject"):
        return await run_in_threadpool(_queue_page, ctx, status_code=400, error="Choose Approve or Reject.")
    unseen = await run_in_threadpool(_unseen, ctx, [fix_id])
    if unseen is not None:
        return await run_in_threadpool(_queue_page, ctx, status_code=404, error=unseen)
    if decision == "approve":
        return await _approve(ctx, [fix_id], note or None)
    if not note:
        return await run_in_threadpool(
            _queue_page, ctx, status_code=400, error=f"To reject {fix_id}, give a reason in its note field."
        )
    try:
        await ctx.console.actions.reject([fix_id], actor=ctx.admin.email, reason=note)
    except ZoomAuditError as exc:
        return await run_in_threadpool(_queue_page, ctx, status_code=409, error=str(exc))
    return ctx.redirect("/fixes?done=" + fix_id)


async def approve_policy(ctx: Ctx) -> Response:
    """Approve every pending plan of one policy that the page listed, as a background job."""
    policy_id = ctx.field("policy")
    shown = set(ctx.fields("fix_id"))
    pending = await run_in_threadpool(data.pending_fixes, ctx.console.store, ctx.accounts)
    # Only what the admin saw on the page: a plan queued since then waits for its own decision.
    ids = [p.id for p in pending if p.policy_id == policy_id and p.id in shown]
    chosen = set(ids)
    if not ids:
        return await run_in_threadpool(
            _queue_page, ctx, status_code=409, error=f"No pending fixes of policy {policy_id!r} to approve."
        )
    job = ctx.console.jobs.start_approval(
        ids,
        label=f"{len(ids)} fix{'' if len(ids) == 1 else 'es'} of {policy_id}",
        actor=ctx.admin.email,
        note=ctx.field("note")[:MAX_NOTE] or None,
        accounts=tuple(sorted({p.account for p in pending if p.id in chosen})),
    )
    return ctx.redirect(f"/jobs/{job.id}")


async def revert(ctx: Ctx) -> Response:
    """Put back the values an applied fix replaced (with the same checks as applying it)."""
    fix_id = ctx.field("fix_id")
    if not fix_id:
        return await run_in_threadpool(
            _queue_page, ctx, status_code=400, error="Which fix should be reverted?"
        )
    unseen = await run_in_threadpool(_unseen, ctx, [fix_id])
    if unseen is not None:
        return await run_in_threadpool(_queue_page, ctx, status_code=404, error=unseen)
    if _zoom_busy(ctx):
        accounts = await run_in_threadpool(_accounts_of, ctx, [fix_id])
        job = ctx.console.jobs.start_revert(fix_id, actor=ctx.admin.email, accounts=accounts)
        return ctx.redirect(f"/jobs/{job.id}")
    try:
        result = await ctx.console.actions.revert(fix_id, actor=ctx.admin.email)
    except ZoomAuditError as exc:
        return await run_in_threadpool(_queue_page, ctx, status_code=409, error=str(exc))
    status = getattr(result, "status", FixStatus.REVERTED)
    if status != FixStatus.REVERTED:
        # Stale, failed, or Zoom unusable: the fix keeps its state and the admin is told why.
        why = getattr(result, "message", "") or status
        return await run_in_threadpool(
            _queue_page, ctx, status_code=409, error=f"{fix_id} was not reverted ({status}): {why}"
        )
    return ctx.redirect("/fixes?done=" + fix_id)


def fix(ctx: Ctx) -> Response:
    from zoomaudit.fixes.queue import get_fix

    fix_id = str(ctx.request.path_params["fix_id"])
    try:
        plan = get_fix(ctx.console.store, fix_id)
        if not ctx.may_see(plan.account):
            raise UsageError(f"no fix plan with id {fix_id!r} (see `zoomaudit fixes list`)")
    except UsageError as exc:
        return ctx.render("missing.html", status_code=404, nav="fixes", what=str(exc))
    return ctx.render("fix.html", nav="fixes", plan=plan, events=data.events(ctx.console.store, fix_id))


def trail(ctx: Ctx) -> Response:
    fix_id = ctx.request.query_params.get("fix", "").strip() or None
    try:
        events = data.events(ctx.console.store, fix_id, accounts=ctx.accounts)
        if fix_id is not None and _unseen(ctx, [fix_id]) is not None:
            raise UsageError(f"no fix plan with id {fix_id!r} (see `zoomaudit fixes list`)")
    except UsageError as exc:
        return ctx.render("missing.html", status_code=404, nav="trail", what=str(exc))
    return ctx.render("trail.html", nav="trail", events=events, fix_id=fix_id)
