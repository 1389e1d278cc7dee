"""The Store: every query zoomaudit makes, behind one small synchronous API.

One Store per process is enough; it is safe to share between threads (each call opens its own
session). Writes are one transaction per call, so a run killed half way leaves its findings
so far and a ``running`` status that the next run turns into ``abandoned``: never a run
marked complete without all of its findings.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, cast, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

import zoomaudit.store.reading as reading
import zoomaudit.store.runs as conv
from zoomaudit.errors import StoreError
from zoomaudit.findings import Finding
from zoomaudit.store.engine import READ_ONLY, URL_SETTING, make_engine, open_error, shown_url
from zoomaudit.store.models import HEAD_REVISION, FindingRow, Run, RunErrorRow
from zoomaudit.store.records import (
    FINDING_COLUMNS,
    PolicyInfo,
    RunDiff,
    RunRecord,
    RunReport,
)
from zoomaudit.store.run_writing import RunWriting
from zoomaudit.vocabulary import REAL_TRIGGERS

if TYPE_CHECKING:
    from zoomaudit.settings import Settings
    from zoomaudit.store.admins import AdminRepository
    from zoomaudit.store.console import ConsoleReads
    from zoomaudit.store.fixes import FixRepository
    from zoomaudit.store.notifications import NotificationLog
    from zoomaudit.store.presession import PreSessionChecks
    from zoomaudit.store.quota import QuotaRepository
    from zoomaudit.store.retention import Retention
    from zoomaudit.store.sealing import PasscodeKeeping
    from zoomaudit.store.snapshots import SnapshotRepository
    from zoomaudit.store.upcoming import UpcomingReads
    from zoomaudit.store.waivers import WaiverRepository
    from zoomaudit.vault import Vault

LATEST = reading.LATEST


class Store(RunWriting):
    """zoomaudit's database. ``Store(url)`` opens it and brings the schema up to date."""

    def __init__(
        self,
        url: str,
        *,
        migrate: bool = True,
        vault: Callable[[], Vault] | None = None,
        passcode_retention: timedelta = timedelta(days=30),
        snapshot_runs: int = 7,
    ) -> None:
        self.url = url
        self.snapshot_runs = snapshot_runs
        """How many complete runs keep their snapshot (``ZOOMAUDIT_SNAPSHOT_RUNS``)."""
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
            snapshot_runs=settings.snapshot_runs,
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
            revision = self._schema_revision()
            if revision == HEAD_REVISION:
                return
            from zoomaudit.store.migrate import known_revision, upgrade

            if revision is not None and not known_revision(revision):
                raise StoreError(
                    f"the database {shown_url(self.url)} was written by a newer zoomaudit (schema "
                    f"revision {revision!r}; this version knows up to {HEAD_REVISION!r}): upgrade "
                    f"zoomaudit, or point {URL_SETTING} at another database"
                )
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

    # --- reading runs ----------------------------------------------------------------------

    def get_run(self, run_id_or_prefix: str, *, account: str | None = None) -> RunRecord:
        """The run with this id, unique id prefix, or ``latest`` (within ``account`` when one is
        given); UsageError naming it otherwise."""
        with self.read_session() as session:
            return conv.record_of(reading.find_run(session, run_id_or_prefix, account))

    def list_runs(
        self,
        limit: int = 20,
        *,
        include_abandoned: bool = False,
        account: str | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[RunRecord]:
        """The newest runs first: of ``account``, of any of ``accounts`` (a console admin's), or
        of all; abandoned runs only when asked for."""
        query = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
        if not include_abandoned:
            query = query.where(Run.status != "abandoned")
        if account is not None:
            query = query.where(Run.account == account)
        if accounts is not None:
            query = query.where(Run.account.in_(list(accounts)))
        with self.read_session() as session:
            return [conv.record_of(r) for r in session.scalars(query)]

    def known_accounts(self) -> list[str]:
        """The accounts with a run stored, sorted (read from the index on runs' account)."""
        with self.read_session() as session:
            return sorted(session.scalars(select(Run.account).distinct()))

    def last_complete_runs(
        self, n: int = 2, *, same_scope: bool = False, account: str | None = None
    ) -> list[RunRecord]:
        """The ``n`` newest complete runs that read Zoom (no ``rejudge`` run), newest first, of
        ``account`` (None: of any account).

        With ``same_scope``, only runs of the newest complete run's scope: the same account, the
        same kind (account, meetings, user) and, for a narrower run, the same meetings and users.
        """
        # A rejudge run is a what-if trial of an earlier snapshot, not a newer state of the account.
        query = (
            select(Run)
            .where(Run.status == "complete", Run.trigger.in_(REAL_TRIGGERS))
            .order_by(Run.started_at.desc(), Run.id.desc())
        )
        if account is not None:
            query = query.where(Run.account == account)
        with self.read_session() as session:
            if not same_scope:
                return [conv.record_of(r) for r in session.scalars(query.limit(n))]
            newest = session.scalars(query.limit(1)).first()
            if newest is None:
                return []
            found: list[RunRecord] = []
            same = query.where(Run.scope == newest.scope, Run.account == newest.account)
            for row in session.scalars(same):
                if conv.scope_key(row) == conv.scope_key(newest):
                    found.append(conv.record_of(row))
                    if len(found) == n:
                        break
            return found

    def previous_comparable(self, run_id: str) -> RunRecord | None:
        """The newest complete run of the same scope that started before ``run_id`` (what a
        digest compares a run with), or None."""
        with self.read_session() as session:
            run = reading.find_run(session, run_id)
            query = (
                select(Run)
                .where(
                    Run.status == "complete",
                    Run.trigger.in_(REAL_TRIGGERS),
                    Run.scope == run.scope,
                    Run.account == run.account,
                    Run.started_at < run.started_at,
                )
                .order_by(Run.started_at.desc(), Run.id.desc())
            )
            for row in session.scalars(query):
                if conv.scope_key(row) == conv.scope_key(run):
                    return conv.record_of(row)
        return None

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
                query = query.where(FindingRow.subject == conv.meeting_subject(meeting_id))
            return [conv.finding_of(row) for row in session.scalars(query)]

    def load_report(
        self,
        run_id: str,
        include_passed: bool = False,
        *,
        with_findings: bool = True,
        account: str | None = None,
    ) -> RunReport:
        """The run, its findings (passes only when asked for), its errors and the fix plans named;
        ``run_id`` is resolved within ``account`` when one is given.

        ``with_findings=False`` leaves the findings out, for a report that streams them with
        ``iter_findings``."""
        with self.read_session() as session:
            run = reading.find_run(session, run_id, account)
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
        names = FINDING_COLUMNS
        for values in self._iter_finding_columns(run_id, include_passed, batch_size, raw_json=False):
            yield conv.finding_from(dict(zip(names, values, strict=True)))

    def iter_finding_columns(
        self, run_id: str, *, include_passed: bool = False, batch_size: int = 1000
    ) -> Iterator[list[Any]]:
        """``iter_findings`` as the stored column values (in ``records.FINDING_COLUMNS`` order),
        with ``actual`` and ``expected`` left as the JSON text they were stored as (None for
        NULL): what the streamed JSON report writes, without decoding and encoding them again."""
        return self._iter_finding_columns(run_id, include_passed, batch_size, raw_json=True)

    def _iter_finding_columns(
        self, run_id: str, include_passed: bool, batch_size: int, *, raw_json: bool
    ) -> Iterator[list[Any]]:
        """On SQLite, the rows are read from the driver's cursor, and only the columns whose type
        converts what the driver returns (a time stored as text, a boolean as 0/1, JSON) go
        through their type's result processor: SQLAlchemy's own rows were a third of the time
        of a large report."""
        from zoomaudit.store.ordering import report_order

        dialect = self._engine.dialect
        with self.read_session() as session:
            run = reading.find_run(session, run_id)
            table = FindingRow.__table__
            columns = [
                cast(table.c[name], Text) if raw_json and name in conv.JSON_COLUMNS else table.c[name]
                for name in FINDING_COLUMNS
            ]
            query = select(*columns).where(table.c.run_id == run.id)
            if not include_passed:
                query = query.where(table.c.status != "pass")
            query = query.order_by(*report_order(dialect.name))
            if dialect.name != "sqlite":
                # PostgreSQL: a server-side cursor, a batch at a time, through SQLAlchemy's rows
                # (it reads the first rows ahead from that cursor, so it cannot be shared).
                for row in session.execute(query.execution_options(yield_per=batch_size)):
                    yield list(row)
                return
            converted = [
                (i, process)
                for i, column in enumerate(columns)
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
            ]
            result = session.connection().execute(query)  # SQLite's cursor steps as it is read
            try:
                cursor = result.cursor
                while rows := cursor.fetchmany(batch_size):
                    for row in rows:
                        values = list(row)
                        for i, process in converted:
                            values[i] = process(values[i])
                        yield values
            finally:
                result.close()

    # --- comparing runs --------------------------------------------------------------------

    def diff(self, old_run_id: str, new_run_id: str, *, account: str | None = None) -> RunDiff:
        """New, resolved, still-open (and both kinds of unchecked) violations between two runs
        (both resolved within ``account`` when one is given)."""
        from zoomaudit.store.diff import compare

        with self.read_session() as session:
            old = reading.find_run(session, old_run_id, account)
            new = reading.find_run(session, new_run_id, account)
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
    def upcoming(self) -> UpcomingReads:
        """Sessions starting soon, each with its latest verdict."""
        from zoomaudit.store.upcoming import UpcomingReads

        return UpcomingReads(self)

    @cached_property
    def notifications(self) -> NotificationLog:
        """The delivery log of notifications and their dedupe marks."""
        from zoomaudit.store.notifications import NotificationLog

        return NotificationLog(self)

    @cached_property
    def pre_session(self) -> PreSessionChecks:
        """The pre-session checks of ``zoomaudit serve`` and their outcomes."""
        from zoomaudit.store.presession import PreSessionChecks

        return PreSessionChecks(self)

    @cached_property
    def quota(self) -> QuotaRepository:
        """The per-host meeting update quota."""
        from zoomaudit.store.quota import QuotaRepository

        return QuotaRepository(self)

    @cached_property
    def snapshots(self) -> SnapshotRepository:
        """The snapshots runs judged, kept for ``zoomaudit rejudge``."""
        from zoomaudit.store.snapshots import SnapshotRepository

        return SnapshotRepository(self)

    @cached_property
    def retention(self) -> Retention:
        """Deleting old runs, checks and notification log rows (``zoomaudit prune``)."""
        from zoomaudit.store.retention import Retention

        return Retention(self)
