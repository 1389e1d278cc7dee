"""One account's Settings: credentials from the variables it names or its 0600 secrets file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zoomaudit.account_settings import account_settings
from zoomaudit.accounts import Account, load_accounts
from zoomaudit.errors import ConfigError
from zoomaudit.settings import RATE_LIMITS, Settings, load_settings

SECRET = "s3cr3t-Value-NEVER-shown-42"

FILE = """\
accounts:
  - name: riverside
    account_id: ZaAcct0001
    client_id_env: RIVERSIDE_ID
    client_secret_env: RIVERSIDE_SECRET
    rate_plan: pro
    policies: policies
    timezone: Europe/London
    group_priority: [Staff, Volunteers]
  - name: hillside
    account_id: ZaAcct0002
    secrets_file: hillside.secrets.yaml
    api_base_url: http://127.0.0.1:9/v2
    oauth_token_url: http://127.0.0.1:9/oauth/token
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "policies").mkdir()
    (tmp_path / "accounts.yaml").write_text(FILE, encoding="utf-8")
    return tmp_path


def secrets_file(folder: Path, text: str, mode: int = 0o600) -> Path:
    path = folder / "hillside.secrets.yaml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def accounts(folder: Path, **env: str) -> tuple[Settings, dict[str, Account]]:
    base = load_settings(ZOOMAUDIT_ACCOUNTS=str(folder / "accounts.yaml"), **env)
    return base, {a.name: a for a in load_accounts(base).accounts}


def test_an_account_takes_the_variables_it_names_and_its_own_keys(folder: Path) -> None:
    base, named = accounts(folder, ZOOMAUDIT_RATE_SHARE="0.25", ZOOM_API_BASE_URL="http://127.0.0.1:1/v2")
    assert base.rate_budget == {c: r * 0.25 for c, r in RATE_LIMITS["business"].items()}  # cached on base
    settings = account_settings(named["riverside"], base, {"RIVERSIDE_ID": "rid", "RIVERSIDE_SECRET": SECRET})
    assert settings.zoom_account_id == "ZaAcct0001"
    assert settings.zoom_client_id == "rid"
    assert settings.zoom_client_secret.get_secret_value() == SECRET
    # Its own plan with the install's share: the budget is the account's, not the one base cached.
    assert settings.rate_budget == {c: r * 0.25 for c, r in RATE_LIMITS["pro"].items()}
    # ZOOM_API_BASE_URL is the single account's: an account without its own has Zoom's.
    assert settings.zoom_api_base_url == "https://api.zoom.us/v2"
    assert settings.policies_dir == str(folder / "policies")
    assert settings.timezone == "Europe/London"
    assert settings.group_priority_names == ("Staff", "Volunteers")
    assert settings.database_url == base.database_url
    assert SECRET not in repr(settings)


def test_the_account_default_is_the_single_account_settings_unchanged() -> None:
    base = load_settings(ZOOM_ACCOUNT_ID="acct", ZOOM_CLIENT_ID="id", ZOOM_CLIENT_SECRET=SECRET)
    [account] = load_accounts(base).accounts
    assert account_settings(account, base, {}) is base


def test_a_variable_that_is_not_set_is_named_with_its_account(folder: Path) -> None:
    base, named = accounts(folder)
    with pytest.raises(ConfigError) as caught:
        account_settings(named["riverside"], base, {"RIVERSIDE_ID": "rid"})
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"account riverside ({folder / 'accounts.yaml'}:2): the environment variable RIVERSIDE_SECRET "
        "(client_secret_env, its client secret) is not set"
    )


def test_the_variables_may_be_in_dot_env(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    (folder / ".env").write_text(f"RIVERSIDE_ID=rid\nRIVERSIDE_SECRET={SECRET}\n", encoding="utf-8")
    base, named = accounts(folder)
    assert account_settings(named["riverside"], base).zoom_client_secret.get_secret_value() == SECRET


def test_a_secrets_file_of_mode_0600_gives_the_credentials(folder: Path) -> None:
    secrets_file(folder, f"client_id: hid\nclient_secret: '{SECRET}'\nnotify_urls: json://127.0.0.1/\n")
    base, named = accounts(folder)
    settings = account_settings(named["hillside"], base, {})
    assert (settings.zoom_client_id, settings.zoom_client_secret.get_secret_value()) == ("hid", SECRET)
    assert settings.notify_urls.get_secret_value() == "json://127.0.0.1/"
    assert settings.zoom_api_base_url == "http://127.0.0.1:9/v2"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_secrets_file_others_can_read_is_refused(folder: Path, mode: int) -> None:
    path = secrets_file(folder, f"client_id: hid\nclient_secret: {SECRET}\n", mode)
    base, named = accounts(folder)
    with pytest.raises(ConfigError) as caught:
        account_settings(named["hillside"], base, {})
    text = str(caught.value)
    assert text == (
        f"account hillside ({folder / 'accounts.yaml'}:10): its secrets_file {path} can be read or changed "
        f"by others (mode {oct(mode)}): it must be 0600 or stricter; run: chmod 600 {path}"
    )
    assert SECRET not in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"client_id: hid\nclient_secret: x\npassword: {SECRET}\n", ":3: unknown key (not shown)"),
        (
            "client_id: hid\nclient_secret: 123456789\n",
            ":2: client_secret: give the value as a non-empty string",
        ),
        (f"- {SECRET}\n", "a secrets file is a mapping"),
        (f"client_secret: {SECRET}\n", "its client id is in neither client_id_env nor its secrets_file"),
    ],
)
def test_a_bad_secrets_file_says_where_without_showing_a_value(folder: Path, text: str, message: str) -> None:
    secrets_file(folder, text)
    base, named = accounts(folder)
    with pytest.raises(ConfigError) as caught:
        account_settings(named["hillside"], base, {})
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)
    assert "123456789" not in str(caught.value)


def test_a_credential_given_twice_is_refused(folder: Path) -> None:
    (folder / "accounts.yaml").write_text(FILE + "    client_secret_env: HILLSIDE_SECRET\n", encoding="utf-8")
    secrets_file(folder, f"client_id: hid\nclient_secret: {SECRET}\n")
    base, named = accounts(folder)
    with pytest.raises(
        ConfigError, match="its client secret is given twice, by client_secret_env and by its"
    ):
        account_settings(named["hillside"], base, {"HILLSIDE_SECRET": "other"})
