"""The effective value of every control at every tier, with and without locks (docs/controls.md)."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.controls import CATALOGUE, NO_DEFAULT, Control
from zoomaudit.resolve import effective_values, resolve

from .conftest import account, group, host, place, subject

AUTOMATIC = [c for c in CATALOGUE.values() if not c.manual]
SETTINGS_TIERS = ("user", "group", "account")


def _raw(control: Control, tier: str, win: bool) -> Any:
    """A raw Zoom value for ``tier``: the winner's and the losers' give different effective values."""
    if control.name == "passcode":
        if tier == "meeting":
            return "Strong99x" if win else ""
        return win
    if control.name == "screen_share":
        return not win  # winner: screen_sharing false -> "off"; losers: true -> "all"
    if control.name == "use_pmi":
        return win
    if control.name == "phone_passcode" and tier == "meeting":
        return "731906" if win else ""  # a stored phone passcode; an empty one decides nothing
    return f"win-{tier}" if win else "lose"


def _expected(control: Control, raw: Any) -> Any:
    if control.name == "phone_passcode" and raw == "731906":
        return True
    return control.derive.fn(raw, {}) if control.derive is not None else raw


def _scenario(
    control: Control, winner: str | None, locks: set[str], lock_false: bool = False
) -> tuple[Any, ...]:
    """Every tier the control has states a value; ``winner``'s differs. Returns (account, host, subject)."""
    acc_settings: dict[str, Any] = {}
    acc_locks: dict[str, Any] = {}
    grp_settings: dict[str, Any] = {}
    grp_locks: dict[str, Any] = {}
    user_settings: dict[str, Any] = {}
    docs = {"user": user_settings, "group": grp_settings, "account": acc_settings}
    for tier in SETTINGS_TIERS:
        path = control.path(tier)  # type: ignore[arg-type]
        if path:
            place(docs[tier], path, _raw(control, tier, win=tier == winner))
    settings: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    if control.meeting:
        raw = _raw(control, "meeting", win=winner == "meeting")
        if control.meeting.startswith("settings."):
            place(settings, control.meeting.removeprefix("settings."), raw)
        else:
            fields[control.meeting] = raw
    for tier, doc in (("account_lock", acc_locks), ("group_lock", grp_locks)):
        path = control.path(tier)  # type: ignore[arg-type]
        if path and (tier in locks or lock_false):
            place(doc, path, tier in locks)
    acc = account(acc_settings, acc_locks, [group("g1", "Youth", grp_settings, grp_locks)])
    return acc, host(user_settings, ("g1",)), subject(settings=settings, **fields)


def _cases() -> list[Any]:
    cases = []
    for c in AUTOMATIC:
        if c.account_lock:
            cases.append(
                pytest.param(
                    c, "account", {"account_lock", "group_lock"}, "account_lock", id=f"{c.name}-account_lock"
                )
            )
        if c.group_lock:
            cases.append(pytest.param(c, "group", {"group_lock"}, "group_lock", id=f"{c.name}-group_lock"))
        for tier in ("meeting", *SETTINGS_TIERS):
            if c.path(tier):  # type: ignore[arg-type]
                cases.append(pytest.param(c, tier, set(), tier, id=f"{c.name}-{tier}"))
    return cases


@pytest.mark.parametrize(("control", "winner", "locks", "tier"), _cases())
def test_the_right_tier_decides(control: Control, winner: str, locks: set[str], tier: str) -> None:
    acc, the_host, subj = _scenario(control, winner, locks, lock_false=not locks)
    # Tiers above the winner (in precedence) must not state it: drop them.
    order = ["meeting", "user", "group", "account"]
    if locks and control.meeting_beats_locks:  # a stored meeting value would decide: leave it out
        acc, the_host, subj = _without(control, "meeting", acc, the_host, subj)
    if not locks and winner in order:
        for above in order[: order.index(winner)]:
            acc, the_host, subj = _without(control, above, acc, the_host, subj)
    eff = resolve(control, subj, the_host, acc)
    assert eff.tier == tier
    assert eff.value == _expected(control, _raw(control, winner, win=True))
    assert eff.locked is bool(locks)
    assert eff.stated is True
    assert eff.path in control.paths(winner)  # type: ignore[arg-type]


