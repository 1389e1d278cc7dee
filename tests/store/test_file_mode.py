"""SQLite database files zoomaudit creates are readable by their owner only (issue 13)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from zoomaudit.store import Store

from .conftest import finding


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_new_database_file_and_its_wal_are_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    old = os.umask(0o022)
    try:
        with Store(f"sqlite:///{path}") as store:
            run_id = store.start_run("manual", "account", {}, "h", _now())
            store.add_findings(run_id, [finding()])
            files = [p for p in tmp_path.iterdir() if p.name.startswith("fresh.db")]
            assert {p.name for p in files} >= {"fresh.db", "fresh.db-wal"}
            for file in files:
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_existing_database_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(f"sqlite:///{path}").close()
    path.chmod(0o640)
    Store(f"sqlite:///{path}").close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def _now() -> datetime:
    return datetime.now(UTC)
