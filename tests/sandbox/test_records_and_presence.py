"""The sandbox's model of continuous chat, AI summaries, recording consent, local recording and
guest alerts: which tier has which field, and which PATCHes Zoom's types allow."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

_CHAT = "continuous_meeting_chat"


def _meeting(api: Api, topic: str) -> int:
    return int(api.state.meeting_by_topic(topic)["id"])


@pytest.mark.parametrize(
    "settings",
    [
        {_CHAT: "yes"},
        {_CHAT: {"enable": "no"}},
        {_CHAT: {"enable": False, "channel_for_everyone": True}},
        {"auto_start_meeting_summary": 1},
        {"auto_start_meeting_summary": "false"},
        {"who_will_receive_summary": 5},
        {"who_will_receive_summary": True},
        {"who_will_receive_summary": "4"},
    ],
)
def test_meeting_patch_refuses_values_zoom_does_not_type(api: Api, settings: dict[str, Any]) -> None:
    response = api.patch(f"/meetings/{_meeting(api, 'Youth group: music makers')}", {"settings": settings})
    assert response.status_code == 400, settings
    assert response.json()["errors"][0]["field"].startswith(f"settings.{next(iter(settings))}")


def test_continuous_chat_patch_changes_only_the_switch_sent(api: Api) -> None:
    meeting_id = _meeting(api, "Youth group: music makers")
    assert api.get(f"/meetings/{meeting_id}").json()["settings"][_CHAT]["enable"] is True
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {_CHAT: {"enable": False}}}).status_code == 204
    chat = api.get(f"/meetings/{meeting_id}").json()["settings"][_CHAT]
    assert chat == {
        "enable": False,
        "auto_add_invited_external_users": True,
        "auto_add_meeting_participants": True,
    }


def test_ai_summary_patch_round_trips(api: Api) -> None:
    meeting_id = _meeting(api, "Counselling session: client C-0468")
    before = api.get(f"/meetings/{meeting_id}").json()["settings"]
    assert (before["auto_start_meeting_summary"], before["who_will_receive_summary"]) == (True, 4)
    body = {"settings": {"auto_start_meeting_summary": False, "who_will_receive_summary": 1}}
    assert api.patch(f"/meetings/{meeting_id}", body).status_code == 204
    after = api.get(f"/meetings/{meeting_id}").json()["settings"]
    assert (after["auto_start_meeting_summary"], after["who_will_receive_summary"]) == (False, 1)


@pytest.mark.parametrize(
    ("section", "key", "user", "group", "account"),
    [
        # Zoom's types: no guest alert for users; no summary or disclaimer settings for groups.
        ("in_meeting", "alert_guest_join", False, True, True),
        ("in_meeting", "meeting_summary_with_ai_companion", True, False, True),
        ("recording", "recording_disclaimer", True, False, True),
        ("recording", "ask_participants_to_consent_disclaimer", True, False, True),
        ("recording", "local_recording", True, True, True),
        ("schedule_meeting", _CHAT, True, True, True),
    ],
)
def test_each_tier_serves_only_the_fields_zoom_gives_it(
    api: Api, section: str, key: str, user: bool, group: bool, account: bool
) -> None:
    nadia = api.user("Nadia")
    served = {
        "user": api.get(f"/users/{nadia.id}/settings").json(),
        "group": api.get(f"/groups/{nadia.group_ids[0]}/settings").json(),
        "account": api.get("/accounts/me/settings").json(),
    }
    expected = {"user": user, "group": group, "account": account}
    for tier, doc in served.items():
        assert (key in doc.get(section, {})) is expected[tier], (tier, section, key)


def test_users_inherit_the_recording_consent_and_their_own_change_sticks(api: Api) -> None:
    owen, amira = api.user("Owen"), api.user("Amira")
    inherited = api.get(f"/users/{amira.id}/settings").json()["recording"]
    assert (inherited["recording_disclaimer"], inherited["ask_participants_to_consent_disclaimer"]) == (
        True,
        True,
    )
    assert (
        api.get(f"/users/{owen.id}/settings").json()["recording"]["ask_participants_to_consent_disclaimer"]
        is False
    )
    body = {"recording": {"recording_disclaimer": True, "ask_participants_to_consent_disclaimer": True}}
    assert api.patch(f"/users/{owen.id}/settings", body).status_code == 204
    assert (
        api.get(f"/users/{owen.id}/settings").json()["recording"]["ask_participants_to_consent_disclaimer"]
        is True
    )


def test_a_group_lock_on_local_recording_beats_the_users_own_value(api: Api) -> None:
    amira = api.user("Amira")
    assert (
        api.patch(f"/users/{amira.id}/settings", {"recording": {"local_recording": True}}).status_code == 204
    )
    assert api.get(f"/users/{amira.id}/settings").json()["recording"]["local_recording"] is False
    dan = api.user("Dan")
    assert api.get(f"/users/{dan.id}/settings").json()["recording"]["local_recording"] is True


def test_the_guest_alert_follows_the_group_and_an_account_change(api: Api) -> None:
    nadia, priya = api.user("Nadia"), api.user("Priya")
    volunteers, admins = nadia.group_ids[0], priya.group_ids[0]
    assert api.get(f"/groups/{volunteers}/settings").json()["in_meeting"]["alert_guest_join"] is False
    assert api.get(f"/groups/{admins}/settings").json()["in_meeting"]["alert_guest_join"] is True
    assert api.patch("/accounts/me/settings", {"in_meeting": {"alert_guest_join": False}}).status_code == 204
    assert api.get(f"/groups/{admins}/settings").json()["in_meeting"]["alert_guest_join"] is False
