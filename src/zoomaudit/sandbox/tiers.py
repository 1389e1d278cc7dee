"""How the sandbox combines Zoom's settings tiers. Every documented guess about Zoom lives here.

See docs/sandbox.md "Documented guesses". In short:

1. ``GET /users/{id}/settings`` (and ``/groups/{id}/settings``) answer the *effective* values:
   account values, overlaid by the user's groups, overlaid by the user's own values, with locked
   values winning (settings-map.md §3 infers Zoom does this). ``SandboxOptions.settings_view =
   "stored"`` answers only the values stored at that tier instead.
2. A user or group PATCH of a setting locked at a higher tier answers 204 and leaves the stored
   value unchanged (``strip_locked``).
3. "Secure every meeting": with account ``meeting_security.auto_security`` on, a meeting update
   that would leave no passcode, no waiting room and no authentication gets its waiting room
   turned on (``secure_every_meeting``).

Also (docs/sandbox.md guesses 10-12): a user in several groups takes every group-level setting and
lock from their highest-priority group (``SandboxGroup.priority``, which Zoom's API does not serve;
``deciding_group``); the nested shape of the user authentication view (``nested_authentication``).
Guess 13: the account's ``waiting_room_options.locked`` locks the waiting-room choices of every
user and group, which keep showing them in the older ``waiting_room_settings`` shape.
"""

from __future__ import annotations

import copy
from typing import Any

from zoomaudit.passcodes import PasscodeRequirement, unmet_rules
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

# Top-level keys served by ``?option=meeting_authentication`` (everything else of that view is
# inside ``meeting_security`` or the default sections).
AUTH_KEYS = ("meeting_authentication", "authentication_options", "allow_authentication_exception")
OPTION_SECTIONS = {"meeting_security": ("meeting_security",), "meeting_authentication": AUTH_KEYS}

# Settings sections a user has (the account has more: security, integration, zoom_rooms, ...).
USER_SECTIONS = frozenset(
    {
        "schedule_meeting",
        "in_meeting",
        "email_notification",
        "recording",
        "telephony",
        "feature",
        "tsp",
        "profile",
        "audio_conferencing",
        "meeting_security",
        *AUTH_KEYS,
    }
)
GROUP_ONLY = frozenset({"other_options", "chat"})  # sections a group has and a user has not

# Account settings a user (or group) does not have: inherited views leave them out
# (settings-map.md §2.3 lists the account-only fields; mute_upon_entry is group-only, row 11).
ACCOUNT_ONLY = frozenset(
    {
        ("in_meeting", "allow_participants_to_rename"),
        ("schedule_meeting", "allow_host_to_disable_participant_video"),
        ("schedule_meeting", "enforce_login"),
        ("schedule_meeting", "enforce_login_domains"),
        ("schedule_meeting", "enforce_login_with_domains"),
        ("schedule_meeting", "jbh_time"),
        ("schedule_meeting", "not_store_meeting_topic"),
        ("recording", "account_user_access_recording"),
        ("recording", "prevent_host_access_recording"),
    }
)
NOT_AT_USER = ACCOUNT_ONLY | {("schedule_meeting", "mute_upon_entry")}
NOT_AT_GROUP = ACCOUNT_ONLY | {
    ("in_meeting", "attention_mode_focus_mode"),
    ("schedule_meeting", "use_pmi_for_instant_meetings"),
}

# Zoom's current types (zoom/rivet-javascript 0.4.0) give users no guest alert, and groups no AI
# Companion summary or recording disclaimer settings: inherited views leave those out too.
NOT_AT_USER = NOT_AT_USER | {("in_meeting", "alert_guest_join")}
NOT_AT_GROUP = NOT_AT_GROUP | {
    ("in_meeting", "meeting_summary_with_ai_companion"),
    ("recording", "recording_disclaimer"),
    ("recording", "ask_participants_to_consent_disclaimer"),
    ("recording", "ask_host_to_confirm_disclaimer"),
}

# The account's newer waiting-room options exist only on the account (rivet 0.4.0 users.d.ts has
# no waiting_room_options for users or groups); what they mean for a user is modelled below.
NOT_AT_USER = NOT_AT_USER | {("meeting_security", "waiting_room_options")}
NOT_AT_GROUP = NOT_AT_GROUP | {("meeting_security", "waiting_room_options")}

