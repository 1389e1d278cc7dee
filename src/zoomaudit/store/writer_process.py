"""A run's findings written by a second process while this one goes on judging (SQLite files).

A rejudge of a 5,000-meeting run stores ~145,000 findings; SQLite's part of that (the rows, four
indexes, the commits) took as long as judging them, and a thread cannot share it: the sqlite3
module takes the GIL back for every row. So a rejudge builds each batch's rows and statements
here (the same ``bulk.prepared_values`` an inline write runs) and hands them to
``writer_child.py``, which runs them on its own connection, one transaction per batch, as
``RunWriting.add_batch`` would. At most ``WINDOW`` batches are in flight, so memory stays a few
batches' worth.

What a failure leaves is what an inline write leaves: the batches committed so far, the run
still ``running`` (the caller finishes it as failed, or a later run finds it abandoned), and
a ``StoreError`` that says what went wrong.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol

from sqlalchemy import Dialect

import zoomaudit.store.runs as conv
from zoomaudit.errors import StoreError
from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store.bulk import prepared_insert, prepared_values
from zoomaudit.store.engine import BUSY_TIMEOUT_MS
from zoomaudit.store.models import FindingRow, Run, RunErrorRow

CHILD = Path(__file__).with_name("writer_child.py")
WINDOW = 2
"""Batches sent and not yet committed: enough to keep the writer busy while the next is judged."""

Statement = tuple[str, list[Any], int | None, str | None]


class BatchSink(Protocol):
    """Where a run's judged batches go: the Store itself, or a ``ProcessWriter``."""

    def add_batch(self, run_id: str, findings: Iterable[Finding], errors: Iterable[CollectError]) -> int: ...


class ProcessWriter:
    """``add_batch`` for one SQLite file, committed by a child process. ``close()`` waits for
    every batch and raises ``StoreError`` if one failed; use it as a context manager."""

    def __init__(self, path: str, dialect: Dialect) -> None:
        self._dialect = dialect
        self._heartbeat = Run.__table__.c.heartbeat_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child; closed in close()
        self._proc = subprocess.Popen(  # noqa: S603 - this interpreter, a file of the package
            [sys.executable, "-I", str(CHILD), path, str(BUSY_TIMEOUT_MS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._in_flight = 0
        self._failure: str | None = None

    def __enter__(self) -> ProcessWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        # On an exception of the caller's, the batches already sent still commit (the run keeps
        # the findings judged so far, as inline writes would) and the caller's error is the one
        # that propagates.
        self.close(raise_failure=kind is None)

    def add_batch(self, run_id: str, findings: Iterable[Finding], errors: Iterable[CollectError]) -> int:
        rows = conv.finding_values(run_id, findings)
        error_rows = conv.error_rows(run_id, errors)
        now: Any = datetime.now(UTC)
        heartbeat = self._heartbeat(now) if self._heartbeat else now
        statements: list[Statement] = [
            (
                f"UPDATE {Run.__tablename__} SET heartbeat_at = ? WHERE id = ? AND status = 'running'",  # noqa: S608 - a table name
                [(heartbeat, run_id)],
                1,
                f"run {run_id} does not exist or is no longer running; nothing more can be added",
            )
        ]
        if rows:
            sql, params = prepared_values(self._dialect, FindingRow, conv.FINDING_ROW_KEYS, rows)
            statements.append((sql, params, None, None))
        if error_rows:
            sql, params = prepared_insert(self._dialect, RunErrorRow, error_rows)
            statements.append((sql, params, None, None))
        self._send(statements)
        self._in_flight += 1
        while self._in_flight > WINDOW:
            self._take_reply()
        return len(rows)

    def close(self, *, raise_failure: bool = True) -> None:
        if self._proc.returncode is None:
            if self._failure is None:
                try:
                    self._send(None)
                    while self._in_flight:
                        self._take_reply()
                    self._take_reply()  # ("closed",)
                except StoreError:
                    pass  # kept in self._failure
            # Every batch is committed once the child has said "closed"; it then checkpoints
            # the WAL (writer_child), which this process need not wait for: it is reaped when
            # it ends. After a failure, it is waited for here (``_fail`` reads what it said).
            self._end(wait=self._failure is not None)
        self._stderr.close()
        if self._failure is not None and raise_failure:
            raise StoreError(self._failure)

    def _send(self, message: list[Statement] | None) -> None:
        stdin = self._pipe(self._proc.stdin)
        try:
            pickle.dump(message, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
        except (BrokenPipeError, OSError):
            self._fail()

    def _take_reply(self) -> None:
        try:
            reply = pickle.load(self._pipe(self._proc.stdout))  # noqa: S301 - our own child, over a pipe
        except (EOFError, OSError, pickle.UnpicklingError):
            self._fail()
        if reply[0] == "error":
            self._failure = f"storing the run's findings failed: {reply[1]}"
            raise StoreError(self._failure)
        if reply[0] == "ok":
            self._in_flight -= 1

    def _fail(self) -> NoReturn:
        """The child is gone without saying why: what it printed, if anything, says."""
        self._end()
        self._stderr.seek(0)
        said = self._stderr.read().decode(errors="replace").strip().splitlines()
        self._stderr.close()
        detail = said[-1] if said else f"exit status {self._proc.returncode}"
        self._failure = self._failure or f"the process storing the run's findings stopped ({detail})"
        raise StoreError(self._failure)

    def _end(self, *, wait: bool = True) -> None:
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                with suppress(OSError):  # a child gone first leaves unflushed input: dropped
                    pipe.close()
        if not wait:
            threading.Thread(target=self._proc.wait, name="zoomaudit-writer-reaper", daemon=True).start()
            return
        try:
            self._proc.wait(timeout=BUSY_TIMEOUT_MS / 1000 + 30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    @staticmethod
    def _pipe(pipe: IO[bytes] | None) -> IO[bytes]:
        assert pipe is not None  # both are PIPE
        return pipe
