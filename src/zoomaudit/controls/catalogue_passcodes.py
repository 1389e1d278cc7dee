"""Controls for the ways round a meeting passcode (issue 12): dial-in and forwarded links.

A passcode only keeps people out if every way in asks for it. Callers joining by phone are asked
for a numeric phone passcode only when the host's settings say so, and a host can have the
passcode built into the join link, so that the link alone lets anyone in. ``catalogue.py``
appends these to the catalogue; ``model.py`` says how a path is read.

Fields and tiers come from Zoom's own SDK types, release 0.3.0 of zoom/rivet-javascript, checked
type by type (``users.d.ts`` holds the user and group types, ``accounts.d.ts`` the account's),
and cross-checked against the recorded payloads in Jericho/ZoomNet. Each setting has two names,
one under ``schedule_meeting`` and one under ``meeting_security``; every tier reads the names its
types carry (the other as an alternate), and a lock on either name locks the setting. Zoom
documents no default for either, so an unstated value is unknown (an ``error`` finding), never a
pass.
"""

from __future__ import annotations

from zoomaudit.controls.model import Control

_RIVET = "zoom/rivet-javascript 0.3.0"
_ZOOMNET = "Jericho/ZoomNet Source/ZoomNet.UnitTests/SampleData/Endpoints"
_MEETINGS_TS = f"{_RIVET} meetings/meetings.d.ts:"
_USERS_TS = f"{_RIVET} users/users.d.ts:"
_ACCOUNTS_TS = f"{_RIVET} accounts/accounts.d.ts:"
_SPEC = "../shared/zoom-api/ZoomMeetingAPISpec.json (2023)"

# --- passcode for callers joining by phone -------------------------------------------------------

_PSTN = "schedule_meeting.pstn_password_protected"
_PHONE = "meeting_security.phone_password"


# --- passcode carried in the join link ---------------------------------------------------------

_EMBED_SM = "schedule_meeting.embed_password_in_join_link"
_EMBED_MS = "meeting_security.embed_password_in_join_link"


PASSCODE_ROUTES: tuple[Control, ...] = (
    Control(
        "phone_passcode",
        "passcode for callers joining by phone",
        user=_PSTN,
        group=_PSTN,
        group_lock=_PSTN,
        account=_PHONE,
        account_lock=_PHONE,
        alternates={"user": (_PHONE,), "group": (_PHONE,), "group_lock": (_PHONE,)},
        labels={True: "required", False: "not required"},
        notes="Zoom asks callers for a numeric passcode only when the meeting has a passcode and this "
        "setting is on (an alphanumeric passcode gets a numeric version), so a meeting without a "
        "passcode is not judged by this control's policy: passcode-required reports it. A meeting's "
        "pstn_password is not evidence either way: Zoom serves the numeric version of a meeting's "
        "passcode there whether or not callers are asked for it, so only the settings tiers decide. "
        "The account has only the "
        "meeting_security name (its schedule_meeting.pstn_password_protected appears only in the "
        "account.settings_updated event, typed as a string, and is not read). The fix is at the user "
        "tier.",
        sources=(
            f"{_USERS_TS} UsersGetUserSettingsResponse.schedule_meeting.pstn_password_protected and"
            " .meeting_security.phone_password; the same two in UsersUpdateUserSettingsRequestBody",
            f"{_USERS_TS} GroupsGetGroupsSettingsResponse.schedule_meeting.pstn_password_protected,"
            " .meeting_security.phone_password; GroupsGetLockedSettingsResponse.schedule_meeting"
            ".pstn_password_protected, .meeting_security.phone_password",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.meeting_security.phone_password;"
            " AccountsGetLockedSettingsResponse.meeting_security.phone_password (neither type has"
            " schedule_meeting.pstn_password_protected)",
            f"{_SPEC}: phone_password 'If enabled and the meeting is passcode-protected, a numeric "
            "passcode is required for participants to join by phone'; pstn_password_protected "
            "'Generate and require passcode for participants joining by phone'",
            f"{_ZOOMNET}/meetings-{{meetingId}}_GET.json (pstn_password), users-{{userId}}-settings_GET"
            ".json, groups-{groupId}-lock_settings_GET.json, accounts-{accountId}-settings_GET.json",
        ),
    ),
    Control(
        "passcode_in_link",
        "passcode built into the join link",
        user=_EMBED_SM,
        group=_EMBED_SM,
        group_lock=_EMBED_SM,
        account=_EMBED_MS,
        account_lock=_EMBED_MS,
        alternates={
            "user": (_EMBED_MS,),
            "group": (_EMBED_MS,),
            "group_lock": (_EMBED_MS,),
            "account_lock": (_EMBED_SM,),
        },
        labels={
            True: "on (the join link carries the passcode)",
            False: "off (people who follow the link still type the passcode)",
        },
        notes="When on, Zoom encrypts the meeting's passcode into the join link: the meeting's "
        "join_url (and every invitation, calendar entry or message it is pasted into) carries "
        "pwd=, so whoever holds the link is let in without typing anything. No meeting field: the "
        "host's setting applies to every meeting it schedules. The account has only the "
        "meeting_security name; its lock document has both. The user update body accepts "
        "schedule_meeting.embed_password_in_join_link, so the fix is at the user tier.",
        sources=(
            f"{_USERS_TS} UsersGetUserSettingsResponse.schedule_meeting.embed_password_in_join_link and"
            " .meeting_security.embed_password_in_join_link; both in UsersUpdateUserSettingsRequestBody",
            f"{_USERS_TS} GroupsGetGroupsSettingsResponse and GroupsGetLockedSettingsResponse:"
            " schedule_meeting.embed_password_in_join_link, meeting_security.embed_password_in_join_link",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.meeting_security"
            ".embed_password_in_join_link (no schedule_meeting name); AccountsGetLockedSettingsResponse"
            ".schedule_meeting.embed_password_in_join_link and .meeting_security"
            ".embed_password_in_join_link",
            f"{_SPEC}: embed_password_in_join_link 'the meeting passcode will be encrypted and included "
            "in the join meeting link to allow participants to join with just one click without "
            "having to enter the passcode'",
            f"{_ZOOMNET}/users-{{userId}}-settings_GET.json, groups-{{groupId}}-settings_GET.json,"
            " accounts-{accountId}-lock_settings_GET.json (embed_password_in_join_link)",
        ),
    ),
)
"""Appended to the catalogue after the records-and-presence controls (docs/controls.md prints them
last)."""
