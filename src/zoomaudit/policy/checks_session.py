"""Checks that judge one control through another one the session depends on.

- A feature end-to-end encryption switches off (dial-in, captions, breakout rooms) is available only
  in a meeting known not to be E2EE.
- A setting that only matters when the meeting has a passcode (the phone passcode) gives no finding
  for a meeting without one.
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
from zoomaudit.policy.checks import RESOLUTION_MEMO, CheckInput, CheckResult, CheckSpec
from zoomaudit.resolve import Decision, HostResolution, explain_source, get_path


def _decide(given: CheckInput, control: str) -> Decision:
    """Another control's decision for this meeting (its host side computed once per host)."""
    key = RESOLUTION_MEMO + control
    resolution = given.memo.get(key)
    if resolution is None:
        resolution = given.memo[key] = HostResolution(CATALOGUE[control], given.host, given.account)
    decision: Decision = resolution.decide(given.subject)
    return decision


def _known(eff: Effective) -> bool:
    return not eff.manual and eff.tier is not None


class OneOfParams(BaseModel):
    """The control's values that pass (once what the check depends on allows them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    one_of: tuple[Any, ...] = Field(min_length=1)


# --- features that end-to-end encryption switches off ------------------------------------

E2EE = "e2ee"
_ENCRYPTION_TYPES = frozenset({E2EE, "enhanced_encryption"})


def _available_unless_e2ee(given: CheckInput) -> CheckResult:
    # Zoom's E2EE article: end-to-end encrypted meetings have no phone/SIP/H.323 dial-in, no live
    # transcription or captions, no cloud recording, no join before host and no breakout rooms,
    # whatever the feature's own setting says. So the feature is available only when the meeting
    # is known not to be E2EE *and* its own setting allows it; an unknown either way is an error.
    params: OneOfParams = given.params
    eff = given.effective
    expected = {"one_of": list(params.one_of)}
    encryption = _decide(given, "encryption").effective
    where = f"{encryption.tier} ({encryption.path})" if encryption.path else str(encryption.tier)
    if encryption.value == E2EE:
        return CheckResult(
            False,
            eff.value,
            expected,
            f"end-to-end encryption (E2EE) is on for this meeting, decided by {where}; Zoom turns this "
            "feature off in E2EE meetings whatever its own setting says",
        )
    if not _known(eff):
        return CheckResult(None, None, expected, "cannot be judged: no Zoom setting states this feature")
    own = f"{eff.value!r} ({eff.tier}, {eff.path})" if eff.path else f"{eff.value!r} ({eff.tier})"
    if eff.value not in params.one_of:  # off by its own setting, whatever the encryption
        return CheckResult(False, eff.value, expected, f"not available: the setting is {own}")
    if encryption.value not in _ENCRYPTION_TYPES:
        return CheckResult(
            None,
            eff.value,
            expected,
            f"cannot be judged: the meeting's encryption type is {encryption.value!r} "
            f"({'not stated by any tier' if encryption.tier is None else where}), so whether end-to-end "
            "encryption switches this feature off is unknown",
        )
    return CheckResult(True, eff.value, expected, f"available: {own}, and the meeting is not E2EE")


# --- settings that only matter when the meeting has a passcode --------------------------------


def _if_meeting_has_passcode(given: CheckInput) -> CheckResult:
    # Zoom's phone_password: "If enabled and the meeting is passcode-protected, a numeric passcode
    # is required for participants to join by phone". Without a passcode the setting changes
    # nothing: the meeting gets no finding here (passcode-required reports the missing passcode).
    params: OneOfParams = given.params
    eff = given.effective
    expected = {"one_of": list(params.one_of)}
    passcode = _decide(given, "passcode").effective
    if passcode.value is False:
        return CheckResult(None, None, expected, "the meeting has no passcode", applies=False)
    if passcode.tier is None or passcode.value is not True:
        return CheckResult(
            None,
            None,
            expected,
            "cannot be judged: whether the meeting has a passcode is not known, and this setting "
            "only matters when it has one",
        )
    control = CATALOGUE[eff.control]
    if not _known(eff):
        return CheckResult(
            None,
            None,
            expected,
            f"{control.title} cannot be judged: no Zoom setting states it and Zoom documents no default",
        )
    where = explain_source(_decide(given, control.name), given.account)
    text = f"{control.title} is {control.describe(eff.value)}, decided by {where}"
    if eff.value in params.one_of:
        return CheckResult(True, eff.value, expected, text)
    lock = "; it is locked, so fix it at the lock's tier" if eff.locked else ""
    return CheckResult(
        False,
        eff.value,
        expected,
        f"{text}; the meeting has a passcode, and this setting lets people in without it{lock}",
    )


# --- waiting-room options ------------------------------------------------------------------


def _waiting_room_option(given: CheckInput) -> CheckResult:
    params: OneOfParams = given.params
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
    "available_unless_e2ee": CheckSpec(
        "available_unless_e2ee",
        OneOfParams,
        _available_unless_e2ee,
        "the control's value is one of one_of and the meeting is not end-to-end encrypted (E2EE turns "
        "the feature off); an unknown encryption type cannot be judged",
        depends=("encryption",),
    ),
    "if_meeting_has_passcode": CheckSpec(
        "if_meeting_has_passcode",
        OneOfParams,
        _if_meeting_has_passcode,
        "the control's value is one of one_of; judged only for a meeting that has a passcode (one "
        "without gets no finding), and an unknown passcode cannot be judged",
        depends=("passcode",),
    ),
    "waiting_room_option": CheckSpec(
        "waiting_room_option",
        OneOfParams,
        _waiting_room_option,
        "the meeting has a waiting room and the control's value is one of one_of; a meeting without "
        "a waiting room fails, and one whose waiting room is unknown cannot be judged",
        depends=("waiting_room",),
    ),
    "focus_mode_starts_on": CheckSpec(
        "focus_mode_starts_on",
        FocusModeParams,
        _focus_mode,
        "the meeting starts in focus mode (settings.focus_mode) and the feature is available to the "
        "host; availability alone never passes",
        depends=("focus_mode_available",),
    ),
}
