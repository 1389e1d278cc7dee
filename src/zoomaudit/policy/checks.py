"""Code-backed checks (registered by name) and the passcode helpers the fix planner shares.

Most policies are "the control's effective value satisfies this expectation"; a check is for what
an operator cannot say, such as whether the meeting's passcode meets the host's passcode rules.
A check never puts the passcode itself in a finding: only its length and the rules it misses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zoomaudit.controls import MISSING
from zoomaudit.controls.catalogue import PASSCODE_UNKNOWN
from zoomaudit.findings import Effective
from zoomaudit.passcodes import PRESENCE_FIELDS, presence, unmet_words
from zoomaudit.passcodes import PasscodeRequirement as PasscodeRequirement
from zoomaudit.priority import host_groups
from zoomaudit.resolve import get_path, meeting_reader
from zoomaudit.snapshot import AccountContext, HostContext, Subject

_REQUIREMENT_PATHS = (
    "schedule_meeting.meeting_password_requirement",
    "meeting_security.meeting_password_requirement",
)


_FIELDS = tuple(PasscodeRequirement.__dataclass_fields__)


def passcode_requirement(host: HostContext, account: AccountContext) -> PasscodeRequirement:
    """The passcode rules in force for the host: each rule from the user's settings, else from the
    host's highest-priority group that manages the requirement (one that states any of its
    rules), else the account's (no lock exists for them).

    When that group is not known (several groups state the requirement differently and their
    priority is unknown, ``zoomaudit.priority``), the requirement is every candidate's at once
    (``PasscodeRequirement.stricter``): the auditor can only get stricter than Zoom, never pass a
    passcode Zoom's own rules would not have allowed.
    """
    candidates = host_groups(host, account).candidates(lambda g: bool(_requirement_fields(g.settings)))
    per_group = [
        _requirement_from([host.settings, group.settings, account.settings]) for group in candidates
    ] or [_requirement_from([host.settings, account.settings])]
    requirement = per_group[0]
    for other in per_group[1:]:
        if other != requirement:
            requirement = requirement.stricter(other)
    return requirement


def _requirement_fields(doc: Any) -> dict[str, Any]:
    """The requirement's rules one settings document states (either section)."""
    found: dict[str, Any] = {}
    for name in _FIELDS:
        for base in _REQUIREMENT_PATHS:
            value = get_path(doc, f"{base}.{name}")
            if value is not MISSING and value is not None:
                found[name] = int(value) if name.endswith("length") else bool(value)
                break
    return found


def _requirement_from(docs: list[Any]) -> PasscodeRequirement:
    found: dict[str, Any] = {}
    for doc in reversed(docs):  # the first document that states a rule wins
        found.update(_requirement_fields(doc))
    return replace(PasscodeRequirement(), **found)


def passcode_satisfies(password: str, requirement: PasscodeRequirement) -> list[str]:
    """The rules of ``requirement`` (and Zoom's own limits) that ``password`` does not meet, in
    words (empty: it meets them all). The rules are ``zoomaudit.passcodes``'s, shared with the fix
    generator and the sandbox."""
    return unmet_words(password, requirement)


# --- the check registry ------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    ok: bool | None
    """None: the check cannot judge this meeting."""
    actual: Any
    expected: Any
    detail: str
    applies: bool = True
    """False: the policy does not apply to this meeting, which gets no finding (as with
    ``applies_to``); e.g. a phone passcode for a meeting that has no passcode at all."""


RESOLUTION_MEMO = "resolution:"
"""The per-host memo's key prefix for a control's HostResolution (+ the control's name), shared by
the evaluator and the checks so that both decide through the same objects."""


@dataclass(frozen=True)
class CheckInput:
    effective: Effective
    subject: Subject | None
    host: HostContext
    account: AccountContext
    params: Any
    memo: dict[str, Any]
    """Per-host memo: the same for every meeting of one host (e.g. the passcode requirement)."""


@dataclass(frozen=True)
class CheckSpec:
    name: str
    params: type[BaseModel]
    run: Callable[[CheckInput], CheckResult]
    description: str
    depends: tuple[str, ...] | None = None
    """The other controls whose decisions, with the policy's own control's, settle the result for
    every meeting of one host: the evaluator then runs the check once per distinct combination
    (``zoomaudit.policy.evaluate``). None: the check reads the meeting itself (a passcode's
    text) and runs for every meeting."""


class PasscodeStrengthParams(BaseModel):
    """The policy's own minimum; the host's requirement applies on top when it is stricter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    length: int = Field(default=8, ge=1, le=10)
    have_letter: bool = True
    have_number: bool = True
    have_special_character: bool = False
    have_upper_and_lower_characters: bool = False
    consecutive_characters_length: int = Field(default=0, ge=0, le=8)

    def requirement(self) -> PasscodeRequirement:
        return PasscodeRequirement(**self.model_dump())


def _passcode_strength(given: CheckInput) -> CheckResult:
    params: PasscodeStrengthParams = given.params
    key = f"passcode_strength:{id(params)}"
    memo = given.memo.get(key)
    if memo is None:  # the same for every meeting of the host
        wanted = params.requirement().stricter(passcode_requirement(given.host, given.account))
        memo = given.memo[key] = (wanted, wanted.as_dict())
    wanted, expected = memo
    if given.subject is None:
        return CheckResult(None, None, expected, "cannot be judged: no meeting (a passcode is a meeting's)")
    meeting = given.subject.meeting
    fields = {}
    for name in PRESENCE_FIELDS:
        value = meeting_reader(name)(meeting)
        if value is not MISSING:
            fields[name] = value
    found = presence(fields)
    if found.state == "unknown":
        return CheckResult(None, None, expected, PASSCODE_UNKNOWN)
    if found.state == "absent":  # passcode-required fails it too; no passcode is never strong
        return CheckResult(
            False, {"length": 0, "unmet": ["a passcode"]}, expected, "the meeting has no passcode"
        )
    if found.password is None:
        return CheckResult(
            None,
            None,
            expected,
            "the passcode's strength cannot be judged: the meeting has a passcode "
            f"({_SHOWN_BY[found.source or '']}) but Zoom did not send its text",
        )
    unmet = passcode_satisfies(found.password, wanted)
    actual = {"length": len(found.password), "unmet": unmet}
    if unmet:
        return CheckResult(False, actual, expected, "the passcode lacks " + ", ".join(unmet))
    return CheckResult(True, actual, expected, "the passcode meets the rules")


_SHOWN_BY = {
    "password": "its password is not text",
    "join_url": "shown by pwd= in its join_url",
    "encrypted_password": "shown by its encrypted_password",
    "pstn_password": "shown by its phone passcode, pstn_password",
    "": "",
}


CHECKS: dict[str, CheckSpec] = {
    "passcode_strength": CheckSpec(
        "passcode_strength",
        PasscodeStrengthParams,
        _passcode_strength,
        "the meeting's passcode meets the policy's rules and the host's passcode requirement, "
        "whichever is stricter",
    ),
}
