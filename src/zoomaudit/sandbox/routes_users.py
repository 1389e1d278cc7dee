"""Users, groups and the settings endpoints of every tier (reference.md §2.1, 2.2, 2.6-2.9)."""

from __future__ import annotations

from typing import Any

import zoomaudit.sandbox.tiers as tiers
from zoomaudit.sandbox.http import NO_CONTENT, ApiError, Call, Reply, found, paginate, validation
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

USER_OPTIONS = ("meeting_authentication", "recording_authentication", "meeting_security")
ACCOUNT_OPTIONS = (*USER_OPTIONS, "security")
LOCK_OPTIONS = ("meeting_security",)
USER_STATUSES = ("active", "inactive", "pending")
ROLE_NAMES = {"0": "Owner", "1": "Admin", "2": "Member"}
"""Zoom's built-in roles by ``role_id``, as ``GET /users/{userId}`` names them in ``role_name``."""


# -- lookups answering Zoom's not-found errors -------------------------------------------------
def get_user(state: SandboxState, key: str, list_message: bool = False) -> SandboxUser:
    user = state.find_user(key)
    if user is None:
        if list_message:
            raise ApiError(404, 1001, f"User {key} not exist or not belong to this account.")
        raise ApiError(404, 1001, f"User does not exist: {key}.")
    return user


def get_group(state: SandboxState, group_id: str) -> SandboxGroup:
    return found(state.groups.get(group_id), 4130, f"Group does not exist: {group_id}.")


def check_account(state: SandboxState, account_id: str) -> None:
    if account_id not in ("me", state.account_id):
        raise ApiError(404, 2001, f"Account does not exist: {account_id}.")


def option_of(call: Call, allowed: tuple[str, ...]) -> str | None:
    option = call.query.get("option") or None
    if option is not None and option not in allowed:
        raise validation("Invalid field.", "option")
    return option


# -- users ---------------------------------------------------------------------------------------
def user_list_item(state: SandboxState, user: SandboxUser) -> Doc:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": user.type,
        "pmi": user.pmi,
        "timezone": user.timezone,
        "verified": 1,
        "dept": user.dept,
        "created_at": user.created_at,
        "user_created_at": user.created_at,
        "last_login_time": "2026-11-02T08:15:00Z",
        "last_client_version": "6.2.5.41234(mac)",
        "status": user.status,
        "role_id": user.role_id,
        "group_ids": list(user.group_ids),
    }


def list_users(call: Call) -> Reply:
    status = call.query.get("status") or "active"
    if status not in USER_STATUSES:
        raise validation("Invalid field.", "status")
    users = [u for u in call.state.users.values() if u.status == status]
    page, fields = paginate(call, f"users:{status}", users)
    fields["users"] = [user_list_item(call.state, u) for u in page]
    return Reply(body=fields)


def get_user_route(call: Call) -> Reply:
    user = get_user(call.state, call.params["userId"])
    body = user_list_item(call.state, user)
    body.update(
        {
            "role_name": ROLE_NAMES.get(user.role_id, "Member"),
            "use_pmi": False,
            "personal_meeting_url": f"https://zoom.us/j/{user.pmi}",
            "pic_url": "",
            "account_id": call.state.account_id,
            "account_number": 10000001,
            "cluster": "us05",
            "phone_number": "",
            "language": "en-GB",
            "login_types": [100],
        }
    )
    return Reply(body=body)


# -- settings views --------------------------------------------------------------------------------
def _serve(doc: Doc, option: str | None) -> Reply:
    if option in ("recording_authentication", "security"):
        # Not used by zoomaudit; served empty rather than invented (docs/sandbox.md).
        return Reply(body={})
    return Reply(body=tiers.split_view(doc, option))


def _check_patch(call: Call, option: str | None) -> Doc:
    body = call.body
    if not isinstance(body, dict):
        raise validation("Request Body should be a valid JSON object.")
    allowed_keys: tuple[str, ...] | None = tiers.OPTION_SECTIONS.get(option or "")
    hidden = {k for keys in tiers.OPTION_SECTIONS.values() for k in keys}
    for key, value in body.items():
        wrong_view = key not in allowed_keys if allowed_keys is not None else key in hidden
        if wrong_view:
            raise validation("Invalid field.", key)
        if key not in tiers.AUTH_KEYS and not isinstance(value, dict):
            raise validation("Invalid field.", key)
    return body


def get_user_settings(call: Call) -> Reply:
    user = get_user(call.state, call.params["userId"])
    option = option_of(call, USER_OPTIONS)
    doc = (
        user.settings
        if call.options.settings_view == "stored"
        else tiers.effective_user_settings(call.state, user)
    )
    reply = _serve(doc, option)
    if option == "meeting_authentication" and call.options.auth_shape == "nested":
        reply = Reply(body=tiers.nested_authentication(reply.body))
    return reply


