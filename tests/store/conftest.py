"""Fixtures of the store tests: a fresh SQLite store per test and finding builders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from zoomaudit.findings import ErrorFinding, Finding, Manual, Pass, Violation, Waived
from zoomaudit.store import Store

T0 = datetime(2026, 11, 20, 2, 0, 0, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


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
