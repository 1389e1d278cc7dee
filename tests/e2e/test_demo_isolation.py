"""The demo never touches a real install (issue 16): it keeps its own temporary database and key,
and no notification channel, whatever ZOOMAUDIT_* variables are already set."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from zoomaudit.store import Store

SANDBOX_ENV = {"ZOOM_API_BASE_URL": "http://127.0.0.1:1/v2", "ZOOM_ACCOUNT_ID": "demo"}


def test_the_demo_environment_replaces_the_database_key_and_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zoomaudit.cli.demo import demo_environment

    monkeypatch.setenv("ZOOMAUDIT_DATABASE_URL", "sqlite:////var/lib/zoomaudit/zoomaudit.db")
    monkeypatch.setenv("ZOOMAUDIT_NOTIFY_URLS", "mailtos://lead:pw@mail.example.org")
    monkeypatch.setenv("ZOOMAUDIT_SMTP_URL", "mailtos://bot:pw@mail.example.org")
    monkeypatch.setenv("ZOOMAUDIT_KEY_FILE", "/var/lib/zoomaudit/zoomaudit.db.key")
    env = demo_environment(SANDBOX_ENV, tmp_path)
    assert env["ZOOMAUDIT_DATABASE_URL"] == f"sqlite:///{tmp_path / 'demo.db'}"
    assert env["ZOOMAUDIT_KEY_FILE"] == str(tmp_path / "demo.key")
    assert env["ZOOMAUDIT_SECRET_KEY"] == ""
    assert env["ZOOMAUDIT_NOTIFY_URLS"] == ""
    assert env["ZOOMAUDIT_SMTP_URL"] == ""
    assert env["ZOOM_API_BASE_URL"] == SANDBOX_ENV["ZOOM_API_BASE_URL"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_demo_leaves_an_existing_database_untouched(tmp_path: Path) -> None:
    install = tmp_path / "install"
    install.mkdir()
    url = f"sqlite:///{install / 'zoomaudit.db'}"
    with Store(url) as store:
        started = datetime.now(UTC) - timedelta(days=1)
        run_id = store.start_run("scheduled", "account", {}, "hash-1", started)
        store.finish_run(run_id, complete=True, finished_at=started + timedelta(minutes=1), counts={})
    before = _digest(install)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
    env.update(
        ZOOMAUDIT_DATABASE_URL=url,
        ZOOMAUDIT_NOTIFY_URLS="json://127.0.0.1:9/never",
        ZOOMAUDIT_SMTP_URL="mailto://bot:pw@127.0.0.1:9",
        TMPDIR=str(scratch),
        COLUMNS="400",  # long tmp paths on one line
    )
    done = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert _digest(install) == before  # no demo run, fix or key written beside the real database
    stored = re.search(r"results stored in (\S+)", done.stdout)
    assert stored
    assert stored.group(1).startswith(f"sqlite:///{scratch}")
    assert "temporary database" in done.stdout
    with Store(url) as store:
        assert [r.id for r in store.list_runs()] == [run_id]
