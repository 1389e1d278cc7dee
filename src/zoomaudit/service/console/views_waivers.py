"""Waivers: list, add and remove, as `zoomaudit waivers` does; the approver is the signed-in admin."""

from __future__ import annotations

import re
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

import zoomaudit.service.console.data as data
from zoomaudit.errors import UsageError, ZoomAuditError
from zoomaudit.refs import parse_meeting
from zoomaudit.service.console.web import Ctx
from zoomaudit.vocabulary import DEFAULT_ACCOUNT, is_account_name

WAIVER_ID = re.compile(r"[0-9]{1,18}")


def _page(
    ctx: Ctx, *, status_code: int = 200, error: str | None = None, values: dict[str, str] | None = None
) -> Response:
    today = ctx.console.now().date()
    return ctx.render(
        "waivers.html",
        status_code=status_code,
        nav="waivers",
        waivers=data.waivers(ctx.console.store, ctx.accounts),
        policies=ctx.console.actions.policies()
        or [(p, "") for p in data.policy_ids(ctx.console.store, ctx.accounts)],
        today=today,
        error=error,
        values=values or {},
        notice=ctx.request.query_params.get("notice", ""),
    )


def waivers(ctx: Ctx) -> Response:
    return _page(ctx)


async def add(ctx: Ctx) -> Response:
    values = {k: ctx.field(k) for k in ("policy", "scope", "target", "reason", "until", "account")}

    async def fail(message: str, status_code: int = 400) -> Response:
        return await run_in_threadpool(
            lambda: _page(ctx, status_code=status_code, error=message, values=values)
        )

    account = values["account"] or _own_account(ctx)
    if not is_account_name(account) or not ctx.may_see(account):
        return await fail(f"You cannot add waivers for account {account[:64]!r}.", 403)
    if not values["policy"]:
        return await fail("Choose the policy to waive.")
    meeting_id: int | None = None
    host = group = None
    target = values["target"]
    if not target:
        return await fail("Give the meeting id, host e-mail or group name the waiver covers.")
    if values["scope"] == "meeting":
        try:
            meeting_id = parse_meeting(target)
        except UsageError:
            shown = target.split("?", 1)[0][:40]  # never a join link's pwd
            return await fail(f"{shown!r} is not a meeting: give its ID (841 0021 6138) or its join link.")
    elif values["scope"] == "host":
        host = target
    elif values["scope"] == "group":
        group = target
    else:
        return await fail("Choose whether the waiver covers a meeting, a host or a group.")
    until = None
    if values["until"]:
        try:
            until = date.fromisoformat(values["until"])
        except ValueError:
            return await fail(f"{values['until']!r} is not a date (YYYY-MM-DD).")
    try:
        await ctx.console.actions.add_waiver(
            policy_id=values["policy"],
            reason=values["reason"],
            approved_by=ctx.admin.email,
            meeting_id=meeting_id,
            host_email=host,
            group_name=group,
            until=until,
            account=account,
        )
    except ZoomAuditError as exc:
        return await fail(str(exc))
    return ctx.redirect("/waivers?notice=added")


def _own_account(ctx: Ctx) -> str:
    """The account of a waiver added without choosing one: the account the page shows, the one
    account the admin is limited to, else the single-account install's ``default``."""
    if ctx.chosen_account:
        return ctx.chosen_account
    limited = ctx.admin.accounts
    return limited[0] if len(limited) == 1 else DEFAULT_ACCOUNT


async def remove(ctx: Ctx) -> Response:
    raw = str(ctx.request.path_params["waiver_id"])
    if not WAIVER_ID.fullmatch(raw):
        return await run_in_threadpool(lambda: _page(ctx, status_code=404, error=f"No waiver {raw[:40]!r}."))
    waiver_id = int(raw)
    found = await run_in_threadpool(ctx.console.store.waivers.get, waiver_id)
    if found is None or not ctx.may_see(found.account):
        # As for a waiver that does not exist: another account's waivers are not told of.
        message = f"no waiver with id {waiver_id} (see `zoomaudit waivers list`)"
        return await run_in_threadpool(lambda: _page(ctx, status_code=404, error=message))
    try:
        await ctx.console.actions.remove_waiver(waiver_id, actor=ctx.admin.email)
    except ZoomAuditError as exc:
        message = str(exc)
        return await run_in_threadpool(lambda: _page(ctx, status_code=409, error=message))
    return ctx.redirect("/waivers?notice=removed")
