"""Where messages go: apprise URLs, read from the settings, checked, and masked for people.

An apprise URL carries the channel's credentials (an SMTP password, a Slack or Teams webhook
token), so a URL is a secret: it is kept only in the settings, and everything else (the delivery
log, ``doctor``, errors, logs) sees the ``masked`` form, which keeps the scheme, a host name that
is a real host (never a token in the host's place) and the e-mail recipients, and nothing else.
A delivery row names its channel by ``fingerprint``, a hash from which the URL cannot be read
back, so a retry finds the channel again in the current settings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from zoomaudit.errors import ConfigError

if TYPE_CHECKING:
    from zoomaudit.settings import Settings

EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
_HOSTLIKE = re.compile(r"^(localhost|[0-9.]+|\[[0-9a-f:]+\]|([a-z0-9-]+\.)+[a-z]{2,})$", re.IGNORECASE)


@dataclass(frozen=True)
class Channel:
    """One configured apprise URL."""

    url: str = field(repr=False)
    """The URL itself: a secret, never shown, logged or stored."""
    masked: str
    fingerprint: str
    email: bool
    recipients: tuple[str, ...] = ()
    """The e-mail addresses a ``mailto`` URL sends to (none for chat channels)."""

    def secrets(self) -> list[str]:
        """The fragments of the URL that must never appear in text shown to people."""
        return url_secrets(self.url)


def fingerprint(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def url_secrets(url: str) -> list[str]:
    """Password, path segments and query values of a URL (4 characters or more), longest first."""
    parts = urlsplit(url)
    found = {parts.password or "", unquote(parts.password or "")}
    if parts.username and parts.scheme not in EMAIL_SCHEMES:
        found.add(parts.username)
    if parts.hostname and not _HOSTLIKE.match(parts.hostname):
        found.add(parts.hostname)  # slack://TokenA/TokenB/...: the "host" is a token
    for segment in parts.path.split("/"):
        found.update({segment, unquote(segment)})
    for values in parse_qs(parts.query).values():
        found.update(values)
    return sorted((s for s in found if len(s) >= 4 and "@" not in s), key=len, reverse=True)


def scrub(text: str, channels: list[Channel] | tuple[Channel, ...]) -> str:
    """``text`` (an error from a channel) with every secret fragment of the channels masked."""
    for channel in channels:
        text = text.replace(channel.url, channel.masked)
        for secret in channel.secrets():
            text = text.replace(secret, "****")
    return text


def _email_recipients(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    found: list[str] = []
    for values in (parse_qs(parts.query).get("to", []), [unquote(p) for p in parts.path.split("/") if p]):
        for value in values:
            found.extend(a.strip() for a in re.split(r"[,\s]+", value) if "@" in a)
    if not found and parts.username and parts.hostname:
        found.append(f"{unquote(parts.username)}@{parts.hostname}")  # apprise's default recipient
    return tuple(dict.fromkeys(found))


def mask(url: str) -> str:
    """A URL as people may see it: ``slack://***/…``, ``mailtos://smtp.example.org/… (to a@b.org)``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "(unreadable URL)"
    shown = f"{parts.scheme}://{host if host and _HOSTLIKE.match(host) else '***'}"
    if parts.path.strip("/") or parts.query or parts.username:
        shown += "/…"
    if parts.scheme in EMAIL_SCHEMES:
        recipients = _email_recipients(url)
        if recipients:
            shown += f" (to {', '.join(recipients)})"
    return shown


def split_urls(text: str) -> list[str]:
    """URLs separated by spaces, commas or new lines (a comma inside a URL's query stays)."""
    return [u for u in re.split(r"[\s]+|,(?=\s*[a-z][a-z0-9+.-]*://)", text.strip()) if u]


def make_channel(url: str, variable: str) -> Channel:
    """A checked channel, or a ConfigError naming ``variable`` (never echoing the URL)."""
    import apprise

    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if not scheme or apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        what = f"the scheme {scheme!r} is not one apprise knows" if scheme else "it has no scheme://"
        raise ConfigError(
            f"{variable}: a URL cannot be used ({what}, or it is malformed): {mask(url)}; "
            "see docs/notifications.md for the URL forms"
        )
    email = scheme in EMAIL_SCHEMES
    return Channel(
        url=url,
        masked=mask(url),
        fingerprint=fingerprint(url),
        email=email,
        recipients=_email_recipients(url) if email else (),
    )


def lead_channels(settings: Settings) -> list[Channel]:
    """The safeguarding lead's channels (``ZOOMAUDIT_NOTIFY_URLS``), checked."""
    text = settings.notify_urls.get_secret_value()
    return [make_channel(url, "ZOOMAUDIT_NOTIFY_URLS") for url in split_urls(text)]


def host_mailer(settings: Settings) -> Channel | None:
    """The SMTP channel the hosts' e-mails go through (``ZOOMAUDIT_SMTP_URL``), or None.

    Host nudges on without it, or with a URL that is not ``mailto``/``mailtos``, is a ConfigError.
    """
    url = settings.smtp_url.get_secret_value().strip()
    if not url:
        if settings.notify_hosts:
            raise ConfigError("ZOOMAUDIT_NOTIFY_HOSTS is on but ZOOMAUDIT_SMTP_URL is not set")
        return None
    channel = make_channel(url, "ZOOMAUDIT_SMTP_URL")
    if not channel.email:
        raise ConfigError(f"ZOOMAUDIT_SMTP_URL must be a mailto:// or mailtos:// URL, not {channel.masked}")
    return channel


def to_host(mailer: Channel, address: str) -> Channel:
    """The SMTP channel addressed to one host (``to=`` replaced by the host's address)."""
    parts = urlsplit(mailer.url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "to"}
    query["to"] = [address]
    url = urlunsplit((parts.scheme, parts.netloc, "", urlencode(query, doseq=True), ""))
    return Channel(
        url=url, masked=mask(url), fingerprint=mailer.fingerprint, email=True, recipients=(address,)
    )


def check_channels(settings: Settings) -> None:
    """Every configured URL is usable (``serve`` start-up and every command that sends)."""
    lead_channels(settings)
    host_mailer(settings)
