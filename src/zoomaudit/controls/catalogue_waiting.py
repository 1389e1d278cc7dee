"""Controls for who actually waits in the waiting room, who lets them in, and what happens when
the host drops out (issue 12).

A waiting room that is "on" may still hold only people from outside the account, or let invited
users and allowed domains walk straight in. Zoom keeps those choices in two shapes:

- ``meeting_security.waiting_room_settings`` at the user, group and account tiers (the older
  shape): ``participants_to_place_in_waiting_room`` and
  ``users_who_can_admit_participants_from_waiting_room``, with no lock type carrying them;
- ``meeting_security.waiting_room_options`` at the account only (added 2025): ``admit_type``,
  ``who_can_admit_participants``, ``more_options`` and its *own* ``locked`` flag, kept in the
  settings document rather than in the lock settings (``Control.account_lock_flag``).

A meeting carries ``settings.waiting_room_options``: ``mode: custom`` with its own
``who_goes_to_waiting_room``, or ``follow_setting`` (the host's settings decide).

When the two account shapes disagree, the less protective one is taken: the auditor may then
report a problem Zoom does not have, never pass one it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoomaudit.controls.model import MISSING, Control, Derive

_RIVET = "zoom/rivet-javascript 0.4.0"
_MEETINGS_TS = f"{_RIVET} meetings/meetings.d.ts:"
_USERS_TS = f"{_RIVET} users/users.d.ts:"
_ACCOUNTS_TS = f"{_RIVET} accounts/accounts.d.ts:"
_ZOOMNET = "Jericho/ZoomNet Source/ZoomNet.UnitTests/SampleData/Endpoints"

_SETTINGS = "meeting_security.waiting_room_settings"
_OPTIONS = "meeting_security.waiting_room_options"
OPTIONS_LOCKED = f"{_OPTIONS}.locked"
_PLACE = f"{_SETTINGS}.participants_to_place_in_waiting_room"
_ADMITTERS = f"{_SETTINGS}.users_who_can_admit_participants_from_waiting_room"
_MEETING_OPTIONS = "settings.waiting_room_options"
HOST_DROPPED = f"{_OPTIONS}.more_options.move_participants_to_waiting_room_when_host_dropped"
INVITED_BYPASS = f"{_OPTIONS}.more_options.user_invited_by_host_can_bypass_waiting_room"

EVERYONE = "everyone"
NOT_IN_ACCOUNT = "users_not_in_account"
NOT_IN_ACCOUNT_OR_DOMAINS = "users_not_in_account_or_whitelisted_domains"
NOT_ON_INVITE = "users_not_on_invite"
EVERYONE_BUT_INVITED = "everyone_but_invited"
"""Not a Zoom value: everyone waits except the users the host invited (an account option)."""

# participants_to_place_in_waiting_room (rivet users.d.ts: 0 | 1 | 2; ZoomNet
# ParticipantsToPlaceInWaitingRoom.cs): everyone, users not in the account, users not in the
# account and not in the allowed domains.
_PLACE_CODES = {0: EVERYONE, 1: NOT_IN_ACCOUNT, 2: NOT_IN_ACCOUNT_OR_DOMAINS}
# waiting_room_options.admit_type (rivet accounts.d.ts: 1 | 2 | 3 | 4): the account's "who should
# go in the waiting room", in the order of the meeting's who_goes_to_waiting_room values.
_ADMIT_TYPES = {1: EVERYONE, 2: NOT_IN_ACCOUNT, 3: NOT_IN_ACCOUNT_OR_DOMAINS, 4: NOT_ON_INVITE}
WHO_WAITS = frozenset(
    {EVERYONE, NOT_IN_ACCOUNT, NOT_IN_ACCOUNT_OR_DOMAINS, NOT_ON_INVITE, EVERYONE_BUT_INVITED}
)


def _code(value: Any, codes: Mapping[int, str]) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return codes.get(value, value)  # an undocumented code stays as it is: the check errors
    return value


def _who_waits(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if isinstance(primary, str):  # the meeting's own choice, which counts only in custom mode
        return primary if inputs.get("mode") == "custom" else MISSING
    if "mode" in inputs:  # a meeting that follows the host's settings (or says nothing)
        return MISSING
    older = _code(primary, _PLACE_CODES)
    newer = _code(inputs.get("admit_type", MISSING), _ADMIT_TYPES)
    if older is MISSING:
        who = newer
    elif newer is MISSING or older == newer:
        who = older
    else:  # the two shapes disagree: take the one that lets more people skip the waiting room
        who = newer if older == EVERYONE else older
    if who == EVERYONE and inputs.get("invited_bypass") is True:
        return EVERYONE_BUT_INVITED
    return who


def _who_waits_fields(path: str, value: Any) -> dict[str, Any]:
    if path.startswith("settings."):
        return {f"{_MEETING_OPTIONS}.mode": "custom", path: value}
    codes = {v: k for k, v in _PLACE_CODES.items()}
    return {path: codes.get(value, value)}


def _admitters(primary: Any, inputs: Mapping[str, Any]) -> Any:
    newer = inputs.get("newer", MISSING)
    if primary is MISSING:
        return newer
    if isinstance(primary, int) and isinstance(newer, int) and newer != primary:
        return max(primary, newer)  # 1 (anyone who bypassed may admit) is the less protective
    return primary


WAITING_ROOM_OPTIONS: tuple[Control, ...] = (
    Control(
        "waiting_room_admitters",
        "who can admit people from the waiting room",
        user=_ADMITTERS,
        group=_ADMITTERS,
        account=_ADMITTERS,
        account_lock_flag=OPTIONS_LOCKED,
        derive=Derive(
            _admitters,
            inputs={"newer": f"{_OPTIONS}.who_can_admit_participants"},
            local_inputs=frozenset({"newer"}),
            describe="users_who_can_admit_participants_from_waiting_room; at the account also "
            "waiting_room_options.who_can_admit_participants (the less protective when they differ)",
        ),
        labels={
            0: "host and co-hosts only",
            1: "also people who bypassed the waiting room (when no host is present)",
        },
        notes="0 = host and co-hosts only, 1 = also anyone who bypassed the waiting room when no host "
        "or co-host is present. No lock type carries waiting_room_settings; the account's "
        "waiting_room_options.locked locks both shapes.",
        sources=(
            f"{_USERS_TS} UsersGetUserSettingsResponse, GroupsGetGroupsSettingsResponse"
            f".{_ADMITTERS} (0 | 1); no lock type carries waiting_room_settings",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.{_ADMITTERS} and "
            f".{_OPTIONS} {{locked, who_can_admit_participants: 0 | 1}}",
            f"{_ZOOMNET}/accounts-{{accountId}}-settings_GET.json (both shapes side by side)",
        ),
    ),
    Control(
        "waiting_room_who",
        "who goes to the waiting room",
        meeting=f"{_MEETING_OPTIONS}.who_goes_to_waiting_room",
        user=_PLACE,
        group=_PLACE,
        account=_PLACE,
        account_lock_flag=OPTIONS_LOCKED,
        derive=Derive(
            _who_waits,
            inputs={"admit_type": f"{_OPTIONS}.admit_type", "invited_bypass": INVITED_BYPASS},
            local_inputs=frozenset({"admit_type"}),
            meeting_inputs={"mode": f"{_MEETING_OPTIONS}.mode"},
            encode=_who_waits_fields,
            describe="the meeting's who_goes_to_waiting_room in custom mode; else "
            "participants_to_place_in_waiting_room (at the account also waiting_room_options.admit_type, "
            "the less protective when they differ); 'everyone_but_invited' when everyone waits but the "
            "account lets users the host invited bypass the waiting room",
        ),
        labels={
            EVERYONE: "everyone who is not a host or co-host",
            NOT_IN_ACCOUNT: "only people from outside the organisation's Zoom account",
            NOT_IN_ACCOUNT_OR_DOMAINS: "only people from outside the account and its allowed domains",
            NOT_ON_INVITE: "only people who are not on the meeting invite",
            EVERYONE_BUT_INVITED: "everyone except users the host invited, who bypass it",
        },
        notes="A meeting in mode follow_setting takes the host's setting; mode custom decides with its "
        "own who_goes_to_waiting_room. Only the account shows 'users invited by the host can bypass "
        "the waiting room' (waiting_room_options.more_options); it is applied to every host below it, "
        "since Zoom does not show a user's own choice. Zoom's allowed-domain list "
        "(whitelisted_domains_for_waiting_room) matters only for value 2.",
        sources=(
            f"{_MEETINGS_TS} MeetingsGetMeetingResponse.{_MEETING_OPTIONS} {{mode: 'follow_setting' | "
            "'custom', who_goes_to_waiting_room: 'everyone' | 'users_not_in_account' | "
            "'users_not_in_account_or_whitelisted_domains' | 'users_not_on_invite'}; Zoom meetings API "
            "changelog, September 2025",
            f"{_USERS_TS} UsersGetUserSettingsResponse, GroupsGetGroupsSettingsResponse.{_PLACE} (0 | 1 | 2)",
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.{_PLACE} and .{_OPTIONS} {{locked, "
            "admit_type: 1 | 2 | 3 | 4, more_options.user_invited_by_host_can_bypass_waiting_room}",
            f"{_ZOOMNET}/meetings-{{meetingId}}_GET.json (waiting_room_options, mode follow_setting); "
            "Source/ZoomNet/Models/WaitingRoomSettings.cs",
        ),
    ),
    Control(
        "waiting_room_host_dropped",
        "participants go back to the waiting room when the host drops",
        account=HOST_DROPPED,
        account_lock_flag=OPTIONS_LOCKED,
        notes="An account-wide waiting room option; Zoom shows no user, group or meeting field for it. "
        "It only acts when the meeting has a waiting room.",
        sources=(
            f"{_ACCOUNTS_TS} AccountsGetAccountSettingsResponse.{HOST_DROPPED} (boolean), with "
            f"{OPTIONS_LOCKED}; absent from users.d.ts and meetings.d.ts",
            f"{_ZOOMNET}/accounts-{{accountId}}-settings_GET.json",
        ),
    ),
)
