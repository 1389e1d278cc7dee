"""What the collector hands to the pure core: the settings of every tier, as Zoom stated them.

Collection is streamed per host so that memory stays flat on large accounts: one
``AccountContext`` per run, then one ``HostBatch`` per host (the host's settings and the
meetings to audit). The resolver and the evaluator need nothing else.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from zoomaudit.zoom.models import Meeting, SettingsDoc, User


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class GroupContext(Frozen):
    id: str
    name: str
    settings: SettingsDoc = Field(default_factory=dict)
    """Merged ``GET /groups/{id}/settings`` (default + option=meeting_security + meeting_authentication)."""
    locks: SettingsDoc = Field(default_factory=dict)
    """Merged ``GET /groups/{id}/lock_settings`` (default + option=meeting_security)."""


class AccountContext(Frozen):
    account_id: str = "me"
    settings: SettingsDoc = Field(default_factory=dict)
    """Merged ``GET /accounts/me/settings`` (default + option=meeting_security + meeting_authentication)."""
    locks: SettingsDoc = Field(default_factory=dict)
    """Merged ``GET /accounts/me/lock_settings`` (default + option=meeting_security)."""
    groups: dict[str, GroupContext] = Field(default_factory=dict)
    """Every group of the account, in the order ``GET /groups`` lists them."""
    group_priority: tuple[str, ...] | None = None
    """Group ids, highest priority first, from ``ZOOMAUDIT_GROUP_PRIORITY``; None when it is not
    set. Zoom's API does not expose group priority (``zoomaudit.priority``); a group not listed
    here has an unknown rank."""


class HostContext(Frozen):
    user: User
    settings: SettingsDoc = Field(default_factory=dict)
    """Merged ``GET /users/{id}/settings`` (default + option=meeting_security + meeting_authentication)."""
    group_ids: tuple[str, ...] = ()
    """The host's groups as ``GET /users`` lists them: not in a documented order. Which group
    decides a setting is ``zoomaudit.priority``'s business (docs/controls.md: several groups)."""


class Subject(Frozen):
    """One thing a meeting policy is judged on: a meeting, or one occurrence whose settings differ."""

    meeting: Meeting
    occurrence_id: str | None = None
    start_time: datetime | None = None
    """When the judged session starts (UTC): set by the runner from ``zoomaudit.timing``; None
    for a meeting with no fixed time (type 3) or a Personal Meeting Room (type 4)."""
    duration: int | None = None
    """Its length in minutes, as Zoom states it (None with no start time)."""


class CollectError(Frozen):
    """A meeting or user that could not be read after retries. The run is then incomplete."""

    meeting_id: int | None = None
    user_id: str | None = None
    message: str


class HostBatch(Frozen):
    host: HostContext
    subjects: list[Subject] = Field(default_factory=list)
    errors: list[CollectError] = Field(default_factory=list)
