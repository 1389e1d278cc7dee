"""Waivers: a safeguarding lead's recorded decision that a policy may be skipped somewhere.

A waiver names one policy and one scope: a meeting, a host (by e-mail) or a group (by name),
with a reason, who approved it and an optional last day (``until``, inclusive, UTC dates). A
waived violation is reported as ``waived`` with the waiver; passes, manual checks and errors
are never waived. An expired or removed waiver stops applying by itself: ``apply_waivers`` is
pure and is given today's date, so no job has to switch waivers off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from zoomaudit.errors import UsageError
from zoomaudit.findings import Finding, Violation, Waived
from zoomaudit.store.waivers import WaiverRecord

if TYPE_CHECKING:
    from zoomaudit.store.store import Store


def _matches(waiver: WaiverRecord, finding: Finding, host_groups: Mapping[str, Sequence[str]]) -> bool:
    if waiver.policy_id != finding.policy_id:
        return False
    if waiver.meeting_id is not None:
        return finding.meeting_id == waiver.meeting_id
    if waiver.host_email:
        return (finding.host_email or "").lower() == waiver.host_email.lower()
    if waiver.group_name:
        groups: list[str] = []
        for key in (finding.host_id, finding.host_email):
            if key:
                groups.extend(host_groups.get(key, ()))
        return waiver.group_name.lower() in {g.lower() for g in groups}
    return False


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[WaiverRecord],
    *,
    today: date,
    host_groups: Mapping[str, Sequence[str]],
) -> list[Finding]:
    """Turn each violation covered by an active waiver into a ``Waived`` finding.

    ``host_groups`` maps a host id (or e-mail) to the names of the host's groups. When several
    waivers match, the most specific wins (meeting, then host, then group), then the oldest.
    """
    live = [w for w in waivers if w.active_on(today)]
    live.sort(key=lambda w: (0 if w.meeting_id is not None else 1 if w.host_email else 2, w.id))
    out: list[Finding] = []
    for finding in findings:
        waiver = None
        if isinstance(finding, Violation):
            waiver = next((w for w in live if _matches(w, finding, host_groups)), None)
        if waiver is None:
            out.append(finding)
            continue
        data = finding.model_dump(exclude={"status"})
        note = f"waived until {waiver.until.isoformat()}" if waiver.until else "waived"
        data["message"] = f"{finding.message} ({note} by {waiver.approved_by}: {waiver.reason})".lstrip()
        out.append(Waived(**data, waiver_id=waiver.id, waiver_reason=waiver.reason))
    return out


# --- the store ------------------------------------------------------------------------------


def active_waivers(store: Store, today: date, *, account: str | None = None) -> list[WaiverRecord]:
    """Waivers neither removed nor expired on ``today``: of ``account`` (a run applies only its
    own account's), or of every account with None."""
    return store.waivers.active(today, account=account)


def list_waivers(
    store: Store, *, include_removed: bool = False, account: str | None = None
) -> list[WaiverRecord]:
    """Every waiver (expired ones included; removed ones when asked), oldest first, of
    ``account`` (None: of all)."""
    return store.waivers.find(include_removed=include_removed, account=account)


def add_waiver(
    store: Store,
    *,
    policy_id: str,
    reason: str,
    approved_by: str,
    now: datetime,
    meeting_id: int | None = None,
    host_email: str | None = None,
    group_name: str | None = None,
    until: date | None = None,
    account: str = "default",
) -> WaiverRecord:
    """Record a waiver of ``account`` for exactly one of a meeting, a host or a group."""
    scopes = [s for s in (meeting_id, host_email, group_name) if s not in (None, "")]
    if len(scopes) != 1:
        raise UsageError("a waiver needs exactly one of --meeting, --host or --group")
    if not reason.strip():
        raise UsageError("a waiver needs a reason")
    if not approved_by.strip():
        raise UsageError("a waiver needs the name of whoever approved it (--by)")
    if until is not None and until < now.date():
        raise UsageError(f"--until {until.isoformat()} is in the past")
    return store.waivers.add(
        policy_id=policy_id,
        meeting_id=meeting_id,
        host_email=host_email.strip().lower() if host_email else None,
        group_name=group_name.strip() if group_name else None,
        reason=reason.strip(),
        approved_by=approved_by.strip(),
        created_at=now,
        until=until,
        account=account,
    )


def remove_waiver(
    store: Store, waiver_id: int, *, actor: str, now: datetime, account: str | None = None
) -> WaiverRecord:
    """Mark a waiver removed (kept for the record); UsageError for an unknown or removed id, or
    one of another account than ``account`` when given."""
    return store.waivers.remove(waiver_id, actor=actor, now=now, account=account)


__all__ = ["WaiverRecord", "active_waivers", "add_waiver", "apply_waivers", "list_waivers", "remove_waiver"]
