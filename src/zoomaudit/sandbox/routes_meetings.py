"""Meetings: a user's list, get and update (reference.md §2.3-2.5), PMI meetings and occurrences."""

from __future__ import annotations

import hashlib
from typing import Any

import zoomaudit.sandbox.tiers as tiers
from zoomaudit.sandbox.build import HIDE_PASSWORD
from zoomaudit.sandbox.defaults import zoom_id
from zoomaudit.sandbox.http import NO_CONTENT, ApiError, Call, Reply, found, paginate, validation
from zoomaudit.sandbox.ratelimit import daily_rejection
from zoomaudit.sandbox.routes_users import get_user
from zoomaudit.sandbox.state import Doc, SandboxState, SandboxUser

LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")
# PATCH ?occurrence_id= accepts only these (reference.md §2.5).
OCCURRENCE_FIELDS = frozenset({"agenda", "start_time", "duration", "settings"})
OCCURRENCE_SETTINGS = frozenset(
    {
        "host_video",
        "participant_video",
        "join_before_host",
        "mute_upon_entry",
        "waiting_room",
        "watermark",
        "auto_recording",
    }
)
PATCH_FIELDS = frozenset(
    {
        "agenda",
        "duration",
        "password",
        "pre_schedule",
        "schedule_for",
        "recurrence",
        "settings",
        "start_time",
        "template_id",
        "timezone",
        "topic",
        "tracking_fields",
        "type",
    }
)
BOOL_SETTINGS = frozenset(
    {
        "waiting_room",
        "join_before_host",
        "mute_upon_entry",
        "host_video",
        "participant_video",
        "use_pmi",
        "meeting_authentication",
        "focus_mode",
        "watermark",
        "private_meeting",
        "internal_meeting",
        "alternative_hosts_email_notification",
    }
)
ENUM_SETTINGS: dict[str, tuple[Any, ...]] = {
    "auto_recording": ("local", "cloud", "none"),
    "audio": ("both", "telephony", "voip", "thirdParty"),
    "approval_type": (0, 1, 2),
    "jbh_time": (0, 5, 10, 15),
    "encryption_type": ("enhanced_encryption", "e2ee"),
}
# Later settings (zoom/rivet-javascript 0.4.0 MeetingsUpdateMeetingRequestBody): AI Companion
# summaries, and continuous chat, an object of boolean switches.
AI_SUMMARY_SETTINGS: dict[str, tuple[Any, ...]] = {
    "auto_start_meeting_summary": (True, False),
    "who_will_receive_summary": (1, 2, 3, 4),
}
CONTINUOUS_CHAT_SWITCHES = frozenset(
    {"enable", "auto_add_invited_external_users", "auto_add_meeting_participants"}
)
# settings.waiting_room_options (rivet 0.4.0 MeetingsUpdateMeetingRequestBody): mode is required.
WAITING_ROOM_MODES = ("follow_setting", "custom")
WHO_GOES_TO_WAITING_ROOM = (
    "everyone",
    "users_not_in_account",
    "users_not_in_account_or_whitelisted_domains",
    "users_not_on_invite",
)


def _meeting_id(call: Call) -> int:
    raw = call.params["meetingId"]
    try:
        return int(raw)
    except ValueError:
        raise ApiError(404, 3001, f"Meeting {raw} is not found or has expired.") from None


def get_meeting_doc(state: SandboxState, meeting_id: int) -> Doc:
    return found(state.meetings.get(meeting_id), 3001, f"Meeting {meeting_id} is not found or has expired.")


def _occurrence(meeting: Doc, occurrence_id: str) -> Doc:
    for occ in meeting.get("occurrences", ()):
        if occ["occurrence_id"] == occurrence_id:
            return dict(occ)
    raise validation("Invalid field.", "occurrence_id")


# -- list ------------------------------------------------------------------------------------------
def _start(meeting: Doc) -> str:
    occs = meeting.get("occurrences")
    if occs:
        return str(occs[-1]["start_time"])
    return str(meeting.get("start_time", "9999"))


def list_item(meeting: Doc) -> Doc:
    item = {
        "uuid": meeting["uuid"],
        "id": meeting["id"],
        "host_id": meeting["host_id"],
        "topic": meeting.get("topic", ""),
        "type": meeting["type"],
        "duration": meeting.get("duration", 60),
        "timezone": meeting.get("timezone", "Europe/London"),
        "agenda": str(meeting.get("agenda", ""))[:250],
        "created_at": meeting["created_at"],
        "join_url": meeting["join_url"],
    }
    if "start_time" in meeting and meeting["type"] != 3:
        item["start_time"] = meeting["start_time"]
    if meeting.get("pmi"):
        item["pmi"] = str(meeting["pmi"])
    return item


