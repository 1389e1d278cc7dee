"""A message, as the builders make it and the delivery sends it: pure data, no secret in it."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Literal

Kind = Literal["digest", "urgent", "host", "trouble", "test"]
KINDS: tuple[Kind, ...] = ("digest", "urgent", "host", "trouble", "test")


@dataclass(frozen=True)
class Message:
    """One message to send: to the lead's channels, or to one host by e-mail.

    E-mail channels get ``subject`` with ``html`` (apprise adds the plain-text part it derives from
    it) or, without html, ``text``; chat channels (Slack, Teams, webhooks) get ``short``, a few
    lines with a link. ``covers`` are the keys of what the message reports (findings, a session,
    a failure): a key already sent to a channel within its dedupe period is not sent again, and a
    message left with nothing new is recorded as ``suppressed``.
    """

    kind: Kind
    subject: str
    text: str
    short: str
    html: str | None = None
    covers: tuple[str, ...] = ()
    once: bool = False
    """Keys are sent once ever per channel (urgent alerts: once per session occurrence), not once
    a day."""
    news: bool = False
    """Worth sending even when every key was sent before (a failed run, a test)."""
    host: str | None = None
    """The host's e-mail address: the message goes to that host only, through the SMTP URL."""


Compose = Callable[[AbstractSet[str]], "Message | None"]
"""Builds a message given the keys its recipient already got in the period (to leave out)."""