# The same setting under another name at user level, and lock keys that guard a setting of
# another name (settings-map.md rows 1 and 12).
USER_RENAMES = {
    ("schedule_meeting", "participant_video"): "participants_video",
    ("schedule_meeting", "use_pmi_for_schedule_meetings"): "use_pmi_for_scheduled_meetings",
}
# Groups spell "use PMI for scheduled meetings" without the "d" (rivet users.d.ts
# GroupsGetGroupsSettingsResponse.schedule_meeting.use_pmi_for_schedule_meetings).
GROUP_RENAMES = {("schedule_meeting", "use_pmi_for_scheduled_meetings"): "use_pmi_for_schedule_meetings"}
# One setting, two names (rivet 0.3.0 users.d.ts): users and groups have both; the account's
# settings only the meeting_security one (its lock document has both embed names). A user or group
# view answers both names with one value, and a PATCH of either name sets both.
SAME_SETTING: tuple[tuple[str, str], ...] = (
    ("schedule_meeting.pstn_password_protected", "meeting_security.phone_password"),
    ("schedule_meeting.embed_password_in_join_link", "meeting_security.embed_password_in_join_link"),
)
OTHER_NAME: dict[str, str] = {a: b for a, b in SAME_SETTING} | {b: a for a, b in SAME_SETTING}
LOCK_ALIASES: dict[str, tuple[str, ...]] = {
    "schedule_meeting.participant_video": ("schedule_meeting.participants_video",),
    "in_meeting.waiting_room": ("meeting_security.waiting_room",),
    "meeting_security.waiting_room": ("in_meeting.waiting_room",),
    **{name: (other,) for name, other in OTHER_NAME.items()},
}


def deep_merge(into: Doc, changes: Doc) -> Doc:
    """Merge ``changes`` into ``into`` in place: nested objects merge, anything else replaces."""
    for key, value in changes.items():
        current = into.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            deep_merge(current, value)
        else:
            into[key] = copy.deepcopy(value) if isinstance(value, dict | list) else value
    return into


def locked_paths(locks: Doc, prefix: str = "") -> list[str]:
    """Dotted paths whose lock flag is true (``{"enable": true}`` sub-objects count as the parent)."""
    out: list[str] = []
    for key, value in locks.items():
        path = f"{prefix}{key}"
        if value is True:
            out.append(path)
        elif isinstance(value, dict):
            if value.get("enable") is True and len(value) == 1:
                out.append(path)
            else:
                out.extend(locked_paths(value, path + "."))
    return out


def _with_aliases(paths: list[str]) -> list[str]:
    out = list(paths)
    for path in paths:
        out.extend(LOCK_ALIASES.get(path, ()))
    return out


def _get(doc: Doc, path: str) -> tuple[bool, Any]:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _set(doc: Doc, path: str, value: Any) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = node[part] = {}
        node = nxt
    node[parts[-1]] = copy.deepcopy(value)


def _delete(doc: Doc, path: str) -> None:
    parts = path.split(".")
    node: Any = doc
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def both_names(doc: Doc) -> Doc:
    """``doc`` (in place) with each two-named setting it states under one name stated under both."""
    for first, second in SAME_SETTING:
        has_first, value = _get(doc, first)
        has_second, other = _get(doc, second)
        if has_first and not has_second:
            _set(doc, second, value)
        elif has_second and not has_first:
            _set(doc, first, other)
    return doc


def _for_user(account: Doc, user_level: bool = True) -> Doc:
    """The account's values restricted to the sections (and, for users, key names) a user has."""
    out: Doc = {}
    for section, value in account.items():
        if section not in USER_SECTIONS or (section == "feature" and not user_level):
            continue
        if isinstance(value, dict):
            left_out = NOT_AT_USER if user_level else NOT_AT_GROUP
            renames = USER_RENAMES if user_level else GROUP_RENAMES
            value = {
                renames.get((section, k), k): v for k, v in value.items() if (section, k) not in left_out
            }
        out[section] = copy.deepcopy(value)
    # Users (and groups) keep the waiting room in ``in_meeting`` too; the account only in
    # ``meeting_security`` (settings-map.md row 1).
    found, value = _get(account, "meeting_security.waiting_room")
    if found:
        out.setdefault("in_meeting", {})["waiting_room"] = value
    return both_names(out)


