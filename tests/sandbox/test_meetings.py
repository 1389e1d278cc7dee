"""Meetings: listing, stored values with absent keys, PMI, occurrences, PATCH rules."""

from __future__ import annotations

from zoomaudit.sandbox.demo import overridden_occurrence

from .conftest import Api


def _id(api: Api, topic: str) -> int:
    return int(api.state.meeting_by_topic(topic)["id"])


def test_list_shows_scheduled_meetings_never_the_pmi_room(api: Api) -> None:
    marcus = api.user("Marcus")
    body = api.get(f"/users/{marcus.id}/meetings", type="scheduled").json()
    items = body["meetings"]
    assert body["next_page_token"] == ""
    assert {m["type"] for m in items} <= {2, 3, 8}
    assert all(m["id"] != marcus.pmi for m in items)
    gaming = next(m for m in items if m["topic"] == "Gaming club (ages 13-16)")
    assert gaming["pmi"] == str(marcus.pmi)
    assert "settings" not in gaming
    assert "password" not in gaming
    film = next(m for m in items if m["topic"] == "Youth group: film night")
    assert "pmi" not in film


def test_list_types_and_errors(api: Api) -> None:
    sian = api.user("Sian")
    upcoming = api.get(f"/users/{sian.id}/meetings", type="upcoming").json()["meetings"]
    assert any(m["type"] == 3 and "start_time" not in m for m in upcoming)
    assert api.get(f"/users/{sian.id}/meetings", type="previous_meetings").json()["meetings"] == []
    assert api.get(f"/users/{sian.id}/meetings", type="sometime").status_code == 400
    missing = api.get("/users/nobody/meetings")
    assert missing.json() == {"code": 1001, "message": "User nobody not exist or not belong to this account."}


def test_list_pages(api: Api) -> None:
    jade = api.user("Jade")
    first = api.get(f"/users/{jade.id}/meetings", page_size=2).json()
    assert len(first["meetings"]) == 2
    assert first["next_page_token"]
    second = api.get(
        f"/users/{jade.id}/meetings", page_size=2, next_page_token=first["next_page_token"]
    ).json()
    assert {m["id"] for m in first["meetings"]}.isdisjoint(m["id"] for m in second["meetings"])


def test_get_returns_only_stored_values(api: Api) -> None:
    film = api.get(f"/meetings/{_id(api, 'Youth group: film night')}").json()
    assert "waiting_room" not in film["settings"]
    assert film["settings"]["focus_mode"] is False
    assert film["host_email"] == api.user("Marcus").email
    assert film["password"] == "Film7nt3"
    missing = api.get("/meetings/12345")
    assert missing.status_code == 404
    assert missing.json() == {"code": 3001, "message": "Meeting 12345 is not found or has expired."}


def test_the_pmi_room_is_a_type_4_meeting(api: Api) -> None:
    marcus = api.user("Marcus")
    room = api.get(f"/meetings/{marcus.pmi}").json()
    assert room["type"] == 4
    assert room["id"] == marcus.pmi
    assert room["password"] == "445566"
    assert room["settings"]["join_before_host"] is True


def test_an_occurrence_carries_its_own_settings(api: Api) -> None:
    meeting_id, occ = overridden_occurrence(api.state)
    series = api.get(f"/meetings/{meeting_id}").json()
    one = api.get(f"/meetings/{meeting_id}", occurrence_id=occ).json()
    other = series["occurrences"][1]["occurrence_id"]
    assert series["settings"]["waiting_room"] is True
    assert one["settings"]["waiting_room"] is False
    assert one["start_time"] == series["occurrences"][0]["start_time"]
    assert api.get(f"/meetings/{meeting_id}", occurrence_id=other).json()["settings"] == series["settings"]
    assert api.get(f"/meetings/{meeting_id}", occurrence_id="999").status_code == 400


