"""Who actually waits, who admits, what happens when the host drops, and when focus mode is on.

Issue 12 items 2 and 6: a waiting room that holds only outsiders, or that invited users bypass,
must not pass; the account's ``waiting_room_options`` carries its own lock; a lock on focus
mode's availability must not decide whether a meeting starts in focus mode.
"""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.controls import CATALOGUE
from zoomaudit.fixes.plan import plan_fixes
from zoomaudit.policy import PolicySet, evaluate_batch
from zoomaudit.resolve import resolve

from .conftest import account, batch, enabled_only, group, host, place, subject

WHO = CATALOGUE["waiting_room_who"]
ADMITTERS = CATALOGUE["waiting_room_admitters"]
PLACE = "meeting_security.waiting_room_settings.participants_to_place_in_waiting_room"
ADMIT = "meeting_security.waiting_room_settings.users_who_can_admit_participants_from_waiting_room"
OPTIONS = "meeting_security.waiting_room_options"
DROPPED = f"{OPTIONS}.more_options.move_participants_to_waiting_room_when_host_dropped"
BYPASS = f"{OPTIONS}.more_options.user_invited_by_host_can_bypass_waiting_room"


def _docs(values: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for path, value in values.items():
        place(doc, path, value)
    return doc


# (meeting settings, user settings, account settings) -> who goes to the waiting room, and the tier
WHO_CASES: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any], Any, str | None]] = [
    # The older shape at each settings tier: 0 everyone, 1 not in the account, 2 not in the
    # account and not in the allowed domains.
    ({}, {PLACE: 0}, {}, "everyone", "user"),
    ({}, {PLACE: 1}, {}, "users_not_in_account", "user"),
    ({}, {PLACE: 2}, {}, "users_not_in_account_or_whitelisted_domains", "user"),
    ({}, {}, {PLACE: 0}, "everyone", "account"),
    # The account's newer shape: admit_type 1-4.
    ({}, {}, {f"{OPTIONS}.admit_type": 1}, "everyone", "account"),
    ({}, {}, {f"{OPTIONS}.admit_type": 4}, "users_not_on_invite", "account"),
    # Both shapes at the account and they disagree: the less protective is taken.
    ({}, {}, {PLACE: 0, f"{OPTIONS}.admit_type": 2}, "users_not_in_account", "account"),
    ({}, {}, {PLACE: 1, f"{OPTIONS}.admit_type": 1}, "users_not_in_account", "account"),
    # The account's admit_type never speaks for a user who states the older field.
    ({}, {PLACE: 0}, {f"{OPTIONS}.admit_type": 2}, "everyone", "user"),
    # Invited users bypassing the waiting room (an account option) makes "everyone" not everyone.
    ({}, {PLACE: 0}, {BYPASS: True}, "everyone_but_invited", "user"),
    ({}, {PLACE: 1}, {BYPASS: True}, "users_not_in_account", "user"),
    # The meeting decides only in custom mode.
    (
        {"waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "users_not_in_account"}},
        {PLACE: 0},
        {},
        "users_not_in_account",
        "meeting",
    ),
    (
        {"waiting_room_options": {"mode": "follow_setting", "who_goes_to_waiting_room": "everyone"}},
        {PLACE: 1},
        {},
        "users_not_in_account",
        "user",
    ),
    # No mode at all: the meeting's word does not count.
    (
        {"waiting_room_options": {"who_goes_to_waiting_room": "everyone"}},
        {PLACE: 2},
        {},
        "users_not_in_account_or_whitelisted_domains",
        "user",
    ),
    # Nothing stated anywhere: unknown (Zoom documents no default).
    ({}, {}, {}, None, None),
    # An undocumented code is kept as it is, for the check to refuse.
    ({}, {PLACE: 7}, {}, 7, "user"),
]


@pytest.mark.parametrize(("meeting", "user", "acct", "value", "tier"), WHO_CASES)
def test_who_goes_to_the_waiting_room(
    meeting: dict[str, Any], user: dict[str, Any], acct: dict[str, Any], value: Any, tier: str | None
) -> None:
    eff = resolve(WHO, subject(settings=meeting), host(_docs(user)), account(_docs(acct)))
    assert (eff.value, eff.tier) == (value, tier)


def test_the_options_lock_at_the_account_beats_the_user_and_the_meeting() -> None:
    acct = account(_docs({f"{OPTIONS}.locked": True, f"{OPTIONS}.admit_type": 2, PLACE: 1}))
    meeting = {"waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "everyone"}}
    eff = resolve(WHO, subject(settings=meeting), host(_docs({PLACE: 0})), acct)
    assert (eff.value, eff.tier, eff.locked) == ("users_not_in_account", "account_lock", True)
    assert eff.path == PLACE


def test_an_unlocked_options_block_does_not_lock() -> None:
    acct = account(_docs({f"{OPTIONS}.locked": False, f"{OPTIONS}.admit_type": 2}))
    eff = resolve(WHO, subject(settings={}), host(_docs({PLACE: 0})), acct)
    assert (eff.value, eff.tier, eff.locked) == ("everyone", "user", False)


# (user settings, account settings) -> who may admit
ADMIT_CASES: list[tuple[dict[str, Any], dict[str, Any], Any, str | None]] = [
    ({ADMIT: 0}, {}, 0, "user"),
    ({}, {f"{OPTIONS}.who_can_admit_participants": 1}, 1, "account"),
    ({}, {ADMIT: 0, f"{OPTIONS}.who_can_admit_participants": 1}, 1, "account"),
    ({ADMIT: 0}, {f"{OPTIONS}.who_can_admit_participants": 1}, 0, "user"),  # not the user's
    ({}, {}, None, None),
]


@pytest.mark.parametrize(("user", "acct", "value", "tier"), ADMIT_CASES)
def test_who_admits_reads_both_shapes(
    user: dict[str, Any], acct: dict[str, Any], value: Any, tier: Any
) -> None:
    eff = resolve(ADMITTERS, None, host(_docs(user)), account(_docs(acct)))
    assert (eff.value, eff.tier) == (value, tier)


def test_the_options_lock_decides_who_admits() -> None:
    acct = account(_docs({f"{OPTIONS}.locked": True, f"{OPTIONS}.who_can_admit_participants": 1}))
    eff = resolve(ADMITTERS, None, host(_docs({ADMIT: 0})), acct)
    assert (eff.value, eff.tier, eff.locked) == (1, "account_lock", True)


ON = {"waiting_room": True}


def _custom(who: str) -> dict[str, Any]:
    return {"waiting_room": True, "waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": who}}


CUSTOM_OUTSIDERS = _custom("users_not_in_account")
CUSTOM_EVERYONE = _custom("everyone")

# (meeting settings, user settings, account settings) -> status of waiting-room-for-everyone
EVERYONE_CASES: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any], str, str]] = [
    (ON, {PLACE: 0}, {}, "pass", "everyone who is not a host"),
    (ON, {PLACE: 1}, {}, "violation", "outside the organisation"),
    (ON, {PLACE: 2}, {}, "violation", "allowed domains"),
    (CUSTOM_OUTSIDERS, {PLACE: 0}, {}, "violation", "outside the organisation"),
    (CUSTOM_EVERYONE, {PLACE: 1}, {}, "pass", "everyone"),
    # The account lets invited users bypass it: not everyone waits, whoever decides.
    (ON, {PLACE: 0}, {BYPASS: True}, "violation", "bypass"),
    (CUSTOM_EVERYONE, {}, {BYPASS: True}, "violation", "bypass"),
    # No waiting room at all: nobody waits.
    ({"waiting_room": False}, {PLACE: 0}, {}, "violation", "no waiting room"),
    # The waiting room is on but nothing says who waits: cannot be judged.
    (ON, {}, {}, "error", "cannot be judged"),
    # A code Zoom does not document: cannot be judged.
    (ON, {PLACE: 7}, {}, "error", "documents no value"),
]


