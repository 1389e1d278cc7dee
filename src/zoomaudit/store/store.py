"""The Store: every query zoomaudit makes, behind one small synchronous API.

One Store per process is enough; it is safe to share between threads (each call opens its own
session). Writes are one transaction per call, so a run killed half way leaves its findings
so far and a ``running`` status that the next run turns into ``abandoned``: never a run
marked complete without all of its findings.
"""

from __future__ import annotations

import secrets
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

import zoomaudit.store.runs as conv
from zoomaudit.errors import StoreError, UsageError
from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store.engine import READ_ONLY, make_engine, open_error
from zoomaudit.store.models import HEAD_REVISION, FindingRow, FixPlan, Run, RunErrorRow
from zoomaudit.store.records import (
    COUNT_KEYS,
    FixInfo,
    PolicyInfo,
    RunDiff,
    RunRecord,
    RunReport,
)
from zoomaudit.vocabulary import ScopeKind, Trigger

if TYPE_CHECKING:
    from zoomaudit.settings import Settings
    from zoomaudit.store.diff import Coverage

LATEST = "latest"
"""Accepted wherever a run id is: the newest run that was not abandoned."""
STALE_AFTER = timedelta(minutes=30)
"""A running run of another process that has written nothing for this long is abandoned."""


def _now() -> datetime:
    return datetime.now(UTC)


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("the store takes timezone-aware timestamps only")


