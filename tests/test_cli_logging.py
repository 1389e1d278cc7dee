"""ZOOMAUDIT_LOG_LEVEL: checked when the settings are read, and how the CLI sets up logging."""

from __future__ import annotations

import logging
from collections.abc import Iterator

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


@pytest.fixture
def chatty_levels() -> Iterator[None]:
    """Put the library loggers' levels back after a test that sets them."""
    from zoomaudit.cli.serve import CHATTY_LOGGERS

    saved = {name: logging.getLogger(name).level for name in CHATTY_LOGGERS}
    root = logging.getLogger()
    root_level, root_handlers = root.level, list(root.handlers)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)
    root.setLevel(root_level)
    root.handlers[:] = root_handlers


@pytest.mark.usefixtures("chatty_levels")
@pytest.mark.parametrize("level", ["INFO", "WARNING"])
def test_request_and_migration_loggers_are_quiet_above_debug(level: str) -> None:
    from zoomaudit.cli.serve import configure_logging

    configure_logging(level)
    for name in ("httpx2", "httpcore2", "alembic"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
    assert not logging.getLogger("httpx2").isEnabledFor(logging.INFO)
    assert not logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)


@pytest.mark.usefixtures("chatty_levels")
def test_debug_shows_the_request_loggers() -> None:
    from zoomaudit.cli.serve import configure_logging

    logging.getLogger().setLevel(logging.DEBUG)
    configure_logging("DEBUG")
    for name in ("httpx2", "httpcore2", "alembic"):
        assert logging.getLogger(name).level == logging.NOTSET
    assert logging.getLogger("httpx2").isEnabledFor(logging.DEBUG)
