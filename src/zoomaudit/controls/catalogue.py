"""The catalogue itself: every control of docs/controls.md, each with its field at every tier.

The original 22 are here; the later ones (catalogue_records.py: what a session leaves behind and
who is in the room; catalogue_passcodes.py: the ways round a passcode) are appended, 30 in all.
Facts from ../shared/zoom-api/settings-map.md; ``model.py`` says how a path is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoomaudit.controls.catalogue_passcodes import PASSCODE_ROUTES
from zoomaudit.controls.catalogue_records import RECORDS_AND_PRESENCE
from zoomaudit.controls.catalogue_waiting import WAITING_ROOM_OPTIONS
from zoomaudit.controls.model import MISSING, TIERS, Control, Derive, Unknown
from zoomaudit.passcodes import presence

# --- sources ------------------------------------------------------------------------------
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


_EVERY_SETTINGS_TIER = (USER_T, GROUP_T, GROUP_LOCK_T, ACCOUNT_T, ACCOUNT_LOCK_T)

# --- derivations -------------------------------------------------------------------------


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


def _requires_passcode(primary: Any, inputs: Mapping[str, Any]) -> Any:
    # User, group and account tiers: "require a passcode for new meetings" (a boolean).
    return MISSING if primary is MISSING else bool(primary)


PASSCODE_UNKNOWN = (
    "the meeting passcode cannot be judged: Zoom sent no password, no pwd= in join_url, and no "
    "encrypted_password or pstn_password for this meeting"
)


def _has_passcode(primary: Any, inputs: Mapping[str, Any]) -> Any:
    """The meeting tier: whether the meeting has a passcode, from its own passcode fields only
    (``zoomaudit.passcodes.presence``); ``Unknown`` when none of them tells. The host's "require a
    passcode" setting says nothing of an existing meeting, so it is never the fallback."""
    fields = dict(inputs)
    if primary is not MISSING:
        fields["password"] = primary
    found = presence(fields).has_passcode
    return Unknown(PASSCODE_UNKNOWN) if found is None else found


