"""Shared fixtures. Tests never reach the network: Zoom is respx (on httpx2: tests/__init__.py) or the
in-package sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import REQUIRED, PostgresServer, PostgresUnavailable

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC_PATH = SHARED / "zoom-api" / "ZoomMeetingAPISpec.json"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or environment, or writes outside its tmp dir."""
    import os

    for key in list(os.environ):
        if key.startswith(("ZOOM_", "ZOOMAUDIT_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZOOMAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'test.db'}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session (tests/postgres_server.py), started on first use."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        if REQUIRED:
            pytest.fail(f"PostgreSQL is required (ZOOMAUDIT_TEST_POSTGRES=require): {exc}")
        pytest.skip(f"PostgreSQL is not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


# Read at import: the autouse fixture above clears ZOOMAUDIT_* before each test.
POSTGRES_URL = os.environ.get("ZOOMAUDIT_TEST_POSTGRES_URL", "")


def _empty_postgres(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on SQLite and on PostgreSQL (each test that takes it runs twice):
    the session's server (``postgres``), or the scratch database ``ZOOMAUDIT_TEST_POSTGRES_URL``
    names (its public schema dropped first)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    if POSTGRES_URL:
        return _empty_postgres(POSTGRES_URL)
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.url()
