"""ZOOMAUDIT_LOG_LEVEL: checked when the settings are read, and how the CLI sets up logging."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import ConfigError
from zoomaudit.settings import load_settings


@pytest.mark.parametrize(
    ("given", "stored"), [("debug", "DEBUG"), ("Warning", "WARNING"), ("ERROR", "ERROR")]
)
def test_log_levels_are_accepted_in_any_case(
    monkeypatch: pytest.MonkeyPatch, given: str, stored: str
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_LOG_LEVEL", given)
    assert load_settings().log_level == stored


def test_an_unknown_log_level_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_LOG_LEVEL", "LOUD")
    with pytest.raises(ConfigError, match="ZOOMAUDIT_LOG_LEVEL") as caught:
        load_settings()
    assert "LOUD" in str(caught.value)


def test_serve_with_an_unknown_log_level_stops_before_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_LOG_LEVEL", "LOUD")
    result = CliRunner().invoke(app, ["serve"])
    assert isinstance(result.exception, ConfigError)
    assert result.exception.exit_code == 2