def list_meetings(call: Call) -> Reply:
    user = get_user(call.state, call.params["userId"], list_message=True)
    kind = call.query.get("type") or "scheduled"
    if kind not in LIST_TYPES:
        raise validation("Invalid field.", "type")
    now = call.state.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    meetings = [call.state.meetings[i] for i in call.state.host_meeting_ids(user.id)]
    meetings = [m for m in meetings if m.get("type") != 4]
    if kind == "live":
        meetings = [m for m in meetings if m.get("status") == "started"]
    elif kind in ("upcoming", "upcoming_meetings"):
        meetings = [m for m in meetings if m["type"] == 3 or _start(m) >= now]
    elif kind == "previous_meetings":
        meetings = [m for m in meetings if m["type"] != 3 and _start(m) < now]
    page, fields = paginate(call, f"meetings:{user.id}:{kind}", meetings)
    fields["meetings"] = [list_item(m) for m in page]
    return Reply(body=fields)


# -- get -------------------------------------------------------------------------------------------
def meeting_body(state: SandboxState, meeting: Doc, occurrence_id: str | None = None) -> Doc:
    """The stored meeting as ``GET /meetings/{id}`` answers it (settings keys may be absent)."""
    host = state.users.get(meeting["host_id"])
    served = ("settings", "occurrences", "password", HIDE_PASSWORD)  # passcode fields: below
    body = {k: v for k, v in meeting.items() if k not in served}
    body["host_email"] = host.email if host else ""
    body.update(passcode_fields(state, meeting))
    body["start_url"] = f"{meeting['join_url'].replace('/j/', '/s/')}?zak=sandbox"
    body.setdefault("status", "waiting")
    settings = dict(meeting["settings"])
    if meeting.get("occurrences"):
        occs = []
        for occ in meeting["occurrences"]:
            override = state.occurrence_overrides.get((meeting["id"], occ["occurrence_id"]), {})
            occs.append(
                {
                    "occurrence_id": occ["occurrence_id"],
                    "start_time": override.get("start_time", occ["start_time"]),
                    "duration": override.get("duration", occ.get("duration", meeting.get("duration", 60))),
                    "status": occ.get("status", "available"),
                }
            )
        body["occurrences"] = occs
    if occurrence_id is not None:
        occ = _occurrence(meeting, occurrence_id)
        override = state.occurrence_overrides.get((meeting["id"], occurrence_id), {})
        body["start_time"] = override.get("start_time", occ["start_time"])
        body["duration"] = override.get("duration", occ.get("duration", meeting.get("duration")))
        if "agenda" in override:
            body["agenda"] = override["agenda"]
        settings.update(override.get("settings", {}))
    body["settings"] = settings
    return body


def passcode_fields(state: SandboxState, meeting: Doc) -> Doc:
    """The passcode fields of ``GET /meetings/{id}``, from the stored passcode, as Zoom serves them
    (rivet meetings/meetings.d.ts ``MeetingsGetMeetingResponse``; values shaped like ZoomNet's
    recorded ``meetings-{meetingId}_GET.json``):

    - ``encrypted_password`` (an opaque token) and ``h323_password``;
    - ``pstn_password``: the numeric version of the passcode phone participants enter (the
      passcode itself when it is all digits; support.zoom.com KB0066465);
    - ``join_url`` with ``?pwd=<encrypted passcode>`` when the host embeds the passcode in the
      join link (``embed_password_in_join_link``, on by default);
    - no ``password`` key when the meeting is marked ``hide_password`` (``build.meeting``).

    A meeting with no passcode (empty) gets empty passcode fields; one whose ``password`` was never
    stored gets none.
    """
    password = meeting.get("password")
    if not isinstance(password, str):
        return {}
    out: Doc = {"password": password}
    if not password:
        out.update(h323_password="", pstn_password="", encrypted_password="")
    else:
        encrypted = zoom_id(f"enc-{meeting['id']}-{password}", 32) + ".1"
        digits = password if password.isdigit() else _numeric(password)
        out.update(h323_password=digits, pstn_password=digits, encrypted_password=encrypted)
        host = state.users.get(meeting["host_id"])
        if host is not None and _embeds_passcode(state, host):
            out["join_url"] = f"{meeting['join_url']}?pwd={encrypted}"
    if meeting.get(HIDE_PASSWORD):
        del out["password"]
    return out


def _numeric(password: str) -> str:
    """A stable numeric version of an alphanumeric passcode (Zoom's own mapping is not documented)."""
    return "".join(str(b % 10) for b in hashlib.sha256(password.encode()).digest()[:10])


def _embeds_passcode(state: SandboxState, host: SandboxUser) -> bool:
    doc = tiers.effective_user_settings(state, host)
    for section in ("schedule_meeting", "meeting_security"):
        value = doc.get(section, {}).get("embed_password_in_join_link")
        if isinstance(value, bool):
            return value
    return True


def get_meeting(call: Call) -> Reply:
    meeting = get_meeting_doc(call.state, _meeting_id(call))
    occurrence_id = call.query.get("occurrence_id") or None
    return Reply(body=meeting_body(call.state, meeting, occurrence_id))


