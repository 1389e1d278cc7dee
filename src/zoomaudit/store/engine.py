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

import os
import re
import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from zoomaudit.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "zoomaudit_read_only"
"""Execution option: begin a deferred (read) transaction instead of an immediate one."""


URL_SETTING = "ZOOMAUDIT_DATABASE_URL"
EXAMPLE_URLS = "sqlite:///zoomaudit.db or postgresql+psycopg://user:password@host/zoomaudit"
_DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "MySQLdb": "mysqlclient"}


def password_hidden(url: str) -> str | None:
    """The database URL with its password (if any) shown as ``***``; None when unparseable."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return None


def shown_url(url: str) -> str:
    """The database URL as messages may show it: the password masked."""
    # Not parseable: mask everything between "user:" and the last "@" by hand.
    return password_hidden(url) or re.sub(r"(//[^/:@]*:).*@", r"\1***@", url)


def open_error(url: str, exc: BaseException) -> StoreError:
    """A StoreError for a database that cannot be opened: which URL, why, and what to do."""
    shown = shown_url(url)
    reason = str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)
    if "file is not a database" in reason:
        advice = f"point {URL_SETTING} at a zoomaudit SQLite database, or at a path for a new one"
    elif "unable to open database file" in reason:
        advice = (
            "check that the path names a file in a directory that exists and is writable, "
            f"or point {URL_SETTING} at another file"
        )
    else:
        advice = f"check that the database is running and reachable and that {URL_SETTING} is right"
    return StoreError(f"cannot open the database {shown}: {reason}; {advice}")


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    A URL SQLAlchemy cannot use (unparseable, an unknown database kind, a driver that is not
    installed) is a StoreError naming the URL (password masked) and what to do.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError; say what is wrong with the URL.
        raise StoreError(
            f"invalid database URL {shown_url(url)!r}: {exc}; set {URL_SETTING} to e.g. {EXAMPLE_URLS}"
        ) from None
    try:
        return _create(parsed)
    except NoSuchModuleError:
        raise StoreError(
            f"database URL {shown_url(url)} names a kind of database zoomaudit cannot use "
            f"({parsed.drivername!r}); set {URL_SETTING} to e.g. {EXAMPLE_URLS}"
        ) from None
    except ImportError as exc:
        module = exc.name or str(exc)
        package = _DRIVER_PACKAGES.get(module.split(".")[0], module)
        raise StoreError(
            f"database URL {shown_url(url)} needs the Python driver {module!r}, which is not "
            f"installed; install it (pip install '{package}') or use a SQLite URL"
        ) from None


def _create(parsed: Any) -> Engine:
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
    else:
        _create_private(parsed.database, uri=bool(parsed.query.get("uri")))
    engine = create_engine(parsed, **kwargs)
    _tune_sqlite(engine, wal=not memory)
    return engine


DB_FILE_MODE = 0o600
"""A database file zoomaudit creates is readable by its owner only: it holds the fix plans'
passcodes and the admins' password hashes. SQLite gives the WAL and shared-memory files it makes
beside it the same mode."""


def _create_private(database: str, *, uri: bool) -> None:
    """Create a new SQLite file with ``DB_FILE_MODE`` before SQLite creates it with the umask's.

    An existing file is left as it is; a path SQLite cannot open either (no such directory) is left
    for SQLite to refuse with its own message."""
    if uri or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DB_FILE_MODE)
    except OSError:
        return  # it exists, or SQLite will say why it cannot be opened
    os.close(fd)


def _use_wal(cursor: Any) -> None:
    """Switch to WAL (a no-op when the file is already in WAL mode).

    Switching answers "database is locked" at once, without waiting on the busy timeout, while
    another connection holds a lock (two processes opening a fresh file): retry for as long as
    the busy timeout would have waited.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _tune_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let zoomaudit (not the driver) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Deleted or overwritten content is zeroed, not left in free pages: a sealed passcode
            # that is forgotten (store.sealing) must not stay readable in the file.
            cursor.execute("PRAGMA secure_delete = ON")
            if wal:
                _use_wal(cursor)
                cursor.execute("PRAGMA synchronous = NORMAL")
                # A WAL that grew (a rejudge's writer checkpoints only at its end) is cut back
                # to 16 MiB when it is next restarted, rather than kept at its largest.
                cursor.execute("PRAGMA journal_size_limit = 16777216")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