def test_patch_changes_only_the_keys_sent(api: Api) -> None:
    meeting_id = _id(api, "Trustees board meeting")
    before = api.get(f"/meetings/{meeting_id}").json()
    response = api.patch(f"/meetings/{meeting_id}", {"settings": {"auto_recording": "none"}})
    assert (response.status_code, response.content) == (204, b"")
    after = api.get(f"/meetings/{meeting_id}").json()
    assert after["settings"] == {**before["settings"], "auto_recording": "none"}
    assert {k: v for k, v in after.items() if k != "settings"} == {
        k: v for k, v in before.items() if k != "settings"
    }
    api.patch(f"/meetings/{meeting_id}", {"topic": "Trustees (renamed)", "password": "Tr7ust33"})
    renamed = api.get(f"/meetings/{meeting_id}").json()
    assert (renamed["topic"], renamed["password"]) == ("Trustees (renamed)", "Tr7ust33")


def test_patch_refuses_bad_bodies_and_values(api: Api) -> None:
    meeting_id = _id(api, "Trustees board meeting")
    raw = api.call("PATCH", f"/meetings/{meeting_id}", content=b"not json")
    assert raw.json() == {"code": 300, "message": "Request Body should be a valid JSON object."}
    assert api.patch(f"/meetings/{meeting_id}", [1, 2]).json()["code"] == 300
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"waiting_room": "yes"}}).status_code == 400
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"auto_recording": "tape"}}).status_code == 400
    assert api.patch("/meetings/777", {"topic": "x"}).json()["code"] == 3001


def test_passcode_rules(api: Api) -> None:
    meeting_id = _id(api, "Trustees board meeting")
    for bad in ("Abcdefgh1234", "pass word1", "abc!12345", "12ab"):
        response = api.patch(f"/meetings/{meeting_id}", {"password": bad})
        assert response.status_code == 400, bad
        body = response.json()
        assert body["code"] == 300
        assert body["errors"][0]["field"] == "password"
    api.patch(
        "/accounts/me/settings",
        {"meeting_security": {"meeting_password_requirement": {"have_letter": True}}},
        option="meeting_security",
    )
    assert api.patch(f"/meetings/{meeting_id}", {"password": "123456"}).status_code == 400
    assert api.patch(f"/meetings/{meeting_id}", {"password": "a-b_c*1@"}).status_code == 204


def test_occurrence_patch_accepts_only_the_occurrence_fields(api: Api) -> None:
    meeting_id, occ = overridden_occurrence(api.state)
    refused = api.patch(f"/meetings/{meeting_id}", {"topic": "new"}, occurrence_id=occ)
    assert (refused.status_code, refused.json()["code"]) == (400, 300)
    refused = api.patch(f"/meetings/{meeting_id}", {"settings": {"use_pmi": True}}, occurrence_id=occ)
    assert refused.status_code == 400
    ok = api.patch(f"/meetings/{meeting_id}", {"settings": {"waiting_room": True}}, occurrence_id=occ)
    assert ok.status_code == 204
    assert api.get(f"/meetings/{meeting_id}", occurrence_id=occ).json()["settings"]["waiting_room"] is True
    api.patch(f"/meetings/{meeting_id}", {"settings": {"mute_upon_entry": False}}, occurrence_id=occ)
    series = api.get(f"/meetings/{meeting_id}").json()["settings"]
    assert "mute_upon_entry" not in series  # the series is untouched


def test_secure_every_meeting_turns_the_waiting_room_back_on(api: Api) -> None:
    talk = _id(api, "Public talk: Keeping young people safe online")
    assert api.patch(f"/meetings/{talk}", {"password": ""}).status_code == 204
    after = api.get(f"/meetings/{talk}").json()
    assert after["password"] == ""
    assert after["settings"]["waiting_room"] is True
    # Without auto_security the same change sticks.
    api.patch(
        "/accounts/me/settings", {"meeting_security": {"auto_security": False}}, option="meeting_security"
    )
    api.patch(f"/meetings/{talk}", {"settings": {"waiting_room": False}})
    assert api.get(f"/meetings/{talk}").json()["settings"]["waiting_room"] is False


def test_secure_every_meeting_applies_to_an_occurrence(api: Api) -> None:
    meeting_id, occ = overridden_occurrence(api.state)
    api.patch(f"/meetings/{meeting_id}", {"password": ""})
    assert api.get(f"/meetings/{meeting_id}", occurrence_id=occ).json()["settings"]["waiting_room"] is False
    api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": True}}, occurrence_id=occ)
    assert api.get(f"/meetings/{meeting_id}", occurrence_id=occ).json()["settings"]["waiting_room"] is True
