"""The approval queue in the store: fix plans, their append-only trail, the meeting-update quota.

Statuses: ``zoomaudit.vocabulary.FixStatus`` (pending, approved, applied, failed, stale, rejected,
reverted, deferred, withdrawn). Every transition appends one
``fix_events`` row (who, when, before, after, note); rows are never updated or deleted.
Passcodes never leave the plan body: the trail and every display show them masked.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zoomaudit.errors import UsageError
from zoomaudit.fixes.plan import FixPlan, flatten
from zoomaudit.store.models import FixEvent, MeetingUpdateQuota
from zoomaudit.store.models import FixPlan as FixRow
from zoomaudit.vocabulary import OPEN_FIX_STATUSES as OPEN

if TYPE_CHECKING:
    from zoomaudit.store.store import Store

MEETING_UPDATES_PER_DAY = 100
"""Zoom's quota of meeting create/update requests per host per UTC day (reference.md §3.3)."""
MASK = "********"


def is_secret_path(path: str) -> bool:
    """Passcode fields (``password``, ``settings.pstn_password`` ...) are shown masked."""
    return path.rsplit(".", 1)[-1].endswith("password")


def _secret(key: str, value: Any) -> bool:
    # A boolean under a passcode-like key (meeting_security.phone_password) is a switch, not a secret.
    return is_secret_path(key) and not isinstance(value, bool) and value not in (None, "")


def redact(fields: Any) -> Any:
    """A copy of a flat ``{path: value}`` map or a nested body with passcode values masked."""
    if isinstance(fields, Mapping):
        return {key: (MASK if _secret(str(key), value) else redact(value)) for key, value in fields.items()}
    return fields


class FixRecord(BaseModel):
    """A fix plan as stored (the body unmasked: it is what an approval sends)."""

    model_config = ConfigDict(frozen=True)

    id: str
    policy_id: str
    status: str
    target_level: str
    target_id: str | None
    host_id: str | None
    method: str
    path: str
    query: dict[str, Any]
    body: Any
    before: Any
    meeting_ids: list[int]
    occurrence_id: str | None
    dedupe_key: str
    created_at: datetime
    created_run_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    applied_at: datetime | None
    error: str | None
    note: str | None
    version: int

    @property
    def fields(self) -> dict[str, Any]:
        """``{dotted path: value}`` the body sets."""
        return flatten(self.body or {})

    def public(self) -> dict[str, Any]:
        """The JSON shape of ``fixes list --format json`` (passcodes masked)."""
        return {
            "id": self.id,
            "policy_id": self.policy_id,
            "status": self.status,
            "target": {"level": self.target_level, "id": self.target_id},
            "host_id": self.host_id,
            "request": {
                "method": self.method,
                "path": self.path,
                "query": dict(self.query),
                "body": redact_body(self.body),
            },
            "before": redact(self.before or {}),
            "meeting_ids": list(self.meeting_ids),
            "occurrence_id": self.occurrence_id,
            "created_at": _iso(self.created_at),
            "created_run_id": self.created_run_id,
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "applied_at": _iso(self.applied_at),
            "error": self.error,
            "note": self.note,
        }


class EventRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    fix_id: str
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    before: Any
    after: Any
    note: str | None

    def public(self) -> dict[str, Any]:
        return {
            "fix_id": self.fix_id,
            "at": _iso(self.at),
            "actor": self.actor,
            "from": self.from_status,
            "to": self.to_status,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def redact_body(body: Any) -> Any:
    if not isinstance(body, Mapping):
        return body
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, Mapping):
            out[key] = redact_body(value)
        else:
            out[key] = MASK if is_secret_path(str(key)) and value not in (None, "") else value
    return out


def _record(row: FixRow) -> FixRecord:
    return FixRecord(
        id=row.id,
        policy_id=row.policy_id,
        status=row.status,
        target_level=row.target_level,
        target_id=row.target_id,
        host_id=row.host_id,
        method=row.method,
        path=row.path,
        query=dict(row.query or {}),
        body=row.body,
        before=row.before,
        meeting_ids=[int(m) for m in (row.meeting_ids or [])],
        occurrence_id=row.occurrence_id,
        dedupe_key=row.dedupe_key,
        created_at=row.created_at,
        created_run_id=row.created_run_id,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        applied_at=row.applied_at,
        error=row.error,
        note=row.note,
        version=row.version,
    )


def _event(row: FixEvent) -> EventRecord:
    return EventRecord.model_validate(row, from_attributes=True)


_IN_CHUNK = 500
"""Values per ``IN (...)`` list: well inside every database's limit on bound parameters."""


