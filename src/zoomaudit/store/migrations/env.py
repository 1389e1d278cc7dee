"""Alembic environment for zoomaudit's store.

``Store.migrate`` passes an open connection (inside a transaction) in
``config.attributes["connection"]``; the ``alembic`` command line falls back to the database
URL of zoomaudit's settings. Offline mode (``alembic upgrade head --sql``, or
``sqlalchemy.url`` set on the config) prints the SQL for a DBA, e.g. for PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from zoomaudit.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _offline() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from zoomaudit.settings import load_settings

        url = load_settings().database_url
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        _offline()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from zoomaudit.settings import load_settings
    from zoomaudit.store.engine import make_engine

    engine = make_engine(load_settings().database_url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


_main()
