"""A database written by a newer zoomaudit is a clear error (exit 2), never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import EXIT_USAGE, StoreError
from zoomaudit.store import Store


def _newer(tmp_path: Path) -> str:
    path = tmp_path / "newer.db"
    Store(f"sqlite:///{path}").close()  # creates and migrates
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    return f"sqlite:///{path}"


def test_a_database_of_a_newer_zoomaudit_is_a_store_error_naming_it(tmp_path: Path) -> None:
    url = _newer(tmp_path)
    with pytest.raises(StoreError) as raised:
        Store(url)
    message = str(raised.value)
    assert "newer.db" in message
    assert "9999" in message
    assert "newer zoomaudit" in message
    assert raised.value.exit_code == EXIT_USAGE


def test_the_cli_reports_it_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_DATABASE_URL", _newer(tmp_path))
    result = CliRunner().invoke(app, ["history"])
    assert isinstance(result.exception, StoreError), result.output
    assert result.exception.exit_code == EXIT_USAGE
