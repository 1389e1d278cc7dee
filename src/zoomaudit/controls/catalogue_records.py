"""Controls for what a session leaves behind and who is in the room (issue 12).

What outlasts a session: a continuous chat channel, an AI Companion summary e-mailed after it, a
recording made with or without consent or on someone's own device. Who is in the room: guests
from outside the account, and people the host removed. ``catalogue.py`` appends these to the
catalogue; ``model.py`` says how a path is read.

Fields and tiers come from Zoom's own SDK types, release 0.4.0 of zoom/rivet-javascript (December
2025, branch ``release-0.4.0``), cross-checked against the recorded payloads in Jericho/ZoomNet.
Where those types have no field at a tier, the tier has none here. Zoom documents no default for
any of these settings, so an unstated value is unknown (an ``error`` finding), never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoomaudit.controls.catalogue_sources import settings_paths
from zoomaudit.controls.model import MISSING, Control, Derive

_RIVET = "zoom/rivet-javascript 0.4.0"
_ZOOMNET = "Jericho/ZoomNet Source/ZoomNet.UnitTests/SampleData/Endpoints"
_MEETINGS_TS = f"{_RIVET} meetings/meetings.d.ts:"
_USERS_TS = f"{_RIVET} users/users.d.ts:"
_ACCOUNTS_TS = f"{_RIVET} accounts/accounts.d.ts:"

# --- continuous meeting chat ------------------------------------------------------------------

_CHAT = "schedule_meeting.continuous_meeting_chat"


def _continuous_chat(primary: Any, inputs: Mapping[str, Any]) -> Any:
    # "external" is worse than plain on: people the organisation does not manage join the channel
    # without anyone adding them by hand.
    if primary is True and inputs.get("external") is True:
        return "external"
    return primary


# --- AI Companion meeting summary -------------------------------------------------------------

_SUMMARY = "in_meeting.meeting_summary_with_ai_companion"
# who_will_receive_summary (Jericho/ZoomNet Source/ZoomNet/Models/WhoWillReceiveSummary.cs):
# 1 host only; 2 host, co-hosts and alternative hosts; 3 host and invitees in the organisation;
# 4 every invitee, including people outside the organisation.
_RECIPIENTS = {1: "host", 2: "hosts", 3: "organisation", 4: "everyone"}


def _ai_summary(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if primary is MISSING:
        return MISSING
    if inputs.get("available") is False:  # the feature itself is off for the host
        return False
    if primary is not True:
        return primary
    recipients = inputs.get("recipients")
    if isinstance(recipients, bool) or not isinstance(recipients, int):
        return True  # started automatically; who receives it is not stated
    return _RECIPIENTS.get(recipients, True)


# --- recording disclaimer and consent ---------------------------------------------------------

_CONSENT = "recording.ask_participants_to_consent_disclaimer"


def _recording_consent(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if primary is False:
        return "off"
    if primary is not True:
        return primary  # MISSING, or a value Zoom does not document (the verdict says so)
    consent = inputs.get("consent")
    if consent is True:
        return "consent"
    if consent is False:
        return "notice"
    # A disclaimer whose consent question no tier states cannot be judged: MISSING sends the
    # resolver on, and with nothing below and no documented default the finding is an error.
    return MISSING


def _recording_consent_fields(path: str, value: Any) -> dict[str, Any]:
    if value == "off":
        return {path: False}
    return {path: True, _CONSENT: value == "consent"}


RECORDS_AND_PRESENCE: tuple[Control, ...] = (
    Control(
        "continuous_chat",
        "continuous meeting chat",
        meeting="settings.continuous_meeting_chat.enable",
        user=f"{_CHAT}.enable",
        group=f"{_CHAT}.enable",
        group_lock=_CHAT,
        account=f"{_CHAT}.enable",
        account_lock=_CHAT,
        derive=Derive(
            _continuous_chat,
            inputs={"external": f"{_CHAT}.auto_add_invited_external_users"},
            meeting_inputs={"external": "settings.continuous_meeting_chat.auto_add_invited_external_users"},
            describe="'external' when the chat is on and invited users from outside the account are "
            "added to it automatically; otherwise the enable flag",
        ),
        labels={
            False: "off",
            True: "on (a chat channel that stays open after the session)",
            "external": "on, and invited people from outside the organisation are added to its channel "
            "automatically",
        },
        notes="A Team Chat channel tied to the meeting, open before and after it. The lock key is the "
        "boolean schedule_meeting.continuous_meeting_chat. Users cannot PATCH it in their own settings "
        "(absent from the user update body), so the fix is per meeting.",
        sources=(
            f"{_MEETINGS_TS} MeetingsGetMeetingResponse.settings.continuous_meeting_chat"
            " {enable, auto_add_invited_external_users, auto_add_meeting_participants, channel_id}; the"
            " same object in MeetingsUpdateMeetingRequestBody.settings",
            f"{_USERS_TS} UsersGetUserSettingsResponse.schedule_meeting"
            ".continuous_meeting_chat {enable, can_add_external_users, auto_add_invited_external_users};"
            " GroupsGetGroupsSettingsResponse.schedule_meeting.continuous_meeting_chat;"
            " GroupsGetLockedSettingsResponse.schedule_meeting.continuous_meeting_chat (boolean)",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.schedule_meeting"
            ".continuous_meeting_chat; AccountsGetLockedSettingsResponse.schedule_meeting"
            ".continuous_meeting_chat",
            f"{_ZOOMNET}/meetings-{{meetingId}}_GET.json, users-{{userId}}-settings_GET.json, "
            "accounts-{accountId}-lock_settings_GET.json",
        ),
    ),
    Control(
        "ai_summary",
        "AI Companion meeting summary",
        meeting="settings.auto_start_meeting_summary",
        user=f"{_SUMMARY}.auto_enable",
        account=f"{_SUMMARY}.auto_enable",
        derive=Derive(
            _ai_summary,
            inputs={"recipients": f"{_SUMMARY}.who_will_receive_summary", "available": f"{_SUMMARY}.enable"},
            meeting_inputs={"recipients": "settings.who_will_receive_summary"},
            describe="false when the summary is not started automatically (or the feature is off); "
            "when it is, who receives it: host, hosts, organisation, everyone (true: not stated)",
        ),
        labels={
            False: "not started automatically",
            True: "started automatically (who receives it is not stated)",
            "host": "started automatically and sent to the host only",
            "hosts": "started automatically and sent to the host, co-hosts and alternative hosts",
            "organisation": "started automatically and sent to the host and invitees in the organisation",
            "everyone": "started automatically and sent to every invitee, including people outside the "
            "organisation",
        },
        notes="Groups have no field and no tier has a lock key for it. Only an automatic start is "
        "judged: Zoom's types do not say whether who_will_receive_summary also covers a summary the "
        "host starts by hand. The user and account fields are not in their PATCH bodies, so the fix "
        "is per meeting.",
        sources=(
            f"{_MEETINGS_TS} MeetingsGetMeetingResponse.settings.auto_start_meeting_summary,"
            " who_will_receive_summary (1 | 2 | 3 | 4); the same fields in MeetingsUpdateMeetingRequestBody"
            ".settings",
            f"{_USERS_TS} UsersGetUserSettingsResponse.in_meeting"
            ".meeting_summary_with_ai_companion {enable, auto_enable, who_will_receive_summary}",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.in_meeting.meeting_summary_with_ai_companion",
            "Jericho/ZoomNet Source/ZoomNet/Models/WhoWillReceiveSummary.cs (the meaning of 1-4)",
            f"{_ZOOMNET}/meetings-{{meetingId}}_GET.json, users-{{userId}}-settings_GET.json",
        ),
    ),
    Control(
        "recording_consent",
        "recording disclaimer and consent",
        user="recording.recording_disclaimer",
        account="recording.recording_disclaimer",
        derive=Derive(
            _recording_consent,
            inputs={"consent": _CONSENT},
            encode=_recording_consent_fields,
            describe="'off' without a disclaimer; with one, 'consent' when it asks participants to "
            "consent and 'notice' when it does not",
        ),
        labels={
            "off": "off (no recording disclaimer)",
            "notice": "a disclaimer that does not ask participants to consent",
            "consent": "participants are asked to consent when recording starts",
        },
        notes="No meeting or group field and no lock key. ask_host_to_confirm_disclaimer only makes the "
        "host confirm; it asks no participant. The account's consent flag is documented only in the "
        "account.settings_updated event, so it is read where present.",
        sources=(
            f"{_USERS_TS} UsersGetUserSettingsResponse.recording.recording_disclaimer,"
            " ask_participants_to_consent_disclaimer, ask_host_to_confirm_disclaimer; the same fields in"
            " UsersUpdateUserSettingsRequestBody.recording",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.recording.recording_disclaimer;"
            " AccountSettingsUpdatedEvent ...settings.recording.ask_participants_to_consent_disclaimer",
            f"{_ZOOMNET}/users-{{userId}}-settings_GET.json (recording_disclaimer,"
            " ask_participants_to_consent_disclaimer)",
        ),
    ),
    Control(
        "local_recording",
        "local recording",
        **settings_paths("recording.local_recording"),
        notes="One switch for hosts and participants alike: the API has no separate field for "
        "participants, so turning it off also stops the host recording to their own computer. No "
        "meeting field (the meeting's auto_recording: local is the automatic-recording control).",
        sources=(
            f"{_USERS_TS} UsersGetUserSettingsResponse.recording.local_recording;"
            " GroupsGetGroupsSettingsResponse.recording.local_recording; GroupsGetLockedSettingsResponse"
            ".recording.local_recording",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.recording.local_recording;"
            " AccountsGetLockedSettingsResponse.recording.local_recording",
            f"{_ZOOMNET}/groups-{{groupId}}-lock_settings_GET.json,"
            " accounts-{accountId}-lock_settings_GET.json",
        ),
    ),
    Control(
        "guest_alert",
        "guests identified in the meeting",
        group="in_meeting.alert_guest_join",
        group_lock="in_meeting.alert_guest_join",
        account="in_meeting.alert_guest_join",
        account_lock="in_meeting.alert_guest_join",
        notes="No meeting or user field: the host's groups and the account decide.",
        sources=(
            f"{_USERS_TS} GroupsGetGroupsSettingsResponse.in_meeting.alert_guest_join;"
            " GroupsGetLockedSettingsResponse.in_meeting.alert_guest_join; absent from"
            " UsersGetUserSettingsResponse.in_meeting",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.in_meeting.alert_guest_join;"
            " AccountsGetLockedSettingsResponse.in_meeting.alert_guest_join; AccountsUpdateAccountSettings"
            "RequestBody.in_meeting.alert_guest_join",
            f"{_ZOOMNET}/groups-{{groupId}}-settings_GET.json, accounts-{{accountId}}-lock_settings_GET.json",
        ),
    ),
    Control(
        "removed_rejoin",
        "removed participants kept out",
        guidance="Zoom has no API field for this. In the Zoom web portal go to Settings, Meeting, In "
        "Meeting (Basic) and turn off 'Allow removed participants to rejoin'; an account or group "
        "admin can lock it there so hosts cannot turn it back on. A change applies to sessions that "
        "start after it.",
        notes="Web-portal setting only (settings-map row 29).",
        sources=(
            "Zoom support KB0066980 'Allowing participants and panelists to rejoin' "
            "https://support.zoom.com/hc/en/article?id=zm_kb&sysparm_article=KB0066980",
            f"{_RIVET} users/users.d.ts and accounts/accounts.d.ts: no rejoin field in any settings, "
            "lock-settings or update type",
            f"{_ZOOMNET}: no rejoin key in the recorded user, group or account settings",
        ),
    ),
)
"""Appended to the catalogue after the original controls (docs/controls.md prints them last)."""
