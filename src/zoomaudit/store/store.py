"""The Store: every query zoomaudit makes, behind one small synchronous API.

One Store per process is enough; it is safe to share between threads (each call opens its own
session). Writes are one transaction per call, so a run killed half way leaves its findings
so far and a ``running`` status that the next run turns into ``abandoned``: never a run
marked complete without all of its findings.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

import zoomaudit.store.reading as reading
import zoomaudit.store.runs as conv
from zoomaudit.errors import StoreError
from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store.engine import READ_ONLY, make_engine, open_error
from zoomaudit.store.models import HEAD_REVISION, FindingRow, Run, RunErrorRow
from zoomaudit.store.records import (
    PolicyInfo,
    RunDiff,
    RunRecord,
    RunReport,
)
from zoomaudit.vocabulary import ScopeKind, Trigger

if TYPE_CHECKING:
    from zoomaudit.settings import Settings
    from zoomaudit.store.admins import AdminRepository
    from zoomaudit.store.console import ConsoleReads
    from zoomaudit.store.fixes import FixRepository
    from zoomaudit.store.quota import QuotaRepository
    from zoomaudit.store.sealing import PasscodeKeeping
    from zoomaudit.store.waivers import WaiverRepository
    from zoomaudit.vault import Vault

LATEST = reading.LATEST
STALE_AFTER = timedelta(minutes=30)
"""A running run of another process that has written nothing for this long is abandoned."""


def _now() -> datetime:
    return datetime.now(UTC)


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("the store takes timezone-aware timestamps only")


class Store:
    """zoomaudit's database. ``Store(url)`` opens it and brings the schema up to date."""

    def __init__(
        self,
        url: str,
        *,
        migrate: bool = True,
        vault: Callable[[], Vault] | None = None,
        passcode_retention: timedelta = timedelta(days=30),
    ) -> None:
        self.url = url
        # The install's key seals the old passcode of a passcode fix (zoomaudit.vault). A Store
        # opened from settings reads it from the environment or the key file; one opened from a
        # bare URL (tests, tools) seals under a key of its own that dies with the process.
        self._vault_factory = vault
        self._vault: Vault | None = None
        self.passcode_retention = passcode_retention
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
        from zoomaudit.vault import vault_from_settings

        def install_vault() -> Vault:
            vault = vault_from_settings(settings, create=True)
            assert vault is not None  # created when missing
            return vault

        return cls(
            settings.database_url,
            vault=install_vault,
            passcode_retention=timedelta(days=settings.passcode_retention_days),
        )

    @property
    def vault(self) -> Vault:
        """The vault that seals passcodes kept at rest (loaded, or created, on first use)."""
        if self._vault is None:
            from zoomaudit.vault import Vault

            self._vault = self._vault_factory() if self._vault_factory else Vault(Vault.new_key())
        return self._vault

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
            return conv.record_of(reading.find_run(session, run_id_or_prefix))

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
            run = reading.find_run(session, run_id)
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
            run = reading.find_run(session, run_id)
            findings: list[Finding] = []
            if with_findings:
                query = select(FindingRow).where(FindingRow.run_id == run.id).order_by(FindingRow.id)
                if not include_passed:
                    query = query.where(FindingRow.status != "pass")
                findings = [conv.finding_of(row) for row in session.scalars(query)]
            error_query = select(RunErrorRow).where(RunErrorRow.run_id == run.id).order_by(RunErrorRow.id)
            errors = [conv.error_of(row) for row in session.scalars(error_query)]
            counts = reading.counts(session, run)
            fix_ids = sorted({f.fix_id for f in findings if f.fix_id})
            fixes = reading.fix_infos(session, fix_ids)
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
            run = reading.find_run(session, run_id)
            table = FindingRow.__table__
            names = conv.FINDING_COLUMNS
            query = select(*(table.c[name] for name in names)).where(table.c.run_id == run.id)
            if not include_passed:
                query = query.where(table.c.status != "pass")
            query = query.order_by(*report_order(self._engine.dialect.name))
            for values in session.execute(query.execution_options(yield_per=batch_size)):
                yield conv.finding_from(dict(zip(names, values, strict=True)))

    # --- comparing runs --------------------------------------------------------------------

    def diff(self, old_run_id: str, new_run_id: str) -> RunDiff:
        """New, resolved, still-open (and both kinds of unchecked) violations between two runs."""
        from zoomaudit.store.diff import compare

        with self.read_session() as session:
            old = reading.find_run(session, old_run_id)
            new = reading.find_run(session, new_run_id)
            return compare(
                reading.coverage(session, old),
                reading.coverage(session, new),
                reading.violations(session, old.id),
                reading.violations(session, new.id),
            )

    # --- repositories of the other aggregates ----------------------------------------------

    @cached_property
    def fixes(self) -> FixRepository:
        """Fix plans and their trail."""
        from zoomaudit.store.fixes import FixRepository

        return FixRepository(self)

    @cached_property
    def passcodes(self) -> PasscodeKeeping:
        """Passcodes at rest in fix plans: sealed while revertible, then forgotten."""
        from zoomaudit.store.sealing import PasscodeKeeping

        return PasscodeKeeping(self)

    @cached_property
    def waivers(self) -> WaiverRepository:
        """Waivers."""
        from zoomaudit.store.waivers import WaiverRepository

        return WaiverRepository(self)

    @cached_property
    def admins(self) -> AdminRepository:
        """The console's admin accounts."""
        from zoomaudit.store.admins import AdminRepository

        return AdminRepository(self)

    @cached_property
    def console(self) -> ConsoleReads:
        """The console's read models (aggregates for its pages)."""
        from zoomaudit.store.console import ConsoleReads

        return ConsoleReads(self)

    @cached_property
    def quota(self) -> QuotaRepository:
        """The per-host meeting update quota."""
        from zoomaudit.store.quota import QuotaRepository

        return QuotaRepository(self)

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
        """``Store.fixes.transition``: an atomic compare-and-set of a plan's status that
        appends the transition to the trail (masked); False when another caller moved it first."""
        return self.fixes.transition(
            fix_id,
            from_statuses=from_statuses,
            to_status=to_status,
            actor=actor,
            at=at,
            before=before,
            after=after,
            note=note,
            **fields,
        )
