"""The sandbox's model of the phone passcode and the passcode in join links: both names at the tiers
Zoom's types give them, PATCHes of either name, locks on either name, and the demo's cases."""

from __future__ import annotations

import pytest

from zoomaudit.policy.evaluate import evaluate_subject
from zoomaudit.policy.load import load_policies
from zoomaudit.snapshot import AccountContext, HostContext, Subject
from zoomaudit.zoom.models import Meeting, User

from .conftest import Api
from .demo_cases import NO_PASSCODE

PSTN, PHONE = "pstn_password_protected", "phone_password"
EMBED = "embed_password_in_join_link"


def _views(api: Api, name: str) -> dict[str, dict[str, dict[str, object]]]:
    user = api.user(name)
    out = {}
    for tier, path in (
        ("user", f"/users/{user.id}/settings"),
        ("group", f"/groups/{user.group_ids[0]}/settings"),
        ("account", "/accounts/me/settings"),
    ):
        out[tier] = {
            "schedule_meeting": api.get(path).json().get("schedule_meeting", {}),
            "meeting_security": api.get(path, option="meeting_security").json()["meeting_security"],
        }
    return out


@pytest.mark.parametrize(
    ("section", "key", "tiers"),
    [
        ("schedule_meeting", PSTN, {"user", "group"}),
        ("meeting_security", PHONE, {"user", "group", "account"}),
        ("schedule_meeting", EMBED, {"user", "group"}),
        ("meeting_security", EMBED, {"user", "group", "account"}),
    ],
)
def test_each_tier_serves_the_names_zoom_gives_it(api: Api, section: str, key: str, tiers: set[str]) -> None:
    views = _views(api, "Owen")
    assert {tier for tier, doc in views.items() if key in doc[section]} == tiers


def test_both_names_answer_one_value_and_a_patch_of_either_sets_both(api: Api) -> None:
    nadia = api.user("Nadia")
    views = _views(api, "Nadia")["user"]
    assert (views["schedule_meeting"][PSTN], views["meeting_security"][PHONE]) == (False, False)
    body = {"meeting_security": {PHONE: True}}
    response = api.patch(f"/users/{nadia.id}/settings", body, option="meeting_security")
    assert response.status_code == 204
    views = _views(api, "Nadia")["user"]
    assert (views["schedule_meeting"][PSTN], views["meeting_security"][PHONE]) == (True, True)
    marcus = api.user("Marcus")
    assert api.patch(f"/users/{marcus.id}/settings", {"schedule_meeting": {EMBED: False}}).status_code == 204
    views = _views(api, "Marcus")["user"]
    assert (views["schedule_meeting"][EMBED], views["meeting_security"][EMBED]) == (False, False)


def test_a_group_lock_on_either_name_keeps_the_users_patch_out(api: Api) -> None:
    amira = api.user("Amira")  # Counsellors lock the passcode out of join links
    assert api.patch(f"/users/{amira.id}/settings", {"schedule_meeting": {EMBED: True}}).status_code == 204
    views = _views(api, "Amira")["user"]
    assert (views["schedule_meeting"][EMBED], views["meeting_security"][EMBED]) == (False, False)


def test_an_account_lock_on_the_phone_passcode_reaches_both_names(api: Api) -> None:
    body = {"meeting_security": {PHONE: True}}
    assert api.patch("/accounts/me/lock_settings", body, option="meeting_security").status_code == 204
    views = _views(api, "Nadia")["user"]
    assert (views["schedule_meeting"][PSTN], views["meeting_security"][PHONE]) == (True, True)


def test_the_phone_passcode_follows_the_passcode_and_cannot_be_patched(api: Api) -> None:
    """Not in Zoom's meeting update body: the sandbox ignores it, as it ignores any unknown key."""
    meetup = api.state.meeting_by_topic("Peer mentors meetup")
    served = api.get(f"/meetings/{meetup['id']}").json()["pstn_password"]
    assert served.isdigit()
    assert len(served) == 10
    response = api.patch(f"/meetings/{meetup['id']}", {"pstn_password": "11112222"})
    assert response.status_code == 204
    assert api.get(f"/meetings/{meetup['id']}").json()["pstn_password"] == served


def test_a_meeting_without_a_passcode_gets_no_phone_passcode_finding(api: Api) -> None:
    body = api.get(f"/meetings/{api.state.meeting_by_topic(NO_PASSCODE)['id']}").json()
    assert body["password"] == ""
    user = User.model_validate(api.get(f"/users/{body['host_id']}").json())
    settings = api.get(f"/users/{user.id}/settings").json()
    settings.update(api.get(f"/users/{user.id}/settings", option="meeting_security").json())
    account = AccountContext(
        settings=api.get("/accounts/me/settings", option="meeting_security").json(),
        locks=api.get("/accounts/me/lock_settings", option="meeting_security").json(),
    )
    findings = evaluate_subject(
        load_policies(),
        account,
        HostContext(user=user, settings=settings, group_ids=()),
        Subject(meeting=Meeting.model_validate(body)),
    )
    policies = {f.policy_id for f in findings}
    assert "passcode-required" in policies
    assert "phone-passcode-required" not in policies
