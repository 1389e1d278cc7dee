"""Where the catalogue's facts come from: Zoom's SDK types and sample payloads, cited per control.

Shared by ``catalogue_entry`` and ``catalogue_room``; ``settings_paths`` is the common tier layout.
"""

from __future__ import annotations

from typing import Any

# Zoom's own SDK types, generated from its current API specs (zoom/rivet-javascript 0.3.0). The
# response types that hold each tier's settings:
RIVET = "zoom/rivet-javascript 0.3.0"
USER_T = "users.d.ts UsersGetUserSettingsResponse"
GROUP_T = "users.d.ts GroupsGetGroupsSettingsResponse"
GROUP_LOCK_T = "users.d.ts GroupsGetLockedSettingsResponse"
ACCOUNT_T = "accounts.d.ts AccountsGetAccountSettingsResponse"
ACCOUNT_LOCK_T = "accounts.d.ts AccountsGetLockedSettingsResponse"
MEETING_T = "meetings.d.ts MeetingsGetMeetingResponse"


def rivet(path: str, *types: str) -> str:
    """A source line: ``path`` as it appears in each of ``types`` in Zoom's SDK types."""
    return f"{RIVET}: `{path}` in " + ", ".join(types)


EVERY_SETTINGS_TIER = (USER_T, GROUP_T, GROUP_LOCK_T, ACCOUNT_T, ACCOUNT_LOCK_T)


def settings_paths(
    path: str, *, group: bool = True, group_lock: bool = True, lock: bool = True
) -> dict[str, Any]:
    """The common case: the same path in user, group and account settings and both lock documents."""
    return {
        "user": path,
        "group": path if group else None,
        "group_lock": path if group_lock else None,
        "account": path,
        "account_lock": path if lock else None,
    }


# Where sources are cited (repository and file; the fields follow).
MEETINGS_TS = "zoom/rivet-javascript meetings/meetings.d.ts: "
USERS_TS = "zoom/rivet-javascript users/users.d.ts: "
ACCOUNTS_TS = "zoom/rivet-javascript accounts/accounts.d.ts: "
ZOOMNET = "Jericho/ZoomNet Source/ZoomNet.UnitTests/SampleData/Endpoints/"
