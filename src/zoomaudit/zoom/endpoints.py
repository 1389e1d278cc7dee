"""Every Zoom endpoint the client calls: method, path template, rate-limit category, query.

This table is the one place these facts live. The client refuses to send a query parameter
an endpoint does not list here, and tests/zoom/test_spec_conformance.py checks the table
against Zoom's OpenAPI spec (../shared/zoom-api/ZoomMeetingAPISpec.json, mid-2023): the path
and method exist, each query parameter is declared, and the category matches the spec's
"Rate Limit Label". Path templates use the spec's placeholder names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Category = Literal["light", "medium", "heavy"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    category: Category
    query: tuple[str, ...] = ()
    spec_gaps: dict[str, str] = field(default_factory=dict)
    """Query parameters the 2023 spec does not declare for this operation, each with its source."""
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.path))
        object.__setattr__(self, "_pattern", re.compile(regex))

    @property
    def label(self) -> str:
        """``GET /meetings/{meetingId}``: how the endpoint is named in stats and logs."""
        return f"{self.method} {self.path}"

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method and self._pattern.fullmatch(path) is not None


_PAGED = ("page_size", "next_page_token")

ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint("list_users", "GET", "/users", "medium", ("status", *_PAGED)),
        Endpoint("get_user", "GET", "/users/{userId}", "light"),
        Endpoint("list_meetings", "GET", "/users/{userId}/meetings", "medium", ("type", *_PAGED)),
        Endpoint("get_meeting", "GET", "/meetings/{meetingId}", "light", ("occurrence_id",)),
        Endpoint("update_meeting", "PATCH", "/meetings/{meetingId}", "light", ("occurrence_id",)),
        Endpoint("get_user_settings", "GET", "/users/{userId}/settings", "medium", ("option",)),
        Endpoint("update_user_settings", "PATCH", "/users/{userId}/settings", "medium", ("option",)),
        Endpoint("get_account_settings", "GET", "/accounts/{accountId}/settings", "medium", ("option",)),
        Endpoint("update_account_settings", "PATCH", "/accounts/{accountId}/settings", "medium", ("option",)),
        Endpoint(
            "get_account_lock_settings", "GET", "/accounts/{accountId}/lock_settings", "medium", ("option",)
        ),
        Endpoint(
            "update_account_lock_settings",
            "PATCH",
            "/accounts/{accountId}/lock_settings",
            "medium",
            ("option",),
            spec_gaps={
                # The 2023 spec declares no query on this PATCH: its body oneOf takes
                # {"meeting_security": {...}} directly. The GET of the same path and the group
                # lock PATCH declare option=meeting_security; the client only sends it when the
                # caller passes one (controls.fix_request does for meeting_security paths).
                "option": "GET /accounts/{accountId}/lock_settings and PATCH /groups/{groupId}/lock_settings "
                "in the same spec declare option=meeting_security",
            },
        ),
        # The 2023 spec lists no query parameters (and no pagination) for List groups.
        Endpoint("list_groups", "GET", "/groups", "medium"),
        Endpoint("list_group_members", "GET", "/groups/{groupId}/members", "medium", _PAGED),
        Endpoint("get_group_settings", "GET", "/groups/{groupId}/settings", "medium", ("option",)),
        Endpoint("update_group_settings", "PATCH", "/groups/{groupId}/settings", "medium", ("option",)),
        Endpoint("get_group_lock_settings", "GET", "/groups/{groupId}/lock_settings", "medium", ("option",)),
        Endpoint(
            "update_group_lock_settings", "PATCH", "/groups/{groupId}/lock_settings", "medium", ("option",)
        ),
    )
}

OTHER_CATEGORY: Category = "medium"
"""Category assumed for a request matching no known endpoint: the smaller budget, to be safe."""


def find_endpoint(method: str, path: str) -> Endpoint | None:
    """The known endpoint a concrete request (``PATCH /meetings/85746065432``) belongs to."""
    bare = path.split("?", 1)[0]
    for endpoint in ENDPOINTS.values():
        if endpoint.matches(method, bare):
            return endpoint
    return None
