"""The sandbox's model of who waits in the waiting room (docs/sandbox.md guess 13): the account's
``waiting_room_options`` with its own lock, the users' and groups' older ``waiting_room_settings``,
and a meeting's own ``waiting_room_options``."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

COOKING = "Youth group: cooking together"
TRUSTEES = "Trustees board meeting"
WAITING = "waiting_room_settings"


def _meeting(api: Api, topic: str) -> int:
    return int(api.state.meeting_by_topic(topic)["id"])


def _security(api: Api, path: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(path, option="meeting_security").json()["meeting_security"]
    return body


def _lock_options(api: Api, admit_type: int, who_can_admit: int) -> None:
    options = api.state.account_settings["meeting_security"]["waiting_room_options"]
    options.update({"locked": True, "admit_type": admit_type, "who_can_admit_participants": who_can_admit})


def test_only_the_account_serves_waiting_room_options(api: Api) -> None:
    dan = api.user("Dan")
    account = _security(api, "/accounts/me/settings")
    assert account["waiting_room_options"]["locked"] is False
    assert account["waiting_room_options"]["more_options"][
        "move_participants_to_waiting_room_when_host_dropped"
    ]
    user = _security(api, f"/users/{dan.id}/settings")
    assert "waiting_room_options" not in user
    assert user[WAITING]["participants_to_place_in_waiting_room"] == 0
    group_id = dan.group_ids[0]
    assert "waiting_room_options" not in _security(api, f"/groups/{group_id}/settings")


def test_a_meeting_serves_its_own_options(api: Api) -> None:
    cooking = api.get(f"/meetings/{_meeting(api, COOKING)}").json()["settings"]["waiting_room_options"]
    assert cooking == {"mode": "custom", "who_goes_to_waiting_room": "users_not_in_account"}
    trustees = api.get(f"/meetings/{_meeting(api, TRUSTEES)}").json()["settings"]["waiting_room_options"]
    assert trustees["mode"] == "follow_setting"


@pytest.mark.parametrize(("admit_type", "place"), [(1, 0), (2, 1), (3, 2)])
def test_locked_options_show_in_every_users_older_settings(api: Api, admit_type: int, place: int) -> None:
    dan = api.user("Dan")
    _lock_options(api, admit_type, 1)
    user = _security(api, f"/users/{dan.id}/settings")[WAITING]
    assert user["participants_to_place_in_waiting_room"] == place
    assert user["users_who_can_admit_participants_from_waiting_room"] == 1
    group = _security(api, f"/groups/{dan.group_ids[0]}/settings")[WAITING]
    assert group["participants_to_place_in_waiting_room"] == place


def test_a_user_patch_under_locked_options_is_ignored(api: Api) -> None:
    dan = api.user("Dan")
    _lock_options(api, 1, 0)
    body = {"meeting_security": {WAITING: {"participants_to_place_in_waiting_room": 1}}}
    response = api.patch(f"/users/{dan.id}/settings", body, option="meeting_security")
    assert response.status_code == 204
    assert (
        dan.settings.get("meeting_security", {}).get(WAITING, {}).get("participants_to_place_in_waiting_room")
        != 1
    )
    assert _security(api, f"/users/{dan.id}/settings")[WAITING]["participants_to_place_in_waiting_room"] == 0


def test_an_unlocked_user_patch_sticks(api: Api) -> None:
    dan = api.user("Dan")
    body = {"meeting_security": {WAITING: {"participants_to_place_in_waiting_room": 2}}}
    assert api.patch(f"/users/{dan.id}/settings", body, option="meeting_security").status_code == 204
    assert _security(api, f"/users/{dan.id}/settings")[WAITING]["participants_to_place_in_waiting_room"] == 2


def test_a_meeting_patch_sets_custom_mode(api: Api) -> None:
    meeting_id = _meeting(api, COOKING)
    options = {"mode": "custom", "who_goes_to_waiting_room": "everyone"}
    assert (
        api.patch(f"/meetings/{meeting_id}", {"settings": {"waiting_room_options": options}}).status_code
        == 204
    )
    assert api.get(f"/meetings/{meeting_id}").json()["settings"]["waiting_room_options"] == options
    # Other meetings keep their own options (no settings object is shared between meetings).
    trustees = api.get(f"/meetings/{_meeting(api, TRUSTEES)}").json()["settings"]["waiting_room_options"]
    assert trustees["mode"] == "follow_setting"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ("custom", "settings.waiting_room_options.mode"),
        ({"who_goes_to_waiting_room": "everyone"}, "settings.waiting_room_options.mode"),
        ({"mode": "sometimes"}, "settings.waiting_room_options.mode"),
        (
            {"mode": "custom", "who_goes_to_waiting_room": "staff"},
            "settings.waiting_room_options.who_goes_to_waiting_room",
        ),
        ({"mode": "custom", "bypass": True}, "settings.waiting_room_options.bypass"),
    ],
)
def test_meeting_patch_refuses_options_zoom_does_not_type(api: Api, options: Any, field: str) -> None:
    response = api.patch(
        f"/meetings/{_meeting(api, COOKING)}", {"settings": {"waiting_room_options": options}}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_an_e2ee_meeting_is_served_as_stored(api: Api) -> None:
    befriend = api.get(f"/meetings/{_meeting(api, 'Befriending call: R.M.')}").json()["settings"]
    assert (befriend["encryption_type"], befriend["audio"]) == ("e2ee", "both")
