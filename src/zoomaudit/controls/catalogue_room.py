"""Controls for what happens in the room: screen sharing, breakout rooms, video, audio, muting,
chat, file transfer, annotation, recording, captions, focus mode and renaming.

Part of the catalogue (``catalogue.py`` keeps their order); what a session leaves behind and who
is in the room are in ``catalogue_records.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoomaudit.controls.catalogue_sources import (
    ACCOUNT_LOCK_T,
    ACCOUNT_T,
    ACCOUNTS_TS,
    EVERY_SETTINGS_TIER,
    GROUP_T,
    MEETING_T,
    MEETINGS_TS,
    RIVET,
    USER_T,
    USERS_TS,
    ZOOMNET,
    rivet,
    settings_paths,
)
from zoomaudit.controls.model import MISSING, Control, Derive


def _screen_share(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if primary is MISSING:
        return MISSING
    if primary is False:
        return "off"
    return "host" if inputs.get("who_can_share_screen") == "host" else "all"


def _screen_share_fields(path: str, value: Any) -> dict[str, Any]:
    section = path.rsplit(".", 1)[0]
    if value == "off":
        return {path: False}
    return {path: True, f"{section}.who_can_share_screen": "host" if value == "host" else "all"}


_CHAT_WITH = "in_meeting.allow_participants_chat_with"
_UNKNOWN_CHAT = "unknown"
_CHAT_PUBLIC_ONLY = {1, 2, 3}  # no one; host and co-hosts; everyone publicly
_CHAT_PRIVATE = 4  # everyone publicly and privately


def _private_chat(primary: Any, inputs: Mapping[str, Any]) -> Any:
    """Whether participants can message each other privately (``unknown`` for an undocumented value).

    ``primary`` is allow_participants_chat_with (an int) or, when only the older field is there,
    private_chat (a boolean)."""
    if primary is MISSING:
        return MISSING
    if inputs.get("chat") is False:  # the chat master switch: no chat of any kind
        return False
    if isinstance(primary, bool):
        return primary
    if primary == _CHAT_PRIVATE:
        return True
    if isinstance(primary, int) and primary in _CHAT_PUBLIC_ONLY:
        return False
    return _UNKNOWN_CHAT


def _private_chat_fields(path: str, value: Any) -> dict[str, Any]:
    section = path.rsplit(".", 1)[0]
    if value is False:  # keep public chat, stop private messages on current and older clients
        return {f"{section}.allow_participants_chat_with": 3, f"{section}.private_chat": False}
    return {f"{section}.allow_participants_chat_with": _CHAT_PRIVATE, f"{section}.private_chat": True}


SCREEN_SHARE = Control(
    "screen_share",
    "screen sharing",
    **settings_paths("in_meeting.screen_sharing"),
    derive=Derive(
        _screen_share,
        inputs={"who_can_share_screen": "in_meeting.who_can_share_screen"},
        encode=_screen_share_fields,
        describe="'off' when screen_sharing is false, 'host' when who_can_share_screen is host, "
        "'all' otherwise",
    ),
    labels={"host": "host only", "all": "open to all participants", "off": "off for everyone"},
    notes="No lock key exists for who_can_share_screen; the screen_sharing lock is taken to cover it. "
    "No meeting field: in-meeting features follow the host's settings.",
    sources=(
        rivet("in_meeting.screen_sharing", *EVERY_SETTINGS_TIER),
        rivet("in_meeting.who_can_share_screen", USER_T, GROUP_T, ACCOUNT_T) + " (no lock type carries it)",
    ),
)

BREAKOUT_ROOMS = Control(
    "breakout_rooms",
    "breakout rooms",
    **settings_paths("in_meeting.breakout_room"),
    notes="End-to-end encryption disables breakout rooms. The meeting's breakout_room object only "
    "pre-assigns rooms; availability is the host's setting.",
    sources=(
        rivet("in_meeting.breakout_room", *EVERY_SETTINGS_TIER),
        rivet("settings.breakout_room", MEETING_T) + " (pre-assigned rooms only)",
    ),
)

SELF_VIEW = Control(
    "self_view",
    "hiding one's own video (self-view)",
    guidance="Zoom has no API field for this: each participant hides their own video in the Zoom "
    "client (right-click or open the menu on their own video and choose 'Hide Self View'). "
    "Tell participants about it before the session, especially people who find seeing "
    "themselves distressing.",
    notes="Client-side choice only (settings-map row 10); reported as manual.",
    sources=(
        f"{RIVET}: no self-view field in any settings or meeting type of users.d.ts, "
        "accounts.d.ts or meetings.d.ts (searched for self_view / hide_self)",
    ),
)

PARTICIPANT_VIDEO = Control(
    "participant_video",
    "participant video on entry",
    meeting="settings.participant_video",
    user="schedule_meeting.participants_video",
    group="schedule_meeting.participant_video",
    group_lock="schedule_meeting.participant_video",
    account="schedule_meeting.participant_video",
    account_lock="schedule_meeting.participant_video",
    alternates={
        "user": ("schedule_meeting.participant_video",),
        "group": ("schedule_meeting.participants_video",),
        "group_lock": ("schedule_meeting.participants_video",),
        "account": ("schedule_meeting.participants_video",),
        "account_lock": ("schedule_meeting.participants_video",),
    },
    occurrence_fixable=True,
    notes="User settings spell it participants_video, every other tier participant_video; both "
    "spellings are read at every tier (the other one when the usual one is absent). Off only starts "
    "video off; participants can still turn it on.",
    sources=(
        MEETINGS_TS + "MeetingsGetMeetingResponse.settings.participant_video",
        USERS_TS + "UsersGetUserSettingsResponse.schedule_meeting.participants_video",
        USERS_TS + "GroupsGetGroupsSettingsResponse.schedule_meeting"
        ".participant_video, GroupsGetLockedSettingsResponse.schedule_meeting.participant_video",
        ACCOUNTS_TS + "AccountsGetAccountSettingsResponse.schedule_meeting"
        ".participant_video, AccountsGetLockedSettingsResponse.schedule_meeting.participant_video",
        ZOOMNET + "users-{userId}-settings_GET.json "
        "(participants_video) and groups-{groupId}-settings_GET.json (participant_video)",
    ),
)

MUTE_UPON_ENTRY = Control(
    "mute_upon_entry",
    "mute upon entry",
    meeting="settings.mute_upon_entry",
    group="schedule_meeting.mute_upon_entry",
    group_lock="schedule_meeting.mute_upon_entry",
    account="schedule_meeting.mute_upon_entry",
    account_lock="schedule_meeting.mute_upon_entry",
    default=False,
    occurrence_fixable=True,
    notes="No user field in GET user settings. The account value appears in Zoom's account settings "
    "(its settings_updated event) though not in the GET response type; the account lock key is not in "
    "Zoom's lock-settings types and is read only if Zoom sends it (an absent lock is no lock).",
    sources=(
        MEETINGS_TS + "MeetingsGetMeetingResponse.settings.mute_upon_entry",
        USERS_TS + "GroupsGetGroupsSettingsResponse.schedule_meeting"
        ".mute_upon_entry, GroupsGetLockedSettingsResponse.schedule_meeting.mute_upon_entry",
        ACCOUNTS_TS + "AccountSettingsUpdatedEvent.payload.object.settings"
        ".schedule_meeting.mute_upon_entry (absent from AccountsGetAccountSettingsResponse and from "
        "AccountsGetLockedSettingsResponse)",
        ZOOMNET + "groups-{groupId}-lock_settings_GET.json (schedule_meeting.mute_upon_entry)",
    ),
)

PRIVATE_CHAT = Control(
    "private_chat",
    "private chat between participants",
    **settings_paths(_CHAT_WITH),
    alternates={
        t: ("in_meeting.private_chat",) for t in ("user", "group", "group_lock", "account", "account_lock")
    },
    derive=Derive(
        _private_chat,
        inputs={"chat": "in_meeting.chat"},
        encode=_private_chat_fields,
        describe="off when chat is off or allow_participants_chat_with is 1-3, on when it is 4; "
        "the older private_chat decides only where allow_participants_chat_with is absent",
    ),
    labels={True: "on", False: "off", _UNKNOWN_CHAT: "not known (an undocumented chat setting)"},
    cannot_judge=(_UNKNOWN_CHAT,),
    notes="Zoom's current model: allow_participants_chat_with (1 no one, 2 host and co-hosts, 3 "
    "everyone publicly, 4 everyone publicly and privately) under the in_meeting.chat switch; the "
    "older private_chat is read where the current field is absent. An undocumented value is "
    "reported as not known, never as off.",
    sources=(
        "zoom/rivet-javascript users/users.d.ts: UsersGetUserSettingsResponse.in_meeting."
        "allow_participants_chat_with (number), in_meeting.chat, in_meeting.private_chat",
        "zoom/rivet-javascript accounts/accounts.d.ts: AccountsGetAccountSettingsResponse.in_meeting."
        "allow_participants_chat_with",
        "https://developers.zoom.us/docs/meeting-sdk/android/custom-ui/basic-features/in-meeting-chat/ "
        "(chat privileges: No_One, Host_Only, Everyone_Publicly, Everyone_Publicly_And_Privately)",
    ),
)

FILE_TRANSFER = Control(
    "file_transfer",
    "file transfer",
    **settings_paths("in_meeting.file_transfer"),
    sources=(rivet("in_meeting.file_transfer", *EVERY_SETTINGS_TIER),),
)

ANNOTATION = Control(
    "annotation",
    "annotation",
    **settings_paths("in_meeting.annotation"),
    sources=(rivet("in_meeting.annotation", *EVERY_SETTINGS_TIER),),
)

AUTO_RECORDING = Control(
    "auto_recording",
    "automatic recording",
    meeting="settings.auto_recording",
    **settings_paths("recording.auto_recording"),
    default="none",
    occurrence_fixable=True,
    labels={"none": "off", "local": "on (local)", "cloud": "on (cloud)"},
    sources=(
        rivet("recording.auto_recording", *EVERY_SETTINGS_TIER),
        rivet("settings.auto_recording", MEETING_T),
    ),
)

AUDIO = Control(
    "audio",
    "audio join options",
    meeting="settings.audio",
    **settings_paths("schedule_meeting.audio_type"),
    default="both",
    labels={
        "both": "phone and computer audio",
        "telephony": "phone only",
        "voip": "computer audio only",
        "thirdParty": "third-party audio",
    },
    sources=(
        MEETINGS_TS + "MeetingsGetMeetingResponse.settings.audio",
        USERS_TS + "UsersGetUserSettingsResponse.schedule_meeting.audio_type, "
        "GroupsGetGroupsSettingsResponse.schedule_meeting.audio_type, "
        "GroupsGetLockedSettingsResponse.schedule_meeting.audio_type (a boolean lock)",
        ACCOUNTS_TS + "AccountsGetAccountSettingsResponse.schedule_meeting"
        ".audio_type, AccountsGetLockedSettingsResponse.schedule_meeting.audio_type",
        ZOOMNET + "groups-{groupId}-lock_settings_GET.json (schedule_meeting.audio_type: true)",
    ),
)

CLOSED_CAPTIONS = Control(
    "closed_captions",
    "closed captions",
    **settings_paths("in_meeting.closed_caption"),
    alternates={t: ("in_meeting.closed_captioning.enable",) for t in ("user", "group", "account")},
    default=False,
    notes="Newer settings also hold in_meeting.closed_captioning.enable, read when closed_caption is absent.",
    sources=(
        rivet("in_meeting.closed_caption", *EVERY_SETTINGS_TIER),
        rivet("in_meeting.closed_captioning", USER_T, GROUP_T, ACCOUNT_T),
    ),
)

FOCUS_MODE = Control(
    "focus_mode",
    "the meeting starts in focus mode",
    meeting="settings.focus_mode",
    notes="Only the meeting field starts a meeting in focus mode. Whether the feature is available "
    "to the host is the separate control focus_mode_available; a lock on that availability does not "
    "start any meeting in focus mode (the focus-mode policy's check reads both).",
    sources=(rivet("settings.focus_mode", MEETING_T),),
)

FOCUS_MODE_AVAILABLE = Control(
    "focus_mode_available",
    "focus mode is available to the host",
    user="in_meeting.attention_mode_focus_mode",
    account="in_meeting.attention_mode_focus_mode",
    account_lock="in_meeting.attention_mode_focus_mode",
    notes="Makes the feature available; it does not start a meeting in focus mode. No group field "
    "or group lock.",
    sources=(
        rivet("in_meeting.attention_mode_focus_mode", USER_T, ACCOUNT_T, ACCOUNT_LOCK_T)
        + " (no group type carries it)",
    ),
)

PARTICIPANT_RENAME = Control(
    "participant_rename",
    "participants can rename themselves",
    account="in_meeting.allow_participants_to_rename",
    notes="Account only, no lock. Turning it off stops participants removing their own surname; "
    "the host must rename them.",
    sources=(
        rivet("in_meeting.allow_participants_to_rename", ACCOUNT_T)
        + " (not in the user, group or lock types)",
    ),
)
