"""The approval queue in the store: fix plans, their append-only trail, the meeting-update quota.

Statuses: ``zoomaudit.vocabulary.FixStatus`` (pending, approved, applied, failed, stale, rejected,
reverted, deferred, withdrawn). Every transition appends one
``fix_events`` row (who, when, before, after, note); rows are never updated or deleted.
Passcodes never leave the plan body: the trail and every display show them masked.

The SQL is in the store (``Store.fixes``, ``Store.quota``); these functions are the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from zoomaudit.errors import UsageError
from zoomaudit.store.fix_records import EventRecord, FixRecord
from zoomaudit.store.fixes import OPEN

if TYPE_CHECKING:
    from zoomaudit.fixes.plan import FixPlan
    from zoomaudit.store.store import Store

MEETING_UPDATES_PER_DAY = 100
"""Zoom's quota of meeting create/update requests per host per UTC day (reference.md §3.3)."""


def record_plans(
    store: Store,
    run_id: str | None,
    plans: Sequence[FixPlan],
    now: datetime,
    *,
    account: str = "default",
) -> dict[str, str]:
    """Store a run's plans for ``account`` in one transaction: ``{dedupe_key: fix_id}``.

    A plan whose dedupe key matches an open plan reuses it (its meetings are added). When the
    target's values changed since the open plan was made (its ``before`` differs), the old plan
    can no longer be applied safely: it is marked ``stale`` and a fresh pending plan replaces it.
    A plan being applied right now (``approved``) is reused as it is. ``now`` is the time the
    plans are recorded (the trail's time of these events). Plans are reused only within their
    account: two accounts' plans with the same dedupe key never merge.
    """
    return store.fixes.record_plans(run_id, plans, now, account=account)


# --- reading ----------------------------------------------------------------------------------


def get_fix(store: Store, fix_id: str) -> FixRecord:
    """The plan with this id; UsageError naming the id otherwise."""
    fix = store.fixes.get(fix_id.strip())
    if fix is None:
        raise UsageError(f"no fix plan with id {fix_id!r} (see `zoomaudit fixes list`)")
    return fix


def get_fixes(store: Store, fix_ids: Iterable[str]) -> list[FixRecord]:
    """The plans with these ids, in the order asked; UsageError naming every unknown id."""
    wanted = [f.strip() for f in fix_ids]
    found = store.fixes.get_many(wanted)
    unknown = [f for f in wanted if f not in found]
    if unknown:
        raise UsageError(
            f"no fix plan with id {', '.join(repr(u) for u in unknown)} (see `zoomaudit fixes list`)"
        )
    return [found[f] for f in dict.fromkeys(wanted)]


def require_account(fixes: Iterable[FixRecord], account: str) -> None:
    """UsageError (before any change) naming the fixes that are not of ``account``: a fix is
    applied or reverted with its own account's Zoom client, never with another account's (an
    account-level PATCH would change the wrong organisation's settings)."""
    others = [f for f in fixes if f.account != account]
    if others:
        named = ", ".join(f"{f.id} is of account {f.account!r}" for f in others)
        raise UsageError(
            f"{named}: a fix is applied with its own account's Zoom credentials, and these are "
            f"{account!r}'s; nothing was changed"
        )


def list_fixes(
    store: Store,
    *,
    statuses: Iterable[str] | None = None,
    policy_id: str | None = None,
    account: str | None = None,
) -> list[FixRecord]:
    """Plans, oldest first, optionally by status, policy and account."""
    return store.fixes.find(statuses=statuses, policy_id=policy_id, account=account)


def trail(
    store: Store,
    fix_id: str | None = None,
    *,
    account: str | None = None,
    accounts: Iterable[str] | None = None,
) -> list[EventRecord]:
    """The audit trail, oldest first: of one plan, or of all (of ``account``, of any of
    ``accounts``, or of every account)."""
    if fix_id is not None:
        get_fix(store, fix_id)
    return store.fixes.events(fix_id, account=account, accounts=accounts)


def last_after(store: Store, fix_id: str) -> Any:
    """The values read back after the plan was last applied or reverted (None if never)."""
    return store.fixes.last_after(fix_id)


# --- the per-host meeting update quota --------------------------------------------------------


def reserve_meeting_update(
    store: Store, host_id: str, day: date, *, limit: int = MEETING_UPDATES_PER_DAY
) -> bool:
    """Count one meeting PATCH for ``host_id`` on ``day`` (UTC) if the quota allows it."""
    return store.quota.reserve(host_id, day, limit)


def exhaust_quota(store: Store, host_id: str, day: date, *, limit: int = MEETING_UPDATES_PER_DAY) -> None:
    """Zoom said the host's quota is used up (a 429): count the day as full."""
    store.quota.raise_to(host_id, day, limit)


def quota_used(store: Store, host_id: str, day: date) -> int:
    return store.quota.used(host_id, day)


def set_quota_used(store: Store, host_id: str, day: date, count: int) -> None:
    """Preset the count (tests, and an admin who knows other tools used the host's quota)."""
    store.quota.set_used(host_id, day, count)


__all__ = [
    "OPEN",
    "EventRecord",
    "FixRecord",
    "exhaust_quota",
    "get_fix",
    "get_fixes",
    "last_after",
    "list_fixes",
    "quota_used",
    "record_plans",
    "require_account",
    "reserve_meeting_update",
    "set_quota_used",
    "trail",
]
