"""zoomaudit's configuration, read from the environment and from ``.env``.

Every variable is listed with a comment in ``.env.example`` and in docs/configuration.md.
Secrets are ``SecretStr`` so that printing a Settings object never shows them.
"""

from __future__ import annotations

import ipaddress
from functools import cached_property
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zoomaudit.errors import ConfigError
from zoomaudit.redaction import MASK

RatePlan = Literal["pro", "business", "enterprise"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Per-second budgets per rate-limit category (reference.md §3.2). Enterprise is a Business+ plan.
RATE_LIMITS: dict[str, dict[str, float]] = {
    "pro": {"light": 30.0, "medium": 20.0, "heavy": 10.0},
    "business": {"light": 80.0, "medium": 60.0, "heavy": 40.0},
    "enterprise": {"light": 80.0, "medium": 60.0, "heavy": 40.0},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    zoom_account_id: str = Field(default="", alias="ZOOM_ACCOUNT_ID")
    zoom_client_id: str = Field(default="", alias="ZOOM_CLIENT_ID")
    zoom_client_secret: SecretStr = Field(default=SecretStr(""), alias="ZOOM_CLIENT_SECRET")
    zoom_api_base_url: str = Field(default="https://api.zoom.us/v2", alias="ZOOM_API_BASE_URL")
    zoom_oauth_token_url: str = Field(default="https://zoom.us/oauth/token", alias="ZOOM_OAUTH_TOKEN_URL")
    zoom_webhook_secret_token: SecretStr = Field(default=SecretStr(""), alias="ZOOM_WEBHOOK_SECRET_TOKEN")

    rate_plan: RatePlan = Field(default="business", alias="ZOOMAUDIT_RATE_PLAN")
    rate_share: float = Field(default=0.5, gt=0.0, le=1.0, alias="ZOOMAUDIT_RATE_SHARE")
    http_timeout: float = Field(default=30.0, gt=0.0, alias="ZOOMAUDIT_HTTP_TIMEOUT")
    max_retries: int = Field(default=5, ge=0, le=20, alias="ZOOMAUDIT_MAX_RETRIES")
    concurrency: int = Field(default=32, ge=1, le=512, alias="ZOOMAUDIT_CONCURRENCY")

    occurrences: int = Field(default=1, ge=0, le=60, alias="ZOOMAUDIT_OCCURRENCES")
    """Upcoming occurrences of each recurring meeting fetched on their own, to catch overrides."""

    accounts_file: str | None = Field(default=None, alias="ZOOMAUDIT_ACCOUNTS")
    """The accounts file (zoomaudit.accounts): when set it defines every Zoom account audited, and
    the single-account ``ZOOM_*`` variables above are ignored. Unset: they are the account
    ``default``."""

    database_url: str = Field(default="sqlite:///zoomaudit.db", alias="ZOOMAUDIT_DATABASE_URL")
    policies_dir: str | None = Field(default=None, alias="ZOOMAUDIT_POLICIES")

    schedule: str = Field(default="0 2 * * *", alias="ZOOMAUDIT_SCHEDULE")
    pre_session: str = Field(default="60,10", alias="ZOOMAUDIT_PRE_SESSION")
    """Minutes before each session that ``serve`` checks it again (comma-separated), or ``off``."""
    timezone: str = Field(default="UTC", alias="ZOOMAUDIT_TIMEZONE")
    serve_host: str = Field(default="127.0.0.1", alias="ZOOMAUDIT_HOST")
    serve_port: int = Field(default=8080, ge=1, le=65535, alias="ZOOMAUDIT_PORT")
    log_level: str = Field(default="INFO", alias="ZOOMAUDIT_LOG_LEVEL")

    group_priority: str = Field(default="", alias="ZOOMAUDIT_GROUP_PRIORITY")
    """The account's group names, comma-separated, highest priority first (Zoom's API does not
    expose group priority; docs/configuration.md). Empty: the priority is unknown."""

    secret_key: SecretStr | None = Field(default=None, alias="ZOOMAUDIT_SECRET_KEY")
    """The key that seals a passcode fix's old passcode (zoomaudit.vault); else the key file."""
    key_file: str | None = Field(default=None, alias="ZOOMAUDIT_KEY_FILE")
    """Where the install keeps its key when ZOOMAUDIT_SECRET_KEY is not set (created with mode
    0600 on first use); by default beside the SQLite database."""
    passcode_retention_days: int = Field(default=30, ge=0, le=3650, alias="ZOOMAUDIT_PASSCODE_RETENTION_DAYS")
    """How long a passcode fix can be reverted: after it, the sealed old passcode is deleted."""
    retention_days: int = Field(default=400, ge=1, le=36500, alias="ZOOMAUDIT_RETENTION_DAYS")
    """How long runs (with their findings), pre-session checks and the notification log are kept
    (``zoomaudit prune``, nightly in ``serve``); fix plans and their trail are never pruned."""
    snapshot_runs: int = Field(default=7, ge=0, le=1000, alias="ZOOMAUDIT_SNAPSHOT_RUNS")
    """How many of the latest complete runs keep the snapshot they judged, for ``zoomaudit
    rejudge`` (0: none); older runs keep their findings only."""

    notify_urls: SecretStr = Field(default=SecretStr(""), alias="ZOOMAUDIT_NOTIFY_URLS")
    """apprise URLs (space or comma separated) of the safeguarding lead's channels; they carry
    credentials, so they are a secret (zoomaudit.notify.channels)."""
    notify_hosts: bool = Field(default=False, alias="ZOOMAUDIT_NOTIFY_HOSTS")
    """E-mail each host about their own sessions (through ``ZOOMAUDIT_SMTP_URL``)."""
    smtp_url: SecretStr = Field(default=SecretStr(""), alias="ZOOMAUDIT_SMTP_URL")
    """An apprise ``mailto``/``mailtos`` URL without recipients, for the hosts' e-mails."""
    console_url: str = Field(default="", alias="ZOOMAUDIT_CONSOLE_URL")
    """The console's public address, for links in messages (none when empty)."""
    trusted_proxies: str = Field(default="", alias="ZOOMAUDIT_TRUSTED_PROXIES")
    """Addresses or networks (comma-separated) of the reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed; none by default."""
    session_idle: int = Field(default=30, ge=1, le=24 * 60, alias="ZOOMAUDIT_SESSION_IDLE")
    """Minutes after which an unused console session is signed out."""

    # Console sign-in (docs/console.md, "Single sign-on"). Each method is offered when configured.
    local_accounts: bool = Field(default=True, alias="ZOOMAUDIT_LOCAL_ACCOUNTS")
    """Whether the console's own e-mail + password accounts may sign in (off once single sign-on
    works; they stay the break-glass way in when it is on)."""
    oidc_issuer: str = Field(default="", alias="ZOOMAUDIT_OIDC_ISSUER")
    """The OpenID Connect issuer; its ``/.well-known/openid-configuration`` is read for the rest."""
    oidc_client_id: str = Field(default="", alias="ZOOMAUDIT_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr = Field(default=SecretStr(""), alias="ZOOMAUDIT_OIDC_CLIENT_SECRET")
    oidc_admins: str = Field(default="", alias="ZOOMAUDIT_OIDC_ADMINS")
    """Who signs in as an admin: e-mail addresses, ``*@domain`` patterns or group values, comma-separated."""
    oidc_viewers: str = Field(default="", alias="ZOOMAUDIT_OIDC_VIEWERS")
    """Who signs in as a viewer (read only), in the same form; an admin entry wins."""
    oidc_groups_claim: str = Field(default="", alias="ZOOMAUDIT_OIDC_GROUPS_CLAIM")
    """The ID token claim holding the user's groups (e.g. ``groups``); none by default."""
    oidc_label: str = Field(default="your organisation", alias="ZOOMAUDIT_OIDC_LABEL")
    """The provider's name on the sign-in button ("Sign in with ...")."""
    zoom_signin_client_id: str = Field(default="", alias="ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_ID")
    """The client id of the user-managed Zoom OAuth app of "Sign in with Zoom" (not the S2S app)."""
    zoom_signin_client_secret: SecretStr = Field(
        default=SecretStr(""), alias="ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_SECRET"
    )
    zoom_signin_admins: str = Field(default="Owner,Admin", alias="ZOOMAUDIT_ZOOM_SIGNIN_ADMINS")
    """Zoom role names (``role_name`` of ``GET /users/me``) whose holders sign in as console admins."""
    zoom_signin_viewers: str = Field(default="", alias="ZOOMAUDIT_ZOOM_SIGNIN_VIEWERS")
    """Zoom role names whose holders sign in as viewers (e.g. ``Member``); nobody else by default."""
    zoom_authorize_url: str = Field(
        default="https://zoom.us/oauth/authorize", alias="ZOOMAUDIT_ZOOM_AUTHORIZE_URL"
    )
    """Zoom's authorization endpoint (the sandbox's under ``zoomaudit demo``)."""

    @field_validator("rate_plan", mode="before")
    @classmethod
    def _lower_plan(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("group_priority")
    @classmethod
    def _distinct_groups(cls, value: str) -> str:
        seen: set[str] = set()
        for name in _split_names(value):
            if name.casefold() in seen:
                raise ValueError(f"names the group {name!r} twice (names are matched without regard to case)")
            seen.add(name.casefold())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        """``ZOOMAUDIT_TRUSTED_PROXIES`` as networks (a single address is a network of one)."""
        return parse_networks(self.trusted_proxies)

    @field_validator("pre_session")
    @classmethod
    def _lead_times(cls, value: str) -> str:
        parse_lead_times(value)
        return value

    @property
    def pre_session_leads(self) -> tuple[int, ...]:
        """``ZOOMAUDIT_PRE_SESSION`` as minutes, longest first; empty when ``off``."""
        return parse_lead_times(self.pre_session)

    @property
    def group_priority_names(self) -> tuple[str, ...]:
        """``ZOOMAUDIT_GROUP_PRIORITY`` as names, highest priority first (empty: unknown)."""
        return _split_names(self.group_priority)

    @field_validator("console_url")
    @classmethod
    def _console_address(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not a web address: give it as https://host[/path]")
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_address(cls, value: str) -> str:
        """https://, or plain http:// to this machine only (a test provider): the token request
        carries the client secret and the ID token's keys come from there."""
        value = value.strip().rstrip("/")
        return _secure_address(value, "the client secret and the ID token's keys") if value else value

    @field_validator("zoom_api_base_url", "zoom_oauth_token_url", "zoom_authorize_url")
    @classmethod
    def _zoom_address(cls, value: str) -> str:
        return zoom_address(value)

    @property
    def oidc_enabled(self) -> bool:
        """Whether "Sign in with <provider>" is offered (issuer, client id and secret all set)."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret.get_secret_value())

    @property
    def zoom_signin_enabled(self) -> bool:
        """Whether "Sign in with Zoom" is offered: the app's id and secret, and the account whose
        people may sign in (``ZOOM_ACCOUNT_ID``: anyone with a Zoom login could otherwise enter)."""
        return bool(
            self.zoom_signin_client_id
            and self.zoom_signin_client_secret.get_secret_value()
            and self.zoom_account_id
        )

    @model_validator(mode="after")
    def _whole_sign_in_methods(self) -> Settings:
        """A sign-in method is configured whole or not at all: half of one is a mistake to name,
        not a button that silently never appears."""
        groups = {
            "OpenID Connect sign-in": {
                "ZOOMAUDIT_OIDC_ISSUER": bool(self.oidc_issuer),
                "ZOOMAUDIT_OIDC_CLIENT_ID": bool(self.oidc_client_id),
                "ZOOMAUDIT_OIDC_CLIENT_SECRET": bool(self.oidc_client_secret.get_secret_value()),
            },
            "Sign in with Zoom": {
                "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_ID": bool(self.zoom_signin_client_id),
                "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_SECRET": bool(
                    self.zoom_signin_client_secret.get_secret_value()
                ),
            },
        }
        for method, given in groups.items():
            missing = [name for name, present in given.items() if not present]
            if missing and len(missing) < len(given):
                raise ValueError(
                    f"{method} is half configured: set {', '.join(missing)} too (or none of them)"
                )
        return self

    @cached_property
    def rate_budget(self) -> dict[str, float]:
        """Requests per second zoomaudit may spend per category: plan limit x share."""
        return {cat: rate * self.rate_share for cat, rate in RATE_LIMITS[self.rate_plan].items()}

    def missing_credentials(self) -> list[str]:
        """Names of the Zoom credential variables that are not set."""
        missing = []
        if not self.zoom_account_id:
            missing.append("ZOOM_ACCOUNT_ID")
        if not self.zoom_client_id:
            missing.append("ZOOM_CLIENT_ID")
        if not self.zoom_client_secret.get_secret_value():
            missing.append("ZOOM_CLIENT_SECRET")
        return missing

    def require_credentials(self) -> None:
        missing = self.missing_credentials()
        if missing:
            raise ConfigError(
                "Zoom credentials are not configured: set "
                + ", ".join(missing)
                + " in the environment or in .env (see docs/configuration.md), "
                "or run `zoomaudit demo` to try zoomaudit against the built-in sandbox"
            )

    def masked(self) -> dict[str, str]:
        """The resolved configuration for display, with every secret masked."""
        out: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            key = info.alias or name.upper()
            if isinstance(value, SecretStr):
                out[key] = MASK if value.get_secret_value() else "(not set)"
            elif name == "database_url" and value:
                out[key] = _mask_url_password(value)
            else:
                out[key] = "(not set)" if value in ("", None) else str(value)
        return out


MAX_LEAD_MINUTES = 24 * 60
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """``127.0.0.1, 10.0.0.0/8`` as networks; a ValueError names a part that is not one."""
    networks = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"{part!r} is not an IP address or network: give addresses or CIDR networks, "
                "comma-separated (e.g. 127.0.0.1,10.0.0.0/8)"
            ) from None
    return tuple(networks)


def parse_lead_times(text: str) -> tuple[int, ...]:
    """``60,10`` as (60, 10): distinct whole minutes from 1 to a day, longest first; ``off`` (or
    nothing) as ()."""
    cleaned = text.strip().lower()
    if cleaned in ("", "off", "none"):
        return ()
    leads: set[int] = set()
    for part in cleaned.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_LEAD_MINUTES:
            raise ValueError(
                f"{part!r} is not a lead time: give whole minutes from 1 to {MAX_LEAD_MINUTES}, "
                "comma-separated (e.g. 60,10), or off"
            )
        leads.add(int(part))
    return tuple(sorted(leads, reverse=True))


def _secure_address(value: str, carries: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http"):
        raise ValueError(f"{value!r} is not a web address: give it as https://host[/path]")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"{value!r} is plain http:// to another machine, which would send {carries} "
            "unencrypted: use https:// (plain http:// is allowed only to 127.0.0.1, ::1 or "
            "localhost, as the sandbox uses)"
        )
    return value


def split_list(value: str) -> tuple[str, ...]:
    """A comma-separated setting as its non-empty entries."""
    return _split_names(value)


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _mask_url_password(url: str) -> str:
    """A database URL with its password (if any) replaced by ``***``."""
    from zoomaudit.store.engine import password_hidden

    # Not a URL SQLAlchemy can parse: show nothing of it that may be secret.
    return password_hidden(url) or "(unreadable URL)"


def zoom_address(value: str) -> str:
    """An https:// address, or plain http:// to this machine only (the sandbox): the token
    request carries the client secret, every other request the access token. Also the rule of
    the accounts file's ``api_base_url`` and ``oauth_token_url``."""
    return _secure_address(value.strip().rstrip("/"), "the client secret and access tokens")


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (a URL's host name) is this machine: localhost, 127.0.0.0/8 or ::1."""
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value becomes a ConfigError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            # A check of several variables together has no one place: its message names them.
            problems.append(f"{loc}: {err['msg']}" if loc else str(err["msg"]).removeprefix("Value error, "))
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
