"""The procrastinate App on ``ZOOMAUDIT_DATABASE_URL`` and the timings of the queue.

The App is made per process by ``make_app`` (never at import: the database URL is a setting), with
zoomaudit's jobs registered by name. Its schema is applied by ``prepare_queue`` when a worker,
scheduler or web process of the queue starts (once: an advisory lock keeps two starting processes
from both applying it); ``zoomaudit serve --role all`` and SQLite never touch it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from zoomaudit.errors import ConfigError

if TYPE_CHECKING:
    import procrastinate

from zoomaudit.queue.jobs import QUEUE

__all__ = ["QUEUE", "QueueTimings", "load_timings", "make_app", "prepare_queue"]


class QueueTimings(BaseSettings):
    """How fast the queue notices things (environment; defaults suit production).

    A worker writes a heartbeat every ``heartbeat`` seconds; one silent for ``stalled_after``
    seconds is taken for dead, and its running jobs go back to the queue (checked every
    ``stalled_check`` seconds by each live worker). A standby scheduler tries for the lock every
    ``scheduler_check`` seconds, and the active one checks it still holds it as often.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    heartbeat: float = Field(default=10.0, gt=0, alias="ZOOMAUDIT_WORKER_HEARTBEAT_SECONDS")
    stalled_after: float = Field(default=60.0, gt=0, alias="ZOOMAUDIT_WORKER_STALLED_SECONDS")
    stalled_check: float = Field(default=15.0, gt=0, alias="ZOOMAUDIT_WORKER_STALLED_CHECK_SECONDS")
    poll: float = Field(default=5.0, gt=0, alias="ZOOMAUDIT_WORKER_POLL_SECONDS")
    scheduler_check: float = Field(default=5.0, gt=0, alias="ZOOMAUDIT_SCHEDULER_CHECK_SECONDS")


def load_timings() -> QueueTimings:
    """The queue's timings; a bad value is a ConfigError naming the variable."""
    try:
        timings = QueueTimings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid queue setting: {problems}") from None
    # A live worker misses at most one beat before the check looks: anything shorter would take
    # a slow but living worker for dead and run its job twice.
    if timings.stalled_after < 2 * timings.heartbeat:
        raise ConfigError(
            f"ZOOMAUDIT_WORKER_STALLED_SECONDS ({timings.stalled_after:g}) must be at least twice "
            f"ZOOMAUDIT_WORKER_HEARTBEAT_SECONDS ({timings.heartbeat:g}), or a living worker's job "
            "would be taken for abandoned"
        )
    return timings


def make_app(database_url: str) -> procrastinate.App:
    """A procrastinate App on the database (PostgreSQL only: a ConfigError for SQLite), with
    zoomaudit's jobs registered. Open it with ``async with app.open_async()``."""
    import zoomaudit.queue.jobs as jobs
    from zoomaudit.store.queue_db import queue_conninfo

    conninfo = queue_conninfo(database_url)  # SQLite is refused first, whatever is installed
    try:
        import procrastinate
    except ImportError:
        raise ConfigError(
            "the work queue needs the packages of zoomaudit's `workers` extra: "
            "pip install 'zoomaudit[workers]'"
        ) from None
    connector = procrastinate.PsycopgConnector(conninfo=conninfo)
    app = procrastinate.App(connector=connector)
    jobs.register(app)
    return app


def prepare_queue(database_url: str) -> bool:
    """Apply the queue's schema to the database if it is not there; True when applied now."""
    from procrastinate.schema import SchemaManager

    from zoomaudit.store.queue_db import ensure_queue_schema

    return ensure_queue_schema(database_url, SchemaManager.get_schema())
