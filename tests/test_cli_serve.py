"""`zoomaudit serve`: a bad schedule or time zone, or plain HTTP on a public interface, stops it
before uvicorn starts."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import ConfigError, UsageError

EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - the bind these tests refuse or allow (uvicorn.run is faked)


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


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zoomaudit.cli.serve.configure_logging", lambda level, **kwargs: None)


@pytest.mark.parametrize("host", [EVERY_INTERFACE, "::", "192.0.2.10", "console.example.org"])
def test_plain_http_on_a_public_interface_is_refused_with_the_ways_out(
    started: list[dict[str, Any]], quiet: None, host: str
) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", host])
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    message = str(result.exception)
    assert "in clear" in message
    for way_out in ("reverse proxy", "--ssl-certfile", "--insecure-http"):
        assert way_out in message
    assert not started


def test_insecure_http_allows_it_with_a_warning(
    started: list[dict[str, Any]], quiet: None, caplog: pytest.LogCaptureFixture
) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", EVERY_INTERFACE, "--insecure-http"])
    assert result.exit_code == 0, result.output
    assert started[0]["host"] == EVERY_INTERFACE
    assert any("in clear" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_needs_no_tls(started: list[dict[str, Any]], quiet: None, host: str) -> None:
    assert CliRunner().invoke(app, ["serve", "--host", host]).exit_code == 0
    assert started[0]["host"] == host


def test_tls_options_reach_uvicorn_and_allow_a_public_interface(
    started: list[dict[str, Any]], quiet: None
) -> None:
    args = ["serve", "--host", EVERY_INTERFACE, "--ssl-certfile", "c.pem", "--ssl-keyfile", "k.pem"]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert (started[0]["ssl_certfile"], started[0]["ssl_keyfile"]) == ("c.pem", "k.pem")
    half = CliRunner().invoke(app, ["serve", "--host", EVERY_INTERFACE, "--ssl-certfile", "c.pem"])
    assert isinstance(half.exception, UsageError)
    assert half.exception.exit_code == 2
    assert "--ssl-keyfile" in str(half.exception)


def test_forwarded_headers_are_believed_only_from_the_trusted_proxies(
    monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]], quiet: None
) -> None:
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert started[0]["forwarded_allow_ips"] == []
    assert started[0]["proxy_headers"] is True
    monkeypatch.setenv("ZOOMAUDIT_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert started[1]["forwarded_allow_ips"] == ["127.0.0.1/32", "10.0.0.0/8"]
