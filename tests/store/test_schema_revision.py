"""Opening a database already at the head revision skips Alembic; the head is declared once."""

from __future__ import annotations

import sys
from pathlib import Path

from zoomaudit.store import Store
from zoomaudit.store.migrate import head_revision
from zoomaudit.store.models import HEAD_REVISION


def test_the_declared_head_is_the_head_of_the_packaged_migrations() -> None:
    assert head_revision() == HEAD_REVISION


def test_a_migrated_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    import subprocess

    url = f"sqlite:///{tmp_path / 'z.db'}"
    Store(url).close()  # creates and migrates
    code = (
        "import sys\n"
        "from zoomaudit.store import Store\n"
        f"Store({url!r}).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_fresh_database_is_still_migrated(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert store._schema_revision() == HEAD_REVISION
        assert store.list_runs() == []
    finally:
        store.close()
