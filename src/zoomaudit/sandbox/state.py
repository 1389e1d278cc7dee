"""The sandbox account: every settings tier as Zoom keeps it, plus users, groups and meetings.

Everything is plain dicts so that a request touches only the few objects it names. Settings
documents of every tier are stored *merged across Zoom's ``option`` views* (the default sections,
``meeting_security`` and the top-level ``meeting_authentication`` keys), the same shape zoomaudit's
snapshot uses; the app splits them per ``option`` when it answers.

Where Zoom's behaviour is undocumented the choice lives in ``tiers.py`` (one place per guess).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Doc = dict[str, Any]

Clock = Callable[[], datetime]
"""What the sandbox asks for the time: an aware UTC datetime."""


def utc_now() -> datetime:
    """The real time in UTC: the sandbox's clock unless a test gives it another."""
    return datetime.now(UTC)


# Classic scopes an S2S admin app holds for every endpoint zoomaudit calls (reference.md §1.3).
ALL_SCOPES: tuple[str, ...] = (
    "user:read:admin",
    "user:write:admin",
    "meeting:read:admin",
    "meeting:write:admin",
    "account:read:admin",
    "account:write:admin",
    "group:read:admin",
    "group:write:admin",
)


@dataclass
class SandboxUser:
    id: str
    email: str
    first_name: str
    last_name: str
    pmi: int
    type: int = 2
    status: str = "active"
    timezone: str = "Europe/London"
    dept: str = ""
    role_id: str = "2"
    group_ids: list[str] = field(default_factory=list)
    """The user's groups in the order they were added (no meaning: ``SandboxGroup.priority`` ranks them)."""
    created_at: str = "2023-01-09T09:00:00Z"
    settings: Doc = field(default_factory=dict)
    """The values this user changed themselves (sparse); the rest is inherited (tiers.py)."""

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class SandboxGroup:
    id: str
    name: str
    settings: Doc = field(default_factory=dict)
    """The values set at group level (sparse); unset values inherit from the account."""
    locks: Doc = field(default_factory=dict)
    priority: int | None = None
    """Zoom's rank for the group (1 = highest), which Zoom's API does not expose and the sandbox
    does not serve; None ranks below every ranked group (tiers.deciding_group)."""


@dataclass
class SandboxState:
    """One Zoom account. Tests may read and mutate it directly (it is shared with the server).

    A sandbox may serve several (app.create_app): each keeps its own users, groups, meetings,
    settings, locks and daily quota, and a token of one account never reaches another's."""

    account_id: str
    client_id: str
    client_secret: str
    plan: str = "business"
    account_settings: Doc = field(default_factory=dict)
    account_locks: Doc = field(default_factory=dict)
    groups: dict[str, SandboxGroup] = field(default_factory=dict)
    users: dict[str, SandboxUser] = field(default_factory=dict)
    meetings: dict[int, Doc] = field(default_factory=dict)
    """Stored meeting resources by id, including each user's PMI meeting (type 4)."""
    occurrence_overrides: dict[tuple[int, str], Doc] = field(default_factory=dict)
    """Per-occurrence stored changes: ``{"settings": {...}, "agenda": ..., ...}``."""
    scopes: tuple[str, ...] = ALL_SCOPES
    """Scopes granted to tokens issued from now on."""
    meeting_updates: dict[tuple[str, str], int] = field(default_factory=dict)
    """Meeting create/update count per (host id, UTC date ``YYYY-MM-DD``)."""
    built_at: datetime = field(default_factory=utc_now)
    clock: Clock = field(default=utc_now, repr=False, compare=False)
    """The sandbox's time: the UTC day of the meeting-update quota, its reset time and which
    meetings are upcoming. Real UTC by default; tests pass a fake clock to cross midnight at will."""
    version: int = 0
    """Bumped by every settings or membership change; invalidates cached effective views."""
    name: str = "default"
    """The account's short name (``acct01``...) when a sandbox serves several; Zoom never sees it."""

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self._by_email: dict[str, str] = {}
        self._by_pmi: dict[int, str] = {}
        self._meetings_by_host: dict[str, list[int]] = {}
        for user in self.users.values():
            self._index_user(user)
        for meeting in self.meetings.values():
            self._index_meeting(meeting)

    # -- building -------------------------------------------------------------------------------
    def _index_user(self, user: SandboxUser) -> None:
        self._by_email[user.email.lower()] = user.id
        self._by_pmi[user.pmi] = user.id
        self._meetings_by_host.setdefault(user.id, [])

    def _index_meeting(self, meeting: Doc) -> None:
        if meeting.get("type") != 4:
            self._meetings_by_host.setdefault(meeting["host_id"], []).append(meeting["id"])

    def add_group(self, group: SandboxGroup) -> SandboxGroup:
        self.groups[group.id] = group
        self.version += 1
        return group

    def add_user(self, user: SandboxUser) -> SandboxUser:
        self.users[user.id] = user
        self._index_user(user)
        self.version += 1
        return user

    def add_meeting(self, meeting: Doc) -> Doc:
        """Store a meeting resource (needs ``id``, ``host_id``, ``type``; ``settings`` may be sparse)."""
        meeting.setdefault("settings", {})
        self.meetings[meeting["id"]] = meeting
        self._index_meeting(meeting)
        return meeting

    # -- lookups --------------------------------------------------------------------------------
    def find_user(self, key: str) -> SandboxUser | None:
        """A user by id or e-mail address (Zoom accepts either as ``userId``)."""
        user = self.users.get(key)
        if user is None:
            uid = self._by_email.get(key.lower())
            user = self.users.get(uid) if uid else None
        return user

    def user_by_pmi(self, pmi: int) -> SandboxUser | None:
        uid = self._by_pmi.get(pmi)
        return self.users.get(uid) if uid else None

    def host_meeting_ids(self, user_id: str) -> list[int]:
        return self._meetings_by_host.get(user_id, [])

    def group_members(self, group_id: str) -> list[SandboxUser]:
        return [u for u in self.users.values() if group_id in u.group_ids]

    def meeting_by_topic(self, topic: str) -> Doc:
        """The first meeting with this topic (for tests and the demo oracle)."""
        for meeting in self.meetings.values():
            if meeting.get("topic") == topic:
                return meeting
        raise KeyError(topic)

    def occurrence_ids(self, meeting_id: int) -> list[str]:
        return [o["occurrence_id"] for o in self.meetings[meeting_id].get("occurrences", [])]

    # -- per-host daily quota -------------------------------------------------------------------
    def set_meeting_updates(self, host_id: str, count: int, day: str | None = None) -> None:
        """Preset a host's meeting-update count for a UTC day (today by default), e.g. to 100."""
        day = day or self.utc_day()
        self.meeting_updates[(host_id, day)] = count

    def utc_day(self) -> str:
        """The current UTC date by the sandbox's clock, ``YYYY-MM-DD`` (the quota's day)."""
        return self.clock().strftime("%Y-%m-%d")

    def touch(self) -> None:
        self.version += 1