def patch_user_settings(call: Call) -> Reply:
    user = get_user(call.state, call.params["userId"])
    body = _check_patch(call, option_of(call, USER_OPTIONS))
    changes = tiers.both_names(
        tiers.strip_locked(body, tiers.higher_locks(call.state, user), user_level=True)
    )
    with call.state.lock:
        tiers.deep_merge(user.settings, changes)
        call.state.touch()
    return Reply(NO_CONTENT)


def get_account_settings(call: Call) -> Reply:
    check_account(call.state, call.params["accountId"])
    return _serve(call.state.account_settings, option_of(call, ACCOUNT_OPTIONS))


def _patch_account_doc(call: Call, doc: Doc, options: tuple[str, ...]) -> Reply:
    """PATCH one of the account's documents (settings or locks): only the keys sent change."""
    check_account(call.state, call.params["accountId"])
    body = _check_patch(call, option_of(call, options))
    with call.state.lock:
        tiers.deep_merge(doc, body)
        call.state.touch()
    return Reply(NO_CONTENT)


def patch_account_settings(call: Call) -> Reply:
    return _patch_account_doc(call, call.state.account_settings, ACCOUNT_OPTIONS)


def get_account_locks(call: Call) -> Reply:
    check_account(call.state, call.params["accountId"])
    return _serve(call.state.account_locks, option_of(call, LOCK_OPTIONS))


def patch_account_locks(call: Call) -> Reply:
    return _patch_account_doc(call, call.state.account_locks, LOCK_OPTIONS)


# -- groups ----------------------------------------------------------------------------------------
def list_groups(call: Call) -> Reply:
    groups = [
        {"id": g.id, "name": g.name, "total_members": len(call.state.group_members(g.id))}
        for g in call.state.groups.values()
    ]
    return Reply(body={"groups": groups, "total_records": len(groups)})


def list_group_members(call: Call) -> Reply:
    group = get_group(call.state, call.params["groupId"])
    members = call.state.group_members(group.id)
    page, fields = paginate(call, f"members:{group.id}", members)
    fields["members"] = [
        {
            "id": u.id,
            "email": u.email,
            "first_name": u.first_name,
            "last_name": u.last_name,
            "type": u.type,
        }
        for u in page
    ]
    return Reply(body=fields)


def get_group_settings(call: Call) -> Reply:
    group = get_group(call.state, call.params["groupId"])
    option = option_of(call, USER_OPTIONS)
    if call.options.settings_view == "stored":
        return _serve(group.settings, option)
    return _serve(tiers.effective_group_settings(call.state, group.id), option)


def patch_group_settings(call: Call) -> Reply:
    group = get_group(call.state, call.params["groupId"])
    body = _check_patch(call, option_of(call, USER_OPTIONS))
    changes = tiers.both_names(tiers.strip_locked(body, tiers.higher_locks(call.state), user_level=False))
    with call.state.lock:
        tiers.deep_merge(group.settings, changes)
        call.state.touch()
    return Reply(NO_CONTENT)


def get_group_locks(call: Call) -> Reply:
    group = get_group(call.state, call.params["groupId"])
    return _serve(group.locks, option_of(call, LOCK_OPTIONS))


def patch_group_locks(call: Call) -> Reply:
    group = get_group(call.state, call.params["groupId"])
    body = _check_patch(call, option_of(call, LOCK_OPTIONS))
    with call.state.lock:
        tiers.deep_merge(group.locks, body)
        call.state.touch()
    return Reply(NO_CONTENT)


ROUTES: list[tuple[str, str, str, tuple[str, ...], Any]] = [
    # method, path, category, accepted scopes (any one), handler
    ("GET", "/users", "medium", ("user:read:admin",), list_users),
    ("GET", "/users/{userId}", "light", ("user:read:admin", "user:read"), get_user_route),
    ("GET", "/users/{userId}/settings", "medium", ("user:read:admin", "user:read"), get_user_settings),
    ("PATCH", "/users/{userId}/settings", "medium", ("user:write:admin", "user:write"), patch_user_settings),
    ("GET", "/accounts/{accountId}/settings", "medium", ("account:read:admin",), get_account_settings),
    ("PATCH", "/accounts/{accountId}/settings", "medium", ("account:write:admin",), patch_account_settings),
    ("GET", "/accounts/{accountId}/lock_settings", "medium", ("account:read:admin",), get_account_locks),
    ("PATCH", "/accounts/{accountId}/lock_settings", "medium", ("account:write:admin",), patch_account_locks),
    ("GET", "/groups", "medium", ("group:read:admin",), list_groups),
    ("GET", "/groups/{groupId}/members", "medium", ("group:read:admin",), list_group_members),
    ("GET", "/groups/{groupId}/settings", "medium", ("group:read:admin",), get_group_settings),
    ("PATCH", "/groups/{groupId}/settings", "medium", ("group:write:admin",), patch_group_settings),
    ("GET", "/groups/{groupId}/lock_settings", "medium", ("group:read:admin",), get_group_locks),
    ("PATCH", "/groups/{groupId}/lock_settings", "medium", ("group:write:admin",), patch_group_locks),
]