class Store:
    """zoomaudit's database. ``Store(url)`` opens it and brings the schema up to date."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self._engine = make_engine(url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._reads = sessionmaker(
            self._engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        token = secrets.token_hex(4)
        self._owner = conv.open_token(token)
        # A Store dropped without close() counts as closed, so its running runs become abandoned.
        self._finalizer = weakref.finalize(self, conv.close_token, token)
        if migrate:
            self.migrate()

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls(settings.database_url)

    def migrate(self) -> None:
        """Run ``alembic upgrade head`` with the migrations shipped in the package.

        A database already at ``HEAD_REVISION`` is left alone without importing Alembic: that
        import costs a few hundred milliseconds, a large part of a single-meeting audit.
        """
        try:
            if self._schema_revision() == HEAD_REVISION:
                return
            from zoomaudit.store.migrate import upgrade

            upgrade(self._engine)
        except DBAPIError as exc:
            # Not a database, not reachable, no such directory: name the URL and what to do.
            raise open_error(self.url, exc) from None

    def _schema_revision(self) -> str | None:
        """The revision recorded in ``alembic_version``; None for a database not yet migrated."""
        with self._engine.connect() as connection:
            if not sa_inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def close(self) -> None:
        self._finalizer()
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- sessions --------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-write transaction: committed on exit, rolled back on an exception.

        On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``), so read-modify-write
        code is serialised between threads and processes instead of failing half way.
        """
        with self._guard(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only transaction that does not block writers."""
        with self._guard(), self._reads() as session, session.begin():
            yield session

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DatabaseError as exc:
            reason = str(exc.orig)
            if type(exc) is DatabaseError or "unable to open database file" in reason:
                raise open_error(self.url, exc) from None  # not a database / cannot open the file
            if isinstance(exc, OperationalError):
                raise StoreError(f"database error: {reason}") from None
            raise

    # --- writing a run ---------------------------------------------------------------------

    def start_run(
        self,
        trigger: Trigger,
        scope_kind: ScopeKind,
        scope_detail: Mapping[str, Any] | None,
        policy_hash: str,
        started_at: datetime,
        *,
        policies: Mapping[str, PolicyInfo] | None = None,
    ) -> str:
        """Record a new running run (committed at once) and return its id."""
        _require_aware(started_at)
        policy_info = {pid: info.model_dump() for pid, info in (policies or {}).items()}
        with self.session() as session:
            run_id = self._new_run_id(session, started_at)
            session.add(
                Run(
                    id=run_id,
                    trigger=trigger,
                    scope=scope_kind,
                    scope_detail=dict(scope_detail or {}),
                    started_at=started_at,
                    status="running",
                    complete=False,
                    policy_hash=policy_hash,
                    counts={},
                    policies=policy_info,
                    owner=self._owner,
                    heartbeat_at=_now(),
                )
            )
        return run_id

    @staticmethod
    def _new_run_id(session: Session, started_at: datetime) -> str:
        stamp = started_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        while True:
            run_id = f"{stamp}-{secrets.token_hex(2)}"
            if session.get(Run, run_id) is None:
                return run_id

    def add_findings(self, run_id: str, findings: Iterable[Finding]) -> int:
        """Store one batch of findings in one transaction; returns how many."""
        rows = [conv.finding_row(run_id, f) for f in findings]
        with self.session() as session:
            self._running(session, run_id).heartbeat_at = _now()
            if rows:
                session.execute(insert(FindingRow), rows)
        return len(rows)

    def add_errors(self, run_id: str, errors: Iterable[CollectError]) -> int:
        rows = conv.error_rows(run_id, errors)
        with self.session() as session:
            self._running(session, run_id).heartbeat_at = _now()
            if rows:
                session.execute(insert(RunErrorRow), rows)
        return len(rows)

    @staticmethod
    def _running(session: Session, run_id: str) -> Run:
        run = session.get(Run, run_id)
        if run is None:
            raise StoreError(f"run {run_id} does not exist")
        if run.status != "running":
            raise StoreError(f"run {run_id} is {run.status}, not running; nothing more can be added")
        return run

    def finish_run(
        self,
        run_id: str,
        *,
        complete: bool,
        finished_at: datetime,
        counts: Mapping[str, int],
        error: str | None = None,
    ) -> RunRecord:
        """Close a run: ``failed`` when ``error`` is given, else ``complete`` or ``incomplete``.

        A run marked ``abandoned`` while its writer was in fact alive may still be finished.
        """
        _require_aware(finished_at)
        with self.session() as session:
            run = session.get(Run, run_id)
            if run is None:
                raise StoreError(f"run {run_id} does not exist")
            if run.status not in ("running", "abandoned"):
                raise StoreError(f"run {run_id} is already {run.status}")
            run.status = "failed" if error else ("complete" if complete else "incomplete")
            run.complete = complete and not error
            run.finished_at = finished_at
            run.counts = {key: int(value) for key, value in counts.items()}
            run.error = error
            return conv.record_of(run)

    def abandon_stale_runs(self, now: datetime, *, stale_after: timedelta = STALE_AFTER) -> list[str]:
        """Mark ``abandoned`` every running run whose writer died; returns their ids."""
        with self.session() as session:
            running = session.scalars(select(Run).where(Run.status == "running")).all()
            gone = [r for r in running if conv.writer_is_gone(r.owner, r.heartbeat_at, now, stale_after)]
            for run in gone:
                run.status = "abandoned"
                run.complete = False
                run.finished_at = run.heartbeat_at or run.started_at
                run.error = "the process writing this run stopped before finishing it"
            return [r.id for r in gone]

    # --- reading runs ----------------------------------------------------------------------

    def get_run(self, run_id_or_prefix: str) -> RunRecord:
        """The run with this id, unique id prefix, or ``latest``; UsageError naming it otherwise."""
        with self.read_session() as session:
            return conv.record_of(self._find_run(session, run_id_or_prefix))

    @staticmethod
    def _find_run(session: Session, ref: str) -> Run:
        ref = ref.strip()
        if not ref:
            raise UsageError("a run id is required")
        exact = session.get(Run, ref)
        if exact is not None:
            return exact
        if ref == LATEST:
            newest = session.scalars(
                select(Run)
                .where(Run.status != "abandoned")
                .order_by(Run.started_at.desc(), Run.id.desc())
                .limit(1)
            ).first()
            if newest is None:
                raise UsageError("there are no runs yet; `zoomaudit audit` makes the first one")
            return newest
        matches = session.scalars(
            select(Run).where(Run.id.startswith(ref, autoescape=True)).order_by(Run.id).limit(6)
        ).all()
        if not matches:
            raise UsageError(f"no run with id {ref!r} (see `zoomaudit history`)")
        if len(matches) > 1:
            shown = ", ".join(m.id for m in matches[:5])
            raise UsageError(
                f"run id {ref!r} is ambiguous: it starts {shown}{', ...' if len(matches) > 5 else ''}"
            )
        return matches[0]

    def list_runs(self, limit: int = 20, *, include_abandoned: bool = False) -> list[RunRecord]:
        """The newest runs first; abandoned runs only when asked for."""
        query = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
        if not include_abandoned:
            query = query.where(Run.status != "abandoned")
        with self.read_session() as session:
            return [conv.record_of(r) for r in session.scalars(query)]

    def last_complete_runs(self, n: int = 2, *, same_scope: bool = False) -> list[RunRecord]:
        """The ``n`` newest complete runs, newest first.

        With ``same_scope``, only runs of the newest complete run's scope: the same kind
        (account, meetings, user) and, for a narrower run, the same meetings and users.
        """
        query = select(Run).where(Run.status == "complete").order_by(Run.started_at.desc(), Run.id.desc())
        with self.read_session() as session:
            if not same_scope:
                return [conv.record_of(r) for r in session.scalars(query.limit(n))]
            newest = session.scalars(query.limit(1)).first()
            if newest is None:
                return []
            found: list[RunRecord] = []
            for row in session.scalars(query.where(Run.scope == newest.scope)):
                if conv.scope_key(row) == conv.scope_key(newest):
                    found.append(conv.record_of(row))
                    if len(found) == n:
                        break
            return found

    def findings(
        self,
        run_id: str,
        *,
        statuses: Iterable[str] | None = None,
        meeting_id: int | None = None,
    ) -> list[Finding]:
        """Findings of one run in the order they were stored, optionally filtered."""
        with self.read_session() as session:
            run = self._find_run(session, run_id)
            query = select(FindingRow).where(FindingRow.run_id == run.id).order_by(FindingRow.id)
            if statuses is not None:
                query = query.where(FindingRow.status.in_(list(statuses)))
            if meeting_id is not None:
                query = query.where(FindingRow.meeting_id == meeting_id)
            return [conv.finding_of(row) for row in session.scalars(query)]

    def load_report(
        self, run_id: str, include_passed: bool = False, *, with_findings: bool = True
    ) -> RunReport:
        """The run, its findings (passes only when asked for), its errors and the fix plans named.

        ``with_findings=False`` leaves the findings out, for a report that streams them with
        ``iter_findings``."""
        with self.read_session() as session:
            run = self._find_run(session, run_id)
            findings: list[Finding] = []
            if with_findings:
                query = select(FindingRow).where(FindingRow.run_id == run.id).order_by(FindingRow.id)
                if not include_passed:
                    query = query.where(FindingRow.status != "pass")
                findings = [conv.finding_of(row) for row in session.scalars(query)]
            error_query = select(RunErrorRow).where(RunErrorRow.run_id == run.id).order_by(RunErrorRow.id)
            errors = [conv.error_of(row) for row in session.scalars(error_query)]
            counts = self._counts(session, run)
            fix_ids = sorted({f.fix_id for f in findings if f.fix_id})
            fixes = self._fix_infos(session, fix_ids)
            record = conv.record_of(run).model_copy(update={"counts": counts})
            policies = {pid: PolicyInfo.model_validate(info) for pid, info in (run.policies or {}).items()}
        return RunReport(
            run=record,
            findings=findings,
            errors=errors,
            include_passed=include_passed,
            policies=policies,
            fixes=fixes,
        )

    def iter_findings(
        self, run_id: str, *, include_passed: bool = False, batch_size: int = 1000
    ) -> Iterator[Finding]:
        """A run's findings in report order (``store.ordering``), read ``batch_size`` rows at a
        time: a report of any size streams through in constant memory."""
        from zoomaudit.store.ordering import report_order

        with self.read_session() as session:
            run = self._find_run(session, run_id)
            table = FindingRow.__table__
            names = conv.FINDING_COLUMNS
            query = select(*(table.c[name] for name in names)).where(table.c.run_id == run.id)
            if not include_passed:
                query = query.where(table.c.status != "pass")
            query = query.order_by(*report_order(self._engine.dialect.name))
            for values in session.execute(query.execution_options(yield_per=batch_size)):
                yield conv.finding_from(dict(zip(names, values, strict=True)))

    @staticmethod
    def _counts(session: Session, run: Run) -> dict[str, int]:
        """The runner's counts; any it did not record (a killed run) are counted from the rows."""
        stored = {key: int(value) for key, value in (run.counts or {}).items()}
        if all(key in stored for key in COUNT_KEYS):
            return stored
        by_status = Counter(
            dict(
                session.execute(
                    select(FindingRow.status, func.count())
                    .where(FindingRow.run_id == run.id)
                    .group_by(FindingRow.status)
                ).all()
            )
        )
        run_errors = session.scalar(select(func.count()).where(RunErrorRow.run_id == run.id)) or 0
        meetings = session.scalar(
            select(func.count(FindingRow.meeting_id.distinct())).where(FindingRow.run_id == run.id)
        )
        users = session.scalar(
            select(func.count(FindingRow.host_id.distinct())).where(FindingRow.run_id == run.id)
        )
        computed = {
            "meetings": meetings or 0,
            "users": users or 0,
            "violations": by_status["violation"],
            "errors": by_status["error"] + run_errors,
            "waived": by_status["waived"],
            "manual": by_status["manual"],
            "passed": by_status["pass"],
        }
        return {**computed, **stored}

    @staticmethod
    def _fix_infos(session: Session, fix_ids: list[str]) -> dict[str, FixInfo]:
        if not fix_ids:
            return {}
        plans = session.scalars(select(FixPlan).where(FixPlan.id.in_(fix_ids)))
        return {
            p.id: FixInfo(
                id=p.id,
                status=p.status,
                target_level=p.target_level,
                target_id=p.target_id,
                method=p.method,
                path=p.path,
                query=p.query or {},
                body=p.body,
            )
            for p in plans
        }

    # --- comparing runs --------------------------------------------------------------------

    def diff(self, old_run_id: str, new_run_id: str) -> RunDiff:
        """New, resolved, still-open (and both kinds of unchecked) violations between two runs."""
        from zoomaudit.store.diff import compare

        with self.read_session() as session:
            old = self._find_run(session, old_run_id)
            new = self._find_run(session, new_run_id)
            return compare(
                self._coverage(session, old),
                self._coverage(session, new),
                self._violations(session, old.id),
                self._violations(session, new.id),
            )

    @staticmethod
    def _coverage(session: Session, run: Run) -> Coverage:
        from zoomaudit.store.diff import Coverage

        audited = session.scalars(select(FindingRow.subject).where(FindingRow.run_id == run.id).distinct())
        errors = session.scalars(select(RunErrorRow).where(RunErrorRow.run_id == run.id))
        return Coverage.of(conv.record_of(run), audited, [conv.error_of(row) for row in errors])

    @staticmethod
    def _violations(session: Session, run_id: str) -> list[Finding]:
        rows = session.scalars(
            select(FindingRow)
            .where(FindingRow.run_id == run_id, FindingRow.status == "violation")
            .order_by(FindingRow.id)
        )
        return [conv.finding_of(row) for row in rows]

    # --- helpers for fix plans and the meeting update quota --------------------------------

    def transition_fix(
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
        **fields: Any,
    ) -> bool:
        """Move a fix plan to ``to_status`` only if it is in one of ``from_statuses`` (an atomic
        compare-and-set that also bumps ``version``), appending the transition to the trail.

        Returns False, changing nothing, when another caller moved it first: of two concurrent
        approvals exactly one gets True and goes on to apply the fix. ``fields`` are further
        columns to set (``decided_by``, ``applied_at``, ``error`` ...).
        """
        from zoomaudit.store.models import FixEvent

        allowed = list(from_statuses)
        with self.session() as session:
            current = session.scalar(select(FixPlan.status).where(FixPlan.id == fix_id))
            if current is None:
                raise UsageError(f"no fix plan with id {fix_id!r}")
            result = session.execute(
                update(FixPlan)
                .where(FixPlan.id == fix_id, FixPlan.status.in_(allowed))
                .values(status=to_status, version=FixPlan.version + 1, **fields)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                return False
            session.add(
                FixEvent(
                    fix_id=fix_id,
                    at=at,
                    actor=actor,
                    from_status=current,
                    to_status=to_status,
                    before=before,
                    after=after,
                    note=note,
                )
            )
        return True
