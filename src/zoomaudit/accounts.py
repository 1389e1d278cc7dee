"""The Zoom accounts zoomaudit audits: the accounts file, or the one account ``default``.

Without ``ZOOMAUDIT_ACCOUNTS`` the single-account settings (``ZOOM_ACCOUNT_ID`` ...) are the one
account ``default``, exactly as before. With it, the file defines every account and those
variables are ignored (with a warning when they are set too). The file is YAML::

    accounts:
      - name: riverside                  # [a-z0-9-]+, unique
        account_id: ZaAcct0001
        client_id_env: RIVERSIDE_ZOOM_CLIENT_ID
        client_secret_env: RIVERSIDE_ZOOM_CLIENT_SECRET

It is validated once, at load, with every problem reported at once and located (file:line), as
policy files are. It never holds a secret: a key that names one is refused without showing its
value; credentials come from environment variables named in the file or from a 0600 secrets file
(``zoomaudit.account_settings`` reads them when an account is audited).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from zoomaudit.errors import AccountsError, FileProblem, UsageError
from zoomaudit.located_yaml import LocatedMap, LocatedSeq, line_of, read_located
from zoomaudit.redaction import is_secret_name
from zoomaudit.settings import RatePlan, Settings, parse_lead_times, zoom_address

DEFAULT_ACCOUNT = "default"
"""The name of the one account of the single-account settings (no accounts file)."""
ACCOUNT_PLACEHOLDER = "{account}"
"""What ``--output`` names each account's report with when several accounts are audited."""

_ACCOUNT_NAME = re.compile(r"[a-z0-9-]{1,63}")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_SECRET_KEYS = ("key", "notify_urls", "smtp_url", "credentials")
"""Keys that hold a secret although ``redaction.is_secret_name`` does not say so: apprise and SMTP
URLs carry passwords, and ``*_key``/``credentials`` are what a pasted secret is usually called."""

SINGLE_ACCOUNT_VARIABLES = {
    "zoom_account_id": "ZOOM_ACCOUNT_ID",
    "zoom_client_id": "ZOOM_CLIENT_ID",
    "zoom_client_secret": "ZOOM_CLIENT_SECRET",
    "zoom_api_base_url": "ZOOM_API_BASE_URL",
    "zoom_oauth_token_url": "ZOOM_OAUTH_TOKEN_URL",
    "zoom_webhook_secret_token": "ZOOM_WEBHOOK_SECRET_TOKEN",
}
"""The Settings fields that describe the one Zoom account; the accounts file replaces them."""


def _env_name(value: str) -> str:
    # Never echo the value: a secret pasted where its variable's name belongs is the likely mistake.
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "is not an environment variable name (capital letters, digits and _): it names the "
            "variable that holds the value, never the value itself (not shown here)"
        )
    return value


EnvName = Annotated[str, Field(min_length=1, max_length=200)]


class AccountEntry(BaseModel):
    """One account of the accounts file, as written (relative paths not yet resolved)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    account_id: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    client_id_env: EnvName | None = None
    client_secret_env: EnvName | None = None
    secrets_file: Annotated[str, StringConstraints(min_length=1)] | None = None
    """A YAML file of mode 0600 (or stricter) with ``client_id``, ``client_secret`` and, optionally,
    ``webhook_secret_token``, ``notify_urls`` and ``smtp_url``; relative to the accounts file."""
    webhook_secret_token_env: EnvName | None = None

    api_base_url: str | None = None
    oauth_token_url: str | None = None
    rate_plan: RatePlan | None = None
    rate_share: Annotated[float, Field(gt=0.0, le=1.0)] | None = None

    policies: Annotated[str, StringConstraints(min_length=1)] | None = None
    """A policy folder or file, relative to the accounts file; else ZOOMAUDIT_POLICIES or the pack."""
    group_priority: list[str] | None = None
    schedule: str | None = None
    timezone: str | None = None
    pre_session: str | None = None

    notify_urls_env: EnvName | None = None
    notify_hosts: bool | None = None
    smtp_url_env: EnvName | None = None

    @field_validator("name")
    @classmethod
    def _short_name(cls, value: str) -> str:
        if not _ACCOUNT_NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an account name: use lower-case letters, digits and - (at most 63), "
                "as it names the account in reports, file names and the store"
            )
        return value

    @field_validator(
        "client_id_env", "client_secret_env", "webhook_secret_token_env", "notify_urls_env", "smtp_url_env"
    )
    @classmethod
    def _is_env_name(cls, value: str | None) -> str | None:
        return None if value is None else _env_name(value)

    @field_validator("rate_plan", mode="before")
    @classmethod
    def _lower_plan(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("api_base_url", "oauth_token_url")
    @classmethod
    def _zoom_address(cls, value: str | None) -> str | None:
        return None if value is None else zoom_address(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London)") from None
        return value

    @field_validator("schedule")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        # The fields themselves are checked where the schedule becomes a trigger (``serve``).
        if value is not None and len(value.split()) != 5:
            raise ValueError(
                f"{value!r} is not a cron schedule: give 5 fields (minute hour day month weekday)"
            )
        return value

    @field_validator("pre_session")
    @classmethod
    def _lead_times(cls, value: str | None) -> str | None:
        if value is not None:
            parse_lead_times(value)
        return value

    @field_validator("group_priority", mode="before")
    @classmethod
    def _names(cls, value: object) -> object:
        # Written as a list, or as ZOOMAUDIT_GROUP_PRIORITY is: one comma-separated string.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("group_priority")
    @classmethod
    def _distinct_groups(cls, value: list[str] | None) -> list[str] | None:
        seen: set[str] = set()
        for name in value or []:
            if "," in name:
                raise ValueError(f"the group name {name!r} has a comma; give each group as its own item")
            if name.casefold() in seen:
                raise ValueError(f"names the group {name!r} twice (names are matched without regard to case)")
            seen.add(name.casefold())
        return value

    def credential_sources(self) -> Iterator[tuple[str, str]]:
        """Each credential this account lacks any source for: (what, the keys that could give it)."""
        if self.secrets_file is None:
            if self.client_id_env is None:
                yield "client id", "client_id_env or secrets_file"
            if self.client_secret_env is None:
                yield "client secret", "client_secret_env or secrets_file"


@dataclass(frozen=True)
class Account:
    """One account to audit: an entry of the accounts file, or the single-account settings."""

    name: str
    entry: AccountEntry | None = None
    """None: the account ``default`` of the single-account settings (no accounts file)."""
    file: Path | None = None
    """The accounts file; relative paths in the entry are relative to its folder."""
    line: int | None = None

    @property
    def where(self) -> str:
        """Where the account is defined, for messages."""
        if self.file is None:
            return "the ZOOM_* settings"
        return f"{self.file}:{self.line}" if self.line else str(self.file)

    def path(self, written: str) -> Path:
        """A path as written in the accounts file, relative to the file's folder."""
        path = Path(written).expanduser()
        return path if path.is_absolute() or self.file is None else self.file.parent / path


