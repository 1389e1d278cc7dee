"""Controls for who gets in and who can start a meeting: waiting room, passcode, join before host,
the Personal Meeting ID, alternative hosts, authentication, registration and encryption.

Part of the catalogue (``catalogue.py`` keeps their order); the waiting room's finer options are
in ``catalogue_waiting.py`` and the ways round a passcode in ``catalogue_passcodes.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoomaudit.controls.catalogue_sources import (
    ACCOUNT_LOCK_T,
    ACCOUNT_T,
    ACCOUNTS_TS,
    EVERY_SETTINGS_TIER,
    GROUP_LOCK_T,
    GROUP_T,
    MEETING_T,
    MEETINGS_TS,
    USER_T,
    USERS_TS,
    ZOOMNET,
    rivet,
    settings_paths,
)
from zoomaudit.controls.model import MISSING, TIERS, Control, Derive, Unknown
from zoomaudit.passcodes import presence


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


_REQUIRE_PASSCODE = "schedule_meeting.require_password_for_scheduling_new_meetings"

WAITING_ROOM = Control(
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
)

PASSCODE = Control(
    "passcode",
    "meeting passcode",
    meeting="password",
    **settings_paths(_REQUIRE_PASSCODE),
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
        + ZOOMNET[len("Jericho/ZoomNet ") :]
        + "meetings-{meetingId}_GET.json serves all four",
        rivet(_REQUIRE_PASSCODE, *EVERY_SETTINGS_TIER),
        rivet("meeting_security.meeting_password", *EVERY_SETTINGS_TIER),
        rivet("meeting_password_requirement", USER_T, GROUP_T, ACCOUNT_T)
        + " (under schedule_meeting and meeting_security)",
    ),
)

JOIN_BEFORE_HOST = Control(
    "join_before_host",
    "join before host",
    meeting="settings.join_before_host",
    **settings_paths("schedule_meeting.join_before_host"),
    default=False,
    occurrence_fixable=True,
    notes="A waiting room turns join-before-host off; end-to-end encryption disables it.",
    sources=(
        rivet("schedule_meeting.join_before_host", *EVERY_SETTINGS_TIER),
        rivet("settings.join_before_host", MEETING_T),
    ),
)

USE_PMI = Control(
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
        MEETINGS_TS + "MeetingsGetMeetingResponse.settings.use_pmi",
        USERS_TS + "UsersGetUserSettingsResponse.schedule_meeting"
        ".use_pmi_for_scheduled_meetings, GroupsGetGroupsSettingsResponse.schedule_meeting"
        ".use_pmi_for_schedule_meetings (no use_pmi key in GroupsGetLockedSettingsResponse)",
        ACCOUNTS_TS + "AccountsGetAccountSettingsResponse.schedule_meeting"
        ".use_pmi_for_scheduled_meetings, AccountsGetLockedSettingsResponse.schedule_meeting"
        ".use_pmi_for_scheduled_meetings",
        ZOOMNET + "groups-{groupId}-settings_GET.json (use_pmi_for_schedule_meetings)",
    ),
)

ALTERNATIVE_HOSTS = Control(
    "alternative_hosts",
    "alternative hosts",
    meeting="settings.alternative_hosts",
    default="",
    labels={"": "empty"},
    notes="A semicolon-separated list of e-mails or user ids. An absent list names no one.",
    sources=(rivet("settings.alternative_hosts", MEETING_T) + " (no settings tier has it)",),
)

MEETING_AUTHENTICATION = Control(
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
        MEETINGS_TS + "MeetingsGetMeetingResponse.settings.meeting_authentication",
        USERS_TS + "UsersGetUserSettingsResponse, a union of views whose "
        "meeting_authentication view is either {meeting_authentication, authentication_options[], "
        "allow_authentication_exception} or {authentication_options: {meeting_authentication: "
        "{meeting_authentication, authentication_options[], allow_authentication_exception}}}",
        USERS_TS + "GroupsGetGroupsSettingsResponse.meeting_authentication, "
        "GroupsGetLockedSettingsResponse.schedule_meeting.meeting_authentication",
        ACCOUNTS_TS + "AccountsGetAccountSettingsResponse"
        ".meeting_authentication, AccountsGetLockedSettingsResponse.schedule_meeting"
        ".meeting_authentication",
        ZOOMNET + "users-{userId}-settings_GET.json (the flat shape)",
    ),
)

REGISTRATION = Control(
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
)

ENCRYPTION = Control(
    "encryption",
    "encryption type",
    meeting="settings.encryption_type",
    **settings_paths("meeting_security.encryption_type"),
    labels={"e2ee": "end-to-end", "enhanced_encryption": "enhanced"},
    notes="End-to-end encryption disables breakout rooms, join before host, cloud recording and "
    "1:1 private chat.",
    sources=(
        rivet("settings.encryption_type", MEETING_T),
        rivet("meeting_security.encryption_type", *EVERY_SETTINGS_TIER),
    ),
)
