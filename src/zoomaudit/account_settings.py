"""One account's Settings: the install's settings with that account's Zoom app, budget and targets.

An account of the accounts file takes its credentials from the environment variables it names
(read from the environment, then ``.env``, as every setting is) or from its secrets file, a YAML
mapping of mode 0600 or stricter::

    client_id: xxxxxxxxxxxxxxxxxxxxxx
    client_secret: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
    webhook_secret_token: xxxxxxxxxxxxxxxxxxxxxx   # optional
    notify_urls: mailtos://user:password@example.org?to=lead@example.org   # optional
    smtp_url: mailtos://user:password@example.org   # optional

Its other keys default to the install's ``ZOOMAUDIT_*`` settings (the rate plan and share, the
policies folder, schedule, time zone, notification targets), except the Zoom app's addresses,
which default to Zoom's (the ``ZOOM_*`` variables describe the single account and are ignored)
and the group priority, which names one account's groups. Credentials are read when the account
is audited, so a missing one stops that account only; no message shows a secret's value.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from zoomaudit.accounts import Account, AccountEntry, Accounts, load_accounts
from zoomaudit.errors import ConfigError
from zoomaudit.located_yaml import LocatedMap, read_located
from zoomaudit.settings import Settings

SECRETS_FILE_KEYS = ("client_id", "client_secret", "webhook_secret_token", "notify_urls", "smtp_url")
"""What a secrets file may hold; each is a string."""

_SECRETS = {
    # setting field: (what it is called in messages, the entry's *_env key, the secrets file key)
    "zoom_client_id": ("client id", "client_id_env", "client_id"),
    "zoom_client_secret": ("client secret", "client_secret_env", "client_secret"),
    "zoom_webhook_secret_token": ("webhook secret token", "webhook_secret_token_env", "webhook_secret_token"),
    "notify_urls": ("notification URLs", "notify_urls_env", "notify_urls"),
    "smtp_url": ("SMTP URL", "smtp_url_env", "smtp_url"),
}
_REQUIRED = ("zoom_client_id", "zoom_client_secret")


def credential_environment() -> dict[str, str]:
    """The variables credentials may be named from: ``.env`` in the working directory, overridden
    by the process environment (the same precedence as every other setting)."""
    from dotenv import dotenv_values

    values = (
        {k: v for k, v in dotenv_values(".env").items() if v is not None} if Path(".env").is_file() else {}
    )
    return {**values, **os.environ}


def account_settings(account: Account, base: Settings, environ: Mapping[str, str] | None = None) -> Settings:
    """The Settings that audit ``account``, used as the single-account Settings are.

    The account ``default`` (no accounts file) is ``base`` itself, unchanged. Raises ConfigError
    (exit 2) naming the account and the variable or file when a credential cannot be read."""
    entry = account.entry
    if entry is None:
        return base
    environ = credential_environment() if environ is None else environ
    from_file = _read_secrets_file(account, entry) if entry.secrets_file is not None else {}
    updates: dict[str, Any] = {
        "zoom_account_id": entry.account_id,
        "zoom_api_base_url": entry.api_base_url or _default("zoom_api_base_url"),
        "zoom_oauth_token_url": entry.oauth_token_url or _default("zoom_oauth_token_url"),
        "group_priority": ", ".join(entry.group_priority or ()),
    }
    for setting, (what, env_key, file_key) in _SECRETS.items():
        value = _secret(account, what, getattr(entry, env_key), env_key, from_file.get(file_key), environ)
        if value is not None:
            updates[setting] = SecretStr(value) if setting != "zoom_client_id" else value
        elif setting in _REQUIRED:
            raise ConfigError(
                f"account {account.name} ({account.where}): its {what} is in neither {env_key} nor "
                f"its secrets_file ({account.path(entry.secrets_file or '')})"
            )
        elif setting == "zoom_webhook_secret_token":
            updates[setting] = SecretStr("")  # ZOOM_WEBHOOK_SECRET_TOKEN is the single account's
    optional = {
        "rate_plan": entry.rate_plan,
        "rate_share": entry.rate_share,
        "policies_dir": str(account.path(entry.policies)) if entry.policies else None,
        "schedule": entry.schedule,
        "timezone": entry.timezone,
        "pre_session": entry.pre_session,
        "notify_hosts": entry.notify_hosts,
    }
    updates.update({name: value for name, value in optional.items() if value is not None})
    # Validated again as a whole (not model_copy): Settings caches what it derives, such as the
    # rate budget, and a copy would keep the install's.
    try:
        return Settings.model_validate({**base.model_dump(), **updates})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"account {account.name} ({account.where}): {problems}") from None


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


def _secret(
    account: Account,
    what: str,
    variable: str | None,
    env_key: str,
    in_file: str | None,
    environ: Mapping[str, str],
) -> str | None:
    """One credential from its one source; both sources, or a named variable that is not set,
    is a ConfigError naming the variable (never its value)."""
    if variable is not None and in_file is not None:
        raise ConfigError(
            f"account {account.name} ({account.where}): its {what} is given twice, by {env_key} and "
            "by its secrets_file; keep one"
        )
    if variable is None:
        return in_file
    value = environ.get(variable, "")
    if not value:
        raise ConfigError(
            f"account {account.name} ({account.where}): the environment variable {variable} "
            f"({env_key}, its {what}) is not set"
        )
    return value


def _read_secrets_file(account: Account, entry: AccountEntry) -> dict[str, str]:
    """The secrets file's values; refused unless only its owner can read it."""
    assert entry.secrets_file is not None
    path = account.path(entry.secrets_file)
    owner = f"account {account.name} ({account.where})"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"{owner}: cannot read its secrets_file {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{owner}: its secrets_file {path} is not a file")
    if mode & 0o077:
        raise ConfigError(
            f"{owner}: its secrets_file {path} can be read or changed by others (mode "
            f"{oct(mode & 0o777)}): it must be 0600 or stricter; run: chmod 600 {path}"
        )
    doc, found = read_located(path)
    problems = [f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in found]
    values: dict[str, str] = {}
    if doc is None and not found:
        problems.append(f"{path}: the file is empty; it holds client_id: and client_secret:")
    elif doc is not None and not isinstance(doc, LocatedMap):
        problems.append(f"{path}: a secrets file is a mapping (client_id: ..., client_secret: ...)")
    elif isinstance(doc, LocatedMap):
        for key, value in doc.items():
            line = doc.key_lines.get(key)
            if key not in SECRETS_FILE_KEYS:
                known = ", ".join(SECRETS_FILE_KEYS)
                problems.append(f"{path}:{line}: unknown key (not shown); a secrets file holds {known}")
            elif not isinstance(value, str) or not value:
                # Its value is not shown: YAML may have read a secret as a number.
                problems.append(f"{path}:{line}: {key}: give the value as a non-empty string (quote it)")
            else:
                values[key] = value
    if problems:
        raise ConfigError(f"{owner}: its secrets_file cannot be used:\n  " + "\n  ".join(problems))
    return values


