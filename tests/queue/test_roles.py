"""`zoomaudit serve --role` and `zoomaudit worker` on SQLite: only the single process is allowed,
with a message saying why and what to do (exit 2), before anything starts."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import ConfigError, UsageError
from zoomaudit.queue.app import load_timings, make_app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda asgi, **kwargs: calls.append(kwargs))
    monkeypatch.setattr("zoomaudit.cli.serve.configure_logging", lambda level, **kwargs: None)
    return calls


@pytest.mark.parametrize(
    "args",
    [["serve", "--role", "web"], ["serve", "--role", "scheduler"], ["serve", "--role", "worker"], ["worker"]],
)
def test_roles_of_several_processes_are_refused_on_sqlite(
    started: list[dict[str, Any]], args: list[str]
) -> None:
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    message = str(result.exception)
    assert "PostgreSQL" in message
    assert "sqlite" in message
    assert "--role all" in message
    assert not started


def test_role_all_is_the_single_process_on_sqlite(started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["serve", "--role", "all"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1


def test_an_unknown_role_is_a_usage_error(started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["serve", "--role", "everything"])
    assert result.exit_code == 2
    assert not started


def test_the_queue_refuses_sqlite_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"ZOOMAUDIT_DATABASE_URL.*sqlite") as caught:
        make_app("sqlite:///zoomaudit.db")
    assert "PostgreSQL" in str(caught.value)


def test_the_queue_never_shows_the_database_password() -> None:
    with pytest.raises(ConfigError) as caught:
        make_app("mysql://auditor:hunter2@db.example/zoomaudit")
    assert "hunter2" not in str(caught.value)


def test_a_stalled_timeout_shorter_than_two_heartbeats_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_WORKER_HEARTBEAT_SECONDS", "10")
    monkeypatch.setenv("ZOOMAUDIT_WORKER_STALLED_SECONDS", "15")
    with pytest.raises(ConfigError, match="ZOOMAUDIT_WORKER_STALLED_SECONDS"):
        load_timings()


def test_a_bad_timing_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_WORKER_POLL_SECONDS", "-1")
    with pytest.raises(ConfigError, match="ZOOMAUDIT_WORKER_POLL_SECONDS"):
        load_timings()