def _new_ids(session: Session, count: int) -> list[str]:
    """``count`` fix ids not yet in the store (random, so two processes do not collide)."""
    ids: set[str] = set()
    while len(ids) < count:
        batch = {f"fx-{secrets.token_hex(4)}" for _ in range(min(count - len(ids), _IN_CHUNK))} - ids
        taken = set(session.scalars(select(FixRow.id).where(FixRow.id.in_(batch))))
        ids |= batch - taken
    return list(ids)


def add_event(
    session: Session,
    fix_id: str,
    *,
    at: datetime,
    actor: str,
    from_status: str | None,
    to_status: str,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> None:
    """Append one transition to the trail (passcodes masked)."""
    session.add(
        FixEvent(
            fix_id=fix_id,
            at=at,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            before=redact(before) if before is not None else None,
            after=redact(after) if after is not None else None,
            note=note,
        )
    )


def record_plans(store: Store, run_id: str | None, plans: Sequence[FixPlan], now: datetime) -> dict[str, str]:
    """Store a run's plans in one transaction: ``{dedupe_key: fix_id}``.

    A plan whose dedupe key matches an open plan reuses it (its meetings are added). When the
    target's values changed since the open plan was made (its ``before`` differs), the old plan
    can no longer be applied safely: it is marked ``stale`` and a fresh pending plan replaces it.
    A plan being applied right now (``approved``) is reused as it is.
    """
    ids: dict[str, str] = {}
    actor = f"run:{run_id}" if run_id else "zoomaudit"
    with store.session() as session:
        # One query for the open plans of the whole batch and one for fresh ids, not one each
        # per plan: a 5,000-meeting audit records thousands of plans (docs/performance.md).
        latest = _latest_open(session, [p.dedupe_key for p in plans])
        fresh = _new_ids(session, len(plans))
        created: list[tuple[FixPlan, str]] = []
        for plan in plans:
            if plan.dedupe_key in ids:
                continue
            row = latest.get(plan.dedupe_key)
            if row is not None and (row.status == "approved" or (row.before or {}) == plan.before):
                if row.status != "approved":
                    merged = sorted({*(int(m) for m in row.meeting_ids or []), *plan.meeting_ids})
                    if merged != list(row.meeting_ids or []):
                        row.meeting_ids = merged
                ids[plan.dedupe_key] = row.id
                continue
            fix_id = fresh.pop()
            if row is not None:
                add_event(
                    session,
                    row.id,
                    at=now,
                    actor=actor,
                    from_status=row.status,
                    to_status="stale",
                    before=row.before,
                    after=plan.before,
                    note=f"the target changed since this plan was made; replaced by {fix_id}",
                )
                row.status = "stale"
                row.error = f"the target changed since this plan was made; replaced by {fix_id}"
            session.add(
                FixRow(
                    id=fix_id,
                    policy_id=plan.policy_id,
                    status="pending",
                    target_level=plan.target_level,
                    target_id=plan.target_id,
                    host_id=plan.host_id,
                    method=plan.request.method,
                    path=plan.request.path,
                    query=dict(plan.request.query),
                    body=plan.request.body,
                    before=dict(plan.before),
                    meeting_ids=list(plan.meeting_ids),
                    occurrence_id=plan.occurrence_id,
                    dedupe_key=plan.dedupe_key,
                    created_at=now,
                    created_run_id=run_id,
                    note=plan.note or None,
                )
            )
            created.append((plan, fix_id))
            ids[plan.dedupe_key] = fix_id
        session.flush()  # the plans exist before the trail entries that name them
        for plan, fix_id in created:
            add_event(
                session,
                fix_id,
                at=now,
                actor=actor,
                from_status=None,
                to_status="pending",
                before=plan.before,
                after=plan.fields,
                note=f"planned ({plan.mode})" + (f": {plan.note}" if plan.note else ""),
            )
    return ids


def _latest_open(session: Session, keys: Sequence[str]) -> dict[str, FixRow]:
    """The newest open plan of each dedupe key that has one."""
    latest: dict[str, FixRow] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = session.scalars(
            select(FixRow)
            .where(FixRow.dedupe_key.in_(wanted[start : start + _IN_CHUNK]), FixRow.status.in_(OPEN))
            .order_by(FixRow.created_at.desc(), FixRow.id.desc())
        )
        for row in rows:
            latest.setdefault(row.dedupe_key, row)
    return latest


# --- reading ----------------------------------------------------------------------------------


def get_fix(store: Store, fix_id: str) -> FixRecord:
    """The plan with this id; UsageError naming the id otherwise."""
    with store.read_session() as session:
        row = session.get(FixRow, fix_id.strip())
        if row is None:
            raise UsageError(f"no fix plan with id {fix_id!r} (see `zoomaudit fixes list`)")
        return _record(row)


def get_fixes(store: Store, fix_ids: Iterable[str]) -> list[FixRecord]:
    """The plans with these ids, in the order asked; UsageError naming every unknown id."""
    wanted = [f.strip() for f in fix_ids]
    with store.read_session() as session:
        rows = {r.id: r for r in session.scalars(select(FixRow).where(FixRow.id.in_(wanted)))}
    unknown = [f for f in wanted if f not in rows]
    if unknown:
        raise UsageError(
            f"no fix plan with id {', '.join(repr(u) for u in unknown)} (see `zoomaudit fixes list`)"
        )
    return [_record(rows[f]) for f in dict.fromkeys(wanted)]


def list_fixes(
    store: Store, *, statuses: Iterable[str] | None = None, policy_id: str | None = None
) -> list[FixRecord]:
    """Plans, oldest first, optionally by status and policy."""
    query = select(FixRow).order_by(FixRow.created_at, FixRow.id)
    if statuses is not None:
        query = query.where(FixRow.status.in_(list(statuses)))
    if policy_id is not None:
        query = query.where(FixRow.policy_id == policy_id)
    with store.read_session() as session:
        return [_record(r) for r in session.scalars(query)]


def trail(store: Store, fix_id: str | None = None) -> list[EventRecord]:
    """The audit trail, oldest first: of one plan, or of all."""
    query = select(FixEvent).order_by(FixEvent.at, FixEvent.id)
    if fix_id is not None:
        get_fix(store, fix_id)
        query = query.where(FixEvent.fix_id == fix_id)
    with store.read_session() as session:
        return [_event(r) for r in session.scalars(query)]


def last_after(store: Store, fix_id: str) -> Any:
    """The values read back after the plan was last applied or reverted (None if never)."""
    query = (
        select(FixEvent)
        .where(FixEvent.fix_id == fix_id, FixEvent.to_status.in_(("applied", "failed", "reverted")))
        .order_by(FixEvent.at.desc(), FixEvent.id.desc())
        .limit(1)
    )
    with store.read_session() as session:
        row = session.scalars(query).first()
        return row.after if row is not None else None


# --- the per-host meeting update quota --------------------------------------------------------


def reserve_meeting_update(
    store: Store, host_id: str, day: date, *, limit: int = MEETING_UPDATES_PER_DAY
) -> bool:
    """Count one meeting PATCH for ``host_id`` on ``day`` (UTC) if the quota allows it.

    The count is raised by one conditional UPDATE, not read and written back: two processes
    (``serve`` and a command line) reserving at once on a database that does not serialise
    writers (PostgreSQL) would otherwise both read 99 and both send a 100th update.
    """
    if limit < 1:
        return False
    for _ in range(2):
        try:
            with store.session() as session:
                raised = session.execute(
                    update(MeetingUpdateQuota)
                    .where(
                        MeetingUpdateQuota.host_id == host_id,
                        MeetingUpdateQuota.day == day,
                        MeetingUpdateQuota.count < limit,
                    )
                    .values(count=MeetingUpdateQuota.count + 1)
                    .execution_options(synchronize_session=False)
                )
                if getattr(raised, "rowcount", 0) == 1:
                    return True
                if session.get(MeetingUpdateQuota, (host_id, day)) is not None:
                    return False
                session.add(MeetingUpdateQuota(host_id=host_id, day=day, count=1))
            return True
        except IntegrityError:
            continue  # another process created the day's row first: raise it instead
    return False


def exhaust_quota(store: Store, host_id: str, day: date, *, limit: int = MEETING_UPDATES_PER_DAY) -> None:
    """Zoom said the host's quota is used up (a 429): count the day as full."""
    with store.session() as session:
        row = session.get(MeetingUpdateQuota, (host_id, day))
        if row is None:
            session.add(MeetingUpdateQuota(host_id=host_id, day=day, count=limit))
        elif row.count < limit:
            row.count = limit


def quota_used(store: Store, host_id: str, day: date) -> int:
    with store.read_session() as session:
        row = session.get(MeetingUpdateQuota, (host_id, day))
        return row.count if row is not None else 0


def set_quota_used(store: Store, host_id: str, day: date, count: int) -> None:
    """Preset the count (tests, and an admin who knows other tools used the host's quota)."""
    with store.session() as session:
        row = session.get(MeetingUpdateQuota, (host_id, day))
        if row is None:
            session.add(MeetingUpdateQuota(host_id=host_id, day=day, count=count))
        else:
            row.count = count
