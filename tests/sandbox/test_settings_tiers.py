"""Settings of every tier: option views, effective user values, locks, PATCH semantics (tiers.py)."""

from __future__ import annotations

from .conftest import Api


def test_option_views_split_the_settings_as_zoom_does(api: Api) -> None:
    default = api.get("/accounts/me/settings").json()
    security = api.get("/accounts/me/settings", option="meeting_security").json()
    auth = api.get("/accounts/me/settings", option="meeting_authentication").json()
    assert "meeting_security" not in default
    assert "meeting_authentication" not in default
    assert {"in_meeting", "schedule_meeting", "recording"} <= set(default)
    assert list(security) == ["meeting_security"]
    assert security["meeting_security"]["auto_security"] is True
    assert set(auth) == {"meeting_authentication", "authentication_options", "allow_authentication_exception"}
    assert api.get("/accounts/me/settings", option="bogus").status_code == 400
    locks = api.get("/accounts/me/lock_settings", option="meeting_security").json()
    assert list(locks) == ["meeting_security"]
    assert api.get("/accounts/me/lock_settings").json()["schedule_meeting"]["join_before_host"] is True


def test_user_settings_are_effective_values(api: Api) -> None:
    def in_meeting(name: str) -> dict[str, object]:
        body: dict[str, object] = api.get(f"/users/{api.user(name).id}/settings").json()["in_meeting"]
        return body

    assert in_meeting("Amira")["private_chat"] is True  # inherited from the account
    assert in_meeting("Grace")["private_chat"] is False  # her own value
    assert in_meeting("Jade")["private_chat"] is False  # Youth workers' locked value
    assert in_meeting("Marcus")["who_can_share_screen"] == "all"
    marcus = api.get(f"/users/{api.user('Marcus').id}/settings").json()
    assert marcus["schedule_meeting"]["participants_video"] is False  # the user-level (plural) name
    assert "participant_video" not in marcus["schedule_meeting"]
    amira = api.get(f"/users/{api.user('Amira').id}/settings", option="meeting_authentication").json()
    assert amira["meeting_authentication"] is True


def test_stored_view_answers_only_the_users_own_values(api: Api) -> None:
    api.options.settings_view = "stored"
    grace = api.get(f"/users/{api.user('Grace').id}/settings").json()
    assert grace == {
        "in_meeting": {"private_chat": False, "allow_participants_chat_with": 3},
        "schedule_meeting": {"personal_meeting": False},
    }


def test_patch_changes_only_the_keys_sent(api: Api) -> None:
    amira = api.user("Amira")
    response = api.patch(f"/users/{amira.id}/settings", {"in_meeting": {"private_chat": False}})
    assert response.status_code == 204
    assert response.content == b""
    after = api.get(f"/users/{amira.id}/settings").json()["in_meeting"]
    assert after["private_chat"] is False
    assert after["file_transfer"] is False
    assert after["chat"] is True
    security = {
        "meeting_security": {
            "waiting_room_settings": {"users_who_can_admit_participants_from_waiting_room": 1}
        }
    }
    assert api.patch(f"/users/{amira.id}/settings", security, option="meeting_security").status_code == 204
    ms = api.get(f"/users/{amira.id}/settings", option="meeting_security").json()["meeting_security"]
    assert ms["waiting_room_settings"]["users_who_can_admit_participants_from_waiting_room"] == 1
    assert ms["waiting_room_settings"]["participants_to_place_in_waiting_room"] == 0  # deep merge


def test_a_section_sent_to_the_wrong_option_view_is_refused(api: Api) -> None:
    grace = api.user("Grace")
    wrong = api.patch(f"/users/{grace.id}/settings", {"meeting_security": {"waiting_room": False}})
    assert (wrong.status_code, wrong.json()["code"]) == (400, 300)
    also_wrong = api.patch(f"/users/{grace.id}/settings", {"in_meeting": {}}, option="meeting_security")
    assert also_wrong.status_code == 400
    not_json = api.call("PATCH", f"/users/{grace.id}/settings", content=b"{nope")
    assert not_json.json() == {"code": 300, "message": "Request Body should be a valid JSON object."}


def test_user_patch_of_a_group_locked_setting_is_accepted_and_ignored(api: Api) -> None:
    jade = api.user("Jade")
    response = api.patch(f"/users/{jade.id}/settings", {"in_meeting": {"private_chat": True, "chat": False}})
    assert response.status_code == 204
    after = api.get(f"/users/{jade.id}/settings").json()["in_meeting"]
    assert after["private_chat"] is False  # locked by Youth workers: unchanged
    assert after["chat"] is False  # the unlocked key in the same body did change


def test_group_patch_of_an_account_locked_setting_is_ignored(api: Api) -> None:
    group = next(g for g in api.state.groups.values() if g.name == "Admins")
    body = {"schedule_meeting": {"join_before_host": True, "host_video": True}}
    assert api.patch(f"/groups/{group.id}/settings", body).status_code == 204
    after = api.get(f"/groups/{group.id}/settings").json()["schedule_meeting"]
    assert after["join_before_host"] is False
    assert after["host_video"] is True


def test_locks_drive_what_users_see(api: Api) -> None:
    amira = api.user("Amira")
    assert api.patch("/accounts/me/lock_settings", {"in_meeting": {"private_chat": True}}).status_code == 204
    assert api.patch("/accounts/me/settings", {"in_meeting": {"private_chat": False}}).status_code == 204
    assert api.get(f"/users/{amira.id}/settings").json()["in_meeting"]["private_chat"] is False
    group = next(g for g in api.state.groups.values() if g.name == "Volunteers")
    lock = {"meeting_security": {"waiting_room": True}}
    assert api.patch(f"/groups/{group.id}/lock_settings", lock, option="meeting_security").status_code == 204
    assert api.get(f"/groups/{group.id}/lock_settings", option="meeting_security").json() == lock


def test_unknown_user_and_group_settings(api: Api) -> None:
    assert api.get("/users/nobody/settings").json()["code"] == 1001
    assert api.get("/groups/nope/settings").json()["code"] == 4130
    assert api.get("/groups/nope/lock_settings").json()["code"] == 4130
