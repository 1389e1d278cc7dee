"""Applying fix plans safely: claim, re-read, stale check, quota, PATCH, verify; and revert.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from zoomaudit.controls import lookup
from zoomaudit.errors import AuthError, NotFound, RateLimited, UsageError, ZoomApiError, ZoomError
from zoomaudit.fixes.queue import (
    MASK,
    FixRecord,
    exhaust_quota,
    get_fix,
    get_fixes,
    is_secret_path,
    list_fixes,
    redact,
    reserve_meeting_update,
)
from zoomaudit.store.models import FixEvent
from zoomaudit.store.models import FixPlan as FixRow

if TYPE_CHECKING:
    from zoomaudit.store.store import Store
    from zoomaudit.zoom.client import ZoomClient

CLAIMABLE = ("pending", "deferred")
STUCK_AFTER = timedelta(minutes=30)
"""A fix ``approved`` this long ago was claimed by a process that died mid-apply (requests time out
in seconds); it is put back in the queue, and its re-read then shows what Zoom holds."""


@dataclass(frozen=True)
class ApplyResult:
    """What happened to one fix: its status afterwards and why."""

    fix_id: str
    status: str
    message: str = ""
    before: dict[str, Any] | None = None
    """The values read from Zoom just before the change (passcodes masked)."""
    after: dict[str, Any] | None = None
    """The values read back after the change (passcodes masked)."""
    changed: bool = False
    """A PATCH was sent (counts against ``max_changes``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "applied"


def _show(path: str, value: Any) -> str:
    return MASK if is_secret_path(path) and value not in (None, "") else repr(value)


async def read_fields(client: ZoomClient, fix: FixRecord, paths: Iterable[str]) -> dict[str, Any]:
    """GET the target at the plan's own path and query; the value of each path (None: not stated)."""
    response = await client.request("GET", fix.path, params=fix.query or None)
    doc = response.json()
    out: dict[str, Any] = {}
    for path in paths:
        present, value = lookup(doc, path)
        out[path] = value if present else None
    return out


def _differences(current: Mapping[str, Any], wanted: Mapping[str, Any], verb: str) -> list[str]:
    return [
        f"{path} {verb} {_show(path, want)}, now {_show(path, current.get(path))}"
        for path, want in wanted.items()
        if current.get(path) != want
    ]


def _is_meeting(fix: FixRecord) -> bool:
    return fix.target_level == "meeting" and fix.method.upper() == "PATCH"


def _quota_day(now: datetime) -> date:
    """Zoom's quota resets at 00:00 UTC."""
    return now.astimezone(UTC).date()


def _move(
    store: Store,
    fix: FixRecord,
    to: str,
    *,
    actor: str,
    now: datetime,
    note: str,
    before: Any = None,
    after: Any = None,
    **columns: Any,
) -> None:
    """Finish a transition from ``approved`` (this caller holds the claim); passcodes masked."""
    store.transition_fix(
        fix.id,
        from_statuses=("approved",),
        to_status=to,
        actor=actor,
        at=now,
        note=note,
        before=redact(before) if before is not None else None,
        after=redact(after) if after is not None else None,
        **columns,
    )


async def _apply_claimed(
    store: Store, client: ZoomClient, fix: FixRecord, *, actor: str, now: datetime
) -> ApplyResult:
    """Steps 2-4 for a plan this caller has claimed (status ``approved``)."""
    wanted = fix.fields
    day = _quota_day(now)
    try:
        current = await read_fields(client, fix, wanted)
    except NotFound as exc:
        note = f"the target no longer exists in Zoom ({exc.zoom_message})"
        _move(store, fix, "withdrawn", actor=actor, now=now, note=note, error=note)
        return ApplyResult(fix.id, "withdrawn", note)
    except ZoomError as exc:
        return _back_to_queue(store, fix, actor=actor, now=now, why=f"could not re-read the target: {exc}")
    before = dict(fix.before or {})
    changed = _differences(current, {p: before.get(p) for p in wanted}, "was")
    if changed:
        if all(current.get(p) == v for p, v in wanted.items()):
            changed = ["it already holds the planned values (" + "; ".join(changed) + ")"]
        note = "not applied: the target changed since the plan was made: " + "; ".join(changed)
        _move(store, fix, "stale", actor=actor, now=now, note=note, error=note, before=before, after=current)
        return ApplyResult(fix.id, "stale", note, before=redact(current))
    host = fix.host_id
    if _is_meeting(fix) and host and not reserve_meeting_update(store, host, day):
        return _defer(store, fix, actor=actor, now=now, why=f"host {host} has no meeting updates left today")
    try:
        await client.request(
            fix.method,
            fix.path,
            params=fix.query or None,
            json=fix.body,
            host=host if _is_meeting(fix) else None,
        )
    except RateLimited as exc:
        if exc.host is not None and host:
            exhaust_quota(store, host, day)
        return _defer(store, fix, actor=actor, now=now, why=str(exc))
    except AuthError as exc:
        return _back_to_queue(store, fix, actor=actor, now=now, why=str(exc))
    except ZoomApiError as exc:
        note = f"Zoom refused the change: {exc}"
        _move(store, fix, "failed", actor=actor, now=now, note=note, error=note, before=current)
        return ApplyResult(fix.id, "failed", note, before=redact(current), changed=True)
    except ZoomError as exc:
        # Zoom may or may not have taken it: the re-read below decides.
        unsure = str(exc)
    else:
        unsure = ""
    try:
        after = await read_fields(client, fix, wanted)
    except ZoomError as exc:
        note = f"sent, but the value could not be read back to verify it: {exc}"
        _move(store, fix, "failed", actor=actor, now=now, note=note, error=note, before=current)
        return ApplyResult(fix.id, "failed", note, before=redact(current), changed=True)
    missed = _differences(after, wanted, "should be")
    if missed:
        why = f" ({unsure})" if unsure else " (a lock or a Zoom rule overrides it)"
        note = "Zoom did not keep the change" + why + ": " + "; ".join(missed)
        _move(store, fix, "failed", actor=actor, now=now, note=note, error=note, before=current, after=after)
        return ApplyResult(fix.id, "failed", note, before=redact(current), after=redact(after), changed=True)
    note = "applied and verified"
    _move(
        store,
        fix,
        "applied",
        actor=actor,
        now=now,
        note=note,
        before=current,
        after=after,
        applied_at=now,
        error=None,
    )
    return ApplyResult(fix.id, "applied", note, before=redact(current), after=redact(after), changed=True)


def _defer(store: Store, fix: FixRecord, *, actor: str, now: datetime, why: str) -> ApplyResult:
    note = f"deferred to the next UTC day: {why}"
    _move(store, fix, "deferred", actor=actor, now=now, note=note, error=note)
    return ApplyResult(fix.id, "deferred", note)


def _back_to_queue(store: Store, fix: FixRecord, *, actor: str, now: datetime, why: str) -> ApplyResult:
    """Nothing was written and nothing is known to be wrong with the plan: it waits again, in
    the status it was claimed from (a deferred fix stays approved-and-deferred)."""
    back = fix.status if fix.status in CLAIMABLE else "pending"
    note = f"not applied, back in the queue: {why}"
    _move(store, fix, back, actor=actor, now=now, note=note, error=note)
    return ApplyResult(fix.id, back, note)


async def _apply_one(
    store: Store,
    client: ZoomClient,
    fix_id: str,
    *,
    actor: str,
    now: datetime,
    note: str | None,
    decide: bool = True,
) -> ApplyResult:
    decided = {"decided_by": actor, "decided_at": now} if decide else {}
    prior = get_fix(store, fix_id).status
    claimed = store.transition_fix(
        fix_id,
        from_statuses=CLAIMABLE,
        to_status="approved",
        actor=actor,
        at=now,
        note=note or "approved",
        **decided,
    )
    fix = get_fix(store, fix_id)
    if not claimed:
        return ApplyResult(fix_id, fix.status, f"not applied by this request: the fix is {fix.status}")
    # ``fix`` is now approved; remember where it came from in case it has to go back.
    return await _apply_claimed(store, client, fix.model_copy(update={"status": prior}), actor=actor, now=now)


def release_stuck(store: Store, now: datetime) -> list[str]:
    """Put fixes left ``approved`` by a dead process back to ``pending``; returns their ids."""
    claims: dict[str, datetime] = {}
    with store.read_session() as session:
        events = session.execute(
            select(FixEvent.fix_id, FixEvent.at)
            .join(FixRow, FixEvent.fix_id == FixRow.id)
            .where(FixRow.status == "approved", FixEvent.to_status == "approved")
        ).all()
    for fix_id, at in events:
        claims[fix_id] = max(at, claims.get(fix_id, at))
    rows = list(claims.items())
    released = []
    for fix_id, last in rows:
        if (
            last is not None
            and now - last > STUCK_AFTER
            and store.transition_fix(
                fix_id,
                from_statuses=("approved",),
                to_status="pending",
                actor="zoomaudit",
                at=now,
                note="the process applying this fix stopped before finishing; back in the queue",
            )
        ):
            released.append(fix_id)
    return released


async def approve(
    store: Store,
    client: ZoomClient,
    fix_ids: Sequence[str],
    *,
    actor: str,
    note: str | None = None,
    now: datetime,
) -> list[ApplyResult]:
    """Approve and apply each fix at once (UsageError naming any unknown id, before anything)."""
    if not actor.strip():
        raise UsageError("an approval needs the approver's name (--by)")
    fixes = get_fixes(store, fix_ids)
    release_stuck(store, now)
    return [await _apply_one(store, client, f.id, actor=actor, now=now, note=note) for f in fixes]


async def apply_auto(
    store: Store,
    client: ZoomClient,
    fix_ids: Sequence[str],
    *,
    policy_by_fix: Mapping[str, str],
    max_changes: int,
    now: datetime,
) -> list[ApplyResult]:
    """Apply ``auto`` fixes through the approval path, as ``auto:<policy id>``.

    Once ``max_changes`` changes were sent, the rest stay ``pending`` for an admin.
    """
    results: list[ApplyResult] = []
    changes = 0
    release_stuck(store, now)
    for fix_id in dict.fromkeys(fix_ids):
        if changes >= max_changes:
            results.append(
                ApplyResult(
                    fix_id, "pending", f"left in the queue: this run's limit of {max_changes} changes"
                )
            )
            continue
        actor = f"auto:{policy_by_fix.get(fix_id, 'policy')}"
        result = await _apply_one(store, client, fix_id, actor=actor, now=now, note="applied automatically")
        changes += result.changed
        results.append(result)
    return results


async def apply_deferred(store: Store, client: ZoomClient, now: datetime) -> list[ApplyResult]:
    """Apply every deferred fix (each needs one of its host's updates of the new UTC day)."""
    results = []
    release_stuck(store, now)
    for fix in list_fixes(store, statuses=("deferred",)):
        results.append(
            await _apply_one(
                store,
                client,
                fix.id,
                actor="zoomaudit:deferred",
                now=now,
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
        done = store.transition_fix(
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


async def revert(store: Store, client: ZoomClient, fix_id: str, *, actor: str, now: datetime) -> ApplyResult:
    """Put back the values before an applied fix, with the same checks as applying it.

    When the target no longer holds what the fix wrote, someone changed it since: ``stale``,
    nothing written. Fields that were not stated before cannot be un-stated in Zoom; they keep
    the fixed value (said in the result). The revert PATCH of a meeting counts against the quota.
    """
    fix = get_fix(store, fix_id)
    if fix.status != "applied":
        raise UsageError(f"fix {fix_id} is {fix.status}; only an applied fix can be reverted")
    claimed = store.transition_fix(
        fix.id, from_statuses=("applied",), to_status="approved", actor=actor, at=now, note="reverting"
    )
    if not claimed:
        return ApplyResult(fix.id, get_fix(store, fix.id).status, "another request is handling this fix")
    wanted = fix.fields
    before = dict(fix.before or {})
    restore = {p: before[p] for p in wanted if before.get(p) is not None}
    try:
        current = await read_fields(client, fix, wanted)
    except ZoomError as exc:
        return _revert_aborted(store, fix, actor=actor, now=now, why=f"could not re-read the target: {exc}")
    changed = _differences(current, wanted, "was set to")
    if changed:
        note = "not reverted: the target changed since the fix was applied: " + "; ".join(changed)
        _move(store, fix, "stale", actor=actor, now=now, note=note, error=note, before=current)
        return ApplyResult(fix.id, "stale", note, before=redact(current))
    if not restore:
        return _revert_aborted(
            store,
            fix,
            actor=actor,
            now=now,
            why="no field was stated before the fix, so there is nothing to restore",
        )
    host = fix.host_id
    if _is_meeting(fix) and host and not reserve_meeting_update(store, host, _quota_day(now)):
        return _revert_aborted(
            store, fix, actor=actor, now=now, why=f"host {host} has no meeting updates left today"
        )
    body: dict[str, Any] = {}
    for path, value in restore.items():
        _merge(body, path, value)
    try:
        await client.request(
            fix.method, fix.path, params=fix.query or None, json=body, host=host if _is_meeting(fix) else None
        )
        after = await read_fields(client, fix, wanted)
    except RateLimited as exc:
        if exc.host is not None and host:
            exhaust_quota(store, host, _quota_day(now))
        return _revert_aborted(store, fix, actor=actor, now=now, why=str(exc))
    except ZoomError as exc:
        return _revert_aborted(store, fix, actor=actor, now=now, why=str(exc))
    missed = _differences(after, restore, "should be")
    if missed:
        note = "the revert did not take: " + "; ".join(missed)
        _move(store, fix, "failed", actor=actor, now=now, note=note, error=note, before=current, after=after)
        return ApplyResult(fix.id, "failed", note, before=redact(current), after=redact(after), changed=True)
    kept = [p for p in wanted if p not in restore]
    note = "reverted and verified" + (
        f"; not stated before, left as fixed: {', '.join(kept)}" if kept else ""
    )
    _move(store, fix, "reverted", actor=actor, now=now, note=note, before=current, after=after)
    return ApplyResult(fix.id, "reverted", note, before=redact(current), after=redact(after), changed=True)


def _revert_aborted(store: Store, fix: FixRecord, *, actor: str, now: datetime, why: str) -> ApplyResult:
    """Nothing was restored: the fix stays applied."""
    note = f"not reverted: {why}"
    _move(store, fix, "applied", actor=actor, now=now, note=note)
    return ApplyResult(fix.id, "applied", note)


def _merge(body: dict[str, Any], path: str, value: Any) -> None:
    node = body
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def withdraw_fixes_for_meeting(store: Store, meeting_id: int, *, actor: str, now: datetime) -> list[str]:
    """Withdraw the open fixes of a deleted meeting (the ``meeting.deleted`` webhook)."""
    with store.read_session() as session:
        ids = list(
            session.scalars(
                select(FixRow.id).where(
                    FixRow.target_level == "meeting",
                    FixRow.target_id == str(meeting_id),
                    FixRow.status.in_(CLAIMABLE),
                )
            )
        )
    done = []
    for fix_id in ids:
        if store.transition_fix(
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
