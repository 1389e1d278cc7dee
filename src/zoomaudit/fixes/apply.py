"""Applying fix plans safely: claim, re-read, stale check, quota, PATCH, verify (revert: revert.py).

One path for every way a fix is applied (an admin's approval, ``auto`` mode, a deferred fix
after midnight UTC):

1. claim: ``pending``/``deferred`` -> ``approved`` as one conditional UPDATE; of two approvals
   of the same fix at once, only one wins and applies it, the other reports what happened.
2. re-read the target (the same path and query as the PATCH, with GET); when a field the plan
   sets no longer holds the value recorded in ``before``, nothing is written: ``stale``.
3. a meeting PATCH needs one of the host's 100 daily updates (zoomaudit counts its own per UTC
   day); without one, or when Zoom answers 429 for the host's quota: ``deferred``.
4. PATCH, then re-read and compare every field: ``applied``, or ``failed`` with the reason
   (Zoom may answer 204 and keep the old value: a lock, or the "secure every meeting" rule).

Every transition goes to the trail. Passcodes are masked in messages and in the trail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from zoomaudit.errors import AuthError, ClaimLost, NotFound, RateLimited, UsageError, ZoomApiError, ZoomError
from zoomaudit.fixes.queue import (
    FixRecord,
    exhaust_quota,
    get_fix,
    get_fixes,
    list_fixes,
    require_account,
    reserve_meeting_update,
)
from zoomaudit.fixes.revert import revert
from zoomaudit.fixes.steps import (
    STAMP,
    ApplyResult,
    Claim,
    Clock,
    clock_of,
    differences,
    fail,
    is_meeting,
    move,
    quota_day,
    read_fields,
    send_and_read_back,
    with_generated_passcodes,
)
from zoomaudit.redaction import redact
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.store.store import Store
    from zoomaudit.zoom.client import ZoomClient

CLAIMABLE = ("pending", "deferred")


STUCK_AFTER = timedelta(minutes=30)
"""A fix ``approved`` this long ago was claimed by a process that died mid-apply (requests time out
in seconds); it is put back in the queue, and its re-read then shows what Zoom holds."""


async def _apply_claimed(
    store: Store, client: ZoomClient, fix: FixRecord, *, actor: str, claim: Claim
) -> ApplyResult:
    """Steps 2-4 for a plan this caller has claimed (status ``approved``)."""
    wanted = fix.fields
    day = quota_day(claim.now())
    try:
        current = await read_fields(client, fix, wanted)
    except NotFound as exc:
        note = f"the target no longer exists in Zoom ({exc.zoom_message})"
        move(store, fix, "withdrawn", actor=actor, claim=claim, note=note, error=note)
        return ApplyResult(fix.id, "withdrawn", note)
    except ZoomError as exc:
        return _back_to_queue(
            store, fix, actor=actor, claim=claim, why=f"could not re-read the target: {exc}"
        )
    before = dict(fix.before or {})
    changed = differences(current, {p: before.get(p) for p in wanted}, "was", lambda: store.vault)
    if changed:
        if all(current.get(p) == v for p, v in wanted.items()):
            changed = ["it already holds the planned values (" + "; ".join(changed) + ")"]
        note = "not applied: the target changed since the plan was made: " + "; ".join(changed)
        move(
            store, fix, "stale", actor=actor, claim=claim, note=note, error=note, before=before, after=current
        )
        return ApplyResult(fix.id, "stale", note, before=redact(current))
    host = fix.host_id
    try:
        body, wanted, generated = with_generated_passcodes(fix.body, wanted)
    except ValueError as exc:
        note = f"not applied: {exc}"
        return fail(store, fix, note, actor=actor, claim=claim)
    claim.heartbeat(store, fix)  # still ours, before a daily update is spent and Zoom changed
    if is_meeting(fix) and host and not reserve_meeting_update(store, host, day):
        return _defer(
            store, fix, actor=actor, claim=claim, why=f"host {host} has no meeting updates left today"
        )
    try:
        sent = await send_and_read_back(client, fix, body, wanted)
    except RateLimited as exc:
        if exc.host is not None and host:
            exhaust_quota(store, host, day)
        return _defer(store, fix, actor=actor, claim=claim, why=str(exc))
    except AuthError as exc:
        return _back_to_queue(store, fix, actor=actor, claim=claim, why=str(exc))
    except ZoomApiError as exc:
        note = f"Zoom refused the change: {exc}"
        return fail(store, fix, note, actor=actor, claim=claim, current=current)
    after, unsure = sent.after, sent.unsure
    if after is None:
        note = f"sent, but the value could not be read back to verify it: {sent.read_error}"
        return fail(store, fix, note, actor=actor, claim=claim, current=current)
    missed = differences(after, wanted, "should be")
    if missed:
        why = f" ({unsure})" if unsure else " (a lock or a Zoom rule overrides it)"
        note = "Zoom did not keep the change" + why + ": " + "; ".join(missed)
        return fail(store, fix, note, actor=actor, claim=claim, current=current, after=after)
    note = "applied and verified"
    if generated:  # keep only what recognises the new passcode, never the passcode itself
        store.passcodes.keep_fingerprints(fix.id, generated)
    move(
        store,
        fix,
        "applied",
        actor=actor,
        claim=claim,
        note=note,
        before=current,
        after=after,
        applied_at=STAMP,
        error=None,
    )
    return ApplyResult(fix.id, "applied", note, before=redact(current), after=redact(after), changed=True)


def _defer(store: Store, fix: FixRecord, *, actor: str, claim: Claim, why: str) -> ApplyResult:
    note = f"deferred to the next UTC day: {why}"
    move(store, fix, "deferred", actor=actor, claim=claim, note=note, error=note)
    return ApplyResult(fix.id, "deferred", note)


def _back_to_queue(store: Store, fix: FixRecord, *, actor: str, claim: Claim, why: str) -> ApplyResult:
    """Nothing was written and nothing is known to be wrong with the plan: it waits again, in
    the status it was claimed from (a deferred fix stays approved-and-deferred)."""
    back = fix.status if fix.status in CLAIMABLE else "pending"
    note = f"not applied, back in the queue: {why}"
    move(store, fix, back, actor=actor, claim=claim, note=note, error=note)
    return ApplyResult(fix.id, back, note, zoom_unusable=True)


async def _apply_one(
    store: Store,
    client: ZoomClient,
    fix_id: str,
    *,
    actor: str,
    clock: Clock,
    note: str | None,
    decide: bool = True,
) -> ApplyResult:
    claim = Claim.new(clock)
    at = claim.now()
    decided = {"decided_by": actor, "decided_at": at} if decide else {}
    prior = get_fix(store, fix_id).status
    claimed = store.fixes.transition(
        fix_id,
        from_statuses=CLAIMABLE,
        to_status="approved",
        actor=actor,
        at=at,
        note=note or "approved",
        claim=claim.owner,
        **decided,
    )
    fix = get_fix(store, fix_id)
    if not claimed:
        return ApplyResult(fix_id, fix.status, f"not applied by this request: the fix is {fix.status}")
    # ``fix`` is now approved; remember where it came from in case it has to go back.
    try:
        return await _apply_claimed(
            store, client, fix.model_copy(update={"status": prior}), actor=actor, claim=claim
        )
    except ClaimLost as lost:  # never ignored: the caller sees it as this fix's outcome
        return ApplyResult(fix_id, get_fix(store, fix_id).status, str(lost), claim_lost=True)


def release_stuck(store: Store, now: datetime) -> list[str]:
    """Put back to ``pending`` the fixes whose claim shows no heartbeat for ``STUCK_AFTER`` (the
    process applying them died); a live claim is never taken, however old its approval."""
    released = []
    for fix_id, claim in store.fixes.stale_claims(now - STUCK_AFTER).items():
        note = "the process applying this fix stopped before finishing; back in the queue"
        if store.fixes.release(fix_id, claim, at=now, note=note):
            released.append(fix_id)
    return released


async def approve(
    store: Store,
    client: ZoomClient,
    fix_ids: Sequence[str],
    *,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
    clock: Clock | None = None,
    account: str = DEFAULT_ACCOUNT,
) -> list[ApplyResult]:
    """Approve and apply each fix at once (UsageError naming any unknown id, or a fix of another
    account than ``account``, the one ``client`` is for, before anything).

    Each step is stamped when it happens (``clock``; ``now`` fixes it, for tests), not when the
    batch began: a long ``--all`` batch must not look stuck to another process."""
    if not actor.strip():
        raise UsageError("an approval needs the approver's name (--by)")
    clock = clock_of(now, clock)
    fixes = get_fixes(store, fix_ids)
    require_account(fixes, account)
    release_stuck(store, clock())
    return [await _apply_one(store, client, f.id, actor=actor, clock=clock, note=note) for f in fixes]


async def apply_auto(
    store: Store,
    client: ZoomClient,
    fix_ids: Sequence[str],
    *,
    policy_by_fix: Mapping[str, str],
    max_changes: int,
    now: datetime | None = None,
    clock: Clock | None = None,
) -> list[ApplyResult]:
    """Apply ``auto`` fixes through the approval path, as ``auto:<policy id>``.

    Once ``max_changes`` changes were sent, the rest stay ``pending`` for an admin.
    """
    clock = clock_of(now, clock)
    results: list[ApplyResult] = []
    changes = 0
    release_stuck(store, clock())
    for fix_id in dict.fromkeys(fix_ids):
        if changes >= max_changes:
            results.append(
                ApplyResult(
                    fix_id, "pending", f"left in the queue: this run's limit of {max_changes} changes"
                )
            )
            continue
        actor = f"auto:{policy_by_fix.get(fix_id, 'policy')}"
        result = await _apply_one(
            store, client, fix_id, actor=actor, clock=clock, note="applied automatically"
        )
        changes += result.changed
        results.append(result)
    return results


async def apply_deferred(
    store: Store,
    client: ZoomClient,
    now: datetime | None = None,
    clock: Clock | None = None,
    *,
    account: str = DEFAULT_ACCOUNT,
) -> list[ApplyResult]:
    """Apply every deferred fix of ``account``, the one ``client`` is for (each needs one of its
    host's updates of the new UTC day)."""
    clock = clock_of(now, clock)
    results = []
    release_stuck(store, clock())
    for fix in list_fixes(store, statuses=("deferred",), account=account):
        results.append(
            await _apply_one(
                store,
                client,
                fix.id,
                actor="zoomaudit:deferred",
                clock=clock,
                note="applying a deferred fix",
                decide=False,
            )
        )
    return results


def reject(
    store: Store, fix_ids: Sequence[str], *, actor: str, reason: str, now: datetime
) -> list[ApplyResult]:
    """Reject pending or deferred fixes; UsageError (before any change) for unknown or decided ids."""
    if not reason.strip():
        raise UsageError("a rejection needs a reason (--reason)")
    fixes = get_fixes(store, fix_ids)
    closed = [f for f in fixes if f.status not in CLAIMABLE]
    if closed:
        raise UsageError(
            "only pending or deferred fixes can be rejected: "
            + ", ".join(f"{f.id} is {f.status}" for f in closed)
        )
    results = []
    for fix in fixes:
        done = store.fixes.transition(
            fix.id,
            from_statuses=CLAIMABLE,
            to_status="rejected",
            actor=actor,
            at=now,
            note=reason,
            decided_by=actor,
            decided_at=now,
        )
        status = "rejected" if done else get_fix(store, fix.id).status
        results.append(ApplyResult(fix.id, status, reason if done else f"the fix is {status}"))
    return results


def withdraw_fixes_for_meeting(
    store: Store, meeting_id: int, *, actor: str, now: datetime, account: str = DEFAULT_ACCOUNT
) -> list[str]:
    """Withdraw the open fixes of a deleted meeting of ``account`` (the ``meeting.deleted``
    webhook of that account: the same meeting id in another account is another meeting)."""
    ids = store.fixes.open_for_meeting(meeting_id, CLAIMABLE, account=account)
    done = []
    for fix_id in ids:
        if store.fixes.transition(
            fix_id,
            from_statuses=CLAIMABLE,
            to_status="withdrawn",
            actor=actor,
            at=now,
            note=f"meeting {meeting_id} was deleted",
        ):
            done.append(fix_id)
    return done


__all__ = [
    "ApplyResult",
    "apply_auto",
    "apply_deferred",
    "approve",
    "reject",
    "release_stuck",
    "revert",
    "withdraw_fixes_for_meeting",
]
