"""Zoom webhooks: request verification (pure) and event -> action planning (pure); the endpoint is
``webhook_endpoint.py``.

Verification follows reference.md §5.2/§5.3: ``x-zm-signature`` is ``v0=`` + hex HMAC-SHA256 of
``v0:{x-zm-request-timestamp}:{raw body}`` keyed with the app's secret token, computed over the raw
bytes (never a re-serialised body) and compared in constant time.

Choices where Zoom documents nothing (also in docs/operations.md):
- Timestamps older than 5 minutes, or more than 1 minute in the future, are refused. A header value
  above 10**11 is read as milliseconds, the rest as seconds.
- ``endpoint.url_validation`` is verified like every other request (as Zoom's Rivet SDK does).
  Answering it unverified would hand anyone an HMAC oracle: the ``encryptedToken`` of a chosen
  ``plainToken`` ``v0:{ts}:{body}`` is exactly the signature of a forged event.
- Replays are refused in memory only. An identical request (same signature) is answered 409; the
  same event delivered again with a fresh signature (Zoom's retries at +5/+20/+60 min) is answered
  200 and not processed twice. A restart forgets both; a replayed request is still bound by the
  5-minute timestamp window, and processing an event twice only re-runs an idempotent audit.
- Only a handled event (queued, or ignored on purpose) is remembered. A request zoomaudit answered
  503 or 500 is remembered as *failed* for 2 hours instead, and Zoom's retry of it is taken even
  when it keeps the original (now stale) timestamp: Zoom does not say whether retries are re-stamped.
- Meeting ids are ASCII digits only (``[0-9]{1,19}``, within a signed 64-bit integer); anything else
  is an ignored event, never a server error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope, UsersScope

MAX_AGE_SECONDS = 300.0
"""How old a request timestamp may be."""
MAX_FUTURE_SECONDS = 60.0
"""How far ahead of our clock a request timestamp may be (clock skew)."""
EVENT_MEMORY_SECONDS = 2 * 3600.0
"""How long a processed event is remembered: Zoom's last retry comes about 85 minutes after the first try."""
MAX_BODY_BYTES = 1 << 20
"""Zoom's event bodies are a few kilobytes; anything larger is refused unread."""

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
URL_VALIDATION = "endpoint.url_validation"


class WebhookRejected(Exception):
    """A request that is not a genuine, fresh Zoom delivery. ``status`` is the HTTP answer."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


# --- pure helpers -----------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``x-zm-signature`` value Zoom sends for ``body`` at ``timestamp``."""
    message = b"v0:" + timestamp.encode("utf-8") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def url_validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    """The answer to ``endpoint.url_validation``: the token and its hex HMAC-SHA256."""
    digest = hmac.new(secret.encode("utf-8"), plain_token.encode("utf-8"), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": digest}


def request_time(value: str) -> float:
    """Epoch seconds of an ``x-zm-request-timestamp`` value (seconds, or milliseconds if huge)."""
    try:
        stamp = float(int(value.strip()))
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        raise WebhookRejected("x-zm-request-timestamp is not an integer") from None
    return stamp / 1000.0 if stamp > 1e11 else stamp


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    max_age: float = MAX_AGE_SECONDS,
    max_future: float = MAX_FUTURE_SECONDS,
    known: Callable[[str], bool] | None = None,
) -> str:
    """Check signature and freshness of one request; return its signature, raise ``WebhookRejected``.

    ``known`` tells whether a (genuine) signature is one zoomaudit remembers: a delivery it failed
    to handle, whose retry by Zoom may keep the original timestamp, or one it handled, which the
    caller answers 409. The age of those is not checked."""
    signature = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise WebhookRejected("missing x-zm-signature or x-zm-request-timestamp header")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("utf-8"), signature.encode("utf-8")):
        raise WebhookRejected("signature does not match")
    if known is not None and known(signature):
        return signature
    age = now - request_time(timestamp)
    if age > max_age:
        raise WebhookRejected("request timestamp is too old")
    if age < -max_future:
        raise WebhookRejected("request timestamp is in the future")
    return signature