# -- update ----------------------------------------------------------------------------------------
def _check_settings(settings: Any, allowed: frozenset[str] | None) -> None:
    if not isinstance(settings, dict):
        raise validation("Invalid field.", "settings")
    for key, value in settings.items():
        if allowed is not None and key not in allowed:
            raise validation("Invalid field.", f"settings.{key}")
        if key in BOOL_SETTINGS and not isinstance(value, bool):
            raise validation("Invalid field.", f"settings.{key}")
        if key in ENUM_SETTINGS and value not in ENUM_SETTINGS[key]:
            raise validation("Invalid field.", f"settings.{key}")
        _check_later_setting(key, value)


def _check_later_setting(key: str, value: Any) -> None:
    allowed = AI_SUMMARY_SETTINGS.get(key)
    # type() as well: True == 1 in Python, but Zoom takes a boolean here and a number there.
    if allowed is not None and not any(type(value) is type(a) and value == a for a in allowed):
        raise validation("Invalid field.", f"settings.{key}")
    if key == "waiting_room_options":
        if not isinstance(value, dict) or value.get("mode") not in WAITING_ROOM_MODES:
            raise validation("Invalid field.", f"settings.{key}.mode")
        for option in value:
            if option not in ("mode", "who_goes_to_waiting_room"):
                raise validation("Invalid field.", f"settings.{key}.{option}")
        if (
            "who_goes_to_waiting_room" in value
            and value["who_goes_to_waiting_room"] not in WHO_GOES_TO_WAITING_ROOM
        ):
            raise validation("Invalid field.", f"settings.{key}.who_goes_to_waiting_room")
    if key == "continuous_meeting_chat":
        if not isinstance(value, dict):
            raise validation("Invalid field.", f"settings.{key}")
        for switch, flag in value.items():
            if switch not in CONTINUOUS_CHAT_SWITCHES or not isinstance(flag, bool):
                raise validation("Invalid field.", f"settings.{key}.{switch}")


def _check_passcode(state: SandboxState, meeting: Doc, password: Any) -> None:
    if not isinstance(password, str):
        raise validation("Invalid field.", "password")
    host = state.users.get(meeting["host_id"])
    requirement = tiers.passcode_requirement(state, host) if host else {}
    problem = tiers.passcode_problem(password, requirement)
    if problem:
        raise validation(problem, "password")


def patch_meeting(call: Call) -> Reply:
    state = call.state
    meeting = get_meeting_doc(state, _meeting_id(call))
    body = call.body
    if not isinstance(body, dict):
        raise validation("Request Body should be a valid JSON object.")
    host_id = meeting["host_id"]
    day = state.utc_day()
    limit = call.options.daily_update_limit
    if call.options.meeting_update_quota and state.meeting_updates.get((host_id, day), 0) >= limit:
        rejection = daily_rejection(limit, state.clock())
        return Reply(429, rejection.body, rejection.headers)
    occurrence_id = call.query.get("occurrence_id") or None
    if occurrence_id is not None:
        _occurrence(meeting, occurrence_id)
        for key in body:
            if key not in OCCURRENCE_FIELDS:
                raise validation("Invalid field.", key)
        if "settings" in body:
            _check_settings(body["settings"], OCCURRENCE_SETTINGS)
    else:
        if "settings" in body:
            _check_settings(body["settings"], None)
        if "password" in body:
            _check_passcode(state, meeting, body["password"])
        if "type" in body and body["type"] not in ((4,) if meeting["type"] == 4 else (1, 2, 3, 8)):
            raise validation("Invalid field.", "type")
    with state.lock:
        if occurrence_id is not None:
            override = state.occurrence_overrides.setdefault((meeting["id"], occurrence_id), {})
            tiers.deep_merge(override, body)
            combined = {**meeting["settings"], **override.get("settings", {})}
            if tiers.secure_every_meeting(state, meeting.get("password"), combined):
                override.setdefault("settings", {})["waiting_room"] = True
        else:
            for key, value in body.items():
                if key in PATCH_FIELDS and key != "settings":
                    meeting[key] = value
            tiers.deep_merge(meeting["settings"], body.get("settings", {}))
            tiers.secure_every_meeting(state, meeting.get("password"), meeting["settings"])
        state.meeting_updates[(host_id, day)] = state.meeting_updates.get((host_id, day), 0) + 1
    return Reply(NO_CONTENT)


ROUTES: list[tuple[str, str, str, tuple[str, ...], Any]] = [
    ("GET", "/users/{userId}/meetings", "medium", ("meeting:read:admin", "meeting:read"), list_meetings),
    ("GET", "/meetings/{meetingId}", "light", ("meeting:read:admin", "meeting:read"), get_meeting),
    ("PATCH", "/meetings/{meetingId}", "light", ("meeting:write:admin", "meeting:write"), patch_meeting),
]
