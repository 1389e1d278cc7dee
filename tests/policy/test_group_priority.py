"""A host in several groups: the highest-priority group that manages a setting decides it and
its lock; with the priority unknown, disagreeing groups give "cannot be judged" (issue 12.1)."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.controls import CATALOGUE
from zoomaudit.errors import ConfigError
from zoomaudit.fixes.plan import lock_above
from zoomaudit.policy.checks import PasscodeRequirement, passcode_requirement
from zoomaudit.priority import host_groups, resolve_priority
from zoomaudit.resolve import HostResolution
from zoomaudit.snapshot import AccountContext, GroupContext

from .conftest import account, batch, group, host, subject

WAITING_ROOM = CATALOGUE["waiting_room"]
BREAKOUT = CATALOGUE["breakout_rooms"]
MUTE = CATALOGUE["mute_upon_entry"]

ON_LOCKED = ({"in_meeting": {"waiting_room": True}}, {"in_meeting": {"waiting_room": True}})
OFF_UNLOCKED = ({"in_meeting": {"waiting_room": False}}, {"in_meeting": {"waiting_room": False}})
OFF_LOCKED = ({"in_meeting": {"waiting_room": False}}, {"in_meeting": {"waiting_room": True}})
NOT_MANAGED: tuple[dict[str, Any], dict[str, Any]] = ({}, {})


def _account(
    staff: tuple[dict[str, Any], dict[str, Any]],
    youth: tuple[dict[str, Any], dict[str, Any]],
    priority: tuple[str, ...] | None,
    locks: dict[str, Any] | None = None,
) -> AccountContext:
    acc = account(
        {"meeting_security": {"waiting_room": False}},
        locks or {},
        [group("g-staff", "Staff", *staff), group("g-youth", "Youth workers", *youth)],
    )
    return acc.model_copy(update={"group_priority": priority})


# (id, staff group, youth group, priority (ids, highest first), user settings, meeting settings,
#  expected: (tier, value, locked, deciding group) or ("error", words the message must hold))
CASES: list[tuple[str, Any, Any, tuple[str, ...] | None, dict[str, Any], dict[str, Any], tuple[Any, ...]]] = [
    (
        "the highest group's lock decides",
        ON_LOCKED,
        OFF_UNLOCKED,
        ("g-staff", "g-youth"),
        {},
        {"waiting_room": False},
        ("group_lock", True, True, "g-staff"),
    ),
    (
        "a lower group's lock has no effect under a higher group that manages it",
        OFF_UNLOCKED,
        ON_LOCKED,
        ("g-staff", "g-youth"),
        {},
        {"waiting_room": False},
        ("meeting", False, False, None),
    ),
    (
        "priority, not Zoom's list order, decides",
        ON_LOCKED,
        OFF_UNLOCKED,
        ("g-youth", "g-staff"),
        {},
        {"waiting_room": False},
        ("meeting", False, False, None),
    ),
    (
        "a higher group that does not manage the setting passes it to the next",
        NOT_MANAGED,
        ON_LOCKED,
        ("g-staff", "g-youth"),
        {},
        {"waiting_room": False},
        ("group_lock", True, True, "g-youth"),
    ),
    (
        "the deciding group's unlocked value is the group tier",
        ({"in_meeting": {"waiting_room": True}}, {}),
        OFF_UNLOCKED,
        ("g-staff", "g-youth"),
        {},
        {},
        ("group", True, False, "g-staff"),
    ),
    (
        "unknown priority, groups agree: no ambiguity",
        ON_LOCKED,
        ON_LOCKED,
        None,
        {},
        {"waiting_room": False},
        ("group_lock", True, True, "g-youth"),  # either could be named: they say the same
    ),
    (
        "unknown priority, only one group manages it",
        ON_LOCKED,
        NOT_MANAGED,
        None,
        {},
        {"waiting_room": False},
        ("group_lock", True, True, "g-staff"),
    ),
    (
        "unknown priority, groups disagree on the lock and the meeting differs",
        ON_LOCKED,
        OFF_UNLOCKED,
        None,
        {},
        {"waiting_room": False},
        ("error", "'Staff'", "'Youth workers'", "on, locked", "ZOOMAUDIT_GROUP_PRIORITY"),
    ),
    (
        "unknown priority, groups disagree on the lock but every outcome is on",
        ON_LOCKED,
        OFF_UNLOCKED,
        None,
        {},
        {"waiting_room": True},
        ("meeting", True, False, None),  # the first candidate's outcome is reported
    ),
    (
        "unknown priority, both lock but to different values",
        ON_LOCKED,
        OFF_LOCKED,
        None,
        {},
        {"waiting_room": True},
        ("error", "on, locked", "off, locked"),
    ),
    (
        "unknown priority, unlocked values differ but the user's settings state it",
        ({"in_meeting": {"waiting_room": True}}, {}),
        OFF_UNLOCKED,
        None,
        {"in_meeting": {"waiting_room": True}},
        {},
        ("user", True, False, None),
    ),
    (
        "unknown priority, unlocked values differ and only the groups state it",
        ({"in_meeting": {"waiting_room": True}}, {}),
        OFF_UNLOCKED,
        None,
        {},
        {},
        ("error", "'Staff': on", "'Youth workers': off"),
    ),
    (
        "a group not named in the priority is as unknown as no priority",
        ON_LOCKED,
        OFF_UNLOCKED,
        ("g-staff",),
        {},
        {"waiting_room": False},
        ("error", "'Youth workers' is not named in ZOOMAUDIT_GROUP_PRIORITY"),
    ),
    (
        "a ranked group that cannot be highest is left out",
        ON_LOCKED,
        OFF_UNLOCKED,
        ("g-youth",),
        {},
        {"waiting_room": False},
        ("error", "'Staff' is not named"),
    ),
    (
        "the account lock wins over every group, whatever their priority",
        OFF_LOCKED,
        ON_LOCKED,
        None,
        {},
        {"waiting_room": False},
        ("account_lock", False, True, None),
    ),
]


@pytest.mark.parametrize(
    ("staff", "youth", "priority", "user", "settings", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_the_deciding_group(
    staff: Any,
    youth: Any,
    priority: tuple[str, ...] | None,
    user: dict[str, Any],
    settings: dict[str, Any],
    expected: tuple[Any, ...],
) -> None:
    locks = {"meeting_security": {"waiting_room": True}} if expected[0] == "account_lock" else None
    acc = _account(staff, youth, priority, locks)
    # Zoom lists the youth group first: list order must never decide.
    the_host = host(user, ("g-youth", "g-staff"))
    decision = HostResolution(WAITING_ROOM, the_host, acc).decide(subject(settings=settings))
    if expected[0] == "error":
        assert decision.unknown is not None
        assert decision.effective.tier is None
        for words in expected[1:]:
            assert words in decision.unknown
        return
    assert decision.unknown is None
    eff = decision.effective
    assert (eff.tier, eff.value, eff.locked, decision.group_id) == expected


def test_a_host_in_one_group_is_never_ambiguous() -> None:
    acc = _account(ON_LOCKED, OFF_UNLOCKED, None)
    decision = HostResolution(WAITING_ROOM, host({}, ("g-youth",)), acc).decide(subject(settings={}))
    assert decision.unknown is None
    assert (decision.effective.tier, decision.effective.value, decision.group_id) == (
        "group",
        False,
        "g-youth",
    )


def test_the_same_resolution_judges_each_meeting_on_its_own() -> None:
    the_host = host({"in_meeting": {"waiting_room": True}}, ("g-youth", "g-staff"))
    resolution = HostResolution(WAITING_ROOM, the_host, _account(ON_LOCKED, OFF_UNLOCKED, None))
    assert resolution.decide(subject(settings={"waiting_room": True})).effective.value is True
    assert resolution.decide(subject(settings={"waiting_room": False})).unknown is not None
    assert resolution.decide(None).unknown is None  # the host's own settings: on either way


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        (None, ((), ("g-youth", "g-staff", "g-adults"))),
        (("g-adults", "g-staff"), (("g-adults", "g-staff"), ("g-youth",))),
        (("g-other", "g-staff"), (("g-staff",), ("g-youth", "g-adults"))),
    ],
)
def test_host_groups_rank_by_priority(
    priority: tuple[str, ...] | None, expected: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    acc = account(groups=[group("g-staff"), group("g-youth"), group("g-adults")]).model_copy(
        update={"group_priority": priority}
    )
    groups = host_groups(host(group_ids=("g-youth", "gone", "g-staff", "g-adults")), acc)
    assert (tuple(g.id for g in groups.ranked), tuple(g.id for g in groups.unranked)) == expected


ACCOUNT_GROUPS = [("g1", "Youth workers"), ("g2", "Counsellors"), ("g3", "Admins")]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["counsellors", "YOUTH WORKERS"], ("g2", "g1")),
        (["Admins"], ("g3",)),
        ([], ()),
    ],
)
def test_priority_names_match_without_case(names: list[str], expected: tuple[str, ...]) -> None:
    assert resolve_priority(names, ACCOUNT_GROUPS) == expected


@pytest.mark.parametrize(
    ("names", "groups", "words"),
    [
        (["Volunteers"], ACCOUNT_GROUPS, "does not have: 'Volunteers'"),
        (["admins"], [*ACCOUNT_GROUPS, ("g4", "ADMINS")], "matches 2 groups"),
    ],
)
def test_priority_names_the_account_cannot_match(names: list[str], groups: Any, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        resolve_priority(names, groups)


# --- the passcode requirement --------------------------------------------------------------


def _requirement_group(gid: str, name: str, **rules: Any) -> GroupContext:
    return group(gid, name, {"schedule_meeting": {"meeting_password_requirement": rules}})


REQUIREMENT_CASES = [
    (
        "priority known: the highest group's rules",
        ("g1", "g2"),
        PasscodeRequirement(length=8, have_number=True),
    ),
    ("priority reversed", ("g2", "g1"), PasscodeRequirement(length=6, have_special_character=True)),
    (
        "priority unknown: every candidate's rules at once",
        None,
        PasscodeRequirement(length=8, have_number=True, have_special_character=True),
    ),
]


@pytest.mark.parametrize(
    ("priority", "expected"), [pytest.param(p, e, id=i) for i, p, e in REQUIREMENT_CASES]
)
def test_passcode_requirement_follows_group_priority(
    priority: tuple[str, ...] | None, expected: PasscodeRequirement
) -> None:
    g1 = _requirement_group("g1", "Counsellors", length=8, have_number=True)
    g2 = _requirement_group("g2", "Volunteers", length=6, have_special_character=True)
    acc = account({"schedule_meeting": {"meeting_password_requirement": {"length": 4}}}, {}, [g1, g2])
    acc = acc.model_copy(update={"group_priority": priority})
    assert passcode_requirement(host({}, ("g2", "g1")), acc) == expected


def test_passcode_requirement_groups_that_agree_are_not_combined() -> None:
    g1 = _requirement_group("g1", "A", length=8)
    g2 = _requirement_group("g2", "B", length=8)
    acc = account({"schedule_meeting": {"meeting_password_requirement": {"have_letter": True}}}, {}, [g1, g2])
    assert passcode_requirement(host({}, ("g1", "g2")), acc) == PasscodeRequirement(
        length=8, have_letter=True
    )


# --- the fix planner's view of locks --------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        (("g-staff", "g-youth"), None),  # staff manages it unlocked: the youth lock has no effect
        (("g-youth", "g-staff"), ("group", "g-youth")),
        (None, ("group", "g-youth")),  # either may be highest: plan at the lock that may apply
    ],
)
def test_the_lock_a_fix_must_respect(priority: tuple[str, ...] | None, expected: Any) -> None:
    acc = _account(OFF_UNLOCKED, ON_LOCKED, priority)
    assert lock_above(WAITING_ROOM, "meeting", acc, batch(host({}, ("g-staff", "g-youth")))) == expected


@pytest.mark.parametrize(
    ("control", "staff_doc", "youth_doc"),
    [
        (BREAKOUT, {"in_meeting": {"breakout_room": True}}, {"in_meeting": {"breakout_room": False}}),
        (
            MUTE,
            {"schedule_meeting": {"mute_upon_entry": True}},
            {"schedule_meeting": {"mute_upon_entry": False}},
        ),
    ],
    ids=lambda v: getattr(v, "name", ""),
)
def test_unlocked_group_values_that_differ_reach_the_verdict_only_when_nothing_above_states_it(
    control: Any, staff_doc: dict[str, Any], youth_doc: dict[str, Any]
) -> None:
    acc = account({}, {}, [group("g-staff", "Staff", staff_doc), group("g-youth", "Youth", youth_doc)])
    resolution = HostResolution(control, host({}, ("g-staff", "g-youth")), acc)
    assert resolution.decide(subject(settings={})).unknown is not None
    if control.meeting:
        stated = resolution.decide(subject(settings={control.meeting.removeprefix("settings."): True}))
        assert (stated.unknown, stated.effective.tier) == (None, "meeting")


# --- the setting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", ()), (" Counsellors , youth workers,,", ("Counsellors", "youth workers")), ("Admins", ("Admins",))],
)
def test_the_priority_setting_reads_names_in_order(value: str, expected: tuple[str, ...]) -> None:
    from zoomaudit.settings import load_settings

    assert load_settings(ZOOMAUDIT_GROUP_PRIORITY=value).group_priority_names == expected


def test_naming_a_group_twice_is_a_configuration_error() -> None:
    from zoomaudit.settings import load_settings

    with pytest.raises(ConfigError, match=r"ZOOMAUDIT_GROUP_PRIORITY.*'admins' twice"):
        load_settings(ZOOMAUDIT_GROUP_PRIORITY="Admins, Staff, admins")
