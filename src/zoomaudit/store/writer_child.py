"""The second process of ``store.writer_process``: it runs the statements its parent sends, one
transaction per message, on its own connection to the same SQLite file.

Standard library only, and run as a script (``python -I writer_child.py PATH BUSY_MS``), not
as a module of the package: it starts in a few milliseconds, without importing zoomaudit.

Messages on stdin are pickled lists of ``(sql, params, expected_rowcount, refusal)``; the reply
on stdout to each is ``("ok",)`` or ``("error", text)``, after which the child stops. ``None``
asks it to stop (reply ``("closed",)``). End of input (the parent died) stops it too: whatever
transaction was under way is never committed.

The child leaves the WAL to grow while it writes and checkpoints it once, after its last reply:
SQLite's automatic checkpoint every 1,000 pages was a quarter of its time, spent while the
parent waited on it; after the reply, the parent goes on (finishing the run, its report) and the
checkpoint copies the pages back beside that work.
"""

from __future__ import annotations

import pickle
import signal
import sqlite3
import sys
from contextlib import suppress
from typing import Any, BinaryIO


def _reply(out: BinaryIO, message: tuple[str, ...]) -> None:
    pickle.dump(message, out)
    out.flush()


def _run(
    connection: sqlite3.Connection, statements: list[tuple[str, list[Any], int | None, str | None]]
) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        for sql, params, expected, refusal in statements:
            cursor = connection.executemany(sql, params)
            if expected is not None and cursor.rowcount != expected:
                raise RuntimeError(refusal or f"{cursor.rowcount} rows changed, not {expected}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def main(argv: list[str]) -> int:
    path, busy_ms = argv[0], int(argv[1])
    # Ctrl-C reaches the whole process group; the parent then closes the writer, and the
    # batches it has sent are still committed (as inline writes made before it would be).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source, out = sys.stdin.buffer, sys.stdout.buffer
    connection = sqlite3.connect(path, isolation_level=None, timeout=busy_ms / 1000)
    # The pragmas of the parent's connections (store.engine._tune_sqlite), and no automatic
    # checkpoint; the file is in WAL mode already, which is a property of the file.
    for pragma in (
        f"busy_timeout = {busy_ms}",
        "foreign_keys = ON",
        "secure_delete = ON",
        "synchronous = NORMAL",
        "journal_size_limit = 16777216",
        "wal_autocheckpoint = 0",
    ):
        connection.execute(f"PRAGMA {pragma}")
    try:
        while True:
            try:
                message = pickle.load(source)  # noqa: S301 - from the parent that started it, over a pipe
            except EOFError:
                return 0
            if message is None:
                _reply(out, ("closed",))
                # PASSIVE: readers and writers (the parent finishing its run) are not held up;
                # what it cannot copy now (or at all, on an error: nobody waits to hear of it),
                # the next writer's automatic checkpoint does.
                with suppress(sqlite3.Error):
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                return 0
            try:
                _run(connection, message)
            except Exception as exc:  # any failure is the parent's to report, with the run's context
                _reply(out, ("error", str(exc) or type(exc).__name__))
                return 1
            _reply(out, ("ok",))
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
