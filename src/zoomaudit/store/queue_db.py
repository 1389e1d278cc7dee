"""The SQL of the work queue and of the one active scheduler (PostgreSQL only).

The job queue itself is procrastinate's (its tables are ``procrastinate_*`` in zoomaudit's
database); what zoomaudit says to PostgreSQL about it is here, as the store is the only package
that speaks SQL:

- ``queue_conninfo``: the libpq connection string of ``ZOOMAUDIT_DATABASE_URL``, or a ConfigError
  for SQLite (a queue shared by several processes needs a database server);
- ``ensure_queue_schema``: procrastinate's schema, applied once, under a transaction-level
  advisory lock so that two processes starting together do not both apply it;
- ``zoom_turn``: an account's turn at Zoom across processes (a two-key advisory lock);
- ``SchedulerLock``: a session-level advisory lock on a dedicated connection. The scheduler that
  holds it is the active one; it is released when that connection ends, however the process dies
  (PostgreSQL ends the session of a closed socket), so a standby scheduler can take it over.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from zoomaudit.errors import ConfigError, StoreError
from zoomaudit.store.engine import URL_SETTING, shown_url

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

SCHEDULER_LOCK_KEY = 0x7A61_5343_4845_4400 >> 1
"""The advisory lock key of the active scheduler ("zaSCHED" as a positive bigint)."""
SCHEMA_LOCK_KEY = 0x7A61_5155_4555_4500 >> 1
"""The advisory lock key held while the queue's schema is applied ("zaQUEUE")."""

CONNECT_TIMEOUT_SECONDS = 10


def is_postgresql(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "postgresql"
    except Exception:
        return False


def queue_conninfo(url: str) -> str:
    """The libpq URI of a ``postgresql[+driver]://`` database URL; a ConfigError for anything else.

    The returned string holds the password, if the URL has one: pass it to psycopg only, never to
    a log or a message (``shown_url`` masks it)."""
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"{URL_SETTING}={shown_url(url)!r} is not a database URL") from None
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(
            f"the work queue needs PostgreSQL, but {URL_SETTING} is {shown_url(url)} "
            f"({parsed.get_backend_name()}): several processes share the queue through the database "
            "server. Set it to e.g. postgresql+psycopg://user:password@host/zoomaudit, or run "
            "`zoomaudit serve` (--role all), the single process that needs no queue"
        )
    return str(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def _connect(conninfo: str, url_shown: str, **kwargs: Any) -> psycopg.Connection[Any]:
    import psycopg  # here, not at the top: only the queue needs it (zoomaudit[workers])

    try:
        return psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS, **kwargs)
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot open the database {url_shown}: {exc}; check that the database is running and "
            f"reachable and that {URL_SETTING} is right"
        ) from None


def ensure_queue_schema(url: str, schema_sql: str) -> bool:
    """Apply procrastinate's schema unless its jobs table exists; True when it was applied now."""
    import psycopg

    conninfo = queue_conninfo(url)
    with _connect(conninfo, shown_url(url)) as connection:
        try:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                row = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
                if row is not None and row[0] is not None:
                    return False
                connection.execute(schema_sql.encode())
        except psycopg.Error as exc:
            shown = shown_url(url)
            raise StoreError(f"the work queue's schema cannot be applied to {shown}: {exc}") from None
    log.info("the work queue's schema was applied to %s", shown_url(url))
    return True


class SchedulerLock:
    """The advisory lock that makes one scheduler the active one, on a connection of its own.

    ``try_acquire`` takes it without waiting (False when another session holds it); ``held``
    says whether this connection still holds it (False once the connection is gone: the lock
    went with it); ``release`` closes the connection. Blocking calls: run them in a thread.
    """

    def __init__(self, url: str, key: int = SCHEDULER_LOCK_KEY) -> None:
        self._conninfo = queue_conninfo(url)
        self._shown = shown_url(url)
        self._key = key
        self._connection: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        import psycopg

        if self._connection is None or self._connection.closed:
            self._connection = _connect(self._conninfo, self._shown, autocommit=True)
        try:
            row = self._connection.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        except psycopg.Error:
            self._drop()
            return False
        acquired = bool(row and row[0])
        if not acquired:
            self._drop()  # a standby keeps no connection open between attempts
        return acquired

    def held(self) -> bool:
        """Whether the lock is still ours: asks PostgreSQL over the lock's own connection."""
        import psycopg

        connection = self._connection
        if connection is None or connection.closed:
            return False
        try:
            row = connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = %s",
                (self._key,),
            ).fetchone()
        except psycopg.Error:
            self._drop()
            return False
        return bool(row and row[0])

    def backend_pid(self) -> int | None:
        """The server process of the lock's connection (tests end it to simulate a dead scheduler)."""
        connection = self._connection
        if connection is None or connection.closed:
            return None
        return int(connection.info.backend_pid)

    def release(self) -> None:
        self._drop()

    def _drop(self) -> None:
        import psycopg

        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                connection.close()


def end_backend(url: str, pid: int) -> None:
    """End one server session (``pg_terminate_backend``): what a crashed host looks like to the server."""
    with _connect(queue_conninfo(url), shown_url(url), autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(%s)", (pid,))


ZOOM_TURN_SPACE = 0x7A41
"""First key of the two-key advisory locks that are accounts' Zoom turns (the second is a hash of
the account's name); two-key locks never collide with the one-key locks above."""


@contextlib.asynccontextmanager
async def zoom_turn(url: str, account: str) -> AsyncIterator[None]:
    """Hold ``account``'s Zoom turn across processes: wait until no other process holds it.

    Workers' jobs already take turns by their queue lock (``zoom:<account>``); this advisory lock
    also covers the Zoom work the web process does itself in queue mode (console approvals and
    reverts), so one account's budget is spent by one piece of work at a time. Held by a
    connection of its own: closing it, or the process dying, frees it.
    """
    import psycopg

    try:
        connection = await psycopg.AsyncConnection.connect(
            queue_conninfo(url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot open the database {shown_url(url)} for {account}'s Zoom turn: {exc}"
        ) from None
    try:
        await connection.execute(
            "SELECT pg_advisory_lock(%s, hashtext(%s))", (ZOOM_TURN_SPACE, f"zoom:{account}")
        )
        yield
    finally:
        await connection.close()