@pytest.mark.parametrize(("meeting", "user", "acct", "status", "words"), EVERYONE_CASES)
def test_waiting_room_for_everyone(
    pack: PolicySet,
    meeting: dict[str, Any],
    user: dict[str, Any],
    acct: dict[str, Any],
    status: str,
    words: str,
) -> None:
    [finding] = evaluate_batch(
        enabled_only(pack, "waiting-room-for-everyone"),
        account(_docs(acct)),
        batch(host(_docs(user)), subject(settings=meeting)),
    )
    assert finding.status == status, finding.message
    assert words in finding.message


# (meeting settings, account settings) -> status of host-drop-to-waiting-room
DROP_CASES: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    (ON, {DROPPED: True}, "pass"),
    (ON, {DROPPED: False}, "violation"),
    (ON, {}, "error"),  # Zoom documents no default
    ({"waiting_room": False}, {DROPPED: True}, "violation"),  # no waiting room to go back to
    (ON, {DROPPED: False, f"{OPTIONS}.locked": True}, "violation"),
]


@pytest.mark.parametrize(("meeting", "acct", "status"), DROP_CASES)
def test_host_drop_to_waiting_room(
    pack: PolicySet, meeting: dict[str, Any], acct: dict[str, Any], status: str
) -> None:
    [finding] = evaluate_batch(
        enabled_only(pack, "host-drop-to-waiting-room"),
        account(_docs(acct)),
        batch(host(), subject(settings=meeting)),
    )
    assert finding.status == status, finding.message


