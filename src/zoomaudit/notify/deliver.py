"""Delivery: each message to each channel through apprise, logged, deduplicated and retried.

For each channel (and for each host, through the SMTP URL) the message is composed with the keys
that recipient already got in the dedupe period (``once`` for urgent alerts, else the UTC day), so
a builder leaves out what was already said; a message left with nothing new is recorded as
``suppressed``. Every attempt is logged (``store/notifications.py``); a failed one is retried with
``BACKOFF`` up to ``MAX_ATTEMPTS``, and a channel failing ``FAILING_AFTER`` times in a row raises a
"trouble" message on the other channels. Nothing here raises for a failed channel: an audit never
fails or waits because a message could not be sent (callers run this off the Zoom lane).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Protocol

from zoomaudit.notify.channels import Channel, host_mailer, lead_channels, scrub, to_host
from zoomaudit.notify.model import Compose, Kind, Message
from zoomaudit.vocabulary import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from zoomaudit.settings import Settings
    from zoomaudit.store import Store
    from zoomaudit.store.notifications import Delivery

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
"""Wait before the 2nd, 3rd, 4th and 5th attempt."""
MAX_ATTEMPTS = len(BACKOFF) + 1
FAILING_AFTER = 3
"""Failed attempts in a row (of one message or several) after which a channel "keeps failing":
a trouble message on the other channels, once a day."""


class DeliveryFailed(Exception):
    """A channel refused or could not take a message; the text is already scrubbed."""


class Sender(Protocol):
    def __call__(self, channel: Channel, message: Message) -> None:
        """Send, or raise DeliveryFailed."""


def apprise_send(channel: Channel, message: Message) -> None:
    """Send through apprise: e-mail as HTML (apprise adds the plain-text part), chat as the short form."""
    import apprise

    client = apprise.Apprise()
    if not client.add(channel.url):
        raise DeliveryFailed(f"apprise cannot use {channel.masked}")
    if channel.email:
        body, fmt = (
            (message.html, apprise.NotifyFormat.HTML)
            if message.html
            else (message.text, apprise.NotifyFormat.TEXT)
        )
    else:
        body, fmt = message.short, apprise.NotifyFormat.MARKDOWN
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
        try:
            ok = client.notify(title=message.subject, body=body, body_format=fmt)
        except Exception as exc:  # a plugin bug is a failed delivery, never a crash of the caller
            raise DeliveryFailed(scrub(f"{type(exc).__name__}: {exc}", [channel])) from None
        detail = captured.getvalue().strip() if hasattr(captured, "getvalue") else ""
    if not ok:
        lines = [line for line in detail.splitlines() if line.strip()]
        raise DeliveryFailed(
            scrub("; ".join(lines[-3:]) or "the channel did not accept the message", [channel])
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Sent:
    """What one ``send`` did, per status."""

    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)


class Notifier:
    """The configured channels and how to reach them. Made from the settings (a malformed URL is a
    ConfigError here, before anything is sent); ``sender`` and ``clock`` are for tests."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        sender: Sender = apprise_send,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.channels = lead_channels(settings)
        mailer = host_mailer(settings)
        self.mailer = mailer if settings.notify_hosts else None
        self.console_url = settings.console_url
        self._send = sender
        self._clock = clock

    @property
    def configured(self) -> bool:
        return bool(self.channels or self.mailer)

    @property
    def hosts_on(self) -> bool:
        return self.mailer is not None

    # --- sending ---------------------------------------------------------------------------------

    def to_lead(
        self,
        kind: Kind,
        compose: Compose,
        *,
        skip: AbstractSet[str] = frozenset(),
        account: str = DEFAULT_ACCOUNT,
    ) -> Sent:
        """Send to each of the lead's channels (but those whose fingerprint is in ``skip``) a
        message about ``account`` (logged as its, and deduplicated within it)."""
        sent = Sent()
        for channel in self.channels:
            if channel.fingerprint not in skip:
                sent.deliveries.extend(self._deliver(kind, channel, None, compose, account))
        return sent

    def to_host(self, kind: Kind, address: str, compose: Compose, *, account: str = DEFAULT_ACCOUNT) -> Sent:
        """E-mail one host of ``account``, when host messages are on."""
        sent = Sent()
        if self.mailer is not None and address:
            channel = to_host(self.mailer, address)
            sent.deliveries.extend(self._deliver(kind, channel, address, compose, account))
        return sent

    def _deliver(
        self, kind: Kind, channel: Channel, host: str | None, compose: Compose, account: str
    ) -> list[Delivery]:
        now = self._clock()
        period = "once" if kind == "urgent" else now.strftime("%Y-%m-%d")
        first = compose(frozenset())
        if first is None:
            return []
        seen = self.store.notifications.marks_of(
            channel.fingerprint, host or "", period, first.covers, account=account
        )
        message = compose(seen) if seen else first
        record = partial(
            self.store.notifications.record,
            kind=kind,
            channel=channel.masked,
            channel_fp=channel.fingerprint,
            recipients=list(channel.recipients),
            host=host,
            created_at=now,
            account=account,
        )
        if message is None or not (message.news or set(message.covers) - seen):
            done = record(
                subject=(message or first).subject,
                covers=[],
                marks=[],
                status="suppressed",
                error="nothing new for this recipient since the last message",
            )
            return [done] if done is not None else []
        delivery = record(
            subject=message.subject,
            covers=list(message.covers),
            marks=[(key, period) for key in message.covers],
            status="retrying",
            body_text=message.text,
            body_short=message.short,
            body_html=message.html,
        )
        if delivery is None:  # another process sent the same keys a moment ago
            return []
        return [self._attempt(delivery, channel, message)]

    def _attempt(self, delivery: Delivery, channel: Channel, message: Message) -> Delivery:
        try:
            self._send(channel, message)
        except DeliveryFailed as exc:
            error = scrub(str(exc), [channel, *self.channels])
            attempts = delivery.attempts + 1
            final = attempts >= MAX_ATTEMPTS
            after = None if final else self._clock() + BACKOFF[attempts - 1]
            log.warning(
                "%s message to %s failed (attempt %d): %s", delivery.kind, channel.masked, attempts, error
            )
            done = self.store.notifications.attempted(
                delivery.id,
                status="failed" if final else "retrying",
                at=self._clock(),
                error=error,
                next_attempt_at=after,
            )
            if self.store.notifications.failed_attempts_since_sent(channel.fingerprint) >= FAILING_AFTER:
                self._channel_failing(channel, error)
            return done
        log.info("%s message sent to %s", delivery.kind, channel.masked)
        return self.store.notifications.attempted(delivery.id, status="sent", at=self._clock())

    def _channel_failing(self, channel: Channel, error: str) -> None:
        from zoomaudit.notify.messages import trouble

        what = f"Notifications to {channel.masked} keep failing"
        compose = trouble(
            f"channel-failing:{channel.fingerprint}",
            what,
            f"{FAILING_AFTER} attempts failed; the last said: {error}",
            self.console_url,
        )
        self.to_lead("trouble", compose, skip={channel.fingerprint})

    # --- retries and tests -----------------------------------------------------------------------

    def retry_due(self, *, shared_log: bool = False) -> Sent:
        """Attempt again every delivery whose retry time has come.

        ``shared_log`` (several accounts, each with its own notifier and channels): a delivery to
        a channel this notifier does not have is another account's, left for that account's
        notifier, instead of being marked failed."""
        sent = Sent()
        for delivery in self.store.notifications.due(self._clock()):
            channel = self._channel_of(delivery)
            if channel is None and shared_log:
                continue
            if channel is None:
                sent.deliveries.append(
                    self.store.notifications.attempted(
                        delivery.id,
                        status="failed",
                        at=self._clock(),
                        error="the channel is no longer configured",
                    )
                )
                continue
            message = Message(
                kind=delivery.kind,  # type: ignore[arg-type]
                subject=delivery.subject,
                text=delivery.body_text,
                short=delivery.body_short,
                html=delivery.body_html,
                covers=tuple(delivery.covers),
            )
            sent.deliveries.append(self._attempt(delivery, channel, message))
        return sent

    def _channel_of(self, delivery: Delivery) -> Channel | None:
        if delivery.host:
            if self.mailer is not None and self.mailer.fingerprint == delivery.channel_fp:
                return to_host(self.mailer, delivery.host)
            return None
        return next((c for c in self.channels if c.fingerprint == delivery.channel_fp), None)

    def test(self) -> Sent:
        """A test message to every lead channel and, when host messages are on, to the SMTP
        URL's own sender address; never deduplicated."""
        from zoomaudit.notify.messages import test_message

        message = test_message(self.console_url)
        sent = self.to_lead("test", lambda seen: message)
        if self.mailer is not None:  # to the SMTP URL's own default recipient (its sender)
            sent.deliveries.extend(
                self._deliver("test", self.mailer, None, lambda seen: message, DEFAULT_ACCOUNT)
            )
        return sent