def _without(control: Control, tier: str, acc: Any, the_host: Any, subj: Any) -> tuple[Any, ...]:
    """The same scenario with ``tier``'s value removed (not stated)."""
    if tier == "meeting":
        return acc, the_host, subject(settings={}, type=2)
    if tier == "user":
        return acc, host({}, the_host.group_ids), subj
    if tier == "group":
        g = acc.groups["g1"]
        return account(acc.settings, acc.locks, [group("g1", g.name, {}, g.locks)]), the_host, subj
    return account({}, acc.locks, list(acc.groups.values())), the_host, subj


@pytest.mark.parametrize("control", AUTOMATIC, ids=lambda c: c.name)
def test_nothing_stated_gives_zoom_default_or_unknown(control: Control) -> None:
    eff = resolve(control, subject(settings={}), host(), account())
    assert eff.stated is False
    assert eff.locked is False
    if control.default is NO_DEFAULT:
        assert (eff.tier, eff.value) == (None, None)
    else:
        assert (eff.tier, eff.value) == ("default", control.default)


@pytest.mark.parametrize("control", [c for c in AUTOMATIC if c.account_lock], ids=lambda c: c.name)
def test_a_lock_on_an_unstated_value_is_locked_but_not_stated(control: Control) -> None:
    acc = account(locks=place({}, control.account_lock or "", True))
    eff = resolve(control, subject(settings={}), host(), acc)
    assert (eff.tier, eff.locked, eff.stated) == ("account_lock", True, False)
    assert eff.value == (None if control.default is NO_DEFAULT else control.default)


@pytest.mark.parametrize("control", AUTOMATIC, ids=lambda c: c.name)
def test_lock_flags_that_are_false_do_not_lock(control: Control) -> None:
    acc, the_host, subj = _scenario(control, "account", set(), lock_false=True)
    eff = resolve(control, subj, the_host, acc)
    assert eff.locked is False
    assert eff.tier not in ("account_lock", "group_lock")


def test_every_lock_tier_has_a_value_tier() -> None:
    for control in AUTOMATIC:
        assert not control.account_lock or control.account, control.name
        assert not control.group_lock or control.group, control.name


def test_manual_control_resolves_as_manual() -> None:
    eff = resolve(CATALOGUE["self_view"], subject(), host(), account())
    assert eff.manual is True
    assert eff.stated is False


# --- several groups ----------------------------------------------------------------------

BREAKOUT = CATALOGUE["breakout_rooms"]


def _groups_account(*groups: Any) -> Any:
    return account({"in_meeting": {"breakout_room": False}}, {}, list(groups))


# Several groups with a priority, or disagreeing without one: tests/policy/test_group_priority.py.


def test_unknown_group_ids_are_ignored() -> None:
    eff = resolve(BREAKOUT, None, host(group_ids=("gone",)), _groups_account())
    assert (eff.tier, eff.value) == ("account", False)


def test_group_lock_without_a_group_value_takes_the_accounts() -> None:
    g1 = group("g1", "Youth", {}, {"in_meeting": {"breakout_room": True}})
    acc = account({"in_meeting": {"breakout_room": True}}, {}, [g1])
    eff = resolve(BREAKOUT, None, host({"in_meeting": {"breakout_room": False}}, ("g1",)), acc)
    assert (eff.tier, eff.value, eff.path) == ("group_lock", True, "in_meeting.breakout_room")


# --- fields, alternates and derived values ---------------------------------------------------


def test_missing_key_is_not_false() -> None:
    eff = resolve(
        CATALOGUE["waiting_room"],
        subject(settings={}),
        host({"in_meeting": {"waiting_room": True}}),
        account(),
    )
    assert (eff.tier, eff.value) == ("user", True)


def test_meeting_value_overrides_unlocked_user_value() -> None:
    eff = resolve(
        CATALOGUE["waiting_room"],
        subject(settings={"waiting_room": False}),
        host({"in_meeting": {"waiting_room": True}}),
        account(),
    )
    assert (eff.tier, eff.value, eff.path) == ("meeting", False, "settings.waiting_room")