def test_fixes_set_the_meeting_to_custom_everyone_and_skip_meetings_without_a_waiting_room(
    pack: PolicySet,
) -> None:
    policies = enabled_only(pack, "waiting-room-for-everyone")
    acct = account()
    the_host = host(_docs({PLACE: 0}))
    outsiders = subject(1001, settings=CUSTOM_OUTSIDERS)
    no_room = subject(1002, settings={"waiting_room": False})
    work = batch(the_host, outsiders, no_room)
    findings = evaluate_batch(policies, acct, work)
    assert [f.status for f in findings] == ["violation", "violation"]
    [plan] = plan_fixes(findings, policies, acct, work)
    assert plan.request.path == "/meetings/1001"
    assert plan.request.body == {
        "settings": {"waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "everyone"}}
    }


def test_a_host_drop_fix_goes_to_the_account_with_the_security_option(pack: PolicySet) -> None:
    policies = enabled_only(pack, "host-drop-to-waiting-room")
    acct = account(_docs({DROPPED: False}))
    work = batch(host(), subject(settings=ON))
    [plan] = plan_fixes(evaluate_batch(policies, acct, work), policies, acct, work)
    assert (plan.target_level, plan.request.path, plan.request.query) == (
        "account",
        "/accounts/me/settings",
        {"option": "meeting_security"},
    )


def test_a_locked_options_block_moves_a_user_fix_to_the_account(pack: PolicySet) -> None:
    policies = enabled_only(pack, "host-admits-from-waiting-room")
    acct = account(_docs({f"{OPTIONS}.locked": True, f"{OPTIONS}.who_can_admit_participants": 1}))
    work = batch(host(_docs({ADMIT: 0})), subject(settings=ON))
    [plan] = plan_fixes(evaluate_batch(policies, acct, work), policies, acct, work)
    assert plan.target_level == "account"
    assert "lock" in plan.note


# --- focus mode ------------------------------------------------------------------------------

AVAILABLE = "in_meeting.attention_mode_focus_mode"
# (meeting settings, user settings, account settings, account locks) -> status of focus-mode
FOCUS_CASES: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    ({"focus_mode": True}, {AVAILABLE: True}, {}, {}, "pass"),
    ({"focus_mode": False}, {AVAILABLE: True}, {}, {}, "violation"),
    # The old false pass: availability locked on at the account, the meeting does not start in it.
    ({"focus_mode": False}, {}, {AVAILABLE: True}, {AVAILABLE: True}, "violation"),
    ({}, {}, {AVAILABLE: True}, {AVAILABLE: True}, "error"),
    # Not available to the host: no meeting starts in it, whatever the meeting says.
    ({"focus_mode": True}, {AVAILABLE: False}, {}, {}, "violation"),
    ({"focus_mode": True}, {AVAILABLE: True}, {AVAILABLE: False}, {AVAILABLE: True}, "violation"),
    # The meeting asks for it but availability is unknown.
    ({"focus_mode": True}, {}, {}, {}, "error"),
]


@pytest.mark.parametrize(("meeting", "user", "acct", "locks", "status"), FOCUS_CASES)
def test_focus_mode_needs_the_meeting_and_the_feature(
    pack: PolicySet,
    meeting: dict[str, Any],
    user: dict[str, Any],
    acct: dict[str, Any],
    locks: dict[str, Any],
    status: str,
) -> None:
    [finding] = evaluate_batch(
        enabled_only(pack, "focus-mode"),
        account(_docs(acct), _docs(locks)),
        batch(host(_docs(user)), subject(settings=meeting)),
    )
    assert finding.status == status, finding.message


def test_the_focus_mode_fix_is_skipped_when_the_feature_is_unavailable(pack: PolicySet) -> None:
    policies = enabled_only(pack, "focus-mode")
    acct = account()
    work = batch(host(_docs({AVAILABLE: False})), subject(settings={"focus_mode": True}))
    findings = evaluate_batch(policies, acct, work)
    assert [f.status for f in findings] == ["violation"]
    assert plan_fixes(findings, policies, acct, work, mode_override="suggest") == []


def test_groups_hold_no_waiting_room_options() -> None:
    # Zoom's group settings type has waiting_room_settings but no waiting_room_options: a group
    # value comes only from the older shape.
    acct = account({}, {}, [group("g1", "Youth", _docs({PLACE: 1}))])
    eff = resolve(WHO, None, host({}, ("g1",)), acct)
    assert (eff.value, eff.tier) == ("users_not_in_account", "group")
