"""Fix plans and their trail in SQL: the repository behind ``zoomaudit.fixes.queue``.

``Store.fixes`` is the one place that reads and writes ``fix_plans``; the trail rows it adds go
through ``store.trail`` (the trail's one writer, which masks). The records it hands out are plain
frozen models, so the fixes code, the CLI and the console never see a session.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from zoomaudit.errors import UsageError
from zoomaudit.store.fix_records import EventRecord, FixRecord, event_of, record_of
from zoomaudit.store.models import FixEvent
from zoomaudit.store.models import FixPlan as FixRow
from zoomaudit.store.sealing import NO_REVERT, forgotten, same_values, seal_values, to_generate
from zoomaudit.store.trail import append_event
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.fixes.plan import FixPlan
    from zoomaudit.store.database import Database
    from zoomaudit.vault import Vault

OPEN = ("pending", "approved", "deferred")
"""Statuses of a plan that may still change Zoom."""
_IN_CHUNK = 500
"""Values per ``IN (...)`` list: well inside every database's limit on bound parameters."""


class FixRepository:
    """Fix plans and their trail; one transaction per call."""

    def __init__(self, store: Database) -> None:
        self._store = store

    def _vault(self) -> Vault:
        return self._store.vault

    # --- writing ---------------------------------------------------------------------------

    def record_plans(
        self,
        run_id: str | None,
        plans: Sequence[FixPlan],
        now: datetime,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> dict[str, str]:
        """Store a run's plans for ``account`` in one transaction: ``{dedupe_key: fix_id}`` (see
        ``fixes.queue.record_plans`` for the rules of reuse and staleness). A plan is only ever
        reused within its account: the same dedupe key in two accounts is two plans."""
        ids: dict[str, str] = {}
        actor = f"run:{run_id}" if run_id else "zoomaudit"
        with self._store.session() as session:
            # One query for the open plans of the whole batch and one for fresh ids, not one each
            # per plan: a 5,000-meeting audit records thousands of plans (docs/performance.md).
            latest = _latest_open(session, account, [p.dedupe_key for p in plans])
            fresh = _new_ids(session, len(plans))
            created: list[tuple[FixPlan, str]] = []
            for plan in plans:
                if plan.dedupe_key in ids:
                    continue
                row = latest.get(plan.dedupe_key)
                if row is not None and (
                    row.status == "approved" or same_values(row.before, plan.before, self._vault)
                ):
                    if row.status != "approved":
                        merged = sorted({*(int(m) for m in row.meeting_ids or []), *plan.meeting_ids})
                        if merged != list(row.meeting_ids or []):
                            row.meeting_ids = merged
                    ids[plan.dedupe_key] = row.id
                    continue
                fix_id = fresh.pop()
                if row is not None:
                    why = f"the target changed since this plan was made; replaced by {fix_id}"
                    append_event(
                        session,
                        row.id,
                        at=now,
                        actor=actor,
                        from_status=row.status,
                        to_status="stale",
                        before=row.before,
                        after=plan.before,
                        note=why,
                    )
                    row.status = "stale"
                    row.error = why
                session.add(
                    _new_row(fix_id, plan, run_id, now, seal_values(plan.before, self._vault), account)
                )
                created.append((plan, fix_id))
                ids[plan.dedupe_key] = fix_id
            session.flush()  # the plans exist before the trail entries that name them
            for plan, fix_id in created:
                append_event(
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
        # The sweep of old passcodes no revert can use any more (``Store.passcodes``) is the
        # runner's, once a run: here, once per host batch, it read every plan that mentions a
        # passcode each time, ~40% of a 5,000-meeting audit's storing time, growing with the run.
        return ids

    def transition(
        self,
        fix_id: str,
        *,
        from_statuses: Iterable[str],
        to_status: str,
        actor: str,
        at: datetime,
        before: Any = None,
        after: Any = None,
        note: str | None = None,
        claim: str | None = None,
        **fields: Any,
    ) -> bool:
        """Move a plan to ``to_status`` only if it is in one of ``from_statuses`` (an atomic
        compare-and-set that also bumps ``version``), appending the transition to the trail
        (``store.trail``, which masks secrets in ``before`` and ``after``).

        Returns False, changing nothing, when another caller moved it first: of two concurrent
        approvals exactly one gets True and goes on to apply the fix. ``fields`` are further
        columns to set (``decided_by``, ``applied_at``, ``error`` ...).

        ``claim``: the owner token of the caller applying the fix. Moving *to* ``approved`` takes
        the claim (with a first heartbeat); moving *from* ``approved`` succeeds only for the
        claim's owner and gives it up: a caller whose claim was released cannot finish the fix.
        """
        allowed = list(from_statuses)
        conditions = [FixRow.id == fix_id, FixRow.status.in_(allowed)]
        if claim is not None and to_status == "approved":
            fields = {**fields, "claimed_by": claim, "heartbeat_at": at}
        elif claim is not None:
            conditions.append(FixRow.claimed_by == claim)
            fields = {**fields, "claimed_by": None, "heartbeat_at": None}
        with self._store.session() as session:
            current = session.scalar(select(FixRow.status).where(FixRow.id == fix_id))
            if current is None:
                raise UsageError(f"no fix plan with id {fix_id!r}")
            result = session.execute(
                update(FixRow)
                .where(*conditions)
                .values(status=to_status, version=FixRow.version + 1, **fields)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                return False
            if to_status in NO_REVERT:  # no revert can need its old passcode any more
                row = session.get(FixRow, fix_id)
                if row is not None:
                    row.before = forgotten(row.before)
            append_event(
                session,
                fix_id,
                at=at,
                actor=actor,
                from_status=current,
                to_status=to_status,
                before=before,
                after=after,
                note=note,
            )
        return True

    def heartbeat(self, fix_id: str, claim: str, at: datetime) -> bool:
        """The claim's owner is alive and still holds it (False: the claim was released)."""
        with self._store.session() as session:
            result = session.execute(
                update(FixRow)
                .where(FixRow.id == fix_id, FixRow.status == "approved", FixRow.claimed_by == claim)
                .values(heartbeat_at=at)
                .execution_options(synchronize_session=False)
            )
            return getattr(result, "rowcount", 0) == 1

    def stale_claims(self, cutoff: datetime) -> dict[str, str | None]:
        """``{fix id: claim}`` of approved plans whose owner has shown no sign of life since
        ``cutoff`` (claims from before heartbeats have none: their approval time decides)."""
        with self._store.read_session() as session:
            rows = session.execute(
                select(FixRow.id, FixRow.claimed_by, FixRow.heartbeat_at).where(FixRow.status == "approved")
            ).all()
        stale: dict[str, str | None] = {}
        legacy = [fix_id for fix_id, claim, beat in rows if claim is None]
        approved_at = self.approval_times() if legacy else {}
        for fix_id, claim, beat in rows:
            last = beat if claim is not None else approved_at.get(fix_id)
            if last is not None and last < cutoff:
                stale[fix_id] = claim
        return stale

    def release(self, fix_id: str, claim: str | None, *, at: datetime, note: str) -> bool:
        """Put a dead claim's fix back to ``pending``, only if that same claim still holds it."""
        conditions = [FixRow.id == fix_id, FixRow.status == "approved"]
        conditions.append(FixRow.claimed_by == claim if claim is not None else FixRow.claimed_by.is_(None))
        with self._store.session() as session:
            result = session.execute(
                update(FixRow)
                .where(*conditions)
                .values(status="pending", version=FixRow.version + 1, claimed_by=None, heartbeat_at=None)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                return False
            append_event(
                session, fix_id, at=at, actor="zoomaudit", from_status="approved", to_status="pending",
                before=None, after=None, note=note,
            )  # fmt: skip
        return True

    # --- reading ---------------------------------------------------------------------------

    def get(self, fix_id: str) -> FixRecord | None:
        with self._store.read_session() as session:
            row = session.get(FixRow, fix_id)
            return record_of(row) if row is not None else None

    def get_many(self, fix_ids: Iterable[str]) -> dict[str, FixRecord]:
        """The plans of these ids that exist, by id."""
        wanted = list(dict.fromkeys(fix_ids))
        found: dict[str, FixRecord] = {}
        with self._store.read_session() as session:
            for start in range(0, len(wanted), _IN_CHUNK):
                query = select(FixRow).where(FixRow.id.in_(wanted[start : start + _IN_CHUNK]))
                found.update((r.id, record_of(r)) for r in session.scalars(query))
        return found

    def known_ids(self, fix_ids: Iterable[str]) -> set[str]:
        """Which of these ids name a stored plan."""
        wanted = list(dict.fromkeys(fix_ids))
        known: set[str] = set()
        with self._store.read_session() as session:
            for start in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[start : start + _IN_CHUNK]
                known |= set(session.scalars(select(FixRow.id).where(FixRow.id.in_(chunk))))
        return known

    def find(
        self,
        *,
        statuses: Iterable[str] | None = None,
        policy_id: str | None = None,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[FixRecord]:
        """Plans, oldest first, optionally by status, policy and account (``account`` one,
        ``accounts`` any of several: a console admin's allowed accounts; None: every account)."""
        query = select(FixRow).order_by(FixRow.created_at, FixRow.id)
        query = query.where(*_of_accounts(account, accounts))
        if statuses is not None:
            query = query.where(FixRow.status.in_(list(statuses)))
        if policy_id is not None:
            query = query.where(FixRow.policy_id == policy_id)
        with self._store.read_session() as session:
            return [record_of(r) for r in session.scalars(query)]

    def count(self, status: str, *, account: str | None = None, accounts: Iterable[str] | None = None) -> int:
        """How many plans are in ``status`` (of an account, of some, or of all)."""
        query = (
            select(func.count())
            .select_from(FixRow)
            .where(FixRow.status == status, *_of_accounts(account, accounts))
        )
        with self._store.read_session() as session:
            return int(session.scalar(query) or 0)

    def policy_ids(self, *, accounts: Iterable[str] | None = None) -> set[str]:
        """The policies any plan (of these accounts; None: of any) was made for."""
        query = select(FixRow.policy_id).where(*_of_accounts(None, accounts)).distinct()
        with self._store.read_session() as session:
            return set(session.scalars(query))

    def open_for_meeting(
        self, meeting_id: int, statuses: Iterable[str], *, account: str | None = None
    ) -> list[str]:
        """Ids of the meeting-level plans of ``meeting_id`` (of ``account`` when given) in one of
        ``statuses``."""
        query = select(FixRow.id).where(
            FixRow.target_level == "meeting",
            FixRow.target_id == str(meeting_id),
            FixRow.status.in_(list(statuses)),
            *_of_accounts(account, None),
        )
        with self._store.read_session() as session:
            return list(session.scalars(query))

    def approval_times(self) -> dict[str, datetime]:
        """For each plan now ``approved``: when it was last moved to ``approved``."""
        query = (
            select(FixEvent.fix_id, FixEvent.at)
            .join(FixRow, FixEvent.fix_id == FixRow.id)
            .where(FixRow.status == "approved", FixEvent.to_status == "approved")
        )
        claims: dict[str, datetime] = {}
        with self._store.read_session() as session:
            for fix_id, at in session.execute(query).all():
                claims[fix_id] = max(at, claims.get(fix_id, at))
        return claims

    def events(
        self,
        fix_id: str | None = None,
        *,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[EventRecord]:
        """The trail, oldest first: of one plan, or of all; of the plans of ``account`` or of any
        of ``accounts`` (a trail belongs to its plan's account), or of every account."""
        query = select(FixEvent).order_by(FixEvent.at, FixEvent.id)
        if fix_id is not None:
            query = query.where(FixEvent.fix_id == fix_id)
        if account is not None or accounts is not None:
            query = query.join(FixRow, FixRow.id == FixEvent.fix_id).where(*_of_accounts(account, accounts))
        with self._store.read_session() as session:
            return [event_of(r) for r in session.scalars(query)]

    def last_after(self, fix_id: str) -> Any:
        """The values read back after the plan was last applied or reverted (None if never)."""
        query = (
            select(FixEvent.after)
            .where(FixEvent.fix_id == fix_id, FixEvent.to_status.in_(("applied", "failed", "reverted")))
            .order_by(FixEvent.at.desc(), FixEvent.id.desc())
            .limit(1)
        )
        with self._store.read_session() as session:
            return session.scalars(query).first()


def _new_row(
    fix_id: str, plan: FixPlan, run_id: str | None, now: datetime, before: dict[str, Any], account: str
) -> FixRow:
    return FixRow(
        id=fix_id,
        account=account,
        policy_id=plan.policy_id,
        status="pending",
        target_level=plan.target_level,
        target_id=plan.target_id,
        host_id=plan.host_id,
        method=plan.request.method,
        path=plan.request.path,
        query=dict(plan.request.query),
        # A policy's fix may name a passcode value; it is never stored, as the sweep would
        # otherwise find it only at the next audit.
        body=to_generate(plan.request.body),
        before=before,
        meeting_ids=list(plan.meeting_ids),
        occurrence_id=plan.occurrence_id,
        dedupe_key=plan.dedupe_key,
        created_at=now,
        created_run_id=run_id,
        note=plan.note or None,
    )


def _of_accounts(account: str | None, accounts: Iterable[str] | None) -> list[ColumnElement[bool]]:
    """The conditions keeping plans to one account and/or to a set of accounts."""
    conditions: list[ColumnElement[bool]] = []
    if account is not None:
        conditions.append(FixRow.account == account)
    if accounts is not None:
        conditions.append(FixRow.account.in_(list(accounts)))
    return conditions


def _new_ids(session: Session, count: int) -> list[str]:
    """``count`` fix ids not yet in the store (random, so two processes do not collide)."""
    ids: set[str] = set()
    while len(ids) < count:
        batch = {f"fx-{secrets.token_hex(4)}" for _ in range(min(count - len(ids), _IN_CHUNK))} - ids
        taken = set(session.scalars(select(FixRow.id).where(FixRow.id.in_(batch))))
        ids |= batch - taken
    return list(ids)


def _latest_open(session: Session, account: str, keys: Sequence[str]) -> dict[str, FixRow]:
    """The newest open plan of ``account`` of each dedupe key that has one."""
    latest: dict[str, FixRow] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = session.scalars(
            select(FixRow)
            .where(
                FixRow.account == account,
                FixRow.dedupe_key.in_(wanted[start : start + _IN_CHUNK]),
                FixRow.status.in_(OPEN),
            )
            .order_by(FixRow.created_at.desc(), FixRow.id.desc())
        )
        for row in rows:
            latest.setdefault(row.dedupe_key, row)
    return latest
