"""Reverting an applied fix: put back the values before, with the same checks as applying it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from zoomaudit.errors import (
    AuthError,
    ClaimLost,
    ConfigError,
    NotFound,
    RateLimited,
    UsageError,
    ZoomApiError,
    ZoomError,
)
from zoomaudit.fixes.queue import (
    FixRecord,
    exhaust_quota,
    get_fix,
    last_after,
    require_account,
    reserve_meeting_update,
)
from zoomaudit.fixes.steps import (
    ApplyResult,
    Claim,
    clock_of,
    differences,
    fail,
    is_meeting,
    move,
    quota_day,
    read_fields,
    send_and_read_back,
)
from zoomaudit.redaction import is_sealed, redact
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.store.store import Store
    from zoomaudit.zoom.client import ZoomClient


async def revert(
    store: Store,
    client: ZoomClient,
    fix_id: str,
    *,
    actor: str,
    now: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
    account: str = DEFAULT_ACCOUNT,
) -> ApplyResult:
    """Put back the values before an applied fix, with the same checks as applying it. The fix
    must be of ``account``, the one ``client`` is for (UsageError otherwise, nothing changed).

    When the target no longer holds what the fix wrote, someone changed it since: ``stale``,
    nothing written. Fields that were not stated before cannot be un-stated in Zoom; they keep
    the fixed value (said in the result). The revert PATCH of a meeting counts against the quota.
    When Zoom cannot be used (credentials refused, network, Zoom down) nothing is written, the fix
    stays ``applied`` and the result says ``zoom_unusable`` (the CLI exits 3), as when applying.
    """
    claim = Claim.new(clock_of(now, clock))
    store.passcodes.forget_expired(claim.now())  # past the revert period, an old passcode is gone
    fix = get_fix(store, fix_id)
    require_account([fix], account)
    if fix.status != "applied":
        raise UsageError(f"fix {fix_id} is {fix.status}; only an applied fix can be reverted")
    claimed = store.fixes.transition(
        fix.id,
        from_statuses=("applied",),
        to_status="approved",
        actor=actor,
        at=claim.now(),
        note="reverting",
        claim=claim.owner,
    )
    if not claimed:
        return ApplyResult(fix.id, get_fix(store, fix.id).status, "another request is handling this fix")
    try:
        return await _revert_claimed(store, client, fix, actor=actor, claim=claim)
    except ClaimLost as lost:  # never ignored: the caller sees it as this fix's outcome
        return ApplyResult(fix.id, get_fix(store, fix.id).status, str(lost), claim_lost=True)


async def _revert_claimed(
    store: Store, client: ZoomClient, fix: FixRecord, *, actor: str, claim: Claim
) -> ApplyResult:
    wanted = fix.fields
    before = dict(fix.before or {})
    restore: dict[str, Any] = {}
    for path in wanted:
        value = before.get(path)
        if is_sealed(value):  # an old passcode: kept sealed, and only for the revert period
            try:
                value = store.vault.open(value)
            except ConfigError as exc:
                return _revert_aborted(store, fix, actor=actor, claim=claim, why=str(exc))
        if value is not None:
            restore[path] = value
    try:
        current = await read_fields(client, fix, wanted)
    except NotFound as exc:
        why = f"the target no longer exists in Zoom ({exc.zoom_message})"
        return _revert_aborted(store, fix, actor=actor, claim=claim, why=why)
    except ZoomError as exc:
        why = f"could not re-read the target: {exc}"
        return _revert_aborted(store, fix, actor=actor, claim=claim, why=why, unusable=True)
    changed = differences(current, wanted, "was set to", lambda: store.vault)
    if changed:
        note = "not reverted: the target changed since the fix was applied: " + "; ".join(changed)
        move(store, fix, "stale", actor=actor, claim=claim, note=note, error=note, before=current)
        return ApplyResult(fix.id, "stale", note, before=redact(current))
    if not restore:
        return _revert_aborted(
            store,
            fix,
            actor=actor,
            claim=claim,
            why="no field was stated before the fix, so there is nothing to restore",
        )
    host = fix.host_id
    claim.heartbeat(store, fix)  # still ours, before a daily update is spent and Zoom changed
    if is_meeting(fix) and host and not reserve_meeting_update(store, host, quota_day(claim.now())):
        return _revert_aborted(
            store, fix, actor=actor, claim=claim, why=f"host {host} has no meeting updates left today"
        )
    body: dict[str, Any] = {}
    for path, value in restore.items():
        _merge(body, path, value)
    try:
        sent = await send_and_read_back(client, fix, body, wanted)
    except RateLimited as exc:
        if exc.host is not None and host:
            exhaust_quota(store, host, quota_day(claim.now()))
        return _revert_aborted(store, fix, actor=actor, claim=claim, why=str(exc))
    except AuthError as exc:  # the credentials or token, not the revert: nothing was written
        return _revert_aborted(store, fix, actor=actor, claim=claim, why=str(exc), unusable=True)
    except ZoomApiError as exc:  # Zoom refused this change: nothing was written
        return _revert_aborted(store, fix, actor=actor, claim=claim, why=f"Zoom refused the revert: {exc}")
    after, unsure = sent.after, sent.unsure
    if after is None:
        # The PATCH went out: "not reverted" would be a guess. Say what is known instead.
        note = f"the revert was sent, but the value could not be read back to verify it: {sent.read_error}"
        return fail(store, fix, note, actor=actor, claim=claim, current=current)
    if unsure and after == current:
        # The PATCH was lost on the way (Zoom unreachable) and nothing changed: try again later.
        return _revert_aborted(store, fix, actor=actor, claim=claim, why=unsure, unusable=True)
    missed = differences(after, restore, "should be")
    if missed:
        why = f" ({unsure})" if unsure else ""
        note = "the revert did not take" + why + ": " + "; ".join(missed)
        return fail(store, fix, note, actor=actor, claim=claim, current=current, after=after)
    kept = [p for p in wanted if p not in restore]
    note = "reverted and verified" + (
        f"; not stated before, left as fixed: {', '.join(kept)}" if kept else ""
    )
    move(store, fix, "reverted", actor=actor, claim=claim, note=note, before=current, after=after)
    return ApplyResult(fix.id, "reverted", note, before=redact(current), after=redact(after), changed=True)


def _revert_aborted(
    store: Store, fix: FixRecord, *, actor: str, claim: Claim, why: str, unusable: bool = False
) -> ApplyResult:
    """Nothing was restored: the fix stays applied (``unusable``: because Zoom could not be used).

    The event back to ``applied`` carries the last read-back forward: ``fixes show`` takes the
    values after from the latest applied event, and an attempt that changed nothing must not
    blank them.
    """
    note = f"not reverted: {why}"
    move(store, fix, "applied", actor=actor, claim=claim, note=note, after=last_after(store, fix.id))
    return ApplyResult(fix.id, "applied", note, zoom_unusable=unusable)


def _merge(body: dict[str, Any], path: str, value: Any) -> None:
    node = body
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
