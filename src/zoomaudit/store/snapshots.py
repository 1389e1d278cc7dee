"""The snapshots runs keep (``zoomaudit.snapshot_codec`` makes and reads the bytes): written a
chunk at a time as a run goes, read back a chunk at a time by ``zoomaudit rejudge``, and kept for
the latest ``ZOOMAUDIT_SNAPSHOT_RUNS`` complete runs only; older runs keep their findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from zoomaudit.store.models import Run, SnapshotChunk
from zoomaudit.vocabulary import REAL_TRIGGERS

if TYPE_CHECKING:
    from zoomaudit.store.database import Database


class SnapshotRepository:
    """``Store.snapshots``."""

    def __init__(self, store: Database) -> None:
        self._store = store

    def add(self, run_id: str, sequence: int, data: bytes) -> None:
        """Keep one chunk of ``run_id``'s snapshot (one transaction)."""
        with self._store.session() as session:
            session.add(SnapshotChunk(run_id=run_id, sequence=sequence, data=data))

    def chunk(self, run_id: str, sequence: int) -> bytes | None:
        with self._store.read_session() as session:
            row = session.get(SnapshotChunk, (run_id, sequence))
            return None if row is None else row.data

    def chunks(self, run_id: str, *, start: int = 0, page: int = 32) -> Iterator[bytes]:
        """The chunks of ``run_id`` from sequence ``start`` in order, read ``page`` at a time, each
        page in its own short read transaction (the caller writes between pages)."""
        after = start - 1
        while True:
            query = (
                select(SnapshotChunk.sequence, SnapshotChunk.data)
                .where(SnapshotChunk.run_id == run_id, SnapshotChunk.sequence > after)
                .order_by(SnapshotChunk.sequence)
                .limit(page)
            )
            with self._store.read_session() as session:
                rows = session.execute(query).all()
            for sequence, data in rows:
                after = sequence
                yield data
            if len(rows) < page:
                return

    def size(self, run_id: str) -> tuple[int, int]:
        """(chunks, compressed bytes) of ``run_id``'s snapshot."""
        with self._store.read_session() as session:
            row = session.execute(
                select(func.count(), func.coalesce(func.sum(func.length(SnapshotChunk.data)), 0)).where(
                    SnapshotChunk.run_id == run_id
                )
            ).one()
            return int(row[0]), int(row[1])

    def forget(self, run_id: str) -> None:
        """Drop a run's snapshot (a run that did not complete: nothing to judge again)."""
        with self._store.session() as session:
            session.execute(delete(SnapshotChunk).where(SnapshotChunk.run_id == run_id))

    def keep_latest(self, n: int) -> list[str]:
        """Keep, of each Zoom account, the snapshots of the ``n`` newest complete runs that have
        one and of the newest complete whole-account run; drop the others of every finished run
        (a running run's chunks are its own business). ``n`` = 0 keeps none. Returns the runs
        whose snapshot was dropped. Per account: one account's busy day of pre-session checks
        never costs another account its snapshots."""
        with self._store.session() as session:
            having = select(SnapshotChunk.run_id).distinct()
            kept: set[str] = set()
            accounts = session.scalars(select(Run.account).where(Run.id.in_(having)).distinct()).all()
            for name in accounts if n > 0 else ():
                newest = (
                    select(Run.id)
                    .where(
                        Run.id.in_(having),
                        Run.account == name,
                        Run.status == "complete",
                        Run.trigger.in_(REAL_TRIGGERS),
                    )
                    .order_by(Run.started_at.desc(), Run.id.desc())
                    .limit(n)
                )
                kept.update(session.scalars(newest))
                # The newest whole-account run keeps its snapshot too, however many one-meeting
                # runs (pre-session checks, webhooks) came since: it is the one worth judging again.
                whole = newest.where(Run.scope == "account").limit(1)
                kept.update(session.scalars(whole))
            finished = select(Run.id).where(Run.id.in_(having), Run.status != "running")
            dropped = [run_id for run_id in session.scalars(finished) if run_id not in kept]
            if dropped:
                session.execute(delete(SnapshotChunk).where(SnapshotChunk.run_id.in_(dropped)))
            return dropped
