"""The sandbox's model of Zoom's group priority and of the nested meeting-authentication view."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.sandbox import SandboxOptions
from zoomaudit.sandbox.defaults import account_locks, account_settings
from zoomaudit.sandbox.state import SandboxGroup, SandboxState, SandboxUser
from zoomaudit.sandbox.tiers import deciding_group, effective_user_settings, higher_locks

from .conftest import Api


def _state(youth_priority: int | None, volunteers_priority: int | None) -> tuple[SandboxState, SandboxUser]:
    state = SandboxState("acct", "cid", "secret")
    state.account_settings = account_settings("example.org")
    state.account_locks = account_locks()
    state.add_group(
        SandboxGroup(
            "g-youth",
            "Youth workers",
            settings={"in_meeting": {"private_chat": False}},
            locks={"in_meeting": {"private_chat": True}},
            priority=youth_priority,
        )
    )
    state.add_group(
        SandboxGroup(
            "g-vol",
            "Volunteers",
            settings={"schedule_meeting": {"mute_upon_entry": False}},
            priority=volunteers_priority,
        )
    )
    user = SandboxUser("u1", "kemi@example.org", "Kemi", "A", 5550000001, group_ids=["g-youth", "g-vol"])
    state.add_user(user)
    return state, user


# (youth priority, volunteers priority, deciding group, private chat the user gets)
CASES: list[tuple[int | None, int | None, str, bool]] = [
    (1, 2, "g-youth", False),  # the youth lock applies
    (2, 1, "g-vol", True),  # Volunteers manage it unlocked: the youth lock has no effect
    (None, 1, "g-vol", True),  # ranked groups come before unranked ones
    (None, None, "g-youth", False),  # nothing ranked: the order the user joined them
]


@pytest.mark.parametrize(("youth", "volunteers", "deciding", "private_chat"), CASES)
def test_the_highest_priority_group_decides(
    youth: int | None, volunteers: int | None, deciding: str, private_chat: bool
) -> None:
    state, user = _state(youth, volunteers)
    group = deciding_group(state, user)
    assert group is not None
    assert group.id == deciding
    assert effective_user_settings(state, user)["in_meeting"]["private_chat"] is private_chat
    assert len(higher_locks(state, user)) == 2  # the deciding group's and the account's
    assert higher_locks(state, user)[0] is group.locks


def test_a_user_patch_of_a_setting_a_lower_group_locks_is_kept() -> None:
    state, user = _state(2, 1)
    api = Api(state, SandboxOptions(rate_limits=False))
    answer = api.patch(f"/users/{user.id}/settings", {"in_meeting": {"private_chat": False}})
    assert answer.status_code == 204
    assert user.settings["in_meeting"]["private_chat"] is False


def test_groups_spell_use_pmi_without_the_d() -> None:
    state, _ = _state(1, 2)
    api = Api(state, SandboxOptions(rate_limits=False))
    schedule = api.get("/groups/g-vol/settings").json()["schedule_meeting"]
    assert "use_pmi_for_schedule_meetings" in schedule
    assert "use_pmi_for_scheduled_meetings" not in schedule


@pytest.mark.parametrize("shape", ["flat", "nested"])
def test_the_authentication_view_in_either_shape(shape: Any) -> None:
    state, user = _state(1, 2)
    user.settings["meeting_authentication"] = True
    api = Api(state, SandboxOptions(rate_limits=False, auth_shape=shape))
    body = api.get(f"/users/{user.id}/settings", option="meeting_authentication").json()
    if shape == "flat":
        assert body["meeting_authentication"] is True
    else:
        assert set(body) == {"authentication_options"}
        assert body["authentication_options"]["meeting_authentication"]["meeting_authentication"] is True