def test_alternate_field_is_read_when_primary_is_absent() -> None:
    the_host = host({"meeting_security": {"waiting_room": True}})
    eff = resolve(CATALOGUE["waiting_room"], subject(settings={}), the_host, account())
    assert (eff.tier, eff.value, eff.path) == ("user", True, "meeting_security.waiting_room")


def test_alternate_lock_field_locks() -> None:
    acc = account(
        {"meeting_security": {"waiting_room": True}},
        {},
        [group("g1", "Y", {}, {"meeting_security": {"waiting_room": True}})],
    )
    eff = resolve(
        CATALOGUE["waiting_room"], subject(settings={"waiting_room": False}), host(group_ids=("g1",)), acc
    )
    assert (eff.tier, eff.value, eff.locked) == ("group_lock", True, True)


@pytest.mark.parametrize(
    ("sharing", "who", "expected"),
    [(True, "host", "host"), (True, "all", "all"), (False, "host", "off"), (True, None, "all")],
)
def test_screen_share_is_derived_from_two_fields(sharing: bool, who: str | None, expected: str) -> None:
    in_meeting: dict[str, Any] = {"screen_sharing": sharing}
    if who is not None:
        in_meeting["who_can_share_screen"] = who
    eff = resolve(CATALOGUE["screen_share"], subject(), host({"in_meeting": in_meeting}), account())
    assert (eff.tier, eff.value, eff.path) == ("user", expected, "in_meeting.screen_sharing")


def test_screen_share_companion_falls_back_to_lower_tiers() -> None:
    acc = account({"in_meeting": {"screen_sharing": True, "who_can_share_screen": "host"}})
    eff = resolve(CATALOGUE["screen_share"], subject(), host({"in_meeting": {"screen_sharing": True}}), acc)
    assert (eff.tier, eff.value) == ("user", "host")


def test_screen_share_lock_key_differs_from_value_keys() -> None:
    acc = account(
        {"in_meeting": {"screen_sharing": True, "who_can_share_screen": "host"}},
        {"in_meeting": {"screen_sharing": True}},
    )
    the_host = host({"in_meeting": {"screen_sharing": True, "who_can_share_screen": "all"}})
    eff = resolve(CATALOGUE["screen_share"], subject(), the_host, acc)
    assert (eff.tier, eff.value, eff.locked) == ("account_lock", "host", True)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [({"password": "abc"}, ("meeting", True)), ({"password": ""}, ("meeting", False)), ({}, ("user", True))],
)
def test_passcode_reads_the_meetings_password_then_the_requirement(
    fields: dict[str, Any], expected: tuple[str, bool]
) -> None:
    the_host = host({"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}})
    eff = resolve(CATALOGUE["passcode"], subject(**fields), the_host, account())
    assert (eff.tier, eff.value) == expected


def test_a_stored_passcode_decides_even_under_a_lock() -> None:
    acc = account(
        {"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}},
        {"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}},
    )
    eff = resolve(CATALOGUE["passcode"], subject(password=""), host(), acc)
    assert (eff.tier, eff.value, eff.locked) == ("meeting", False, False)
    eff = resolve(CATALOGUE["passcode"], subject(), host(), acc)
    assert (eff.tier, eff.value, eff.locked) == ("account_lock", True, True)


def test_pmi_meeting_type_means_the_pmi_is_used() -> None:
    eff = resolve(CATALOGUE["use_pmi"], subject(settings={}, type=4), host(), account())
    assert (eff.tier, eff.value) == ("meeting", True)


def test_occurrence_uses_its_own_stored_settings() -> None:
    occ = subject(settings={"mute_upon_entry": True}, occurrence_id="1700000000000")
    eff = resolve(CATALOGUE["mute_upon_entry"], occ, host(), account())
    assert (eff.tier, eff.value) == ("meeting", True)


def test_no_subject_resolves_the_hosts_own_settings() -> None:
    eff = resolve(
        CATALOGUE["join_before_host"], None, host({"schedule_meeting": {"join_before_host": True}}), account()
    )
    assert (eff.tier, eff.value) == ("user", True)


def test_effective_values_covers_every_control() -> None:
    values = effective_values(account(), host(), subject())
    assert set(values) == set(CATALOGUE)
    assert values["self_view"].manual is True
    chosen = effective_values(account(), host(), subject(), [CATALOGUE["audio"]])
    assert list(chosen) == ["audio"]
