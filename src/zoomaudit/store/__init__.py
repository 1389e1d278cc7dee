"""The store: runs, findings, fix plans, waivers and admins in SQL (SQLAlchemy 2 + Alembic).

``Store(url)`` opens (and migrates) the database; the records it returns are plain frozen
pydantic models. The ORM models (``zoomaudit.store.models``) are for the fixes, waivers and
console code that works with the tables directly through ``Store.session()``.
"""

from zoomaudit.store.records import (
    COUNT_KEYS,
    ROW_COUNT_KEYS,
    FixInfo,
    PolicyInfo,
    RunDiff,
    RunRecord,
    RunReport,
    RunStatus,
)
from zoomaudit.store.run_writing import STALE_AFTER
from zoomaudit.store.store import Store

__all__ = [
    "COUNT_KEYS",
    "ROW_COUNT_KEYS",
    "STALE_AFTER",
    "FixInfo",
    "PolicyInfo",
    "RunDiff",
    "RunRecord",
    "RunReport",
    "RunStatus",
    "Store",
]