class UnknownAccount(ConfigError):
    """A job or a webhook names an account this install does not have (exit 2, never retried:
    running it again cannot make the account appear)."""


class AccountBook:
    """Every account of the install and its Settings, each resolved on first use and kept.

    What a long-running process (a worker, ``serve``) holds: ``settings_for(name)`` gives the
    account's Settings (its credentials, rate plan, policies, schedule...), built once by
    ``account_settings``; a missing credential is that account's ConfigError only."""

    def __init__(self, accounts: Accounts, base: Settings, environ: Mapping[str, str] | None = None) -> None:
        self.accounts = accounts
        self.base = base
        self._environ = environ
        self._settings: dict[str, Settings] = {}

    @classmethod
    def of(cls, base: Settings, environ: Mapping[str, str] | None = None) -> AccountBook:
        """The install's accounts: the accounts file when ``ZOOMAUDIT_ACCOUNTS`` is set, else the
        one account ``default`` of ``base``. Raises AccountsError (exit 2) for a bad file."""
        return cls(load_accounts(base), base, environ)

    @property
    def names(self) -> tuple[str, ...]:
        return self.accounts.names

    @property
    def from_file(self) -> bool:
        """Whether the accounts file defines the accounts (else the one account ``default``)."""
        return self.accounts.file is not None

    def settings_for(self, name: str) -> Settings:
        """The Settings of the account ``name``; UnknownAccount when there is none of that name."""
        if name not in self._settings:
            if name not in self.accounts.names:
                known = ", ".join(self.accounts.names)
                where = str(self.accounts.file or "the ZOOM_* settings (no accounts file)")
                raise UnknownAccount(f"no account named {name!r} in {where}; its accounts: {known}")
            account = self.accounts.named(name)
            environ = credential_environment() if self._environ is None else self._environ
            self._settings[name] = account_settings(account, self.base, environ)
        return self._settings[name]

    def named_by_zoom(self, account_id: str) -> str | None:
        """The name of the account whose Zoom account id is ``account_id``, or None."""
        for account in self.accounts.accounts:
            zoom_id = account.entry.account_id if account.entry else self.base.zoom_account_id
            if zoom_id == account_id:
                return account.name
        return None

    def every_settings(self) -> dict[str, Settings]:
        """Every account's Settings, by name, in the file's order (ConfigError for the first
        account whose credentials cannot be read)."""
        return {name: self.settings_for(name) for name in self.names}
