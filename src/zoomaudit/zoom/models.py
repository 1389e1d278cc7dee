"""Pydantic models of what Zoom returns.

Zoom's schemas make every settings field optional and real responses carry keys the spec does
not know, so every model here keeps unknown fields (``extra="allow"``) and every settings field
is optional: a missing key means "not stated", never false. Settings documents are kept as plain
nested dicts (``SettingsDoc``) because the resolver looks fields up by dotted path
("in_meeting.screen_sharing") across tiers; the typed section models below document and
validate the fields zoomaudit reads.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

SettingsDoc = dict[str, Any]
"""A settings (or lock-settings) document of one tier, merged across the ``option`` views:
the default response plus ``{"meeting_security": {...}}`` plus ``{"meeting_authentication": ...}``."""


Id64 = Annotated[int, Field(ge=0, lt=2**63)]
"""A meeting id or PMI: what the store keeps in a signed 64-bit column. Zoom's are 9 to 11
digits; anything larger is an odd answer, an error of its subject rather than a crash."""


class ZoomModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class User(ZoomModel):
    id: str
    email: str = ""
    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None
    type: int | None = None
    status: str | None = None
    pmi: Id64 | None = None
    timezone: str | None = None
    role_id: str | None = None
    group_ids: list[str] = Field(default_factory=list)


class UserPage(ZoomModel):
    next_page_token: str | None = ""
    page_size: int | None = None
    total_records: int | None = None
    users: list[User] = Field(default_factory=list)


class MeetingListItem(ZoomModel):
    id: Id64
    uuid: str | None = None
    host_id: str | None = None
    topic: str | None = None
    type: int | None = None
    start_time: str | None = None
    duration: int | None = None
    timezone: str | None = None
    agenda: str | None = None
    created_at: str | None = None
    join_url: str | None = None
    pmi: str | None = None


class MeetingPage(ZoomModel):
    next_page_token: str | None = ""
    page_size: int | None = None
    total_records: int | None = None
    meetings: list[MeetingListItem] = Field(default_factory=list)


class Occurrence(ZoomModel):
    occurrence_id: str
    start_time: str | None = None
    duration: int | None = None
    status: str | None = None


class TrackingField(ZoomModel):
    field: str
    value: str | None = None
    visible: bool | None = None


class Meeting(MeetingListItem):
    """``GET /meetings/{meetingId}``: the list item's fields and the rest. ``settings`` is kept as
    the raw dict Zoom sent."""

    host_email: str | None = None
    status: str | None = None
    password: str | None = None
    h323_password: str | None = None
    pstn_password: str | None = None
    encrypted_password: str | None = None
    template_id: str | None = None
    occurrences: list[Occurrence] = Field(default_factory=list)
    recurrence: dict[str, Any] | None = None
    tracking_fields: list[TrackingField] = Field(default_factory=list)
    settings: SettingsDoc = Field(default_factory=dict)


class Group(ZoomModel):
    id: str
    name: str = ""
    total_members: int | None = None


class GroupList(ZoomModel):
    total_records: int | None = None
    groups: list[Group] = Field(default_factory=list)
    next_page_token: str | None = ""


class GroupMember(ZoomModel):
    id: str
    email: str = ""
    first_name: str | None = None
    last_name: str | None = None
    type: int | None = None


class GroupMemberPage(ZoomModel):
    next_page_token: str | None = ""
    page_size: int | None = None
    total_records: int | None = None
    members: list[GroupMember] = Field(default_factory=list)


class Token(ZoomModel):
    """The Server-to-Server OAuth token response."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = 3600
    scope: str = ""
    api_url: str | None = None
