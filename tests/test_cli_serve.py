"""`zoomaudit serve`: a bad schedule or time zone stops it before uvicorn starts."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import ConfigError


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda asgi, **kwargs: calls.append(kwargs))
    return calls


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ZOOMAUDIT_SCHEDULE", "every night"),
        ("ZOOMAUDIT_SCHEDULE", "0 25 * * *"),
        ("ZOOMAUDIT_TIMEZONE", "Mars/Olympus"),
    ],
)
def test_bad_schedule_is_a_configuration_error_before_start(
    monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(app, ["serve"])
    assert isinstance(result.exception, ConfigError), result.output
    assert result.exception.exit_code == 2
    assert variable in str(result.exception)
    assert not started


def test_a_valid_schedule_starts_uvicorn(
    monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_SCHEDULE", "30 1 * * 1-5")
    monkeypatch.setenv("ZOOMAUDIT_TIMEZONE", "Europe/London")
    monkeypatch.setattr("zoomaudit.cli.serve.configure_logging", lambda level, **kwargs: None)
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert started[0]["port"] == 8123
