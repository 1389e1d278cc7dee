"""Zoom's addresses: https://, or plain http:// only to this machine (the sandbox)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import EXIT_USAGE, ConfigError
from zoomaudit.settings import is_loopback, load_settings


@pytest.mark.parametrize(
    "variable",
    ["ZOOM_API_BASE_URL", "ZOOM_OAUTH_TOKEN_URL", "ZOOMAUDIT_ZOOM_AUTHORIZE_URL", "ZOOMAUDIT_OIDC_ISSUER"],
)
@pytest.mark.parametrize(
    "url",
    ["http://zoom.example.org/v2", "http://10.0.0.5:8765/x", "http://[2001:db8::1]/v2", "ftp://zoom.us/x"],
)
def test_plain_http_to_another_machine_is_refused(variable: str, url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(**{variable: url})
    assert variable in str(raised.value)
    assert raised.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    "url",
    [
        "https://api.zoom.us/v2/",
        "http://127.0.0.1:8765/v2",
        "http://127.9.9.9/v2",
        "http://[::1]:8765/v2",
        "http://localhost:8765/v2",
        "http://LOCALHOST./v2",
    ],
)
def test_https_and_loopback_http_are_allowed(url: str) -> None:
    settings = load_settings(ZOOM_API_BASE_URL=url, ZOOM_OAUTH_TOKEN_URL=url)
    assert settings.zoom_api_base_url == url.rstrip("/")


def test_loopback_means_this_machine_only() -> None:
    assert not is_loopback("127.0.0.1.example.org")
    assert not is_loopback("localhost.example.org")
    assert not is_loopback(None)


def test_the_cli_refuses_it_with_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", "http://zoom.example.org/oauth/token")
    result = CliRunner().invoke(app, ["audit", "--quiet"])
    assert isinstance(result.exception, ConfigError), result.output
    assert "unencrypted" in str(result.exception)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        (
            {"ZOOMAUDIT_OIDC_ISSUER": "https://login.example.org"},
            "ZOOMAUDIT_OIDC_CLIENT_ID, ZOOMAUDIT_OIDC_CLIENT_SECRET",
        ),
        ({"ZOOMAUDIT_OIDC_CLIENT_ID": "c", "ZOOMAUDIT_OIDC_CLIENT_SECRET": "s"}, "ZOOMAUDIT_OIDC_ISSUER"),
        ({"ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_ID": "c"}, "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_SECRET"),
    ],
)
def test_a_half_configured_sign_in_method_is_named(given: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(**given)
    assert f"set {missing} too" in str(raised.value)
    assert raised.value.exit_code == EXIT_USAGE