def _overlay_locks(doc: Doc, locks: Doc, source: Doc, user_level: bool) -> None:
    """Locked values win: copy the locking tier's value over every locked path present in it."""
    left_out = NOT_AT_USER if user_level else NOT_AT_GROUP
    for path in _with_aliases(locked_paths(locks)):
        if tuple(path.split(".", 1)) in left_out:
            continue
        src_path = path
        if user_level and path == "schedule_meeting.participants_video":
            src_path = "schedule_meeting.participant_video"
        found, value = _get(source, src_path)
        if not found:
            found, value = _get(source, path)
        if not found and path in OTHER_NAME:  # the account states only the other name
            found, value = _get(source, OTHER_NAME[path])
        if found:
            _set(doc, path, value)


# -- guess 13: the account's waiting-room options and their own lock --------------------------
_WAITING = "meeting_security.waiting_room_settings"
_PLACE = "participants_to_place_in_waiting_room"
_ADMIT = "users_who_can_admit_participants_from_waiting_room"
# admit_type (1 everyone, 2 not in the account, 3 not in the account or allowed domains, 4 not on
# the invite) in the older participants_to_place_in_waiting_room codes; 4 has none.
_ADMIT_TYPE_TO_PLACE = {1: 0, 2: 1, 3: 2}


def waiting_room_options_lock(state: SandboxState) -> Doc:
    """The account's ``waiting_room_options.locked`` as a lock document over the older
    ``waiting_room_settings`` fields it governs (empty when the options are not locked)."""
    found, locked = _get(state.account_settings, "meeting_security.waiting_room_options.locked")
    if not (found and locked is True):
        return {}
    return {"meeting_security": {"waiting_room_settings": {_PLACE: True, _ADMIT: True}}}


def _overlay_waiting_room_options(doc: Doc, state: SandboxState) -> None:
    """Locked options win for every user and group, in the older shape they are served in."""
    if not waiting_room_options_lock(state):
        return
    _, options = _get(state.account_settings, "meeting_security.waiting_room_options")
    place = _ADMIT_TYPE_TO_PLACE.get(options.get("admit_type"))
    if place is not None:
        _set(doc, f"{_WAITING}.{_PLACE}", place)
    admit = options.get("who_can_admit_participants")
    if admit in (0, 1):
        _set(doc, f"{_WAITING}.{_ADMIT}", admit)


# -- guess 1: what the settings GETs answer ----------------------------------------------------
def effective_group_settings(state: SandboxState, group_id: str) -> Doc:
    group = state.groups[group_id]
    doc = _for_user(state.account_settings, user_level=False)
    doc.update({k: copy.deepcopy(v) for k, v in state.account_settings.items() if k in GROUP_ONLY})
    deep_merge(doc, both_names(copy.deepcopy(group.settings)))
    _overlay_locks(doc, state.account_locks, state.account_settings, user_level=False)
    _overlay_waiting_room_options(doc, state)
    return doc


def deciding_group(state: SandboxState, user: SandboxUser) -> SandboxGroup | None:
    """The user's highest-priority group: the lowest ``priority`` number; unranked groups after
    ranked ones, in the order the user joined them."""
    groups = [state.groups[g] for g in user.group_ids if g in state.groups]
    if not groups:
        return None
    ranked = sorted(enumerate(groups), key=lambda ig: (ig[1].priority is None, ig[1].priority or 0, ig[0]))
    return ranked[0][1]


def effective_user_settings(state: SandboxState, user: SandboxUser) -> Doc:
    """Account, then the user's highest-priority group, then the user's own values; locks win."""
    doc = _for_user(state.account_settings)
    top = deciding_group(state, user)
    if top is not None:
        deep_merge(doc, _for_user(top.settings))
    deep_merge(doc, both_names(copy.deepcopy(user.settings)))
    if top is not None:
        _overlay_locks(doc, top.locks, effective_group_settings(state, top.id), user_level=True)
    _overlay_locks(doc, state.account_locks, state.account_settings, user_level=True)
    _overlay_waiting_room_options(doc, state)
    return doc


