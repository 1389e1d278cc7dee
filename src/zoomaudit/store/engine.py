"""Engines for the store: SQLite tuned for one process with several threads, or any other URL.

SQLite notes (the why):
- WAL lets readers (the console) proceed while a run writes.
- pysqlite's own transaction handling starts transactions late and cannot take the write lock
  up front, so a read-then-write transaction can fail at once with "database is locked" when
  another thread committed in between. The driver's handling is switched off and zoomaudit
  emits ``BEGIN IMMEDIATE`` itself: writers queue on the busy timeout instead of failing.
  Read-only sessions (``Store.read_session``) begin with a plain deferred ``BEGIN``.
- foreign keys are off in SQLite unless asked for, on every connection.
- an in-memory database (``sqlite://``) lives in one shared connection: fine for one thread in
  tests, not for the service, which needs a file.

Every engine hides statement parameters: SQLAlchemy otherwise copies them into the text of its
exceptions (and of its INFO log lines), and the parameters carry what must never be shown: the
passcodes in a fix plan's body and ``before``, and admins' password hashes. An error of the store
ends up in a run's ``error`` column, in the service log and on the console.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool

from zoomaudit.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "zoomaudit_read_only"
"""Execution option: begin a deferred (read) transaction instead of an immediate one."""


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError; say what is wrong with the URL.
        raise StoreError(f"invalid database URL: {exc}") from None
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)

    memory = parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        "hide_parameters": True,
    }
    if memory:
        # One shared connection, or each thread would see its own empty database.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(parsed, **kwargs)
    _tune_sqlite(engine, wal=not memory)
    return engine


def _tune_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let zoomaudit (not the driver) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
