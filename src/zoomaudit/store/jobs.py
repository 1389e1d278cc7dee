"""The scheduler's job table (APScheduler's SQLAlchemy job store, in zoomaudit's own database)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Column, Float, LargeBinary, MetaData, Table, Unicode, create_engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from zoomaudit.errors import StoreError

if TYPE_CHECKING:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore


def job_store(database_url: str, table: str) -> SQLAlchemyJobStore:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    return SQLAlchemyJobStore(url=database_url, tablename=table)


@contextmanager
def job_store_errors(doing: str) -> Iterator[None]:
    """A database error of the job store as a StoreError (``the scheduler's job store <doing>``)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StoreError(f"the scheduler's job store {doing}: {type(exc).__name__}: {exc}") from None


def job_rows(database_url: str, table_name: str) -> list[tuple[str, bytes]] | None:
    """``(job id, pickled state)`` in next-run order, or None when the table does not exist."""
    table = Table(
        table_name,
        MetaData(),
        Column("id", Unicode(191), primary_key=True),
        Column("next_run_time", Float(25)),
        Column("job_state", LargeBinary),
    )
    engine = create_engine(database_url)
    try:
        with job_store_errors("cannot be read"):
            if not inspect(engine).has_table(table_name):
                return None
            with engine.connect() as conn:
                rows = conn.execute(
                    select(table.c.id, table.c.job_state).order_by(table.c.next_run_time)
                ).all()
    finally:
        engine.dispose()
    return [(str(job_id), bytes(blob)) for job_id, blob in rows]