def nested_authentication(view: Doc) -> Doc:
    """The ``option=meeting_authentication`` user view in Zoom's nested shape (rivet users.d.ts:
    ``UsersGetUserSettingsResponse``, the ``authentication_options.meeting_authentication`` member)."""
    inner = {k: view[k] for k in AUTH_KEYS if k in view}
    return {"authentication_options": {"meeting_authentication": inner}}


def split_view(doc: Doc, option: str | None) -> Doc:
    """The part of a merged settings document that one ``option`` view of Zoom serves."""
    if option in OPTION_SECTIONS:
        keys = OPTION_SECTIONS[option]
        return {k: doc[k] for k in keys if k in doc}
    hidden = {k for keys in OPTION_SECTIONS.values() for k in keys}
    return {k: v for k, v in doc.items() if k not in hidden}


# -- guess 2: PATCH of a setting locked above ------------------------------------------------
def strip_locked(changes: Doc, lock_docs: list[Doc], user_level: bool) -> Doc:
    """Remove from a settings PATCH every path locked at a higher tier (Zoom answers 204 anyway)."""
    body = copy.deepcopy(changes)
    for locks in lock_docs:
        for path in _with_aliases(locked_paths(locks)):
            _delete(body, path)
            if user_level and path == "schedule_meeting.participant_video":
                _delete(body, "schedule_meeting.participants_video")
    return body


def higher_locks(state: SandboxState, user: SandboxUser | None = None) -> list[Doc]:
    """The lock documents above a user (their groups' and the account's) or above a group."""
    top = deciding_group(state, user) if user is not None else None
    docs = [top.locks] if top is not None else []  # a lower group's lock has no effect
    docs.append(state.account_locks)
    options = waiting_room_options_lock(state)
    if options:
        docs.append(options)
    return docs


# -- guess 3: "secure every meeting" ---------------------------------------------------------
def secure_every_meeting(state: SandboxState, password: str | None, settings: Doc) -> bool:
    """Turn the waiting room on when auto_security leaves a meeting with no safeguard. True if changed."""
    ms = state.account_settings.get("meeting_security", {})
    if not ms.get("auto_security"):
        return False
    if password or settings.get("waiting_room") or settings.get("meeting_authentication"):
        return False
    settings["waiting_room"] = True
    return True


# -- passcode rules (reference.md §2.5 and §6.3; counted by zoomaudit.passcodes) -----------
# Zoom's error message for each rule, in the order a rejection names the first one broken.
PASSCODE_MESSAGES: dict[str, str] = {
    "max_length": "Passcode can have a maximum of 10 characters.",
    "charset": "Passcode may only contain the following characters: [a-z A-Z 0-9 @ - _ *].",
    "length": "Passcode must be at least {length} characters.",
    "numeric": "Passcode may only contain numbers.",
    "letter": "Passcode must contain at least 1 letter.",
    "number": "Passcode must contain at least 1 number.",
    "special": "Passcode must contain at least 1 special character.",
    "upper_lower": "Passcode must contain both upper and lower case characters.",
    "run": "Passcode cannot contain {run} or more consecutive characters.",
}


def passcode_requirement(state: SandboxState, user: SandboxUser) -> Doc:
    """The host's effective ``meeting_password_requirement`` (meeting_security view first)."""
    doc = effective_user_settings(state, user)
    found, req = _get(doc, "meeting_security.meeting_password_requirement")
    if not found:
        found, req = _get(doc, "schedule_meeting.meeting_password_requirement")
    return req if found and isinstance(req, dict) else {}


def passcode_problem(password: str, requirement: Doc) -> str | None:
    """Why Zoom would reject this passcode, or None. An empty passcode removes it.

    The rules are ``zoomaudit.passcodes``'s (the auditor and the fix generator use the same), so
    the sandbox refuses a descending run (``4321``) too: a guess, docs/sandbox.md."""
    if password == "":
        return None
    rules = PasscodeRequirement.of(requirement)
    broken = {u.rule for u in unmet_rules(password, rules)}
    for rule, message in PASSCODE_MESSAGES.items():
        if rule in broken:
            return message.format(length=rules.length, run=rules.consecutive_characters_length)
    return None
