"""The schema: created by the packaged migrations, in step with the models, portable."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from zoomaudit.errors import StoreError
from zoomaudit.store import Store
from zoomaudit.store.migrate import alembic_config, current_revision, head_revision
from zoomaudit.store.models import Base

from .conftest import sqlite_only

TABLES = {
    "runs",
    "findings",
    "run_errors",
    "fix_plans",
    "fix_events",
    "waivers",
    "meeting_update_quota",
    "admins",
}


def test_opening_an_empty_database_migrates_it_to_head(db_url: str) -> None:
    with Store(db_url) as store:
        assert current_revision(store._engine) == head_revision()
    engine = create_engine(db_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_the_migrations_create_exactly_what_the_models_declare(db_url: str) -> None:
    Store(db_url).close()
    engine = create_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_the_revisions_form_one_line_ending_at_the_head() -> None:
    script = alembic_config()
    from alembic.script import ScriptDirectory

    from zoomaudit.store.models import HEAD_REVISION

    directory = ScriptDirectory.from_config(script)
    revisions = list(directory.walk_revisions())  # newest first
    assert [r.revision for r in revisions] == [f"{n:04d}" for n in range(10, 0, -1)]
    assert revisions[-1].down_revision is None
    assert directory.get_current_head() == HEAD_REVISION


def test_a_database_at_the_first_revision_is_brought_up_to_claims(tmp_path: Any) -> None:
    """An install from before fix claims keeps its plans and gains the claim columns."""
    from alembic import command
    from sqlalchemy import create_engine, inspect

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    with Store(url):
        pass
    columns = {c["name"] for c in inspect(create_engine(url)).get_columns("fix_plans")}
    assert {"claimed_by", "heartbeat_at"} <= columns


def test_revision_0010_drops_the_meeting_index_and_keeps_the_findings(tmp_path: Any) -> None:
    """Findings by meeting are read by subject (``runs.meeting_subject``) once their
    (run, meeting) index is gone; a downgrade brings the index back."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import create_engine, inspect

    from tests.store.conftest import finding

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    engine.dispose()

    def indexes() -> set[str]:
        inspected = create_engine(url)
        try:
            return {i["name"] or "" for i in inspect(inspected).get_indexes("findings")}
        finally:
            inspected.dispose()

    assert "ix_findings_run_id_meeting_id" in indexes()
    with Store(url) as store:
        run = store.start_run("manual", "account", {}, "h", datetime.now(UTC))
        store.add_batch(run, [finding("violation", meeting_id=81234567001), finding("pass")], [])
        assert [f.meeting_id for f in store.findings(run, meeting_id=81234567001)] == [81234567001]
    assert "ix_findings_run_id_meeting_id" not in indexes()
    assert {"ix_findings_run_id_subject", "ix_findings_run_id_status"} <= indexes()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    engine.dispose()
    assert "ix_findings_run_id_meeting_id" in indexes()


def test_reopening_a_migrated_database_keeps_its_data(db_url: str) -> None:
    from datetime import UTC, datetime

    with Store(db_url) as store:
        run_id = store.start_run("manual", "account", {}, "h", datetime.now(UTC))
    with Store(db_url) as store:
        assert store.get_run(run_id).status == "running"


def test_two_processes_opening_a_fresh_database_at_once_both_succeed(db_url: str) -> None:
    failures: list[BaseException] = []

    def open_store() -> None:
        try:
            Store(db_url).close()
        except BaseException as exc:  # collected and asserted on below
            failures.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_the_migration_renders_for_postgresql_without_sqlite_only_sql() -> None:
    buffer = io.StringIO()
    config = alembic_config()
    config.output_buffer = buffer
    config.set_main_option("sqlalchemy.url", "postgresql://zoomaudit@db.invalid/zoomaudit")
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    for table in TABLES:
        assert f"CREATE TABLE {table} " in sql
    assert "meeting_id BIGINT" in sql
    assert "TIMESTAMP WITH TIME ZONE" in sql
    assert "sqlite" not in sql.lower()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(store: Store) -> None:
    sqlite_only(store.url)
    with store.session() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000


def test_a_bad_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match=r"invalid database URL .*ZOOMAUDIT_DATABASE_URL"):
        Store("not a url at all")


def test_an_unopenable_database_is_a_store_error_naming_it() -> None:
    url = "sqlite:////nonexistent-dir/zoomaudit-test/x.db"
    with pytest.raises(StoreError, match="unable to open database file") as caught:
        Store(url)
    assert url in str(caught.value)
    assert "directory" in str(caught.value)


def test_an_unknown_kind_of_database_is_a_store_error_naming_the_url() -> None:
    with pytest.raises(StoreError, match="bogus://x") as caught:
        Store("bogus://x")
    assert "ZOOMAUDIT_DATABASE_URL" in str(caught.value)


def test_a_missing_driver_is_a_store_error_with_the_password_masked() -> None:
    pytest.importorskip("sqlalchemy.dialects.mysql")
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the MySQL driver is installed here")
    with pytest.raises(StoreError, match="driver") as caught:
        Store("mysql://admin:hunter2@db.invalid/zoomaudit")
    assert "hunter2" not in str(caught.value)
    assert "admin:***@db.invalid" in str(caught.value)


@pytest.mark.parametrize("migrate", [True, False])
def test_a_file_that_is_not_sqlite_is_a_store_error_naming_it(tmp_path: Path, migrate: bool) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    url = f"sqlite:///{path}"
    not_sqlite = pytest.raises(StoreError, match="file is not a database")
    with not_sqlite as caught, Store(url, migrate=migrate) as store:
        store.list_runs()
    assert url in str(caught.value)


def test_an_unparseable_url_keeps_its_password_out_of_the_message() -> None:
    with pytest.raises(StoreError) as caught:
        Store("postgresql://admin:s3cr@t@db.invalid:port/zoomaudit")
    assert "s3cr" not in str(caught.value)
    assert "t@db" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("bogus://x", "bogus://x"),
        ("sqlite:////nonexistent-dir/zoomaudit-test/x.db", "unable to open database file"),
        ("notes", "file is not a database"),
    ],
)
def test_bad_database_urls_exit_2_without_a_traceback(tmp_path: Path, url: str, words: str) -> None:
    if url == "notes":
        (tmp_path / "notes.db").write_bytes(b"not sqlite at all\n" * 200)
        url = f"sqlite:///{tmp_path / 'notes.db'}"
    out = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "history"],
        capture_output=True,
        text=True,
        env={**os.environ, "ZOOMAUDIT_DATABASE_URL": url},
    )
    assert out.returncode == 2, out.stderr
    assert words in out.stderr
    assert "Traceback" not in out.stderr