def event_key(envelope: Mapping[str, Any]) -> str:
    """Identity of one event across Zoom's redeliveries (independent of spacing and key order)."""
    canonical = json.dumps(
        {k: envelope.get(k) for k in ("event", "event_ts", "payload")}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ReplayGuard:
    """Keys seen recently, each forgotten ``ttl`` seconds after it was first seen (memory only)."""

    def __init__(self, ttl: float, max_entries: int = 100_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._expiry:
            oldest, expires = next(iter(self._expiry.items()))
            if expires > now and len(self._expiry) < self.max_entries:
                break
            del self._expiry[oldest]

    def seen(self, key: str, now: float) -> bool:
        """Whether ``key`` was remembered and has not expired (remembers nothing)."""
        self._expire(now)
        return key in self._expiry

    def remember(self, key: str, now: float) -> None:
        """Remember ``key`` for ``ttl`` seconds from ``now`` (kept first-seen if already there)."""
        self._expire(now)
        self._expiry.setdefault(key, now + self.ttl)

    def first_time(self, key: str, now: float) -> bool:
        """Remember ``key``; False if it was already seen and has not expired."""
        if self.seen(key, now):
            return False
        self.remember(key, now)
        return True

    def forget(self, key: str) -> None:
        self._expiry.pop(key, None)

    def __len__(self) -> int:
        return len(self._expiry)


# --- event -> action --------------------------------------------------------------------------


@dataclass(frozen=True)
class Audit:
    """Re-audit ``scope``; ``key`` groups requests for debouncing."""

    key: str
    scope: Scope


@dataclass(frozen=True)
class AuditGroup:
    """Re-audit the meetings of a group's members (members listed when the work runs)."""

    key: str
    group_id: str


@dataclass(frozen=True)
class Withdraw:
    """The meeting is gone: withdraw its open fixes."""

    meeting_id: int


@dataclass(frozen=True)
class Ignore:
    reason: str


Action = Audit | AuditGroup | Withdraw | Ignore

ACCOUNT_EVENTS = frozenset({"account.settings_updated", "account.lock_settings_updated"})
GROUP_EVENTS = frozenset({"group.settings_updated", "group.lock_settings_updated"})
MEMBER_EVENTS = frozenset({"group.member_added", "group.member_deleted"})
MEETING_EVENTS = frozenset({"meeting.created", "meeting.updated"})
SUBSCRIBED_EVENTS = (
    "meeting.created",
    "meeting.updated",
    "meeting.deleted",
    "user.settings_updated",
    "group.settings_updated",
    "group.lock_settings_updated",
    "group.member_added",
    "group.member_deleted",
    "account.settings_updated",
    "account.lock_settings_updated",
)
"""The events to subscribe to in the Zoom app (docs/operations.md)."""


def _object(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = envelope.get("payload")
    obj = payload.get("object") if isinstance(payload, Mapping) else None
    return obj if isinstance(obj, Mapping) else {}


MEETING_ID = re.compile(r"[0-9]{1,19}")
"""A meeting id as text: ASCII digits only (``str.isdigit`` also takes "²" and "٣")."""
MAX_MEETING_ID = 2**63 - 1
"""The store keeps meeting ids as signed 64-bit integers."""


def _meeting_id(obj: Mapping[str, Any]) -> int | None:
    value = obj.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and MEETING_ID.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_MEETING_ID:
        return value
    return None


def _text_id(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) and value else None


def plan_event(envelope: Mapping[str, Any]) -> Action:
    """What one verified event asks zoomaudit to do."""
    event = envelope.get("event")
    obj = _object(envelope)
    if event in MEETING_EVENTS or (event == "meeting.deleted" and obj.get("occurrences")):
        # Deleting some occurrences leaves the meeting in place: re-audit it instead.
        meeting_id = _meeting_id(obj)
        if meeting_id is None:
            return Ignore(f"{event} without a meeting id")
        return Audit(f"meeting:{meeting_id}", MeetingsScope.of(meeting_id))
    if event == "meeting.deleted":
        meeting_id = _meeting_id(obj)
        return Withdraw(meeting_id) if meeting_id is not None else Ignore("meeting.deleted without an id")
    if event == "user.settings_updated":
        user_id = _text_id(obj)
        if user_id is None:
            return Ignore("user.settings_updated without a user id")
        return Audit(f"user:{user_id}", UsersScope.of(user_id))
    if event in GROUP_EVENTS:
        group_id = _text_id(obj)
        return (
            AuditGroup(f"group:{group_id}", group_id) if group_id else Ignore(f"{event} without a group id")
        )
    if event in MEMBER_EVENTS:
        # Joining or leaving a group changes which group settings apply to those users.
        members = obj.get("members")
        ids = [m.get("id") for m in members if isinstance(m, Mapping)] if isinstance(members, list) else []
        users = sorted({i for i in ids if isinstance(i, str) and i})
        if users:
            return Audit("user:" + ",".join(users), UsersScope.of(*users))
        group_id = _text_id(obj)
        return AuditGroup(f"group:{group_id}", group_id) if group_id else Ignore(f"{event} without members")
    if event in ACCOUNT_EVENTS:
        return Audit("account", AccountScope())
    return Ignore(f"event {event!r} is not one zoomaudit acts on")
