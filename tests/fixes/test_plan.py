"""The planner: tiers, locks, dedupe, passcodes and modes, as plain tables of cases."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.findings import Finding, Pass
from zoomaudit.fixes.passcode import generate_passcode, longest_run, meets
from zoomaudit.fixes.plan import GENERATED, plan_fixes
from zoomaudit.fixes.steps import with_generated_passcodes
from zoomaudit.policy.checks import PasscodeRequirement, passcode_satisfies
from zoomaudit.redaction import GENERATE, GENERATE_DIGITS

from .conftest import HOST, Fix, Pol, account, batch, group, meeting, policies, violation

WAITING = Pol("waiting-room", "waiting_room", Fix("suggest", "meeting", True))
SHARE = Pol("screen-share-host-only", "screen_share", Fix("suggest", "user", "host"))
PASSCODE = Pol("passcode-required", "passcode", Fix("suggest", "meeting", "generate"))


def test_meeting_fix_patches_the_meeting_and_records_the_value_before() -> None:
    b = batch(meeting(1, settings={"waiting_room": False}))
    [plan] = plan_fixes([violation("waiting-room", "waiting_room", 1)], policies(WAITING), account(), b)
    assert (plan.target_level, plan.target_id, plan.host_id) == ("meeting", "1", HOST)
    assert plan.request.method == "PATCH"
    assert plan.request.path == "/meetings/1"
    assert plan.request.body == {"settings": {"waiting_room": True}}
    assert plan.before == {"settings.waiting_room": False}
    assert plan.meeting_ids == (1,)
    assert plan.covers == (("waiting-room", "meeting:1", ""),)
    assert plan.mode == "suggest"


def test_an_unstated_field_is_recorded_as_none_before() -> None:
    b = batch(meeting(1))
    [plan] = plan_fixes([violation("waiting-room", "waiting_room", 1)], policies(WAITING), account(), b)
    assert plan.before == {"settings.waiting_room": None}


def test_user_level_fix_is_one_plan_for_all_of_the_hosts_meetings() -> None:
    b = batch(meeting(1), meeting(2), meeting(3), settings={"in_meeting": {"screen_sharing": True}})
    found = [violation("screen-share-host-only", "screen_share", m) for m in (1, 2, 3)]
    [plan] = plan_fixes(found, policies(SHARE), account(), b)
    assert (plan.target_level, plan.target_id) == ("user", HOST)
    assert plan.request.path == f"/users/{HOST}/settings"
    assert plan.request.body == {"in_meeting": {"screen_sharing": True, "who_can_share_screen": "host"}}
    assert plan.before == {"in_meeting.screen_sharing": True, "in_meeting.who_can_share_screen": None}
    assert plan.meeting_ids == (1, 2, 3)
    assert len(plan.covers) == 3


def test_a_control_without_a_field_at_the_policys_tier_is_fixed_one_tier_up() -> None:
    pol = Pol("screen-share-host-only", "screen_share", Fix("suggest", "meeting", "host"))
    [plan] = plan_fixes([violation(pol.id, "screen_share", 1)], policies(pol), account(), batch(meeting(1)))
    assert plan.target_level == "user"
    assert "no meeting field" in plan.note


@pytest.mark.parametrize(
    ("locks", "groups", "group_ids", "level", "target", "body"),
    [
        # The account locks the waiting room: a meeting change would be ignored; the account value is set.
        (
            {"meeting_security": {"waiting_room": True}},
            (),
            (),
            "account",
            "me",
            {"meeting_security": {"waiting_room": True}},
        ),
        # The host's second group locks it (the first states nothing): that group's value is set.
        (
            {},
            (group("g1"), group("g2", locks={"in_meeting": {"waiting_room": True}})),
            ("g1", "g2"),
            "group",
            "g2",
            {"in_meeting": {"waiting_room": True}},
        ),
        # A lock flag that is off decides nothing: the meeting is fixed.
        (
            {"meeting_security": {"waiting_room": False}},
            (),
            (),
            "meeting",
            "1",
            {"settings": {"waiting_room": True}},
        ),
    ],
)
def test_never_a_lower_tier_change_to_a_setting_a_lock_decides(
    locks: dict[str, Any],
    groups: tuple[Any, ...],
    group_ids: tuple[str, ...],
    level: str,
    target: str,
    body: dict[str, Any],
) -> None:
    auto = Pol("waiting-room", "waiting_room", Fix("auto", "meeting", True))
    b = batch(meeting(1, settings={"waiting_room": False}), group_ids=group_ids)
    [plan] = plan_fixes(
        [violation("waiting-room", "waiting_room", 1)], policies(auto), account(locks=locks, groups=groups), b
    )
    assert (plan.target_level, plan.target_id) == (level, target)
    assert plan.request.body == body
    # Plans moved up past a lock change everyone in the account or group: never automatic.
    assert plan.mode == ("auto" if level == "meeting" else "suggest")
    if level != "meeting":
        assert "lock decides" in plan.note


def test_the_account_lock_wins_over_a_group_lock() -> None:
    acct = account(
        locks={"meeting_security": {"waiting_room": True}},
        groups=(group("g1", locks={"in_meeting": {"waiting_room": True}}),),
    )
    b = batch(meeting(1), group_ids=("g1",))
    [plan] = plan_fixes([violation("waiting-room", "waiting_room", 1)], policies(WAITING), acct, b)
    assert plan.target_level == "account"


def test_an_escalated_fix_covers_every_meeting_of_the_batch_once() -> None:
    acct = account(locks={"meeting_security": {"waiting_room": True}})
    b = batch(meeting(1), meeting(2))
    found = [violation("waiting-room", "waiting_room", m) for m in (1, 2)]
    [plan] = plan_fixes(found, policies(WAITING), acct, b)
    assert plan.meeting_ids == (1, 2)


def test_a_passcode_plan_holds_no_passcode() -> None:
    """The passcode is generated when the fix is applied (fixes.steps.with_generated_passcodes):
    the plan, which is stored, holds a marker."""
    requirement: dict[str, Any] = {"length": 10, "have_special_character": True}
    b = batch(meeting(1), settings={"schedule_meeting": {"meeting_password_requirement": requirement}})
    [plan] = plan_fixes([violation("passcode-required", "passcode", 1)], policies(PASSCODE), account(), b)
    assert plan.request.body == {"password": GENERATE}
    assert GENERATED in plan.dedupe_key
    assert plan.before == {"password": None}


def test_a_digits_only_requirement_plans_a_digits_only_passcode() -> None:
    b = batch(
        meeting(1),
        meeting(2),
        settings={"schedule_meeting": {"meeting_password_requirement": {"only_allow_numeric": True}}},
    )
    found = [violation("passcode-required", "passcode", m) for m in (1, 2)]
    plans = plan_fixes(found, policies(PASSCODE), account(), b)
    assert [p.request.body for p in plans] == [{"password": GENERATE_DIGITS}] * 2
    assert [p.target_id for p in plans] == ["1", "2"]


@pytest.mark.parametrize(
    ("marker", "requirement"),
    [(GENERATE, {"length": 10, "have_special_character": True, "have_upper_and_lower_characters": True,
                 "consecutive_characters_length": 4}),
     (GENERATE_DIGITS, {"only_allow_numeric": True, "consecutive_characters_length": 4})],
)  # fmt: skip
def test_the_passcode_generated_at_apply_time_meets_the_rules(
    marker: str, requirement: dict[str, Any]
) -> None:
    body, wanted, generated = with_generated_passcodes({"password": marker}, {"password": marker})
    password = generated["password"]
    assert body == wanted == {"password": password}
    assert passcode_satisfies(password, PasscodeRequirement(**requirement)) == []
    assert meets(password, requirement)


def test_a_passcode_fix_is_not_moved_up_by_a_lock_on_requiring_passcodes() -> None:
    acct = account(locks={"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}})
    [plan] = plan_fixes(
        [violation("passcode-required", "passcode", 1)], policies(PASSCODE), acct, batch(meeting(1))
    )
    assert plan.target_level == "meeting"


@pytest.mark.parametrize(
    ("policy_mode", "override", "expected"),
    [
        ("suggest", None, "suggest"),
        ("auto", None, "auto"),
        ("suggest", "auto", "auto"),
        ("auto", "suggest", "suggest"),
        ("auto", "off", None),
        ("off", None, None),
        ("off", "auto", None),  # a fix its author switched off stays off
    ],
)
def test_mode_override(policy_mode: str, override: Any, expected: str | None) -> None:
    pol = Pol("waiting-room", "waiting_room", Fix(policy_mode, "meeting", True))
    plans = plan_fixes(
        [violation("waiting-room", "waiting_room", 1)],
        policies(pol),
        account(),
        batch(meeting(1)),
        mode_override=override,
    )
    assert [p.mode for p in plans] == ([expected] if expected else [])


def test_only_violations_of_policies_with_a_fix_yield_plans() -> None:
    no_fix = Pol("alternative-host", "alternative_hosts", None)
    found: list[Finding] = [
        Pass(policy_id="waiting-room", control="waiting_room", severity="high", meeting_id=1, host_id=HOST),
        violation("alternative-host", "alternative_hosts", 1),
        violation("unknown-policy", "waiting_room", 1),
    ]
    assert plan_fixes(found, policies(WAITING, no_fix), account(), batch(meeting(1))) == []


def test_no_plan_when_the_target_already_holds_the_value() -> None:
    b = batch(meeting(1, settings={"waiting_room": True}))
    assert plan_fixes([violation("waiting-room", "waiting_room", 1)], policies(WAITING), account(), b) == []


def test_an_occurrence_fixable_setting_patches_just_that_occurrence() -> None:
    b = batch(meeting(1, settings={"waiting_room": False}), occurrences={1: "1700000000000"})
    found = [violation("waiting-room", "waiting_room", 1, occurrence_id="1700000000000")]
    [plan] = plan_fixes(found, policies(WAITING), account(), b)
    assert plan.request.query == {"occurrence_id": "1700000000000"}
    assert plan.occurrence_id == "1700000000000"


def test_two_policies_setting_the_same_field_share_one_plan() -> None:
    strength = Pol("passcode-strength", "passcode", Fix("suggest", "meeting", "generate"))
    found = [violation("passcode-required", "passcode", 1), violation("passcode-strength", "passcode", 1)]
    [plan] = plan_fixes(found, policies(PASSCODE, strength), account(), batch(meeting(1)))
    assert {c[0] for c in plan.covers} == {"passcode-required", "passcode-strength"}


@pytest.mark.parametrize(
    "requirement",
    [
        None,
        {"only_allow_numeric": True, "length": 6},
        {"length": 10, "have_special_character": True, "have_upper_and_lower_characters": True},
        {"consecutive_characters_length": 4, "have_letter": True, "have_number": True},
    ],
)
def test_generated_passcodes_fit_zoom_and_the_requirement(requirement: Any) -> None:
    for _ in range(50):
        password = generate_passcode(requirement)
        assert len(password) == 10
        assert meets(password, requirement)
        assert longest_run(password) < 3


def test_a_requirement_zoom_cannot_meet_is_an_error() -> None:
    with pytest.raises(ValueError, match="at most 10"):
        generate_passcode({"length": 12})
