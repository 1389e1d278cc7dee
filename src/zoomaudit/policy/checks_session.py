"""Checks that judge one control through another one the session depends on.

- A waiting-room option (who waits, what happens when the host drops) means nothing in a meeting
  without a waiting room: such a meeting fails it, and one whose waiting room is unknown cannot
  be judged.
- Focus mode starts only when the meeting asks for it *and* the feature is available to the host;
  a lock on the feature's availability does not decide whether a meeting starts in it.

An unknown input is an error that says what is unknown, never a pass.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zoomaudit.controls import CATALOGUE
from zoomaudit.controls.catalogue_waiting import EVERYONE, EVERYONE_BUT_INVITED, INVITED_BYPASS, WHO_WAITS
from zoomaudit.findings import Effective
from zoomaudit.policy.checks import CheckInput, CheckResult, CheckSpec
from zoomaudit.resolve import Decision, HostResolution, explain_source, get_path


def _decide(given: CheckInput, control: str) -> Decision:
    """Another control's decision for this meeting (its host side computed once per host)."""
    key = f"resolution:{control}"
    resolution = given.memo.get(key)
    if resolution is None:
        resolution = given.memo[key] = HostResolution(CATALOGUE[control], given.host, given.account)
    decision: Decision = resolution.decide(given.subject)
    return decision


def _known(eff: Effective) -> bool:
    return not eff.manual and eff.tier is not None


# --- waiting-room options ------------------------------------------------------------------


class WaitingRoomOptionParams(BaseModel):
    """The option's values that keep the session safe (the waiting room must be on as well)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    one_of: tuple[Any, ...] = Field(min_length=1)


def _waiting_room_option(given: CheckInput) -> CheckResult:
    params: WaitingRoomOptionParams = given.params
    eff = given.effective
    control = CATALOGUE[eff.control]
    expected = {"one_of": list(params.one_of)}
    room = _decide(given, "waiting_room")
    if room.unknown is not None:
        return CheckResult(None, None, expected, f"cannot be judged: {room.unknown}")
    if not _known(room.effective):
        return CheckResult(
            None,
            None,
            expected,
            "cannot be judged: no Zoom setting states whether the meeting has a waiting room",
        )
    if room.effective.value is not True:
        where = explain_source(room, given.account)
        return CheckResult(
            False,
            eff.value,
            expected,
            f"the meeting has no waiting room (decided by {where}), so {control.title} does not apply "
            "and nobody is held back",
        )
    if not _known(eff):
        return CheckResult(
            None, None, expected, f"{control.title} cannot be judged: no Zoom setting states it"
        )
    value = eff.value
    if eff.control == "waiting_room_who":
        if value not in WHO_WAITS:
            return CheckResult(
                None,
                value,
                expected,
                f"{control.title} cannot be judged: Zoom documents no value {value!r}",
            )
        # A meeting's own choice still sits under the account's "invited users bypass" option.
        if (
            value == EVERYONE
            and eff.tier == "meeting"
            and get_path(given.account.settings, INVITED_BYPASS) is True
        ):
            value = EVERYONE_BUT_INVITED
    decision = Decision(eff)
    where = explain_source(decision, given.account)
    text = f"{control.title}: {control.describe(value)}, decided by {where}"
    if value in params.one_of:
        return CheckResult(True, value, expected, text)
    return CheckResult(False, value, expected, text)


# --- focus mode ----------------------------------------------------------------------------


class FocusModeParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _focus_mode(given: CheckInput) -> CheckResult:
    eff = given.effective
    expected: dict[str, Any] = {"equals": True}
    available = _decide(given, "focus_mode_available")
    if available.effective.value is False:
        where = explain_source(available, given.account)
        return CheckResult(
            False,
            False,
            expected,
            f"focus mode is not available to the host (decided by {where}), so no meeting of theirs "
            "can start in it",
        )
    if not _known(eff):
        return CheckResult(
            None, None, expected, "cannot be judged: the meeting does not say whether it starts in focus mode"
        )
    if eff.value is not True:
        return CheckResult(
            False, eff.value, expected, "the meeting does not start in focus mode (settings.focus_mode)"
        )
    if available.unknown is not None or not _known(available.effective):
        why = available.unknown or "no Zoom setting states whether the feature is available to the host"
        return CheckResult(
            None, True, expected, f"cannot be judged: the meeting asks for focus mode, but {why}"
        )
    where = explain_source(available, given.account)
    return CheckResult(
        True, True, expected, f"the meeting starts in focus mode, and the feature is available ({where})"
    )


CHECKS: dict[str, CheckSpec] = {
    "waiting_room_option": CheckSpec(
        "waiting_room_option",
        WaitingRoomOptionParams,
        _waiting_room_option,
        "the meeting has a waiting room and the control's value is one of one_of; a meeting without "
        "a waiting room fails, and one whose waiting room is unknown cannot be judged",
    ),
    "focus_mode_starts_on": CheckSpec(
        "focus_mode_starts_on",
        FocusModeParams,
        _focus_mode,
        "the meeting starts in focus mode (settings.focus_mode) and the feature is available to the "
        "host; availability alone never passes",
    ),
}