@dataclass(frozen=True)
class Accounts:
    """Every account of this install, in the order the file gives them."""

    accounts: tuple[Account, ...]
    file: Path | None = None
    warnings: tuple[str, ...] = field(default=())
    """Said once to the person running zoomaudit (the CLI on standard error, serve in its log)."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(account.name for account in self.accounts)

    def named(self, name: str) -> Account:
        for account in self.accounts:
            if account.name == name:
                return account
        if self.file is None:
            raise UsageError(
                f"no account named {name!r}: without an accounts file (ZOOMAUDIT_ACCOUNTS) the one "
                f"account is {DEFAULT_ACCOUNT!r}"
            )
        raise UsageError(f"no account named {name!r} in {self.file}; its accounts: {', '.join(self.names)}")

    def select(self, name: str | None, *, every: bool) -> tuple[Account, ...]:
        """The accounts ``--account NAME`` or ``--all-accounts`` (``every``) choose; neither
        chooses the one account there is, and is refused when there are several."""
        if name is not None and every:
            raise UsageError("give --account NAME or --all-accounts, not both")
        if name is not None:
            return (self.named(name),)
        if every or len(self.accounts) == 1:
            return self.accounts
        raise UsageError(
            f"{self.file} defines {len(self.accounts)} accounts ({', '.join(self.names)}): "
            "give --account NAME or --all-accounts"
        )


def load_accounts(settings: Settings) -> Accounts:
    """The accounts of this install: the file ``ZOOMAUDIT_ACCOUNTS`` names, else ``default``.

    Raises ``AccountsError`` (exit 2) with every problem of the file, each located."""
    if not settings.accounts_file:
        return Accounts((Account(DEFAULT_ACCOUNT),))
    file = Path(settings.accounts_file).expanduser()
    accounts = load_accounts_file(file)
    ignored = [alias for name, alias in SINGLE_ACCOUNT_VARIABLES.items() if _given(settings, name)]
    warnings: tuple[str, ...] = ()
    if ignored:
        warnings = (
            f"ZOOMAUDIT_ACCOUNTS is set, so {', '.join(ignored)} "
            f"{'is' if len(ignored) == 1 else 'are'} ignored: {file} defines every account",
        )
    return Accounts(accounts, file, warnings)


def _given(settings: Settings, name: str) -> bool:
    """Whether a single-account variable holds something of its own (not empty, not the default
    that a copied .env.example spells out)."""
    value = getattr(settings, name)
    shown = value.get_secret_value() if isinstance(value, SecretStr) else value
    return bool(shown) and value != Settings.model_fields[name].default


def load_accounts_file(file: Path) -> tuple[Account, ...]:
    """Every account of one accounts file; ``AccountsError`` with every problem otherwise."""
    label = str(file)
    if not file.is_file():
        raise AccountsError([FileProblem(label, None, "no such accounts file (ZOOMAUDIT_ACCOUNTS)")])
    doc, found = read_located(file)
    problems = [FileProblem(label, line, message) for line, message in found]
    items = _account_items(doc, label, problems)
    accounts: list[Account] = []
    first_at: dict[str, int | None] = {}
    for index, raw in enumerate(items):
        at = items.item_lines[index] if isinstance(items, LocatedSeq) else None
        entry = _validate(raw, index, at, label, problems)
        name = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(name, str):
            name_line = line_of(raw, ("name",))
            if name in first_at:
                problems.append(
                    FileProblem(
                        label,
                        name_line,
                        f"accounts[{index}].name: {name!r} is already the name of the account at line "
                        f"{first_at[name]}; names are unique",
                    )
                )
                continue
            first_at[name] = name_line
        if entry is not None:
            account = Account(entry.name, entry, file, at)
            _check_policies(account, line_of(raw, ("policies",)), problems)
            accounts.append(account)
    if problems:
        raise AccountsError(problems)
    return tuple(accounts)


def _account_items(doc: Any, label: str, problems: list[FileProblem]) -> list[Any]:
    if doc is None and not problems:
        problems.append(
            FileProblem(label, None, "the file is empty: it holds accounts: [a list of accounts]")
        )
    if doc is None:
        return []
    if not isinstance(doc, LocatedMap):
        problems.append(FileProblem(label, getattr(doc, "line", 1), "an accounts file holds accounts: [...]"))
        return []
    for key in doc:
        if key != "accounts":
            problems.append(
                FileProblem(
                    label, doc.key_lines.get(key), f"{_key_text(key)}: unknown key; the file holds accounts:"
                )
            )
    items = doc.get("accounts")
    if not isinstance(items, LocatedSeq) or not items:
        problems.append(
            FileProblem(label, line_of(doc, ("accounts",)), "accounts: give a list of at least one account")
        )
        return []
    return items


def _validate(
    raw: Any, index: int, at: int | None, label: str, problems: list[FileProblem]
) -> AccountEntry | None:
    """One entry, or None after adding its problems. A key that names a secret is refused before
    pydantic sees it, so that no message (pydantic's included) can carry its value."""
    where = f"accounts[{index}]"
    if not isinstance(raw, LocatedMap):
        problems.append(FileProblem(label, at, f"{where}: an account is a mapping of keys"))
        return None
    given = {}
    refused = False
    for key, value in raw.items():
        if _holds_secret(key):
            refused = True
            problems.append(FileProblem(label, raw.key_lines.get(key), _secret_refusal(where, key)))
        else:
            given[key] = value
    try:
        entry = AccountEntry.model_validate(given)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            path = ".".join([where, *(str(p) for p in loc)])
            message = err["msg"].removeprefix("Value error, ")
            problems.append(FileProblem(label, line_of(raw, loc), f"{path}: {message}"))
        return None
    missing = list(entry.credential_sources())
    for what, keys in missing:
        problems.append(
            FileProblem(label, raw.line, f"{where} ({entry.name}): no source for its {what}: give {keys}")
        )
    return None if refused or missing else entry


def _holds_secret(key: object) -> bool:
    if not isinstance(key, str):
        return False
    if key in AccountEntry.model_fields:
        return False
    lowered = key.lower()
    return is_secret_name(lowered) or lowered.endswith(_SECRET_KEYS) or lowered in _SECRET_KEYS


def _secret_refusal(where: str, key: str) -> str:
    return (
        f"{where}.{key}: a secret is never written in the accounts file (its value is not shown); "
        "name the environment variable that holds it (client_secret_env, client_id_env, "
        "webhook_secret_token_env, notify_urls_env, smtp_url_env) or put it in the account's "
        "secrets_file (mode 0600)"
    )


def _key_text(key: object) -> str:
    return "a key that names a secret" if _holds_secret(key) else repr(key)


def _check_policies(account: Account, line: int | None, problems: list[FileProblem]) -> None:
    """A policies path that does not exist is the file's problem, found now, not mid-audit."""
    entry = account.entry
    if entry is None or entry.policies is None:
        return
    path = account.path(entry.policies)
    if not path.exists():
        problems.append(
            FileProblem(
                str(account.file), line, f"account {entry.name}: policies: no such file or folder {path}"
            )
        )


def output_for(template: Path | None, account: str) -> Path | None:
    """``--output`` for one account: ``{account}`` replaced by its name."""
    if template is None:
        return None
    return Path(str(template).replace(ACCOUNT_PLACEHOLDER, account))


def check_output_template(template: Path | None, accounts: tuple[Account, ...]) -> None:
    """With several accounts each needs its own report: ``--output`` must name it by ``{account}``."""
    if len(accounts) > 1 and (template is None or ACCOUNT_PLACEHOLDER not in str(template)):
        raise UsageError(
            f"{len(accounts)} accounts are audited ({', '.join(a.name for a in accounts)}), one report "
            f"each: give --output with {ACCOUNT_PLACEHOLDER} in it, "
            f"e.g. --output reports/{ACCOUNT_PLACEHOLDER}.json"
        )
