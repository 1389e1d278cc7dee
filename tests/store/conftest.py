"""Fixtures of the store tests: a fresh store per test and finding builders.

Every store test runs on SQLite and on PostgreSQL: a server of the test session's own
(``postgres`` in tests/conftest.py; skipped where PostgreSQL is not installed, unless
``ZOOMAUDIT_TEST_POSTGRES=require``, as ``make test`` sets), or, when
``ZOOMAUDIT_TEST_POSTGRES_URL`` is set, that scratch database (its public schema is dropped
before each test), e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/zoomaudit_test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from zoomaudit.findings import ErrorFinding, Finding, Manual, Pass, Violation, Waived
from zoomaudit.store import Store

T0 = datetime(2026, 11, 20, 2, 0, 0, tzinfo=UTC)


def sqlite_only(url: str) -> None:
    if not url.startswith("sqlite"):
        pytest.skip("a SQLite-specific behaviour")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as opened:
        yield opened


_KINDS: dict[str, type[Violation | Pass | Manual | Waived | ErrorFinding]] = {
    "violation": Violation,
    "pass": Pass,
    "manual": Manual,
    "waived": Waived,
    "error": ErrorFinding,
}


def finding(status: str = "violation", policy: str = "waiting-room", **fields: Any) -> Finding:
    """A finding with sensible defaults; ``fields`` override any of them."""
    values: dict[str, Any] = {
        "policy_id": policy,
        "control": policy.replace("-", "_"),
        "severity": "high",
        "meeting_id": 81234567890,
        "topic": "Youth group",
        "host_id": "u-alice",
        "host_email": "alice@example.org",
        "actual": False,
        "expected": True,
        "source": "user",
    }
    values.update(fields)
    return _KINDS[status](**values)