def _uses_pmi(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if inputs.get("type") == 4:  # the PMI meeting itself
        return True
    return primary


def _settings(path: str, *, group: bool = True, group_lock: bool = True, lock: bool = True) -> dict[str, Any]:
    """The common case: the same path in user, group and account settings and both lock documents."""
    return {
        "user": path,
        "group": path if group else None,
        "group_lock": path if group_lock else None,
        "account": path,
        "account_lock": path if lock else None,
    }


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


_REQUIRE_PASSCODE = "schedule_meeting.require_password_for_scheduling_new_meetings"
# Where sources are cited (repository and file; the fields follow).
_MEETINGS_TS = "zoom/rivet-javascript meetings/meetings.d.ts: "
_USERS_TS = "zoom/rivet-javascript users/users.d.ts: "
_ACCOUNTS_TS = "zoom/rivet-javascript accounts/accounts.d.ts: "
_ZOOMNET = "Jericho/ZoomNet Source/ZoomNet.UnitTests/SampleData/Endpoints/"

_CONTROLS: tuple[Control, ...] = (
    Control(
        "waiting_room",
        "waiting room",
        meeting="settings.waiting_room",
        user="in_meeting.waiting_room",
        group="in_meeting.waiting_room",
        group_lock="in_meeting.waiting_room",
        account="meeting_security.waiting_room",
        account_lock="meeting_security.waiting_room",
        alternates={
            "user": ("meeting_security.waiting_room",),
            "group": ("meeting_security.waiting_room",),
            "group_lock": ("meeting_security.waiting_room",),
        },
        default=False,
        occurrence_fixable=True,
        notes="Turning the waiting room on turns join-before-host off. Account settings keep it only "
        "under meeting_security (option=meeting_security).",
        sources=(
            rivet("settings.waiting_room", MEETING_T),
            rivet("in_meeting.waiting_room", USER_T, GROUP_T, GROUP_LOCK_T),
            rivet("meeting_security.waiting_room", GROUP_T, GROUP_LOCK_T, ACCOUNT_T, ACCOUNT_LOCK_T)
            + " (the account has no in_meeting.waiting_room)",
        ),
    ),
    *WAITING_ROOM_OPTIONS,
    Control(
        "passcode",
        "meeting passcode",
        meeting="password",
        user=_REQUIRE_PASSCODE,
        group=_REQUIRE_PASSCODE,
        group_lock=_REQUIRE_PASSCODE,
        account=_REQUIRE_PASSCODE,
        account_lock=_REQUIRE_PASSCODE,
        alternates={t: ("meeting_security.meeting_password",) for t in TIERS if t != "meeting"},
        derive=Derive(
            _requires_passcode,
            meeting_fn=_has_passcode,
            meeting_inputs={f: f for f in ("join_url", "encrypted_password", "pstn_password")},
            describe="meeting: the meeting's passcode fields (password, else pwd= in join_url, else "
            "encrypted_password, else pstn_password) show a passcode; other tiers: passcodes are "
            "required for new meetings",
        ),
        labels={True: "set", False: "not set"},
        fix_placeholder="generate",
        meeting_beats_locks=True,
        extra_paths={
            "requirement": "schedule_meeting.meeting_password_requirement",
            "requirement_alt": "meeting_security.meeting_password_requirement",
        },
        notes="The passcode is the top-level password of the meeting, never shown in reports. A "
        "meeting's passcode is judged from the meeting alone, even under a lock (a lock on requiring "
        "passcodes makes Zoom generate one for new meetings, not for stored ones): a non-empty "
        "password is a passcode and an empty one is none; when Zoom omits the password key, a pwd= in "
        "join_url, a non-empty encrypted_password or a non-empty pstn_password (the phone passcode, "
        "which Zoom generates only for a meeting that has a passcode, support.zoom.com KB0066465) "
        "shows one whose text is not served, so its strength cannot be judged; when none of them "
        "tells, both passcode policies give an error (cannot be judged), never a pass. The host's "
        "'require a passcode' setting decides only a host-level audit (no meeting). A fix value of "
        "'generate' asks the planner for a passcode meeting the host's requirement. Rules: "
        "zoomaudit.passcodes.",
        sources=(
            rivet("password", MEETING_T),
            rivet("join_url", MEETING_T) + " (the passcode as pwd= when embedded in the link)",
            rivet("encrypted_password", MEETING_T),
            rivet("pstn_password", MEETING_T)
            + "; Jericho/ZoomNet "
            + _ZOOMNET[len("Jericho/ZoomNet ") :]
            + "meetings-{meetingId}_GET.json serves all four",
            rivet(_REQUIRE_PASSCODE, *_EVERY_SETTINGS_TIER),
            rivet("meeting_security.meeting_password", *_EVERY_SETTINGS_TIER),
            rivet("meeting_password_requirement", USER_T, GROUP_T, ACCOUNT_T)
            + " (under schedule_meeting and meeting_security)",
        ),
    ),
    Control(
        "screen_share",
        "screen sharing",
        **_settings("in_meeting.screen_sharing"),
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
            rivet("in_meeting.screen_sharing", *_EVERY_SETTINGS_TIER),
            rivet("in_meeting.who_can_share_screen", USER_T, GROUP_T, ACCOUNT_T)
            + " (no lock type carries it)",
        ),
    ),
    Control(
        "breakout_rooms",
        "breakout rooms",
        **_settings("in_meeting.breakout_room"),
        notes="End-to-end encryption disables breakout rooms. The meeting's breakout_room object only "
        "pre-assigns rooms; availability is the host's setting.",
        sources=(
            rivet("in_meeting.breakout_room", *_EVERY_SETTINGS_TIER),
            rivet("settings.breakout_room", MEETING_T) + " (pre-assigned rooms only)",
        ),
    ),
    Control(
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
    ),
    Control(
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
            _MEETINGS_TS + "MeetingsGetMeetingResponse.settings.participant_video",
            _USERS_TS + "UsersGetUserSettingsResponse.schedule_meeting.participants_video",
            _USERS_TS + "GroupsGetGroupsSettingsResponse.schedule_meeting"
            ".participant_video, GroupsGetLockedSettingsResponse.schedule_meeting.participant_video",
            _ACCOUNTS_TS + "AccountsGetAccountSettingsResponse.schedule_meeting"
            ".participant_video, AccountsGetLockedSettingsResponse.schedule_meeting.participant_video",
            _ZOOMNET + "users-{userId}-settings_GET.json "
            "(participants_video) and groups-{groupId}-settings_GET.json (participant_video)",
        ),
    ),
    Control(
        "join_before_host",
        "join before host",
        meeting="settings.join_before_host",
        **_settings("schedule_meeting.join_before_host"),
        default=False,
        occurrence_fixable=True,
        notes="A waiting room turns join-before-host off; end-to-end encryption disables it.",
        sources=(
            rivet("schedule_meeting.join_before_host", *_EVERY_SETTINGS_TIER),
            rivet("settings.join_before_host", MEETING_T),
        ),
    ),
    Control(
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
            _MEETINGS_TS + "MeetingsGetMeetingResponse.settings.mute_upon_entry",
            _USERS_TS + "GroupsGetGroupsSettingsResponse.schedule_meeting"
            ".mute_upon_entry, GroupsGetLockedSettingsResponse.schedule_meeting.mute_upon_entry",
            _ACCOUNTS_TS + "AccountSettingsUpdatedEvent.payload.object.settings"
            ".schedule_meeting.mute_upon_entry (absent from AccountsGetAccountSettingsResponse and from "
            "AccountsGetLockedSettingsResponse)",
            _ZOOMNET + "groups-{groupId}-lock_settings_GET.json (schedule_meeting.mute_upon_entry)",
        ),
    ),
    Control(
        "use_pmi",
        "Personal Meeting ID",
        meeting="settings.use_pmi",
        user="schedule_meeting.use_pmi_for_scheduled_meetings",
        group="schedule_meeting.use_pmi_for_schedule_meetings",
        account="schedule_meeting.use_pmi_for_scheduled_meetings",
        account_lock="schedule_meeting.use_pmi_for_scheduled_meetings",
        alternates={"group": ("schedule_meeting.use_pmi_for_scheduled_meetings",)},
        derive=Derive(_uses_pmi, meeting_inputs={"type": "type"}, describe="a type 4 meeting is the PMI"),
        default=False,
        labels={True: "used", False: "not used"},
        notes="Group settings spell it use_pmi_for_schedule_meetings (no 'd'); the user and account "
        "spelling is read there too when Zoom sends it. No group lock key exists. A meeting of type 4 is "
        "the PMI itself.",
        sources=(
            _MEETINGS_TS + "MeetingsGetMeetingResponse.settings.use_pmi",
            _USERS_TS + "UsersGetUserSettingsResponse.schedule_meeting"
            ".use_pmi_for_scheduled_meetings, GroupsGetGroupsSettingsResponse.schedule_meeting"
            ".use_pmi_for_schedule_meetings (no use_pmi key in GroupsGetLockedSettingsResponse)",
            _ACCOUNTS_TS + "AccountsGetAccountSettingsResponse.schedule_meeting"
            ".use_pmi_for_scheduled_meetings, AccountsGetLockedSettingsResponse.schedule_meeting"
            ".use_pmi_for_scheduled_meetings",
            _ZOOMNET + "groups-{groupId}-settings_GET.json (use_pmi_for_schedule_meetings)",
        ),
    ),
    Control(
        "private_chat",
        "private chat between participants",
        **_settings(_CHAT_WITH),
        alternates={
            t: ("in_meeting.private_chat",)
            for t in ("user", "group", "group_lock", "account", "account_lock")
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
    ),
    Control(
        "file_transfer",
        "file transfer",
        **_settings("in_meeting.file_transfer"),
        sources=(rivet("in_meeting.file_transfer", *_EVERY_SETTINGS_TIER),),
    ),
    Control(
        "annotation",
        "annotation",
        **_settings("in_meeting.annotation"),
        sources=(rivet("in_meeting.annotation", *_EVERY_SETTINGS_TIER),),
    ),
    Control(
        "auto_recording",
        "automatic recording",
        meeting="settings.auto_recording",
        **_settings("recording.auto_recording"),
        default="none",
        occurrence_fixable=True,
        labels={"none": "off", "local": "on (local)", "cloud": "on (cloud)"},
        sources=(
            rivet("recording.auto_recording", *_EVERY_SETTINGS_TIER),
            rivet("settings.auto_recording", MEETING_T),
        ),
    ),
    Control(
        "alternative_hosts",
        "alternative hosts",
        meeting="settings.alternative_hosts",
        default="",
        labels={"": "empty"},
        notes="A semicolon-separated list of e-mails or user ids. An absent list names no one.",
        sources=(rivet("settings.alternative_hosts", MEETING_T) + " (no settings tier has it)",),
    ),
    Control(
        "audio",
        "audio join options",
        meeting="settings.audio",
        user="schedule_meeting.audio_type",
        group="schedule_meeting.audio_type",
        group_lock="schedule_meeting.audio_type",
        account="schedule_meeting.audio_type",
        account_lock="schedule_meeting.audio_type",
        default="both",
        labels={
            "both": "phone and computer audio",
            "telephony": "phone only",
            "voip": "computer audio only",
            "thirdParty": "third-party audio",
        },
        sources=(
            _MEETINGS_TS + "MeetingsGetMeetingResponse.settings.audio",
            _USERS_TS + "UsersGetUserSettingsResponse.schedule_meeting.audio_type, "
            "GroupsGetGroupsSettingsResponse.schedule_meeting.audio_type, "
            "GroupsGetLockedSettingsResponse.schedule_meeting.audio_type (a boolean lock)",
            _ACCOUNTS_TS + "AccountsGetAccountSettingsResponse.schedule_meeting"
            ".audio_type, AccountsGetLockedSettingsResponse.schedule_meeting.audio_type",
            _ZOOMNET + "groups-{groupId}-lock_settings_GET.json (schedule_meeting.audio_type: true)",
        ),
    ),
    Control(
        "closed_captions",
        "closed captions",
        **_settings("in_meeting.closed_caption"),
        alternates={t: ("in_meeting.closed_captioning.enable",) for t in ("user", "group", "account")},
        default=False,
        notes="Newer settings also hold in_meeting.closed_captioning.enable, read when closed_caption "
        "is absent.",
        sources=(
            rivet("in_meeting.closed_caption", *_EVERY_SETTINGS_TIER),
            rivet("in_meeting.closed_captioning", USER_T, GROUP_T, ACCOUNT_T),
        ),
    ),
    Control(
        "focus_mode",
        "the meeting starts in focus mode",
        meeting="settings.focus_mode",
        notes="Only the meeting field starts a meeting in focus mode. Whether the feature is available "
        "to the host is the separate control focus_mode_available; a lock on that availability does not "
        "start any meeting in focus mode (the focus-mode policy's check reads both).",
        sources=(rivet("settings.focus_mode", MEETING_T),),
    ),
    Control(
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
    ),
    Control(
        "meeting_authentication",
        "only authenticated users can join",
        meeting="settings.meeting_authentication",
        user="meeting_authentication",
        group="meeting_authentication",
        group_lock="schedule_meeting.meeting_authentication",
        account="meeting_authentication",
        account_lock="schedule_meeting.meeting_authentication",
        alternates={"user": ("authentication_options.meeting_authentication.meeting_authentication",)},
        notes="User, group and account values come from option=meeting_authentication. Zoom documents two "
        "shapes of the user view: flat (meeting_authentication at the top) and nested "
        "(authentication_options.meeting_authentication.meeting_authentication); both are read.",
        sources=(
            _MEETINGS_TS + "MeetingsGetMeetingResponse.settings.meeting_authentication",
            _USERS_TS + "UsersGetUserSettingsResponse, a union of views whose "
            "meeting_authentication view is either {meeting_authentication, authentication_options[], "
            "allow_authentication_exception} or {authentication_options: {meeting_authentication: "
            "{meeting_authentication, authentication_options[], allow_authentication_exception}}}",
            _USERS_TS + "GroupsGetGroupsSettingsResponse.meeting_authentication, "
            "GroupsGetLockedSettingsResponse.schedule_meeting.meeting_authentication",
            _ACCOUNTS_TS + "AccountsGetAccountSettingsResponse"
            ".meeting_authentication, AccountsGetLockedSettingsResponse.schedule_meeting"
            ".meeting_authentication",
            _ZOOMNET + "users-{userId}-settings_GET.json (the flat shape)",
        ),
    ),
    Control(
        "registration",
        "registration",
        meeting="settings.approval_type",
        default=2,
        labels={
            0: "required, approved automatically",
            1: "required, approved by the host",
            2: "not required",
        },
        notes="Registration is per meeting; no user, group or account field.",
        sources=(rivet("settings.approval_type", MEETING_T) + " (no settings tier has it)",),
    ),
    Control(
        "encryption",
        "encryption type",
        meeting="settings.encryption_type",
        user="meeting_security.encryption_type",
        group="meeting_security.encryption_type",
        group_lock="meeting_security.encryption_type",
        account="meeting_security.encryption_type",
        account_lock="meeting_security.encryption_type",
        labels={"e2ee": "end-to-end", "enhanced_encryption": "enhanced"},
        notes="End-to-end encryption disables breakout rooms, join before host, cloud recording and "
        "1:1 private chat.",
        sources=(
            rivet("settings.encryption_type", MEETING_T),
            rivet("meeting_security.encryption_type", *_EVERY_SETTINGS_TIER),
        ),
    ),
    Control(
        "participant_rename",
        "participants can rename themselves",
        account="in_meeting.allow_participants_to_rename",
        notes="Account only, no lock. Turning it off stops participants removing their own surname; "
        "the host must rename them.",
        sources=(
            rivet("in_meeting.allow_participants_to_rename", ACCOUNT_T)
            + " (not in the user, group or lock types)",
        ),
    ),
    *RECORDS_AND_PRESENCE,
    *PASSCODE_ROUTES,
)

CATALOGUE: dict[str, Control] = {c.name: c for c in _CONTROLS}
"""Every control by name (docs/controls.md is generated from it)."""


def get_control(name: str) -> Control:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown control {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None
