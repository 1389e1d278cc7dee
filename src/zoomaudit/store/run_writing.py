"""Writing a run: the ``Store`` methods that start a run, add its findings and errors, finish it,
and abandon the runs whose writer died.

A mixin of ``Store``, which supplies the transactions and the owner string of its process; each
write is one transaction, so a run killed half way leaves its findings so far and a ``running``
status that the next run turns into ``abandoned``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

import zoomaudit.store.runs as conv
from zoomaudit.errors import StoreError
from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store.bulk import insert_values
from zoomaudit.store.models import FindingRow, Run, RunErrorRow, SnapshotChunk
from zoomaudit.store.records import PolicyInfo, RunRecord
from zoomaudit.store.writer_process import BatchSink, ProcessWriter
from zoomaudit.vocabulary import DEFAULT_ACCOUNT, ScopeKind, Trigger

STALE_AFTER = timedelta(minutes=30)
"""A running run of another process that has written nothing for this long is abandoned."""


def _now() -> datetime:
    return datetime.now(UTC)


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("the store takes timezone-aware timestamps only")


class RunWriting:
    """The run-writing half of ``Store``."""

    _owner: str
    """``host:pid:token`` of the Store writing (``runs.open_token``): whose runs are whose."""
    _engine: Engine

    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError  # Store.session

    def start_run(
        self,
        trigger: Trigger,
        scope_kind: ScopeKind,
        scope_detail: Mapping[str, Any] | None,
        policy_hash: str,
        started_at: datetime,
        *,
        policies: Mapping[str, PolicyInfo] | None = None,
        rejudged_from: str | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> str:
        """Record a new running run of ``account`` (committed at once) and return its id;
        ``rejudged_from`` names the run whose snapshot a ``rejudge`` run judges again."""
        _require_aware(started_at)
        policy_info = {pid: info.model_dump() for pid, info in (policies or {}).items()}
        with self.session() as session:
            run_id = self._new_run_id(session, started_at)
            session.add(
                Run(
                    id=run_id,
                    account=account,
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
                    rejudged_from=rejudged_from,
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
        rows = conv.finding_values(run_id, findings)
        with self.session() as session:
            self._running(session, run_id).heartbeat_at = _now()
            insert_values(session.connection(), FindingRow, conv.FINDING_ROW_KEYS, rows)
        return len(rows)

    def add_batch(
        self,
        run_id: str,
        findings: Iterable[Finding],
        errors: Iterable[CollectError],
        snapshot: tuple[int, bytes] | None = None,
    ) -> int:
        """Store one host batch's findings, collection errors and snapshot chunk (sequence, bytes)
        in one transaction (one commit per host, not three); returns how many findings."""
        rows = conv.finding_values(run_id, findings)
        error_rows = conv.error_rows(run_id, errors)
        with self.session() as session:
            self._running(session, run_id).heartbeat_at = _now()
            insert_values(session.connection(), FindingRow, conv.FINDING_ROW_KEYS, rows)
            if error_rows:
                session.execute(insert(RunErrorRow), error_rows)
            if snapshot is not None:
                session.add(SnapshotChunk(run_id=run_id, sequence=snapshot[0], data=snapshot[1]))
        return len(rows)

    @contextmanager
    def batch_sink(self) -> Iterator[BatchSink]:
        """Where a long writer of batches (a rejudge) sends them: a ``ProcessWriter`` that commits
        them from a second process while this one judges the next, for a SQLite file; the Store
        itself otherwise (PostgreSQL takes the rows as fast as they come; an in-memory database
        has no second connection to share)."""
        url = self._engine.url
        path = url.database
        plain_file = url.get_backend_name() == "sqlite" and path not in (None, "", ":memory:")
        if not plain_file or url.query or str(path).startswith("file:"):
            yield self
            return
        with ProcessWriter(str(path), self._engine.dialect) as writer:
            yield writer

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
